//! Files that never lose data: every file tapegrad writes (checkpoints, optimizer states, and the experiments'
//! JSON, reports and pictures) is replaced atomically, and every file it reads is checked to be a regular file
//! first. What lives here and nothing else: paths, temporaries, renames, syncs.
//!
//! How [`write()`] replaces `path`:
//!
//! ```text
//! target = path with every symlink followed        // a link stays a link; its target gets the content
//! refuse target if it is a directory, device, FIFO or socket (never replaced)
//! remove stale temporaries of target left by killed savers (their process is gone)
//! tmp = <dir>/.<name>.tapegrad.<pid>.<counter>.<random>.tmp   created with O_EXCL, so unique
//! write the bytes to tmp, sync_all(tmp)            // the data is on disk before the name points at it
//! rename(tmp, target)                              // atomic: readers see the old file or the new one
//! sync_all(dir)                                    // the rename itself is on disk (best effort)
//! ```
//!
//! Consequences, each checked by `tests/reliability.rs`:
//!
//! * A crash or `SIGKILL` at any moment leaves the old file or the new one, whole, never a mix.
//! * Concurrent savers (threads or processes) each write their own temporary and rename it: every save
//!   succeeds, and the file ends as one whole version (the last rename wins).
//! * A temporary left by a killed save is removed by the next save to the same path. Only temporaries whose
//!   process is gone are removed (`/proc/<pid>` on Linux; elsewhere, temporaries older than an hour), so a live
//!   concurrent saver's temporary is never touched — with one caveat: savers in *another PID namespace*
//!   (containers sharing a directory) look dead, so do not save to one path from two containers at once.
//! * Symlinks are written through: `model.safetensors -> runs/7/model.safetensors` keeps the link and replaces
//!   its target, atomically in the target's directory. A dangling link creates its target.
//! * A path that is a directory, a block or character device (`/dev/null`, `/dev/full`), a FIFO or a socket is
//!   refused with an error that says so; it is never replaced. [`read()`] refuses them too (a FIFO would block
//!   forever, `/dev/zero` would never end).
//! * Errors are `std::io::Error`s whose text names what is wrong; [`hint`] adds what to do about it.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// The marker between the file's name and the saver's identity in a temporary's name.
const MARKER: &str = "tapegrad";

/// Symlinks followed before giving up (Linux's own limit).
const MAX_SYMLINKS: usize = 40;

/// A temporary whose process cannot be checked is stale after this long; one whose process id is alive but
/// which has not been touched for [`REUSED_PID_AGE`] belongs to a recycled process id.
const UNKNOWN_OWNER_AGE: Duration = Duration::from_secs(60 * 60);
const REUSED_PID_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Writes `bytes` to `path` atomically and durably (see the module doc).
///
/// # Errors
/// When `path` names a directory or a special file, its directory does not exist or is not writable, the disk
/// is full...: the file at `path`, if any, is then unchanged and no temporary is left behind.
pub fn write(path: impl AsRef<Path>, bytes: &[u8]) -> io::Result<()> {
    write_with(path, |file| file.write_all(bytes))
}

