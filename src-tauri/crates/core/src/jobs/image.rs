//! Volume-level and entire-computer backups: block devices and disk image
//! files read whole in fixed-size chunks (so an unchanged block keeps its
//! chunk however the data around it moves), with the holes of sparse image
//! files skipped without reading them.

use crate::error::{Error, Result};
use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::os::unix::fs::{FileExt, FileTypeExt};
use std::path::{Path, PathBuf};

/// Size of an image chunk.
pub const IMAGE_CHUNK: usize = 1 << 20;

/// Checks that `path` is a block device or a regular file and returns its
/// size in bytes.
pub fn probe(path: &Path) -> Result<u64> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::invalid(format!(
            "cannot open the volume {}: {e}; give a block device such as /dev/sdb1 or a disk image file",
            path.display()
        ))
    })?;
    let ft = meta.file_type();
    if ft.is_file() {
        return Ok(meta.len());
    }
    if !ft.is_block_device() {
        return Err(Error::invalid(format!(
            "{} is neither a block device nor a disk image file",
            path.display()
        )));
    }
    let mut f = File::open(path).map_err(|e| {
        Error::invalid(format!(
            "cannot read the block device {}: {e}; run Cairn as a user who may read it",
            path.display()
        ))
    })?;
    f.seek(SeekFrom::End(0))
        .map_err(|e| Error::io("measure the block device", path, e))
}

/// Whole disks of this computer (`/sys/block`, without loop, RAM and
/// optical devices): what "Entire computer" backs up.
pub fn whole_disks() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("/sys/block")
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| {
                    !["loop", "ram", "zram", "sr", "fd", "dm-", "md"]
                        .iter()
                        .any(|p| n.starts_with(p))
                })
                .map(|n| PathBuf::from("/dev").join(n))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// The offset of the next byte of data at or after `off`, for files with
/// holes; None when the rest is a hole, `Some(off)` when unknown.
pub(crate) fn next_data(f: &File, off: u64) -> Option<u64> {
    // The file position this moves is not used: every read is positioned.
    match rustix::fs::seek(f, rustix::fs::SeekFrom::Data(off)) {
        Ok(d) => Some(d),
        Err(rustix::io::Errno::NXIO) => None,
        Err(_) => Some(off),
    }
}

/// Reads into `buf` at `off` until it is full or the file ends; answers
/// the bytes read.
pub(crate) fn read_full_at(file: &File, buf: &mut [u8], off: u64) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read_at(&mut buf[got..], off + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Reads an image in [`IMAGE_CHUNK`] pieces and hands each to `f`; a piece
/// wholly inside a hole is handed over as zeros without being read.
/// Returns the bytes handed over and the bytes actually read.
pub fn for_each_block(
    path: &Path,
    size: u64,
    buf: &mut Vec<u8>,
    f: &mut dyn FnMut(&[u8]) -> Result<()>,
) -> Result<std::result::Result<(u64, u64), std::io::Error>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return Ok(Err(e)),
    };
    let sparse = file.metadata().map(|m| m.is_file()).unwrap_or(false);
    buf.resize(IMAGE_CHUNK, 0);
    let mut off = 0u64;
    let mut read = 0u64;
    let mut data_at = if sparse { next_data(&file, 0) } else { Some(0) };
    while off < size {
        let len = (size - off).min(IMAGE_CHUNK as u64) as usize;
        if sparse && data_at.is_some_and(|d| d < off) {
            data_at = next_data(&file, off);
        }
        let hole = sparse && data_at.is_none_or(|d| d >= off + len as u64);
        if hole {
            buf[..len].fill(0);
        } else {
            let got = match read_full_at(&file, &mut buf[..len], off) {
                Ok(n) => n,
                Err(e) => return Ok(Err(e)),
            };
            buf[got..len].fill(0);
            read += got as u64;
        }
        f(&buf[..len])?;
        off += len as u64;
    }
    Ok(Ok((off, read)))
}
