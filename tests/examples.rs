//! The notebooks in `examples/` run end to end: each is started with `TAPEGRAD_EPOCHS=3` (three epochs per
//! training loop; the full runs are checked by the `experiments` replay tests) and must exit with success, print
//! the notebook's model and log lines, and write its pictures.
//!
//! The binaries are the ones `cargo test` builds beside this test (`target/<profile>/examples/`).

use std::path::PathBuf;
use std::process::Command;

/// `target/<profile>/examples/<name>`: this test runs from `target/<profile>/deps/`.
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps").join("examples");
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "{} is missing: run the whole `cargo test` (it builds the examples) or `cargo build --examples` first",
        path.display()
    );
    path
}

/// Runs an example for three epochs in a scratch directory; returns its stdout.
fn run(name: &str) -> String {
    let tmp = std::env::temp_dir().join(format!("tapegrad-example-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let out = Command::new(example(name)).env("TAPEGRAD_EPOCHS", "3").env("TMPDIR", &tmp).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{name} failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let pictures =
        std::fs::read_dir(&tmp).unwrap().filter(|e| e.as_ref().unwrap().path().extension() == Some("png".as_ref()));
    assert!(pictures.count() >= 1, "{name} wrote no picture");
    std::fs::remove_dir_all(&tmp).unwrap();
    stdout
}

#[test]
fn circles_runs() {
    let out = run("circles");
    assert!(out.contains("CircleModelV0(\n  (layer_1): Linear(in_features=2, out_features=5, bias=True)"), "{out}");
    assert!(out.contains("Epoch: 0 | Loss: "), "{out}");
    assert!(out.contains("Epoch: 0 | Train loss: "), "{out}");
    assert!(out.contains("Test Accuracy: "), "{out}");
}

#[test]
fn blobs_runs() {
    let out = run("blobs");
    assert!(out.contains("BlobModel(\n  (linear_layer_stack): Sequential("), "{out}");
    assert!(out.contains("Epoch: 0 | Loss: 1.04324, Acc: 65.50% | Test Loss: 0.57861, Test Acc: 95.50%"), "{out}");
}

#[test]
fn moons_runs() {
    let out = run("moons");
    assert!(out.contains("X Length = 1000, Shape = (1000, 2) || Y Length = 1000, Shape = (1000,)"), "{out}");
    assert!(out.contains("Epoch: 0 | Loss: "), "{out}");
}

#[test]
fn spirals_runs() {
    let out = run("spirals");
    assert!(out.contains("(240, 60, 240, 60)"), "{out}");
    assert!(out.contains("Epoch: 0 | Loss: "), "{out}");
}