/// Like [`write()`], with the content written by `fill` into the temporary file (for writers that stream).
///
/// # Errors
/// As [`write()`], and whatever `fill` returns.
pub fn write_with(path: impl AsRef<Path>, fill: impl FnOnce(&mut File) -> io::Result<()>) -> io::Result<()> {
    let target = resolve_target(path.as_ref())?;
    let (dir, name) = split(&target)?;
    remove_stale_temporaries(&dir, &name);
    let (tmp, mut file) = create_temporary(&dir, &name)?;
    let result = (|| {
        // Keep the permissions of the file being replaced (a file the user made private stays private).
        if let Ok(old) = fs::metadata(&target) {
            let _ = file.set_permissions(old.permissions());
        }
        fill(&mut file)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&tmp, &target)?;
        // Make the rename itself durable. Best effort: not every platform or file system can sync a directory.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Checks, without writing anything, that [`write()`] to `path` can succeed as far as the file system can tell
/// now: the path is not a directory or special file, its directory exists, and a file can be created in it (a
/// temporary is created and removed). Lets a program refuse a bad output path before hours of work.
///
/// # Errors
/// As [`write()`].
pub fn check_writable(path: impl AsRef<Path>) -> io::Result<()> {
    let target = resolve_target(path.as_ref())?;
    let (dir, name) = split(&target)?;
    let (tmp, file) = create_temporary(&dir, &name)?;
    drop(file);
    fs::remove_file(&tmp)
}

/// Reads the whole file at `path`, refusing what is not a regular file (after following symlinks).
///
/// # Errors
/// A missing file, a directory, a device, FIFO or socket, or a failed read.
pub fn read(path: impl AsRef<Path>) -> io::Result<Vec<u8>> {
    let path = path.as_ref();
    check_kind("", &fs::metadata(path)?)?;
    let mut file = File::open(path)?;
    // Checked again on the open file, in case the path was swapped in between.
    check_kind("", &file.metadata()?)?;
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut file, &mut bytes)?;
    Ok(bytes)
}

/// `path` with every symlink followed, as the file [`write()`] will replace: an existing regular file, or a path
/// that does not exist yet (a new file, or the target of a dangling link).
///
/// # Errors
/// A directory, device, FIFO or socket; a symlink loop; a path that ends with `/`.
pub fn resolve_target(path: &Path) -> io::Result<PathBuf> {
    if path.as_os_str().is_empty() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "the path is empty: name a file"));
    }
    if ends_with_separator(path) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path ends with '/', which names a directory: name a file",
        ));
    }
    let mut p = path.to_path_buf();
    for _ in 0..MAX_SYMLINKS {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = fs::read_link(&p)?;
                p = if link.is_absolute() { link } else { p.parent().unwrap_or(Path::new("")).join(link) };
            }
            Ok(m) => {
                // Named as the caller named it; a link's target is named too.
                let through = (p != path).then(|| format!("its target {} ", p.display()));
                check_kind(through.as_deref().unwrap_or(""), &m)?;
                return Ok(p);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(p),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("more than {MAX_SYMLINKS} symbolic links to follow (a loop?)"),
    ))
}

/// What to do about a failed write of `path`, for the kinds of error that have a clear remedy.
pub fn hint(err: &io::Error, path: &Path) -> Option<String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.display().to_string(),
        _ => ".".to_string(),
    };
    Some(match err.kind() {
        io::ErrorKind::NotFound => format!("the directory {dir} does not exist: create it first"),
        io::ErrorKind::PermissionDenied => {
            format!("no permission to write in {dir}: pick another directory or change its permissions")
        }
        io::ErrorKind::StorageFull => "the disk is full: free some space and try again".to_string(),
        io::ErrorKind::QuotaExceeded => "the disk quota is exhausted: free some space and try again".to_string(),
        io::ErrorKind::FileTooLarge => {
            "the file is larger than the file system or the process's file-size limit (ulimit -f) allows".to_string()
        }
        io::ErrorKind::ReadOnlyFilesystem => format!("{dir} is on a read-only file system: write elsewhere"),
        _ => return None,
    })
}

/// Refuses what must never be replaced or read as a file. The message reads after "cannot write <path>: ";
/// `through` names a symlink's target (`"its target /x/y "`) or is empty.
fn check_kind(through: &str, m: &fs::Metadata) -> io::Result<()> {
    let ft = m.file_type();
    let it = if through.is_empty() { "it " } else { through };
    if ft.is_file() {
        return Ok(());
    }
    if ft.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            format!("{it}is a directory: name a file (inside it, for example)"),
        ));
    }
    let what = special_kind(&ft).unwrap_or("not a regular file");
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{it}is {what}, not a regular file: refusing to use it (name a regular file)"),
    ))
}

#[cfg(unix)]
fn special_kind(ft: &fs::FileType) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_char_device() {
        Some("a character device")
    } else if ft.is_block_device() {
        Some("a block device")
    } else if ft.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if ft.is_socket() {
        Some("a socket")
    } else {
        None
    }
}

#[cfg(not(unix))]
fn special_kind(_: &fs::FileType) -> Option<&'static str> {
    None
}

fn ends_with_separator(path: &Path) -> bool {
    let s = path.as_os_str().to_string_lossy();
    s.ends_with('/') || s.ends_with(std::path::MAIN_SEPARATOR)
}

/// The directory (`.` for a bare name) and the file name of a resolved target.
fn split(target: &Path) -> io::Result<(PathBuf, OsString)> {
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path does not name a file"))?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((dir, name.to_os_string()))
}

/// `.<name>.tapegrad.` — what every temporary of `name` starts with. Long names are cut so that the
/// temporary's name stays under the usual 255-byte limit.
fn temporary_prefix(name: &OsString) -> String {
    let mut base = name.to_string_lossy().into_owned();
    if base.len() > 150 {
        let mut cut = 150;
        while !base.is_char_boundary(cut) {
            cut -= 1;
        }
        base.truncate(cut);
    }
    format!(".{base}.{MARKER}.")
}

