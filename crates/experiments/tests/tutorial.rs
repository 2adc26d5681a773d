//! The tutorial's helpers over tensors (`experiments::tutorial`, re-exported by `tapegrad`): the generators give
//! scikit-learn's and numpy's bits (the tutorial cases of `fixtures/datasets/datasets.json`), `train_test_split`
//! gives scikit-learn's rows (`fixtures/datasets/splits.json`), and `plot_decision_boundary` writes its pictures.

use experiments::tutorial::{
    make_blobs, make_circles, make_moons, make_spirals, plot_decision_boundaries, plot_decision_boundary,
    train_test_split,
};
use nn::{Linear, Module, Sequential};
use serde_json::Value;
use tensor::{DType, Device, Tensor};

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("valid fixture")
}

fn case<'a>(cases: &'a Value, name: &str) -> &'a Value {
    cases["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no case {name}"))
}

fn assert_same_bits(name: &str, (x, y): (Tensor, Tensor), c: &Value) {
    let n = c["n_samples"].as_u64().unwrap() as usize;
    let nf = c["n_features"].as_u64().unwrap() as usize;
    assert_eq!((x.shape(), x.dtype()), (&[n, nf][..], DType::F64), "{name}: X");
    assert_eq!((y.shape(), y.dtype()), (&[n][..], DType::I64), "{name}: y");
    let want: Vec<u64> = c["x"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap().to_bits()).collect();
    let got: Vec<u64> = x.to_vec::<f64>().iter().map(|v| v.to_bits()).collect();
    assert_eq!(got, want, "{name}: X bits");
    let want: Vec<i64> = c["y"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    assert_eq!(y.to_vec::<i64>(), want, "{name}: y");
}

#[test]
fn generators_give_the_tutorial_data_bit_for_bit() {
    let fx = fixture(include_str!("fixtures/datasets/datasets.json"));
    assert_same_bits("circles", make_circles(1000, 0.03, 42), case(&fx, "tutorial_circles"));
    assert_same_bits("moons", make_moons(1000, 0.07, 42), case(&fx, "tutorial_moons"));
    assert_same_bits("blobs", make_blobs(1000, 2, 4, 1.5, 42), case(&fx, "tutorial_blobs"));
    assert_same_bits("spirals", make_spirals(100, 3, 42), case(&fx, "tutorial_spirals"));
}

#[test]
fn train_test_split_gives_scikit_learns_rows() {
    let fx = fixture(include_str!("fixtures/datasets/splits.json"));
    let split = fx["splits"].as_array().unwrap().iter().find(|s| s["name"] == "tutorial_1000").unwrap();
    let idx = |k: &str| -> Vec<f64> { split[k].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect() };
    // Rows numbered 0..1000 (X carries the row number twice, y once), so the split shows which rows went where.
    let rows: Vec<f32> = (0..1000).flat_map(|i| [i as f32, i as f32]).collect();
    let x = Tensor::from_vec(rows, &[1000, 2], &Device::Cpu);
    let y = Tensor::from_vec((0..1000i64).collect(), &[1000], &Device::Cpu);
    let (x_train, x_test, y_train, y_test) = train_test_split(&x, &y, 0.2, 42);
    assert_eq!((x_train.shape(), x_test.shape()), (&[800, 2][..], &[200, 2][..]));
    let first_col = |t: &Tensor| -> Vec<f64> { t.narrow(1, 0, 1).flatten().to_f64_vec() };
    assert_eq!(first_col(&x_train), idx("train_idx"));
    assert_eq!(first_col(&x_test), idx("test_idx"));
    assert_eq!(y_train.to_f64_vec(), idx("train_idx"));
    assert_eq!(y_test.to_f64_vec(), idx("test_idx"));
}

#[test]
#[should_panic(expected = "train_test_split: X [4, 2] and y [3] have different numbers of rows")]
fn train_test_split_of_mismatched_rows_panics_naming_both_shapes() {
    let x = Tensor::zeros(&[4, 2], DType::F32, &Device::Cpu);
    let y = Tensor::zeros(&[3], DType::F32, &Device::Cpu);
    train_test_split(&x, &y, 0.25, 0);
}

#[test]
#[should_panic(expected = "make_moons")]
fn a_bad_generator_parameter_panics_naming_the_generator() {
    make_moons(10, -1.0, 0);
}

#[test]
fn plot_decision_boundary_writes_png_and_svg() {
    let dir = std::env::temp_dir().join(format!("tapegrad-tutorial-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (x, y) = make_blobs(60, 2, 3, 1.0, 0);
    let x = x.to_dtype(DType::F32);
    let model = nn::with_default_generator(|g| {
        g.manual_seed(0);
        Sequential::new().add(Linear::with_generator(2, 3, true, g, &Device::Cpu))
    });
    let files = plot_decision_boundary(&model, &x, &y, dir.join("blobs.png")).unwrap();
    assert_eq!(files, [dir.join("blobs.png"), dir.join("blobs.svg")]);
    for f in &files {
        assert!(std::fs::metadata(f).unwrap().len() > 1000, "{} is too small to be a picture", f.display());
    }
    let (x_train, x_test, y_train, y_test) = train_test_split(&x, &y, 0.2, 0);
    let files =
        plot_decision_boundaries(&model, &[("Train", &x_train, &y_train), ("Test", &x_test, &y_test)], dir.join("two"))
            .unwrap();
    assert_eq!(files[0], dir.join("two.png"));
    assert_eq!(model.num_parameters(), 9);
    std::fs::remove_dir_all(&dir).unwrap();
}
