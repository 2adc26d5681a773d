//! [`dispatch!`]: the one place where a tensor op picks its backend.
//!
//! A [`Tensor`](crate::Tensor) holds a [`Device`](crate::Device) and a [`Storage`](crate::Storage), two enums with
//! one variant per backend. Every op, once its arguments are checked, matches them to get the concrete backend
//! (`&CpuBackend` or `&WgpuBackend`) and each operand's concrete storage, calls one [`Backend`](crate::Backend)
//! method, and wraps the result back into a `Storage`. `dispatch!` writes that match, for any number of operands:
//!
//! ```text
//! let storage = dispatch!(self, rhs => |b, l, r| b.binary(op, l, &ll, r, &rl));
//! ```
//!
//! expands to
//!
//! ```text
//! let storage = match (&self.device, &*self.storage, &*rhs.storage) {
//!     (Device::Cpu, Storage::Cpu(l), Storage::Cpu(r)) => { let b = &CPU; Storage::Cpu(b.binary(op, l, &ll, r, &rl)) }
//!     (Device::Wgpu(b), Storage::Wgpu(l), Storage::Wgpu(r)) => Storage::Wgpu(b.binary(op, l, &ll, r, &rl)),
//!     _ => unreachable!(..),
//! };
//! ```
//!
//! Its forms, by what the backend method returns:
//!
//! * `dispatch!(x, y, .. => |b, x, y, ..| body)`: the body returns the backend's storage; `dispatch!` returns
//!   it wrapped, a `Storage`.
//! * `dispatch!(optional x, .. => |b, x, ..| body)`: the body returns an `Option` of it (a fused kernel, which
//!   a backend may lack: the trait's default is `None`); `dispatch!` returns an `Option<Storage>`.
//! * `dispatch!(value x, .. => |b, x, ..| body)`: the body returns anything else (host data); `dispatch!`
//!   returns it as it is.
//! * `dispatch!(views xs => |b, views| body)`: for a slice of tensors (`cat`); `views` holds each one's
//!   `(storage, layout)` pair, and the body returns the backend's storage, wrapped as in the first form.
//! * `dispatch!(backend device => |b, view, wrap| body)`: for operands that are not a fixed list of tensors (the
//!   optimizer steps' optional buffers, `optim.rs`): `view(&t)` is a tensor's `(storage, layout)` on that backend
//!   and `wrap` turns a storage it returns into a `Storage`; the body's value is returned as it is.
//!
//! The backend is the first operand's device; the operands must already be checked to share it (`check_same`),
//! so the match has no other arm to take (it says so in an `unreachable!`).
//!
//! Why a macro and not a function: the body is written once but compiled once per backend, with `b` and the
//! storages of a different type in each arm (`&CpuBackend` and `HostBuffer`, or `&WgpuBackend` and `WgpuStorage`).
//! A closure cannot be generic over the backend, so a function would need the body written once per backend, or a
//! trait object; the macro expands to the very match one would write by hand, with no boxing and no `Arc` clone,
//! on the path of every op.

