//! The target of a volume restore: a block device or a disk image file,
//! checked before anything is written. A device or file that is mounted,
//! used as swap, held by another device (LVM, RAID) or attached to a loop
//! device is refused, and so is one smaller than the volume.

use crate::error::{Error, Result};
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// An opened, checked target.
pub struct VolumeTarget {
    /// Opened for reading and writing.
    pub file: File,
    /// The path as given.
    pub path: PathBuf,
    /// A block device (no holes; written zeros are real zeros).
    pub device: bool,
    /// The file did not exist and was created, sparse, at the volume's size.
    pub created: bool,
}

/// Opens `path` as the target of a volume of `size` bytes: an existing
/// block device or image file at least that large, or a new image file.
pub fn open_target(path: &Path, size: u64) -> Result<VolumeTarget> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return create(path, size),
        Err(e) => return Err(Error::io("inspect the restore target", path, e)),
    };
    let ft = meta.file_type();
    let device = ft.is_block_device();
    if !device && !ft.is_file() {
        return Err(Error::invalid(format!(
            "{} is neither a block device nor a disk image file; give a device such as /dev/sdb or an image file",
            path.display()
        )));
    }
    if let Some(why) = in_use(path, &meta) {
        return Err(Error::conflict(format!(
            "{} is {why}; unmount or detach it before restoring a volume over it",
            path.display()
        )));
    }
    let mut opts = OpenOptions::new();
    opts.read(true).write(true);
    if device {
        // Linux refuses an exclusive open of a device a file system holds.
        opts.custom_flags(rustix::fs::OFlags::EXCL.bits() as i32);
    }
    let file = opts
        .open(path)
        .map_err(|e| Error::io("open the restore target for writing", path, e))?;
    let have = super::super::jobs::image::probe(path)?;
    if have < size {
        return Err(Error::invalid(format!(
            "{} holds {have} bytes, less than the volume's {size}; give a larger device, or a new file name to create an image",
            path.display()
        )));
    }
    Ok(VolumeTarget {
        file,
        path: path.to_path_buf(),
        device,
        created: false,
    })
}

/// A new sparse image file of `size` bytes.
fn create(path: &Path, size: u64) -> Result<VolumeTarget> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| Error::io("create the image file", path, e))?;
    file.set_len(size)
        .map_err(|e| Error::io("size the image file", path, e))?;
    Ok(VolumeTarget {
        file,
        path: path.to_path_buf(),
        device: false,
        created: true,
    })
}

/// Why the device or file at `path` is in use, if it is.
fn in_use(path: &Path, meta: &std::fs::Metadata) -> Option<String> {
    if meta.file_type().is_block_device() {
        return device_in_use(meta.rdev());
    }
    let real = std::fs::canonicalize(path).ok()?;
    for (loop_dev, backing) in loop_backings() {
        if backing == real {
            return Some(format!("attached to {loop_dev}"));
        }
    }
    None
}

/// Why the block device `rdev` (or a partition of it) is in use.
fn device_in_use(rdev: u64) -> Option<String> {
    let devs = device_and_partitions(rdev);
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    for line in mountinfo.lines() {
        let mut f = line.split(' ');
        let (Some(point), Some(dev)) = (f.nth(4), line.split(' ').nth(2)) else {
            continue;
        };
        if devs.iter().any(|d| d == dev) {
            return Some(format!("mounted at {point}"));
        }
    }
    let swaps = std::fs::read_to_string("/proc/swaps").unwrap_or_default();
    for name in swaps
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
    {
        if let Ok(m) = std::fs::metadata(name) {
            if devs.contains(&dev_string(m.rdev())) {
                return Some("in use as swap".into());
            }
        }
    }
    for d in &devs {
        let holders = format!("/sys/dev/block/{d}/holders");
        if std::fs::read_dir(holders).is_ok_and(|mut r| r.next().is_some()) {
            return Some("held by another device (LVM, RAID or encryption)".into());
        }
    }
    None
}

/// "major:minor" of a device number, as the kernel writes it.
fn dev_string(rdev: u64) -> String {
    format!("{}:{}", rustix::fs::major(rdev), rustix::fs::minor(rdev))
}

/// The device and each of its partitions, as "major:minor".
fn device_and_partitions(rdev: u64) -> Vec<String> {
    let me = dev_string(rdev);
    let mut out = vec![me.clone()];
    let dir = PathBuf::from(format!("/sys/dev/block/{me}"));
    if let Ok(rd) = std::fs::read_dir(&dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.join("partition").exists() {
                if let Ok(d) = std::fs::read_to_string(p.join("dev")) {
                    out.push(d.trim().to_string());
                }
            }
        }
    }
    out
}

/// Loop devices and the files they are attached to.
fn loop_backings() -> Vec<(String, PathBuf)> {
    let Ok(rd) = std::fs::read_dir("/sys/block") else {
        return Vec::new();
    };
    rd.flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let b = std::fs::read_to_string(e.path().join("loop/backing_file")).ok()?;
            Some((format!("/dev/{name}"), PathBuf::from(b.trim())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_smaller_image_file_is_refused_and_a_new_one_is_created_sparse() {
        let dir = tempfile::tempdir().expect("tmp");
        let small = dir.path().join("small.img");
        std::fs::write(&small, vec![1u8; 4096]).expect("write");
        let e = open_target(&small, 8192).err().expect("refused");
        assert!(
            e.message().contains("less than the volume"),
            "{}",
            e.message()
        );
        let new = dir.path().join("new.img");
        let t = open_target(&new, 1 << 30).expect("created");
        assert!(t.created);
        let m = std::fs::metadata(&new).expect("meta");
        assert_eq!(m.len(), 1 << 30);
        assert!(m.blocks() < 16, "the new image is sparse");
        assert!(open_target(dir.path(), 1).is_err(), "a folder is refused");
    }
}
