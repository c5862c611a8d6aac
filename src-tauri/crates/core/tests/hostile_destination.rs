//! A restore destination that changes under the restore (someone who can
//! write it swaps a restored folder for a link), and extended attributes
//! that must be filtered or kept in the right order.

mod common;

use cairn_core::jobs::backup;
use cairn_core::progress::{CancelToken, NoProgress, ProgressSink, ProgressSnapshot};
use cairn_core::repo::Repository;
use cairn_core::restore::{self, Destination, RestoreReport, RestoreSpec};
use cairn_core::storage::{LocalStorage, Storage};
use cairn_model::LogLevel;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn repo(dir: &Path) -> Repository {
    let storage: Arc<dyn Storage> =
        Arc::new(LocalStorage::open(&dir.join("repo"), true).expect("storage"));
    Repository::init(storage, "dest", "test").expect("init")
}

fn back_up(repo: &Repository, src: &Path) -> cairn_core::format::manifest::Manifest {
    let ks = repo.default_keyset().expect("keyset");
    let spec = common::spec("b", src);
    backup::run(repo, &ks, &spec, Arc::new(NoProgress), &CancelToken::new())
        .expect("backup")
        .manifest
}

fn restore_to(
    repo: &Repository,
    m: &cairn_core::format::manifest::Manifest,
    to: &Path,
    preserve_owner: bool,
    sink: Arc<dyn ProgressSink>,
) -> RestoreReport {
    let ks = repo.default_keyset().expect("keyset");
    let spec = RestoreSpec {
        paths: Vec::new(),
        dest: Destination::To(to.to_path_buf()),
        preserve_owner,
        changed_only: false,
    };
    restore::run(repo, &ks, m, &spec, sink, &CancelToken::new()).expect("restore")
}

/// Swaps a folder for a link to `outside` once the restore has planned
/// (made its folders) and before it writes.
struct SwapWhenWriting {
    folder: PathBuf,
    outside: PathBuf,
}

impl ProgressSink for SwapWhenWriting {
    fn progress(&self, _: &ProgressSnapshot) {}
    fn log(&self, _: LogLevel, message: &str) {
        if message.starts_with("Restoring ") && self.folder.is_dir() {
            let aside = self.folder.with_extension("moved");
            std::fs::rename(&self.folder, aside).expect("move the folder away");
            std::os::unix::fs::symlink(&self.outside, &self.folder).expect("plant the link");
        }
    }
}

#[test]
fn a_folder_swapped_for_a_link_during_the_restore_is_not_written_or_chmodded_through() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = repo(tmp.path());
    let src = tmp.path().join("src");
    std::fs::create_dir_all(src.join("d")).expect("mkdir");
    for i in 0..20 {
        std::fs::write(src.join(format!("d/f{i}.txt")), format!("file {i}")).expect("write");
    }
    std::fs::set_permissions(src.join("d"), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let m = back_up(&repo, &src);
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::set_permissions(&outside, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let target = tmp.path().join("target");
    let folder = target
        .join(src.strip_prefix("/").expect("absolute"))
        .join("d");
    let sink = Arc::new(SwapWhenWriting {
        folder,
        outside: outside.clone(),
    });
    let report = restore_to(&repo, &m, &target, false, sink);
    let mode = std::fs::metadata(&outside)
        .expect("meta")
        .permissions()
        .mode()
        & 0o7777;
    assert_eq!(
        mode, 0o700,
        "the folder outside was chmodded through the link"
    );
    let written: Vec<_> = std::fs::read_dir(&outside).expect("list").collect();
    assert!(written.is_empty(), "written outside: {written:?}");
    assert!(!report.failed.is_empty(), "the swapped folder's files fail");
}

/// Sets an extended attribute; false when the file system refuses it.
fn set_xattr(p: &Path, name: &str, value: &[u8]) -> bool {
    xattr::set(p, name, value).is_ok()
}

#[test]
fn only_user_attributes_are_restored_unless_ownership_is_kept_and_then_after_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let repo = repo(tmp.path());
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    let f = src.join("tool");
    std::fs::write(&f, b"#!/bin/sh\n").expect("write");
    assert!(
        set_xattr(&f, "user.keep", b"yes"),
        "user attributes on the test file system"
    );
    assert!(
        set_xattr(&f, "trusted.cairn", b"admin only"),
        "trusted attributes (the tests run as root)"
    );
    // CAP_NET_BIND_SERVICE permitted, effective: a version 2 capability set.
    let mut cap = Vec::new();
    for word in [0x0200_0001u32, 1 << 10, 0, 0, 0] {
        cap.extend_from_slice(&word.to_le_bytes());
    }
    assert!(
        set_xattr(&f, "security.capability", &cap),
        "file capabilities (root)"
    );
    let m = back_up(&repo, &src);
    let rel = f.strip_prefix("/").expect("absolute");

    let plain = tmp.path().join("plain");
    restore_to(&repo, &m, &plain, false, Arc::new(NoProgress));
    let got = plain.join(rel);
    assert_eq!(
        xattr::get(&got, "user.keep").expect("read"),
        Some(b"yes".to_vec())
    );
    assert_eq!(xattr::get(&got, "trusted.cairn").expect("read"), None);
    assert_eq!(xattr::get(&got, "security.capability").expect("read"), None);

    let kept = tmp.path().join("kept");
    restore_to(&repo, &m, &kept, true, Arc::new(NoProgress));
    let got = kept.join(rel);
    assert_eq!(
        xattr::get(&got, "trusted.cairn").expect("read"),
        Some(b"admin only".to_vec())
    );
    assert_eq!(
        xattr::get(&got, "security.capability").expect("read"),
        Some(cap),
        "the capability survives the change of owner"
    );
}
