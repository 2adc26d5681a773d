//! The [`Module`] trait: a forward function plus named parameters and named children, printed exactly as
//! PyTorch prints an `nn.Module`.
//!
//! A module owns its parameters as [`Var`]s (shared handles: the optimizer holds clones of the same `Var`s and
//! updates them in place with `set_data`). Parameter names follow PyTorch's `named_parameters()`: a module's own
//! parameters first (`weight`, `bias`), then each child's, prefixed by the child's name (`layer_1.weight`,
//! `linear_layer_stack.0.bias`). Checkpoints use these names, so files are interchangeable with PyTorch's.
//!
//! A custom model is a plain struct whose fields are its children; the [`children!`](crate::children) macro
//! lists them so that parameters, printing, `train()`/`eval()` and `to_device` come for free:
//!
//! ```
//! use autograd::Var;
//! use nn::{children, Linear, Module};
//!
//! struct CircleModelV0 {
//!     layer_1: Linear,
//!     layer_2: Linear,
//! }
//!
//! impl Module for CircleModelV0 {
//!     fn forward(&self, x: &Var) -> Var {
//!         self.layer_2.forward(&self.layer_1.forward(x))
//!     }
//!     children!(layer_1, layer_2);
//! }
//!
//! nn::manual_seed(42);
//! let model = CircleModelV0 { layer_1: Linear::new(2, 5), layer_2: Linear::new(5, 1) };
//! assert_eq!(
//!     model.repr(),
//!     "CircleModelV0(\n  (layer_1): Linear(in_features=2, out_features=5, bias=True)\n  \
//!      (layer_2): Linear(in_features=5, out_features=1, bias=True)\n)"
//! );
//! let names: Vec<String> = model.named_parameters().into_iter().map(|(n, _)| n).collect();
//! assert_eq!(names, ["layer_1.weight", "layer_1.bias", "layer_2.weight", "layer_2.bias"]);
//! ```

use std::fmt;

use autograd::Var;
use tensor::{Device, Tensor};

use crate::checkpoint::StateDictError;

/// A differentiable function with parameters, like PyTorch's `nn.Module`.
///
/// Only [`Module::forward`] is required. A module with parameters of its own returns them from
/// [`Module::own_parameters`]; a module made of others lists them in [`Module::children`] (see
/// [`children!`](crate::children)). Everything else has a default built from those.
pub trait Module: Send + Sync {
    /// Computes the output for input `x`.
    ///
    /// `#[track_caller]` here makes every implementation report a misuse (an input of the wrong width) at the
    /// line that called `forward` — through a [`crate::Sequential`] or a custom model too.
    #[track_caller]
    fn forward(&self, x: &Var) -> Var;

    /// `relu(self.forward(x))` as one fused node, where the module has one (`Linear`: `linear_relu`, one kernel
    /// on a GPU); `None` otherwise. [`Sequential`](crate::Sequential) asks it of a layer followed by a `ReLU`.
    /// The result is bit for bit the unfused one; a misuse is reported at the caller, as by `forward`.
    #[track_caller]
    fn forward_relu(&self, x: &Var) -> Option<Var> {
        let _ = x;
        None
    }

    /// The parameters held directly by this module (not by its children), in registration order.
    fn own_parameters(&self) -> Vec<(String, Var)> {
        Vec::new()
    }

    /// The direct sub-modules with their attribute names, in registration order.
    fn children(&self) -> Vec<(String, &dyn Module)> {
        Vec::new()
    }

    /// Mutable access to the direct sub-modules (for [`Module::set_training`]).
    fn children_mut(&mut self) -> Vec<(String, &mut dyn Module)> {
        Vec::new()
    }

    /// Every parameter with its PyTorch name: own parameters first, then each child's, prefixed `child.`.
    fn named_parameters(&self) -> Vec<(String, Var)> {
        let mut out = self.own_parameters();
        for (child_name, child) in self.children() {
            for (name, p) in child.named_parameters() {
                out.push((format!("{child_name}.{name}"), p));
            }
        }
        out
    }

    /// Every parameter, in [`Module::named_parameters`] order (what an optimizer takes).
    fn parameters(&self) -> Vec<Var> {
        self.named_parameters().into_iter().map(|(_, p)| p).collect()
    }

