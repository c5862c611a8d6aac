//! Helpers the crafted-repository tests share.

#![allow(dead_code)]

use cairn_core::format::tree::{Entry, EntryKind};
use cairn_core::jobs::backup::BackupSpec;
use std::path::Path;

/// A backup of `src` as backup (and job) `id`, with default settings.
pub fn spec(id: &str, src: &Path) -> BackupSpec {
    BackupSpec {
        backup_id: id.into(),
        job: id.into(),
        machine: "host".into(),
        platform: "Linux".into(),
        includes: vec![src.to_path_buf()],
        exclude_masks: Vec::new(),
        include_masks: Vec::new(),
        compression: cairn_model::Compression::Optimal,
        full: false,
        images: false,
        region: String::new(),
        writer: String::new(),
    }
}

/// A tree entry of `kind` named `name`, owned by root, with no content.
pub fn entry(name: &[u8], kind: EntryKind) -> Entry {
    Entry {
        name: name.to_vec(),
        kind,
        mode: if kind == EntryKind::Dir {
            0o40755
        } else {
            0o100644
        },
        uid: 0,
        gid: 0,
        user: String::new(),
        group: String::new(),
        mtime_ns: 1_600_000_000_000_000_000,
        ctime_ns: 0,
        inode: 0,
        dev: 0,
        nlink: 1,
        size: 0,
        rdev: 0,
        target: Vec::new(),
        content: Vec::new(),
        subtree: None,
        xattrs: Vec::new(),
    }
}
