//! Parameter-free activation layers: [`ReLU`], [`Sigmoid`], [`Tanh`], [`Softmax`].

use autograd::Var;

use crate::module::Module;

/// `max(x, 0)` element-wise (`nn.ReLU()`).
#[derive(Clone, Copy, Default)]
pub struct ReLU;

/// `1 / (1 + e^-x)` element-wise (`nn.Sigmoid()`).
#[derive(Clone, Copy, Default)]
pub struct Sigmoid;

/// `tanh x` element-wise (`nn.Tanh()`).
#[derive(Clone, Copy, Default)]
pub struct Tanh;

/// Softmax along `dim` (`nn.Softmax(dim)`); negative `dim` counts from the end.
#[derive(Clone, Copy)]
pub struct Softmax {
    /// The axis the probabilities sum to 1 along.
    pub dim: isize,
}

impl ReLU {
    /// `nn.ReLU()`
    pub fn new() -> ReLU {
        ReLU
    }
}
impl Sigmoid {
    /// `nn.Sigmoid()`
    pub fn new() -> Sigmoid {
        Sigmoid
    }
}
impl Tanh {
    /// `nn.Tanh()`
    pub fn new() -> Tanh {
        Tanh
    }
}
impl Softmax {
    /// `nn.Softmax(dim=dim)`
    pub fn new(dim: isize) -> Softmax {
        Softmax { dim }
    }
}

impl Module for ReLU {
    fn forward(&self, x: &Var) -> Var {
        x.relu()
    }
}
impl Module for Sigmoid {
    fn forward(&self, x: &Var) -> Var {
        x.sigmoid()
    }
}
impl Module for Tanh {
    fn forward(&self, x: &Var) -> Var {
        x.tanh()
    }
}
impl Module for Softmax {
    fn forward(&self, x: &Var) -> Var {
        x.softmax(self.dim)
    }
    fn extra_repr(&self) -> String {
        format!("dim={}", self.dim)
    }
}

crate::impl_display!(ReLU, Sigmoid, Tanh, Softmax);