/// Runs a [`Backend`](crate::Backend) method on the backend of the operands' device, with each operand's storage
/// of that backend. Its forms, and why it is a macro, are in the documentation of `tensor_ops/dispatch.rs`.
macro_rules! dispatch {
    // `Option` of the backend's storage: `Some` wrapped into a `Storage`, `None` kept.
    (optional $first:expr $(, $rest:expr)* => |$b:ident, $x:ident $(, $r:ident)*| $body:expr) => {
        $crate::tensor_ops::dispatch!(@match ($first $(, $rest)*) |$b, $x $(, $r)*|
            $body.map($crate::device::Storage::Cpu), $body.map($crate::device::Storage::Wgpu))
    };
    // Anything else: the body's value as it is.
    (value $first:expr $(, $rest:expr)* => |$b:ident, $x:ident $(, $r:ident)*| $body:expr) => {
        $crate::tensor_ops::dispatch!(@match ($first $(, $rest)*) |$b, $x $(, $r)*| $body, $body)
    };
    // The backend of a device, with functions to view a tensor on it and to wrap a storage it returns: for
    // operands that are not a fixed list of tensors (an optional buffer).
    (backend $device:expr => |$b:ident, $view:ident, $wrap:ident| $body:expr) => {
        match $device {
            $crate::device::Device::Cpu => {
                let $b = &$crate::device::CPU;
                fn $view(t: &$crate::Tensor) -> (&$crate::dtype::HostBuffer, &$crate::layout::Layout) {
                    match &*t.storage {
                        $crate::device::Storage::Cpu(s) => (s, &t.layout),
                        #[allow(unreachable_patterns)]
                        _ => unreachable!("the operands were checked to share a device"),
                    }
                }
                let $wrap = $crate::device::Storage::Cpu;
                $body
            }
            #[cfg(feature = "wgpu")]
            $crate::device::Device::Wgpu($b) => {
                fn $view(t: &$crate::Tensor) -> (&$crate::gpu::WgpuStorage, &$crate::layout::Layout) {
                    match &*t.storage {
                        $crate::device::Storage::Wgpu(s) => (s, &t.layout),
                        _ => unreachable!("the operands were checked to share a device"),
                    }
                }
                let $wrap = $crate::device::Storage::Wgpu;
                $body
            }
        }
    };
    // A slice of tensors, as `(storage, layout)` pairs of the backend's storages.
    (views $tensors:expr => |$b:ident, $views:ident| $body:expr) => {{
        let tensors: &[&$crate::Tensor] = $tensors;
        match &tensors[0].device {
            $crate::device::Device::Cpu => {
                let $b = &$crate::device::CPU;
                let $views = $crate::tensor_ops::dispatch!(@views tensors, Cpu);
                $crate::device::Storage::Cpu($body)
            }
            #[cfg(feature = "wgpu")]
            $crate::device::Device::Wgpu($b) => {
                let $views = $crate::tensor_ops::dispatch!(@views tensors, Wgpu);
                $crate::device::Storage::Wgpu($body)
            }
        }
    }};
    // Each tensor's storage, of the `Storage::$variant` of its backend, with its layout.
    (@views $tensors:ident, $variant:ident) => {
        $tensors
            .iter()
            .map(|t| match &*t.storage {
                $crate::device::Storage::$variant(s) => (s, &t.layout),
                #[allow(unreachable_patterns)]
                _ => unreachable!("the tensors were checked to share a device"),
            })
            .collect::<Vec<_>>()
    };
    // The backend's storage, wrapped into a `Storage`.
    ($first:expr $(, $rest:expr)* => |$b:ident, $x:ident $(, $r:ident)*| $body:expr) => {
        $crate::tensor_ops::dispatch!(@match ($first $(, $rest)*) |$b, $x $(, $r)*|
            $crate::device::Storage::Cpu($body), $crate::device::Storage::Wgpu($body))
    };
    // The match itself: the device of the first operand and the storage of each, `$cpu` or `$gpu` evaluated
    // with the backend bound to `$b` and the storages to `$x, $r..`.
    (@match ($first:expr $(, $rest:expr)*) |$b:ident, $x:ident $(, $r:ident)*| $cpu:expr, $gpu:expr) => {{
        use $crate::device::{Device, Storage};
        match (&$first.device, &*$first.storage $(, &*$rest.storage)*) {
            (Device::Cpu, Storage::Cpu($x) $(, Storage::Cpu($r))*) => {
                let $b = &$crate::device::CPU;
                $cpu
            }
            #[cfg(feature = "wgpu")]
            (Device::Wgpu($b), Storage::Wgpu($x) $(, Storage::Wgpu($r))*) => $gpu,
            #[allow(unreachable_patterns)]
            _ => unreachable!("a tensor's storage lives on its device, and the operands were checked to share it"),
        }
    }};
}
pub(crate) use dispatch;
