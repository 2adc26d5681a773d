//! Metrics against scikit-learn and torchmetrics (`tests/fixtures/metrics.json`): accuracy, per-class and
//! averaged precision / recall / F1 (with zero divisions), confusion matrices, and `classification_report`'s
//! text character for character.

mod common;

use common::*;
use nn::metrics::*;
use serde_json::Value;
use tensor::Tensor;

fn labels(v: &Value) -> Tensor {
    let data: Vec<i64> = v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
    let n = data.len();
    Tensor::new(&data, &[n])
}

fn average(name: &str) -> Average {
    match name {
        "macro" => Average::Macro,
        "micro" => Average::Micro,
        "weighted" => Average::Weighted,
        "binary" => Average::Binary,
        other => panic!("unknown average {other}"),
    }
}

#[test]
fn metrics_match_scikit_learn_and_torchmetrics() {
    for case in fixture("metrics.json").as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (t, p) = (labels(&case["y_true"]), labels(&case["y_pred"]));
        assert_close(&format!("{name}: accuracy"), &[accuracy(&t, &p)], &[num(&case["accuracy"])], 1e-12, 0.0);
        assert_close(
            &format!("{name}: accuracy_fn"),
            &[accuracy_fn(&t, &p)],
            &[100.0 * num(&case["accuracy"])],
            1e-12,
            0.0,
        );

        let cm = confusion_matrix(&t, &p);
        let want: Vec<Vec<i64>> = case["confusion_matrix"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect())
            .collect();
        assert_eq!(cm.to_vec2::<i64>(), want, "{name}: confusion matrix");
        let want_labels: Vec<i64> = case["labels"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
        assert_eq!(confusion_matrix_labels(&t, &p), want_labels);

        let s = precision_recall_fscore_support(&t, &p);
        let pc = &case["per_class"];
        assert_close(&format!("{name}: precision per class"), &s.precision, &f64s(&pc["precision"]), 1e-12, 0.0);
        assert_close(&format!("{name}: recall per class"), &s.recall, &f64s(&pc["recall"]), 1e-12, 0.0);
        assert_close(&format!("{name}: f1 per class"), &s.f1, &f64s(&pc["f1"]), 1e-12, 0.0);
        let support: Vec<u64> = pc["support"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect();
        assert_eq!(s.support, support, "{name}: support");
        assert_eq!(s.ill_defined, name.starts_with("never"), "{name}: zero-division flag");

        for (avg, scores) in case["averages"].as_object().unwrap() {
            let a = average(avg);
            let what = format!("{name}: {avg}");
            assert_close(
                &format!("{what} precision"),
                &[precision(&t, &p, a)],
                &[num(&scores["precision"])],
                1e-12,
                0.0,
            );
            assert_close(&format!("{what} recall"), &[recall(&t, &p, a)], &[num(&scores["recall"])], 1e-12, 0.0);
            assert_close(&format!("{what} f1"), &[f1_score(&t, &p, a)], &[num(&scores["f1"])], 1e-12, 0.0);
        }

        let tm = &case["torchmetrics"];
        let k = tm["num_classes"].as_u64().unwrap() as usize;
        for (avg, a) in [("micro", Average::Micro), ("macro", Average::Macro), ("weighted", Average::Weighted)] {
            // torchmetrics computes in float32.
            assert_close(
                &format!("{name}: torchmetrics {avg}"),
                &[multiclass_accuracy(&p, &t, k, a)],
                &[num(&tm[avg])],
                1e-6,
                0.0,
            );
        }

        assert_eq!(classification_report(&t, &p, None, 2), case["report"].as_str().unwrap(), "{name}: report");
        assert_eq!(
            classification_report(&t, &p, None, 4),
            case["report_digits4"].as_str().unwrap(),
            "{name}: digits=4"
        );
        if let Some(names) = case.get("target_names") {
            let names: Vec<&str> = names.as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
            assert_eq!(
                classification_report(&t, &p, Some(&names), 2),
                case["report_named"].as_str().unwrap(),
                "{name}: report with target names"
            );
        }
    }
}

#[test]
fn float_labels_and_score_matrices_are_accepted() {
    // The tutorial's binary predictions are floats from torch.round(torch.sigmoid(logits)).
    let y_true = Tensor::new(&[1.0f32, 0.0, 1.0, 1.0], &[4]);
    let y_pred = Tensor::new(&[1.0f32, 0.0, 0.0, 1.0], &[4]);
    assert_eq!(accuracy_fn(&y_true, &y_pred), 75.0);
    assert_eq!(precision(&y_true, &y_pred, Average::Binary), 1.0);
    assert!((recall(&y_true, &y_pred, Average::Binary) - 2.0 / 3.0).abs() < 1e-15);
    // Scores [N, C] are reduced by argmax for multiclass_accuracy.
    let scores = Tensor::new(&[0.1f32, 0.9, 0.8, 0.2, 0.3, 0.7], &[3, 2]);
    let target = Tensor::new(&[1i64, 0, 0], &[3]);
    assert!((multiclass_accuracy(&scores, &target, 2, Average::Micro) - 2.0 / 3.0).abs() < 1e-15);
}

#[test]
#[should_panic(expected = "is not an integer")]
fn probabilities_are_not_labels() {
    accuracy(&Tensor::new(&[1.0f32, 0.0], &[2]), &Tensor::new(&[0.7f32, 0.2], &[2]));
}

#[test]
#[should_panic(expected = "average=Binary needs labels in {0, 1}")]
fn binary_average_of_multiclass_labels_is_refused() {
    precision(&Tensor::new(&[0i64, 1, 2], &[3]), &Tensor::new(&[0i64, 2, 1], &[3]), Average::Binary);
}
