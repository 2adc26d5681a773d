//! The wgpu backend as a device: creation, upload/download, int64 storage as int32, batching and the buffer pool,
//! error reporting (out-of-range gather indices, values that do not fit). Every test is gated by `gpu_or_skip`.
#![cfg(feature = "wgpu")]

use tensor::gpu::testing::gpu_or_skip;
use tensor::{Backend, DType, Device, Tensor};

#[test]
fn round_trip_f32_and_i64() {
    let Some(gpu) = gpu_or_skip() else { return };
    assert!(gpu.name().starts_with("wgpu:"), "{}", gpu.name());
    let x = Tensor::from_vec(vec![1.0f32, -2.5, 3.25, f32::INFINITY, -0.0, 7.0], &[2, 3], &gpu);
    assert_eq!(x.to_vec::<f32>(), vec![1.0, -2.5, 3.25, f32::INFINITY, -0.0, 7.0]);
    let i = Tensor::from_vec(vec![i32::MIN as i64, -1, 0, 5, i32::MAX as i64], &[5], &gpu);
    assert_eq!(i.to_vec::<i64>(), vec![i32::MIN as i64, -1, 0, 5, i32::MAX as i64]);
    // A transposed view reads back in logical order.
    assert_eq!(x.t().to_vec::<f32>(), vec![1.0, f32::INFINITY, -2.5, -0.0, 3.25, 7.0]);
    assert!(gpu.supports(DType::F32) && !gpu.supports(DType::F64));
    gpu.synchronize().unwrap();
}

#[test]
#[should_panic(expected = "does not fit")]
fn i64_outside_i32_panics_naming_the_value() {
    let Some(gpu) = gpu_or_skip() else { panic!("does not fit (skipped: no GPU)") };
    let _ = Tensor::from_vec(vec![1i64 << 40], &[1], &gpu);
}

#[test]
fn shared_device_is_one_device() {
    let Some(a) = gpu_or_skip() else { return };
    let b = Device::gpu().unwrap();
    assert!(a.same(&b));
    assert!(!a.same(&Device::Cpu));
}

#[test]
fn fill_and_empty_tensors() {
    let Some(gpu) = gpu_or_skip() else { return };
    assert_eq!(Tensor::full(&[3], 2.5, DType::F32, &gpu).to_vec::<f32>(), vec![2.5; 3]);
    assert_eq!(Tensor::full(&[2], -7.0, DType::I64, &gpu).to_vec::<i64>(), vec![-7; 2]);
    assert_eq!(Tensor::zeros(&[4], DType::F32, &gpu).to_vec::<f32>(), vec![0.0; 4]);
    let e = Tensor::zeros(&[0, 3], DType::F32, &gpu);
    assert_eq!(e.to_vec::<f32>(), Vec::<f32>::new());
    assert_eq!((&e + &e).shape(), &[0, 3]);
}

#[test]
fn long_chains_are_batched_and_buffers_reused() {
    let Some(gpu) = gpu_or_skip() else { return };
    // More kernels than one batch holds, each freeing its input: the pool recycles buffers while earlier kernels
    // of the same batch may still read them, which must not change any result.
    let mut x = Tensor::from_vec((0..1000).map(|i| i as f32).collect::<Vec<_>>(), &[1000], &gpu);
    for _ in 0..300 {
        x = x.affine(1.0, 1.0);
    }
    let want: Vec<f32> = (0..1000).map(|i| i as f32 + 300.0).collect();
    assert_eq!(x.to_vec::<f32>(), want);
}

#[test]
fn uploads_stay_in_order_with_kernels() {
    let Some(gpu) = gpu_or_skip() else { return };
    // Free a buffer that a pending kernel reads, then upload into (probably) the same pooled buffer.
    let mut outs = Vec::new();
    for i in 0..20 {
        let a = Tensor::from_vec(vec![i as f32; 64], &[64], &gpu);
        outs.push(a.affine(2.0, 0.0));
    }
    for (i, o) in outs.iter().enumerate() {
        assert_eq!(o.to_vec::<f32>(), vec![2.0 * i as f32; 64]);
    }
}

#[test]
fn too_large_a_tensor_is_a_clear_error() {
    let Some(gpu) = gpu_or_skip() else { return };
    let tensor::Device::Wgpu(be) = &gpu else { unreachable!() };
    let limit = be.limits().max_storage_buffer_binding_size;
    let numel = (limit / 4 + 1) as usize;
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| be.full(numel, 0.0, DType::F32)));
    let msg = r.err().and_then(|e| e.downcast_ref::<String>().cloned()).unwrap_or_default();
    assert!(msg.contains("max_storage_buffer_binding_size"), "{msg}");
}

