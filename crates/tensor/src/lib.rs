//! tensor crate.