/// A new temporary in `dir`, created exclusively: `<prefix><pid>.<counter>.<random>.tmp`.
fn create_temporary(dir: &Path, name: &OsString) -> io::Result<(PathBuf, File)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let prefix = temporary_prefix(name);
    let pid = std::process::id();
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!("{prefix}{pid}.{n}.{:016x}.tmp", random_u64(n)));
        match OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            // Someone (a process of a recycled id?) holds this exact name: draw another.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// 64 bits from the standard library's per-process random hash keys mixed with the clock.
fn random_u64(salt: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(salt);
    if let Ok(t) = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    h.finish()
}

/// The process id in a temporary's name, when `file_name` is one of `prefix`'s temporaries.
fn temporary_owner(file_name: &str, prefix: &str) -> Option<u32> {
    let rest = file_name.strip_prefix(prefix)?.strip_suffix(".tmp")?;
    let mut fields = rest.split('.');
    let pid = fields.next()?.parse().ok()?;
    let counter_ok = fields.next()?.parse::<u64>().is_ok();
    let random_ok = fields.next().is_some_and(|r| r.len() == 16 && u64::from_str_radix(r, 16).is_ok());
    (counter_ok && random_ok && fields.next().is_none()).then_some(pid)
}

/// Whether the process `pid` is gone: `Some(true)` when it does not exist or is a zombie, `None` when this
/// platform cannot tell.
fn process_is_gone(pid: u32) -> Option<bool> {
    if !Path::new("/proc/self/stat").exists() {
        return None;
    }
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state is the first field after the command name, which is in parentheses.
        Ok(stat) => Some(
            stat.rsplit_once(')').is_some_and(|(_, rest)| matches!(rest.trim_start().chars().next(), Some('Z' | 'X'))),
        ),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Some(true),
        Err(_) => None,
    }
}

/// Removes the temporaries of `name` in `dir` whose saver is gone (best effort: errors are ignored, a
/// temporary another saver removes first is fine).
fn remove_stale_temporaries(dir: &Path, name: &OsString) {
    let prefix = temporary_prefix(name);
    let me = std::process::id();
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(owner) = file_name.to_str().and_then(|f| temporary_owner(f, &prefix)) else { continue };
        if owner == me {
            continue; // this process's own savers are alive (other threads)
        }
        let age = entry.metadata().ok().and_then(|m| m.modified().ok()).and_then(|t| t.elapsed().ok());
        let stale = match process_is_gone(owner) {
            Some(true) => true,
            Some(false) => age.is_some_and(|a| a > REUSED_PID_AGE),
            None => age.is_some_and(|a| a > UNKNOWN_OWNER_AGE),
        };
        if stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporaries_are_recognised_by_name_only_for_their_file() {
        let prefix = temporary_prefix(&OsString::from("model.safetensors"));
        assert_eq!(prefix, ".model.safetensors.tapegrad.");
        let name = format!("{prefix}1234.7.00112233aabbccdd.tmp");
        assert_eq!(temporary_owner(&name, &prefix), Some(1234));
        // Another file's temporary, a user's file, a damaged name.
        assert_eq!(temporary_owner(".model.safetensors.bak.tapegrad.1.2.00112233aabbccdd.tmp", &prefix), None);
        assert_eq!(temporary_owner(".model.safetensors.tapegrad.notes.tmp", &prefix), None);
        assert_eq!(temporary_owner(&format!("{prefix}12.7.0011.tmp"), &prefix), None);
        assert_eq!(temporary_owner(&format!("{prefix}12.7.00112233aabbccdd.0.tmp"), &prefix), None);
    }

    #[test]
    fn long_names_keep_temporaries_under_the_name_limit() {
        let long = OsString::from("é".repeat(120));
        let p = temporary_prefix(&long);
        // The longest temporary: prefix, pid, counter, 16 hex digits, the dots and `.tmp`.
        let longest = p.len() + u32::MAX.to_string().len() + u64::MAX.to_string().len() + 16 + 3 + 4;
        assert!(longest <= 255, "{longest}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_is_alive_and_an_unused_pid_is_gone() {
        assert_eq!(process_is_gone(std::process::id()), Some(false));
        // Above the kernel's pid_max (at most 2^22).
        assert_eq!(process_is_gone(u32::MAX - 1), Some(true));
    }
}
