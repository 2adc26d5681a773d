//! Classification metrics on label tensors, computed as scikit-learn (and, for [`multiclass_accuracy`],
//! torchmetrics) compute them: accuracy, precision / recall / F1 with [`Average`], the confusion matrix and
//! `classification_report`'s exact text.
//!
//! Inputs are label tensors of any dtype (int64 classes, or floats like `torch.round(torch.sigmoid(logits))`)
//! and any shape (flattened); every value must be an integer. The classes are the sorted union of the labels
//! in `y_true` and `y_pred`, as scikit-learn's `unique_labels`.
//!
//! **Zero division** follows scikit-learn's default (`zero_division="warn"`): a ratio with a zero denominator
//! — the precision of a class never predicted, the recall of a class that never occurs — counts as 0, and
//! [`ClassScores::ill_defined`] says so (where scikit-learn would print an `UndefinedMetricWarning`).

use tensor::Tensor;

/// How per-class scores are combined (scikit-learn's `average=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Average {
    /// The score of the positive class (label 1) only; the labels must be a subset of {0, 1}.
    Binary,
    /// The unweighted mean of the per-class scores.
    Macro,
    /// The score of the pooled counts (for single-label multiclass: the accuracy).
    Micro,
    /// The mean of the per-class scores weighted by support (the number of true instances).
    Weighted,
}

/// The labels of a tensor as integers, flattened.
///
/// # Panics
/// When a value is not an integer (pass predicted labels, not probabilities).
#[track_caller]
fn labels(op: &str, t: &Tensor) -> Vec<i64> {
    let values = t.to_f64_vec();
    // A loop, not a closure: the panic must keep the caller's location.
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        if !(v.fract() == 0.0 && v.is_finite()) {
            metrics_misuse(format!("{op}: label {v} is not an integer (round or argmax the predictions first)"));
        }
        out.push(v as i64);
    }
    out
}

/// Both label vectors, checked to have the same length.
#[track_caller]
fn pair(op: &str, y_true: &Tensor, y_pred: &Tensor) -> (Vec<i64>, Vec<i64>) {
    let (t, p) = (labels(op, y_true), labels(op, y_pred));
    assert!(
        t.len() == p.len(),
        "{op}: y_true {:?} and y_pred {:?} have different numbers of labels ({} and {})",
        y_true.shape(),
        y_pred.shape(),
        t.len(),
        p.len()
    );
    (t, p)
}

/// The sorted union of the labels (scikit-learn's `unique_labels`).
fn unique_labels(t: &[i64], p: &[i64]) -> Vec<i64> {
    let mut l: Vec<i64> = t.iter().chain(p).copied().collect();
    l.sort_unstable();
    l.dedup();
    l
}

/// The fraction of labels predicted correctly (`sklearn.metrics.accuracy_score`); 0 for no labels.
#[track_caller]
pub fn accuracy(y_true: &Tensor, y_pred: &Tensor) -> f64 {
    let (t, p) = pair("accuracy", y_true, y_pred);
    if t.is_empty() {
        return 0.0;
    }
    t.iter().zip(&p).filter(|(a, b)| a == b).count() as f64 / t.len() as f64
}

/// The tutorial's `accuracy_fn`: the percentage of labels predicted correctly,
/// `torch.eq(y_true, y_pred).sum().item() / len(y_pred) * 100`, computed in f64 in that order
/// ([`accuracy_of`]: so 427/800 gives 53.374999..., printed `53.37`).
#[track_caller]
pub fn accuracy_fn(y_true: &Tensor, y_pred: &Tensor) -> f64 {
    let (t, p) = pair("accuracy_fn", y_true, y_pred);
    if p.is_empty() {
        // Python's `correct / len(y_pred)` raises ZeroDivisionError here.
        metrics_misuse(
            "accuracy_fn: no labels (y_pred is empty), so no accuracy (Python raises ZeroDivisionError)".into(),
        );
    }
    let correct = t.iter().zip(&p).filter(|(a, b)| a == b).count();
    accuracy_of(correct as f64, p.len())
}

/// The rest of [`accuracy_fn`] for a count of right predictions already made (on a device, say): `correct / n *
/// 100` in f64, in that order.
pub fn accuracy_of(correct: f64, n: usize) -> f64 {
    (correct / n as f64) * 100.0
}

