//! `impl Display for Tensor`: printing in PyTorch's style, character for character.
//!
//! This is a port of `torch/_tensor_str.py` with the default print options (precision 4, threshold 1000,
//! edgeitems 3, linewidth 80, automatic scientific mode). The steps, in torch's order and with torch's names:
//!
//! 1. **Summarise** (`get_summarized_data`): above `threshold` elements, only the first and last `edgeitems`
//!    entries of every dimension are shown, the rest replaced by `...`.
//! 2. **Choose a format** (`_Formatter`) from the shown values: for floats, look at the non-zero finite values;
//!    *int mode* when they are all integers (`1.`), *sci mode* when `max/min > 1000`, `max > 1e8` or
//!    `min < 1e-4` (`2.4332e-03`), else fixed with 4 decimals. Every element is right-aligned to the widest.
//! 3. **Lay out** (`_tensor_str_with_formatter`, `_vector_str`): nested brackets, one row per line, rows of a
//!    1-D run wrapped so a line holds `floor((linewidth - indent) / (width + 2))` elements, sub-blocks of a 3-D
//!    tensor separated by blank lines.
//! 4. **Suffixes** (`_add_suffixes`): `device='...'` for a non-CPU tensor, `dtype=torch.float64` for f64
//!    (neither float32, the default dtype, nor int64 is named), `size=(2, 0)` for an empty tensor that is not
//!    1-D; a suffix that would pass the line width goes on its own line.
//!
//! Python's number formatting is reproduced with Rust's (both round the exact binary value half to even); only
//! the exponent (`e-03`, not `e-3`) and the names of non-finite values (`nan`, `inf`) differ and are fixed up
//! here. `tests/display.rs` checks the output against fixtures printed by torch
//! (`scripts/make_display_fixtures.py`).

use std::fmt;

use crate::dtype::{DType, HostBuffer};
use crate::tensor::Tensor;

/// torch's `PRINT_OPTS.precision`.
const PRECISION: usize = 4;
/// torch's `PRINT_OPTS.threshold`: more elements than this are summarised.
const THRESHOLD: usize = 1000;
/// torch's `PRINT_OPTS.edgeitems`.
const EDGEITEMS: usize = 3;
/// torch's `PRINT_OPTS.linewidth`.
const LINEWIDTH: usize = 80;

/// The elements of a tensor in host memory, row-major.
enum Values {
    Float(Vec<f64>),
    Int(Vec<i64>),
}

/// A row-major view into [`Values`]: the shape and the flat position of its first element.
#[derive(Clone, Copy)]
struct Block<'a> {
    shape: &'a [usize],
    start: usize,
}

impl<'a> Block<'a> {
    /// Sub-block `i` along the first dimension.
    fn get(self, i: usize) -> Block<'a> {
        let inner: usize = self.shape[1..].iter().product();
        Block { shape: &self.shape[1..], start: self.start + i * inner }
    }

    /// The sub-blocks shown along the first dimension: all, or the first and last `EDGEITEMS` with `None` for
    /// the elided middle.
    fn shown(self, summarize: bool) -> Vec<Option<usize>> {
        let n = self.shape[0];
        if summarize && n > 2 * EDGEITEMS {
            (0..EDGEITEMS).map(Some).chain([None]).chain((n - EDGEITEMS..n).map(Some)).collect()
        } else {
            (0..n).map(Some).collect()
        }
    }
}

/// torch's `_Formatter`: the format every element of one tensor is printed with.
struct Formatter {
    floating: bool,
    int_mode: bool,
    sci_mode: bool,
    max_width: usize,
}

/// Python's `f"{v:.{p}f}"`.
fn py_fixed(v: f64, precision: usize) -> String {
    match py_non_finite(v) {
        Some(s) => s.to_string(),
        None => format!("{v:.precision$}"),
    }
}

/// Python's `f"{v:.{p}e}"`: Rust's `{:e}` with a sign and at least two digits in the exponent.
fn py_sci(v: f64, precision: usize) -> String {
    if let Some(s) = py_non_finite(v) {
        return s.to_string();
    }
    let s = format!("{v:.precision$e}");
    let (mantissa, exp) = s.split_once('e').expect("`{:e}` output has an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` exponent is an integer");
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.abs())
}

/// Python's names of the non-finite floats.
fn py_non_finite(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("nan")
    } else if v == f64::INFINITY {
        Some("inf")
    } else if v == f64::NEG_INFINITY {
        Some("-inf")
    } else {
        None
    }
}

