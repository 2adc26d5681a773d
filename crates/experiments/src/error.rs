//! [`CliError`]: what the environment or the user can get wrong (a bad argument, an unwritable
//! directory, no GPU adapter), as one sentence that says what to do next. `main` prints it on one
//! line of stderr and exits with status 1: no panics, no backtraces.

use std::fmt;
use std::path::Path;

/// A user-facing error: one line, ending with what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError(pub String);

impl CliError {
    /// An error from a full sentence.
    pub fn new(message: impl Into<String>) -> CliError {
        CliError(message.into())
    }

    /// An I/O failure on `path` while doing `what` (e.g. "write the picture"), with what to do about it
    /// when the kind of failure says (a missing directory, a full disk...).
    pub fn io(what: &str, path: &Path, err: &std::io::Error) -> CliError {
        let hint = nn::atomic_file::hint(err, path).map(|h| format!(" ({h})")).unwrap_or_default();
        CliError(format!("cannot {what} {}: {err}{hint}", path.display()))
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

impl From<crate::datasets::DatasetError> for CliError {
    fn from(e: crate::datasets::DatasetError) -> CliError {
        CliError(e.message().to_string())
    }
}

/// Creates `dir` (and its parents) and checks that a file can be created in it, so that an
/// unwritable `--out` fails before any training rather than after.
pub fn ensure_writable_dir(dir: &Path) -> Result<(), CliError> {
    if std::fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
        return Err(CliError::new(format!(
            "cannot use {} as the output directory: it exists and is not a directory; name a directory",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| CliError::io("create the output directory", dir, &e))?;
    nn::atomic_file::check_writable(dir.join(".experiments-write-test"))
        .map_err(|e| CliError::io("write into the output directory", dir, &e))
}

/// Checks before any work that `write_file(path, ..)` will be able to write `path` (the value of
/// `flag`): its directory is created, and a directory, device, FIFO or socket there is refused.
pub fn prepare_output_file(flag: &str, path: &Path) -> Result<(), CliError> {
    create_parent(path)?;
    nn::atomic_file::check_writable(path).map_err(|e| CliError::io(&format!("write {flag}"), path, &e))
}

/// Writes `bytes` to `path` atomically (see [`nn::atomic_file`]: a partial file never appears, a
/// symlink is written through, a special file is refused), creating the parent directory.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    create_parent(path)?;
    nn::atomic_file::write(path, bytes).map_err(|e| CliError::io("write", path, &e))
}

fn create_parent(path: &Path) -> Result<(), CliError> {
    if let Some(parent) = path.parent() {
        if !parent.as_os_str().is_empty() {
            std::fs::create_dir_all(parent).map_err(|e| CliError::io("create the directory", parent, &e))?;
        }
    }
    Ok(())
}
