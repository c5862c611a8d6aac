//! Restore points written by hand, the way an attacker with write access
//! to the storage would: a chain of nested trees, a folder bomb of shared
//! subtrees. The hostile-repository tests and `cairn bench hostile` use
//! them; nothing else writes trees this way.

use crate::format::blob;
use crate::format::index::KIND_TREE;
use crate::format::manifest::{BackupMeta, Manifest, PointStats};
use crate::format::pack::PackWriter;
use crate::format::tree::{Entry, EntryKind, Tree};
pub use crate::format::ChunkId;
use crate::repo::Repository;
use crate::Result;

/// A tree entry of `kind` named `name`, owned by root, with no content.
pub fn entry(name: &[u8], kind: EntryKind) -> Entry {
    Entry {
        name: name.to_vec(),
        kind,
        mode: if kind == EntryKind::Dir {
            0o40755
        } else {
            0o100644
        },
        uid: 0,
        gid: 0,
        user: String::new(),
        group: String::new(),
        mtime_ns: 1_600_000_000_000_000_000,
        ctime_ns: 0,
        inode: 0,
        dev: 0,
        nlink: 1,
        size: 0,
        rdev: 0,
        target: Vec::new(),
        content: Vec::new(),
        subtree: None,
        xattrs: Vec::new(),
    }
}

/// A folder entry named `name` leading to tree `sub`, owned by root.
pub fn folder(name: &str, sub: Option<ChunkId>) -> Entry {
    Entry {
        subtree: sub,
        ..entry(name.as_bytes(), EntryKind::Dir)
    }
}

/// Stores one tree and answers its id.
pub type PutTree<'a> = &'a dyn Fn(&Tree) -> ChunkId;

/// Writes a restore point of backup `backup` whose trees `build` makes
/// (given a function that stores one tree and answers its id), and the
/// backup's metadata; returns the point's manifest.
pub fn point(
    repo: &Repository,
    backup: &str,
    build: &dyn Fn(PutTree) -> ChunkId,
) -> Result<Manifest> {
    let ks = repo.default_keyset()?;
    let writer = PackWriter::new(repo.storage().clone(), ks.clone(), 4 << 20);
    let failed = std::sync::Mutex::new(None);
    let put = |t: &Tree| {
        let data = t.encode();
        let id = ks.chunk_id(&data);
        if writer.claim(&id) {
            let stored = blob::encode(&ks, &id, &data, Some(3))
                .and_then(|enc| writer.add(id, KIND_TREE, enc, data.len()));
            if let Err(e) = stored {
                failed
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert(e);
            }
        }
        id
    };
    let root = build(&put);
    if let Some(e) = failed.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    writer.finish()?;
    let m = Manifest {
        id: "20260101T000000.000000Z".into(),
        backup: backup.into(),
        job: backup.into(),
        machine: "m".into(),
        platform: "Linux".into(),
        time: 1_767_225_600,
        kind: "full".into(),
        sources: vec![],
        root: root.to_hex(),
        stats: PointStats::default(),
        region: String::new(),
        origin: String::new(),
    };
    repo.write_manifest(&ks, &m)?;
    let meta = BackupMeta {
        id: backup.into(),
        job: backup.into(),
        machine: "m".into(),
        platform: "Linux".into(),
        keyset: ks.id().to_string(),
        region: String::new(),
        writer: String::new(),
        points: Vec::new(),
    };
    repo.write_backup_meta(&ks, &meta)?;
    Ok(m)
}

/// A chain of `depth` nested folders, each holding only the next.
pub fn chain(put: PutTree, depth: usize) -> ChunkId {
    let mut id = put(&Tree::default());
    for _ in 0..depth {
        id = put(&Tree {
            entries: vec![folder("d", Some(id))],
        });
    }
    id
}

/// A folder bomb: `levels` folders, each holding the one below twice, so
/// the tree has 2^levels paths in `levels + 1` distinct trees.
pub fn bomb(put: PutTree, levels: usize) -> ChunkId {
    bomb_over(put, levels, &Tree::default())
}

/// [`bomb`] whose deepest folder holds `leaf`: two bombs over different
/// leaves differ at every one of their 2^levels deepest folders.
pub fn bomb_over(put: PutTree, levels: usize, leaf: &Tree) -> ChunkId {
    let mut id = put(leaf);
    for _ in 0..levels {
        id = put(&Tree {
            entries: vec![folder("a", Some(id)), folder("b", Some(id))],
        });
    }
    id
}
