//! Every hint in an error message of the `experiments` library ("pass e.g. 0.8", "give one count
//! per center", "use a larger step", ...) triggered by the mistake it is for, and its text checked.
//! The CLI's hints ("drop the flag", "did you mean", "pick a training run", ...) are checked by the
//! CLI catalogue (`tests/reliability.rs`), whose key words include each case's hint.

use experiments::datasets::{
    train_test_split_with, BlobCenters, BlobSamples, Blobs, Circles, ClusterStd, LineDataset, LineParams, Moons,
    Spirals, SplitOptions, SplitSize, TwoGroupSamples,
};
use experiments::runs::{self, train::TrainOptions};
use tensor::Device;

/// The message of a failed generator or split.
fn message<T: std::fmt::Debug>(r: Result<T, experiments::datasets::DatasetError>) -> String {
    r.unwrap_err().message().to_string()
}

#[test]
fn circles_factor_out_of_range_says_pass_e_g_0_8() {
    let e = message(Circles { factor: 1.5, ..Circles::default() }.generate());
    assert!(e.contains("make_circles: factor 1.5 must be in [0, 1)") && e.ends_with("pass e.g. 0.8"), "{e}");
}

#[test]
fn moons_without_samples_says_pass_a_positive_total() {
    let e = message(Moons { n_samples: TwoGroupSamples::Total(0), ..Moons::default() }.generate());
    assert!(e.ends_with("pass a positive total or a (n_upper, n_lower) pair"), "{e}");
}

#[test]
fn negative_noise_says_pass_none_for_no_noise() {
    let e = message(Moons { noise: Some(-1.0), ..Moons::default() }.generate());
    assert!(e.contains("noise -1 must be a finite standard deviation >= 0; pass None for no noise"), "{e}");
    let e = message(Circles { noise: Some(f64::NAN), ..Circles::default() }.generate());
    assert!(e.ends_with("pass None for no noise"), "{e}");
}

#[test]
fn blobs_hints() {
    let e = message(Blobs { center_box: (f64::NEG_INFINITY, 1.0), ..Blobs::default() }.generate());
    assert!(e.ends_with("has a non-finite width; pass finite bounds"), "{e}");
    let e = message(Blobs { centers: Some(BlobCenters::Count(0)), ..Blobs::default() }.generate());
    assert!(e.ends_with("centers must be at least 1; pass e.g. 3"), "{e}");
    let two_centers = Some(BlobCenters::Fixed(vec![vec![0.0, 0.0], vec![1.0, 1.0]]));
    let e = message(
        Blobs { n_samples: BlobSamples::PerCenter(vec![5, 5, 5]), centers: two_centers.clone(), ..Blobs::default() }
            .generate(),
    );
    assert!(e.ends_with("3 per-center sample counts but 2 centers; give one count per center"), "{e}");
    let e = message(
        Blobs { centers: two_centers, cluster_std: ClusterStd::PerCenter(vec![1.0]), ..Blobs::default() }.generate(),
    );
    assert!(e.ends_with("1 cluster_std values for 2 centers; give one per center"), "{e}");
}

#[test]
fn too_many_spiral_arms_say_use_at_most_256() {
    let e = message(Spirals { points_per_class: 1, classes: 300, seed: 0 }.generate());
    assert!(e.ends_with("300 classes do not fit the snippet's uint8 labels; use at most 256"), "{e}");
}

#[test]
fn split_hints() {
    let frac = |test: f64, train: f64| SplitOptions {
        test_size: Some(SplitSize::Fraction(test)),
        train_size: Some(SplitSize::Fraction(train)),
        ..SplitOptions::default()
    };
    let e = message(train_test_split_with(10, &frac(0.6, 0.6)));
    assert!(e.ends_with("exceeds 1; reduce either"), "{e}");
    let counts = SplitOptions {
        test_size: Some(SplitSize::Count(6)),
        train_size: Some(SplitSize::Count(6)),
        ..SplitOptions::default()
    };
    let e = message(train_test_split_with(10, &counts));
    assert!(e.ends_with("add up to 12 rows but there are only 10; reduce test_size and/or train_size"), "{e}");
    let e = message(train_test_split_with(
        1,
        &SplitOptions { test_size: Some(SplitSize::Fraction(0.5)), ..SplitOptions::default() },
    ));
    assert!(e.ends_with("the train set would be empty; use more samples or a smaller test_size"), "{e}");
}

#[test]
fn line_hints() {
    let e = message(LineDataset::generate(&LineParams { step: 1e-9, ..LineParams::default() }));
    assert!(e.ends_with("which is not reproduced: use a larger step"), "{e}");
    let e = message(LineDataset::generate(&LineParams { start: 1.0, end: 0.0, ..LineParams::default() }));
    assert!(e.ends_with("swap the bounds or negate the step"), "{e}");
}

#[test]
fn a_bench_of_size_0_says_pass_a_matrix_side() {
    let e = experiments::bench::matmul(0, 1, &Device::Cpu).unwrap_err().to_string();
    assert_eq!(e, "--size 0: pass a matrix side between 1 and 16384");
}

#[test]
fn training_at_a_learning_rate_of_0_says_pass_a_positive_one() {
    for (name, stated) in [("moons", "0.1"), ("blobs-large", "0.001")] {
        let spec = runs::find(name).unwrap();
        let opts = TrainOptions { lr: Some(0.0), ..TrainOptions::default() };
        let e = runs::train_run(spec, opts, &Device::Cpu, &mut |_| {}).unwrap().err().unwrap().to_string();
        assert_eq!(e, format!("--lr 0: pass a positive learning rate such as {stated}"), "{name}");
    }
}

#[test]
fn blobs_large_with_batches_of_0_rows_says_pass_at_least_one() {
    let spec = runs::find("blobs-large").unwrap();
    let opts = TrainOptions { batch_size: Some(0), samples: Some(20), ..TrainOptions::default() };
    let e = runs::train_run(spec, opts, &Device::Cpu, &mut |_| {}).unwrap().err().unwrap().to_string();
    assert_eq!(e, "--batch-size 0: pass at least one row per batch, such as 1024");
}
