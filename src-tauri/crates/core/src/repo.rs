//! An open repository: config, key sets, index, manifests and backup
//! metadata on top of any [`Storage`].

use crate::error::{Error, Result};
use crate::format::blob::{self, object_keyset, open_object, seal_object, ObjectKind};
use crate::format::chunker::ChunkerParams;
use crate::format::config::{RepoConfig, FORMAT_VERSION};
use crate::format::crypto::{KeyFile, KeySet};
use crate::format::index::{index_key, pack_key, Index, PackIndex, KIND_TREE};
use crate::format::manifest::{backup_key, manifest_key, BackupMeta, Manifest};
use crate::format::pack::read_trailer;
use crate::format::tree::Tree;
use crate::format::{is_name_id, is_object_id, ChunkId, MAX_SMALL_OBJECT};
use crate::storage::Storage;
use cairn_model::ErrorKind;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

pub use crate::format::markers::Owner;

/// A repository opened for reading and writing.
#[derive(Clone)]
pub struct Repository {
    storage: Arc<dyn Storage>,
    name: String,
    config: RepoConfig,
    tree_cache: Option<PathBuf>,
}

/// Opens the stored manifest of `point` of `backup`: a manifest naming
/// another point (one object copied over another) is refused.
pub fn manifest_from(ks: &KeySet, raw: &[u8], backup: &str, point: &str) -> Result<Manifest> {
    let key = manifest_key(backup, point);
    let plain = open_object(ks, ObjectKind::Manifest, raw, &key)?;
    let m: Manifest =
        serde_json::from_slice(&plain).map_err(|_| Error::corrupt(format!("{key} is damaged")))?;
    if m.id != point || m.backup != backup {
        return Err(Error::corrupt(format!(
            "{key} holds restore point {} of backup {}: it was copied over another point (tampered)",
            m.id, m.backup
        )));
    }
    Ok(m)
}

/// Opens the stored metadata of `backup`: metadata naming another backup
/// (one object copied over another) is refused.
pub fn backup_meta_from(ks: &KeySet, raw: &[u8], backup: &str) -> Result<BackupMeta> {
    let key = backup_key(backup);
    let plain = open_object(ks, ObjectKind::Backup, raw, &key)?;
    let meta: BackupMeta =
        serde_json::from_slice(&plain).map_err(|_| Error::corrupt(format!("{key} is damaged")))?;
    if meta.id != backup {
        return Err(Error::corrupt(format!(
            "{key} holds the metadata of backup {}: it was copied over another backup's (tampered)",
            meta.id
        )));
    }
    Ok(meta)
}

pub(crate) fn json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(v).map_err(|e| Error::internal("cannot encode").caused_by(e))
}

impl Repository {
    /// Creates a new repository on empty storage (refused if one exists),
    /// owned by the console `owner`.
    pub fn init(storage: Arc<dyn Storage>, name: &str, owner: &str) -> Result<Self> {
        if storage.exists("config")? {
            return Err(Error::conflict(format!(
                "{} already holds a Cairn repository; add it instead of creating one",
                storage.describe()
            )));
        }
        let (_, keyfile) = KeySet::new_plain();
        let config = RepoConfig {
            format: "cairn-repository".into(),
            version: FORMAT_VERSION,
            id: crate::format::random_id(),
            created: crate::time::now(),
            chunker: ChunkerParams::default(),
            pack_size: storage.preferred_pack_size(),
            default_keyset: keyfile.id.clone(),
        };
        storage.put(&format!("keys/{}", keyfile.id), &json(&keyfile)?)?;
        let repo = Self {
            storage,
            name: name.to_string(),
            config,
            tree_cache: None,
        };
        repo.write_owner(owner)?;
        // The config comes last: a repository is complete once it exists.
        repo.storage.put("config", &json(&repo.config)?)?;
        Ok(repo)
    }

    /// Opens an existing repository.
    pub fn open(storage: Arc<dyn Storage>, name: &str) -> Result<Self> {
        let raw = storage
            .get_at_most("config", MAX_SMALL_OBJECT)
            .map_err(|e| {
                if e.kind() == ErrorKind::NotFound {
                    Error::not_found(format!(
                        "{} holds no Cairn repository (no config object)",
                        storage.describe()
                    ))
                } else {
                    e
                }
            })?;
        let config: RepoConfig = serde_json::from_slice(&raw).map_err(|e| {
            Error::corrupt(format!("the config of repository {name} is damaged")).caused_by(e)
        })?;
        if config.format != "cairn-repository" || config.version > FORMAT_VERSION {
            return Err(Error::new(
                ErrorKind::Incompatible,
                format!(
                    "repository {name} uses format version {}, this Cairn reads up to {FORMAT_VERSION}; upgrade Cairn",
                    config.version
                ),
            ));
        }
        if let Some(problem) = config.problem() {
            return Err(Error::corrupt(format!(
                "the config of repository {name} is damaged: {problem}"
            )));
        }
        Ok(Self {
            storage,
            name: name.to_string(),
            config,
            tree_cache: None,
        })
    }

