//! The layers: [`Linear`], the activations ([`ReLU`], [`Sigmoid`], [`Tanh`], [`Softmax`]) and [`Sequential`].

mod activation;
mod linear;
mod sequential;

pub use activation::{ReLU, Sigmoid, Softmax, Tanh};
pub use linear::Linear;
pub use sequential::Sequential;
