//! The data of each run, exactly as the tutorial feeds it to the model: float32 features
//! (`torch.from_numpy(X).type(torch.float)`), labels as float32 for the binary runs
//! (`BCEWithLogitsLoss` wants float targets) or int64 for the multi-class runs, and the split
//! `train_test_split(X, y, test_size=0.2, random_state=42)` (the straight line: the first 80 rows).
//!
//! The data never depend on `--seed`: the tutorial generates them with `random_state=42`, and
//! `--seed` only seeds the model's initial weights (`torch.manual_seed`).

use crate::datasets::{
    BlobCenters, BlobSamples, Blobs, Circles, ClusterStd, Dataset, LineDataset, LineParams, Moons, Spirals,
    TwoGroupSamples,
};
use crate::error::CliError;

/// Which generator a run trains on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DataKind {
    /// `make_circles(1000, noise=0.03, random_state=42)`.
    Circles,
    /// `make_moons(1000, noise, random_state=42)`.
    Moons {
        /// Gaussian noise (the exercise uses 0.07).
        noise: f64,
    },
    /// `make_blobs(1000, n_features=2, centers=4, cluster_std=1.5, random_state=42)`.
    Blobs,
    /// The CS231n spirals, `N=100, K=3`, `np.random.seed(42)`.
    Spirals,
    /// `y = 0.7 x + 0.3` on `arange(0, 1, 0.01)`, first 80 points train.
    Line,
    /// `make_blobs(samples, n_features=32, centers=10, cluster_std=2.0, random_state=42)`, the
    /// `blobs-large` run's: 100,000 samples unless `--samples` says otherwise.
    BlobsLarge {
        /// `n_samples`.
        samples: usize,
    },
}

/// Train and test sets, row-major float32 features.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainData {
    /// Train features, `n_train x n_features`.
    pub x_train: Vec<f32>,
    /// Test features, `n_test x n_features`.
    pub x_test: Vec<f32>,
    /// Train targets: class ids (as f32) for classification, y values for the line.
    pub y_train: Vec<f32>,
    /// Test targets.
    pub y_test: Vec<f32>,
    /// Columns of the features.
    pub n_features: usize,
    /// Number of classes (1 for the regression line).
    pub n_classes: usize,
}

impl TrainData {
    /// Rows in the train set.
    pub fn n_train(&self) -> usize {
        self.y_train.len()
    }

    /// Rows in the test set.
    pub fn n_test(&self) -> usize {
        self.y_test.len()
    }
}

fn from_split(train: &Dataset, test: &Dataset, n_classes: usize) -> TrainData {
    TrainData {
        x_train: train.x_f32(),
        x_test: test.x_f32(),
        y_train: train.y.iter().map(|&v| v as f32).collect(),
        y_test: test.y.iter().map(|&v| v as f32).collect(),
        n_features: train.n_features,
        n_classes,
    }
}

/// The whole dataset (before the split) of a classification run, for the `dataset` command and
/// the pictures.
pub fn generate(kind: DataKind) -> Result<Dataset, CliError> {
    let ds = match kind {
        DataKind::Circles => Circles {
            n_samples: TwoGroupSamples::Total(1000),
            noise: Some(0.03),
            random_state: 42,
            ..Circles::default()
        }
        .generate()?,
        DataKind::Moons { noise } => {
            Moons { n_samples: TwoGroupSamples::Total(1000), noise: Some(noise), random_state: 42, ..Moons::default() }
                .generate()?
        }
        DataKind::Blobs => Blobs {
            n_samples: BlobSamples::Total(1000),
            n_features: 2,
            centers: Some(BlobCenters::Count(4)),
            cluster_std: ClusterStd::Same(1.5),
            random_state: 42,
            ..Blobs::default()
        }
        .generate()?,
        DataKind::Spirals => Spirals { points_per_class: 100, classes: 3, seed: 42 }.generate()?,
        DataKind::BlobsLarge { samples } => Blobs {
            n_samples: BlobSamples::Total(samples),
            n_features: 32,
            centers: Some(BlobCenters::Count(10)),
            cluster_std: ClusterStd::Same(2.0),
            random_state: 42,
            ..Blobs::default()
        }
        .generate()?,
        DataKind::Line => {
            let line = LineDataset::generate(&LineParams::default())?;
            Dataset {
                x: line.x.iter().map(|&v| v as f64).collect(),
                y: vec![0; line.x.len()],
                n_samples: line.x.len(),
                n_features: 1,
            }
        }
    };
    Ok(ds)
}

/// The train/test tensors' contents for a run.
pub fn load(kind: DataKind) -> Result<TrainData, CliError> {
    if kind == DataKind::Line {
        let line = LineDataset::generate(&LineParams::default())?;
        let (xtr, ytr) = line.train();
        let (xte, yte) = line.test();
        return Ok(TrainData {
            x_train: xtr.to_vec(),
            x_test: xte.to_vec(),
            y_train: ytr.to_vec(),
            y_test: yte.to_vec(),
            n_features: 1,
            n_classes: 1,
        });
    }
    let ds = generate(kind)?;
    let n_classes = match kind {
        DataKind::Blobs => 4,
        DataKind::Spirals => 3,
        DataKind::BlobsLarge { .. } => 10,
        _ => 2,
    };
    let (train, test) = ds.split(0.2, 42)?;
    Ok(from_split(&train, &test, n_classes))
}
