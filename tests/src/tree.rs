//! Building source trees and comparing them with restored ones.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// A deterministic pseudo-random byte stream.
pub fn bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// What a restored tree must match, per relative path.
#[derive(Debug, PartialEq, Eq)]
pub struct Facts {
    kind: &'static str,
    content: Vec<u8>,
    mode: u32,
    mtime: (i64, i64),
    link: Option<PathBuf>,
    xattrs: BTreeMap<String, Vec<u8>>,
}

/// Reads every entry under `root` (not following symlinks).
pub fn facts(root: &Path) -> BTreeMap<String, Facts> {
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Facts>) {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    for p in names {
        let m = std::fs::symlink_metadata(&p).expect("metadata");
        let rel = p
            .strip_prefix(root)
            .expect("prefix")
            .to_string_lossy()
            .into_owned();
        let ft = m.file_type();
        let kind = if ft.is_dir() {
            "dir"
        } else if ft.is_symlink() {
            "symlink"
        } else {
            "file"
        };
        let xattrs = if ft.is_symlink() {
            BTreeMap::new()
        } else {
            xattr::list(&p)
                .map(|l| {
                    l.filter_map(|n| {
                        Some((n.to_string_lossy().into_owned(), xattr::get(&p, &n).ok()??))
                    })
                    .collect()
                })
                .unwrap_or_default()
        };
        out.insert(
            rel,
            Facts {
                kind,
                content: if ft.is_file() {
                    std::fs::read(&p).expect("read")
                } else {
                    Vec::new()
                },
                mode: if ft.is_symlink() {
                    0
                } else {
                    m.permissions().mode() & 0o7777
                },
                mtime: if ft.is_dir() {
                    (0, 0)
                } else {
                    (m.mtime(), m.mtime_nsec())
                },
                link: if ft.is_symlink() {
                    Some(std::fs::read_link(&p).expect("link"))
                } else {
                    None
                },
                xattrs,
            },
        );
        if ft.is_dir() {
            walk(root, &p, out);
        }
    }
}

/// Asserts that two trees hold the same entries, bytes and metadata.
pub fn assert_same(a: &Path, b: &Path) {
    let fa = facts(a);
    let fb = facts(b);
    let ka: Vec<_> = fa.keys().collect();
    let kb: Vec<_> = fb.keys().collect();
    assert_eq!(ka, kb, "the same entries");
    for (k, va) in &fa {
        assert_eq!(Some(va), fb.get(k), "entry {k} differs");
    }
}

/// Inode of a path.
pub fn inode(p: &Path) -> u64 {
    std::fs::metadata(p).expect("metadata").ino()
}

/// Files under a folder of a repository (e.g. `data`), recursively.
pub fn count_files(dir: &Path) -> usize {
    if !dir.exists() {
        return 0;
    }
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            n += count_files(&p);
        } else if !p
            .file_name()
            .map(|f| f.to_string_lossy().starts_with(".tmp-"))
            .unwrap_or(false)
        {
            n += 1;
        }
    }
    n
}

/// Every file's bytes under a folder, keyed by path (to prove "unchanged").
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    fn rec(d: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(d).expect("read dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                rec(&p, out);
            } else {
                out.insert(p.clone(), std::fs::read(&p).expect("read"));
            }
        }
    }
    if dir.exists() {
        rec(dir, &mut out);
    }
    out
}
