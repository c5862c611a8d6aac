//! Restore points published as read-only file systems: a FUSE mount of
//! `cairn_core::mount::PointFs` through fusermount3, as a session that
//! lasts until it is stopped or the folder is unmounted.

use super::Console;
use crate::error::{Error, Result};
use cairn_core::mount::PointFs;
use cairn_core::progress::{CancelToken, ProgressSink};
use cairn_core::storage::ExternalStorage;
use cairn_model::LogLevel;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// What a mount read while it was mounted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MountReport {
    /// Chunks fetched from the repository.
    pub chunks_fetched: u64,
    /// Their bytes, decoded.
    pub bytes_fetched: u64,
    /// Bytes served to readers.
    pub bytes_served: u64,
    /// Storage requests made while mounted (folder trees and chunks).
    pub requests: u64,
}

/// True when `dir` is a mount point now (per /proc/self/mountinfo).
pub fn is_mounted(dir: &Path) -> bool {
    let Ok(info) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return false;
    };
    let want = dir.to_string_lossy().replace(' ', "\\040");
    info.lines()
        .any(|l| l.split(' ').nth(4).is_some_and(|m| m == want))
}

impl Console {
    /// Mounts a restore point read-only at `dir` (an empty folder) until
    /// `stop` is cancelled or the folder is unmounted, as a session;
    /// `ready` is told once the files can be read.
    #[allow(clippy::too_many_arguments)]
    pub fn mount_point(
        &self,
        reference: &str,
        point: &str,
        dir: &Path,
        password: Option<&str>,
        sink: Arc<dyn ProgressSink>,
        ready: &dyn Fn(&str),
        stop: &CancelToken,
    ) -> Result<MountReport> {
        let title = format!(
            "Published restore point of {}",
            self.backup_label(reference)
        );
        let (session, sink) = self.start_restore_session(&title, sink)?;
        let outcome = crate::error::catch_panic("the mount", || {
            self.mount_in(reference, point, dir, password, &sink, ready, stop)
        });
        let ended = match &outcome {
            Ok(r) => Ok((
                &[][..],
                format!(
                    "Unmounted {} after serving {} bytes ({} chunk(s) fetched, {} storage request(s))",
                    dir.display(),
                    r.bytes_served,
                    r.chunks_fetched,
                    r.requests
                ),
            )),
            Err(e) => Err(e.message().into_owned()),
        };
        self.end_logged_session(session, ended)?;
        outcome
    }

    #[allow(clippy::too_many_arguments)]
    fn mount_in(
        &self,
        reference: &str,
        point: &str,
        dir: &Path,
        password: Option<&str>,
        sink: &Arc<dyn ProgressSink>,
        ready: &dyn Fn(&str),
        stop: &CancelToken,
    ) -> Result<MountReport> {
        check_folder(dir)?;
        let p = self.open_point(reference, point, password)?;
        let counted = Arc::new(ExternalStorage::new(p.repo.storage().clone()));
        let repo = p.repo.with_storage(counted.clone());
        let index = Arc::new(repo.load_index(&p.keyset, false)?);
        let fs = PointFs::new(repo, p.keyset.clone(), index, &p.manifest)?;
        let counters = fs.counters.clone();
        let before = counted.requests();
        let mounted = cairn_core::mount::mount(fs, dir, &p.manifest.job)?;
        sink.log(
            LogLevel::Info,
            &format!(
                "Published restore point {} of {} read-only at {}",
                p.manifest.id,
                p.manifest.job,
                dir.display()
            ),
        );
        ready(&dir.to_string_lossy());
        while !stop.is_cancelled() && !mounted.is_finished() {
            std::thread::sleep(Duration::from_millis(100));
        }
        mounted.unmount()?;
        Ok(MountReport {
            chunks_fetched: counters.chunks_fetched.load(Ordering::Relaxed),
            bytes_fetched: counters.bytes_fetched.load(Ordering::Relaxed),
            bytes_served: counters.bytes_served.load(Ordering::Relaxed),
            requests: counted.requests() - before,
        })
    }
}

/// A mount point must be an existing, empty folder that is not mounted.
fn check_folder(dir: &Path) -> Result<()> {
    if !dir.is_absolute() {
        return Err(Error::invalid(format!(
            "give the folder as an absolute path, not {}",
            dir.display()
        )));
    }
    let mut entries = std::fs::read_dir(dir).map_err(|e| {
        Error::invalid(format!(
            "{} is not a folder Cairn can mount on ({e}); create an empty folder first",
            dir.display()
        ))
    })?;
    if entries.next().is_some() || is_mounted(dir) {
        return Err(Error::conflict(format!(
            "{} is not empty or already mounted; give an empty folder",
            dir.display()
        )));
    }
    Ok(())
}
