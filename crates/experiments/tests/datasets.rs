//! `experiments::datasets` against the real libraries and the tutorial's printed values.
//!
//! The fixtures in `tests/fixtures/datasets/` were written by `scripts/make_dataset_fixtures.py`
//! with numpy, scikit-learn and torch. Three kinds of checks:
//! 1. fixtures: raw `RandomState` streams and every generator/split matched exactly (bits for
//!    the streams; coordinates within 1e-12, in practice bit for bit; labels and indices equal);
//! 2. the numbers the tutorial notebooks print (seed files in `shared/seeds/`);
//! 3. properties (proptest): class counts, split sizes, disjointness, permutations.

use experiments::datasets::line::torch_arange_f32;
use experiments::datasets::{
    linspace, make_blobs, make_circles, make_moons, make_spirals, train_test_split, train_test_split_with, BlobCenters,
    BlobSamples, Blobs, Circles, ClusterStd, Dataset, LineDataset, LineParams, Moons, NumpyRandomState, Spirals,
    SplitOptions, SplitSize, TwoGroupSamples,
};
use proptest::prelude::*;
use serde_json::Value;

const RNG_JSON: &str = include_str!("fixtures/datasets/rng.json");
const DATASETS_JSON: &str = include_str!("fixtures/datasets/datasets.json");
const SPLITS_JSON: &str = include_str!("fixtures/datasets/splits.json");

/// Coordinates must agree to this absolute tolerance (the brief's bound; we get 0).
const TOL: f64 = 1e-12;

fn parse(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is valid JSON")
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

fn i64s(v: &Value) -> Vec<i64> {
    v.as_array().expect("array").iter().map(|x| x.as_i64().expect("integer")).collect()
}

fn usizes(v: &Value) -> Vec<usize> {
    i64s(v).into_iter().map(|x| x as usize).collect()
}

fn seed(v: &Value) -> u32 {
    v.as_u64().expect("seed") as u32
}

/// Asserts bit equality of two f64 streams (numpy's streams are exact; -0.0 != 0.0 here).
fn assert_bits(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.to_bits(), w.to_bits(), "{what}[{i}]: got {g:e}, numpy {w:e}");
    }
}

// ------------------------------------------------------------------------------------------
// 1a. Raw RandomState streams
// ------------------------------------------------------------------------------------------

#[test]
fn rng_u32_words_match_numpy() {
    let fx = parse(RNG_JSON);
    for case in fx["u32"].as_array().unwrap() {
        let mut rng = NumpyRandomState::new(seed(&case["seed"]));
        let got: Vec<i64> = (0..16).map(|_| i64::from(rng.next_u32())).collect();
        assert_eq!(got, i64s(&case["values"]), "seed {}", case["seed"]);
    }
}

#[test]
fn rng_doubles_match_numpy() {
    let fx = parse(RNG_JSON);
    for case in fx["doubles"].as_array().unwrap() {
        let want = f64s(&case["values"]);
        let got = NumpyRandomState::new(seed(&case["seed"])).random_sample_n(want.len());
        assert_bits(&format!("random_sample seed {}", case["seed"]), &got, &want);
    }
}

#[test]
fn rng_normals_match_numpy_including_cached_value() {
    let fx = parse(RNG_JSON);
    for case in fx["normals"].as_array().unwrap() {
        let want = f64s(&case["values"]);
        let mut rng = NumpyRandomState::new(seed(&case["seed"]));
        // 21 then 3, as the script draws them: the 22nd value is the cached one.
        let mut got = rng.randn(21);
        got.extend(rng.randn(3));
        assert_bits(&format!("randn seed {}", case["seed"]), &got, &want);
    }
}

#[test]
fn rng_interleaved_calls_match_numpy() {
    let fx = parse(RNG_JSON);
    for case in fx["interleaved"].as_array().unwrap() {
        let mut rng = NumpyRandomState::new(seed(&case["seed"]));
        for (i, call) in case["calls"].as_array().unwrap().iter().enumerate() {
            match call["op"].as_str().unwrap() {
                "normal" => {
                    assert_bits(&format!("call {i}"), &[rng.standard_normal()], &[call["value"].as_f64().unwrap()])
                }
                "double" => {
                    assert_bits(&format!("call {i}"), &[rng.random_sample()], &[call["value"].as_f64().unwrap()])
                }
                "randint10" => {
                    assert_eq!(rng.randint(0, 10), call["value"].as_i64().unwrap(), "call {i}")
                }
                op => panic!("unknown op {op}"),
            }
        }
    }
}

