//! File-level backup: walk the included folders in parallel, chunk, hash,
//! compress and encrypt new data into packs, write trees bottom-up, and make
//! the restore point visible by writing its manifest last.

use super::filter::Filter;
use super::walk::{entry_for, unchanged, Names};
use crate::error::{Error, Result};
use crate::format::blob;
use crate::format::chunker::{self, ChunkerParams};
use crate::format::crypto::KeySet;
use crate::format::index::{Index, KIND_DATA, KIND_TREE};
use crate::format::manifest::{BackupMeta, Manifest, PointStats, PointSummary};
use crate::format::pack::PackWriter;
use crate::format::tree::{Entry, EntryKind, Tree, MAX_DEPTH};
use crate::format::ChunkId;
use crate::progress::{CancelToken, Counters, ProgressSink, Ticker};
use crate::repo::Repository;
use cairn_model::{Compression, LogLevel};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What to back up and how.
#[derive(Debug, Clone)]
pub struct BackupSpec {
    /// Backup id (job × machine).
    pub backup_id: String,
    /// Job name.
    pub job: String,
    /// Machine name.
    pub machine: String,
    /// Platform label.
    pub platform: String,
    /// Absolute paths of folders or files.
    pub includes: Vec<PathBuf>,
    /// Exclude masks.
    pub exclude_masks: Vec<String>,
    /// Include masks.
    pub include_masks: Vec<String>,
    /// Compression level.
    pub compression: Compression,
    /// Read every file even when unchanged (active full).
    pub full: bool,
    /// The includes are block devices or disk image files, read whole in
    /// fixed-size chunks (volume level and entire computer).
    pub images: bool,
    /// Cloud region or subscription (appliance backups; else empty).
    pub region: String,
    /// "appliance" when a cloud backup appliance writes it, "agent" when a
    /// cloud machine's agent does (else empty).
    pub writer: String,
    /// Where the machine's `/` is read from: a mounted snapshot of its
    /// disk, or a folder standing in for the machine. The restore point
    /// records the paths as the machine sees them. None = this computer's `/`.
    pub source_root: Option<PathBuf>,
}

/// What a backup produced.
#[derive(Debug, Clone)]
pub struct BackupOutcome {
    /// The new restore point.
    pub manifest: Manifest,
    /// Items skipped with a warning.
    pub warnings: u64,
}

/// zstd level for a compression choice (None = store raw).
pub fn zstd_level(c: Compression) -> Option<i32> {
    match c {
        Compression::None => None,
        Compression::DedupeFriendly => Some(1),
        Compression::Optimal => Some(3),
        Compression::High => Some(9),
        Compression::Extreme => Some(19),
    }
}

/// Files up to this size are read whole and chunked in memory.
const WHOLE_READ: u64 = 4 * 1024 * 1024;

thread_local! {
    /// The read buffer of a worker thread, reused for every file.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

struct Ctx<'a> {
    repo: &'a Repository,
    ks: &'a KeySet,
    index: &'a Index,
    writer: &'a PackWriter,
    filter: Filter,
    level: Option<i32>,
    chunker: ChunkerParams,
    counters: Arc<Counters>,
    sink: &'a dyn ProgressSink,
    cancel: &'a CancelToken,
    names: Names,
    warnings: AtomicU64,
    files: AtomicU64,
    dirs: AtomicU64,
    bytes: AtomicU64,
    hardlinks: Mutex<HashMap<(u64, u64), Vec<ChunkId>>>,
    full: bool,
    images: bool,
}

