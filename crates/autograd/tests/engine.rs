//! The engine and the `Var` API: a tiny MLP against hand-derived gradients, accumulation, `zero_grad`, `no_grad`,
//! `detach`, `keep_graph`, the error cases, anomaly mode, a 100,000-op chain, and the graph printers.

use autograd::{detect_anomaly, no_grad, AutogradError, NoGradGuard, Var};
use tensor::{DType, Device, Tensor};

fn t64(data: &[f64], shape: &[usize]) -> Tensor {
    Tensor::new(data, shape)
}

fn grad_vec(v: &Var) -> Vec<f64> {
    v.grad().expect("a gradient").to_f64_vec()
}

/// A 2-2-1 MLP, `loss = Σ (relu(x W1 + b1) W2 + b2)`, with every gradient worked out by hand.
#[test]
fn tiny_mlp_matches_hand_derived_gradients() {
    let x = Var::constant(t64(&[1.0, 2.0], &[1, 2]));
    let w1 = Var::leaf(t64(&[1.0, -1.0, 0.5, 1.0], &[2, 2]));
    let b1 = Var::leaf(t64(&[0.0, 0.0], &[2]));
    let w2 = Var::leaf(t64(&[2.0, 3.0], &[2, 1]));
    let b2 = Var::leaf(t64(&[0.5], &[1]));
    // h = x W1 + b1 = [1 + 1, -1 + 2] = [2, 1]; relu(h) = [2, 1]; y = 2·2 + 1·3 + 0.5 = 7.5
    let h = x.matmul(&w1) + &b1;
    let y = h.relu().matmul(&w2) + &b2;
    let loss = y.sum();
    assert_eq!(loss.tensor().item(), 7.5);
    loss.backward();
    // dL/db2 = 1; dL/dW2 = relu(h)ᵀ = [2, 1]ᵀ
    assert_eq!(grad_vec(&b2), vec![1.0]);
    assert_eq!(grad_vec(&w2), vec![2.0, 1.0]);
    // dL/drelu = W2ᵀ = [2, 3]; both units active, so dL/dh = [2, 3] = dL/db1; dL/dW1 = xᵀ [2, 3]
    assert_eq!(grad_vec(&b1), vec![2.0, 3.0]);
    assert_eq!(grad_vec(&w1), vec![2.0, 3.0, 4.0, 6.0]);
    assert!(x.grad().is_none());
}

#[test]
fn leaf_gradients_accumulate_until_zeroed() {
    let x = Var::leaf(t64(&[3.0], &[1]));
    // d/dx x² = 2x = 6, twice: 12
    for _ in 0..2 {
        x.sqr().sum().backward();
    }
    assert_eq!(grad_vec(&x), vec![12.0]);
    x.zero_grad();
    assert!(x.grad().is_none());
    x.sqr().sum().backward();
    assert_eq!(grad_vec(&x), vec![6.0]);
}

#[test]
fn a_variable_used_twice_gets_both_gradients() {
    // y = x·x + x: dy/dx = 2x + 1 = 5 at x = 2
    let x = Var::leaf(t64(&[2.0], &[]));
    (&x * &x + &x).backward();
    assert_eq!(grad_vec(&x), vec![5.0]);
}

#[test]
fn non_leaf_gradients_are_not_kept() {
    let x = Var::leaf(t64(&[1.0, 2.0], &[2]));
    let y = x.exp();
    y.sum().backward();
    assert!(!y.is_leaf());
    assert!(y.grad().is_none());
    assert!(x.grad().is_some());
}

#[test]
fn no_grad_records_nothing() {
    let w = Var::leaf(t64(&[1.0, 2.0], &[2]));
    let y = no_grad(|| (&w * 3.0).exp().sum());
    assert!(!y.requires_grad());
    assert!(y.is_leaf());
    assert_eq!(y.op_name(), "constant");
    assert!(y.graph_text().lines().count() == 1, "a constant has no inputs:\n{}", y.graph_text());
    assert!(matches!(y.try_backward(), Err(AutogradError::NoGradRequired { .. })));
    // The guard restores recording.
    {
        let _g = NoGradGuard::new();
        assert!(!w.exp().requires_grad());
    }
    assert!(w.exp().requires_grad());
}

#[test]
fn ops_on_constants_record_nothing() {
    let a = Var::constant(t64(&[1.0], &[1]));
    let y = a.exp() + &a;
    assert!(!y.requires_grad());
    assert_eq!(y.op_name(), "constant");
}