#[test]
fn rng_reseed_drops_cached_normal() {
    let fx = parse(RNG_JSON);
    let case = &fx["reseed"];
    let mut rng = NumpyRandomState::new(seed(&case["seed"]));
    let a = rng.standard_normal(); // leaves a cached value behind
    rng.seed(seed(&case["seed"]));
    let b = rng.standard_normal(); // must not return the cached value
    assert_bits(
        "reseed",
        &[a, b],
        &[case["first_after_seed"].as_f64().unwrap(), case["again_after_reseed"].as_f64().unwrap()],
    );
}

#[test]
fn rng_randint_matches_numpy_for_all_bounds() {
    let fx = parse(RNG_JSON);
    for case in fx["randint"].as_array().unwrap() {
        let (low, high) = (case["low"].as_i64().unwrap(), case["high"].as_i64().unwrap());
        let mut rng = NumpyRandomState::new(seed(&case["seed"]));
        let got: Vec<i64> = (0..40).map(|_| rng.randint(low, high)).collect();
        assert_eq!(got, i64s(&case["values"]), "randint({low}, {high})");
    }
}

#[test]
fn rng_permutation_and_shuffle_match_numpy() {
    let fx = parse(RNG_JSON);
    for case in fx["permutation"].as_array().unwrap() {
        let n = case["n"].as_u64().unwrap() as usize;
        let got = NumpyRandomState::new(seed(&case["seed"])).permutation(n);
        assert_eq!(got, usizes(&case["values"]), "permutation({n})");
    }
    for case in fx["shuffle_ints"].as_array().unwrap() {
        let mut rng = NumpyRandomState::new(seed(&case["seed"]));
        let mut arr = i64s(&case["input"]);
        rng.shuffle(&mut arr);
        assert_eq!(arr, i64s(&case["values"]));
        // The shuffle consumed exactly the words numpy's did.
        assert_bits("double after shuffle", &[rng.random_sample()], &[case["next_double"].as_f64().unwrap()]);
    }
}

#[test]
fn rng_uniform_and_normal_match_numpy() {
    let fx = parse(RNG_JSON);
    for case in fx["uniform"].as_array().unwrap() {
        let (low, high) = (case["low"].as_f64().unwrap(), case["high"].as_f64().unwrap());
        let mut rng = NumpyRandomState::new(seed(&case["seed"]));
        let got: Vec<f64> = (0..9).map(|_| rng.uniform(low, high)).collect();
        assert_bits(&format!("uniform({low}, {high})"), &got, &f64s(&case["values"]));
    }
    for case in fx["normal"].as_array().unwrap() {
        let (loc, scale) = (case["loc"].as_f64().unwrap(), case["scale"].as_f64().unwrap());
        let mut rng = NumpyRandomState::new(seed(&case["seed"]));
        let got: Vec<f64> = (0..9).map(|_| rng.normal(loc, scale)).collect();
        assert_bits(&format!("normal({loc}, {scale})"), &got, &f64s(&case["values"]));
    }
}

// ------------------------------------------------------------------------------------------
// 1b. Generators against scikit-learn / numpy fixtures
// ------------------------------------------------------------------------------------------

fn two_group(v: &Value) -> TwoGroupSamples {
    match v {
        Value::Array(a) => TwoGroupSamples::PerGroup(a[0].as_u64().unwrap() as usize, a[1].as_u64().unwrap() as usize),
        n => TwoGroupSamples::Total(n.as_u64().unwrap() as usize),
    }
}

