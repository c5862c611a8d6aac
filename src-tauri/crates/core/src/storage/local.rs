//! A repository in a local (or mounted) folder.

use super::{check_key, ObjectInfo, ReadStorage, Storage};
use crate::error::{Error, Result};
use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// Objects as files under a root folder; `put` writes a temporary file,
/// syncs it and renames it into place.
pub struct LocalStorage {
    root: PathBuf,
}

impl LocalStorage {
    /// Opens a folder, creating it when `create` is set.
    pub fn open(root: &Path, create: bool) -> Result<Self> {
        if create {
            fs::create_dir_all(root).map_err(|e| Error::io("create the folder", root, e))?;
        } else if !root.is_dir() {
            return Err(Error::not_found(format!(
                "the repository folder {} does not exist",
                root.display()
            )));
        }
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file of an object. No folder or file below the root may be a
    /// symbolic link: a planted `data/vi -> /elsewhere` would otherwise
    /// let a prune delete, or a read disclose, files outside.
    fn path(&self, key: &str) -> Result<PathBuf> {
        check_key(key)?;
        let mut p = self.root.clone();
        for part in key.split('/') {
            p.push(part);
            match fs::symlink_metadata(&p) {
                Ok(m) if m.file_type().is_symlink() => {
                    return Err(Error::corrupt(format!(
                        "{} is a symbolic link inside the repository; Cairn never follows links there (remove it)",
                        p.display()
                    )));
                }
                Ok(_) => {}
                // Nothing below a missing folder can be a link.
                Err(_) => return Ok(self.root.join(key)),
            }
        }
        Ok(p)
    }

    fn list_into(
        &self,
        dir: &Path,
        rel: &str,
        prefix: &str,
        out: &mut Vec<ObjectInfo>,
    ) -> Result<()> {
        let rd = match fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io("list", dir, e)),
        };
        for ent in rd {
            let ent = ent.map_err(|e| Error::io("list", dir, e))?;
            let name = ent.file_name().to_string_lossy().into_owned();
            if name.starts_with(".tmp-") {
                continue;
            }
            let key = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            let ft = ent.file_type().map_err(|e| Error::io("list", dir, e))?;
            if ft.is_symlink() {
                // Never followed, never an object (see `path`).
                continue;
            }
            if ft.is_dir() {
                if prefix.starts_with(&format!("{key}/"))
                    || key.starts_with(prefix)
                    || prefix.is_empty()
                {
                    self.list_into(&ent.path(), &key, prefix, out)?;
                }
            } else if key.starts_with(prefix) {
                let (size, etag) = match ent.metadata() {
                    Ok(m) => {
                        use std::os::unix::fs::MetadataExt;
                        (
                            m.len(),
                            format!("{}.{}-{}", m.mtime(), m.mtime_nsec(), m.len()),
                        )
                    }
                    Err(_) => (0, String::new()),
                };
                out.push(ObjectInfo { key, size, etag });
            }
        }
        Ok(())
    }
}