    /// The number of scalar parameters.
    fn num_parameters(&self) -> usize {
        self.parameters().iter().map(|p| p.tensor().numel()).sum()
    }

    /// Switches training mode (`model.train(on)`); recurses into the children. No layer of this crate behaves
    /// differently in the two modes, but a custom one (dropout) may override this.
    fn set_training(&mut self, on: bool) {
        for (_, child) in self.children_mut() {
            child.set_training(on);
        }
    }

    /// `model.train()`: training mode, for this module and its children ([`Module::set_training`]`(true)`).
    fn train(&mut self) {
        self.set_training(true);
    }

    /// `model.eval()`: evaluation mode, for this module and its children ([`Module::set_training`]`(false)`).
    fn eval(&mut self) {
        self.set_training(false);
    }

    /// Sets every parameter's gradient to `None` (`module.zero_grad()`).
    fn zero_grad(&self) {
        for p in self.parameters() {
            p.zero_grad();
        }
    }

    /// Moves every parameter to `device` in place (`module.to(device)`). Gradients are dropped.
    ///
    /// # Panics
    /// When a parameter cannot live on `device` (a float64 parameter on a GPU, a weight over its buffer limit).
    #[track_caller]
    fn to_device(&self, device: &Device) {
        let params = self.parameters();
        // Every parameter is checked before any moves, so a refusal leaves the module whole on its device.
        for (name, p) in self.named_parameters() {
            if let Err(e) = device.check_alloc(&p.shape(), p.dtype()) {
                tensor::error::fail(&format!("to_device: parameter `{name}`"), &e);
            }
        }
        for p in params {
            p.set_data(p.tensor().to_device(device));
            p.zero_grad();
        }
    }

    /// The parameter values by name, in [`Module::named_parameters`] order (`module.state_dict()`): the same keys
    /// as the checkpoint files (`0.weight`, `layer_1.bias`). The tensors share storage with the parameters until
    /// an optimizer step replaces them.
    fn state_dict(&self) -> Vec<(String, Tensor)> {
        self.named_parameters().into_iter().map(|(n, p)| (n, p.tensor())).collect()
    }

    /// `module.load_state_dict(state)` (strict, as PyTorch's default): every parameter must be in `state` with
    /// its shape and a float dtype (converted to the parameter's), once, and `state` must hold nothing else;
    /// otherwise nothing is changed and the error lists every problem. Values move to each parameter's device.
    ///
    /// # Errors
    /// [`StateDictError`] listing the missing, unexpected, repeated or mis-shaped keys.
    fn load_state_dict(&self, state: &[(String, Tensor)]) -> Result<(), StateDictError> {
        crate::checkpoint::load_state_dict(&self.named_parameters(), self.type_name(), state)
    }

    /// The class name PyTorch prints (`Linear`, `CircleModelV0`): by default the Rust type's name without its
    /// path and generic arguments.
    fn type_name(&self) -> String {
        short_type_name(std::any::type_name::<Self>()).to_string()
    }

    /// The text inside the parentheses of a leaf module (`in_features=2, out_features=5, bias=True`), as
    /// PyTorch's `extra_repr()`.
    fn extra_repr(&self) -> String {
        String::new()
    }

    /// The module printed exactly as PyTorch's `repr(module)`.
    fn repr(&self) -> String {
        module_repr(self.type_name(), self.extra_repr(), &self.children())
    }
}

/// `a::b::Name<T>` → `Name`.
fn short_type_name(full: &str) -> &str {
    let base = full.split('<').next().unwrap_or(full);
    base.rsplit("::").next().unwrap_or(base)
}

/// PyTorch's `nn.Module.__repr__`: `Name(extra)` for a leaf, else the extra lines and `(child): repr` lines,
/// each indented by two spaces, between `Name(` and `)`.
fn module_repr(name: String, extra: String, children: &[(String, &dyn Module)]) -> String {
    let extra_lines: Vec<String> =
        if extra.is_empty() { Vec::new() } else { extra.lines().map(String::from).collect() };
    let child_lines: Vec<String> =
        children.iter().map(|(key, child)| format!("({key}): {}", add_indent(&child.repr(), 2))).collect();
    let mut out = name + "(";
    if extra_lines.len() == 1 && child_lines.is_empty() {
        out += &extra_lines[0];
    } else if !extra_lines.is_empty() || !child_lines.is_empty() {
        let lines: Vec<String> = extra_lines.into_iter().chain(child_lines).collect();
        out += "\n  ";
        out += &lines.join("\n  ");
        out += "\n";
    }
    out + ")"
}

