//! Checkpoints interchangeable with PyTorch: files written by `safetensors.torch.save_file(model.state_dict())`
//! load here bit for bit, the file we write for the same model is byte-identical to PyTorch's (so it loads
//! with `safetensors.torch.load_file`), and bad files fail clearly without a partial load.

mod common;

use std::path::{Path, PathBuf};

use autograd::Var;
use common::models::{seeded, BlobModel, CircleModelV0};
use nn::checkpoint::{self, CheckpointError};
use nn::{children, Linear, Module};
use tensor::{DType, Device, Tensor};

fn circle(seed: u64) -> CircleModelV0 {
    seeded(seed, CircleModelV0::new)
}

fn blob(seed: u64) -> BlobModel {
    seeded(seed, || BlobModel::new(2, 4, 8))
}

fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nn-checkpoint-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn bits(m: &dyn Module) -> Vec<(String, Vec<u32>)> {
    m.state_dict().into_iter().map(|(n, t)| (n, t.to_vec::<f32>().iter().map(|v| v.to_bits()).collect())).collect()
}

#[test]
fn pytorch_files_load_bit_for_bit() {
    for (file, model, reference) in [
        (
            "checkpoint_circle_v0.safetensors",
            Box::new(circle(0)) as Box<dyn Module>,
            Box::new(circle(42)) as Box<dyn Module>,
        ),
        ("checkpoint_blob.safetensors", Box::new(blob(0)), Box::new(blob(42))),
    ] {
        assert_ne!(bits(model.as_ref()), bits(reference.as_ref()));
        checkpoint::load(model.as_ref(), fixture_path(file)).unwrap();
        assert_eq!(bits(model.as_ref()), bits(reference.as_ref()), "{file}");
    }
}

#[test]
fn our_files_are_byte_identical_to_pytorch_files() {
    let dir = scratch("identical");
    for (file, model) in [
        ("checkpoint_circle_v0.safetensors", Box::new(circle(42)) as Box<dyn Module>),
        ("checkpoint_blob.safetensors", Box::new(blob(42))),
    ] {
        let path = dir.join(file);
        checkpoint::save(model.as_ref(), &path).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), std::fs::read(fixture_path(file)).unwrap(), "{file}");
        assert!(!dir.join(format!("{file}.tmp")).exists(), "the temporary file was renamed away");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn save_then_load_round_trips_and_overwrites() {
    let dir = scratch("roundtrip");
    let path = dir.join("model.safetensors");
    checkpoint::save(&circle(1), &path).unwrap();
    checkpoint::save(&circle(7), &path).unwrap(); // overwrite atomically
    let m = circle(3);
    checkpoint::load(&m, &path).unwrap();
    assert_eq!(bits(&m), bits(&circle(7)));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Asserts that loading fails with an error whose message contains every `needle`, and that the model did not
/// change.
fn assert_fails(model: &dyn Module, path: &Path, needles: &[&str]) -> CheckpointError {
    let before = bits(model);
    let err = checkpoint::load(model, path).unwrap_err();
    let msg = err.to_string();
    for n in needles {
        assert!(msg.contains(n), "error {msg:?} should mention {n:?}");
    }
    assert_eq!(bits(model), before, "a failed load must not change the model");
    err
}

#[test]
fn bad_files_fail_clearly_without_partial_loads() {
    let dir = scratch("bad");
    let good = std::fs::read(fixture_path("checkpoint_blob.safetensors")).unwrap();

    // Missing file.
    let err = assert_fails(&blob(1), &dir.join("nope.safetensors"), &["cannot read checkpoint", "nope.safetensors"]);
    assert!(matches!(err, CheckpointError::Io { .. }));

    // Truncated: the header promises more data than there is.
    let truncated = dir.join("truncated.safetensors");
    std::fs::write(&truncated, &good[..good.len() - 7]).unwrap();
    let err = assert_fails(&blob(1), &truncated, &["not a valid safetensors file", "truncated or corrupt"]);
    assert!(matches!(err, CheckpointError::Corrupt { .. }));

    // Garbage and an empty file.
    let garbage = dir.join("garbage.safetensors");
    std::fs::write(&garbage, b"this is not a checkpoint at all").unwrap();
    assert_fails(&blob(1), &garbage, &["not a valid safetensors file"]);
    std::fs::write(&garbage, b"").unwrap();
    assert_fails(&blob(1), &garbage, &["not a valid safetensors file"]);

    // A corrupt header (bytes flipped inside the JSON).
    let mut corrupt = good.clone();
    corrupt[12] = b'#';
    corrupt[20] = 0xff;
    std::fs::write(&garbage, &corrupt).unwrap();
    assert_fails(&blob(1), &garbage, &["not a valid safetensors file"]);

    // Another model's file: every missing and unexpected key is listed; the model is untouched.
    let err = assert_fails(
        &blob(1),
        &fixture_path("checkpoint_circle_v0.safetensors"),
        &["does not fit this model", "missing `linear_layer_stack.0.weight` [8, 2]", "unexpected `layer_1.bias`"],
    );
    assert!(matches!(err, CheckpointError::Mismatch { .. }));

    // Same names, one shape differs: nothing is loaded, not even the parameters that fit.
    struct Wider {
        layer_1: Linear,
        layer_2: Linear,
    }
    impl Module for Wider {
        fn forward(&self, x: &Var) -> Var {
            self.layer_2.forward(&self.layer_1.forward(x))
        }
        children!(layer_1, layer_2);
    }
    let wider = seeded(5, || Wider { layer_1: Linear::new(2, 5), layer_2: Linear::new(5, 2) });
    assert_fails(
        &wider,
        &fixture_path("checkpoint_circle_v0.safetensors"),
        &["`layer_2.weight` is [1, 5] in the file but [2, 5] in the model"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `load_state_dict(state_dict())` in memory: the same keys as the files, a bit-exact copy; strict as PyTorch's
/// default — a missing, unexpected, repeated or mis-shaped key loads nothing and is named in the error.
#[test]
fn load_state_dict_in_memory_is_strict() {
    let (a, b) = (circle(42), circle(7));
    assert_ne!(bits(&a), bits(&b));
    let keys: Vec<String> = a.state_dict().into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["layer_1.weight", "layer_1.bias", "layer_2.weight", "layer_2.bias"]);
    b.load_state_dict(&a.state_dict()).unwrap();
    assert_eq!(bits(&a), bits(&b));

    let c = circle(7);
    let before = bits(&c);
    let mut state = a.state_dict();
    state.remove(0);
    state[0].1 = Tensor::zeros(&[3], DType::F32, &Device::Cpu);
    state.push(("extra".to_string(), Tensor::zeros(&[1], DType::F32, &Device::Cpu)));
    state.push(state[1].clone());
    let msg = c.load_state_dict(&state).unwrap_err().to_string();
    for needle in [
        "loading state_dict for CircleModelV0",
        "missing `layer_1.weight` [5, 2]",
        "`layer_1.bias` is [3] in the state dict but [5] in the model",
        "unexpected `extra`",
        "`layer_2.weight` appears twice",
        "nothing was loaded",
    ] {
        assert!(msg.contains(needle), "{needle:?} not in: {msg}");
    }
    assert_eq!(bits(&c), before, "a refused state dict changed the model");
}
