//! The experiments library: datasets, runs, plots and the report.

pub mod datasets;