/// PyTorch's `_addindent`: indents every line but the first by `spaces`.
fn add_indent(s: &str, spaces: usize) -> String {
    let mut lines = s.split('\n');
    let first = lines.next().unwrap_or_default().to_string();
    let pad = " ".repeat(spaces);
    lines.fold(first, |acc, line| acc + "\n" + &pad + line)
}

impl fmt::Display for dyn Module + '_ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr())
    }
}

impl fmt::Debug for dyn Module + '_ {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr())
    }
}

/// A boxed module is a module (so `Sequential` and custom models can hold `Box<dyn Module>`).
impl<M: Module + ?Sized> Module for Box<M> {
    #[track_caller]
    fn forward(&self, x: &Var) -> Var {
        (**self).forward(x)
    }
    #[track_caller]
    fn forward_relu(&self, x: &Var) -> Option<Var> {
        (**self).forward_relu(x)
    }
    fn own_parameters(&self) -> Vec<(String, Var)> {
        (**self).own_parameters()
    }
    fn children(&self) -> Vec<(String, &dyn Module)> {
        (**self).children()
    }
    fn children_mut(&mut self) -> Vec<(String, &mut dyn Module)> {
        (**self).children_mut()
    }
    fn named_parameters(&self) -> Vec<(String, Var)> {
        (**self).named_parameters()
    }
    fn set_training(&mut self, on: bool) {
        (**self).set_training(on)
    }
    fn load_state_dict(&self, state: &[(String, Tensor)]) -> Result<(), StateDictError> {
        (**self).load_state_dict(state)
    }
    fn type_name(&self) -> String {
        (**self).type_name()
    }
    fn extra_repr(&self) -> String {
        (**self).extra_repr()
    }
    fn repr(&self) -> String {
        (**self).repr()
    }
}

/// Implements [`Module::children`] and [`Module::children_mut`] inside an `impl Module for T` block from a
/// list of the struct's fields, each a module: `children!(layer_1, layer_2, relu);`. The fields' names become
/// the children's names (and the prefixes of their parameters' names), in the order listed — list them in the
/// order PyTorch's `__init__` assigns them, so that names and printing match.
#[macro_export]
macro_rules! children {
    ($($field:ident),* $(,)?) => {
        fn children(&self) -> ::std::vec::Vec<(::std::string::String, &dyn $crate::Module)> {
            ::std::vec![$((::std::string::String::from(::std::stringify!($field)), &self.$field as &dyn $crate::Module)),*]
        }
        fn children_mut(&mut self) -> ::std::vec::Vec<(::std::string::String, &mut dyn $crate::Module)> {
            ::std::vec![$((::std::string::String::from(::std::stringify!($field)), &mut self.$field as &mut dyn $crate::Module)),*]
        }
    };
}

/// Implements `Display` and `Debug` for module types, both printing PyTorch's `repr(model)`:
/// `nn::impl_display!(CircleModelV0, BlobModel);` makes `println!("{model}")` and `println!("{model:?}")` print
/// what `print(model)` prints in PyTorch. (Rust cannot implement `Debug` for every `Module` at once; every module
/// of this crate has both.)
#[macro_export]
macro_rules! impl_display {
    ($($t:ty),* $(,)?) => {
        $(impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&$crate::Module::repr(self))
            }
        }
        impl ::std::fmt::Debug for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&$crate::Module::repr(self))
            }
        })*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        assert_eq!(short_type_name("nn::layers::Linear"), "Linear");
        assert_eq!(short_type_name("my::Model<nn::Linear>"), "Model");
        assert_eq!(short_type_name("Plain"), "Plain");
    }

    #[test]
    fn indent_all_but_first_line() {
        assert_eq!(add_indent("A(\n  x\n)", 2), "A(\n    x\n  )");
    }
}
