//! nn crate.
