//! Entry points for fuzzing every decoder of repository data: each takes
//! arbitrary bytes as if a hostile storage had stored them, runs them
//! through the real reading path, and must return (an error is fine)
//! without panicking, allocating past the format's caps or looping. The
//! cargo-fuzz targets in `fuzz/` call these; the unit test below runs a
//! fixed-seed pass over mutated real objects on every `cargo test`.

use crate::format::blob::{self, ObjectKind, HEADER_LEN};
use crate::format::crypto::{KeyFile, KeySet};
use crate::format::pack::read_trailer;
use crate::format::tree::Tree;
use crate::format::ChunkId;
use crate::jobs::prune;
use crate::repo::Repository;
use crate::storage::{MemoryStorage, Storage};
use std::sync::{Arc, OnceLock};

/// The id of the pack the pack and index targets store their input as.
const PACK: &str = "0123456789abcdef0123456789abcdef";

struct Scene {
    storage: Arc<dyn Storage>,
    repo: Repository,
    ks: KeySet,
}

fn scene() -> &'static Scene {
    static SCENE: OnceLock<Scene> = OnceLock::new();
    SCENE.get_or_init(|| {
        let storage: Arc<dyn Storage> = Arc::new(MemoryStorage::new());
        let repo = Repository::init(storage.clone(), "fuzz", "fuzz").expect("memory repository");
        let ks = repo.default_keyset().expect("plain key set");
        Scene { storage, repo, ks }
    })
}

/// `data` under a valid header of `kind` for the plain key set, so the
/// fuzzer reaches decompression and parsing instead of the header check.
fn with_header(kind: ObjectKind, data: &[u8]) -> Vec<u8> {
    let s = scene();
    let mut out = blob::seal_object(&s.ks, kind, b"").expect("seal")[..HEADER_LEN].to_vec();
    out.extend_from_slice(data);
    out
}

/// A key file (`keys/<id>`): parsed, then opened without and, where its
/// key derivation is cheap enough for a fuzzer, with a password.
pub fn key_file(data: &[u8]) {
    let Ok(file) = serde_json::from_slice::<KeyFile>(data) else {
        return;
    };
    let _ = KeySet::from_file(&file, None, "fuzz");
    let cheap = file
        .kdf
        .as_ref()
        .is_some_and(|k| k.memory_kib <= 8 * 1024 && k.iterations <= 1 && k.parallelism <= 1);
    if cheap {
        let _ = KeySet::from_file(&file, Some("fuzz"), "fuzz");
    }
}

/// The repository `config`.
pub fn config(data: &[u8]) {
    let storage: Arc<dyn Storage> = Arc::new(MemoryStorage::new());
    if storage.put("config", data).is_ok() {
        let _ = Repository::open(storage, "fuzz");
    }
}

/// A tree blob's content.
pub fn tree(data: &[u8]) {
    if let Some(t) = Tree::decode(data) {
        let again = Tree::decode(&t.encode());
        assert!(
            again.is_some(),
            "a decoded tree must encode to a decodable one"
        );
    }
}

/// A stored blob: the first 4 bytes are the raw length the index claims.
pub fn blob(data: &[u8]) {
    let Some((len, stored)) = data.split_first_chunk::<4>() else {
        return;
    };
    let s = scene();
    let id = ChunkId(*blake3::hash(stored).as_bytes());
    let _ = blob::decode_verified(&s.ks, &id, stored, u32::from_le_bytes(*len) as usize);
}

/// A pack as stored: its trailer and header are read as when an index
/// object is lost.
pub fn pack(data: &[u8]) {
    let s = scene();
    let key = crate::format::index::pack_key(PACK);
    if s.storage.put(&key, data).is_ok() {
        let _ = read_trailer(&*s.storage, &s.ks, PACK, data.len() as u64);
    }
}

/// A sealed object of the kind the first byte selects, stored where the
/// repository reads it and read the way jobs and rescans read it.
pub fn object(data: &[u8]) {
    let Some((which, body)) = data.split_first() else {
        return;
    };
    let s = scene();
    match which % 4 {
        0 => {
            let key = crate::format::index::index_key(PACK);
            if s.storage
                .put(&key, &with_header(ObjectKind::Index, body))
                .is_ok()
            {
                let _ = s.repo.load_index(&s.ks, false);
            }
            let _ = s.storage.delete(&key);
        }
        1 => {
            let raw = with_header(ObjectKind::Manifest, body);
            let _ = crate::repo::manifest_from(&s.ks, &raw, "b", "p");
        }
        2 => {
            let raw = with_header(ObjectKind::Backup, body);
            let _ = crate::repo::backup_meta_from(&s.ks, &raw, "b");
        }
        _ => {
            let raw = with_header(ObjectKind::PruneMarks, body);
            let _ = prune::marks_from(&s.ks, &raw, "prune/x");
        }
    }
}

#[cfg(test)]
mod tests;
