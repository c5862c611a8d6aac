//! Importing the restore point of a `.cairn` file into a repository: the
//! backup copy's translator carries its trees and chunks into the target
//! key set, so only chunks the target lacks are written, and the point
//! joins the backup of the same id there (created when absent).

use crate::error::{Error, Result};
use crate::format::manifest::{BackupMeta, Manifest};
use crate::format::pack::PackWriter;
use crate::format::ChunkId;
use crate::jobs::copy::{Side, Translator};
use crate::progress::{CancelToken, Counters};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// What an import did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    /// The backup the point joined.
    pub backup: String,
    /// The restore point.
    pub point: String,
    /// Chunks read from the file.
    pub chunks_read: u64,
    /// Chunks and trees the repository already held.
    pub chunks_present: u64,
    /// Bytes of packs written to the repository.
    pub bytes_written: u64,
}

/// Imports the point `m` of the export `src` into `dst`, whose writer
/// lock the caller holds; `level` is the zstd level of new chunks.
pub fn import_point(
    src: Side,
    dst: Side,
    m: &Manifest,
    level: Option<i32>,
    counters: Arc<Counters>,
    cancel: &CancelToken,
) -> Result<ImportReport> {
    if dst.repo.list_points(&m.backup)?.contains(&m.id) {
        return Err(Error::conflict(format!(
            "repository {} already holds restore point {} of backup {}; nothing was imported",
            dst.repo.name(),
            m.id,
            m.backup
        )));
    }
    let meta = target_meta(&src, &dst, m)?;
    let (dst_repo, dst_ks) = (dst.repo, dst.ks);
    let writer = PackWriter::new(
        dst_repo.storage().clone(),
        dst_ks.clone(),
        dst_repo.config().pack_size as usize,
    );
    let tr = Translator::new(src, dst, level, false, counters, cancel);
    let root = tr.tree(&writer, ChunkId::from_hex(&m.root)?);
    let written = writer.bytes_written.clone();
    let packs = writer.finish();
    let root = root?;
    packs?;
    cancel.check()?;
    let mut imported = m.clone();
    imported.root = root.to_hex();
    imported.stats.bytes_written = written.load(Ordering::Relaxed);
    dst_repo.write_manifest(dst_ks, &imported)?;
    dst_repo.write_backup_meta(dst_ks, &meta)?;
    Ok(ImportReport {
        backup: m.backup.clone(),
        point: m.id.clone(),
        chunks_read: tr.chunks_read.load(Ordering::Relaxed),
        chunks_present: tr.chunks_present.load(Ordering::Relaxed),
        bytes_written: imported.stats.bytes_written,
    })
}

/// The target's metadata of the backup with the imported point added:
/// the target's own when it has the backup (in the same key set, or the
/// import is refused), else the file's.
fn target_meta(src: &Side, dst: &Side, m: &Manifest) -> Result<BackupMeta> {
    let file = src.repo.read_backup_meta(src.ks, &m.backup)?;
    let summary = file
        .points
        .iter()
        .find(|p| p.id == m.id)
        .cloned()
        .ok_or_else(|| {
            Error::corrupt(format!(
                "the export's backup metadata does not list its point {}",
                m.id
            ))
        })?;
    let mut meta = match dst.repo.backup_keyset(&m.backup)? {
        Some(ks) if ks == dst.ks.id() => dst.repo.read_backup_meta(dst.ks, &m.backup)?,
        Some(_) => {
            return Err(Error::conflict(format!(
                "repository {} holds backup {} under other keys; nothing was imported",
                dst.repo.name(),
                m.backup
            )))
        }
        None => BackupMeta {
            keyset: dst.ks.id().to_string(),
            points: Vec::new(),
            ..file
        },
    };
    meta.points.retain(|p| p.id != m.id);
    meta.points.push(summary);
    meta.points.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(meta)
}
