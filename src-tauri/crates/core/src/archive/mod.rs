//! `.cairn` export files: one restore point as a self-contained full
//! backup (FORMAT.md, "Export files"). A file is a small repository of
//! its own in one container, so it is browsed and restored with the
//! repository code itself, with no repository or console catalog, and
//! imported into any repository by the backup copy's translator.

pub mod container;
pub mod export;
pub mod import;

pub use container::{ArchiveReader, ArchiveWriter};
pub use export::{export_point, ExportReport, ExportSource};
pub use import::{import_point, ImportReport};

use crate::error::{Error, Result};
use crate::format::crypto::KeySet;
use crate::format::manifest::Manifest;
use crate::repo::Repository;
use std::path::Path;
use std::sync::Arc;

/// An export file opened: its repository, key set and restore point.
pub struct OpenExport {
    /// The file as a read-only repository.
    pub repo: Repository,
    /// The key set of its backup.
    pub keyset: KeySet,
    /// Its restore point.
    pub manifest: Manifest,
}

/// Opens an export file. With a password, the backup must be encrypted
/// (a plain file in its place is refused, as a swapped key file is in a
/// repository); without one, an encrypted file asks for it.
pub fn open(path: &Path, password: Option<&str>) -> Result<OpenExport> {
    let storage = Arc::new(ArchiveReader::open(path)?);
    let name = path.display().to_string();
    let repo = Repository::open(storage, &name)?;
    let backups = repo.list_backups()?;
    let [(backup, keyset_id)] = backups.as_slice() else {
        return Err(Error::corrupt(format!(
            "{name} holds {} backups; an export file holds exactly one",
            backups.len()
        )));
    };
    let points = repo.list_points(backup)?;
    let [point] = points.as_slice() else {
        return Err(Error::corrupt(format!(
            "{name} holds {} restore points; an export file holds exactly one",
            points.len()
        )));
    };
    let keyset = match password {
        Some(_) => repo.encrypted_keyset(keyset_id, password)?,
        None => repo.keyset(keyset_id, None)?,
    };
    let manifest = repo.read_manifest(&keyset, backup, point)?;
    Ok(OpenExport {
        repo,
        keyset,
        manifest,
    })
}
