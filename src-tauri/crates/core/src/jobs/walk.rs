//! Turning file-system metadata into tree entries.

use crate::format::tree::{Entry, EntryKind};
use std::collections::HashMap;
use std::fs::Metadata;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;
use std::sync::Mutex;

/// Caches uid/gid → name look-ups.
#[derive(Default)]
pub struct Names {
    users: Mutex<HashMap<u32, String>>,
    groups: Mutex<HashMap<u32, String>>,
}

impl Names {
    fn user(&self, uid: u32) -> String {
        let mut m = match self.users.lock() {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        m.entry(uid)
            .or_insert_with(|| {
                users::get_user_by_uid(uid)
                    .map(|u| u.name().to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .clone()
    }
    fn group(&self, gid: u32) -> String {
        let mut m = match self.groups.lock() {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        m.entry(gid)
            .or_insert_with(|| {
                users::get_group_by_gid(gid)
                    .map(|g| g.name().to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
            .clone()
    }
}

/// The kind of a file-system object.
pub fn kind_of(meta: &Metadata) -> EntryKind {
    let ft = meta.file_type();
    if ft.is_dir() {
        EntryKind::Dir
    } else if ft.is_symlink() {
        EntryKind::Symlink
    } else if ft.is_fifo() {
        EntryKind::Fifo
    } else if ft.is_char_device() {
        EntryKind::CharDevice
    } else if ft.is_block_device() {
        EntryKind::BlockDevice
    } else if ft.is_socket() {
        EntryKind::Socket
    } else {
        EntryKind::File
    }
}

/// An entry with everything but content and subtree filled in.
pub fn entry_for(path: &Path, meta: &Metadata, names: &Names) -> Entry {
    let kind = kind_of(meta);
    let target = if kind == EntryKind::Symlink {
        std::fs::read_link(path)
            .map(|t| t.as_os_str().as_bytes().to_vec())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let xattrs = xattr::list(path)
        .map(|names| {
            names
                .filter_map(|n| {
                    let v = xattr::get(path, &n).ok().flatten()?;
                    Some((n.as_bytes().to_vec(), v))
                })
                .collect()
        })
        .unwrap_or_default();
    Entry {
        name: path
            .file_name()
            .map(|n| n.as_bytes().to_vec())
            .unwrap_or_default(),
        kind,
        mode: meta.mode(),
        uid: meta.uid(),
        gid: meta.gid(),
        user: names.user(meta.uid()),
        group: names.group(meta.gid()),
        mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
        ctime_ns: meta.ctime() * 1_000_000_000 + meta.ctime_nsec(),
        inode: meta.ino(),
        dev: meta.dev(),
        nlink: meta.nlink(),
        size: if kind == EntryKind::File {
            meta.size()
        } else {
            0
        },
        rdev: meta.rdev(),
        target,
        content: Vec::new(),
        subtree: None,
        xattrs,
    }
}

/// True when a file is unchanged since the previous restore point, so its
/// content list can be reused without reading it.
pub fn unchanged(prev: &Entry, now: &Entry) -> bool {
    prev.kind == EntryKind::File
        && now.kind == EntryKind::File
        && prev.size == now.size
        && prev.mtime_ns == now.mtime_ns
        && prev.ctime_ns == now.ctime_ns
        && prev.inode == now.inode
}
