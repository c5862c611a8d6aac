//! Writing the files of a restore: each file gets a temporary copy beside
//! its destination; the chunks are read pack by pack (neighbouring chunks
//! in one request, packs in parallel), verified, and written at their
//! offsets; then each file gets its length and metadata and is renamed
//! into place. A failure fails only the files it touches.

use super::beneath::Beneath;
use super::{Ctx, FileJob};
use crate::error::{Error, Result};
use crate::format::ChunkId;
use crate::progress::{CancelToken, Counters};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Chunks of a pack closer than this are read in one request.
const MERGE_GAP: u64 = 256 * 1024;
/// The most one read request fetches.
const MAX_SPAN: u64 = 32 * 1024 * 1024;

/// A file being written: its temporary copy and the first error.
struct Target {
    /// The destination folder the copy lies in, held open.
    root: Arc<Beneath>,
    tmp: PathBuf,
    size: u64,
    written: AtomicU64,
    error: Mutex<Option<Error>>,
}

impl Target {
    /// Records the file's first error; later ones add nothing.
    fn fail(&self, e: Error) {
        if let Ok(mut g) = self.error.lock() {
            if g.is_none() {
                *g = Some(e);
            }
        }
    }

    fn ok(&self) -> bool {
        self.error.lock().map(|g| g.is_none()).unwrap_or(false)
    }
}

/// One chunk of a pack and where it goes: (file, offset) pairs.
struct Piece {
    id: ChunkId,
    offset: u32,
    length: u32,
    raw: u32,
    targets: Vec<(usize, u64)>,
}

/// The chunks each pack holds for the files, by pack, each chunk once.
type PackPlan<'i> = BTreeMap<&'i str, (Vec<Piece>, HashMap<ChunkId, usize>)>;

/// The files being written (an error: their temporary copy failed) and the pieces to read, pack by pack in offset order.
struct Writes<'i> {
    targets: Vec<std::result::Result<Target, Error>>,
    packs: Vec<(&'i str, Vec<Piece>)>,
}

/// What reading a pack needs beside the pieces.
struct Reading<'w> {
    targets: &'w [std::result::Result<Target, Error>],
    writes: &'w [&'w FileJob],
    counters: &'w Counters,
    cancel: &'w CancelToken,
}

impl Reading<'_> {
    fn target(&self, f: usize) -> Option<&Target> {
        self.targets[f].as_ref().ok()
    }

    /// Fails every file a piece goes to.
    fn fail_piece(&self, p: &Piece, e: impl Fn() -> Error) {
        for (f, _) in &p.targets {
            if let Some(t) = self.target(*f) {
                t.fail(e());
            }
        }
    }
}