/// The confusion matrix `[L, L]` (int64): row = true label, column = predicted label, over the sorted union of
/// the labels ([`confusion_matrix_labels`] gives them), as `sklearn.metrics.confusion_matrix`.
#[track_caller]
pub fn confusion_matrix(y_true: &Tensor, y_pred: &Tensor) -> Tensor {
    let (t, p) = pair("confusion_matrix", y_true, y_pred);
    let labels = unique_labels(&t, &p);
    let l = labels.len();
    // L² counts: refused at the caller when they cannot be had, instead of aborting the process.
    let cells = l.checked_mul(l).filter(|&c| c.checked_mul(8).is_some_and(|b| b <= isize::MAX as usize));
    let mut m: Vec<i64> = Vec::new();
    if cells.is_none_or(|c| m.try_reserve_exact(c).is_err()) {
        metrics_misuse(format!(
            "confusion_matrix: {l} distinct labels need a {l}×{l} matrix, which does not fit in memory; pass class \
             labels, not continuous values"
        ));
    }
    m.resize(l * l, 0);
    for (&a, &b) in t.iter().zip(&p) {
        m[index(&labels, a) * l + index(&labels, b)] += 1;
    }
    Tensor::from_vec(m, &[l, l], &tensor::Device::Cpu)
}

/// The labels indexing the rows and columns of [`confusion_matrix`].
#[track_caller]
pub fn confusion_matrix_labels(y_true: &Tensor, y_pred: &Tensor) -> Vec<i64> {
    let (t, p) = pair("confusion_matrix", y_true, y_pred);
    unique_labels(&t, &p)
}

/// The position of label `v` in the sorted union `labels`.
fn index(labels: &[i64], v: i64) -> usize {
    labels.binary_search(&v).unwrap_or_else(|_| unreachable!("labels are the union of both label vectors"))
}

/// `(tp, fp, fn)` per class of `labels`, from the pairs directly (no L×L matrix: any number of labels is fine).
/// `tp`: true and predicted `c`; `fp`: predicted `c`, true another; `fn`: true `c`, predicted another.
fn class_counts(t: &[i64], p: &[i64], labels: &[i64]) -> Vec<(u64, u64, u64)> {
    let mut c = vec![(0u64, 0u64, 0u64); labels.len()];
    for (&a, &b) in t.iter().zip(p) {
        let (i, j) = (index(labels, a), index(labels, b));
        if i == j {
            c[i].0 += 1;
        } else {
            c[j].1 += 1;
            c[i].2 += 1;
        }
    }
    c
}

/// Per-class scores (`precision_recall_fscore_support(average=None)`), indexed like `labels`.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassScores {
    /// The classes, sorted.
    pub labels: Vec<i64>,
    /// `tp / (tp + fp)` per class.
    pub precision: Vec<f64>,
    /// `tp / (tp + fn)` per class.
    pub recall: Vec<f64>,
    /// `2·tp / (2·tp + fp + fn)` per class.
    pub f1: Vec<f64>,
    /// The number of true instances per class.
    pub support: Vec<u64>,
    /// True when some ratio had a zero denominator and was set to 0 (scikit-learn warns).
    pub ill_defined: bool,
    /// Per-class counts `(tp, fp, fn)`.
    counts: Vec<(u64, u64, u64)>,
}

/// `a / b`, or 0 (flagged) when `b = 0`.
fn safe_div(a: f64, b: f64, flag: &mut bool) -> f64 {
    if b == 0.0 {
        *flag = true;
        0.0
    } else {
        a / b
    }
}

/// Precision, recall, F1 and support of every class (scikit-learn's `average=None`).
#[track_caller]
pub fn precision_recall_fscore_support(y_true: &Tensor, y_pred: &Tensor) -> ClassScores {
    scores("precision_recall_fscore_support", y_true, y_pred)
}

/// [`precision_recall_fscore_support`], its misuse reported under the name `op`.
#[track_caller]
fn scores(op: &str, y_true: &Tensor, y_pred: &Tensor) -> ClassScores {
    let (t, p) = pair(op, y_true, y_pred);
    let labels = unique_labels(&t, &p);
    let counts = class_counts(&t, &p, &labels);
    let n = labels.len();
    let mut s = ClassScores {
        labels,
        precision: Vec::with_capacity(n),
        recall: Vec::with_capacity(n),
        f1: Vec::with_capacity(n),
        support: Vec::with_capacity(n),
        ill_defined: false,
        counts: Vec::with_capacity(n),
    };
    for (tp, fp, fn_) in counts {
        let mut flag = false;
        s.precision.push(safe_div(tp as f64, (tp + fp) as f64, &mut flag));
        s.recall.push(safe_div(tp as f64, (tp + fn_) as f64, &mut flag));
        // F1 from the counts, as scikit-learn ≥ 1.3: (1+β²)·tp / ((1+β²)·tp + β²·fn + fp) with β = 1.
        s.f1.push(safe_div(2.0 * tp as f64, (2 * tp + fn_ + fp) as f64, &mut flag));
        s.ill_defined |= flag;
        s.support.push(tp + fn_);
        s.counts.push((tp, fp, fn_));
    }
    s
}

