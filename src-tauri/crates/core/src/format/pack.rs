//! Packs: many encoded blobs in one object, so object storage sees few large
//! PUTs. Layout: blob ‖ blob ‖ … ‖ sealed header ‖ header length (u32 LE).
//! A pack is stored before its `index/<pack>` object; a restore point that
//! uses it is written only after both are durable.

use super::blob::{open_object, seal_object, ObjectKind};
use super::crypto::KeySet;
use super::index::{index_key, pack_key, IndexEntry, PackIndex, KIND_TREE};
use super::{random_id, ChunkId};
use crate::error::{Error, Result};
use crate::storage::{ReadStorage, Storage};
use crossbeam_channel::{bounded, Receiver, Sender};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

struct Blob {
    id: ChunkId,
    kind: u8,
    data: Vec<u8>,
    raw_length: u32,
}

/// Collects blobs from many threads into packs and uploads them with
/// bounded concurrency. Memory: one open pack plus one per uploader.
pub struct PackWriter {
    tx: Option<Sender<Blob>>,
    packer: Option<JoinHandle<()>>,
    uploaders: Vec<JoinHandle<()>>,
    error: Arc<Mutex<Option<Error>>>,
    written: Arc<Mutex<Vec<PackIndex>>>,
    /// Bytes of packs stored so far.
    pub bytes_written: Arc<AtomicU64>,
    /// Nanoseconds uploaders spent storing packs (summed over uploaders).
    pub busy_ns: Arc<AtomicU64>,
    seen: Vec<Mutex<HashSet<ChunkId>>>,
}

fn record(slot: &Mutex<Option<Error>>, e: Error) {
    if let Ok(mut g) = slot.lock() {
        if g.is_none() {
            *g = Some(e);
        }
    }
}

impl PackWriter {
    /// Starts the packer and `concurrency` uploaders.
    pub fn new(storage: Arc<dyn Storage>, ks: KeySet, pack_size: usize) -> Self {
        let concurrency = storage.concurrency().max(1);
        let (tx, rx) = bounded::<Blob>(4);
        // Rendezvous: a finished pack waits in the packer until an uploader is
        // free, so memory is one open pack plus one per uploader.
        let (up_tx, up_rx) = bounded::<(PackIndex, Vec<u8>, bool)>(0);
        // Uploaded pack buffers go back to the packer for reuse: large
        // buffers freed and allocated again fragment the heap.
        let (ret_tx, ret_rx) = bounded::<Vec<u8>>(concurrency + 1);
        let error = Arc::new(Mutex::new(None));
        let written = Arc::new(Mutex::new(Vec::new()));
        let bytes_written = Arc::new(AtomicU64::new(0));
        let busy_ns = Arc::new(AtomicU64::new(0));
        let uploaders = (0..concurrency)
            .map(|_| {
                let rx = up_rx.clone();
                let storage = storage.clone();
                let ks = ks.clone();
                let error = error.clone();
                let written = written.clone();
                let bw = bytes_written.clone();
                let busy = busy_ns.clone();
                let ret = ret_tx.clone();
                std::thread::spawn(move || {
                    for (idx, bytes, trees) in rx {
                        let t = std::time::Instant::now();
                        let stored = upload(&*storage, &ks, &idx, &bytes, trees);
                        busy.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
                        match stored {
                            Ok(()) => {
                                bw.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                                if let Ok(mut w) = written.lock() {
                                    w.push(idx);
                                }
                            }
                            Err(e) => record(&error, e),
                        }
                        let _ = ret.try_send(bytes);
                    }
                })
            })
            .collect();
        let perr = error.clone();
        drop(ret_tx);
        let packer = std::thread::spawn(move || pack_loop(rx, up_tx, ret_rx, ks, pack_size, perr));
        Self {
            tx: Some(tx),
            packer: Some(packer),
            uploaders,
            error,
            written,
            bytes_written,
            busy_ns,
            seen: (0..64).map(|_| Mutex::new(HashSet::new())).collect(),
        }
    }

    /// True the first time an id is offered in this run (the caller then
    /// encodes and adds it); false for duplicates.
    pub fn claim(&self, id: &ChunkId) -> bool {
        let shard = &self.seen[id.0[0] as usize % self.seen.len()];
        shard.lock().map(|mut s| s.insert(*id)).unwrap_or(false)
    }

    /// Queues an encoded blob; blocks while the pipeline is full.
    pub fn add(&self, id: ChunkId, kind: u8, data: Vec<u8>, raw_length: usize) -> Result<()> {
        if let Some(e) = self
            .error
            .lock()
            .ok()
            .and_then(|g| g.as_ref().map(|e| Error::new(e.kind(), e.message())))
        {
            return Err(e);
        }
        let tx = self
            .tx
            .as_ref()
            .ok_or_else(|| Error::internal("pack writer closed"))?;
        tx.send(Blob {
            id,
            kind,
            data,
            raw_length: raw_length as u32,
        })
        .map_err(|_| Error::internal("the pack writer stopped"))
    }

