//! Random reads of a volume straight from its restore point: the bytes at
//! any offset, fetched block by block with a small bounded cache, so a
//! reader (an NBD client, `qemu-img`) can use the disk without it being
//! restored first. Zero blocks are never fetched.

use super::volume::{layout, Block};
use crate::error::{Error, Result};
use crate::format::crypto::KeySet;
use crate::format::index::Index;
use crate::format::tree::Entry;
use crate::format::ChunkId;
use crate::repo::Repository;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Blocks kept decoded (of 1 MiB each for volume backups).
const CACHED_BLOCKS: usize = 16;

/// A volume opened for reading.
pub struct VolumeReader {
    repo: Repository,
    ks: KeySet,
    index: Index,
    blocks: Vec<Block>,
    zero_ids: HashMap<usize, ChunkId>,
    size: u64,
    cache: Mutex<VecDeque<(usize, std::sync::Arc<Vec<u8>>)>>,
    /// Blocks fetched from the repository so far.
    pub fetched: AtomicU64,
    /// Their bytes.
    pub fetched_bytes: AtomicU64,
    /// Bytes handed to readers so far.
    pub served: AtomicU64,
}

impl VolumeReader {
    /// Opens the volume `entry` of a restore point.
    pub fn new(repo: Repository, ks: KeySet, index: Index, entry: &Entry) -> Result<Self> {
        let blocks = layout(&index, entry)?;
        let mut zero_ids = HashMap::new();
        for b in &blocks {
            zero_ids
                .entry(b.len)
                .or_insert_with(|| ks.chunk_id(&vec![0u8; b.len]));
        }
        Ok(Self {
            repo,
            ks,
            index,
            blocks,
            zero_ids,
            size: entry.size,
            cache: Mutex::new(VecDeque::new()),
            fetched: AtomicU64::new(0),
            fetched_bytes: AtomicU64::new(0),
            served: AtomicU64::new(0),
        })
    }

    /// The volume's size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Fills `buf` with the volume's bytes at `offset`; a read past the
    /// end is refused.
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        let end = offset
            .checked_add(buf.len() as u64)
            .filter(|&e| e <= self.size)
            .ok_or_else(|| Error::invalid("a read past the end of the volume"))?;
        let mut i = self
            .blocks
            .partition_point(|b| b.offset + b.len as u64 <= offset);
        let mut pos = offset;
        while pos < end {
            let b = self
                .blocks
                .get(i)
                .ok_or_else(|| Error::corrupt("the volume's blocks end early"))?;
            let from = (pos - b.offset) as usize;
            let n = ((end - pos) as usize).min(b.len - from);
            let dst = &mut buf[(pos - offset) as usize..][..n];
            if self.zero_ids.get(&b.len) == Some(&b.id) {
                dst.fill(0);
            } else {
                let data = self.block(i)?;
                dst.copy_from_slice(&data[from..from + n]);
            }
            pos += n as u64;
            i += 1;
        }
        self.served.fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    /// Block `i`, from the cache or fetched (and verified) from the repository.
    fn block(&self, i: usize) -> Result<std::sync::Arc<Vec<u8>>> {
        if let Ok(c) = self.cache.lock() {
            if let Some((_, d)) = c.iter().find(|(j, _)| *j == i) {
                return Ok(d.clone());
            }
        }
        let data = std::sync::Arc::new(self.repo.read_blob(
            &self.ks,
            &self.index,
            &self.blocks[i].id,
        )?);
        self.fetched.fetch_add(1, Ordering::Relaxed);
        self.fetched_bytes
            .fetch_add(data.len() as u64, Ordering::Relaxed);
        if let Ok(mut c) = self.cache.lock() {
            if c.len() >= CACHED_BLOCKS {
                c.pop_front();
            }
            c.push_back((i, data.clone()));
        }
        Ok(data)
    }
}
