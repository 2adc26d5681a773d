//! A first end-to-end check of the tensor API on the CPU (hand-derived values).

use tensor::{DType, Device, Tensor};

#[test]
fn broadcasting_reductions_and_matmul() {
    let x = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let b = Tensor::new(&[10.0f32, 20.0, 30.0], &[3]);
    assert_eq!((&x + &b).to_vec::<f32>(), vec![11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
    assert_eq!(x.sum_dim(0usize).to_vec::<f32>(), vec![5.0, 7.0, 9.0]);
    assert_eq!(x.sum_keepdim(1usize).shape(), &[2, 1]);
    assert_eq!(x.sum_dim(-1).to_vec::<f32>(), vec![6.0, 15.0]);
    assert_eq!(x.mean().to_scalar::<f32>(), 3.5);
    assert_eq!(x.t().contiguous().to_vec::<f32>(), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    assert_eq!(x.argmax(1).to_vec::<i64>(), vec![2, 2]);
    // [2,3] @ [3,2] with a transposed rhs view.
    let y = x.matmul(&x.t());
    assert_eq!(y.to_vec::<f32>(), vec![14.0, 32.0, 32.0, 77.0]);
    let s = x.softmax(1);
    let row: f32 = s.get(0).to_vec::<f32>().iter().sum();
    assert!((row - 1.0).abs() < 1e-6);
    let ls = Tensor::new(&[1e4f32, 0.0, -1e4], &[1, 3]).log_softmax(1).to_vec::<f32>();
    assert_eq!(ls[0], 0.0);
    assert_eq!(ls[2], -2e4);
    let idx = Tensor::new(&[2i64, 0], &[2, 1]);
    assert_eq!(x.gather(1, &idx).to_vec::<f32>(), vec![3.0, 4.0]);
    let cat = Tensor::cat(&[&x, &x], 0);
    assert_eq!(cat.shape(), &[4, 3]);
    let st = Tensor::stack(&[&b, &b], 1);
    assert_eq!(st.to_vec::<f32>(), vec![10.0, 10.0, 20.0, 20.0, 30.0, 30.0]);
    let a = Tensor::arange(0.0, 1.0, 0.01, DType::F32, &Device::Cpu);
    assert_eq!(a.numel(), 100);
}

#[test]
#[should_panic(expected = "matmul: lhs [800, 2] and rhs [3, 10]: inner dimensions 2 and 3 differ")]
fn matmul_shape_error_names_both_shapes() {
    let a = Tensor::zeros(&[800, 2], DType::F32, &Device::Cpu);
    let b = Tensor::zeros(&[3, 10], DType::F32, &Device::Cpu);
    a.matmul(&b);
}