    /// Flushes the last pack, waits for every upload, and returns the packs
    /// written, or the first error.
    pub fn finish(mut self) -> Result<Vec<PackIndex>> {
        self.tx = None;
        if let Some(p) = self.packer.take() {
            let _ = p.join();
        }
        for u in self.uploaders.drain(..) {
            let _ = u.join();
        }
        if let Some(e) = self.error.lock().ok().and_then(|mut g| g.take()) {
            return Err(e);
        }
        Ok(self
            .written
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default())
    }
}

/// One open pack: its bytes and the blobs in it.
struct OpenPack {
    buf: Vec<u8>,
    entries: Vec<IndexEntry>,
}

fn pack_loop(
    rx: Receiver<Blob>,
    up: Sender<(PackIndex, Vec<u8>, bool)>,
    returned: Receiver<Vec<u8>>,
    ks: KeySet,
    pack_size: usize,
    error: Arc<Mutex<Option<Error>>>,
) {
    // Exact capacity: a data pack never reallocates (a doubling copy would
    // touch twice the memory). Trees go to packs of their own: browsing and
    // incremental backups read only those, so they stay readable when data
    // packs sit in an archive storage class.
    let capacity = pack_size + 64 * 1024;
    let mut open = [
        OpenPack {
            buf: Vec::with_capacity(capacity),
            entries: Vec::new(),
        },
        OpenPack {
            buf: Vec::new(),
            entries: Vec::new(),
        },
    ];
    let flush = |p: &mut OpenPack, trees: bool| -> Result<()> {
        if p.entries.is_empty() {
            return Ok(());
        }
        let idx = PackIndex {
            pack: random_id(),
            entries: std::mem::take(&mut p.entries),
        };
        let plain = postcard::to_allocvec(&idx).map_err(|e| Error::internal(e.to_string()))?;
        let header = seal_object(&ks, ObjectKind::PackHeader, &plain)?;
        let next = if trees {
            Vec::new()
        } else {
            match returned.try_recv() {
                Ok(mut b) => {
                    b.clear();
                    b
                }
                Err(_) => Vec::with_capacity(capacity),
            }
        };
        let mut bytes = std::mem::replace(&mut p.buf, next);
        bytes.extend_from_slice(&header);
        bytes.extend_from_slice(&(header.len() as u32).to_le_bytes());
        up.send((idx, bytes, trees))
            .map_err(|_| Error::internal("uploaders stopped"))
    };
    for b in rx {
        let trees = b.kind == KIND_TREE;
        let p = &mut open[usize::from(trees)];
        // Close the pack before a blob would overflow it.
        if !p.entries.is_empty() && p.buf.len() + b.data.len() > pack_size {
            if let Err(e) = flush(p, trees) {
                record(&error, e);
                return;
            }
        }
        p.entries.push(IndexEntry {
            id: b.id,
            kind: b.kind,
            offset: p.buf.len() as u32,
            length: b.data.len() as u32,
            raw_length: b.raw_length,
        });
        p.buf.extend_from_slice(&b.data);
    }
    for (i, p) in open.iter_mut().enumerate() {
        if let Err(e) = flush(p, i == 1) {
            record(&error, e);
        }
    }
}

fn upload(
    storage: &dyn Storage,
    ks: &KeySet,
    idx: &PackIndex,
    bytes: &[u8],
    trees: bool,
) -> Result<()> {
    if trees {
        storage.put_hot(&pack_key(&idx.pack), bytes)?;
    } else {
        storage.put(&pack_key(&idx.pack), bytes)?;
    }
    let plain = postcard::to_allocvec(idx).map_err(|e| Error::internal(e.to_string()))?;
    storage.put(
        &index_key(&idx.pack),
        &seal_object(ks, ObjectKind::Index, &plain)?,
    )
}

/// The largest pack a reader downloads whole: a writer closes a pack at
/// `pack_size`, or holds one blob larger than that alone; plus the header.
pub fn max_pack_len(pack_size: u32) -> u64 {
    let body = (pack_size as u64).max(super::blob::MAX_BLOB_LEN as u64);
    body + super::blob::ObjectKind::PackHeader.max_stored() + 64
}

/// Reads a pack's trailer (to rebuild a lost index object).
pub fn read_trailer(
    storage: &dyn ReadStorage,
    ks: &KeySet,
    pack: &str,
    size: u64,
) -> Result<PackIndex> {
    let key = pack_key(pack);
    if size < 4 {
        return Err(Error::corrupt(format!("pack {pack} is truncated")));
    }
    let len_bytes: [u8; 4] = storage
        .get_range(&key, size - 4, 4)?
        .try_into()
        .map_err(|_| Error::corrupt(format!("pack {pack} is truncated")))?;
    let len = u32::from_le_bytes(len_bytes) as u64;
    if len + 4 > size || len > ObjectKind::PackHeader.max_len() as u64 {
        return Err(Error::corrupt(format!("pack {pack} has a bad trailer")));
    }
    let header = storage.get_range(&key, size - 4 - len, len)?;
    let plain = open_object(ks, ObjectKind::PackHeader, &header, &format!("pack {pack}"))?;
    postcard::from_bytes(&plain)
        .map_err(|_| Error::corrupt(format!("pack {pack} has a bad trailer")))
}
