//! Out-of-range gather indices on the GPU: the kernel clamps (never reads out of bounds) and raises a flag that the
//! next readback or `synchronize` reports. In its own test binary (its own process), because the flag is
//! process-wide: another test running in parallel in the same process would see it.
#![cfg(feature = "wgpu")]

use tensor::gpu::testing::gpu_or_skip;
use tensor::Backend;

#[test]
fn out_of_range_gather_index_is_reported_not_read() {
    let Some(gpu) = gpu_or_skip() else { return };
    let tensor::Device::Wgpu(be) = &gpu else { unreachable!() };
    let x = be.from_host(tensor::HostBuffer::F32(vec![1.0, 2.0, 3.0]));
    let idx = be.from_host(tensor::HostBuffer::I64(vec![0, 7, -1]));
    let l = tensor::Layout::contiguous(&[3]);
    let out = be.gather(&x, &l, 0, &idx, &l);
    // The synchronize after it reports the bad index (and clears the flag).
    let err = be.synchronize().unwrap_err();
    assert!(err.to_string().contains("out of range"), "{err}");
    // It names the op that raised it.
    assert!(err.to_string().contains("gather (input [3], index [3])"), "{err}");
    be.synchronize().unwrap();
    // The kernel clamped instead of reading out of bounds.
    assert_eq!(be.to_host(&out, &l), tensor::HostBuffer::F32(vec![1.0, 3.0, 1.0]));
    // Through the tensor layer an index uploaded from the host has known bounds: the gather itself panics.
    let xt = tensor::Tensor::from_vec(vec![1.0f32, 2.0], &[2], &gpu);
    let it = tensor::Tensor::from_vec(vec![5i64], &[1], &gpu);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| xt.gather(0, &it).to_vec::<f32>()));
    let msg = r.err().and_then(|e| e.downcast_ref::<String>().cloned()).unwrap_or_default();
    assert!(msg.contains("out of range"), "{msg}");
}
