//! `experiments dataset NAME`: a dataset's rows as JSON, with the flags the dataset uses checked first.

use super::*;

fn rows(d: &Dataset) -> Value {
    Value::Array(d.x.chunks(d.n_features.max(1)).map(|r| json!(r)).collect())
}

/// The flags of `dataset` that the chosen generator would ignore, and the bounds that involve two
/// flags.
fn check_dataset_flags(args: &DatasetArgs) -> Result<(), CliError> {
    use DatasetName::*;
    let given = [
        ("--samples", args.samples.is_some(), [Circles, Moons, Blobs].as_slice()),
        ("--noise", args.noise.is_some(), &[Circles, Moons]),
        ("--factor", args.factor.is_some(), &[Circles]),
        ("--features", args.features.is_some(), &[Blobs]),
        ("--centers", args.centers.is_some(), &[Blobs]),
        ("--std", args.std.is_some(), &[Blobs]),
        ("--points-per-class", args.points_per_class.is_some(), &[Spirals]),
        ("--classes", args.classes.is_some(), &[Spirals]),
        ("--seed", args.seed.is_some(), &[Circles, Moons, Blobs, Spirals]),
        ("--split-seed", args.split_seed.is_some(), &[Circles, Moons, Blobs, Spirals]),
    ];
    let name = format!("{:?}", args.name).to_lowercase();
    for (flag, is_given, used_by) in given {
        if is_given && !used_by.contains(&args.name) {
            let users: Vec<String> = used_by.iter().map(|d| format!("{d:?}").to_lowercase()).collect();
            return Err(ignored(flag, &format!("the {name} generator"), &format!("only {} do", users.join(", "))));
        }
    }
    let values = match args.name {
        Blobs => args.samples.unwrap_or(100).saturating_mul(args.features.unwrap_or(2)),
        _ => 0,
    };
    if values > limits::MAX_VALUES {
        return Err(CliError::new(format!(
            "--samples {} × --features {} = {values} values: at most {} (the dataset and its JSON are built in memory)",
            args.samples.unwrap_or(100),
            args.features.unwrap_or(2),
            limits::MAX_VALUES
        )));
    }
    let points = args.points_per_class.unwrap_or(100).saturating_mul(args.classes.unwrap_or(3));
    if args.name == Spirals && points > limits::MAX_SAMPLES {
        return Err(CliError::new(format!(
            "--points-per-class {} × --classes {} = {points} samples: at most {} (the dataset and its JSON are built \
             in memory)",
            args.points_per_class.unwrap_or(100),
            args.classes.unwrap_or(3),
            limits::MAX_SAMPLES
        )));
    }
    Ok(())
}

/// `experiments dataset`.
pub fn dataset(args: DatasetArgs) -> Result<(), CliError> {
    check_dataset_flags(&args)?;
    prepare_json(&args.json)?;
    let value = if args.name == DatasetName::Line {
        let line =
            LineDataset::generate(&LineParams { train_fraction: 1.0 - args.test_size, ..LineParams::default() })?;
        if line.train().0.is_empty() || line.test().0.is_empty() {
            return Err(CliError::new(format!(
                "--test-size {}: the line's {} points would leave the train or the test set empty; pass e.g. 0.2",
                args.test_size,
                line.x.len()
            )));
        }
        let col = |v: &[f32]| Value::Array(v.iter().map(|&x| json!([x])).collect());
        let (xtr, ytr) = line.train();
        let (xte, yte) = line.test();
        json!({"X": col(&line.x), "y": col(&line.y), "X_train": col(xtr), "X_test": col(xte), "y_train": col(ytr), "y_test": col(yte)})
    } else {
        let ds = match args.name {
            DatasetName::Circles => Circles {
                n_samples: TwoGroupSamples::Total(args.samples.unwrap_or(100)),
                noise: args.noise,
                factor: args.factor.unwrap_or(0.8),
                random_state: args.seed.unwrap_or(42),
                ..Circles::default()
            }
            .generate()?,
            DatasetName::Moons => Moons {
                n_samples: TwoGroupSamples::Total(args.samples.unwrap_or(100)),
                noise: args.noise,
                random_state: args.seed.unwrap_or(42),
                ..Moons::default()
            }
            .generate()?,
            DatasetName::Blobs => Blobs {
                n_samples: BlobSamples::Total(args.samples.unwrap_or(100)),
                n_features: args.features.unwrap_or(2),
                centers: Some(BlobCenters::Count(args.centers.unwrap_or(3))),
                cluster_std: ClusterStd::Same(args.std.unwrap_or(1.0)),
                random_state: args.seed.unwrap_or(42),
                ..Blobs::default()
            }
            .generate()?,
            DatasetName::Spirals => Spirals {
                points_per_class: args.points_per_class.unwrap_or(100),
                classes: args.classes.unwrap_or(3),
                seed: args.seed.unwrap_or(42),
            }
            .generate()?,
            DatasetName::Line => unreachable!("handled above"),
        };
        let (train, test) = ds.split(args.test_size, args.split_seed.unwrap_or(42))?;
        json!({"X": rows(&ds), "y": ds.y, "X_train": rows(&train), "X_test": rows(&test), "y_train": train.y, "y_test": test.y})
    };
    let text = serde_json::to_string(&value).map_err(|e| CliError::new(format!("cannot encode the dataset: {e}")))?;
    write_json(&args.json, &text)
}
