//! The hints of `nn`'s error messages that the reliability catalogue (`tests/reliability.rs`, which
//! checks each case's hint among its key words) cannot reach by a real failure: a full disk, an
//! exhausted quota, a read-only file system. Each is triggered here through
//! [`nn::atomic_file::hint`], the one place every save takes its advice from, and its text checked.

use nn::atomic_file::hint;
use std::io::{Error, ErrorKind};
use std::path::Path;

fn advice(kind: ErrorKind) -> String {
    hint(&Error::from(kind), Path::new("/models/run1/model.safetensors")).unwrap_or_default()
}

#[test]
fn a_full_disk_or_quota_says_free_some_space() {
    assert_eq!(advice(ErrorKind::StorageFull), "the disk is full: free some space and try again");
    assert_eq!(advice(ErrorKind::QuotaExceeded), "the disk quota is exhausted: free some space and try again");
}

#[test]
fn a_read_only_file_system_says_write_elsewhere() {
    assert_eq!(advice(ErrorKind::ReadOnlyFilesystem), "/models/run1 is on a read-only file system: write elsewhere");
}

#[test]
fn a_missing_directory_or_permission_names_the_directory_and_the_fix() {
    assert_eq!(advice(ErrorKind::NotFound), "the directory /models/run1 does not exist: create it first");
    assert_eq!(
        advice(ErrorKind::PermissionDenied),
        "no permission to write in /models/run1: pick another directory or change its permissions"
    );
    // A bare file name is in the current directory.
    let bare = hint(&Error::from(ErrorKind::NotFound), Path::new("model.safetensors")).unwrap();
    assert_eq!(bare, "the directory . does not exist: create it first");
}

#[test]
fn errors_without_a_clear_remedy_get_no_hint() {
    assert_eq!(hint(&Error::from(ErrorKind::Interrupted), Path::new("m")), None);
}
