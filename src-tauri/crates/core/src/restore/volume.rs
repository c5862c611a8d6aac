//! Restoring a volume (a disk image or block device backed up whole) to a
//! block device or image file. Each block of the target is read and named
//! with the backup's keyed hash; only blocks whose name differs from the
//! restore point's are fetched and written, holes of a sparse target are
//! compared without being read, and zero blocks become holes again in an
//! image file. Every written block is read back from the disk and
//! verified before the restore reports success.

pub use super::volume_target::{open_target, VolumeTarget};

use crate::error::{Error, Result};
use crate::format::crypto::KeySet;
use crate::format::index::Index;
use crate::format::tree::{Entry, EntryKind};
use crate::format::ChunkId;
use crate::progress::{CancelToken, Counters, ProgressSink, Ticker};
use crate::repo::Repository;
use std::collections::HashMap;
use std::os::unix::fs::FileExt;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// What a volume restore did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct VolumeReport {
    /// Blocks in the volume.
    pub blocks: u64,
    /// Blocks that differed and were written (then verified).
    pub written: u64,
    /// Blocks already equal on the target.
    pub unchanged: u64,
    /// Bytes written to the target (zero blocks of an image file are
    /// punched as holes and count nothing).
    pub bytes_written: u64,
    /// The target was a new image file.
    pub created: bool,
}

/// One block of the volume: its chunk and where it lies.
pub(super) struct Block {
    pub(super) id: ChunkId,
    pub(super) offset: u64,
    pub(super) len: usize,
}

/// The blocks of a volume entry, laid end to end from the index's raw
/// lengths; a layout that does not add up to the entry's size is refused.
pub(super) fn layout(index: &Index, e: &Entry) -> Result<Vec<Block>> {
    if e.kind != EntryKind::File {
        return Err(Error::invalid(
            "that item is not a volume; give a disk image or device from the restore point's volumes",
        ));
    }
    let mut blocks = Vec::with_capacity(e.content.len());
    let mut offset = 0u64;
    for id in &e.content {
        let (_, loc) = index.get(id).ok_or_else(|| {
            Error::corrupt(format!("chunk {} of the volume is missing", id.to_hex()))
        })?;
        let len = loc.raw_length as usize;
        blocks.push(Block {
            id: *id,
            offset,
            len,
        });
        offset += len as u64;
    }
    if offset != e.size {
        return Err(Error::corrupt(format!(
            "the volume's chunks hold {offset} bytes but it records {}; the restore point is damaged",
            e.size
        )));
    }
    Ok(blocks)
}

/// Reads the target's bytes at one block into `buf`, without reading a
/// hole of an image file; true when the block lies wholly in a hole.
fn read_target(t: &VolumeTarget, b: &Block, buf: &mut Vec<u8>) -> Result<bool> {
    buf.clear();
    buf.resize(b.len, 0);
    if !t.device {
        let data = crate::jobs::image::next_data(&t.file, b.offset);
        if data.is_none_or(|d| d >= b.offset + b.len as u64) {
            return Ok(true);
        }
    }
    crate::jobs::image::read_full_at(&t.file, buf, b.offset)
        .map_err(|e| Error::io("read the restore target", &t.path, e))?;
    Ok(false)
}

/// Writes one block: a zero block of an image file becomes a hole.
fn write_block(t: &VolumeTarget, b: &Block, data: &[u8]) -> Result<u64> {
    if !t.device && data.iter().all(|&x| x == 0) {
        let punched = rustix::fs::fallocate(
            &t.file,
            rustix::fs::FallocateFlags::PUNCH_HOLE | rustix::fs::FallocateFlags::KEEP_SIZE,
            b.offset,
            b.len as u64,
        );
        if punched.is_ok() {
            return Ok(0);
        }
    }
    t.file
        .write_all_at(data, b.offset)
        .map_err(|e| Error::io("write the restore target", &t.path, e))?;
    Ok(data.len() as u64)
}

/// Names blocks with the backup's keyed hash; the name of an all-zero
/// block of each length is computed once.
struct Namer<'k> {
    ks: &'k KeySet,
    zeros: HashMap<usize, ChunkId>,
}

impl Namer<'_> {
    fn name(&mut self, buf: &[u8], hole: bool) -> ChunkId {
        if hole {
            let ks = self.ks;
            *self
                .zeros
                .entry(buf.len())
                .or_insert_with(|| ks.chunk_id(&vec![0u8; buf.len()]))
        } else {
            self.ks.chunk_id(buf)
        }
    }
}

/// Restores the volume `entry` of a restore point onto `target`.
pub fn restore_volume(
    repo: &Repository,
    ks: &KeySet,
    index: &Index,
    entry: &Entry,
    target: &VolumeTarget,
    sink: Arc<dyn ProgressSink>,
    cancel: &CancelToken,
) -> Result<VolumeReport> {
    let blocks = layout(index, entry)?;
    let counters = Arc::new(Counters::default());
    counters.bytes_total.store(entry.size, Ordering::Relaxed);
    counters.files_total.store(1, Ordering::Relaxed);
    counters.set_current(&target.path.to_string_lossy());
    let ticker = Ticker::start(counters.clone(), sink.clone());
    let mut namer = Namer {
        ks,
        zeros: HashMap::new(),
    };
    let mut report = VolumeReport {
        blocks: blocks.len() as u64,
        created: target.created,
        ..Default::default()
    };
    let mut written = Vec::new();
    let mut buf = Vec::new();
    for b in &blocks {
        cancel.check()?;
        let hole = read_target(target, b, &mut buf)?;
        if namer.name(&buf, hole) == b.id {
            report.unchanged += 1;
        } else {
            let data = repo.read_blob(ks, index, &b.id)?;
            Counters::add(&counters.bytes_read, data.len() as u64);
            let n = write_block(target, b, &data)?;
            report.bytes_written += n;
            Counters::add(&counters.bytes_written, n);
            written.push(b);
        }
        Counters::add(&counters.bytes_processed, b.len as u64);
    }
    report.written = written.len() as u64;
    verify(target, &written, &mut namer, cancel)?;
    counters.files.store(1, Ordering::Relaxed);
    drop(ticker);
    sink.progress(&counters.snapshot(std::time::Instant::now()));
    Ok(report)
}

/// Flushes the target, drops its cached pages and reads every written
/// block back from the disk: each must carry the restore point's name.
fn verify(
    target: &VolumeTarget,
    written: &[&Block],
    namer: &mut Namer,
    cancel: &CancelToken,
) -> Result<()> {
    target
        .file
        .sync_all()
        .map_err(|e| Error::io("flush the restore target", &target.path, e))?;
    // Best effort: a device or file system without it is read from cache.
    let _ = rustix::fs::fadvise(&target.file, 0, None, rustix::fs::Advice::DontNeed);
    let mut buf = Vec::new();
    for b in written {
        cancel.check()?;
        let hole = read_target(target, b, &mut buf)?;
        if namer.name(&buf, hole) != b.id {
            return Err(Error::storage(format!(
                "verification failed: the {} bytes written at offset {} of {} read back differently; the device may be failing",
                b.len,
                b.offset,
                target.path.display()
            )));
        }
    }
    Ok(())
}