    /// The same repository over another view of its storage (a writer
    /// lock's guard).
    pub fn with_storage(&self, storage: Arc<dyn Storage>) -> Self {
        Self {
            storage,
            ..self.clone()
        }
    }

    /// Keeps tree blobs, as stored (sealed), in a local folder: ids are
    /// keyed content hashes, so a cached tree never goes stale, and an
    /// encrypted backup's trees stay encrypted on disk.
    pub fn with_tree_cache(mut self, dir: PathBuf) -> Self {
        self.tree_cache = Some(dir);
        self
    }

    /// Records which console owns the repository (the `owner` object).
    pub fn write_owner(&self, console: &str) -> Result<()> {
        let marker = Owner {
            console: console.to_string(),
            host: crate::time::hostname(),
            claimed: crate::time::now(),
        };
        self.storage.put("owner", &json(&marker)?)
    }

    /// The console that owns the repository, if recorded.
    pub fn owner(&self) -> Result<Option<Owner>> {
        match self.storage.get_at_most("owner", MAX_SMALL_OBJECT) {
            Ok(raw) => Ok(serde_json::from_slice(&raw).ok()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Display name used in messages.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The config.
    pub fn config(&self) -> &RepoConfig {
        &self.config
    }
    /// The storage.
    pub fn storage(&self) -> &Arc<dyn Storage> {
        &self.storage
    }

    /// Reads a key file.
    pub fn key_file(&self, id: &str) -> Result<KeyFile> {
        let raw = self
            .storage
            .get_at_most(&format!("keys/{id}"), MAX_SMALL_OBJECT)?;
        serde_json::from_slice(&raw).map_err(|_| {
            Error::corrupt(format!(
                "key file {id} of repository {} is damaged",
                self.name
            ))
        })
    }

    /// Unwraps a key set (password needed for encrypted ones).
    pub fn keyset(&self, id: &str, password: Option<&str>) -> Result<KeySet> {
        if !is_object_id(id) {
            return Err(Error::corrupt(format!(
                "repository {} names a key set \"{id}\" that is not a key set id (damaged or tampered)",
                self.name
            )));
        }
        let file = self.key_file(id)?;
        if file.id != id {
            return Err(Error::corrupt(format!(
                "key file {id} of repository {} holds key set {} (damaged or tampered)",
                self.name, file.id
            )));
        }
        KeySet::from_file(&file, password, &self.name)
    }

    /// Unwraps a key set that must be encrypted: the job writing with it,
    /// or the backup read with it, is known to be encrypted. A plain key
    /// file in its place was put there by someone who can write the
    /// storage, and is refused before anything is written or trusted.
    pub fn encrypted_keyset(&self, id: &str, password: Option<&str>) -> Result<KeySet> {
        let ks = self.keyset(id, password)?;
        if !ks.encrypted() {
            return Err(Error::corrupt(format!(
                "key set {id} of repository {} is not encrypted, but its backups are: the key file was replaced by someone who can write the storage. Nothing was written or read; put keys/{id} back from a copy of the repository, or give the job a new password",
                self.name
            )));
        }
        Ok(ks)
    }

    /// The unencrypted default key set.
    pub fn default_keyset(&self) -> Result<KeySet> {
        self.keyset(&self.config.default_keyset, None)
    }

    /// Creates and stores a new password-protected key set.
    pub fn create_keyset(
        &self,
        cipher: cairn_model::Cipher,
        password: &str,
        hint: &str,
    ) -> Result<KeySet> {
        let (ks, file) = KeySet::new_encrypted(cipher, password, hint)?;
        self.storage
            .put(&format!("keys/{}", file.id), &json(&file)?)?;
        Ok(ks)
    }

    /// Loads the index of one key set. Packs without an index object (a
    /// writer died between the two) are indexed from their trailer when
    /// `repair` is set, so their chunks are reused.
    pub fn load_index(&self, ks: &KeySet, repair: bool) -> Result<Index> {
        let mut index = Index::default();
        let index_objects = self.storage.list("index/")?;
        // Every pack with an index object, whatever its key set: only packs
        // missing from this listing need their trailer read.
        let indexed: HashSet<String> = index_objects
            .iter()
            .filter_map(|o| o.key.strip_prefix("index/").map(str::to_string))
            .collect();
        for obj in index_objects {
            let name = obj.key.trim_start_matches("index/");
            if !is_object_id(name) {
                index.ignored.push(obj.key.clone());
                continue;
            }
            let raw = self
                .storage
                .get_at_most(&obj.key, ObjectKind::Index.max_stored())?;
            if object_keyset(&raw, &obj.key)? != ks.id() {
                continue;
            }
            let plain = open_object(ks, ObjectKind::Index, &raw, &obj.key)?;
            let p: PackIndex = postcard::from_bytes(&plain)
                .map_err(|_| Error::corrupt(format!("{} is damaged", obj.key)))?;
            if p.pack != name {
                return Err(Error::corrupt(format!(
                    "{} describes pack {}, not its own (damaged or tampered)",
                    obj.key, p.pack
                )));
            }
            index.add(&p);
        }
        if repair {
            for obj in self.storage.list("data/")? {
                let pack = obj.key.rsplit('/').next().unwrap_or_default().to_string();
                if indexed.contains(&pack) || obj.key != pack_key(&pack) || !is_object_id(&pack) {
                    continue;
                }
                if let Ok(p) = read_trailer(&*self.storage, ks, &pack, obj.size) {
                    let plain =
                        postcard::to_allocvec(&p).map_err(|e| Error::internal(e.to_string()))?;
                    self.storage.put(
                        &index_key(&pack),
                        &seal_object(ks, ObjectKind::Index, &plain)?,
                    )?;
                    index.add(&p);
                }
            }
        }
        Ok(index)
    }

    /// Size of every pack in the repository, by pack id.
    pub fn pack_sizes(&self) -> Result<HashMap<String, u64>> {
        Ok(self
            .storage
            .list("data/")?
            .into_iter()
            .map(|o| {
                (
                    o.key.rsplit('/').next().unwrap_or_default().to_string(),
                    o.size,
                )
            })
            .collect())
    }

    /// Reads one blob by id.
    pub fn read_blob(&self, ks: &KeySet, index: &Index, id: &ChunkId) -> Result<Vec<u8>> {
        Ok(self.read_stored_blob(ks, index, id)?.1)
    }

    /// Reads one blob by id as stored, and decoded and verified: the
    /// stored bytes, the data, and the blob's kind.
    pub fn read_stored_blob(
        &self,
        ks: &KeySet,
        index: &Index,
        id: &ChunkId,
    ) -> Result<(Vec<u8>, Vec<u8>, u8)> {
        let (pack, loc) = index.get(id).ok_or_else(|| {
            Error::corrupt(format!(
                "chunk {} is missing from repository {}",
                id.to_hex(),
                self.name
            ))
        })?;
        let stored =
            self.storage
                .get_range(&pack_key(pack), loc.offset as u64, loc.length as u64)?;
        let plain = blob::decode_verified(ks, id, &stored, loc.raw_length as usize)?;
        Ok((stored, plain, loc.kind))
    }

    /// Reads and decodes a tree, from the tree cache when it has it.
    pub fn read_tree(&self, ks: &KeySet, index: &Index, id: &ChunkId) -> Result<Tree> {
        let Some((pack, loc)) = index.get(id) else {
            return Err(Error::corrupt(format!(
                "folder tree {} is missing from repository {}",
                id.to_hex(),
                self.name
            )));
        };
        if loc.kind != KIND_TREE {
            return Err(Error::corrupt(format!(
                "object {} is not a folder tree",
                id.to_hex()
            )));
        }
        let hex = id.to_hex();
        let cached = self
            .tree_cache
            .as_ref()
            .map(|d| d.join(&hex[..2]).join(&hex));
        let stored = match cached.as_ref().and_then(|f| std::fs::read(f).ok()) {
            Some(b) => b,
            None => {
                let b = self.storage.get_range(
                    &pack_key(pack),
                    loc.offset as u64,
                    loc.length as u64,
                )?;
                if let Some(f) = &cached {
                    cache_put(f, &b);
                }
                b
            }
        };
        let raw = match blob::decode_verified(ks, id, &stored, loc.raw_length as usize) {
            Ok(r) => r,
            Err(e) => {
                // A damaged cache file is dropped and read again.
                if let Some(f) = &cached {
                    let _ = std::fs::remove_file(f);
                }
                return Err(e);
            }
        };
        Tree::decode(&raw)
            .ok_or_else(|| Error::corrupt(format!("folder tree {} is damaged", id.to_hex())))
    }

    /// Writes a manifest: the step that makes a restore point visible.
    pub fn write_manifest(&self, ks: &KeySet, m: &Manifest) -> Result<()> {
        let obj = seal_object(ks, ObjectKind::Manifest, &json(m)?)?;
        self.storage.put(&manifest_key(&m.backup, &m.id), &obj)
    }

    /// Reads a manifest.
    pub fn read_manifest(&self, ks: &KeySet, backup: &str, point: &str) -> Result<Manifest> {
        let key = manifest_key(backup, point);
        let max = ObjectKind::Manifest.max_stored();
        let raw = self.storage.get_at_most(&key, max).map_err(|e| {
            if e.kind() == ErrorKind::NotFound {
                Error::not_found(format!(
                    "restore point {point} of backup {backup} does not exist"
                ))
            } else {
                e
            }
        })?;
        manifest_from(ks, &raw, backup, point)
    }

    /// Point ids of a backup, from the manifests themselves.
    pub fn list_points(&self, backup: &str) -> Result<Vec<String>> {
        Ok(self.points_and_strays(backup)?.0)
    }

    /// Point ids of a backup, and the keys under its `snapshots/` folder
    /// that cannot be points (`._x`, `.DS_Store`): ignored, for a warning.
    pub fn points_and_strays(&self, backup: &str) -> Result<(Vec<String>, Vec<String>)> {
        let prefix = format!("snapshots/{backup}/");
        let (points, strays) = self
            .storage
            .list(&prefix)?
            .into_iter()
            .filter_map(|o| o.key.strip_prefix(&prefix).map(str::to_string))
            .partition(|p| is_name_id(p));
        Ok((
            points,
            strays.into_iter().map(|s| format!("{prefix}{s}")).collect(),
        ))
    }

    /// Every restore point in the repository sealed with key set `ks`,
    /// read from `snapshots/` itself: the manifests are the truth, and a
    /// backup whose metadata object is missing still counts.
    pub fn manifests_of_keyset(&self, ks: &KeySet) -> Result<Vec<Manifest>> {
        let mut out = Vec::new();
        for o in self.storage.list("snapshots/")? {
            let mut parts = o.key.trim_start_matches("snapshots/").splitn(2, '/');
            let (Some(backup), Some(point)) = (parts.next(), parts.next()) else {
                continue;
            };
            if !is_name_id(backup) || !is_name_id(point) {
                continue;
            }
            let raw = self
                .storage
                .get_at_most(&o.key, ObjectKind::Manifest.max_stored())?;
            if object_keyset(&raw, &o.key)? != ks.id() {
                continue;
            }
            out.push(manifest_from(ks, &raw, backup, point)?);
        }
        Ok(out)
    }

    /// Deletes a manifest (retention).
    pub fn delete_manifest(&self, backup: &str, point: &str) -> Result<()> {
        self.storage.delete(&manifest_key(backup, point))
    }

    /// Deletes a backup: every restore point, then its metadata (the data
    /// they alone used goes at the next prune).
    pub fn delete_backup(&self, backup: &str) -> Result<()> {
        for p in self.list_points(backup)? {
            self.delete_manifest(backup, &p)?;
        }
        self.storage.delete(&backup_key(backup))
    }

    /// Writes a backup's metadata object.
    pub fn write_backup_meta(&self, ks: &KeySet, meta: &BackupMeta) -> Result<()> {
        let obj = seal_object(ks, ObjectKind::Backup, &json(meta)?)?;
        self.storage.put(&backup_key(&meta.id), &obj)
    }

    /// Ids of all backups and the key set each is sealed with.
    pub fn list_backups(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        for o in self.storage.list("backups/")? {
            let id = o.key.trim_start_matches("backups/").to_string();
            if !is_name_id(&id) {
                continue;
            }
            let raw = self
                .storage
                .get_at_most(&o.key, ObjectKind::Backup.max_stored())?;
            out.push((id, object_keyset(&raw, &o.key)?));
        }
        Ok(out)
    }

    /// The key set a backup is sealed with (one read of its metadata
    /// object), or None when the repository has no such backup.
    pub fn backup_keyset(&self, backup: &str) -> Result<Option<String>> {
        let key = backup_key(backup);
        match self
            .storage
            .get_at_most(&key, ObjectKind::Backup.max_stored())
        {
            Ok(raw) => Ok(Some(object_keyset(&raw, &key)?)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Reads a backup's metadata.
    pub fn read_backup_meta(&self, ks: &KeySet, backup: &str) -> Result<BackupMeta> {
        let key = backup_key(backup);
        let raw = self
            .storage
            .get_at_most(&key, ObjectKind::Backup.max_stored())?;
        backup_meta_from(ks, &raw, backup)
    }

    /// Key set ids of all backups, grouped.
    pub fn keysets_in_use(&self) -> Result<HashMap<String, Vec<String>>> {
        let mut m: HashMap<String, Vec<String>> = HashMap::new();
        for (b, k) in self.list_backups()? {
            m.entry(k).or_default().push(b);
        }
        Ok(m)
    }
}

/// Writes a cache file through a temporary name; a failure only costs the
/// cache.
fn cache_put(file: &std::path::Path, bytes: &[u8]) {
    let Some(dir) = file.parent() else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!(".tmp-{}", &crate::format::random_id()[..12]));
    if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, file).is_ok() {
        return;
    }
    let _ = std::fs::remove_file(&tmp);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::manifest::PointStats;
    use crate::storage::MemoryStorage;
    use cairn_model::Cipher;

    fn storage() -> Arc<dyn Storage> {
        Arc::new(MemoryStorage::new())
    }

    /// The error of an operation that must fail.
    fn refused<T>(r: Result<T>) -> Error {
        match r {
            Ok(_) => panic!("the operation must be refused"),
            Err(e) => e,
        }
    }

    fn manifest(id: &str) -> Manifest {
        Manifest {
            id: id.into(),
            backup: "b1".into(),
            job: "Docs".into(),
            machine: "host".into(),
            platform: "Linux".into(),
            time: 1_800_000_000,
            kind: "full".into(),
            sources: vec!["/home".into()],
            root: "00".repeat(32),
            stats: PointStats::default(),
            region: String::new(),
            origin: String::new(),
        }
    }

    #[test]
    fn a_new_repository_opens_again_with_its_config_and_owner() {
        let s = storage();
        let repo = Repository::init(s.clone(), "r", "console-1").expect("init");
        let again = Repository::open(s.clone(), "r").expect("open");
        assert_eq!(again.config().id, repo.config().id);
        assert_eq!(again.config().pack_size, s.preferred_pack_size());
        assert_eq!(
            again.owner().expect("owner").expect("set").console,
            "console-1"
        );
        let err = refused(Repository::init(s, "r", "console-2"));
        assert_eq!(err.kind(), ErrorKind::Conflict);
    }

    #[test]
    fn empty_storage_and_a_newer_format_are_refused_with_the_reason() {
        let err = refused(Repository::open(storage(), "r"));
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let s = storage();
        let repo = Repository::init(s.clone(), "r", "c").expect("init");
        let mut config = repo.config().clone();
        config.version = FORMAT_VERSION + 1;
        s.put("config", &json(&config).expect("json")).expect("put");
        let err = refused(Repository::open(s, "r"));
        assert_eq!(err.kind(), ErrorKind::Incompatible);
        assert!(err.message().contains("upgrade Cairn"), "{}", err.message());
    }

    #[test]
    fn manifests_round_trip_and_an_encrypted_keyset_needs_its_password() {
        let repo = Repository::init(storage(), "r", "c").expect("init");
        let ks = repo
            .create_keyset(Cipher::Aes256Gcm, "correct horse", "the usual")
            .expect("keyset");
        for id in ["20260101T000000.000001Z", "20260102T000000.000001Z"] {
            repo.write_manifest(&ks, &manifest(id)).expect("write");
        }
        let mut points = repo.list_points("b1").expect("list");
        points.sort();
        assert_eq!(points.len(), 2);
        let back = repo.read_manifest(&ks, "b1", &points[1]).expect("read");
        assert_eq!(back, manifest(&points[1]));
        let wrong = repo
            .keyset(ks.id(), Some("wrong"))
            .expect_err("wrong password");
        assert_eq!(wrong.kind(), ErrorKind::WrongPassword);
        let right = repo
            .keyset(ks.id(), Some("correct horse"))
            .expect("right password");
        assert_eq!(right.id(), ks.id());
    }
}