/// Which of precision, recall, F1.
#[derive(Clone, Copy)]
enum Score {
    Precision,
    Recall,
    F1,
}

#[track_caller]
fn averaged(op: &str, y_true: &Tensor, y_pred: &Tensor, average: Average, score: Score) -> f64 {
    let s = scores(op, y_true, y_pred);
    let per_class = match score {
        Score::Precision => &s.precision,
        Score::Recall => &s.recall,
        Score::F1 => &s.f1,
    };
    match average {
        Average::Binary => {
            assert!(
                s.labels.iter().all(|l| *l == 0 || *l == 1),
                "{op}: average=Binary needs labels in {{0, 1}}, got {:?}; choose Average::Macro, Micro or Weighted",
                s.labels
            );
            s.labels.iter().position(|&l| l == 1).map_or(0.0, |i| per_class[i])
        }
        Average::Macro => {
            if per_class.is_empty() {
                0.0
            } else {
                per_class.iter().sum::<f64>() / per_class.len() as f64
            }
        }
        Average::Weighted => {
            let total: u64 = s.support.iter().sum();
            let weighted: f64 = per_class.iter().zip(&s.support).map(|(v, &w)| v * w as f64).sum();
            safe_div(weighted, total as f64, &mut false)
        }
        Average::Micro => {
            let (tp, fp, fn_) = s.counts.iter().fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
            let (tp, fp, fn_) = (tp as f64, fp as f64, fn_ as f64);
            let mut flag = false;
            match score {
                Score::Precision => safe_div(tp, tp + fp, &mut flag),
                Score::Recall => safe_div(tp, tp + fn_, &mut flag),
                Score::F1 => safe_div(2.0 * tp, 2.0 * tp + fp + fn_, &mut flag),
            }
        }
    }
}

/// `sklearn.metrics.precision_score(y_true, y_pred, average=...)`.
#[track_caller]
pub fn precision(y_true: &Tensor, y_pred: &Tensor, average: Average) -> f64 {
    averaged("precision", y_true, y_pred, average, Score::Precision)
}

/// `sklearn.metrics.recall_score(y_true, y_pred, average=...)`.
#[track_caller]
pub fn recall(y_true: &Tensor, y_pred: &Tensor, average: Average) -> f64 {
    averaged("recall", y_true, y_pred, average, Score::Recall)
}

/// `sklearn.metrics.f1_score(y_true, y_pred, average=...)`.
#[track_caller]
pub fn f1_score(y_true: &Tensor, y_pred: &Tensor, average: Average) -> f64 {
    averaged("f1_score", y_true, y_pred, average, Score::F1)
}

