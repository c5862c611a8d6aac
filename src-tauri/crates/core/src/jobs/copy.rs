//! Backup copy: translates restore points from a source repository (any
//! key set) into a target repository's key set. Chunk and tree ids are
//! keyed hashes of each key set, so every id is translated: a source chunk
//! is read, decrypted and verified, hashed with the target's id key, and
//! uploaded only when the target lacks it. Trees are rewritten with the
//! translated ids. Translations already made are learnt back from the last
//! copied restore point (its source and target trees side by side), so a
//! new point of a mostly unchanged machine reads only its new chunks.

use crate::error::Result;
use crate::format::blob;
use crate::format::crypto::KeySet;
use crate::format::index::{Index, KIND_DATA, KIND_TREE};
use crate::format::pack::PackWriter;
use crate::format::tree::{too_deep, Entry, Tree, MAX_DEPTH};
use crate::format::ChunkId;
use crate::progress::{CancelToken, Counters};
use crate::repo::Repository;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// One side of a copy: a repository, the key set of the backup, its index.
pub struct Side<'a> {
    /// The repository.
    pub repo: &'a Repository,
    /// The key set.
    pub ks: &'a KeySet,
    /// Its index.
    pub index: &'a Index,
}

/// Folder levels whose entries are translated in parallel; below them a
/// thread walks on alone, so its stack grows with the depth, never with
/// tasks stolen while it waits.
const PARALLEL_LEVELS: usize = 6;

/// Translates source ids into target ids, writing what the target lacks.
pub struct Translator<'a> {
    src: Side<'a>,
    dst: Side<'a>,
    level: Option<i32>,
    read_entire: bool,
    map: Mutex<HashMap<ChunkId, ChunkId>>,
    counters: Arc<Counters>,
    cancel: &'a CancelToken,
    /// Chunks read from the source.
    pub chunks_read: AtomicU64,
    /// Chunks the target already had.
    pub chunks_present: AtomicU64,
}

impl<'a> Translator<'a> {
    /// A translator from `src` to `dst`; `level` is the target's zstd level.
    pub fn new(
        src: Side<'a>,
        dst: Side<'a>,
        level: Option<i32>,
        read_entire: bool,
        counters: Arc<Counters>,
        cancel: &'a CancelToken,
    ) -> Self {
        Self {
            src,
            dst,
            level,
            read_entire,
            map: Mutex::new(HashMap::new()),
            counters,
            cancel,
            chunks_read: AtomicU64::new(0),
            chunks_present: AtomicU64::new(0),
        }
    }

    fn known(&self, id: &ChunkId) -> Option<ChunkId> {
        self.map.lock().ok()?.get(id).copied()
    }

    fn remember(&self, src: ChunkId, dst: ChunkId) {
        if let Ok(mut m) = self.map.lock() {
            m.insert(src, dst);
        }
    }

    /// Learns translations from a source tree and the target tree an
    /// earlier copy made of it. Entries that do not line up teach nothing.
    pub fn learn(&self, src: ChunkId, dst: ChunkId) -> Result<()> {
        self.learn_at(src, dst, 0)
    }

    fn learn_at(&self, src: ChunkId, dst: ChunkId, depth: usize) -> Result<()> {
        // Learning is an optimisation: a tree too deep teaches nothing.
        if self.read_entire || depth > MAX_DEPTH || self.known(&src).is_some() {
            return Ok(());
        }
        let (Ok(s), Ok(d)) = (
            self.src.repo.read_tree(self.src.ks, self.src.index, &src),
            self.dst.repo.read_tree(self.dst.ks, self.dst.index, &dst),
        ) else {
            return Ok(());
        };
        if s.entries.len() != d.entries.len() {
            return Ok(());
        }
        self.remember(src, dst);
        for (a, b) in s.entries.iter().zip(&d.entries) {
            if a.name != b.name {
                continue;
            }
            if a.content.len() == b.content.len() {
                for (x, y) in a.content.iter().zip(&b.content) {
                    if self.dst.index.blobs.contains_key(y) {
                        self.remember(*x, *y);
                    }
                }
            }
            if let (Some(x), Some(y)) = (a.subtree, b.subtree) {
                self.learn_at(x, y, depth + 1)?;
            }
        }
        Ok(())
    }

    fn store(
        &self,
        writer: &PackWriter,
        id: ChunkId,
        kind: u8,
        data: &[u8],
        level: Option<i32>,
    ) -> Result<()> {
        if self.dst.index.blobs.contains_key(&id) || !writer.claim(&id) {
            self.chunks_present.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        let enc = blob::encode(self.dst.ks, &id, data, level)?;
        writer.add(id, kind, enc, data.len())
    }

    /// Translates one data chunk.
    fn chunk(&self, writer: &PackWriter, src: ChunkId) -> Result<ChunkId> {
        self.cancel.check()?;
        if !self.read_entire {
            if let Some(d) = self.known(&src) {
                if let Some((_, loc)) = self.src.index.get(&src) {
                    Counters::add(&self.counters.bytes_processed, loc.raw_length as u64);
                }
                return Ok(d);
            }
        }
        let data = self.src.repo.read_blob(self.src.ks, self.src.index, &src)?;
        self.chunks_read.fetch_add(1, Ordering::Relaxed);
        Counters::add(&self.counters.bytes_read, data.len() as u64);
        Counters::add(&self.counters.bytes_processed, data.len() as u64);
        let id = self.dst.ks.chunk_id(&data);
        self.store(writer, id, KIND_DATA, &data, self.level)?;
        self.remember(src, id);
        Ok(id)
    }

    /// Translates a tree and everything under it; returns the target id.
    pub fn tree(&self, writer: &PackWriter, src: ChunkId) -> Result<ChunkId> {
        super::on_tree_pool(|| self.tree_at(writer, src, 0))
    }

    /// [`Translator::tree`] at `depth` levels below the root: folders of
    /// the top levels are translated in parallel, deeper ones in turn, and
    /// a tree deeper than the format allows is refused.
    fn tree_at(&self, writer: &PackWriter, src: ChunkId, depth: usize) -> Result<ChunkId> {
        if depth > MAX_DEPTH {
            return Err(too_deep("the source restore point"));
        }
        self.cancel.check()?;
        if !self.read_entire {
            if let Some(d) = self.known(&src) {
                if self.dst.index.blobs.contains_key(&d) {
                    return Ok(d);
                }
            }
        }
        let t = self.src.repo.read_tree(self.src.ks, self.src.index, &src)?;
        let entry = |mut e: Entry| -> Result<Entry> {
            if let Some(sub) = e.subtree {
                e.subtree = Some(self.tree_at(writer, sub, depth + 1)?);
            }
            if !e.content.is_empty() {
                Counters::add(&self.counters.files, 1);
                self.counters.set_current(&String::from_utf8_lossy(&e.name));
            }
            e.content = e
                .content
                .iter()
                .map(|c| self.chunk(writer, *c))
                .collect::<Result<_>>()?;
            Ok(e)
        };
        let entries = if depth < PARALLEL_LEVELS {
            t.entries
                .into_par_iter()
                .map(entry)
                .collect::<Result<Vec<_>>>()?
        } else {
            t.entries
                .into_iter()
                .map(entry)
                .collect::<Result<Vec<_>>>()?
        };
        let bytes = Tree { entries }.encode();
        let id = self.dst.ks.chunk_id(&bytes);
        self.store(writer, id, KIND_TREE, &bytes, Some(3))?;
        self.remember(src, id);
        Ok(id)
    }
}
