//! Initial weights identical to the last bit to real PyTorch (fixtures from `scripts/make_nn_fixtures.py`).

use nn::init::linear_parameters;
use nn::TorchGenerator;
use serde_json::Value;
use tensor::{Device, Tensor};

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/init.json"))
        .expect("read tests/fixtures/init.json (regenerate with scripts/make_nn_fixtures.py)");
    serde_json::from_str(&text).expect("parse init.json")
}

/// FNV-1a (64-bit) over the little-endian bytes of each bit pattern; mirrors `fnv1a64` in the script.
fn fnv1a64(bits: &[u32]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in bits {
        for byte in w.to_le_bytes() {
            h ^= byte as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn u32s(v: &Value) -> Vec<u32> {
    v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as u32).collect()
}

/// Compares one parameter against its fixture record, bit for bit.
fn check_param(what: &str, t: &Tensor, rec: &Value) {
    let shape: Vec<usize> = rec["shape"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect();
    assert_eq!(t.shape(), &shape[..], "{what}: shape");
    let bits: Vec<u32> = t.to_vec::<f32>().iter().map(|x| x.to_bits()).collect();
    let head = u32s(&rec["head"]);
    assert_eq!(&bits[..head.len()], &head[..], "{what}: first values differ");
    if let Some(all) = rec.get("bits") {
        let all = u32s(all);
        if let Some(i) = (0..all.len()).find(|&i| all[i] != bits[i]) {
            panic!(
                "{what}: element {i} is {} ({:#x}), PyTorch has {} ({:#x})",
                f32::from_bits(bits[i]),
                bits[i],
                f32::from_bits(all[i]),
                all[i]
            );
        }
    }
    let want: u64 = rec["fnv1a64"].as_str().unwrap().parse().unwrap();
    assert_eq!(fnv1a64(&bits), want, "{what}: hash of all bits differs");
}

/// The layers of a case: `[in, out]` or `[in, out, bias]`.
fn layers(case: &Value) -> Vec<(usize, usize, bool)> {
    case["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let l = l.as_array().unwrap();
            let bias = l.get(2).map(|b| b.as_bool().unwrap()).unwrap_or(true);
            (l[0].as_u64().unwrap() as usize, l[1].as_u64().unwrap() as usize, bias)
        })
        .collect()
}

#[test]
fn linear_parameters_bit_exact() {
    let fx = fixture();
    let cases = fx["linear"].as_array().unwrap();
    assert!(cases.len() >= 70, "fixture has {} cases", cases.len());
    for case in cases {
        let seed = case["seed"].as_u64().unwrap();
        let mut g = TorchGenerator::new(seed);
        let mut drawn = Vec::new();
        for (i, o, bias) in layers(case) {
            let (w, b) = linear_parameters(i, o, bias, &mut g, &Device::Cpu);
            drawn.push(w);
            drawn.extend(b);
        }
        let params = case["params"].as_array().unwrap();
        assert_eq!(params.len(), drawn.len());
        for (t, rec) in drawn.iter().zip(params) {
            let what = format!("seed {seed} layers {:?} {}", layers(case), rec["name"]);
            check_param(&what, t, rec);
        }
    }
}

#[test]
fn uniform_draws_bit_exact_f32_and_f64() {
    let fx = fixture();
    for case in fx["uniform"].as_array().unwrap() {
        let (seed, n) = (case["seed"].as_u64().unwrap(), case["n"].as_u64().unwrap() as usize);
        let (lo, hi) = (case["from"].as_f64().unwrap(), case["to"].as_f64().unwrap());
        let got: Vec<u32> = TorchGenerator::new(seed).uniform_vec_f32(n, lo, hi).iter().map(|x| x.to_bits()).collect();
        assert_eq!(got, u32s(&case["f32_bits"]), "f32 seed {seed} n {n}");
        let want: Vec<u64> = case["f64"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap().to_bits()).collect();
        let got: Vec<u64> = TorchGenerator::new(seed).uniform_vec_f64(n, lo, hi).iter().map(|x| x.to_bits()).collect();
        assert_eq!(got, want, "f64 seed {seed} n {n}");
    }
}

/// Negative control: the same weights drawn in f32 arithmetic (instead of aten's double) differ somewhere, so
/// the test above can tell the two apart.
#[test]
fn f32_arithmetic_would_not_match() {
    let fx = fixture();
    let case =
        fx["linear"].as_array().unwrap().iter().find(|c| c["layers"][0] == serde_json::json!([784, 128])).unwrap();
    let mut g = TorchGenerator::new(case["seed"].as_u64().unwrap());
    let bound = nn::init::kaiming_uniform_bound(
        &[128, 784],
        5.0f64.sqrt(),
        nn::init::FanMode::FanIn,
        nn::init::Nonlinearity::LeakyRelu(None),
    );
    let (from, to) = (-bound as f32, bound as f32);
    let wrong: Vec<u32> = (0..16)
        .map(|_| {
            let x = (g.next_u32() & 0xff_ffff) as f32 / 16_777_216.0;
            (x * (to - from) + from).to_bits()
        })
        .collect();
    assert_ne!(wrong, u32s(&case["params"][0]["head"]));
}
