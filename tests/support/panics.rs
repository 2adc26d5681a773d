//! A caught panic's message, for the tests that check what a panic says. Included with
//! `#[path = "../../../tests/support/panics.rs"] mod panics;` (see `catalogue.rs` beside it).
#![allow(dead_code)] // each test file uses a part of it

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The text of a panic's payload: `panic!("{x}")` carries a `String`, `panic!("literal")` a `&str`.
pub fn payload_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// The message of `f`'s panic (fails when `f` does not panic).
pub fn panic_text(f: impl FnOnce()) -> String {
    payload_text(&*catch_unwind(AssertUnwindSafe(f)).expect_err("no panic"))
}
