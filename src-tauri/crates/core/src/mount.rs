//! A restore point as a read-only FUSE file system. Folders are read from
//! their trees when first looked at, files chunk by chunk when read, with a
//! bounded cache of decoded chunks, so opening one file of a large point
//! reads only that file's chunks. Modes, owners, times and symlinks are as
//! stored; every write is refused by the kernel (the mount is read-only)
//! and by `open`.

use crate::error::{Error, Result};
use crate::format::crypto::KeySet;
use crate::format::index::Index;
use crate::format::manifest::Manifest;
use crate::format::tree::{Entry, EntryKind, MAX_DEPTH};
use crate::format::ChunkId;
use crate::repo::Repository;
use fuser::{
    Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags, Generation, INodeNo, LockOwner,
    OpenFlags, ReplyAttr, ReplyData, ReplyDirectory, ReplyEntry, ReplyOpen, ReplyXattr, Request,
};
use std::collections::VecDeque;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long the kernel may keep what it was told: the point never changes.
const TTL: Duration = Duration::from_secs(3600);
/// Decoded chunks kept, in bytes.
const CACHE_BYTES: usize = 64 << 20;

/// One file, folder or link of the point.
struct Node {
    entry: Entry,
    parent: u64,
    depth: usize,
    /// Children by name, once the folder was read.
    children: Option<Children>,
    /// Its chunks and where each ends, once the file was read.
    map: Option<Arc<FileMap>>,
}

/// A folder's children: name and inode, in the tree's order.
type Children = Arc<Vec<(Vec<u8>, u64)>>;

/// A file's chunks and the offset at which each ends.
struct FileMap {
    chunks: Vec<ChunkId>,
    ends: Vec<u64>,
}

/// What a mount has read so far.
#[derive(Debug, Default)]
pub struct MountCounters {
    /// Chunks fetched from the repository (cache misses).
    pub chunks_fetched: AtomicU64,
    /// Bytes of those chunks, decoded.
    pub bytes_fetched: AtomicU64,
    /// Bytes served to readers.
    pub bytes_served: AtomicU64,
}

/// The file system of one restore point.
pub struct PointFs {
    repo: Repository,
    ks: KeySet,
    index: Arc<Index>,
    nodes: Mutex<Vec<Node>>,
    cache: Mutex<VecDeque<(ChunkId, Arc<Vec<u8>>)>>,
    /// What it has read.
    pub counters: Arc<MountCounters>,
}

impl PointFs {
    /// The file system of `m`, whose root folder is read at once (so a
    /// point that cannot be read fails before anything is mounted).
    pub fn new(repo: Repository, ks: KeySet, index: Arc<Index>, m: &Manifest) -> Result<Self> {
        let root = ChunkId::from_hex(&m.root)?;
        let tree = repo.read_tree(&ks, &index, &root)?;
        let time = m.time.saturating_mul(1_000_000_000);
        let entry = Entry {
            name: Vec::new(),
            kind: EntryKind::Dir,
            mode: 0o40755,
            uid: 0,
            gid: 0,
            user: String::new(),
            group: String::new(),
            mtime_ns: time,
            ctime_ns: time,
            inode: 0,
            dev: 0,
            nlink: 2,
            size: 0,
            rdev: 0,
            target: Vec::new(),
            content: Vec::new(),
            subtree: Some(root),
            xattrs: Vec::new(),
        };
        let mut nodes = vec![Node {
            entry,
            parent: 1,
            depth: 0,
            children: None,
            map: None,
        }];
        adopt(&mut nodes, 1, tree)?;
        Ok(Self {
            repo,
            ks,
            index,
            nodes: Mutex::new(nodes),
            cache: Mutex::new(VecDeque::new()),
            counters: Arc::new(MountCounters::default()),
        })
    }