#[test]
fn detach_stops_the_gradient() {
    // y = x · detach(x): dy/dx = detach(x) = 3, not 2x = 6
    let x = Var::leaf(t64(&[3.0], &[]));
    let y = &x * &x.detach();
    y.backward();
    assert_eq!(grad_vec(&x), vec![3.0]);
    assert!(!x.detach().requires_grad());
    assert!(x.detach().tensor().same_storage(&x.tensor()));
}

#[test]
fn keep_graph_allows_a_second_backward_and_freeing_is_reported() {
    let x = Var::leaf(t64(&[2.0], &[]));
    let y = x.exp().log(); // y = x, dy/dx = 1
    y.backward_with(None, true).unwrap();
    y.backward_with(None, false).unwrap();
    assert_eq!(grad_vec(&x), vec![2.0]);
    let err = y.try_backward().unwrap_err();
    assert!(matches!(err, AutogradError::GraphFreed { .. }), "{err:?}");
    assert!(err.to_string().contains("keep_graph = true"), "{err}");
}

#[test]
fn backward_on_a_non_scalar_needs_a_gradient() {
    let x = Var::leaf(t64(&[1.0, 2.0], &[2]));
    let y = x.mul_scalar(3.0);
    let err = y.try_backward().unwrap_err();
    assert_eq!(err, AutogradError::NonScalar { shape: vec![2] });
    assert!(err.to_string().contains("backward_with(Some(&grad)"), "{err}");
    // With an upstream gradient g: dx = 3g
    y.backward_with(Some(&t64(&[1.0, -1.0], &[2])), false).unwrap();
    assert_eq!(grad_vec(&x), vec![3.0, -3.0]);
}

#[test]
fn backward_with_a_gradient_of_the_wrong_shape_or_dtype_fails() {
    let x = Var::leaf(t64(&[1.0, 2.0], &[2]));
    let y = x.exp();
    let wrong_shape = y.backward_with(Some(&t64(&[1.0, 2.0, 3.0], &[3])), true).unwrap_err();
    assert!(matches!(wrong_shape, AutogradError::GradMismatch { .. }), "{wrong_shape}");
    let f32_grad = Tensor::ones(&[2], DType::F32, &Device::Cpu);
    let wrong_dtype = y.backward_with(Some(&f32_grad), true).unwrap_err();
    assert!(wrong_dtype.to_string().contains("dtype float32 instead of float64"), "{wrong_dtype}");
}

#[test]
fn backward_on_a_constant_says_why() {
    let c = Var::constant(t64(&[1.0], &[]));
    let err = c.try_backward().unwrap_err();
    assert!(err.to_string().contains("requires no gradient"), "{err}");
}

#[test]
fn a_scalar_leaf_gets_gradient_one() {
    let x = Var::leaf(t64(&[5.0], &[]));
    x.backward();
    assert_eq!(grad_vec(&x), vec![1.0]);
}

#[test]
fn set_data_replaces_the_value_but_not_what_was_saved() {
    let x = Var::leaf(t64(&[2.0], &[1]));
    let y = x.sqr().sum();
    x.set_data(t64(&[10.0], &[1]));
    assert_eq!(x.tensor().to_f64_vec(), vec![10.0]);
    y.backward();
    assert_eq!(grad_vec(&x), vec![4.0], "the gradient at the value the forward saw, 2x = 4");
}

#[test]
#[should_panic(expected = "Var::set_data: the variable is [1] float64 but the new tensor is [2] float64")]
fn set_data_rejects_a_new_shape() {
    Var::leaf(t64(&[2.0], &[1])).set_data(t64(&[1.0, 2.0], &[2]));
}

#[test]
#[should_panic(expected = "a int64 tensor [1] cannot require a gradient")]
fn integer_leaves_are_rejected() {
    Var::leaf(Tensor::new(&[1i64], &[1]));
}

#[test]
#[should_panic(expected = "matmul: lhs [3, 2] and rhs [3, 1]: inner dimensions 2 and 3 differ")]
fn shape_errors_name_the_op_and_both_shapes() {
    let a = Var::leaf(Tensor::zeros(&[3, 2], DType::F32, &Device::Cpu));
    let b = Var::leaf(Tensor::zeros(&[3, 1], DType::F32, &Device::Cpu));
    let _ = a.matmul(&b);
}