fn noise(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// Rebuilds the Rust call from a fixture's `kind` and `params` and runs it.
fn generate(kind: &str, p: &Value) -> Dataset {
    let rs = || seed(&p["random_state"]);
    match kind {
        "circles" => make_circles(&Circles {
            n_samples: two_group(&p["n_samples"]),
            shuffle: p["shuffle"].as_bool().unwrap(),
            noise: noise(&p["noise"]),
            random_state: rs(),
            factor: p["factor"].as_f64().unwrap(),
        }),
        "moons" => make_moons(&Moons {
            n_samples: two_group(&p["n_samples"]),
            shuffle: p["shuffle"].as_bool().unwrap(),
            noise: noise(&p["noise"]),
            random_state: rs(),
        }),
        "blobs" => {
            let n_samples = match &p["n_samples"] {
                Value::Array(_) => BlobSamples::PerCenter(usizes(&p["n_samples"])),
                n => BlobSamples::Total(n.as_u64().unwrap() as usize),
            };
            let centers = match &p["centers"] {
                Value::Null => None,
                Value::Array(rows) => Some(BlobCenters::Fixed(rows.iter().map(f64s).collect())),
                k => Some(BlobCenters::Count(k.as_u64().unwrap() as usize)),
            };
            let cluster_std = match &p["cluster_std"] {
                Value::Array(_) => ClusterStd::PerCenter(f64s(&p["cluster_std"])),
                s => ClusterStd::Same(s.as_f64().unwrap()),
            };
            let bx = f64s(&p["center_box"]);
            make_blobs(&Blobs {
                n_samples,
                n_features: p["n_features"].as_u64().unwrap() as usize,
                centers,
                cluster_std,
                center_box: (bx[0], bx[1]),
                shuffle: p["shuffle"].as_bool().unwrap(),
                random_state: rs(),
            })
        }
        "spirals" => make_spirals(&Spirals {
            points_per_class: p["points_per_class"].as_u64().unwrap() as usize,
            classes: p["classes"].as_u64().unwrap() as usize,
            seed: seed(&p["seed"]),
        }),
        other => panic!("unknown fixture kind {other}"),
    }
    .expect("fixture parameters are valid")
}

#[test]
fn generators_match_sklearn_fixtures() {
    let fx = parse(DATASETS_JSON);
    let mut max_err = 0.0f64;
    let (mut values, mut differing_bits) = (0usize, 0usize);
    for case in fx["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let got = generate(case["kind"].as_str().unwrap(), &case["params"]);
        assert_eq!(got.n_samples, case["n_samples"].as_u64().unwrap() as usize, "{name}");
        assert_eq!(got.n_features, case["n_features"].as_u64().unwrap() as usize, "{name}");
        assert_eq!(got.y, i64s(&case["y"]), "{name}: labels");
        let want = f64s(&case["x"]);
        assert_eq!(got.x.len(), want.len(), "{name}: x length");
        for (i, (g, w)) in got.x.iter().zip(&want).enumerate() {
            let err = (g - w).abs();
            assert!(err <= TOL, "{name}: x[{i}] = {g:e}, sklearn {w:e}");
            max_err = max_err.max(err);
            values += 1;
            differing_bits += usize::from(g.to_bits() != w.to_bits());
        }
    }
    eprintln!("datasets: {values} coordinates, max abs error {max_err:e}, {differing_bits} not bit-identical");
    // On x86-64 Linux (glibc sin/cos/log, as numpy uses) every value is bit-identical.
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    assert_eq!(differing_bits, 0, "expected bit-identical coordinates");
}

#[test]
fn generators_share_one_random_state_like_sklearn() {
    // make_circles, make_moons, make_blobs called in turn with one RandomState instance.
    let fx = parse(DATASETS_JSON);
    let shared = &fx["shared_state"];
    let mut rng = NumpyRandomState::new(seed(&shared["seed"]));
    let circles = Circles { n_samples: TwoGroupSamples::Total(10), noise: Some(0.1), ..Circles::default() }
        .generate_with(&mut rng)
        .unwrap();
    let moons = Moons { n_samples: TwoGroupSamples::Total(9), noise: Some(0.2), ..Moons::default() }
        .generate_with(&mut rng)
        .unwrap();
    let blobs = Blobs { n_samples: BlobSamples::Total(8), centers: Some(BlobCenters::Count(2)), ..Blobs::default() }
        .generate_with(&mut rng)
        .unwrap();
    for (name, got) in [("circles", circles), ("moons", moons), ("blobs", blobs)] {
        assert_bits(name, &got.x, &f64s(&shared[name]["x"]));
        assert_eq!(got.y, i64s(&shared[name]["y"]), "{name}");
    }
}

#[test]
fn x_f32_rounds_like_torch_float() {
    let data = make_spirals(&Spirals::default()).unwrap();
    let narrow = data.x_f32();
    for (a, b) in data.x.iter().zip(&narrow) {
        // Nearest float32: no other f32 is closer.
        let err = (f64::from(*b) - a).abs();
        assert!(err <= f64::from(b.abs()) * f64::from(f32::EPSILON) / 2.0);
    }
}

// ------------------------------------------------------------------------------------------
// 1c. Splits and the line against scikit-learn / torch fixtures
// ------------------------------------------------------------------------------------------

#[test]
fn splits_match_sklearn_fixtures() {
    let fx = parse(SPLITS_JSON);
    for case in fx["splits"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let size = |v: &Value| match v {
            Value::Null => None,
            v if v.is_u64() => Some(SplitSize::Count(v.as_u64().unwrap() as usize)),
            v => Some(SplitSize::Fraction(v.as_f64().unwrap())),
        };
        let options = SplitOptions {
            test_size: size(&case["test_size"]),
            train_size: size(&case["train_size"]),
            shuffle: case["shuffle"].as_bool().unwrap(),
            random_state: case["random_state"].as_u64().unwrap_or(0) as u32,
        };
        let n = case["n"].as_u64().unwrap() as usize;
        let split = train_test_split_with(n, &options).expect(name);
        assert_eq!(split.train_idx, usizes(&case["train_idx"]), "{name}: train");
        assert_eq!(split.test_idx, usizes(&case["test_idx"]), "{name}: test");
    }
}

#[test]
fn line_matches_torch_bit_for_bit() {
    let fx = parse(SPLITS_JSON);
    let line = &fx["line"];
    let got = LineDataset::generate(&LineParams::default()).unwrap();
    let widen = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<_>>();
    assert_bits("line x", &widen(&got.x), &f64s(&line["x"]));
    assert_bits("line y", &widen(&got.y), &f64s(&line["y"]));
    assert_eq!(got.train_split, line["train_split"].as_u64().unwrap() as usize);
    assert_eq!((got.train().0.len(), got.test().0.len()), (80, 20));
    for case in line["other_aranges"].as_array().unwrap() {
        let (s, e, st) =
            (case["start"].as_f64().unwrap(), case["end"].as_f64().unwrap(), case["step"].as_f64().unwrap());
        let got = torch_arange_f32(s, e, st).unwrap();
        assert_bits(&format!("arange({s}, {e}, {st})"), &widen(&got), &f64s(&case["values"]));
    }
}

#[test]
fn naive_arange_would_not_match_torch() {
    // Negative control: the obvious f32(start + i*step) differs from torch, so the line test
    // above really pins the chunked recipe.
    let fx = parse(SPLITS_JSON);
    let want = f64s(&fx["line"]["x"]);
    let naive: Vec<f64> = (0..100).map(|i| f64::from((i as f64 * 0.01) as f32)).collect();
    assert!(naive.iter().zip(&want).any(|(a, b)| a.to_bits() != b.to_bits()));
}

// ------------------------------------------------------------------------------------------
// 2. Values printed in the tutorial notebooks
// ------------------------------------------------------------------------------------------

fn assert_rows(what: &str, data: &Dataset, rows: &[[f64; 2]], tol: f64) {
    for (i, want) in rows.iter().enumerate() {
        let got = data.row(i);
        for k in 0..2 {
            assert!((got[k] - want[k]).abs() <= tol, "{what}: row {i} col {k}: {} vs printed {}", got[k], want[k]);
        }
    }
}

#[test]
fn tutorial_circles_print() {
    let data = make_circles(&Circles {
        n_samples: TwoGroupSamples::Total(1000),
        noise: Some(0.03),
        random_state: 42,
        ..Circles::default()
    })
    .unwrap();
    let printed = [
        [0.75424625, 0.23148074],
        [-0.75615888, 0.15325888],
        [-0.81539193, 0.17328203],
        [-0.39373073, 0.69288277],
        [0.44220765, -0.89672343],
    ];
    assert_rows("circles", &data, &printed, 5e-9);
    assert_eq!(data.y[..5], [1, 1, 1, 1, 0]);
    let (train, test) = data.split(0.2, 42).unwrap();
    assert_eq!((train.n_samples, test.n_samples), (800, 200));
}

#[test]
fn tutorial_moons_print() {
    let data = make_moons(&Moons {
        n_samples: TwoGroupSamples::Total(1000),
        noise: Some(0.07),
        random_state: 42,
        ..Moons::default()
    })
    .unwrap();
    let printed = [
        [-0.033411, 0.421391],
        [0.998827, -0.442890],
        [0.889592, -0.327843],
        [0.341958, -0.417690],
        [-0.838531, 0.532375],
        [0.599064, -0.289773],
        [0.290090, -0.204688],
        [-0.038269, 0.459429],
        [1.613771, -0.293970],
        [0.693337, 0.827819],
    ];
    assert_rows("moons", &data, &printed, 5e-7);
    assert_eq!(data.y[..10], [1, 1, 1, 1, 0, 1, 1, 1, 1, 0]);
    assert_eq!((data.count_label(0), data.count_label(1)), (500, 500));
}

#[test]
fn tutorial_blobs_print() {
    let data = make_blobs(&Blobs {
        n_samples: BlobSamples::Total(1000),
        n_features: 2,
        centers: Some(BlobCenters::Count(4)),
        cluster_std: ClusterStd::Same(1.5),
        random_state: 42,
        ..Blobs::default()
    })
    .unwrap();
    // Printed as torch float32 with 4 decimals.
    let printed = [[-8.4134, 6.9352], [-5.7665, -6.4312], [-6.0421, -6.7661], [3.9508, 0.6984], [4.2505, -0.2815]];
    assert_rows("blobs", &data, &printed, 5e-5);
    assert_eq!(data.y[..5], [3, 2, 2, 1, 1]);
    let (train, test) = data.split(0.2, 42).unwrap();
    assert_eq!((train.n_samples, test.n_samples), (800, 200));
    assert_eq!(test.y[..10], [1, 3, 2, 1, 0, 3, 2, 0, 2, 0]);
}

#[test]
fn tutorial_spirals_split_240_60() {
    let data = make_spirals(&Spirals::default()).unwrap();
    assert_eq!((data.n_samples, data.n_features), (300, 2));
    for class in 0..3 {
        assert_eq!(data.count_label(class), 100);
    }
    let (train, test) = data.split(0.2, 42).unwrap();
    assert_eq!((train.n_samples, test.n_samples), (240, 60));
}

// ------------------------------------------------------------------------------------------
// Errors: what scikit-learn / numpy reject is rejected, with a message naming the parameter.
// ------------------------------------------------------------------------------------------

fn err_of<T: std::fmt::Debug>(r: Result<T, experiments::datasets::DatasetError>) -> String {
    r.expect_err("should be rejected").to_string()
}

#[test]
fn bad_parameters_are_rejected_with_a_reason() {
    let msg = err_of(make_moons(&Moons { n_samples: TwoGroupSamples::Total(0), ..Moons::default() }));
    assert!(msg.contains("n_samples"), "{msg}");
    let msg = err_of(make_circles(&Circles { noise: Some(-0.1), ..Circles::default() }));
    assert!(msg.contains("noise"), "{msg}");
    let msg = err_of(make_circles(&Circles { factor: 1.0, ..Circles::default() }));
    assert!(msg.contains("factor"), "{msg}");
    // make_circles accepts 0 samples (scikit-learn's interval starts at 0).
    assert_eq!(
        make_circles(&Circles { n_samples: TwoGroupSamples::Total(0), ..Circles::default() }).unwrap().n_samples,
        0
    );
    for bad in [
        Blobs { n_samples: BlobSamples::Total(0), ..Blobs::default() },
        Blobs { n_features: 0, ..Blobs::default() },
        Blobs { centers: Some(BlobCenters::Count(0)), ..Blobs::default() },
        Blobs { cluster_std: ClusterStd::Same(-1.0), ..Blobs::default() },
        Blobs { cluster_std: ClusterStd::PerCenter(vec![1.0, 2.0]), ..Blobs::default() },
        Blobs { centers: Some(BlobCenters::Fixed(vec![vec![0.0, 1.0], vec![2.0]])), ..Blobs::default() },
        Blobs {
            n_samples: BlobSamples::PerCenter(vec![2, 3]),
            centers: Some(BlobCenters::Count(2)),
            ..Blobs::default()
        },
        Blobs {
            n_samples: BlobSamples::PerCenter(vec![2, 3]),
            centers: Some(BlobCenters::Fixed(vec![vec![0.0, 1.0]])),
            ..Blobs::default()
        },
    ] {
        let msg = err_of(make_blobs(&bad));
        assert!(msg.starts_with("make_blobs:"), "{msg}");
    }
    for test_size in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
        let msg = err_of(train_test_split(100, test_size, 42));
        assert!(msg.contains("test_size"), "{test_size}: {msg}");
    }
    // One sample cannot be split: the train set would be empty.
    let msg = err_of(train_test_split(1, 0.2, 42));
    assert!(msg.contains("empty"), "{msg}");
    let msg = err_of(make_spirals(&Spirals { classes: 0, ..Spirals::default() }));
    assert!(msg.contains("classes"), "{msg}");
    assert!(LineDataset::generate(&LineParams { step: 0.0, ..LineParams::default() }).is_err());
}