    fn nodes(&self) -> Result<std::sync::MutexGuard<'_, Vec<Node>>> {
        self.nodes
            .lock()
            .map_err(|_| Error::internal("the mount failed earlier"))
    }

    /// The children of folder `ino`, read from its tree the first time.
    fn children(&self, ino: u64) -> Result<Children> {
        let (subtree, depth) = {
            let nodes = self.nodes()?;
            let n = node(&nodes, ino)?;
            if let Some(c) = &n.children {
                return Ok(c.clone());
            }
            (n.entry.subtree, n.depth)
        };
        let Some(subtree) = subtree else {
            return Err(Error::invalid("not a folder"));
        };
        if depth >= MAX_DEPTH {
            return Err(crate::format::tree::too_deep("the restore point"));
        }
        let tree = self.repo.read_tree(&self.ks, &self.index, &subtree)?;
        let mut nodes = self.nodes()?;
        if let Some(c) = &node(&nodes, ino)?.children {
            return Ok(c.clone());
        }
        adopt(&mut nodes, ino, tree)
    }

    fn xattrs(&self, ino: u64) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        Ok(node(&self.nodes()?, ino)?.entry.xattrs.clone())
    }

    fn attr(&self, ino: u64) -> Result<FileAttr> {
        let nodes = self.nodes()?;
        Ok(attr_of(ino, &node(&nodes, ino)?.entry))
    }

    /// The chunks of file `ino` and where each ends, from the index.
    fn map(&self, ino: u64) -> Result<Arc<FileMap>> {
        let mut nodes = self.nodes()?;
        let n = node_mut(&mut nodes, ino)?;
        if let Some(m) = &n.map {
            return Ok(m.clone());
        }
        let mut end = 0u64;
        let mut ends = Vec::with_capacity(n.entry.content.len());
        for c in &n.entry.content {
            let (_, loc) = self.index.get(c).ok_or_else(|| {
                Error::corrupt(format!(
                    "chunk {} is missing from the repository",
                    c.to_hex()
                ))
            })?;
            end += loc.raw_length as u64;
            ends.push(end);
        }
        let map = Arc::new(FileMap {
            chunks: n.entry.content.clone(),
            ends,
        });
        n.map = Some(map.clone());
        Ok(map)
    }

    /// One decoded chunk, from the cache or the repository.
    fn chunk(&self, id: &ChunkId) -> Result<Arc<Vec<u8>>> {
        if let Ok(c) = self.cache.lock() {
            if let Some((_, data)) = c.iter().find(|(k, _)| k == id) {
                return Ok(data.clone());
            }
        }
        let data = Arc::new(self.repo.read_blob(&self.ks, &self.index, id)?);
        self.counters.chunks_fetched.fetch_add(1, Ordering::Relaxed);
        self.counters
            .bytes_fetched
            .fetch_add(data.len() as u64, Ordering::Relaxed);
        if let Ok(mut c) = self.cache.lock() {
            c.push_back((*id, data.clone()));
            while c.iter().map(|(_, d)| d.len()).sum::<usize>() > CACHE_BYTES && c.len() > 1 {
                c.pop_front();
            }
        }
        Ok(data)
    }

    /// Up to `size` bytes of file `ino` at `offset`.
    fn read_at(&self, ino: u64, offset: u64, size: u32) -> Result<Vec<u8>> {
        let map = self.map(ino)?;
        let (chunks, ends) = (&map.chunks, &map.ends);
        let total = ends.last().copied().unwrap_or(0);
        let stop = offset.saturating_add(size as u64).min(total);
        let mut out = Vec::with_capacity(stop.saturating_sub(offset) as usize);
        let mut at = offset;
        let mut i = ends.partition_point(|&e| e <= at);
        while at < stop && i < chunks.len() {
            let start = if i == 0 { 0 } else { ends[i - 1] };
            let data = self.chunk(&chunks[i])?;
            if data.len() as u64 != ends[i] - start {
                return Err(Error::corrupt(format!(
                    "chunk {} is not as long as the index says",
                    chunks[i].to_hex()
                )));
            }
            let from = (at - start) as usize;
            let to = (stop.min(ends[i]) - start) as usize;
            out.extend_from_slice(&data[from..to]);
            at = start + to as u64;
            i += 1;
        }
        self.counters
            .bytes_served
            .fetch_add(out.len() as u64, Ordering::Relaxed);
        Ok(out)
    }
}

/// Answers an extended attribute request: its size when asked for 0
/// bytes, the bytes when they fit, else ERANGE.
fn sized(data: &[u8], size: u32, reply: ReplyXattr) {
    if size == 0 {
        reply.size(data.len() as u32);
    } else if data.len() <= size as usize {
        reply.data(data);
    } else {
        reply.error(Errno::ERANGE);
    }
}