fn sync_dir(dir: &Path) {
    #[cfg(test)]
    SYNCED.with(|s| s.borrow_mut().push(dir.to_path_buf()));
    // Persists the rename; some file systems refuse to open folders for
    // syncing, and then the rename is as durable as they make it.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
thread_local! {
    /// The folders this thread synced, for the tests.
    static SYNCED: std::cell::RefCell<Vec<PathBuf>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Creates `dir` and the ancestors it lacks; each new folder is durable
/// only once the folder holding it is synced, so every such parent is.
fn create_durably(dir: &Path) -> std::io::Result<()> {
    let mut missing = Vec::new();
    let mut d = dir;
    while !d.is_dir() {
        missing.push(d.to_path_buf());
        match d.parent() {
            Some(p) => d = p,
            None => break,
        }
    }
    fs::create_dir_all(dir)?;
    for m in missing.iter().rev() {
        if let Some(parent) = m.parent() {
            sync_dir(parent);
        }
    }
    Ok(())
}

impl ReadStorage for LocalStorage {
    fn get(&self, key: &str) -> Result<Vec<u8>> {
        self.get_at_most(key, super::MAX_OBJECT_LEN)
    }

    fn get_at_most(&self, key: &str, max: u64) -> Result<Vec<u8>> {
        let p = self.path(key)?;
        let f = File::open(&p).map_err(|e| Error::io("open", &p, e))?;
        let size = f.metadata().map_err(|e| Error::io("read", &p, e))?.len();
        if size > max {
            return Err(super::too_large(key, size, max));
        }
        let mut buf = Vec::with_capacity(size as usize);
        // The file may grow after the size was read: never past the cap.
        f.take(max + 1)
            .read_to_end(&mut buf)
            .map_err(|e| Error::io("read", &p, e))?;
        if buf.len() as u64 > max {
            return Err(super::too_large(key, buf.len() as u64, max));
        }
        Ok(buf)
    }

    fn get_range(&self, key: &str, offset: u64, len: u64) -> Result<Vec<u8>> {
        let p = self.path(key)?;
        let mut f = File::open(&p).map_err(|e| Error::io("open", &p, e))?;
        let size = f.metadata().map_err(|e| Error::io("read", &p, e))?.len();
        if offset.checked_add(len).is_none_or(|end| end > size) {
            return Err(Error::corrupt(format!(
                "{} holds {size} bytes, fewer than the {len} at offset {offset} the repository names (damaged or tampered)",
                p.display()
            )));
        }
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| Error::io("read", &p, e))?;
        let mut buf = vec![0u8; len as usize];
        f.read_exact(&mut buf)
            .map_err(|e| Error::io("read", &p, e))?;
        Ok(buf)
    }

    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>> {
        let mut out = Vec::new();
        // Start at the deepest folder the prefix names completely.
        let (dir_rel, _) = match prefix.rfind('/') {
            Some(i) => (&prefix[..i], &prefix[i + 1..]),
            None => ("", prefix),
        };
        let dir = if dir_rel.is_empty() {
            self.root.clone()
        } else {
            self.path(dir_rel)?
        };
        self.list_into(&dir, dir_rel, prefix, &mut out)?;
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn exists(&self, key: &str) -> Result<bool> {
        Ok(self.path(key)?.exists())
    }

    fn describe(&self) -> String {
        format!("folder {}", self.root.display())
    }
}

impl Storage for LocalStorage {
    fn put(&self, key: &str, data: &[u8]) -> Result<()> {
        let p = self.path(key)?;
        let dir = p.parent().unwrap_or(&self.root).to_path_buf();
        if !dir.is_dir() {
            create_durably(&dir).map_err(|e| Error::io("create the folder", &dir, e))?;
        }
        let tmp = dir.join(format!(".tmp-{}", hex::encode(rand::random::<[u8; 8]>())));
        let write = || -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(data)?;
            f.sync_all()?;
            fs::rename(&tmp, &p)
        };
        if let Err(e) = write() {
            let _ = fs::remove_file(&tmp);
            return Err(Error::io("write", &p, e));
        }
        sync_dir(&dir);
        Ok(())
    }

    fn delete(&self, key: &str) -> Result<()> {
        let p = self.path(key)?;
        match fs::remove_file(&p) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io("delete", &p, e)),
        }
    }

    fn usage(&self) -> Result<(Option<u64>, Option<u64>)> {
        let used: u64 = self.list("")?.iter().map(|o| o.size).sum();
        Ok((Some(used), free_space(&self.root)))
    }

    fn preferred_pack_size(&self) -> u32 {
        8 * 1024 * 1024
    }
    fn list_settle(&self) -> std::time::Duration {
        std::time::Duration::ZERO
    }

    fn concurrency(&self) -> usize {
        // Local writes land in the page cache; one writer keeps up and
        // keeps memory low.
        1
    }
}

/// Free bytes on the file system holding `path` (from `df`, which every
/// Unix has; None when it cannot tell).
pub fn free_space(path: &Path) -> Option<u64> {
    let out = std::process::Command::new("df")
        .arg("-Pk")
        .arg(path)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().nth(1)?;
    let avail_kib: u64 = line.split_whitespace().nth(3)?.parse().ok()?;
    Some(avail_kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_list_delete_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = LocalStorage::open(dir.path(), true).expect("open");
        s.put("data/ab/abc", b"hello").expect("put");
        s.put("data/cd/cde", b"world!").expect("put");
        s.put("index/abc", b"i").expect("put");
        assert_eq!(s.get("data/ab/abc").expect("get"), b"hello");
        assert_eq!(s.get_range("data/cd/cde", 1, 3).expect("range"), b"orl");
        let keys: Vec<_> = s
            .list("data/")
            .expect("list")
            .into_iter()
            .map(|o| o.key)
            .collect();
        assert_eq!(keys, vec!["data/ab/abc", "data/cd/cde"]);
        assert_eq!(s.list("").expect("list").len(), 3);
        s.put("data/ab/abc", b"again").expect("overwrite");
        assert_eq!(s.get("data/ab/abc").expect("get"), b"again");
        s.delete("data/ab/abc").expect("delete");
        s.delete("data/ab/abc").expect("delete twice");
        assert_eq!(
            s.get("data/ab/abc").expect_err("gone").kind(),
            cairn_model::ErrorKind::NotFound
        );
        assert!(s.put("../escape", b"x").is_err());
    }

    #[test]
    fn a_new_folder_is_made_durable_by_syncing_every_folder_that_gained_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("repo");
        let s = LocalStorage::open(&root, true).expect("open");
        SYNCED.with(|v| v.borrow_mut().clear());
        s.put("snapshots/b1/p1", b"x").expect("put");
        let synced = SYNCED.with(|v| v.borrow().clone());
        for folder in [
            root.clone(),
            root.join("snapshots"),
            root.join("snapshots/b1"),
        ] {
            assert!(
                synced.contains(&folder),
                "{} synced: {synced:?}",
                folder.display()
            );
        }
        SYNCED.with(|v| v.borrow_mut().clear());
        s.put("snapshots/b1/p2", b"y").expect("put");
        let synced = SYNCED.with(|v| v.borrow().clone());
        assert_eq!(
            synced,
            vec![root.join("snapshots/b1")],
            "an existing folder: only the rename"
        );
    }
}
