//! The fallible constructors (`try_zeros`, `try_full`, `try_from_vec`) and `Device::check_alloc`: sizes from
//! outside the program come back as errors that name the shape and say what to do; the panicking twins panic at
//! the caller with the same message after the op's name.

use tensor::{DType, Device, Error, Tensor};

#[test]
fn check_alloc_accepts_what_can_exist() {
    let cpu = Device::Cpu;
    assert_eq!(cpu.check_alloc(&[800, 2], DType::F32), Ok(()));
    assert_eq!(cpu.check_alloc(&[], DType::F64), Ok(()));
    assert_eq!(cpu.check_alloc(&[0, 1 << 40], DType::I64), Ok(()));
    // 4 TiB can exist on a 64-bit CPU; whether the system gives it is for the allocation to say.
    assert_eq!(cpu.check_alloc(&[1 << 40], DType::F32), Ok(()));
}

#[test]
fn check_alloc_refuses_overflowing_shapes() {
    let cpu = Device::Cpu;
    let e = cpu.check_alloc(&[1 << 32, 1 << 32], DType::F32).unwrap_err();
    assert!(matches!(e, Error::TooLarge(_)), "{e}");
    assert!(e.to_string().contains("[4294967296, 4294967296]"), "{e}");
    assert!(e.to_string().contains("use a smaller size"), "{e}");
    // A zero elsewhere does not make the other sizes' strides fit.
    assert!(cpu.check_alloc(&[0, usize::MAX, 2], DType::F32).is_err());
    // Elements that fit a usize but bytes over isize::MAX.
    let e = cpu.check_alloc(&[usize::MAX / 4], DType::F64).unwrap_err();
    assert!(e.to_string().contains("isize::MAX"), "{e}");
    assert!(e.to_string().contains("EiB"), "{e}");
}

#[test]
fn try_zeros_and_try_full_return_errors() {
    let cpu = Device::Cpu;
    let e = Tensor::try_zeros(&[usize::MAX, 4], DType::F32, &cpu).unwrap_err();
    assert!(matches!(e, Error::TooLarge(_)), "{e}");
    // Memory the system refuses (more than this machine's RAM and swap, so the kernel's overcommit check says no).
    let e = Tensor::try_zeros(&[1 << 46], DType::F32, &cpu).unwrap_err();
    assert!(matches!(e, Error::OutOfMemory(_)), "{e}");
    assert_eq!(
        e.detail(),
        "cannot allocate 256 TiB for shape [70368744177664] of float32 on the CPU (the system refused the memory); \
         use a smaller size"
    );
    let t = Tensor::try_full(&[2, 3], 1.5, DType::F64, &cpu).unwrap();
    assert_eq!(t.to_vec::<f64>(), vec![1.5; 6]);
    assert_eq!(Tensor::try_zeros(&[3], DType::I64, &cpu).unwrap().to_vec::<i64>(), vec![0; 3]);
    assert_eq!(
        Tensor::try_full(&[2], -0.0, DType::F32, &cpu).unwrap().to_vec::<f32>()[0].to_bits(),
        (-0.0f32).to_bits()
    );
}

#[test]
fn try_from_vec_checks_length_and_shape() {
    let cpu = Device::Cpu;
    let e = Tensor::try_from_vec(Vec::<f32>::new(), &[1 << 32, 1 << 32], &cpu).unwrap_err();
    assert!(matches!(e, Error::TooLarge(_)), "{e}");
    let e = Tensor::try_from_vec(vec![1.0f32; 5], &[2, 3], &cpu).unwrap_err();
    assert_eq!(e, Error::Shape("5 elements cannot have shape [2, 3] (6 elements)".into()));
    let t = Tensor::try_from_vec(vec![1i64, 2, 3], &[3, 1], &cpu).unwrap();
    assert_eq!(t.shape(), &[3, 1]);
}

#[test]
fn the_panicking_twins_name_the_op() {
    let msg = |f: fn()| {
        let e = std::panic::catch_unwind(f).unwrap_err();
        e.downcast_ref::<String>().cloned().unwrap_or_default()
    };
    assert!(msg(|| {
        Tensor::zeros(&[1 << 46], DType::F32, &Device::Cpu);
    })
    .starts_with("zeros: cannot allocate 256 TiB for shape [70368744177664] of float32"));
    assert!(msg(|| {
        Tensor::ones(&[usize::MAX, 4], DType::F32, &Device::Cpu);
    })
    .starts_with("ones: shape [18446744073709551615, 4] of float32 has more elements than a usize can count"));
    assert!(msg(|| {
        Tensor::from_vec(Vec::<f32>::new(), &[1 << 32, 1 << 32], &Device::Cpu);
    })
    .starts_with("from_vec: shape [4294967296, 4294967296]"));
}

#[cfg(feature = "wgpu")]
#[test]
fn gpu_limits_and_dtypes_are_errors() {
    let Some(gpu) = tensor::gpu::testing::gpu_or_skip() else { return };
    let e = gpu.check_alloc(&[4], DType::F64).unwrap_err();
    assert!(matches!(e, Error::Unsupported(_)), "{e}");
    assert!(
        e.detail().ends_with("supports float32/int64; got float64 — use the CPU device or convert with to_dtype"),
        "{e}"
    );
    let e = Tensor::try_zeros(&[1 << 31], DType::F32, &gpu).unwrap_err();
    assert!(matches!(e, Error::TooLarge(_)), "{e}");
    assert!(e.detail().contains("use a smaller size or the CPU"), "{e}");
    let e = Tensor::try_from_vec(vec![1i64 << 40], &[1], &gpu).unwrap_err();
    assert!(e.detail().contains("does not fit"), "{e}");
    let t = Tensor::try_full(&[2, 2], 3.0, DType::I64, &gpu).unwrap();
    assert_eq!(t.to_vec::<i64>(), vec![3; 4]);
    let e =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Tensor::zeros(&[2], DType::F64, &gpu))).unwrap_err();
    let m = e.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        m.starts_with("zeros: the GPU backend (wgpu:")
            && m.ends_with("supports float32/int64; got float64 — use the CPU device or convert with to_dtype"),
        "{m}"
    );
}
