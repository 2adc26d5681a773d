//! `experiments bench matmul --explain M K N`: the CLI prints the CPU matmul's plan for a shape — the path, why,
//! the threads — as `tensor::cpu::kernels::gemm::plan` decides it, and refuses what it cannot explain.

use std::process::Command;

/// Runs the binary with `args`: (status code, stdout, stderr).
fn experiments(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_experiments")).args(args).output().expect("the binary runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

#[test]
fn explain_prints_the_plan_of_the_tutorial_layer() {
    let (code, out, err) = experiments(&["bench", "matmul", "--explain", "800", "2", "10"]);
    assert_eq!(code, 0, "{err}");
    let want = tensor::cpu::kernels::gemm::plan(800, 2, 10, &tensor::cpu::kernels::gemm::Options::f32());
    assert_eq!(out.trim_end(), want.to_string(), "the CLI prints the library's plan");
    for line in ["matmul [800, 2] · [2, 10]", "path:    direct", "why:", "threads: 1"] {
        assert!(out.contains(line), "no {line:?} in:\n{out}");
    }
}

#[test]
fn explain_names_the_packed_path_for_a_large_product() {
    let (code, out, err) = experiments(&["bench", "matmul", "--explain", "512", "512", "512"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("path:    packed") && out.contains("DIRECT_MAX_FLOPS"), "{out}");
    // Empty products are explained too.
    let (code, out, _) = experiments(&["bench", "matmul", "--explain", "3", "0", "4"]);
    assert_eq!(code, 0);
    assert!(out.contains("k = 0"), "{out}");
}

#[test]
fn explain_refuses_what_it_cannot_explain() {
    // Two numbers instead of three: clap's usage error.
    let (code, _, err) = experiments(&["bench", "matmul", "--explain", "800", "2"]);
    assert_eq!(code, 2, "{err}");
    // Past the bound, negative: refused while parsing, naming the bound.
    let (code, _, err) = experiments(&["bench", "matmul", "--explain", "1", "16777217", "1"]);
    assert!(code == 2 && err.contains("16777216"), "{code}: {err}");
    let (code, _, err) = experiments(&["bench", "matmul", "--explain", "-1", "2", "3"]);
    assert_eq!(code, 2, "{err}");
    // Flags --explain does not use.
    let (code, _, err) = experiments(&["bench", "matmul", "--explain", "8", "8", "8", "--device", "gpu"]);
    assert!(code == 1 && err.contains("--device") && err.contains("drop the flag"), "{code}: {err}");
    let (code, _, err) = experiments(&["bench", "matmul", "--explain", "8", "8", "8", "--json", "plan.json"]);
    assert!(code == 1 && err.contains("--json"), "{code}: {err}");
    assert!(!std::path::Path::new("plan.json").exists());
}
