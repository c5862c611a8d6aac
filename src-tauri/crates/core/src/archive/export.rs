//! Exporting one restore point into a `.cairn` file: a repository of its
//! own holding the point's key set, manifest, backup metadata, trees and
//! every chunk it needs. Blobs are copied as stored (still sealed with the
//! backup's keys) after each is verified, so the file is encrypted as the
//! backup is and holds nothing the source could not prove.

use super::container::ArchiveWriter;
use crate::error::{Error, Result};
use crate::format::config::{RepoConfig, FORMAT_VERSION};
use crate::format::crypto::{KeyFile, KeySet};
use crate::format::index::{Index, KIND_DATA, KIND_TREE};
use crate::format::manifest::{BackupMeta, Manifest, PointSummary};
use crate::format::pack::PackWriter;
use crate::format::tree::{too_deep, Tree, MAX_DEPTH};
use crate::format::{ChunkId, MAX_SMALL_OBJECT};
use crate::progress::{CancelToken, Counters};
use crate::repo::{json, Repository};
use crate::storage::Storage;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

/// What an export wrote.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ExportReport {
    /// Folder trees in the file.
    pub trees: u64,
    /// Data chunks in the file.
    pub chunks: u64,
    /// Bytes of the files and volumes in the point.
    pub source_bytes: u64,
    /// Size of the export file.
    pub file_bytes: u64,
}

/// The source of an export: an opened restore point.
pub struct ExportSource<'a> {
    /// The repository holding it (read-only storage is enough).
    pub repo: &'a Repository,
    /// Its backup's key set.
    pub ks: &'a KeySet,
    /// The key set's index.
    pub index: &'a Index,
    /// The restore point.
    pub manifest: &'a Manifest,
}

/// Reads one blob as stored and proves it (decrypted and hashed back to
/// its id) and that it is of the `kind` its folder says: the stored bytes
/// and the data.
fn stored_blob(src: &ExportSource, id: &ChunkId, kind: u8) -> Result<(Vec<u8>, Vec<u8>)> {
    let (stored, plain, found) = src.repo.read_stored_blob(src.ks, src.index, id)?;
    if found != kind {
        return Err(Error::corrupt(format!(
            "object {} is of another kind than its folder says",
            id.to_hex()
        )));
    }
    Ok((stored, plain))
}

/// Exports `src` into `out`, which must not exist. A failed or cancelled
/// export leaves no file behind.
pub fn export_point(
    src: &ExportSource,
    out: &Path,
    counters: &Arc<Counters>,
    cancel: &CancelToken,
) -> Result<ExportReport> {
    let writer = Arc::new(ArchiveWriter::create(out)?);
    let storage: Arc<dyn Storage> = writer.clone();
    let target = start_repository(src, storage.clone())?;
    let packs = PackWriter::new(
        storage.clone(),
        src.ks.clone(),
        src.repo.config().pack_size as usize,
    );
    let copied = copy_blobs(src, &packs, counters, cancel);
    let finished = packs.finish();
    let mut report = copied?;
    finished?;
    cancel.check()?;
    target.write_manifest(src.ks, src.manifest)?;
    target.write_backup_meta(src.ks, &backup_meta(src)?)?;
    report.source_bytes = src.manifest.stats.bytes;
    report.file_bytes = writer.finish()?;
    Ok(report)
}

/// Writes the key set and a config into the export and opens it as a
/// repository. An encrypted backup's export gets a fresh, unused plain
/// key set as its default; a plain backup's key set is its default.
fn start_repository(src: &ExportSource, storage: Arc<dyn Storage>) -> Result<Repository> {
    let id = src.ks.id().to_string();
    let raw = src
        .repo
        .storage()
        .get_at_most(&format!("keys/{id}"), MAX_SMALL_OBJECT)?;
    storage.put(&format!("keys/{id}"), &raw)?;
    let default_keyset = if src.ks.encrypted() {
        let (_, file): (KeySet, KeyFile) = KeySet::new_plain();
        storage.put(&format!("keys/{}", file.id), &json(&file)?)?;
        file.id
    } else {
        id
    };
    let config = RepoConfig {
        format: "cairn-repository".into(),
        version: FORMAT_VERSION,
        id: crate::format::random_id(),
        created: crate::time::now(),
        chunker: src.repo.config().chunker,
        pack_size: src.repo.config().pack_size,
        default_keyset,
    };
    storage.put("config", &json(&config)?)?;
    Repository::open(storage, &format!("export of {}", src.manifest.job))
}

/// Copies every tree of the point, then every chunk they name, each once.
fn copy_blobs(
    src: &ExportSource,
    packs: &PackWriter,
    counters: &Arc<Counters>,
    cancel: &CancelToken,
) -> Result<ExportReport> {
    let root = ChunkId::from_hex(&src.manifest.root)?;
    let mut report = ExportReport::default();
    let mut chunks = Vec::new();
    let mut seen_chunks = HashSet::new();
    let mut seen_trees = HashSet::from([root]);
    let mut todo = vec![(root, 0usize)];
    while let Some((id, depth)) = todo.pop() {
        cancel.check()?;
        if depth > MAX_DEPTH {
            return Err(too_deep("the restore point"));
        }
        let (stored, plain) = stored_blob(src, &id, KIND_TREE)?;
        let tree = Tree::decode(&plain)
            .ok_or_else(|| Error::corrupt(format!("folder tree {} is damaged", id.to_hex())))?;
        packs.claim(&id);
        packs.add(id, KIND_TREE, stored, plain.len())?;
        report.trees += 1;
        for e in tree.entries {
            if !e.content.is_empty() {
                Counters::add(&counters.files, 1);
            }
            chunks.extend(e.content.into_iter().filter(|c| seen_chunks.insert(*c)));
            if let Some(sub) = e.subtree.filter(|s| seen_trees.insert(*s)) {
                todo.push((sub, depth + 1));
            }
        }
    }
    // In pack order, so reads walk each pack from front to back.
    chunks.sort_by_key(|c| src.index.get(c).map(|(p, l)| (p.to_string(), l.offset)));
    report.chunks = chunks.len() as u64;
    chunks.par_iter().try_for_each(|c| {
        cancel.check()?;
        let (stored, plain) = stored_blob(src, c, KIND_DATA)?;
        Counters::add(&counters.bytes_read, stored.len() as u64);
        Counters::add(&counters.bytes_processed, plain.len() as u64);
        packs.claim(c);
        packs.add(*c, KIND_DATA, stored, plain.len())
    })?;
    Ok(report)
}

/// The backup metadata of the export: the source's, listing only the
/// exported point (or made from the manifest when the source has none).
fn backup_meta(src: &ExportSource) -> Result<BackupMeta> {
    let m = src.manifest;
    let mut meta = match src.repo.read_backup_meta(src.ks, &m.backup) {
        Ok(meta) => meta,
        Err(e) if e.kind() == cairn_model::ErrorKind::NotFound => BackupMeta {
            id: m.backup.clone(),
            job: m.job.clone(),
            machine: m.machine.clone(),
            platform: m.platform.clone(),
            keyset: src.ks.id().to_string(),
            region: m.region.clone(),
            writer: String::new(),
            points: Vec::new(),
        },
        Err(e) => return Err(e),
    };
    let summary = meta.points.iter().find(|p| p.id == m.id).cloned();
    meta.points = vec![summary.unwrap_or_else(|| PointSummary {
        id: m.id.clone(),
        time: m.time,
        kind: m.kind.clone(),
        size: m.stats.bytes,
        gfs: Vec::new(),
        stored: 0,
        origin: m.origin.clone(),
    })];
    Ok(meta)
}
