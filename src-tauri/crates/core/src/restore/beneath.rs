//! The folder a restore writes into, held open, and every operation below
//! it resolved by the kernel relative to that handle without following a
//! symbolic link (`openat2` with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS`).
//! Whoever can write the destination while a restore runs (root restoring
//! `/home/alice` in place) cannot swap a restored folder or temporary file
//! for a link and have the restore write, chmod or chown through it: the
//! operation fails with "too many levels of symbolic links" instead.
//! Metadata is set on open handles (`fchown`, `fchmod`, `futimens`,
//! `fsetxattr`), never by a path that can change in between.

use crate::error::{Error, Result};
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{AtFlags, Mode, OFlags, ResolveFlags, Timestamps};
use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};

/// A restore's destination folder, held open.
pub(super) struct Beneath {
    root: PathBuf,
    fd: OwnedFd,
}

/// What an existing item below the folder is (never following a link).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Found {
    /// Nothing of that name.
    Nothing,
    /// A real folder.
    Folder,
    /// Anything else: a file, a link, a special file.
    Other,
}

const RESOLVE: ResolveFlags = ResolveFlags::BENEATH
    .union(ResolveFlags::NO_SYMLINKS)
    .union(ResolveFlags::NO_MAGICLINKS);

impl Beneath {
    /// Opens the chosen folder itself (links on the way to it are the
    /// user's choice and are followed once, here).
    pub(super) fn open(root: &Path) -> Result<Self> {
        let fd = rustix::fs::open(
            root,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| Error::io("open the restore folder", root, e.into()))?;
        Ok(Self {
            root: root.to_path_buf(),
            fd,
        })
    }

    /// True when `p` lies below this folder.
    pub(super) fn holds(&self, p: &Path) -> bool {
        p.starts_with(&self.root)
    }

    /// The length of this folder's path (the deepest holder wins).
    pub(super) fn depth(&self) -> usize {
        self.root.components().count()
    }

