//! Issue 12's reliability catalogue for `autograd`: misuse of `Var` and of the backward pass, each with the outcome
//! it must have. The machinery is the harness the four catalogues share (`tests/support/catalogue.rs`): each case
//! runs in a child process (this test binary re-invoked with `AUTOGRAD_CATALOGUE_CASE=<name>`, under a 2 GiB
//! address-space limit and a timeout) and is put in a class — success, clear error, clear panic at the caller
//! (located in this file, with the key words), unclear error or panic, crash/abort/hang, silent wrong answer. With
//! `TAPEGRAD_CATALOGUE_REPORT=1` it prints the per-class counts instead of asserting.

#[path = "../../../tests/support/catalogue.rs"]
mod catalogue;

use autograd::Var;
use catalogue::{case, Case, Catalogue, Class, Outcome};
use tensor::{DType, Device, Tensor};

const CATALOGUE: Catalogue = Catalogue { name: "autograd", cases: CASES, name_width: 44 };
catalogue::catalogue_tests!(CATALOGUE);

// --- helpers for the cases --------------------------------------------------------------------------------------

/// `[[1, 2, 3], [4, 5, 6]]` as an f32 leaf.
fn leaf23() -> Var {
    Var::leaf(Tensor::new(&[1f32, 2., 3., 4., 5., 6.], &[2, 3]))
}

fn int_constant() -> Var {
    Var::constant(Tensor::new(&[1i64, 2], &[2]))
}

/// A refused call returned: the value it made.
fn accepted(v: Var) -> Outcome {
    Outcome::Wrong(format!("accepted, made {:?}", v.tensor()))
}

fn err_of(r: Result<(), autograd::AutogradError>) -> Outcome {
    match r {
        Ok(()) => Outcome::Wrong("succeeded".into()),
        Err(e) => Outcome::Error(e.to_string()),
    }
}

/// Ok when the gradient of `x` is `want`.
fn grad_is(x: &Var, want: &[f64]) -> Outcome {
    match x.grad() {
        None => Outcome::Wrong("no gradient".into()),
        Some(g) if g.to_f64_vec() == want => Outcome::Ok,
        Some(g) => Outcome::Wrong(format!("gradient {:?}, want {want:?}", g.to_f64_vec())),
    }
}

// --- the cases ---------------------------------------------------------------------------------------------------

use Class::*;