#[test]
fn bench_helpers_report_positive_rates() {
    let Some(_gpu) = gpu_or_skip() else { return };
    let gflops = tensor::gpu::bench::bench_matmul_gflops(128, 2).unwrap();
    let gbps = tensor::gpu::bench::bench_elementwise_gbps(1 << 16, 4).unwrap();
    eprintln!("matmul 128: {gflops:.2} GFLOP/s, add 2^16: {gbps:.2} GB/s");
    assert!(gflops > 0.0 && gflops.is_finite() && gbps > 0.0 && gbps.is_finite());
}

/// A device of its own, so that the counters see only this test's work.
fn private_gpu() -> Option<Device> {
    gpu_or_skip()?;
    Some(Device::Wgpu(tensor::gpu::WgpuBackend::open().expect("a second device of the adapter")))
}

#[test]
fn kernels_share_one_pass_and_one_submit_until_a_readback() {
    let Some(gpu) = private_gpu() else { return };
    let x = Tensor::from_vec(vec![0.5f32, -1.0, 2.0, 4.0], &[2, 2], &gpu);
    gpu.synchronize().unwrap();
    gpu.reset_gpu_stats();
    let mut y = x.clone();
    for _ in 0..10 {
        y = y.exp().neg();
    }
    let s = gpu.gpu_stats().unwrap();
    assert_eq!((s.dispatches, s.compute_passes, s.submits, s.readbacks), (20, 1, 0, 0), "{s:?}");
    // The same chain again: the pool hands out the same few buffers, so most bind groups are found in the cache.
    let mut z = x.clone();
    for _ in 0..10 {
        z = z.exp().neg();
    }
    let t = gpu.gpu_stats().unwrap();
    assert!(2 * t.bind_groups < t.dispatches, "{s:?} then {t:?}");
    assert_eq!(Tensor::to_host_many(&[&y]), Tensor::to_host_many(&[&z]));
    let u = gpu.gpu_stats().unwrap();
    assert_eq!((u.submits, u.readbacks), (2, 2), "{u:?}");
}

#[test]
fn to_host_many_reads_every_tensor_in_one_transfer() {
    let Some(gpu) = private_gpu() else { return };
    let a = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3], &gpu).exp();
    let t = a.t(); // not one contiguous range: copied on the device first
    let i = Tensor::from_vec(vec![-3i64, 7], &[2], &gpu);
    let s = a.sum();
    gpu.reset_gpu_stats();
    let many = Tensor::to_host_many(&[&a, &t, &i, &s]);
    let stats = gpu.gpu_stats().unwrap();
    assert_eq!((stats.readbacks, stats.submits), (1, 1), "{stats:?}");
    let one_by_one: Vec<_> = [&a, &t, &i, &s].iter().map(|x| x.to_host()).collect();
    assert_eq!(many, one_by_one);
    assert_eq!(gpu.gpu_stats().unwrap().readbacks, 5);
    // CPU tensors read as they are.
    let c = Tensor::new(&[1.5f32], &[1]);
    assert_eq!(Tensor::to_host_many(&[&c]), vec![c.to_host()]);
}

#[test]
fn scalar_constants_are_filled_once() {
    let Some(gpu) = private_gpu() else { return };
    let zero = Tensor::scalar(0.0, DType::F32, &gpu);
    let a = Tensor::scalar(800.0, DType::F32, &gpu);
    gpu.reset_gpu_stats();
    let b = Tensor::scalar(800.0, DType::F32, &gpu);
    let z = Tensor::full(&[], 0.0, DType::F32, &gpu);
    assert_eq!(gpu.gpu_stats().unwrap().dispatches, 0, "a constant made before is not filled again");
    // Another dtype or value (-0 is not 0) is another constant.
    let c = Tensor::scalar(800.0, DType::I64, &gpu);
    let m = Tensor::scalar(-0.0, DType::F32, &gpu);
    assert_eq!(gpu.gpu_stats().unwrap().dispatches, 2);
    let got = Tensor::to_host_many(&[&zero, &a, &b, &z, &c, &m]);
    let f = |i: usize| got[i].to_f64_vec()[0];
    assert_eq!((f(0), f(1), f(2), f(3), f(4)), (0.0, 800.0, 800.0, 0.0, 800.0));
    assert_eq!(got[4].dtype(), DType::I64);
    assert!(f(5) == 0.0 && f(5).is_sign_negative());
    // A result computed from a constant is a new tensor; the constant keeps its value.
    let sum = a.add(&b);
    assert_eq!((sum.item(), a.item()), (1600.0, 800.0));
}
