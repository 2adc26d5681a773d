//! Fixture reading shared by the integration tests (each test file uses a part of it).
#![allow(dead_code)]

pub mod models;

use serde_json::Value;
use tensor::{Device, Tensor};

/// Parses `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read {path}: {e} (regenerate with scripts/make_nn_fixtures.py)"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {path}: {e}"))
}

/// A number, or one of the strings "inf", "-inf", "nan" (JSON has no infinities).
pub fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) => match s.as_str() {
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            "nan" => f64::NAN,
            other => panic!("not a number: {other}"),
        },
        other => other.as_f64().unwrap_or_else(|| panic!("not a number: {other}")),
    }
}

pub fn f64s(v: &Value) -> Vec<f64> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}")).iter().map(num).collect()
}

pub fn usizes(v: &Value) -> Vec<usize> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect()
}

/// A float32 CPU tensor from fixture values.
pub fn f32_tensor(values: &Value, shape: &Value) -> Tensor {
    let data: Vec<f32> = f64s(values).iter().map(|&v| v as f32).collect();
    Tensor::from_vec(data, &usizes(shape), &Device::Cpu)
}

/// An int64 CPU tensor from fixture values.
pub fn i64_tensor(values: &Value, shape: &Value) -> Tensor {
    let data: Vec<i64> = values.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
    Tensor::from_vec(data, &usizes(shape), &Device::Cpu)
}

/// Asserts `got ≈ want` element-wise: `|g - w| <= abs + rel·|w|`, infinities equal.
#[track_caller]
pub fn assert_close(what: &str, got: &[f64], want: &[f64], rel: f64, abs: f64) {
    assert_eq!(got.len(), want.len(), "{what}: {} values, expected {}", got.len(), want.len());
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let ok = if w.is_infinite() { g == w } else { (g - w).abs() <= abs + rel * w.abs() };
        assert!(ok, "{what}: element {i} is {g}, expected {w}");
    }
}
