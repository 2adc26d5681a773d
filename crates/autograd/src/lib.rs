//! autograd crate.