impl Formatter {
    /// Chooses the format from the values that will be shown (already summarised).
    fn new(values: &Values, shown: &[usize]) -> Formatter {
        let mut f = Formatter { floating: false, int_mode: true, sci_mode: false, max_width: 1 };
        match values {
            Values::Int(v) => {
                for &i in shown {
                    f.max_width = f.max_width.max(v[i].to_string().len());
                }
            }
            Values::Float(v) => {
                f.floating = true;
                let nonzero_finite: Vec<f64> =
                    shown.iter().map(|&i| v[i]).filter(|x| x.is_finite() && *x != 0.0).collect();
                if nonzero_finite.is_empty() {
                    return f;
                }
                let abs = nonzero_finite.iter().map(|x| x.abs());
                let min = abs.clone().fold(f64::INFINITY, f64::min);
                let max = abs.fold(0.0, f64::max);
                f.int_mode = nonzero_finite.iter().all(|&x| x == x.ceil());
                f.sci_mode = max / min > 1000.0 || max > 1.0e8 || min < 1.0e-4;
                for &x in &nonzero_finite {
                    let width = match (f.int_mode, f.sci_mode) {
                        (_, true) => py_sci(x, PRECISION).len(),
                        (true, false) => py_fixed(x, 0).len() + 1,
                        (false, false) => py_fixed(x, PRECISION).len(),
                    };
                    f.max_width = f.max_width.max(width);
                }
            }
        }
        f
    }

    /// One element, right-aligned to the common width.
    fn format(&self, values: &Values, i: usize) -> String {
        let s = match values {
            Values::Int(v) => v[i].to_string(),
            Values::Float(v) => {
                let x = v[i];
                if self.sci_mode {
                    py_sci(x, PRECISION)
                } else if self.int_mode {
                    let mut s = py_fixed(x, 0);
                    if x.is_finite() {
                        s.push('.');
                    }
                    s
                } else {
                    py_fixed(x, PRECISION)
                }
            }
        };
        debug_assert!(self.floating == matches!(values, Values::Float(_)));
        format!("{s:>width$}", width = self.max_width)
    }
}

/// torch's `get_summarized_data`: the flat positions of the elements that will be shown.
fn summarized(block: Block<'_>, summarize: bool, out: &mut Vec<usize>) {
    if block.shape.is_empty() {
        out.push(block.start);
        return;
    }
    for i in block.shown(summarize).into_iter().flatten() {
        summarized(block.get(i), summarize, out);
    }
}

/// torch's `_tensor_str_with_formatter`: the bracketed text of `block`, whose first line starts at column
/// `indent`.
fn tensor_str(values: &Values, f: &Formatter, block: Block<'_>, indent: usize, summarize: bool) -> String {
    match block.shape.len() {
        0 => f.format(values, block.start),
        1 => vector_str(values, f, block, indent, summarize),
        dim => {
            let slices: Vec<String> = block
                .shown(summarize)
                .into_iter()
                .map(|i| match i {
                    Some(i) => tensor_str(values, f, block.get(i), indent + 1, summarize),
                    None => "...".to_string(),
                })
                .collect();
            let sep = format!(",{}{}", "\n".repeat(dim - 1), " ".repeat(indent + 1));
            format!("[{}]", slices.join(&sep))
        }
    }
}

/// torch's `_vector_str`: a 1-D run, wrapped at the line width.
fn vector_str(values: &Values, f: &Formatter, block: Block<'_>, indent: usize, summarize: bool) -> String {
    let element_length = f.max_width + 2;
    // `max(1, floor((linewidth - indent) / element_length))`, with Python's floor of a negative quotient.
    let per_line = ((LINEWIDTH as f64 - indent as f64) / element_length as f64).floor().max(1.0) as usize;
    let data: Vec<String> = block
        .shown(summarize)
        .into_iter()
        .map(|i| match i {
            Some(i) => f.format(values, block.start + i),
            None => " ...".to_string(),
        })
        .collect();
    let lines: Vec<String> = data.chunks(per_line).map(|line| line.join(", ")).collect();
    format!("[{}]", lines.join(&format!(",\n{}", " ".repeat(indent + 1))))
}

/// Python's `str(tuple(shape))`: `(2, 0)`, `(3,)`, `()`.
fn py_tuple(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    }
}

