//! Volume restores: the volumes (disk images and block devices backed up
//! whole) a restore point holds, and restoring one onto a block device or
//! image file as a Restore session.

use super::restores::OpenPoint;
use super::Console;
use crate::error::{Error, Result};
use cairn_core::format::index::Index;
use cairn_core::format::manifest::Manifest;
use cairn_core::format::tree::{Entry, EntryKind};
use cairn_core::format::ChunkId;
use cairn_core::progress::{CancelToken, ProgressSink};
use cairn_core::restore::{self, volume, volume::VolumeReport};
use cairn_model::LogLevel;
use std::path::Path;
use std::sync::Arc;

pub use cairn_model::Volume;

/// Which volume of which restore point, and the password that opens it.
#[derive(Clone, Copy)]
pub(super) struct VolumePick<'a> {
    pub reference: &'a str,
    pub point: &'a str,
    pub volume: &'a str,
    pub password: Option<&'a str>,
}

/// The volumes of an opened point: its sources that were backed up as
/// one whole file (an image or a device), with their entries.
fn volumes_of(p: &OpenPoint, index: &Index) -> Result<Vec<(Volume, Entry)>> {
    let root = p
        .repo
        .read_tree(&p.keyset, index, &ChunkId::from_hex(&p.manifest.root)?)?;
    let mut out = Vec::new();
    for source in &p.manifest.sources {
        let Ok((e, _)) = restore::resolve(&p.repo, &p.keyset, index, &root, source) else {
            continue;
        };
        if e.kind == EntryKind::File {
            let v = Volume {
                path: source.clone(),
                size: e.size,
            };
            out.push((v, e));
        }
    }
    Ok(out)
}

/// The volume `name` (its full path, or a file name only one has);
/// `index` is the point's repository index, loaded once by the caller.
pub(super) fn pick_volume(p: &OpenPoint, index: &Index, name: &str) -> Result<(Volume, Entry)> {
    let all = volumes_of(p, index)?;
    let base = |v: &Volume| Path::new(&v.path).file_name().map(|f| f.to_os_string());
    let hits: Vec<(Volume, Entry)> = match all.iter().find(|(v, _)| v.path == name) {
        Some(one) => vec![one.clone()],
        None => all
            .iter()
            .filter(|(v, _)| base(v).is_some_and(|b| b == name))
            .cloned()
            .collect(),
    };
    let listed = || {
        let names: Vec<&str> = all.iter().map(|(v, _)| v.path.as_str()).collect();
        if names.is_empty() {
            "it holds no volumes (it is a file-level backup)".to_string()
        } else {
            format!("its volumes are {}", names.join(", "))
        }
    };
    match <[_; 1]>::try_from(hits) {
        Ok([one]) => Ok(one),
        Err(v) if v.is_empty() => Err(Error::not_found(format!(
            "restore point {} has no volume \"{name}\"; {}",
            p.manifest.id,
            listed()
        ))),
        Err(_) => Err(Error::invalid(format!(
            "several volumes are called \"{name}\"; give the full path ({})",
            listed()
        ))),
    }
}

impl Console {
    /// The volumes of a restore point, with sizes.
    pub fn volumes(
        &self,
        reference: &str,
        point: &str,
        password: Option<&str>,
    ) -> Result<(Manifest, Vec<Volume>)> {
        let p = self.open_point(reference, point, password)?;
        let index = p.repo.load_index(&p.keyset, false)?;
        let v = volumes_of(&p, &index)?
            .into_iter()
            .map(|(v, _)| v)
            .collect();
        Ok((p.manifest, v))
    }

    /// Restores one volume of a restore point onto a block device or an
    /// image file (created when it does not exist), as a session.
    #[allow(clippy::too_many_arguments)]
    pub fn restore_volume(
        &self,
        reference: &str,
        point: &str,
        volume: &str,
        target: &Path,
        password: Option<&str>,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<VolumeReport> {
        let (session, sink) = self.start_restore_session(&volume_title(reference), sink)?;
        let pick = VolumePick {
            reference,
            point,
            volume,
            password,
        };
        self.restore_volume_in(session, sink, pick, target, cancel)
    }

    /// The volume restore of session `session`, which it ends.
    pub(super) fn restore_volume_in(
        &self,
        session: i64,
        sink: Arc<dyn ProgressSink>,
        pick: VolumePick,
        target: &Path,
        cancel: &CancelToken,
    ) -> Result<VolumeReport> {
        let outcome: Result<VolumeReport> = crate::error::catch_panic("the volume restore", || {
            let p = self.open_point(pick.reference, pick.point, pick.password)?;
            let index = p.repo.load_index(&p.keyset, false)?;
            let (v, e) = pick_volume(&p, &index, pick.volume)?;
            sink.log(
                LogLevel::Info,
                &format!(
                    "Restoring volume {} ({} bytes) of restore point {} to {}",
                    v.path,
                    v.size,
                    p.manifest.id,
                    target.display()
                ),
            );
            let t = volume::open_target(target, v.size)?;
            Ok(volume::restore_volume(
                &p.repo,
                &p.keyset,
                &index,
                &e,
                &t,
                sink.clone(),
                cancel,
            )?)
        });
        let ended = match &outcome {
            Ok(r) => Ok((
                &[][..],
                format!(
                    "{} of {} block(s) differed and were written and verified; {} already equal",
                    r.written, r.blocks, r.unchanged
                ),
            )),
            Err(e) => Err(e.message().into_owned()),
        };
        self.end_logged_session(session, ended)?;
        outcome
    }
}

/// The title of a volume restore's session.
pub(super) fn volume_title(reference: &str) -> String {
    format!("Volume restore from {reference}")
}