#[test]
fn linspace_follows_numpy_special_cases() {
    assert_eq!(linspace(0.0, 1.0, 0, true), Vec::<f64>::new());
    assert_eq!(linspace(2.0, 5.0, 1, true), vec![2.0]);
    assert_eq!(linspace(0.0, 1.0, 5, true), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(linspace(0.0, 1.0, 4, false), vec![0.0, 0.25, 0.5, 0.75]);
    // The endpoint is stop exactly, not start + (num-1)*step.
    assert_eq!(*linspace(0.1, 0.7, 7, true).last().unwrap(), 0.7);
}

// ------------------------------------------------------------------------------------------
// 1d. blobs-large against scikit-learn, by hash
// ------------------------------------------------------------------------------------------

const BLOBS_LARGE_JSON: &str = include_str!("fixtures/datasets/blobs_large.json");

/// FNV-1a over 64-bit words, as `scripts/make_dataset_fixtures.py` computes it, in hex.
fn fnv1a64_words(words: impl IntoIterator<Item = u64>) -> String {
    let h = words.into_iter().fold(0xcbf2_9ce4_8422_2325u64, |h, w| (h ^ w).wrapping_mul(0x0000_0100_0000_01b3));
    format!("{h:016x}")
}

fn hash_f32(v: &[f32]) -> String {
    fnv1a64_words(v.iter().map(|x| u64::from(x.to_bits())))
}

/// Class ids (held as f32 by `TrainData`) as int64 words.
fn hash_ids(v: &[f32]) -> String {
    fnv1a64_words(v.iter().map(|&x| x as i64 as u64))
}

#[test]
fn blobs_large_matches_sklearn_bit_for_bit() {
    use experiments::runs::data::{generate, load};
    use experiments::runs::DataKind;
    let fx = parse(BLOBS_LARGE_JSON);
    let cases = fx["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for case in cases {
        let n = case["samples"].as_u64().unwrap() as usize;
        let kind = DataKind::BlobsLarge { samples: n };
        let ds = generate(kind).unwrap();
        assert_eq!((ds.n_samples, ds.n_features), (n, 32), "n = {n}");
        for (row, want) in case["rows"].as_object().unwrap() {
            assert_bits(&format!("n = {n}: row {row}"), ds.row(row.parse().unwrap()), &f64s(want));
        }
        let hash = fnv1a64_words(ds.x.iter().map(|x| x.to_bits()));
        assert_eq!(hash, case["x_f64_hash"].as_str().unwrap(), "n = {n}: the features' bits");
        assert_eq!(fnv1a64_words(ds.y.iter().map(|&l| l as u64)), case["y_hash"].as_str().unwrap(), "n = {n}: labels");
        if let Some(y) = case.get("y") {
            assert_eq!(ds.y, i64s(y), "n = {n}: labels");
        }
        let counts: Vec<usize> = (0..10).map(|c| ds.count_label(c)).collect();
        assert_eq!(counts, usizes(&case["label_counts"]), "n = {n}: label counts");

        // The split as the run feeds it: float32 features, int64 class ids.
        let data = load(kind).unwrap();
        assert_eq!(
            (data.n_train(), data.n_test(), data.n_classes),
            (case["n_train"].as_u64().unwrap() as usize, case["n_test"].as_u64().unwrap() as usize, 10)
        );
        assert_eq!(hash_f32(&data.x_train), case["x_train_f32_hash"].as_str().unwrap(), "n = {n}: X_train");
        assert_eq!(hash_ids(&data.y_train), case["y_train_hash"].as_str().unwrap(), "n = {n}: y_train");
        assert_eq!(hash_f32(&data.x_test), case["x_test_f32_hash"].as_str().unwrap(), "n = {n}: X_test");
        assert_eq!(hash_ids(&data.y_test), case["y_test_hash"].as_str().unwrap(), "n = {n}: y_test");
    }
}

#[test]
fn the_fixture_hash_sees_one_flipped_bit() {
    // The negative control of the hash comparison above: one changed bit changes the hash.
    let a = [1.5f32, -2.25, 3.0];
    let mut b = a;
    b[1] = f32::from_bits(b[1].to_bits() ^ 1);
    assert_ne!(hash_f32(&a), hash_f32(&b));
    assert_ne!(fnv1a64_words([1, 2]), fnv1a64_words([2, 1]), "order matters");
}

// ------------------------------------------------------------------------------------------
// 3. Properties
// ------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn split_is_a_disjoint_partition_of_the_right_sizes(
        n in 2usize..400, test_size in 0.01f64..0.99, rs in any::<u32>()
    ) {
        match train_test_split(n, test_size, rs) {
            Ok(split) => {
                let n_test = (test_size * n as f64).ceil() as usize;
                prop_assert_eq!(split.test_idx.len(), n_test);
                prop_assert_eq!(split.train_idx.len(), n - n_test);
                let mut all: Vec<usize> =
                    split.train_idx.iter().chain(&split.test_idx).copied().collect();
                all.sort_unstable();
                prop_assert_eq!(all, (0..n).collect::<Vec<_>>());
            }
            // Only when ceil(test_size * n) takes every row.
            Err(_) => prop_assert!((test_size * n as f64).ceil() as usize >= n),
        }
    }

    #[test]
    fn permutation_is_a_permutation(n in 0usize..300, seed in any::<u32>()) {
        let mut p = NumpyRandomState::new(seed).permutation(n);
        p.sort_unstable();
        prop_assert_eq!(p, (0..n).collect::<Vec<_>>());
    }

    #[test]
    fn randint_stays_in_range(low in -1000i64..1000, width in 1i64..5000, seed in any::<u32>()) {
        let mut rng = NumpyRandomState::new(seed);
        for _ in 0..20 {
            let v = rng.randint(low, low + width);
            prop_assert!(v >= low && v < low + width);
        }
    }

    #[test]
    fn two_group_generators_count_labels_like_sklearn(
        n in 1usize..300, noise in proptest::option::of(0.0f64..0.5), rs in any::<u32>(),
        shuffle in any::<bool>()
    ) {
        let c = make_circles(&Circles { n_samples: TwoGroupSamples::Total(n), shuffle, noise,
                                        random_state: rs, factor: 0.5 }).unwrap();
        let m = make_moons(&Moons { n_samples: TwoGroupSamples::Total(n), shuffle, noise,
                                    random_state: rs }).unwrap();
        for d in [&c, &m] {
            prop_assert_eq!((d.n_samples, d.n_features, d.x.len()), (n, 2, 2 * n));
            // Odd totals put the extra point in group 1.
            prop_assert_eq!((d.count_label(0), d.count_label(1)), (n / 2, n - n / 2));
        }
        if noise.is_none() {
            // Without noise every circle point lies exactly on radius 1 or factor.
            for i in 0..n {
                let r = c.row(i)[0].hypot(c.row(i)[1]);
                let want = if c.y[i] == 0 { 1.0 } else { 0.5 };
                prop_assert!((r - want).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn blobs_count_labels_like_sklearn(
        n in 1usize..300, k in 1usize..7, features in 1usize..5, rs in any::<u32>()
    ) {
        let d = make_blobs(&Blobs { n_samples: BlobSamples::Total(n), n_features: features,
                                    centers: Some(BlobCenters::Count(k)), random_state: rs,
                                    ..Blobs::default() }).unwrap();
        prop_assert_eq!((d.n_samples, d.n_features, d.x.len()), (n, features, n * features));
        for label in 0..k {
            let want = n / k + usize::from(label < n % k);
            prop_assert_eq!(d.count_label(label as i64), want);
        }
    }

    #[test]
    fn spirals_have_points_per_class_in_order(n in 1usize..60, k in 1usize..8, seed in any::<u32>()) {
        let d = make_spirals(&Spirals { points_per_class: n, classes: k, seed }).unwrap();
        prop_assert_eq!(d.n_samples, n * k);
        for (i, &label) in d.y.iter().enumerate() {
            prop_assert_eq!(label, (i / n) as i64);
        }
        // Radii are linspace(0, 1, n): the first point of each arm is the origin.
        for j in 0..k {
            let row = d.row(j * n);
            prop_assert_eq!((row[0].abs(), row[1].abs()), (0.0, 0.0));
        }
    }
}
