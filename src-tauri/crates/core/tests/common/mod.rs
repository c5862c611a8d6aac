//! Helpers the crafted-repository tests share.

#![allow(dead_code)]

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
#[allow(unused_imports)]
pub use cairn_core::crafted::entry;