#[test]
#[should_panic(expected = "anomaly: log (node #")]
fn anomaly_mode_names_the_forward_op() {
    let x = Var::leaf(t64(&[1.0, -1.0], &[2]));
    detect_anomaly(|| {
        let y = x.exp(); // fine
        y.neg().log() // ln of a negative number: NaN
    });
}

#[test]
fn anomaly_mode_names_the_backward_op() {
    // sqrt(0) = 0 is finite, but its derivative 1/(2√0) is infinite.
    let x = Var::leaf(t64(&[0.0, 4.0], &[2]));
    let err = detect_anomaly(|| {
        let y = x.sqrt();
        let id = y.id();
        (id, y.sum().try_backward().unwrap_err())
    });
    let (id, err) = err;
    assert_eq!(err, AutogradError::Anomaly { id, op: "sqrt", input: 0 });
    assert!(err.to_string().contains(&format!("sqrt (node #{id})")), "{err}");
    // Outside anomaly mode the same backward runs and gives ∞.
    x.zero_grad();
    x.sqrt().sum().backward();
    assert!(grad_vec(&x)[0].is_infinite());
}

/// 100,000 ops in a chain: the backward walk and the drop are both iterative (no stack overflow).
#[test]
fn a_chain_of_100k_ops_backpropagates_and_drops() {
    let x = Var::leaf(t64(&[1.0], &[1]));
    let mut y = x.clone();
    for _ in 0..100_000 {
        y = y.affine(1.0, 0.0); // d/dx = 1 per step
    }
    y.sum().backward_with(None, true).unwrap();
    assert_eq!(grad_vec(&x), vec![1.0]);
    drop(y); // the graph is still kept (keep_graph): dropping it must not recurse
             // And a chain dropped without any backward.
    let mut z = x.clone();
    for _ in 0..100_000 {
        z = z.mul_scalar(1.0);
    }
    drop(z);
}

#[test]
fn graph_text_lists_nodes_in_creation_order_with_shapes() {
    let x = Var::constant(Tensor::zeros(&[4, 2], DType::F32, &Device::Cpu));
    let w = Var::leaf(Tensor::zeros(&[2, 3], DType::F32, &Device::Cpu));
    let b = Var::leaf(Tensor::zeros(&[3], DType::F32, &Device::Cpu));
    let y = (x.matmul(&w) + &b).relu();
    let text = y.graph_text();
    let ops: Vec<&str> = text.lines().map(|l| l.split(' ').nth(1).unwrap()).collect();
    // b is broadcast to [4, 3] by an explicit expand node.
    assert_eq!(ops, vec!["constant", "leaf", "leaf", "matmul", "expand", "add", "relu"], "{text}");
    // Ids are global (other tests create nodes concurrently), so look them up in the text rather than assume
    // they are consecutive.
    let id_of = |op: &str| -> usize {
        let line = text.lines().find(|l| l.split(' ').nth(1) == Some(op)).unwrap();
        line[1..line.find(' ').unwrap()].parse().unwrap()
    };
    assert!(
        text.contains(&format!("#{} expand [4, 3] float32 requires_grad <- #{}", id_of("expand"), b.id())),
        "{text}"
    );
    let dot = y.graph_dot();
    assert!(dot.starts_with("digraph"));
    assert!(dot.contains(&format!("n{} -> n{}", w.id(), id_of("matmul"))), "{dot}");
    // After backward the links are freed, and the text says so.
    y.sum().backward();
    assert!(y.graph_text().contains("(freed by backward)"));
}

#[test]
fn var_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Var>();
    let x = Var::leaf(t64(&[1.0], &[1]));
    let y = std::thread::spawn(move || x.exp()).join().unwrap();
    assert!(y.requires_grad());
}

/// A shape error inside a `Var` op is reported at the caller's line, not inside the library.
#[test]
fn shape_errors_point_at_the_callers_line() {
    // A panic hook that records where each thread last panicked, then does what the default hook does.
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let at = info.location().map(|l| format!("{}:{}", l.file(), l.line()));
            LAST_PANIC.with(|p| *p.borrow_mut() = at);
            default(info);
        }));
    });
    let a = Var::leaf(t64(&[1.0, 2.0], &[2]));
    let b = Var::leaf(t64(&[1.0, 2.0, 3.0], &[3]));
    let line = line!() + 1;
    let caught = std::panic::catch_unwind(|| &a + &b);
    assert!(caught.is_err());
    let location = LAST_PANIC.with(|l| l.borrow().clone());
    assert_eq!(location, Some(format!("{}:{line}", file!())));
}

thread_local! {
    static LAST_PANIC: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}