/// Makes inodes of the entries of `tree`, the folder `ino`, and records
/// them as its children.
fn adopt(nodes: &mut Vec<Node>, ino: u64, tree: crate::format::tree::Tree) -> Result<Children> {
    let depth = node(nodes, ino)?.depth;
    let mut children = Vec::with_capacity(tree.entries.len());
    for entry in tree.entries {
        let child = nodes.len() as u64 + 1;
        children.push((entry.name.clone(), child));
        nodes.push(Node {
            entry,
            parent: ino,
            depth: depth + 1,
            children: None,
            map: None,
        });
    }
    let children = Arc::new(children);
    node_mut(nodes, ino)?.children = Some(children.clone());
    Ok(children)
}

fn node(nodes: &[Node], ino: u64) -> Result<&Node> {
    (ino as usize)
        .checked_sub(1)
        .and_then(|i| nodes.get(i))
        .ok_or_else(|| Error::not_found(format!("no inode {ino}")))
}

fn node_mut(nodes: &mut [Node], ino: u64) -> Result<&mut Node> {
    (ino as usize)
        .checked_sub(1)
        .and_then(|i| nodes.get_mut(i))
        .ok_or_else(|| Error::not_found(format!("no inode {ino}")))
}

fn file_type(kind: EntryKind) -> FileType {
    match kind {
        EntryKind::File => FileType::RegularFile,
        EntryKind::Dir => FileType::Directory,
        EntryKind::Symlink => FileType::Symlink,
        EntryKind::Fifo => FileType::NamedPipe,
        EntryKind::CharDevice => FileType::CharDevice,
        EntryKind::BlockDevice => FileType::BlockDevice,
        EntryKind::Socket => FileType::Socket,
    }
}

fn time_of(ns: i64) -> SystemTime {
    if ns >= 0 {
        UNIX_EPOCH + Duration::from_nanos(ns as u64)
    } else {
        UNIX_EPOCH
            .checked_sub(Duration::from_nanos(ns.unsigned_abs()))
            .unwrap_or(UNIX_EPOCH)
    }
}

fn attr_of(ino: u64, e: &Entry) -> FileAttr {
    let size = match e.kind {
        EntryKind::File => e.size,
        EntryKind::Symlink => e.target.len() as u64,
        _ => 0,
    };
    FileAttr {
        ino: INodeNo(ino),
        size,
        blocks: size.div_ceil(512),
        atime: time_of(e.mtime_ns),
        mtime: time_of(e.mtime_ns),
        ctime: time_of(e.ctime_ns),
        crtime: time_of(e.mtime_ns),
        kind: file_type(e.kind),
        perm: (e.mode & 0o7777) as u16,
        nlink: if e.kind == EntryKind::Dir { 2 } else { 1 },
        uid: e.uid,
        gid: e.gid,
        rdev: e.rdev as u32,
        flags: 0,
        blksize: 4096,
    }
}

/// The errno a failed read answers with.
fn errno(e: &Error) -> Errno {
    match e.kind() {
        cairn_model::ErrorKind::NotFound => Errno::ENOENT,
        cairn_model::ErrorKind::InvalidInput => Errno::ENOTDIR,
        _ => Errno::EIO,
    }
}