impl Ctx<'_> {
    /// What the walk counted (read and written bytes come from the run).
    fn stats(&self) -> PointStats {
        PointStats {
            files: self.files.load(Ordering::Relaxed),
            dirs: self.dirs.load(Ordering::Relaxed),
            bytes: self.bytes.load(Ordering::Relaxed),
            warnings: self.warnings.load(Ordering::Relaxed),
            bytes_read: 0,
            bytes_written: 0,
        }
    }

    fn warn(&self, msg: String) {
        self.warnings.fetch_add(1, Ordering::Relaxed);
        self.sink.log(LogLevel::Warning, &msg);
    }

    fn store_blob(&self, id: ChunkId, kind: u8, data: &[u8], level: Option<i32>) -> Result<()> {
        if self.index.blobs.contains_key(&id) || !self.writer.claim(&id) {
            return Ok(());
        }
        let enc = blob::encode(self.ks, &id, data, level)?;
        self.writer.add(id, kind, enc, data.len())
    }

    fn store_tree(&self, tree: &Tree) -> Result<ChunkId> {
        let bytes = tree.encode();
        if bytes.len() > blob::MAX_BLOB_LEN {
            return Err(Error::invalid(format!(
                "a folder with {} entries is larger than a restore point can hold (256 MiB of entries); split it or exclude part of it",
                tree.entries.len()
            )));
        }
        let id = self.ks.chunk_id(&bytes);
        self.store_blob(id, KIND_TREE, &bytes, Some(3))?;
        Ok(id)
    }

    fn prev_tree(&self, prev: Option<&Entry>) -> Option<Tree> {
        let id = prev.filter(|e| e.kind == EntryKind::Dir)?.subtree?;
        match self.repo.read_tree(self.ks, self.index, &id) {
            Ok(t) => Some(t),
            Err(e) => {
                self.sink.log(LogLevel::Warning, &format!("the previous restore point's folder tree is unreadable ({e}); reading files again"));
                None
            }
        }
    }

    fn add_chunk(&self, data: &[u8], content: &mut Vec<ChunkId>) -> Result<()> {
        self.cancel.check()?;
        let t = Instant::now();
        let id = self.ks.chunk_id(data);
        Counters::add(&self.counters.bytes_read, data.len() as u64);
        Counters::add(&self.counters.bytes_processed, data.len() as u64);
        let stored = self.store_blob(id, KIND_DATA, data, self.level);
        Counters::add(&self.counters.process_ns, t.elapsed().as_nanos() as u64);
        stored?;
        content.push(id);
        Ok(())
    }

    /// Runs a reader that hands chunks to [`Self::add_chunk`]; the time it
    /// spends outside add_chunk (reading and cutting) is source time.
    fn source_timed<R>(
        &self,
        content: &mut Vec<ChunkId>,
        read: impl FnOnce(&mut dyn FnMut(&[u8]) -> Result<()>) -> R,
    ) -> R {
        let t = Instant::now();
        let mut processing = 0u64;
        let r = read(&mut |c| {
            let t = Instant::now();
            let r = self.add_chunk(c, content);
            processing += t.elapsed().as_nanos() as u64;
            r
        });
        Counters::add(
            &self.counters.source_ns,
            (t.elapsed().as_nanos() as u64).saturating_sub(processing),
        );
        r
    }

    /// Reads a file's content; Ok(Err(msg)) is a warning (unreadable file).
    /// Each worker thread reuses one buffer for every file it reads.
    fn read_file(
        &self,
        path: &Path,
        size: u64,
    ) -> Result<std::result::Result<(Vec<ChunkId>, u64), String>> {
        let mut f = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => return Ok(Err(format!("cannot read {}: {e}; skipped", path.display()))),
        };
        let mut content = Vec::new();
        BUFFER.with(|cell| {
            let mut buf = cell.borrow_mut();
            if size <= WHOLE_READ {
                buf.clear();
                let t = Instant::now();
                let read = f.read_to_end(&mut buf);
                Counters::add(&self.counters.source_ns, t.elapsed().as_nanos() as u64);
                if let Err(e) = read {
                    return Ok(Err(format!("cannot read {}: {e}; skipped", path.display())));
                }
                let p = self.chunker;
                if buf.len() <= p.min as usize {
                    if !buf.is_empty() {
                        self.add_chunk(&buf, &mut content)?;
                    }
                } else {
                    for c in fastcdc::v2020::FastCDC::new(&buf, p.min, p.avg, p.max) {
                        self.add_chunk(&buf[c.offset..c.offset + c.length], &mut content)?;
                    }
                }
                return Ok(Ok((content, buf.len() as u64)));
            }
            let read = self.source_timed(&mut content, |add| {
                chunker::for_each_chunk(f, self.chunker, &mut buf, add)
            })?;
            Ok(match read {
                Ok(total) => Ok((content, total)),
                Err(e) => Err(format!("cannot read {}: {e}; skipped", path.display())),
            })
        })
    }

    /// Backs up one entry of a folder; None when excluded or skipped.
    fn entry(&self, path: &Path, prev: Option<&Entry>) -> Result<Option<Entry>> {
        self.cancel.check()?;
        let meta = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) => {
                self.warn(format!("cannot read {}: {e}; skipped", path.display()));
                return Ok(None);
            }
        };
        let mut e = entry_for(path, &meta, &self.names);
        if self.images && !meta.is_dir() {
            return self.image(path, e);
        }
        if self.filter.excluded(path, e.kind == EntryKind::Dir) {
            return Ok(None);
        }
        let kind = e.kind;
        match kind {
            EntryKind::Dir => {
                let prev_tree = self.prev_tree(prev);
                e.subtree = Some(self.walk_dir(path, prev_tree)?);
            }
            EntryKind::File if !self.file(path, &mut e, prev)? => return Ok(None),
            _ => {}
        }
        Ok(Some(e))
    }

    /// A block device or disk image, read whole in fixed-size chunks
    /// (always read: devices keep no reliable change time).
    fn image(&self, path: &Path, mut e: Entry) -> Result<Option<Entry>> {
        let size = match super::image::probe(path) {
            Ok(s) => s,
            Err(err) => {
                self.warn(format!("{}; skipped", err.message()));
                return Ok(None);
            }
        };
        e.kind = EntryKind::File;
        e.size = size;
        e.rdev = 0;
        self.files.fetch_add(1, Ordering::Relaxed);
        Counters::add(&self.counters.files, 1);
        self.counters.set_current(&path.to_string_lossy());
        let mut content = Vec::new();
        let read = BUFFER.with(|cell| {
            let mut buf = cell.borrow_mut();
            self.source_timed(&mut content, |add| {
                super::image::for_each_block(path, size, &mut buf, add)
            })
        });
        match read? {
            Ok((total, read)) => {
                // Holes were handed over as zeros without being read.
                self.counters
                    .bytes_read
                    .fetch_sub(total - read, Ordering::Relaxed);
                e.content = content;
                e.size = total;
                self.bytes.fetch_add(total, Ordering::Relaxed);
                Ok(Some(e))
            }
            Err(err) => {
                self.warn(format!("cannot read {}: {err}; skipped", path.display()));
                Ok(None)
            }
        }
    }

    /// Fills a file entry's content; false when it was skipped.
    fn file(&self, path: &Path, e: &mut Entry, prev: Option<&Entry>) -> Result<bool> {
        self.files.fetch_add(1, Ordering::Relaxed);
        Counters::add(&self.counters.files, 1);
        if let Some(p) = prev.filter(|p| !self.full && unchanged(p, e)) {
            e.content = p.content.clone();
            Counters::add(&self.counters.bytes_processed, e.size);
            self.bytes.fetch_add(e.size, Ordering::Relaxed);
            return Ok(true);
        }
        if e.nlink > 1 {
            if let Some(c) = self
                .hardlinks
                .lock()
                .ok()
                .and_then(|m| m.get(&(e.dev, e.inode)).cloned())
            {
                e.content = c;
                self.bytes.fetch_add(e.size, Ordering::Relaxed);
                return Ok(true);
            }
        }
        self.counters.set_current(&path.to_string_lossy());
        match self.read_file(path, e.size)? {
            Ok((content, size)) => {
                e.content = content;
                e.size = size;
                self.bytes.fetch_add(size, Ordering::Relaxed);
                if e.nlink > 1 {
                    if let Ok(mut m) = self.hardlinks.lock() {
                        m.insert((e.dev, e.inode), e.content.clone());
                    }
                }
                Ok(true)
            }
            Err(msg) => {
                self.warn(msg);
                e.content.clear();
                Ok(false)
            }
        }
    }

    /// Backs up a whole folder and returns its tree id.
    fn walk_dir(&self, path: &Path, prev: Option<Tree>) -> Result<ChunkId> {
        self.dirs.fetch_add(1, Ordering::Relaxed);
        if path.components().count() > MAX_DEPTH {
            self.warn(format!(
                "{} is {MAX_DEPTH} folder levels deep, the most a restore point holds; its contents are skipped",
                path.display()
            ));
            return self.store_tree(&Tree::default());
        }
        let mut names: Vec<OsString> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|r| r.ok().map(|d| d.file_name())).collect(),
            Err(e) => {
                self.warn(format!(
                    "cannot list {}: {e}; its contents are skipped",
                    path.display()
                ));
                Vec::new()
            }
        };
        names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
        let entries: Vec<Option<Entry>> = names
            .par_iter()
            .map(|n| {
                let child = path.join(n);
                let prev_e = prev.as_ref().and_then(|t| t.find(n.as_bytes()));
                self.entry(&child, prev_e)
            })
            .collect::<Result<_>>()?;
        let tree = Tree {
            entries: entries.into_iter().flatten().collect(),
        };
        self.store_tree(&tree)
    }

    /// Backs up the folders leading to the included paths.
    fn walk_trie(&self, path: &Path, node: &Trie, prev: Option<Tree>) -> Result<ChunkId> {
        let mut entries = Vec::new();
        for (name, child) in &node.children {
            let p = path.join(name);
            let prev_e = prev.as_ref().and_then(|t| t.find(name.as_bytes()));
            if child.leaf {
                if std::fs::symlink_metadata(&p).is_err() {
                    self.warn(format!(
                        "the included path {} does not exist; skipped",
                        p.display()
                    ));
                    continue;
                }
                if let Some(e) = self.entry(&p, prev_e)? {
                    entries.push(e);
                }
                continue;
            }
            let meta = match std::fs::symlink_metadata(&p) {
                Ok(m) if m.is_dir() => m,
                _ => {
                    self.warn(format!(
                        "{} is not a folder; the included paths under it are skipped",
                        p.display()
                    ));
                    continue;
                }
            };
            let mut e = entry_for(&p, &meta, &self.names);
            e.subtree = Some(self.walk_trie(&p, child, self.prev_tree(prev_e))?);
            entries.push(e);
        }
        self.store_tree(&Tree { entries })
    }
}

