//! `tensor`: numbers on a device — the bottom layer of tapegrad.
//!
//! It knows nothing about gradients. Reading order:
//!
//! 1. [`dtype`] — `DType`, the `Element` trait, `HostBuffer`.
//! 2. [`layout`] — shape, strides, offset; every view (reshape, permute, expand, narrow, squeeze) is a layout.
//! 3. [`ops`] — the op enums (`UnaryOp`, `BinaryOp`, `ReduceOp`, `SoftmaxOp`) and the scalar definition of every op, shared
//!    by the kernels and the tests; [`ops::optim`], the optimizer steps (SGD, Adam) as scalar functions.
//! 4. [`backend`] — the `Backend` trait: the primitives a device provides.
//! 5. [`device`] — `Device` and `Storage`, the enums the tensor dispatches on.
//! 6. [`Tensor`] (`tensor.rs`, `tensor/views.rs`, `tensor_ops/`, `display.rs`, `torch_names.rs`) — the
//!    user-facing type: constructors, views, checked ops with broadcasting, PyTorch-style printing, PyTorch's names
//!    (`to`, `unique`). Naming rule: a PyTorch method keeps its name and takes PyTorch's positional arguments;
//!    `keepdim=True` is a `_keepdim` suffix; the one-dim form of a method whose bare form reduces everything is
//!    `_dim` (`sum()`, `sum_dim(1)`, `sum_keepdim(1)`).
//! 7. [`cpu`] — the CPU backend: element-wise, reductions, GEMM (`cpu/gemm`), indexing; SIMD and rayon.
//! 8. `gpu` (feature `wgpu`) — the wgpu backend; its WGSL kernels are in `/shaders`.
//!
//! ```
//! use tensor::{Tensor, DType, Device};
//! let x = Tensor::new(&[1.0f32, -2.0, 3.0, -4.0], &[2, 2]);
//! let w = Tensor::ones(&[2, 3], DType::F32, &Device::Cpu);
//! let y = x.relu().matmul(&w);
//! assert_eq!(y.to_vec2::<f32>(), vec![vec![1.0; 3], vec![3.0; 3]]);
//! ```

pub mod backend;
pub mod cpu;
pub mod device;
mod display;
pub mod dtype;
pub mod error;
mod float;
#[cfg(feature = "wgpu")]
pub mod gpu;
pub mod hash;
pub mod layout;
pub mod ops;
mod tensor;
mod tensor_ops;
mod torch_names;

pub use backend::Backend;
pub use device::{Device, GpuStats, Storage};
pub use dtype::{DType, Element, HostBuffer};
pub use error::{Error, Result};
pub use layout::Layout;
pub use ops::optim::{AdamStep, SgdStep};
pub use ops::{BinaryOp, ReduceOp, SoftmaxOp, UnaryOp};
pub use tensor::{Dim, Tensor};