impl Filesystem for PointFs {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let found = self.children(parent.0).and_then(|c| {
            c.iter()
                .find(|(n, _)| n.as_slice() == name.as_bytes())
                .map(|(_, ino)| *ino)
                .ok_or_else(|| Error::not_found("no such entry"))
                .and_then(|ino| self.attr(ino))
        });
        match found {
            Ok(a) => reply.entry(&TTL, &a, Generation(0)),
            Err(e) => reply.error(errno(&e)),
        }
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        match self.attr(ino.0) {
            Ok(a) => reply.attr(&TTL, &a),
            Err(e) => reply.error(errno(&e)),
        }
    }

    fn readlink(&self, _req: &Request, ino: INodeNo, reply: ReplyData) {
        let target = self
            .nodes()
            .and_then(|n| node(&n, ino.0).map(|n| (n.entry.kind, n.entry.target.clone())));
        match target {
            Ok((EntryKind::Symlink, t)) => reply.data(&t),
            Ok(_) => reply.error(Errno::EINVAL),
            Err(e) => reply.error(errno(&e)),
        }
    }

    fn open(&self, _req: &Request, _ino: INodeNo, flags: OpenFlags, reply: ReplyOpen) {
        // O_ACCMODE is 3 and O_RDONLY 0 on Linux.
        if flags.0 & 3 != 0 {
            return reply.error(Errno::EROFS);
        }
        reply.opened(FileHandle(0), FopenFlags::FOPEN_KEEP_CACHE);
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        match self.read_at(ino.0, offset, size) {
            Ok(data) => reply.data(&data),
            Err(e) => reply.error(errno(&e)),
        }
    }

    fn listxattr(&self, _req: &Request, ino: INodeNo, size: u32, reply: ReplyXattr) {
        let names = self.xattrs(ino.0).map(|x| {
            x.into_iter().fold(Vec::new(), |mut all, (name, _)| {
                all.extend_from_slice(&name);
                all.push(0);
                all
            })
        });
        match names {
            Ok(n) => sized(&n, size, reply),
            Err(e) => reply.error(errno(&e)),
        }
    }

    fn getxattr(&self, _req: &Request, ino: INodeNo, name: &OsStr, size: u32, reply: ReplyXattr) {
        let value = self.xattrs(ino.0).map(|x| {
            x.into_iter()
                .find(|(n, _)| n.as_slice() == name.as_bytes())
                .map(|(_, v)| v)
        });
        match value {
            Ok(Some(v)) => sized(&v, size, reply),
            Ok(None) => reply.error(Errno::ENODATA),
            Err(e) => reply.error(errno(&e)),
        }
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let listed = self.children(ino.0).and_then(|c| {
            let nodes = self.nodes()?;
            let parent = node(&nodes, ino.0)?.parent;
            let mut all = vec![
                (ino.0, FileType::Directory, b".".to_vec()),
                (parent, FileType::Directory, b"..".to_vec()),
            ];
            for (name, child) in c.iter() {
                let kind = file_type(node(&nodes, *child)?.entry.kind);
                all.push((*child, kind, name.clone()));
            }
            Ok(all)
        });
        let all = match listed {
            Ok(a) => a,
            Err(e) => return reply.error(errno(&e)),
        };
        for (i, (child, kind, name)) in all.into_iter().enumerate().skip(offset as usize) {
            if reply.add(
                INodeNo(child),
                (i + 1) as u64,
                kind,
                OsStr::from_bytes(&name),
            ) {
                break;
            }
        }
        reply.ok();
    }
}

/// The mount options of a published restore point.
fn options(name: &str) -> fuser::Config {
    let mut cfg = fuser::Config::default();
    cfg.mount_options = vec![
        fuser::MountOption::RO,
        fuser::MountOption::FSName(format!("cairn:{name}")),
        fuser::MountOption::Subtype("cairn".into()),
        fuser::MountOption::DefaultPermissions,
        fuser::MountOption::NoDev,
        fuser::MountOption::NoSuid,
    ];
    cfg
}

/// A mounted restore point, served on a thread of its own.
pub struct Mounted {
    session: fuser::BackgroundSession,
}

/// Mounts `fs` read-only at `dir` through fusermount3.
pub fn mount(fs: PointFs, dir: &std::path::Path, name: &str) -> Result<Mounted> {
    let session = fuser::spawn_mount(fs, dir, &options(name)).map_err(|e| {
        Error::internal(format!(
            "cannot mount {}: {e}; FUSE needs /dev/fuse and fusermount3 (Debian package fuse3)",
            dir.display()
        ))
    })?;
    Ok(Mounted { session })
}

impl Mounted {
    /// True once the file system was unmounted from outside
    /// (`fusermount3 -u`, `umount`).
    pub fn is_finished(&self) -> bool {
        self.session.guard.is_finished()
    }

    /// Unmounts (unless that happened already) and waits for the server.
    pub fn unmount(self) -> Result<()> {
        let done = if self.is_finished() {
            self.session.join()
        } else {
            self.session.umount_and_join()
        };
        done.map_err(|e| Error::internal(format!("unmounting failed: {e}")))
    }
}