/// torchmetrics' `MulticlassAccuracy(num_classes, average)(preds, target)` (note the argument order:
/// predictions first). `preds` are labels `[N]`, or scores `[N, C]` reduced by argmax over the classes.
/// `Micro` is the plain accuracy; `Macro` averages the per-class recall over the classes that occur in
/// `target` or `preds` (torchmetrics gives the others weight 0); `Weighted` weights each class's recall by its
/// support. `Binary` is not a torchmetrics option and panics.
#[track_caller]
pub fn multiclass_accuracy(preds: &Tensor, target: &Tensor, num_classes: usize, average: Average) -> f64 {
    if average == Average::Binary {
        metrics_misuse("multiclass_accuracy: average must be Micro, Macro or Weighted".into());
    }
    let preds = if preds.rank() == 2 && preds.dtype().is_float() { preds.argmax(1usize) } else { preds.clone() };
    let (t, p) = pair("multiclass_accuracy", target, &preds);
    // Counts of the classes that occur only (a class that never occurs has weight 0 in every average), so any
    // `num_classes` costs nothing: `(tp, fp, fn)` per class, in class order.
    let mut counts: std::collections::BTreeMap<usize, (u64, u64, u64)> = std::collections::BTreeMap::new();
    let in_range = |v: i64| v >= 0 && (v as u64) < num_classes as u64;
    for (&a, &b) in t.iter().zip(&p) {
        if !(in_range(a) && in_range(b)) {
            metrics_misuse(format!(
                "multiclass_accuracy: label {} is outside 0..{num_classes}",
                if in_range(a) { b } else { a }
            ));
        }
        let (a, b) = (a as usize, b as usize);
        if a == b {
            counts.entry(a).or_default().0 += 1;
        } else {
            counts.entry(b).or_default().1 += 1;
            counts.entry(a).or_default().2 += 1;
        }
    }
    if average == Average::Micro {
        let tp: u64 = counts.values().map(|c| c.0).sum();
        return safe_div(tp as f64, t.len() as f64, &mut false);
    }
    // Macro: every class that occurs weighs 1; Weighted: its support. Each term is its class's recall.
    let (mut weighted, mut total) = (0.0, 0.0);
    for &(tp, _fp, fn_) in counts.values() {
        let recall = safe_div(tp as f64, (tp + fn_) as f64, &mut false);
        let w = if average == Average::Macro { 1.0 } else { (tp + fn_) as f64 };
        weighted += recall * w;
        total += w;
    }
    safe_div(weighted, total, &mut false)
}

/// Panics at the caller of a metric with `message`.
#[cold]
#[track_caller]
fn metrics_misuse(message: String) -> ! {
    panic!("{message}")
}

/// `sklearn.metrics.classification_report(y_true, y_pred, target_names, digits)` — the same text, to the
/// character: per-class precision, recall, F1 and support, then the accuracy, macro and weighted averages.
/// `target_names` (one per class, in sorted label order) replace the labels; `digits` is 2 by default in
/// scikit-learn.
///
/// # Panics
/// When `target_names` does not have one name per class, or `digits` is over 17 (an f64 has no more).
#[track_caller]
pub fn classification_report(y_true: &Tensor, y_pred: &Tensor, target_names: Option<&[&str]>, digits: usize) -> String {
    if digits > 17 {
        metrics_misuse(format!("classification_report: digits {digits} is over 17, the most an f64 holds"));
    }
    let s = scores("classification_report", y_true, y_pred);
    let names: Vec<String> = match target_names {
        Some(n) => {
            assert!(
                n.len() == s.labels.len(),
                "classification_report: {} target names for {} classes {:?}",
                n.len(),
                s.labels.len(),
                s.labels
            );
            n.iter().map(|s| s.to_string()).collect()
        }
        None => s.labels.iter().map(|l| l.to_string()).collect(),
    };
    let headers = ["precision", "recall", "f1-score", "support"];
    let last_heading = "weighted avg";
    let name_width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
    let width = name_width.max(last_heading.len()).max(digits);

    // head_fmt = "{:>{width}s} " + " {:>9}" * 4
    let mut out = format!("{:>width$} ", "");
    for h in headers {
        out += &format!(" {h:>9}");
    }
    out += "\n\n";
    // row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
    let row = |name: &str, p: f64, r: f64, f: f64, support: u64| -> String {
        format!("{name:>width$}  {p:>9.digits$} {r:>9.digits$} {f:>9.digits$} {support:>9}\n")
    };
    for i in 0..s.labels.len() {
        out += &row(&names[i], s.precision[i], s.recall[i], s.f1[i], s.support[i]);
    }
    out += "\n";
    let total: u64 = s.support.iter().sum();
    // Single-label multiclass or binary: the micro average is the accuracy, printed on its own line.
    let (tp, fp, fn_) = s.counts.iter().fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
    let micro_f1 = safe_div(2.0 * tp as f64, (2 * tp + fp + fn_) as f64, &mut false);
    out += &format!("{:>width$}  {:>9} {:>9} {micro_f1:>9.digits$} {total:>9}\n", "accuracy", "", "");
    let n = s.labels.len().max(1) as f64;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n;
    out += &row("macro avg", mean(&s.precision), mean(&s.recall), mean(&s.f1), total);
    let weighted =
        |v: &[f64]| safe_div(v.iter().zip(&s.support).map(|(x, &w)| x * w as f64).sum(), total as f64, &mut false);
    out += &row("weighted avg", weighted(&s.precision), weighted(&s.recall), weighted(&s.f1), total);
    out
}