    /// `p` relative to the folder; "." for the folder itself.
    fn rel<'p>(&self, p: &'p Path) -> io::Result<&'p Path> {
        let rel = p
            .strip_prefix(&self.root)
            .map_err(|_| io::Error::other("the path is outside the restore folder"))?;
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(io::Error::other("the path leaves the restore folder"));
        }
        Ok(if rel.as_os_str().is_empty() {
            Path::new(".")
        } else {
            rel
        })
    }

    fn open_at(&self, p: &Path, flags: OFlags, mode: u32) -> io::Result<OwnedFd> {
        let rel = self.rel(p)?;
        let flags = flags | OFlags::CLOEXEC | OFlags::NOFOLLOW;
        Ok(rustix::fs::openat2(
            &self.fd,
            rel,
            flags,
            Mode::from_raw_mode(mode),
            RESOLVE,
        )?)
    }

    /// The folder holding `p`, open, and `p`'s last name.
    fn parent<'p>(&self, p: &'p Path) -> io::Result<(OwnedFd, &'p OsStr)> {
        let name = p
            .file_name()
            .ok_or_else(|| io::Error::other("the path has no name"))?;
        let dir = p.parent().unwrap_or(&self.root);
        let fd = self.open_at(dir, OFlags::RDONLY | OFlags::DIRECTORY, 0)?;
        Ok((fd, name))
    }

    /// Creates a new file (never an existing one, never through a link).
    pub(super) fn create_new(&self, p: &Path) -> io::Result<File> {
        let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL;
        Ok(File::from(self.open_at(p, flags, 0o600)?))
    }

    /// Opens an existing file for writing.
    pub(super) fn open_write(&self, p: &Path) -> io::Result<File> {
        Ok(File::from(self.open_at(p, OFlags::WRONLY, 0)?))
    }

    /// Opens an item to set its metadata: a folder, or a file.
    pub(super) fn open_meta(&self, p: &Path, folder: bool) -> io::Result<OwnedFd> {
        let kind = if folder {
            OFlags::DIRECTORY
        } else {
            OFlags::empty()
        };
        self.open_at(p, OFlags::RDONLY | kind | OFlags::NONBLOCK, 0)
    }

    /// What is at `p` now.
    pub(super) fn find(&self, p: &Path) -> io::Result<Found> {
        let (dir, name) = self.parent(p)?;
        match rustix::fs::statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) if rustix::fs::FileType::from_raw_mode(st.st_mode).is_dir() => Ok(Found::Folder),
            Ok(_) => Ok(Found::Other),
            Err(rustix::io::Errno::NOENT) => Ok(Found::Nothing),
            Err(e) => Err(e.into()),
        }
    }

    /// Creates a folder.
    pub(super) fn mkdir(&self, p: &Path) -> io::Result<()> {
        let (dir, name) = self.parent(p)?;
        Ok(rustix::fs::mkdirat(&dir, name, Mode::from_raw_mode(0o777))?)
    }

    /// Removes a file or link (never a folder).
    pub(super) fn remove_file(&self, p: &Path) -> io::Result<()> {
        let (dir, name) = self.parent(p)?;
        Ok(rustix::fs::unlinkat(&dir, name, AtFlags::empty())?)
    }

    /// Renames `from` to `to` (both below the folder).
    pub(super) fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let (a, an) = self.parent(from)?;
        let (b, bn) = self.parent(to)?;
        Ok(rustix::fs::renameat(&a, an, &b, bn)?)
    }

    /// Creates a symbolic link at `p` (its target is data, never followed).
    pub(super) fn symlink(&self, target: &OsStr, p: &Path) -> io::Result<()> {
        let (dir, name) = self.parent(p)?;
        Ok(rustix::fs::symlinkat(target, &dir, name)?)
    }

    /// Creates `to` as a hard link of `from`.
    pub(super) fn hard_link(&self, from: &Path, to: &Path) -> io::Result<()> {
        let (a, an) = self.parent(from)?;
        let (b, bn) = self.parent(to)?;
        Ok(rustix::fs::linkat(&a, an, &b, bn, AtFlags::empty())?)
    }

    /// Sets a link's own owner and times.
    pub(super) fn link_meta(
        &self,
        p: &Path,
        owner: Option<(u32, u32)>,
        times: &Timestamps,
    ) -> io::Result<()> {
        let (dir, name) = self.parent(p)?;
        if let Some((u, g)) = owner {
            rustix::fs::chownat(
                &dir,
                name,
                Some(rustix::fs::Uid::from_raw(u)),
                Some(rustix::fs::Gid::from_raw(g)),
                AtFlags::SYMLINK_NOFOLLOW,
            )?;
        }
        Ok(rustix::fs::utimensat(
            &dir,
            name,
            times,
            AtFlags::SYMLINK_NOFOLLOW,
        )?)
    }
}

/// The metadata calls on an open handle.
pub(super) mod on_handle {
    use super::*;

    pub(in crate::restore) fn chown(fd: impl AsFd, uid: u32, gid: u32) -> io::Result<()> {
        let (u, g) = (
            rustix::fs::Uid::from_raw(uid),
            rustix::fs::Gid::from_raw(gid),
        );
        Ok(rustix::fs::fchown(fd, Some(u), Some(g))?)
    }

    pub(in crate::restore) fn chmod(fd: impl AsFd, bits: u32) -> io::Result<()> {
        Ok(rustix::fs::fchmod(fd, Mode::from_raw_mode(bits))?)
    }

    pub(in crate::restore) fn set_times(fd: impl AsFd, times: &Timestamps) -> io::Result<()> {
        Ok(rustix::fs::futimens(fd, times)?)
    }

    pub(in crate::restore) fn set_xattr(
        fd: impl AsFd,
        name: &OsStr,
        value: &[u8],
    ) -> io::Result<()> {
        Ok(rustix::fs::fsetxattr(
            fd,
            name,
            value,
            rustix::fs::XattrFlags::empty(),
        )?)
    }
}