/// The included paths as a tree of path components.
#[derive(Default, Debug)]
struct Trie {
    children: BTreeMap<OsString, Trie>,
    leaf: bool,
}

fn build_trie(includes: &[PathBuf]) -> Result<Trie> {
    let mut root = Trie::default();
    for inc in includes {
        if !inc.is_absolute() {
            return Err(Error::invalid(format!(
                "the included path {} is not absolute; give full paths",
                inc.display()
            )));
        }
        let mut node = &mut root;
        let mut depth = 0;
        for c in inc.components() {
            match c {
                Component::RootDir => {}
                Component::Normal(n) => {
                    depth += 1;
                    node = node.children.entry(n.to_os_string()).or_default()
                }
                _ => {
                    return Err(Error::invalid(format!(
                        "the included path {} contains . or ..; give a plain full path",
                        inc.display()
                    )))
                }
            }
        }
        if depth == 0 {
            return Err(Error::invalid(
                "backing up / as a whole is not supported; include its folders",
            ));
        }
        node.leaf = true;
    }
    Ok(root)
}

/// Runs one backup into `repo` with key set `ks`. The caller holds the
/// repository's writer lock.
pub fn run(
    repo: &Repository,
    ks: &KeySet,
    spec: &BackupSpec,
    sink: Arc<dyn ProgressSink>,
    cancel: &CancelToken,
) -> Result<BackupOutcome> {
    if spec.includes.is_empty() {
        return Err(Error::invalid(
            "the job has no folders to back up; add at least one",
        ));
    }
    let trie = build_trie(&spec.includes)?;
    let filter = Filter::new(&spec.exclude_masks, &spec.include_masks)?;
    sink.log(LogLevel::Info, "Loading the repository index");
    let index = repo.load_index(ks, true)?;
    warn_ignored(&index.ignored, &*sink);
    let (parent, prev_root) = previous_point(repo, ks, &index, &spec.backup_id, &*sink)?;
    let writer = PackWriter::new(
        repo.storage().clone(),
        ks.clone(),
        repo.config().pack_size as usize,
    );
    let counters = start_counters(parent.as_ref(), &writer);
    let ticker = Ticker::start(counters.clone(), sink.clone());
    let walk = {
        let ctx = Ctx {
            repo,
            ks,
            index: &index,
            writer: &writer,
            filter,
            level: zstd_level(spec.compression),
            chunker: repo.config().chunker,
            counters: counters.clone(),
            sink: &*sink,
            cancel,
            names: Names::default(),
            warnings: AtomicU64::new(0),
            files: AtomicU64::new(0),
            dirs: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            hardlinks: Mutex::new(HashMap::new()),
            full: spec.full,
            images: spec.images,
        };
        let included: Vec<String> = spec
            .includes
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        sink.log(
            LogLevel::Info,
            &format!("Backing up {}", included.join(", ")),
        );
        let top = spec.source_root.as_deref().unwrap_or(Path::new("/"));
        let root = super::on_tree_pool(|| ctx.walk_trie(top, &trie, prev_root));
        root.map(|r| (r, ctx.stats()))
    };
    let bytes_written = writer.bytes_written.clone();
    let finished = writer.finish();
    counters
        .bytes_written
        .store(bytes_written.load(Ordering::Relaxed), Ordering::Relaxed);
    drop(ticker);
    let (root, mut stats) = walk?;
    finished?;
    cancel.check()?;
    if stats.files == 0 && stats.dirs == 0 && stats.warnings > 0 {
        return Err(Error::not_found(
            "none of the job's included paths could be read; check the paths and permissions",
        ));
    }
    stats.bytes_read = counters.bytes_read.load(Ordering::Relaxed);
    stats.bytes_written = bytes_written.load(Ordering::Relaxed);
    let full = parent.is_none() || spec.full;
    let manifest = new_manifest(spec, full, root, stats);
    let warnings = manifest.stats.warnings;
    // Everything the point needs is durable: now make it visible.
    repo.write_manifest(ks, &manifest)?;
    update_backup_meta(repo, ks, &manifest, &spec.writer)?;
    sink.progress(&counters.snapshot(std::time::Instant::now()));
    Ok(BackupOutcome { manifest, warnings })
}

