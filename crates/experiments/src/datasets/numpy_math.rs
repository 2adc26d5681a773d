//! The numpy array helpers the generators need, with numpy's exact float recipe.
//!
//! Only [`linspace`] lives here. Element-wise `np.sin`/`np.cos` are not re-implemented: on x86-64
//! numpy's float64 `sin`/`cos` give the same bits as the C library's (checked for 200 000
//! arguments on the machine that wrote the fixtures), and Rust's `f64::sin`/`cos` call that same
//! library, so the generators simply use them.

/// `np.linspace(start, stop, num, endpoint)` for float64, step for step as numpy computes it.
///
/// numpy's recipe (`numpy/_core/function_base.py`): `div = num - 1` (or `num` without the
/// endpoint), `step = (stop - start) / div`, `y[i] = i * step + start` (two roundings, no fused
/// multiply-add); if `step == 0` (denormal ranges) it is `y[i] = (i / div) * delta + start`
/// instead; with `endpoint` and `num > 1` the last element is set to exactly `stop`. With
/// `div == 0` (`num == 1` and the endpoint) the only element is `0 * delta + start`.
pub fn linspace(start: f64, stop: f64, num: usize, endpoint: bool) -> Vec<f64> {
    let div = if endpoint { num.saturating_sub(1) } else { num };
    let delta = stop - start;
    let mut y: Vec<f64> = (0..num).map(|i| i as f64).collect();
    if div > 0 {
        let step = delta / div as f64;
        if step == 0.0 {
            // gh-5437: divide first so tiny deltas do not underflow to a zero step.
            for v in &mut y {
                *v = (*v / div as f64) * delta;
            }
        } else {
            for v in &mut y {
                *v *= step;
            }
        }
    } else {
        for v in &mut y {
            *v *= delta;
        }
    }
    for v in &mut y {
        *v += start;
    }
    if endpoint && num > 1 {
        y[num - 1] = stop;
    }
    y
}
