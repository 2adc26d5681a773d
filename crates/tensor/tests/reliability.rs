//! Issue 12's reliability catalogue for `tensor`: misuse and extreme values at the tensor API, each with the
//! outcome it must have.
//!
//! [`catalogue`] runs every [`CASES`] entry through the harness the four catalogues share
//! (`tests/support/catalogue.rs`): each in a child process (this test binary re-invoked with
//! `TENSOR_CATALOGUE_CASE=<name>`, under a 2 GiB address-space limit and a timeout; the GPU cases without the
//! limit, which the Vulkan driver's address space exceeds), so that a case that aborts, hangs or is killed is
//! observed rather than taking the suite down. Each outcome is put in a class — success, clear error, clear panic
//! at the caller, unclear error or panic, crash/abort/hang, silent wrong answer — and compared with the class the
//! case must have, and its message with the case's key words. A panic is clear when it is located in this file
//! (every public function on the way is `#[track_caller]`) and has the key words. With
//! `TAPEGRAD_CATALOGUE_REPORT=1` it prints the per-class counts instead of asserting.
//!
//! Cases that would need a lot of memory must be refused before anything is allocated, so every case is cheap.

#[path = "../../../tests/support/catalogue.rs"]
mod catalogue;

use catalogue::{case, gpu_case, Case, Catalogue, Class, Env, Outcome};
use tensor::{Backend, DType, Device, HostBuffer, Layout, Tensor};

const CATALOGUE: Catalogue = Catalogue { name: "tensor", cases: CASES, name_width: 44 };
catalogue::catalogue_tests!(CATALOGUE);

// --- helpers for the cases --------------------------------------------------------------------------------------

fn cpu() -> Device {
    Device::Cpu
}

/// `[[1, 2, 3], [4, 5, 6]]` as f32.
fn m23() -> Tensor {
    Tensor::from_slice(&[1f32, 2., 3., 4., 5., 6.], &[2, 3], &cpu())
}

/// A refused call returned: the value it made.
fn accepted(t: Tensor) -> Outcome {
    Outcome::Wrong(format!("accepted, made {t:?}"))
}

/// Ok when `got` equals `want`, else the wrong answer.
fn expect_values(got: Vec<f64>, want: &[f64]) -> Outcome {
    let same = got.len() == want.len() && got.iter().zip(want).all(|(a, b)| a == b || (a.is_nan() && b.is_nan()));
    if same {
        Outcome::Ok
    } else {
        Outcome::Wrong(format!("got {got:?}, want {want:?}"))
    }
}

fn err_of<T: std::fmt::Debug>(r: tensor::Result<T>) -> Outcome {
    match r {
        Ok(v) => Outcome::Wrong(format!("succeeded: {v:?}")),
        Err(e) => Outcome::Error(e.to_string()),
    }
}

/// The GPU, or a skip.
fn gpu() -> Result<Device, Outcome> {
    Device::gpu().map_err(|e| Outcome::Skipped(format!("no GPU adapter: {e}")))
}

/// A stride-0 view of one element with `shape` (no memory behind it but that element).
fn broadcast_one(shape: &[usize]) -> Tensor {
    Tensor::ones(&[1], DType::F32, &cpu()).expand(shape)
}

/// Runs `x.exp()` on a tensor large enough to use the thread pool; Ok when the pool has `want` threads.
fn pool_has(want: fn(usize) -> bool) -> Outcome {
    let x = Tensor::ones(&[1 << 18], DType::F32, &cpu());
    let s = x.exp().sum().item();
    let n = tensor::cpu::parallel::num_threads();
    if (s - (1 << 18) as f64 * std::f64::consts::E).abs() > 1.0 {
        return Outcome::Wrong(format!("sum {s}"));
    }
    if want(n) {
        Outcome::Ok
    } else {
        Outcome::Wrong(format!("the pool has {n} threads"))
    }
}

fn available() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

// --- the cases ---------------------------------------------------------------------------------------------------

use Class::*;

