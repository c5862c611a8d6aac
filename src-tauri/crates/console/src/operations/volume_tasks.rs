//! Volume restores and disk exports the window starts: the request is
//! checked, its session opened at once (the window shows it live), and the
//! work runs on a thread of its own.

use super::disk_exports::export_title;
use super::volume_restores::{volume_title, VolumePick};
use super::Console;
use crate::error::{Error, Result};
use cairn_core::progress::{CancelToken, NoProgress};
use cairn_model::{StartVolumeTask, VolumeTask};
use std::path::Path;
use std::sync::Arc;

/// The size of what is at `path` (a device or file), None when nothing is.
pub fn probe_volume_target(path: &str) -> Result<Option<u64>> {
    let p = absolute(path)?;
    if !p.exists() {
        return Ok(None);
    }
    Ok(Some(cairn_core::jobs::image::probe(p)?))
}

fn absolute(path: &str) -> Result<&Path> {
    let p = Path::new(path.trim());
    if !p.is_absolute() {
        return Err(Error::invalid(format!(
            "\"{path}\" is not a full path; give one such as /dev/sdb or /srv/restore/disk.img"
        )));
    }
    Ok(p)
}

/// An existing target is overwritten only when its name was typed.
fn confirmed(target: &Path, confirm: &str) -> Result<()> {
    if !target.exists() {
        return Ok(());
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if confirm.trim() == name {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "{} exists and will be overwritten; type its name \"{name}\" to confirm",
        target.display()
    )))
}

impl Console {
    /// Starts a volume restore or disk export; answers its session.
    pub fn start_volume_task(self: &Arc<Self>, req: &StartVolumeTask) -> Result<i64> {
        let title = match &req.task {
            VolumeTask::Restore { target, confirm } => {
                confirmed(absolute(target)?, confirm)?;
                volume_title(&self.backup_label(&req.backup))
            }
            VolumeTask::Export { out, .. } => {
                if absolute(out)?.exists() {
                    return Err(Error::conflict(format!(
                        "{out} already exists; give a new file name"
                    )));
                }
                export_title(&self.backup_label(&req.backup))
            }
        };
        let (session, sink) = self.start_restore_session(&title, Arc::new(NoProgress))?;
        let (me, req) = (self.clone(), req.clone());
        std::thread::Builder::new()
            .name("volume task".into())
            .spawn(move || {
                let pick = VolumePick {
                    reference: &req.backup,
                    point: &req.point,
                    volume: &req.volume,
                    password: req.password.as_ref().map(|p| p.0.as_str()),
                };
                let cancel = CancelToken::new();
                // Each ends its session with the outcome.
                let _ = match &req.task {
                    VolumeTask::Restore { target, .. } => me
                        .restore_volume_in(session, sink, pick, Path::new(target.trim()), &cancel)
                        .map(|_| ()),
                    VolumeTask::Export { format, out } => me
                        .export_disk_session(
                            session,
                            sink,
                            pick,
                            *format,
                            Path::new(out.trim()),
                            &cancel,
                        )
                        .map(|_| ()),
                };
            })
            .map_err(|e| Error::internal("cannot start the volume task").caused_by(e))?;
        Ok(session)
    }
}
