//! Every hint in a `tensor` error message ("use a smaller size", "convert with to_dtype", "install a
//! Vulkan driver", ...) triggered by the mistake it is for, and its text checked. Hints checked
//! elsewhere: `fallible.rs` (a CPU allocation refused, a GPU tensor over the device's limit) and the
//! reliability catalogue (`reliability.rs`, whose key words include each case's hint).
//!
//! Not triggerable from a test, by design: the CPU buffer pool's "use smaller tensors" (reached only
//! when memory runs out between the size check and the kernel) and the GPU's "free some tensors"
//! (the driver refusing a buffer that fits every limit).

#[path = "../../../tests/support/panics.rs"]
mod panics;

use panics::panic_text;
use tensor::{DType, Device, HostBuffer, Tensor};

#[test]
fn a_shape_over_isize_max_bytes_says_use_a_smaller_size() {
    let e = Device::Cpu.check_alloc(&[1 << 60, 4], DType::F32).unwrap_err().to_string();
    assert!(e.contains("more than any allocation can hold"), "{e}");
    assert!(e.ends_with("use a smaller size"), "{e}");
    let e = Device::Cpu.check_alloc(&[usize::MAX, 4], DType::F32).unwrap_err().to_string();
    assert!(e.contains("more elements than a usize can count") && e.ends_with("use a smaller size"), "{e}");
}

#[test]
fn a_host_buffer_the_system_refuses_says_use_a_smaller_size() {
    // 4 EiB: over any machine's memory, under isize::MAX bytes (so it is asked for, and refused).
    let e = panic_text(|| {
        HostBuffer::full(DType::F32, 1 << 60, 0.0);
    });
    assert!(e.starts_with("full: cannot allocate"), "{e}");
    assert!(e.ends_with("(the system refused the memory); use a smaller size"), "{e}");
}

#[test]
fn cross_entropy_mean_with_float_targets_says_class_indices_as_int64() {
    let logits = Tensor::zeros(&[3, 4], DType::F32, &Device::Cpu);
    let targets = Tensor::new(&[0.0f32, 1.0, 3.0], &[3]);
    let e = panic_text(|| {
        logits.cross_entropy_mean(&targets);
    });
    assert!(e.starts_with("cross_entropy_mean: logits [3, 4] float32 and a float32 target [3]"), "{e}");
    assert!(e.contains("float targets would be class probabilities, which cross_entropy_mean does not support"), "{e}");
    assert!(e.contains("pass class indices as int64 [N] (target.to_dtype(DType::I64))"), "{e}");
    // The advice works: ln 4 for uniform logits.
    let loss = logits.cross_entropy_mean(&targets.to_dtype(DType::I64)).to_vec::<f32>()[0];
    assert!((loss - 4f32.ln()).abs() < 1e-6, "{loss}");
}

#[cfg(feature = "wgpu")]
#[test]
fn float64_on_a_gpu_says_use_the_cpu_or_convert() {
    let Some(gpu) = tensor::gpu::testing::gpu_or_skip() else { return };
    let hint = "supports float32/int64; got float64 — use the CPU device or convert with to_dtype";
    let e = panic_text(|| {
        Tensor::zeros(&[2], DType::F64, &gpu);
    });
    assert!(e.contains(hint), "{e}");
    let e = panic_text(|| {
        Tensor::new(&[1.0f64, 2.0], &[2]).to_device(&gpu);
    });
    assert!(e.contains(hint), "{e}");
    // The advice works.
    let t = Tensor::new(&[1.0f64, 2.0], &[2]).to_dtype(DType::F32).to_device(&gpu);
    assert_eq!(t.to_vec::<f32>(), vec![1.0, 2.0]);
}

/// The child side of [`no_vulkan_driver_says_install_one`]: prints what `Device::gpu()` says.
#[cfg(feature = "wgpu")]
#[test]
fn no_vulkan_driver_child() {
    if std::env::var_os("TAPEGRAD_HINTS_CHILD").is_none() {
        return;
    }
    match Device::gpu() {
        Ok(d) => println!("@@adapter {}", d.name()),
        Err(e) => println!("@@error {e}"),
    }
}

#[cfg(feature = "wgpu")]
#[test]
fn no_vulkan_driver_says_install_one() {
    // A child process whose Vulkan and EGL loaders find no driver (the manifests they read all missing).
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "no_vulkan_driver_child", "--nocapture", "--test-threads", "1"])
        .env("TAPEGRAD_HINTS_CHILD", "1")
        .env("VK_ICD_FILENAMES", "/nonexistent/tapegrad-no-driver.json")
        .env("VK_DRIVER_FILES", "/nonexistent/tapegrad-no-driver.json")
        // wgpu's GL backend would answer with Mesa's llvmpipe: no EGL vendor either.
        .env("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/tapegrad-no-egl.json")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The harness prints "test no_vulkan_driver_child ... " before the child's line.
    let line = stdout.lines().find_map(|l| l.find("@@").map(|at| l[at..].to_string())).unwrap_or_default();
    if let Some(name) = line.strip_prefix("@@adapter ") {
        // A backend whose loader these variables do not reach answered: nothing to check here.
        eprintln!("!!! SKIPPED: without Vulkan and EGL drivers wgpu still opened {name}");
        return;
    }
    assert!(line.starts_with("@@error "), "child printed: {stdout}");
    assert!(line.contains("install a Vulkan driver, e.g. `apt-get install mesa-vulkan-drivers`"), "{line}");
    assert!(line.contains("or use Device::Cpu"), "{line}");
}

#[cfg(not(feature = "wgpu"))]
#[test]
fn a_build_without_the_gpu_backend_says_rebuild_with_wgpu() {
    let e = Device::gpu().unwrap_err().to_string();
    assert!(e.contains("rebuild with the `wgpu` feature of the `tensor` crate"), "{e}");
}