const CASES: &[Case] = &[
    // Issue point 1: views whose arithmetic wraps.
    case("narrow_end_overflows_then_matmul", CallerPanic, &["narrow", "out of bounds"], || {
        let y = m23().narrow(1, usize::MAX - 1, 3).matmul(&Tensor::ones(&[3, 2], DType::F32, &cpu()));
        Outcome::Wrong(format!("accepted, computed {:?}", y.to_f64_vec()))
    }),
    case("narrow_start_usize_max", CallerPanic, &["narrow", "out of bounds"], || {
        accepted(m23().narrow(0, usize::MAX, 2))
    }),
    case("narrow_start_usize_max_len_0", CallerPanic, &["narrow", "out of bounds"], || {
        accepted(m23().narrow(0, usize::MAX, 0))
    }),
    case("narrow_start_1_shl_32", CallerPanic, &["narrow", "out of bounds"], || accepted(m23().narrow(1, 1 << 32, 1))),
    case("narrow_axis_usize_max", CallerPanic, &["narrow", "axis"], || accepted(m23().narrow(usize::MAX, 0, 1))),
    case("narrow_to_empty_at_the_end", Success, &[], || {
        let t = m23().narrow(1, 3, 0);
        if t.shape() == [2, 0] && t.sum().item() == 0.0 {
            Outcome::Ok
        } else {
            Outcome::Wrong(format!("{t:?}"))
        }
    }),
    case("get_wrapped_index", CallerPanic, &["get", "out of range"], || {
        let i = 0usize;
        accepted(m23().get(i.wrapping_sub(1)))
    }),
    case("get_past_the_end", CallerPanic, &["get", "out of range"], || accepted(m23().get(2))),
    case("get_of_a_scalar", CallerPanic, &["get"], || accepted(Tensor::scalar(1.0, DType::F32, &cpu()).get(0))),
    case("get_last_row", Success, &[], || expect_values(m23().get(1).to_f64_vec(), &[4., 5., 6.])),
    case("slice_past_the_end", CallerPanic, &["slice", "out of bounds"], || accepted(m23().slice(1..usize::MAX))),
    case("slice_decreasing", CallerPanic, &["slice", "decreasing"], || {
        let (a, b) = (2, 1);
        accepted(m23().slice(a..b))
    }),
    case("transpose_axis_usize_max", CallerPanic, &["transpose", "axis"], || {
        accepted(m23().transpose(usize::MAX, 0usize))
    }),
    case("sum_axis_i64_min", CallerPanic, &["sum", "axis"], || accepted(m23().sum_dim(i64::MIN))),
    case("dim_of_axis_isize_min", CallerPanic, &["dim", "axis"], || {
        Outcome::Wrong(format!("{}", m23().dim(isize::MIN)))
    }),
    // As PyTorch's `squeeze(dim)`: a dimension whose size is not 1 is left alone.
    case("squeeze_a_dimension_not_1", Success, &[], || {
        expect_values(m23().squeeze_dim(0usize).to_f64_vec(), &[1., 2., 3., 4., 5., 6.])
    }),
    case("unsqueeze_past_the_rank", CallerPanic, &["unsqueeze", "out of range"], || accepted(m23().unsqueeze(4usize))),
    case("permute_not_a_permutation", CallerPanic, &["permute", "not a permutation"], || {
        accepted(m23().permute(&[0, 0]))
    }),
    case("transposed_narrowed_view_values", Success, &[], || {
        expect_values(m23().t().narrow(0, 1, 2).contiguous().to_f64_vec(), &[2., 5., 3., 6.])
    }),
    case("index_select_i64_min", CallerPanic, &["index_select", "out of range"], || {
        accepted(m23().index_select(1, &Tensor::new(&[i64::MIN], &[1])))
    }),
    case("index_select_1_shl_32", CallerPanic, &["index_select", "out of range"], || {
        accepted(m23().index_select(1, &Tensor::new(&[1i64 << 32], &[1])))
    }),
    case("gather_i64_max", CallerPanic, &["gather", "out of range"], || {
        accepted(m23().gather(1, &Tensor::new(&[i64::MAX, 0], &[2, 1])))
    }),
    case("gather_minus_1", CallerPanic, &["gather", "out of range"], || {
        accepted(m23().gather(1, &Tensor::new(&[-1i64, 0], &[2, 1])))
    }),
    case("scatter_add_out_of_range", CallerPanic, &["scatter_add", "out of range"], || {
        let src = Tensor::ones(&[2, 1], DType::F32, &cpu());
        accepted(m23().scatter_add(1, &Tensor::new(&[3i64, 0], &[2, 1]), &src))
    }),
    case("gather_float_index", CallerPanic, &["gather", "int64"], || accepted(m23().gather(1, &m23()))),
    case("index_select_2d_index", CallerPanic, &["index_select", "1-D"], || {
        accepted(m23().index_select(1, &Tensor::new(&[0i64, 1], &[1, 2])))
    }),
    // Issue point 2: shapes whose products wrap, sizes that cannot exist.
    case("from_vec_empty_shape_wraps", CallerPanic, &["from_vec", "more elements"], || {
        accepted(Tensor::from_vec(Vec::<f32>::new(), &[1 << 32, 1 << 32], &cpu()))
    }),
    case("zeros_shape_wraps", CallerPanic, &["zeros", "more elements"], || {
        accepted(Tensor::zeros(&[1 << 32, 1 << 32], DType::F32, &cpu()))
    }),
    case("zeros_shape_wraps_beside_a_0", CallerPanic, &["zeros", "more elements"], || {
        accepted(Tensor::zeros(&[0, usize::MAX, 2], DType::F32, &cpu()))
    }),
    case("try_zeros_shape_wraps", ClearError, &["too large", "smaller size"], || {
        err_of(Tensor::try_zeros(&[1 << 32, 1 << 32], DType::F32, &cpu()))
    }),
    case("zeros_1_shl_40", CallerPanic, &["zeros", "cannot allocate", "4 TiB"], || {
        accepted(Tensor::zeros(&[1 << 40], DType::F32, &cpu()))
    }),
    case("try_zeros_1_shl_40", ClearError, &["out of memory", "4 TiB"], || {
        err_of(Tensor::try_zeros(&[1 << 40], DType::F32, &cpu()))
    }),
    case("zeros_usize_max_by_4", CallerPanic, &["zeros", "[18446744073709551615, 4]"], || {
        accepted(Tensor::zeros(&[usize::MAX, 4], DType::F32, &cpu()))
    }),
    case("full_over_isize_max_bytes", CallerPanic, &["full", "isize::MAX"], || {
        accepted(Tensor::full(&[usize::MAX / 4], 1.0, DType::F64, &cpu()))
    }),
    case("ones_like_of_a_huge_expand", CallerPanic, &["ones", "isize::MAX"], || {
        accepted(broadcast_one(&[1 << 62]).ones_like())
    }),
    case("arange_to_infinity", CallerPanic, &["arange", "finite"], || {
        accepted(Tensor::arange(0.0, f64::INFINITY, 1.0, DType::F32, &cpu()))
    }),
    case("arange_to_nan", CallerPanic, &["arange", "finite"], || {
        accepted(Tensor::arange(0.0, f64::NAN, 1.0, DType::F32, &cpu()))
    }),
    case("arange_1e30_elements", CallerPanic, &["arange", "more than a usize"], || {
        accepted(Tensor::arange(0.0, 1e30, 1.0, DType::F32, &cpu()))
    }),
    case("arange_1e15_elements", CallerPanic, &["arange", "cannot allocate"], || {
        accepted(Tensor::arange(0.0, 1e15, 1.0, DType::F32, &cpu()))
    }),
    case("arange_step_0", CallerPanic, &["arange", "step"], || {
        accepted(Tensor::arange(0.0, 1.0, 0.0, DType::F32, &cpu()))
    }),
    case("arange_backwards_is_empty", Success, &[], || {
        expect_values(Tensor::arange(3.0, 0.0, 1.0, DType::I64, &cpu()).to_f64_vec(), &[])
    }),
    case("linspace_usize_max_steps", CallerPanic, &["linspace"], || {
        accepted(Tensor::linspace(0.0, 1.0, usize::MAX, DType::F32, &cpu()))
    }),
    case("eye_1_shl_32", CallerPanic, &["eye", "more elements"], || accepted(Tensor::eye(1 << 32, DType::F32, &cpu()))),
    case("from_vec_length_mismatch", CallerPanic, &["from_vec", "5 elements", "[2, 3]"], || {
        accepted(Tensor::from_vec(vec![0f32; 5], &[2, 3], &cpu()))
    }),
    case("expand_wraps_then_sum_all", CallerPanic, &["expand", "more elements"], || {
        accepted(Tensor::ones(&[1, 1], DType::F32, &cpu()).expand(&[1 << 32, 1 << 32]).sum())
    }),
    case("expand_huge_then_contiguous", CallerPanic, &["contiguous", "isize::MAX"], || {
        accepted(broadcast_one(&[1 << 62]).contiguous())
    }),
    case("expand_huge_then_exp", CallerPanic, &["exp", "isize::MAX"], || accepted(broadcast_one(&[1 << 62]).exp())),
    case("broadcast_add_wraps", CallerPanic, &["add", "more elements"], || {
        accepted(broadcast_one(&[1 << 32, 1]).add(&broadcast_one(&[1, 1 << 32])))
    }),
    case("matmul_result_wraps", CallerPanic, &["matmul", "more elements"], || {
        let lhs = Tensor::zeros(&[1 << 32, 0], DType::F32, &cpu());
        let rhs = Tensor::zeros(&[0, 1 << 32], DType::F32, &cpu());
        accepted(lhs.matmul(&rhs))
    }),
    case("matmul_of_empty_inner_is_zeros", Success, &[], || {
        let lhs = Tensor::zeros(&[2, 0], DType::F32, &cpu());
        let rhs = Tensor::zeros(&[0, 2], DType::F32, &cpu());
        expect_values(lhs.matmul(&rhs).to_f64_vec(), &[0.0; 4])
    }),
    case("cat_sizes_overflow", CallerPanic, &["cat", "overflow"], || {
        let half = broadcast_one(&[usize::MAX / 2 + 1]);
        accepted(Tensor::cat(&[&half, &half], 0))
    }),
    case("reshape_to_a_wrapping_shape", CallerPanic, &["reshape", "more elements"], || {
        accepted(Tensor::zeros(&[0], DType::F32, &cpu()).reshape(&[usize::MAX, 2, 0]))
    }),
    case("reshape_count_mismatch", CallerPanic, &["reshape", "[2, 3]", "[4]"], || accepted(m23().reshape(&[4]))),
    case("reshape_infer_two_holes", CallerPanic, &["reshape", "-1"], || accepted(m23().reshape_infer(&[-1, -1]))),
    case("reshape_infer_not_divisible", CallerPanic, &["reshape", "[4, -1]"], || {
        accepted(m23().reshape_infer(&[4, -1]))
    }),
    case("reshape_infer_zero_known", CallerPanic, &["reshape", "[0, -1]"], || accepted(m23().reshape_infer(&[0, -1]))),
    case("reshape_infer_isize_min", CallerPanic, &["reshape"], || accepted(m23().reshape_infer(&[isize::MIN, 6]))),
    case("reshape_infer_huge_known", CallerPanic, &["reshape"], || {
        accepted(m23().reshape_infer(&[isize::MAX, isize::MAX, -1]))
    }),
    case("reshape_infer_ok", Success, &[], || {
        let t = m23().reshape_infer(&[-1, 2]);
        if t.shape() == [3, 2] {
            expect_values(t.to_f64_vec(), &[1., 2., 3., 4., 5., 6.])
        } else {
            Outcome::Wrong(format!("{t:?}"))
        }
    }),
    case("layout_from_parts_wraps", CallerPanic, &["from_parts"], || {
        let l = Layout::from_parts(vec![3], vec![usize::MAX / 2], usize::MAX / 2);
        Outcome::Wrong(format!("accepted {l:?}"))
    }),
    case("layout_contiguous_wraps", CallerPanic, &["more elements"], || {
        Outcome::Wrong(format!("accepted {:?}", Layout::contiguous(&[1 << 32, 1 << 32])))
    }),
    case("backend_view_outside_its_storage", CallerPanic, &["neg", "outside its storage"], || {
        // A layout that fits a usize but not this 2-element buffer, given to the backend directly.
        let x = HostBuffer::F32(vec![1.0, 2.0]);
        let l = Layout::from_parts(vec![3], vec![1], 0);
        let out = tensor::cpu::CpuBackend.unary(tensor::UnaryOp::Neg, &x, &l);
        Outcome::Wrong(format!("read {out:?}"))
    }),
    case("backend_matmul_offset_past_the_end", CallerPanic, &["matmul", "outside"], || {
        let x = HostBuffer::F32(vec![1.0; 6]);
        let l = Layout::from_parts(vec![1, 2, 3], vec![0, 3, 1], usize::MAX - 8);
        let r = Layout::contiguous(&[1, 3, 2]);
        let out = tensor::cpu::CpuBackend.matmul(&x, &l, &x, &r);
        Outcome::Wrong(format!("read {out:?}"))
    }),
    // Issue point 6: dtypes, integer division, panics at the caller.
    case("exp_of_int64", CallerPanic, &["exp", "float", "int64"], || accepted(Tensor::new(&[1i64, 2], &[2]).exp())),
    case("log_of_int64", CallerPanic, &["log", "float", "int64"], || accepted(Tensor::new(&[1i64, 2], &[2]).log())),
    case("sigmoid_of_int64", CallerPanic, &["sigmoid", "float", "int64"], || {
        accepted(Tensor::new(&[1i64, 2], &[2]).sigmoid())
    }),
    case("tanh_of_int64", CallerPanic, &["tanh", "float", "int64"], || accepted(Tensor::new(&[1i64, 2], &[2]).tanh())),
    case("sqrt_of_int64", CallerPanic, &["sqrt", "float", "int64"], || accepted(Tensor::new(&[1i64, 2], &[2]).sqrt())),
    case("softmax_of_int64", CallerPanic, &["softmax", "int64"], || accepted(Tensor::new(&[1i64, 2], &[2]).softmax(0))),
    case("log_softmax_of_int64", CallerPanic, &["log_softmax", "int64"], || {
        accepted(Tensor::new(&[1i64, 2], &[2]).log_softmax(0))
    }),
    case("matmul_of_int64", CallerPanic, &["matmul", "int64"], || {
        let t = Tensor::new(&[1i64, 2, 3, 4], &[2, 2]);
        accepted(t.matmul(&t))
    }),
    case("pow_of_int64", CallerPanic, &["pow", "int64"], || {
        let t = Tensor::new(&[1i64, 2], &[2]);
        accepted(t.pow(&t))
    }),
    case("int64_division_by_zero", CallerPanic, &["div", "division by zero"], || {
        accepted(Tensor::new(&[1i64, 2], &[2]).div(&Tensor::new(&[1i64, 0], &[2])))
    }),
    case("int64_div_scalar_zero", CallerPanic, &["div", "division by zero"], || {
        accepted(Tensor::new(&[1i64, 2], &[2]).div_scalar(0.0))
    }),
    case("int64_min_divided_by_minus_1_wraps", Success, &[], || {
        let q = Tensor::new(&[i64::MIN], &[1]).div(&Tensor::new(&[-1i64], &[1]));
        if q.to_vec::<i64>() == [i64::MIN] {
            Outcome::Ok
        } else {
            Outcome::Wrong(format!("{:?}", q.to_vec::<i64>()))
        }
    }),
    case("int64_add_wraps", Success, &[], || {
        let s = Tensor::new(&[i64::MAX], &[1]).add(&Tensor::new(&[1i64], &[1]));
        if s.to_vec::<i64>() == [i64::MIN] {
            Outcome::Ok
        } else {
            Outcome::Wrong(format!("{:?}", s.to_vec::<i64>()))
        }
    }),
    case("int64_clamp_with_crossing_bounds", Success, &[], || {
        // ceil(0.2) = 1 > floor(0.8) = 0: min(max(x, 1), 0) = 0, as torch's clamp.
        let c = Tensor::new(&[-3i64, 0, 5], &[3]).clamp(0.2, 0.8);
        if c.to_vec::<i64>() == [0, 0, 0] {
            Outcome::Ok
        } else {
            Outcome::Wrong(format!("{:?}", c.to_vec::<i64>()))
        }
    }),
    case("clamp_with_a_nan_bound", CallerPanic, &["clamp", "nan"], || accepted(m23().clamp(f64::NAN, 1.0))),
    case("float_division_by_zero_is_inf", Success, &[], || {
        expect_values(
            Tensor::new(&[1f32, -1., 0.], &[3]).div_scalar(0.0).to_f64_vec(),
            &[f64::INFINITY, f64::NEG_INFINITY, f64::NAN],
        )
    }),
    case("max_of_an_empty_dimension", CallerPanic, &["max", "empty"], || {
        accepted(Tensor::zeros(&[0, 3], DType::F32, &cpu()).max_dim(0))
    }),
    case("argmax_of_nothing", CallerPanic, &["argmax", "empty"], || {
        accepted(Tensor::zeros(&[0], DType::F32, &cpu()).argmax(0))
    }),
    case("sum_of_nothing_is_0", Success, &[], || {
        expect_values(Tensor::zeros(&[0, 3], DType::F32, &cpu()).sum_dim(0).to_f64_vec(), &[0.0; 3])
    }),
    case("mean_of_nothing_is_nan", Success, &[], || {
        expect_values(vec![Tensor::zeros(&[0], DType::F32, &cpu()).mean().item()], &[f64::NAN])
    }),
    case("to_scalar_of_two", CallerPanic, &["to_scalar", "2 elements"], || {
        Outcome::Wrong(format!("{}", Tensor::new(&[1f32, 2.], &[2]).to_scalar::<f32>()))
    }),
    case("item_of_nothing", CallerPanic, &["item", "0 elements"], || {
        Outcome::Wrong(format!("{}", Tensor::zeros(&[0], DType::F32, &cpu()).item()))
    }),
    case("to_vec_as_another_dtype", CallerPanic, &["to_vec", "float32"], || {
        Outcome::Wrong(format!("{:?}", m23().to_vec::<f64>()))
    }),
    case("matmul_inner_mismatch", CallerPanic, &["matmul", "[2, 3]", "[2, 3]", "inner dimensions"], || {
        accepted(m23().matmul(&m23()))
    }),
    case("matmul_of_1d", CallerPanic, &["matmul", "2-D"], || {
        let v = Tensor::new(&[1f32, 2.], &[2]);
        accepted(v.matmul(&v))
    }),
    case("add_shapes_that_do_not_broadcast", CallerPanic, &["add", "[2, 3]", "[2]", "broadcast"], || {
        accepted(m23().add(&Tensor::new(&[1f32, 2.], &[2])))
    }),
    case("add_of_two_dtypes", CallerPanic, &["add", "dtype"], || accepted(m23().add(&m23().to_dtype(DType::F64)))),
    case("where_shapes_that_do_not_broadcast", CallerPanic, &["where", "broadcast"], || {
        let c = Tensor::new(&[1f32, 0.], &[2]);
        accepted(Tensor::where_cond(&c, &m23(), &m23()))
    }),
    case("cat_of_nothing", CallerPanic, &["cat", "at least one"], || accepted(Tensor::cat(&[], 0))),
    case("stack_of_two_shapes", CallerPanic, &["stack", "differ"], || {
        accepted(Tensor::stack(&[&m23(), &m23().t()], 0))
    }),
    case("linear_in_features_mismatch", CallerPanic, &["linear", "in_features"], || {
        accepted(m23().linear(&Tensor::ones(&[4, 2], DType::F32, &cpu()), None))
    }),
    case("nan_and_inf_flow_through", Success, &[], || {
        let x = Tensor::new(&[f32::NAN, f32::INFINITY, f32::NEG_INFINITY], &[3]);
        expect_values(x.relu().to_f64_vec(), &[f64::NAN, f64::INFINITY, 0.0])
    }),
    case("f64_to_and_from_f32", Success, &[], || {
        expect_values(m23().to_dtype(DType::F64).to_dtype(DType::F32).to_f64_vec(), &[1., 2., 3., 4., 5., 6.])
    }),
    // Issue point 8: the thread count from the environment.
    Case {
        name: "num_threads_0",
        expect: Success,
        words: &[],
        env: Env::Threads("0"),
        run: || pool_has(|n| n == available()),
    },
    Case {
        name: "num_threads_not_a_number",
        expect: Success,
        words: &[],
        env: Env::Threads("four"),
        run: || pool_has(|n| n == available()),
    },
    Case {
        name: "num_threads_negative",
        expect: Success,
        words: &[],
        env: Env::Threads("-3"),
        run: || pool_has(|n| n == available()),
    },
    Case {
        name: "num_threads_100000",
        expect: Success,
        words: &[],
        env: Env::Threads("100000"),
        run: || pool_has(|n| n <= 4 * available() && n <= 1024),
    },
    Case {
        name: "num_threads_usize_max",
        expect: Success,
        words: &[],
        env: Env::Threads("18446744073709551615"),
        run: || pool_has(|n| n <= 4 * available() && n <= 1024),
    },
    Case { name: "num_threads_3", expect: Success, words: &[], env: Env::Threads("3"), run: || pool_has(|n| n == 3) },
    // The GPU (lavapipe where there is no GPU): small tensors.
    gpu_case("gpu_zeros_f64", CallerPanic, &["zeros", "float32/int64", "float64", "to_dtype"], || {
        let gpu = match gpu() {
            Ok(g) => g,
            Err(o) => return o,
        };
        accepted(Tensor::zeros(&[2], DType::F64, &gpu))
    }),
    gpu_case("gpu_to_dtype_f64", CallerPanic, &["to_dtype", "float64"], || {
        let gpu = match gpu() {
            Ok(g) => g,
            Err(o) => return o,
        };
        accepted(m23().to_device(&gpu).to_dtype(DType::F64))
    }),
    gpu_case("gpu_gather_out_of_range_at_the_call", CallerPanic, &["gather", "index 7", "out of range"], || {
        let gpu = match gpu() {
            Ok(g) => g,
            Err(o) => return o,
        };
        let x = m23().to_device(&gpu);
        let y = x.gather(1, &Tensor::from_vec(vec![0i64, 7], &[2, 1], &gpu));
        // Nothing read back: a panic here (not at a later readback) is the call's.
        std::panic::panic_any(format!("no panic at the gather ({y:?}); read back later"))
    }),
    gpu_case(
        "gpu_index_select_minus_1_at_the_call",
        CallerPanic,
        &["index_select", "index -1", "out of range"],
        || {
            let gpu = match gpu() {
                Ok(g) => g,
                Err(o) => return o,
            };
            let y = m23().to_device(&gpu).index_select(0, &Tensor::from_vec(vec![-1i64], &[1], &gpu));
            std::panic::panic_any(format!("no panic at the index_select ({y:?}); read back later"))
        },
    ),
    gpu_case("gpu_gather_with_argmax_indices", Success, &[], || {
        let gpu = match gpu() {
            Ok(g) => g,
            Err(o) => return o,
        };
        let x = m23().to_device(&gpu);
        expect_values(x.gather(1, &x.argmax_keepdim(1)).to_f64_vec(), &[3., 6.])
    }),
    gpu_case(
        "gpu_gather_device_computed_index_out_of_range",
        CallerPanic,
        &["gather (input [2, 3], index [2, 1])", "out of range"],
        || {
            let gpu = match gpu() {
                Ok(g) => g,
                Err(o) => return o,
            };
            let x = m23().to_device(&gpu);
            // An index computed on the device (bounds unknown on the host): the kernel's check, at the readback.
            let i = Tensor::from_vec(vec![0i64, 1], &[2, 1], &gpu).add(&Tensor::from_vec(vec![5i64], &[1], &gpu));
            Outcome::Wrong(format!("read {:?}", x.gather(1, &i).to_vec::<f32>()))
        },
    ),
    gpu_case("gpu_int64_division_by_zero", CallerPanic, &["div", "division by zero"], || {
        let gpu = match gpu() {
            Ok(g) => g,
            Err(o) => return o,
        };
        let a = Tensor::from_vec(vec![1i64, 2], &[2], &gpu);
        accepted(a.div(&Tensor::from_vec(vec![1i64, 0], &[2], &gpu)))
    }),
    gpu_case("gpu_exp_of_int64", CallerPanic, &["exp", "float", "int64"], || {
        let gpu = match gpu() {
            Ok(g) => g,
            Err(o) => return o,
        };
        accepted(Tensor::from_vec(vec![1i64, 2], &[2], &gpu).exp())
    }),
    gpu_case("gpu_narrow_end_overflows_then_matmul", CallerPanic, &["narrow", "out of bounds"], || {
        let gpu = match gpu() {
            Ok(g) => g,
            Err(o) => return o,
        };
        let y = m23().to_device(&gpu).narrow(1, usize::MAX - 1, 3).matmul(&Tensor::ones(&[3, 2], DType::F32, &gpu));
        Outcome::Wrong(format!("accepted, computed {:?}", y.to_f64_vec()))
    }),
];