/// Objects under `index/` or the backup's `snapshots/` that are not
/// Cairn's: a warning each.
fn warn_ignored(keys: &[String], sink: &dyn ProgressSink) {
    for key in keys {
        sink.log(
            LogLevel::Warning,
            &format!("{key} in the repository is not a Cairn object; ignored"),
        );
    }
}

/// Progress counters of a run: the parent's totals are the first
/// estimate, and the pack writer's busy time tells a slow target.
fn start_counters(parent: Option<&Manifest>, writer: &PackWriter) -> Arc<Counters> {
    let counters = Arc::new(Counters::default());
    if let Some(m) = parent {
        counters.bytes_total.store(m.stats.bytes, Ordering::Relaxed);
        counters.files_total.store(m.stats.files, Ordering::Relaxed);
    }
    if let Ok(mut t) = counters.target_ns.lock() {
        *t = Some(writer.busy_ns.clone());
    }
    counters
}

/// The backup's newest restore point and its tree, the parent of the
/// next one (unchanged files are taken from it without reading them).
fn previous_point(
    repo: &Repository,
    ks: &KeySet,
    index: &Index,
    backup: &str,
    sink: &dyn ProgressSink,
) -> Result<(Option<Manifest>, Option<Tree>)> {
    let (mut points, strays) = repo.points_and_strays(backup)?;
    warn_ignored(&strays, sink);
    points.sort();
    let Some(last) = points.last() else {
        return Ok((None, None));
    };
    let m = repo.read_manifest(ks, backup, last)?;
    let tree = repo.read_tree(ks, index, &ChunkId::from_hex(&m.root)?)?;
    Ok((Some(m), Some(tree)))
}

