//! One test per class of bad input: the panic message names the op and the shapes (STYLE.md, "Errors").

use tensor::{DType, Device, Tensor};

fn ones(shape: &[usize]) -> Tensor {
    Tensor::ones(shape, DType::F32, &Device::Cpu)
}

#[test]
#[should_panic(expected = "add: lhs [800, 2] and rhs [3] cannot be broadcast together")]
fn binary_shape_mismatch() {
    ones(&[800, 2]).add(&ones(&[3]));
}

#[test]
#[should_panic(expected = "matmul: lhs [800, 2] and rhs [3, 10]: inner dimensions 2 and 3 differ")]
fn matmul_inner_dimensions() {
    ones(&[800, 2]).matmul(&ones(&[3, 10]));
}

#[test]
#[should_panic(expected = "matmul: lhs [4, 2, 3] and rhs [5, 3, 1]: batch sizes 4 and 5 differ")]
fn matmul_batch_sizes() {
    ones(&[4, 2, 3]).matmul(&ones(&[5, 3, 1]));
}

#[test]
#[should_panic(expected = "linear: x [800, 3] and weight [10, 2]: in_features 3 and 2 differ")]
fn linear_in_features() {
    ones(&[800, 3]).linear(&ones(&[10, 2]), None);
}

#[test]
#[should_panic(expected = "linear: weight [10, 2] and bias [5]: the bias must be [10]")]
fn linear_bias_shape() {
    ones(&[800, 2]).linear(&ones(&[10, 2]), Some(&ones(&[5])));
}

#[test]
#[should_panic(expected = "linear_relu: weight [10, 2] and bias [5]: the bias must be [10]")]
fn linear_relu_bias_shape() {
    ones(&[800, 2]).linear_relu(&ones(&[10, 2]), Some(&ones(&[5])));
}

#[test]
#[should_panic(expected = "gather: index 3 out of range for dimension of size 3 (input [2, 3], index [2, 1])")]
fn gather_index_out_of_range() {
    ones(&[2, 3]).gather(1usize, &Tensor::new(&[0i64, 3], &[2, 1]));
}

#[test]
#[should_panic(expected = "scatter_add: index 3 out of range for dimension of size 3 (input [2, 3], index [2, 1])")]
fn scatter_add_index_out_of_range() {
    ones(&[2, 3]).scatter_add(1usize, &Tensor::new(&[0i64, 3], &[2, 1]), &ones(&[2, 1]));
}

#[test]
#[should_panic(expected = "scatter_add: index [2, 1] and src [2, 2] must have the same shape")]
fn scatter_add_src_shape() {
    ones(&[2, 3]).scatter_add(1usize, &Tensor::new(&[0i64, 1], &[2, 1]), &ones(&[2, 2]));
}

#[test]
#[should_panic(expected = "index_select: index -1 out of range for dimension of size 2 (input [2, 3], index [1])")]
fn index_select_negative_index() {
    ones(&[2, 3]).index_select(0usize, &Tensor::new(&[-1i64], &[1]));
}

#[test]
#[should_panic(expected = "reshape: cannot reshape [2, 3] (6 elements) to [4] (4 elements)")]
fn reshape_count() {
    ones(&[2, 3]).reshape(&[4]);
}

#[test]
#[should_panic(expected = "sum: axis 2 out of range for a tensor of rank 2")]
fn axis_out_of_range() {
    ones(&[2, 3]).sum_dim(2usize);
}

#[test]
#[should_panic(expected = "softmax: axis -3 out of range for a tensor of rank 2")]
fn negative_axis_out_of_range() {
    ones(&[2, 3]).softmax(-3isize);
}

#[test]
#[should_panic(expected = "add: lhs [2] has dtype float32 but rhs [2] has dtype float64")]
fn dtype_mismatch() {
    ones(&[2]).add(&Tensor::ones(&[2], DType::F64, &Device::Cpu));
}

#[test]
#[should_panic(expected = "exp: defined for float tensors only; got int64 (shape [3])")]
fn unary_op_not_defined_for_int() {
    Tensor::new(&[1i64, 2, 3], &[3]).exp();
}

#[test]
#[should_panic(expected = "max: cannot reduce the empty dimension 1 of shape [2, 0]")]
fn max_of_an_empty_dimension() {
    ones(&[2, 0]).max_dim(1usize);
}

#[test]
#[should_panic(expected = "cat: tensors [2, 3] and [2, 4] differ outside dimension 0")]
fn cat_shape_mismatch() {
    Tensor::cat(&[&ones(&[2, 3]), &ones(&[2, 4])], 0usize);
}