/// torch's `_add_suffixes`: `, suffix` on the same line while it fits, else on a new line.
fn add_suffixes(tensor_str: String, suffixes: &[String], indent: usize) -> String {
    let mut out = tensor_str;
    // torch's `len(s) - s.rfind("\n") + 1`, where `rfind` gives -1 when there is no newline.
    let mut last_line_len = match out.rfind('\n') {
        Some(p) => out.len() - p + 1,
        None => out.len() + 2,
    };
    for suffix in suffixes {
        if last_line_len + suffix.len() + 2 > LINEWIDTH {
            out.push_str(&format!(",\n{}{suffix}", " ".repeat(indent)));
            last_line_len = indent + suffix.len();
        } else {
            out.push_str(&format!(", {suffix}"));
            last_line_len += suffix.len() + 2;
        }
    }
    out.push(')');
    out
}

impl fmt::Display for Tensor {
    /// Prints as `print(tensor)` does in PyTorch with the default print options, e.g.
    /// `tensor([[-1.2549, -0.8112],\n        [ 1.7168, -1.2270]])`.
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        out.write_str(&self.to_string_with_suffixes(&[]))
    }
}

impl Tensor {
    /// The text of `print(tensor)` with `extra` suffixes after torch's own (device, dtype, size), laid out as
    /// torch's `_add_suffixes` does: what `autograd` uses to print `grad_fn=<AddmmBackward0>` or
    /// `requires_grad=True` as torch's `_str_intern` does.
    pub fn to_string_with_suffixes(&self, extra: &[String]) -> String {
        const PREFIX: &str = "tensor(";
        let indent = PREFIX.len();
        let mut suffixes = Vec::new();
        if !self.device().is_cpu() {
            suffixes.push(format!("device='{}'", self.device().name()));
        }
        let body = if self.numel() == 0 {
            if self.rank() != 1 {
                suffixes.push(format!("size={}", py_tuple(self.shape())));
            }
            // Empty tensors name every dtype but the default one, int64 included.
            if self.dtype() != DType::F32 {
                suffixes.push(format!("dtype=torch.{}", self.dtype()));
            }
            "[]".to_string()
        } else {
            if self.dtype() == DType::F64 {
                suffixes.push(format!("dtype=torch.{}", self.dtype()));
            }
            let values = match self.to_host() {
                HostBuffer::F32(v) => Values::Float(v.into_iter().map(f64::from).collect()),
                HostBuffer::F64(v) => Values::Float(v),
                HostBuffer::I64(v) => Values::Int(v),
            };
            let summarize = self.numel() > THRESHOLD;
            let block = Block { shape: self.shape(), start: 0 };
            let mut shown = Vec::new();
            summarized(block, summarize, &mut shown);
            let f = Formatter::new(&values, &shown);
            tensor_str(&values, &f, block, indent, summarize)
        };
        suffixes.extend(extra.iter().cloned());
        add_suffixes(format!("{PREFIX}{body}"), &suffixes, indent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_number_formats() {
        assert_eq!(py_sci(2.4332e-3, 4), "2.4332e-03");
        assert_eq!(py_sci(1.0e100, 4), "1.0000e+100");
        assert_eq!(py_sci(f64::NAN, 4), "nan");
        assert_eq!(py_fixed(f64::NEG_INFINITY, 4), "-inf");
        // Ties round half to even on the exact binary value, as Python.
        assert_eq!(py_fixed(0.03125, 4), "0.0312");
        assert_eq!(py_tuple(&[2, 0]), "(2, 0)");
        assert_eq!(py_tuple(&[0]), "(0,)");
    }

    #[test]
    fn small_tensors() {
        let t = Tensor::new(&[1.0f32, 2.0, 3.0, 4.0], &[2, 2]);
        assert_eq!(t.to_string(), "tensor([[1., 2.],\n        [3., 4.]])");
        assert_eq!(Tensor::new(&[1i64, 3, 2], &[3]).to_string(), "tensor([1, 3, 2])");
        assert_eq!(Tensor::new(&[-1.2549f32], &[]).to_string(), "tensor(-1.2549)");
        assert_eq!(Tensor::new::<f32>(&[], &[0]).to_string(), "tensor([])");
        assert_eq!(Tensor::new(&[1.5f64, 2.0], &[2]).to_string(), "tensor([1.5000, 2.0000], dtype=torch.float64)");
    }
}
