//! The gate of every GPU test: [`gpu_or_skip`].

use crate::device::Device;

/// The GPU device, or `None` after a loud `!!! SKIPPED` line on stderr when there is no adapter — except under
/// `CI=true`, where a missing adapter is a failure (CI installs lavapipe, so a skip there would hide a bug).
///
/// ```no_run
/// let Some(gpu) = tensor::gpu::testing::gpu_or_skip() else { return };
/// ```
#[track_caller]
pub fn gpu_or_skip() -> Option<Device> {
    match Device::gpu() {
        Ok(d) => Some(d),
        Err(e) => {
            if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
                panic!("CI=true and no GPU adapter: {e}");
            }
            eprintln!("!!! SKIPPED: no GPU adapter ({e}) — {} did not run on the GPU", std::panic::Location::caller());
            None
        }
    }
}