const CASES: &[Case] = &[
    // Views whose arithmetic wraps, through the tape.
    case("narrow_end_overflows", CallerPanic, &["narrow", "out of bounds"], || {
        accepted(leaf23().narrow(1, usize::MAX - 1, 3))
    }),
    case("narrow_axis_usize_max", CallerPanic, &["narrow", "axis"], || accepted(leaf23().narrow(usize::MAX, 0, 1))),
    case("transpose_axis_usize_max", CallerPanic, &["transpose", "axis"], || {
        accepted(leaf23().transpose(usize::MAX, 0usize))
    }),
    case("sum_axis_i64_min", CallerPanic, &["sum", "axis"], || accepted(leaf23().sum_dim(i64::MIN))),
    case("expand_wraps", CallerPanic, &["expand", "more elements"], || {
        accepted(Var::leaf(Tensor::ones(&[1, 1], DType::F32, &Device::Cpu)).expand(&[1 << 32, 1 << 32]).sum())
    }),
    case("reshape_to_a_wrapping_shape", CallerPanic, &["reshape", "more elements"], || {
        accepted(leaf23().reshape(&[usize::MAX, 2, 0]))
    }),
    case("gather_i64_min", CallerPanic, &["gather", "out of range"], || {
        accepted(leaf23().gather(1, &Tensor::new(&[i64::MIN, 0], &[2, 1])))
    }),
    case("index_select_past_the_end", CallerPanic, &["index_select", "out of range"], || {
        accepted(leaf23().index_select(0, &Tensor::new(&[2i64], &[1])))
    }),
    // Dtypes.
    case("leaf_of_int64", CallerPanic, &["Var::leaf", "int64", "cannot require a gradient"], || {
        accepted(Var::leaf(Tensor::new(&[1i64], &[1])))
    }),
    case("exp_of_int64", CallerPanic, &["exp", "float", "int64"], || accepted(int_constant().exp())),
    case("sigmoid_of_int64", CallerPanic, &["sigmoid", "float", "int64"], || accepted(int_constant().sigmoid())),
    case("log_softmax_of_int64", CallerPanic, &["log_softmax", "int64"], || accepted(int_constant().log_softmax(0))),
    case("int64_division_by_zero", CallerPanic, &["div", "division by zero"], || {
        accepted(int_constant().div(&Var::constant(Tensor::new(&[0i64, 1], &[2]))))
    }),
    // Shapes.
    case("matmul_inner_mismatch", CallerPanic, &["matmul", "inner dimensions"], || {
        accepted(leaf23().matmul(&leaf23()))
    }),
    case("add_shapes_that_do_not_broadcast", CallerPanic, &["add", "broadcast"], || {
        accepted(leaf23().add(&Var::leaf(Tensor::new(&[1f32, 2.], &[2]))))
    }),
    case("linear_in_features_mismatch", CallerPanic, &["linear", "in_features"], || {
        accepted(leaf23().linear(&Var::leaf(Tensor::ones(&[4, 2], DType::F32, &Device::Cpu)), None))
    }),
    case("cat_of_nothing", CallerPanic, &["cat", "at least one"], || accepted(Var::cat(&[], 0))),
    case("stack_of_two_shapes", CallerPanic, &["stack", "differ"], || {
        accepted(Var::stack(&[&leaf23(), &leaf23().t()], 0))
    }),
    case("max_of_an_empty_dimension", CallerPanic, &["max", "empty"], || {
        accepted(Var::leaf(Tensor::zeros(&[0, 3], DType::F32, &Device::Cpu)).max_dim(0))
    }),
    // The backward pass.
    case("backward_of_a_non_scalar", ClearError, &["scalar", "shape [2, 3]"], || {
        err_of(leaf23().relu().try_backward())
    }),
    case("backward_twice", ClearError, &["freed", "keep_graph"], || {
        let y = leaf23().exp().sum();
        y.backward();
        err_of(y.try_backward())
    }),
    case("backward_with_a_gradient_of_another_shape", ClearError, &["does not match", "[3]"], || {
        err_of(leaf23().relu().backward_with(Some(&Tensor::ones(&[3], DType::F32, &Device::Cpu)), false))
    }),
    case("backward_of_a_constant", ClearError, &["requires no gradient"], || {
        err_of(Var::constant(Tensor::ones(&[1], DType::F32, &Device::Cpu)).sum().try_backward())
    }),
    case("anomaly_in_a_backward_rule", ClearError, &["anomaly", "non-finite"], || {
        let x = Var::leaf(Tensor::new(&[0f32], &[1]));
        autograd::detect_anomaly(|| err_of(x.sqrt().sum().try_backward()))
    }),
    case("gradient_through_a_narrowed_view", Success, &[], || {
        let x = leaf23();
        x.narrow(1, 1, 2).sum().backward();
        grad_is(&x, &[0., 1., 1., 0., 1., 1.])
    }),
    case("gradient_through_an_expand", Success, &[], || {
        let x = Var::leaf(Tensor::new(&[1f32, 2.], &[2, 1]));
        x.expand(&[2, 3]).sum().backward();
        grad_is(&x, &[3., 3.])
    }),
    case("gradient_through_gather", Success, &[], || {
        let x = leaf23();
        x.gather(1, &Tensor::new(&[2i64, 2], &[2, 1])).sum().backward();
        grad_is(&x, &[0., 0., 1., 0., 0., 1.])
    }),
    case("mean_of_nothing_backward", Success, &[], || {
        let x = Var::leaf(Tensor::zeros(&[0], DType::F32, &Device::Cpu));
        let m = x.mean();
        if !m.tensor().item().is_nan() {
            return Outcome::Wrong(format!("mean {}", m.tensor().item()));
        }
        m.backward();
        grad_is(&x, &[])
    }),
];
