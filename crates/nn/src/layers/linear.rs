//! [`Linear`]: `y = x Wᵀ + b`, initialised bit for bit as PyTorch's `nn.Linear` (see `init.rs`).

use autograd::Var;
use tensor::{DType, Device, Tensor};

use crate::generator::{with_default_generator_for, TorchGenerator};
use crate::init::{checked_numel, linear_parameters};
use crate::module::Module;

/// A fully connected layer: `y = x Wᵀ + b` with `W: [out_features, in_features]` and `b: [out_features]`.
///
/// The input may have any number of leading dimensions (`[*, in_features] -> [*, out_features]`).
pub struct Linear {
    /// `[out_features, in_features]`, PyTorch's layout.
    pub weight: Var,
    /// `[out_features]`, absent when built with `bias = false`.
    pub bias: Option<Var>,
    in_features: usize,
    out_features: usize,
}

impl Linear {
    /// `nn.Linear(in_features, out_features)`: with a bias, on the CPU, drawn from the default generator
    /// (seed it with [`crate::manual_seed`]; on several threads at once, see [`crate::generator`] and use
    /// [`Linear::with_generator`]).
    ///
    /// # Panics
    /// When the weight `[out_features, in_features]` is too large to exist (its size overflows memory).
    #[track_caller]
    pub fn new(in_features: usize, out_features: usize) -> Linear {
        Linear::with_options(in_features, out_features, true, &Device::Cpu)
    }

    /// `nn.Linear(in_features, out_features, bias, device)`, drawn from the default generator. As in
    /// PyTorch, the values are drawn on the CPU and then moved, so they do not depend on the device.
    ///
    /// # Panics
    /// As [`Linear::new`]; also when called inside [`crate::with_default_generator`] (draw from the generator
    /// the closure gets, with [`Linear::with_generator`]).
    #[track_caller]
    pub fn with_options(in_features: usize, out_features: usize, bias: bool, device: &Device) -> Linear {
        // Checked here, outside the closure, so that a panic names the caller's line.
        check_linear_size(in_features, out_features, device);
        with_default_generator_for("Linear::new", |g| {
            Linear::with_generator(in_features, out_features, bias, g, device)
        })
    }

    /// Like [`Linear::with_options`], drawing from an explicit generator — the deterministic way to build
    /// models on several threads at once (each thread its own generator).
    ///
    /// # Panics
    /// As [`Linear::new`].
    #[track_caller]
    pub fn with_generator(
        in_features: usize,
        out_features: usize,
        bias: bool,
        generator: &mut TorchGenerator,
        device: &Device,
    ) -> Linear {
        check_linear_size(in_features, out_features, device);
        let (weight, b) = linear_parameters(in_features, out_features, bias, generator, &Device::Cpu);
        Linear::from_tensors(weight.to_device(device), b.map(|b| b.to_device(device)))
    }

    /// A layer with the given weight `[out, in]` and optional bias `[out]` (copied into new parameters).
    ///
    /// # Panics
    /// When the weight is not 2-D float, or the bias is not `[out]` of the same dtype.
    #[track_caller]
    pub fn from_tensors(weight: Tensor, bias: Option<Tensor>) -> Linear {
        assert!(
            weight.rank() == 2 && weight.dtype().is_float(),
            "Linear: the weight must be a 2-D float tensor [out, in], got {:?} {}",
            weight.shape(),
            weight.dtype()
        );
        let (out_features, in_features) = (weight.shape()[0], weight.shape()[1]);
        if let Some(b) = &bias {
            assert!(
                b.shape() == [out_features] && b.dtype() == weight.dtype(),
                "Linear: weight {:?} {} needs a bias [{out_features}] {}, got {:?} {}",
                weight.shape(),
                weight.dtype(),
                weight.dtype(),
                b.shape(),
                b.dtype()
            );
        }
        Linear { weight: Var::leaf(weight), bias: bias.map(Var::leaf), in_features, out_features }
    }

    /// The size of each input sample.
    pub fn in_features(&self) -> usize {
        self.in_features
    }

    /// The size of each output sample.
    pub fn out_features(&self) -> usize {
        self.out_features
    }

    /// The weight's dtype (float32 unless built [`Linear::from_tensors`] with float64).
    pub fn dtype(&self) -> DType {
        self.weight.dtype()
    }
}

/// Panics at the caller when the weight `[out_features, in_features]` cannot exist on the CPU (where it is
/// drawn) or on `device` (a GPU's buffers are far smaller).
#[track_caller]
fn check_linear_size(in_features: usize, out_features: usize, device: &Device) {
    checked_numel("Linear", &[out_features, in_features], DType::F32);
    if let Err(e) = device.check_alloc(&[out_features, in_features], DType::F32) {
        tensor::error::fail("Linear", &e);
    }
}

impl Module for Linear {
    /// `x Wᵀ + b`, as `torch.nn.functional.linear`.
    ///
    /// # Panics
    /// When the last dimension of `x` is not `in_features`: `Linear: input [800, 3] has 3 features but the
    /// layer has in_features=2`.
    #[track_caller]
    fn forward(&self, x: &Var) -> Var {
        self.forward_with(x, false)
    }

    /// `max(x Wᵀ + b, 0)` as one `linear_relu` node.
    #[track_caller]
    fn forward_relu(&self, x: &Var) -> Option<Var> {
        Some(self.forward_with(x, true))
    }

    fn own_parameters(&self) -> Vec<(String, Var)> {
        let mut out = vec![("weight".to_string(), self.weight.clone())];
        out.extend(self.bias.iter().map(|b| ("bias".to_string(), b.clone())));
        out
    }

    fn extra_repr(&self) -> String {
        let bias = if self.bias.is_some() { "True" } else { "False" };
        format!("in_features={}, out_features={}, bias={bias}", self.in_features, self.out_features)
    }
}

impl Linear {
    /// `x Wᵀ + b`, followed by a ReLU when `relu` (see [`Module::forward`]).
    #[track_caller]
    fn forward_with(&self, x: &Var, relu: bool) -> Var {
        let shape = x.shape();
        assert!(
            shape.last() == Some(&self.in_features),
            "Linear: input {shape:?} has {} features but the layer has in_features={}",
            shape.last().map_or("no".to_string(), |d| d.to_string()),
            self.in_features
        );
        // Flatten the leading dimensions to one batch dimension: [*, in] -> [n, in].
        let batch: usize = shape[..shape.len() - 1].iter().product();
        let x2 = if shape.len() == 2 { x.clone() } else { x.reshape(&[batch, self.in_features]) };
        // y = x Wᵀ + b as one `linear` node (the same bits as `x2.matmul(&self.weight.t()) + b`), with the ReLU
        // as its epilogue when asked.
        let y = if relu {
            x2.linear_relu(&self.weight, self.bias.as_ref())
        } else {
            x2.linear(&self.weight, self.bias.as_ref())
        };
        if shape.len() == 2 {
            return y;
        }
        let mut out_shape = shape[..shape.len() - 1].to_vec();
        out_shape.push(self.out_features);
        y.reshape(&out_shape)
    }
}

crate::impl_display!(Linear);
