//! `TAPEGRAD_NUM_THREADS` as the library reads it: each value is tried in a child process (this test binary
//! re-invoked with the variable set), because the pool is built once per process. An invalid value warns once on
//! stderr and falls back to the available cores; a value above four per core (at most 1024) is clamped.

use std::process::Command;

use tensor::{DType, Device, Tensor};

/// The child side: builds the pool (through a kernel large enough to use it) and prints its size.
#[test]
fn threads_child() {
    if std::env::var("TENSOR_THREADS_CHILD").is_err() {
        return;
    }
    let x = Tensor::ones(&[1 << 18], DType::F32, &Device::Cpu);
    let _ = x.exp().sum().item();
    let _ = x.add(&x).sum().item();
    println!("@@threads {}", tensor::cpu::parallel::num_threads());
}

/// Runs the child with `TAPEGRAD_NUM_THREADS=value`: (pool size, stderr).
fn run_with(value: &str) -> (usize, String) {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["threads_child", "--exact", "--nocapture", "--test-threads=1"])
        .env("TENSOR_THREADS_CHILD", "1")
        .env("TAPEGRAD_NUM_THREADS", value)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "TAPEGRAD_NUM_THREADS={value:?}: {stdout}\n{stderr}");
    let n = stdout
        .lines()
        .find_map(|l| l.split_once("@@threads ").map(|(_, n)| n.trim().to_string()))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no thread count in {stdout}"));
    (n, stderr)
}

#[test]
fn invalid_thread_counts_warn_once_and_fall_back_or_clamp() {
    let available = std::thread::available_parallelism().map_or(1, |n| n.get());
    let max = tensor::cpu::parallel::max_threads(available);
    for bad in ["0", "four", "-2", ""] {
        let (n, stderr) = run_with(bad);
        assert_eq!(n, available, "{bad:?}");
        assert_eq!(stderr.matches("TAPEGRAD_NUM_THREADS").count(), 1, "{bad:?}: one warning, got {stderr}");
        assert!(stderr.contains("not a whole number"), "{bad:?}: {stderr}");
    }
    for huge in ["100000", "18446744073709551615"] {
        let (n, stderr) = run_with(huge);
        assert_eq!(n, max, "{huge}");
        assert_eq!(stderr.matches("TAPEGRAD_NUM_THREADS").count(), 1, "{huge}: one warning, got {stderr}");
    }
    let (n, stderr) = run_with("1");
    assert_eq!(n, 1);
    assert!(!stderr.contains("TAPEGRAD_NUM_THREADS"), "a valid value warns nothing: {stderr}");
}
