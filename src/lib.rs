//! tapegrad: a tensor and reverse-mode autograd engine written from scratch.
//!
//! This root crate re-exports the three layers, so that a crate depending on `tapegrad` alone can write
//! `use tapegrad::{autograd, nn, tensor};`:
//!
//! * [`tensor`] — backend primitives: tensors, layouts, the `Backend` trait, CPU and wgpu kernels;
//! * [`autograd`] — differentiable primitives: the tape, derivative rules, `gradcheck`;
//! * [`nn`] — the composed API: layers, losses, optimizers, metrics, checkpoints.
//!
//! Read them in that order. Beside them, the tutorial's helpers from the `experiments` library (without its
//! command line): the dataset generators [`make_circles`], [`make_moons`], [`make_blobs`], [`make_spirals`],
//! scikit-learn's [`train_test_split`] over tensors, and [`plot_decision_boundary`] /
//! [`plot_decision_boundaries`] — what the notebooks in `examples/` use.
//!
//! ```
//! use tapegrad::{autograd, nn, tensor};
//! use tapegrad::{make_circles, train_test_split};
//!
//! let (x, y) = make_circles(100, 0.03, 42); // X float64 [100, 2], y int64 [100], scikit-learn's bits
//! let x = x.to_dtype(tensor::DType::F32);
//! let (x_train, x_test, _y_train, _y_test) = train_test_split(&x, &y, 0.2, 42);
//! assert_eq!((x_train.shape()[0], x_test.shape()[0]), (80, 20));
//! nn::manual_seed(42);
//! let model = nn::Sequential::new().add(nn::Linear::new(2, 5)).add(nn::Linear::new(5, 1));
//! let logits = nn::Module::forward(&model, &autograd::Var::from(x_test));
//! assert_eq!(logits.shape(), [20, 1]);
//! ```

pub use autograd;
pub use experiments;
pub use experiments::tutorial::{
    make_blobs, make_circles, make_moons, make_spirals, plot_decision_boundaries, plot_decision_boundary,
    train_test_split,
};
pub use nn;
pub use tensor;
