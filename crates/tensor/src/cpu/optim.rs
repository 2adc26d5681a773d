//! The optimizer steps on the CPU: one pass over the elements of a parameter, its gradient and its buffers,
//! calling the scalar steps of [`crate::ops::optim`] — so the bits of the tensor ops those functions follow.
//!
//! The operands are contiguous views (the tensor layer makes them so); any other layout, or a dtype that is not
//! float, gives `None`.

use super::pool::{self, Pooled};
use crate::backend::AdamState;
use crate::dtype::HostBuffer;
use crate::layout::Layout;
use crate::ops::optim::{adam_step, sgd_step, AdamStep, SgdStep};
use crate::ops::Float;

/// The elements of a contiguous view of `T`s, or `None`.
fn elements<'a, T>(data: &'a [T], layout: &Layout) -> Option<&'a [T]> {
    data.get(layout.contiguous_range()?)
}

/// The f32 or f64 elements of a contiguous view, as one of the two.
enum Floats<'a> {
    F32(&'a [f32]),
    F64(&'a [f64]),
}

fn floats<'a>((x, layout): (&'a HostBuffer, &Layout)) -> Option<Floats<'a>> {
    match x {
        HostBuffer::F32(v) => elements(v, layout).map(Floats::F32),
        HostBuffer::F64(v) => elements(v, layout).map(Floats::F64),
        _ => None,
    }
}

/// Runs `$body` with each name bound to its operand's slice of the first operand's element type; `None` when
/// an operand has another dtype.
macro_rules! with_floats {
    ($first:ident $(, $rest:ident)* => $body:expr) => {
        match $first {
            Floats::F32($first) => {
                $(let Floats::F32($rest) = $rest else { return None };)*
                $body
            }
            Floats::F64($first) => {
                $(let Floats::F64($rest) = $rest else { return None };)*
                $body
            }
        }
    };
}

/// [`sgd_step`] on every element: the new parameter and, with momentum, the new buffer.
pub(super) fn sgd_step_views(
    x: (&HostBuffer, &Layout),
    grad: (&HostBuffer, &Layout),
    momentum_buffer: Option<(&HostBuffer, &Layout)>,
    h: &SgdStep,
) -> Option<(HostBuffer, Option<HostBuffer>)> {
    // Before the first step with momentum there is no buffer: `grad` stands in for it, unread.
    let has_buffer = momentum_buffer.is_some();
    let (x, grad, buffer) = (floats(x)?, floats(grad)?, floats(momentum_buffer.unwrap_or(grad))?);
    with_floats!(x, grad, buffer => {
        let (x, b) = sgd_loop(h, x, grad, has_buffer.then_some(buffer));
        Some((x.into(), b.map(HostBuffer::from)))
    })
}

/// The loop of [`sgd_step_views`]: one pass, element `i` of each output from element `i` of each input.
fn sgd_loop<T: Float + Pooled>(h: &SgdStep, x: &[T], grad: &[T], buffer: Option<&[T]>) -> (Vec<T>, Option<Vec<T>>) {
    let n = x.len();
    let mut out = pool::take::<T>(n);
    let mut new_buffer = (h.momentum != 0.0).then(|| pool::take::<T>(n));
    for i in 0..n {
        let (xi, bi) = sgd_step(h, x[i], grad[i], buffer.map(|b| b[i]));
        out[i] = xi;
        if let (Some(nb), Some(bi)) = (&mut new_buffer, bi) {
            nb[i] = bi;
        }
    }
    (out, new_buffer)
}

/// [`adam_step`] on every element: the new parameter, moments and (with amsgrad) maximum.
pub(super) fn adam_step_views(
    x: (&HostBuffer, &Layout),
    grad: (&HostBuffer, &Layout),
    exp_avg: (&HostBuffer, &Layout),
    exp_avg_sq: (&HostBuffer, &Layout),
    max_exp_avg_sq: Option<(&HostBuffer, &Layout)>,
    h: &AdamStep,
) -> Option<AdamState<HostBuffer>> {
    let (x, grad, m, v) = (floats(x)?, floats(grad)?, floats(exp_avg)?, floats(exp_avg_sq)?);
    // Without amsgrad `exp_avg_sq` stands in for the maximum, unread.
    let amsgrad = max_exp_avg_sq.is_some();
    let max = floats(max_exp_avg_sq.unwrap_or(exp_avg_sq))?;
    with_floats!(x, grad, m, v, max => {
        let s = adam_loop(h, x, grad, m, v, amsgrad.then_some(max));
        Some(s.map(HostBuffer::from))
    })
}

/// The loop of [`adam_step_views`].
fn adam_loop<T: Float + Pooled>(
    h: &AdamStep,
    x: &[T],
    grad: &[T],
    m: &[T],
    v: &[T],
    max: Option<&[T]>,
) -> AdamState<Vec<T>> {
    let n = x.len();
    let mut s = AdamState {
        param: pool::take::<T>(n),
        exp_avg: pool::take::<T>(n),
        exp_avg_sq: pool::take::<T>(n),
        max_exp_avg_sq: max.map(|_| pool::take::<T>(n)),
    };
    for i in 0..n {
        let (xi, mi, vi, maxi) = adam_step(h, x[i], grad[i], m[i], v[i], max.map(|max| max[i]));
        s.param[i] = xi;
        s.exp_avg[i] = mi;
        s.exp_avg_sq[i] = vi;
        if let (Some(out), Some(maxi)) = (&mut s.max_exp_avg_sq, maxi) {
            out[i] = maxi;
        }
    }
    s
}