impl<'a> Ctx<'a> {
    /// Writes `writes`; one result per file, in order: the bytes written.
    pub(super) fn write_files(
        &self,
        writes: &[&FileJob],
        counters: &Counters,
        cancel: &CancelToken,
    ) -> Vec<Result<u64>> {
        let mut plan = self.plan_writes(writes);
        let reading = Reading {
            targets: &plan.targets,
            writes,
            counters,
            cancel,
        };
        // Decoding needs the cores; object storage needs requests in flight.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = self.repo.storage().concurrency().max(cores).clamp(1, 16);
        let read = |(pack, pieces): &(&str, Vec<Piece>)| self.read_pack(pack, pieces, &reading);
        match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
            Ok(pool) => pool.install(|| plan.packs.par_iter().for_each(read)),
            Err(_) => plan.packs.iter().for_each(read),
        }
        let targets = std::mem::take(&mut plan.targets);
        writes
            .iter()
            .zip(targets)
            .map(|(job, t)| self.finish_file(job, t?, counters, cancel))
            .collect()
    }

    /// Creates the temporary copies and groups the chunks by pack.
    fn plan_writes(&self, writes: &[&FileJob]) -> Writes<'a> {
        let mut packs: PackPlan<'a> = BTreeMap::new();
        let targets = writes
            .iter()
            .enumerate()
            .map(|(i, job)| {
                let (root, tmp) = self.create_temp(job)?;
                Ok(self.plan_file(i, job, (root, tmp), &mut packs))
            })
            .collect();
        let packs = packs
            .into_iter()
            .map(|(p, (mut pieces, _))| {
                pieces.sort_by_key(|x| x.offset);
                (p, pieces)
            })
            .collect();
        Writes { targets, packs }
    }

    /// Adds file `i`'s chunks to the packs' pieces; a chunk missing from
    /// the index fails the file.
    fn plan_file(
        &self,
        i: usize,
        job: &FileJob,
        (root, tmp): (Arc<Beneath>, PathBuf),
        packs: &mut PackPlan<'a>,
    ) -> Target {
        let mut pos = 0u64;
        let mut missing = None;
        for id in &job.entry.content {
            let Some((pack, loc)) = self.index.get(id) else {
                let msg = format!(
                    "chunk {} is missing from repository {}",
                    id.to_hex(),
                    self.repo.name()
                );
                missing = Some(Error::corrupt(msg));
                break;
            };
            let (pieces, by_id) = packs.entry(pack).or_default();
            let k = *by_id.entry(*id).or_insert_with(|| {
                let (offset, length, raw) = (loc.offset, loc.length, loc.raw_length);
                pieces.push(Piece {
                    id: *id,
                    offset,
                    length,
                    raw,
                    targets: Vec::new(),
                });
                pieces.len() - 1
            });
            pieces[k].targets.push((i, pos));
            pos += u64::from(loc.raw_length);
        }
        Target {
            root,
            tmp,
            size: pos,
            written: AtomicU64::new(0),
            error: Mutex::new(missing),
        }
    }

    /// Reads a pack's pieces, neighbouring ones in one request, skipping
    /// those whose files have all failed.
    fn read_pack(&self, pack: &str, pieces: &[Piece], reading: &Reading) {
        let mut i = 0;
        while i < pieces.len() {
            let start = pieces[i].offset as u64;
            let mut end = start + pieces[i].length as u64;
            let mut j = i + 1;
            while j < pieces.len() {
                let o = pieces[j].offset as u64;
                let e = o + pieces[j].length as u64;
                if o > end + MERGE_GAP || e - start > MAX_SPAN {
                    break;
                }
                end = end.max(e);
                j += 1;
            }
            let live: Vec<&Piece> = pieces[i..j]
                .iter()
                .filter(|p| {
                    p.targets
                        .iter()
                        .any(|(f, _)| reading.target(*f).is_some_and(Target::ok))
                })
                .collect();
            i = j;
            if live.is_empty() {
                continue;
            }
            if reading.cancel.is_cancelled() {
                return;
            }
            self.read_group(pack, start, end, &live, reading);
        }
    }

    /// One request for the bytes `start..end` of a pack, then each piece
    /// verified and written.
    fn read_group(&self, pack: &str, start: u64, end: u64, live: &[&Piece], reading: &Reading) {
        let key = crate::format::index::pack_key(pack);
        let bytes = match self.repo.storage().get_range(&key, start, end - start) {
            Ok(b) => b,
            Err(e) => {
                for p in live {
                    reading.fail_piece(p, || Error::new(e.kind(), e.message()));
                }
                return;
            }
        };
        for p in live {
            let at = (p.offset as u64 - start) as usize;
            let Some(stored) = bytes.get(at..at + p.length as usize) else {
                reading.fail_piece(p, || {
                    Error::corrupt(format!("pack {pack} is shorter than its index says"))
                });
                continue;
            };
            match crate::format::blob::decode_verified(self.ks, &p.id, stored, p.raw as usize) {
                Ok(data) => write_piece(p, &data, reading),
                Err(e) => reading.fail_piece(p, || Error::new(e.kind(), e.message())),
            }
        }
    }

    /// Gives a written file its length and metadata and renames it into
    /// place; a failed or cancelled file's temporary copy is removed.
    fn finish_file(
        &self,
        job: &FileJob,
        t: Target,
        counters: &Counters,
        cancel: &CancelToken,
    ) -> Result<u64> {
        let err = t.error.lock().ok().and_then(|mut g| g.take());
        if let Some(e) = err.or_else(|| cancel.check().err()) {
            let _ = t.root.remove_file(&t.tmp);
            return Err(e);
        }
        let done = t
            .root
            .open_write(&t.tmp)
            .and_then(|f| f.set_len(t.size))
            .map_err(|e| Error::io("write", &t.tmp, e))
            .and_then(|()| {
                self.apply_meta(&t.tmp, &job.entry);
                t.root
                    .rename(&t.tmp, &job.dest)
                    .map_err(|e| Error::io("write", &job.dest, e))
            });
        if let Err(e) = done {
            let _ = t.root.remove_file(&t.tmp);
            return Err(e);
        }
        let written = t.written.load(Ordering::Relaxed);
        Counters::add(&counters.files, 1);
        Counters::add(&counters.bytes_written, written);
        Ok(written)
    }
}

/// Writes a verified chunk at its offsets in each of its files (all-zero
/// chunks stay holes).
fn write_piece(p: &Piece, data: &[u8], reading: &Reading) {
    let zero = data.iter().all(|b| *b == 0);
    for (f, pos) in &p.targets {
        let Some(t) = reading.target(*f) else {
            continue;
        };
        Counters::add(&reading.counters.bytes_processed, data.len() as u64);
        if zero {
            continue;
        }
        reading
            .counters
            .set_current(&reading.writes[*f].dest.to_string_lossy());
        let r = t
            .root
            .open_write(&t.tmp)
            .and_then(|file| file.write_all_at(data, *pos));
        match r {
            Ok(()) => {
                t.written.fetch_add(data.len() as u64, Ordering::Relaxed);
            }
            Err(e) => t.fail(Error::io("write", &t.tmp, e)),
        }
    }
}
