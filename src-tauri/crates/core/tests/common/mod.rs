//! Helpers the crafted-repository tests share.

#![allow(dead_code)]

use cairn_core::format::crypto::KeySet;
use cairn_core::format::manifest::Manifest;
use cairn_core::jobs::backup::BackupSpec;
use cairn_core::progress::{CancelToken, NoProgress};
use cairn_core::repo::Repository;
use cairn_core::restore::{self, Destination, RestoreReport, RestoreSpec};
use std::path::Path;
use std::sync::Arc;

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
        source_root: None,
    }
}

/// A tree entry of `kind` named `name`, owned by root, with no content.
#[allow(unused_imports)]
pub use cairn_core::crafted::entry;

/// Restores the whole of point `m` into folder `to` (no ownership, no
/// progress); whether it must succeed is the caller's assertion.
pub fn restore_all(
    repo: &Repository,
    ks: &KeySet,
    m: &Manifest,
    to: &Path,
) -> cairn_core::Result<RestoreReport> {
    let spec = RestoreSpec {
        paths: Vec::new(),
        dest: Destination::To(to.to_path_buf()),
        preserve_owner: false,
        changed_only: false,
    };
    restore::run(
        repo,
        ks,
        m,
        &spec,
        Arc::new(NoProgress),
        &CancelToken::new(),
    )
}