/// The manifest of a new restore point of `spec`'s backup.
fn new_manifest(spec: &BackupSpec, full: bool, root: ChunkId, stats: PointStats) -> Manifest {
    let time = crate::time::now();
    Manifest {
        id: crate::time::new_point_id(time),
        backup: spec.backup_id.clone(),
        job: spec.job.clone(),
        machine: spec.machine.clone(),
        platform: spec.platform.clone(),
        time,
        kind: if full { "full" } else { "increment" }.into(),
        sources: spec
            .includes
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
        root: root.to_hex(),
        stats,
        region: spec.region.clone(),
        origin: String::new(),
    }
}

/// The newest restore point of a backup, if any.
pub fn latest_manifest(repo: &Repository, ks: &KeySet, backup: &str) -> Result<Option<Manifest>> {
    let mut points = repo.list_points(backup)?;
    points.sort();
    match points.last() {
        Some(p) => Ok(Some(repo.read_manifest(ks, backup, p)?)),
        None => Ok(None),
    }
}

/// Rewrites `backups/<id>` from the manifests that exist (the truth), so a
/// crash between manifest and metadata is repaired by the next run.
pub fn update_backup_meta(
    repo: &Repository,
    ks: &KeySet,
    m: &Manifest,
    writer: &str,
) -> Result<()> {
    let old = repo.read_backup_meta(ks, &m.backup).ok();
    let mut known: HashMap<String, PointSummary> = old
        .map(|o| o.points.into_iter().map(|p| (p.id.clone(), p)).collect())
        .unwrap_or_default();
    let mut points = Vec::new();
    let mut ids = repo.list_points(&m.backup)?;
    ids.sort();
    for id in ids {
        let summary = match known.remove(&id) {
            Some(s) => s,
            None => {
                let pm = if id == m.id {
                    m.clone()
                } else {
                    repo.read_manifest(ks, &m.backup, &id)?
                };
                PointSummary {
                    id: pm.id,
                    time: pm.time,
                    kind: pm.kind,
                    size: pm.stats.bytes,
                    gfs: Vec::new(),
                    stored: pm.stats.bytes_written,
                    origin: pm.origin,
                }
            }
        };
        points.push(summary);
    }
    let meta = BackupMeta {
        id: m.backup.clone(),
        job: m.job.clone(),
        machine: m.machine.clone(),
        platform: m.platform.clone(),
        keyset: ks.id().to_string(),
        region: m.region.clone(),
        writer: writer.to_string(),
        points,
    };
    repo.write_backup_meta(ks, &meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trie_refuses_relative_and_dot_paths() {
        assert!(build_trie(&[PathBuf::from("rel/x")]).is_err());
        assert!(build_trie(&[PathBuf::from("/a/../b")]).is_err());
        assert!(build_trie(&[PathBuf::from("/")]).is_err());
        let t = build_trie(&[PathBuf::from("/a/b"), PathBuf::from("/a/c")]).expect("trie");
        assert_eq!(t.children.len(), 1);
        assert_eq!(t.children[&OsString::from("a")].children.len(), 2);
    }
}
