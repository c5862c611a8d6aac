//! Restore points exported as self-contained `.cairn` files, and those
//! files imported into the console's repositories, each as a session
//! (see `cairn_core::archive`).

use super::jobs::writer_lock;
use super::Console;
use crate::error::Result;
use cairn_core::archive::{self, ExportReport, ExportSource, ImportReport, OpenExport};
use cairn_core::format::crypto::KeySet;
use cairn_core::format::MAX_SMALL_OBJECT;
use cairn_core::jobs::copy::Side;
use cairn_core::progress::{CancelToken, Counters, ProgressSink, Ticker};
use cairn_core::repo::Repository;
use cairn_model::{LogLevel, SessionKind};
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// The zstd level of chunks an import writes (the jobs' default).
const IMPORT_LEVEL: Option<i32> = Some(3);

impl Console {
    /// Exports a restore point of a backup (the console's own or an
    /// external one) into `out`, a new `.cairn` file, as a session.
    pub fn export_point(
        &self,
        reference: &str,
        point: &str,
        out: &Path,
        password: Option<&str>,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<ExportReport> {
        let title = format!("Export of {}", self.backup_label(reference));
        let (session, sink) = self.start_restore_session(&title, sink)?;
        let outcome = crate::error::catch_panic("the export", || {
            self.export_point_in(reference, point, out, password, &sink, cancel)
        });
        let ended = match &outcome {
            Ok(r) => Ok((
                &[][..],
                format!(
                    "Exported {} folder(s) and {} chunk(s) to {} ({} bytes)",
                    r.trees,
                    r.chunks,
                    out.display(),
                    r.file_bytes
                ),
            )),
            Err(e) => Err(e.message().into_owned()),
        };
        self.end_logged_session(session, ended)?;
        outcome
    }

    fn export_point_in(
        &self,
        reference: &str,
        point: &str,
        out: &Path,
        password: Option<&str>,
        sink: &Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<ExportReport> {
        let p = self.open_point(reference, point, password)?;
        sink.log(
            LogLevel::Info,
            &format!(
                "Exporting restore point {} of {} from {} to {}",
                p.manifest.id,
                p.manifest.job,
                p.repository,
                out.display()
            ),
        );
        let index = p.repo.load_index(&p.keyset, false)?;
        let counters = Arc::new(Counters::default());
        counters
            .bytes_total
            .store(p.manifest.stats.bytes, Ordering::Relaxed);
        let ticker = Ticker::start(counters.clone(), sink.clone());
        let src = ExportSource {
            repo: &p.repo,
            ks: &p.keyset,
            index: &index,
            manifest: &p.manifest,
        };
        let report = archive::export_point(&src, out, &counters, cancel);
        drop(ticker);
        Ok(report?)
    }

    /// Imports the restore point of a `.cairn` file into the repository
    /// `repository`, as a session; the backup then lists it.
    pub fn import_point(
        &self,
        file: &Path,
        repository: &str,
        password: Option<&str>,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<ImportReport> {
        let title = format!("Import of {}", file.display());
        let session = self
            .catalog()?
            .start_session(None, &title, SessionKind::System)?;
        let sink = self.session_sink(session, sink)?;
        let outcome = crate::error::catch_panic("the import", || {
            self.import_point_in(file, repository, password, &sink, cancel)
        });
        let ended = match &outcome {
            Ok(r) => Ok((
                &[][..],
                format!(
                    "Imported restore point {} of backup {} into {repository}: {} chunk(s) read, {} already there, {} bytes written",
                    r.point, r.backup, r.chunks_read, r.chunks_present, r.bytes_written
                ),
            )),
            Err(e) => Err(e.message().into_owned()),
        };
        self.end_logged_session(session, ended)?;
        outcome
    }

    fn import_point_in(
        &self,
        file: &Path,
        repository: &str,
        password: Option<&str>,
        sink: &Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<ImportReport> {
        let src = archive::open(file, password)?;
        let record = self.repository_named(repository)?;
        let repo = self.open_repository(&record)?;
        sink.log(
            LogLevel::Info,
            &format!(
                "Importing restore point {} of {} ({}) into {}",
                src.manifest.id, src.manifest.job, src.manifest.machine, record.name
            ),
        );
        let lock = writer_lock(&repo, &record.name, "import", true, &**sink, cancel)?;
        let guarded = lock.guard(&repo);
        let ks = import_keyset(&guarded, &src, password)?;
        let (src_index, dst_index) = (
            src.repo.load_index(&src.keyset, false)?,
            guarded.load_index(&ks, true)?,
        );
        let counters = Arc::new(Counters::default());
        counters
            .bytes_total
            .store(src.manifest.stats.bytes, Ordering::Relaxed);
        let ticker = Ticker::start(counters.clone(), sink.clone());
        let imported = archive::import_point(
            Side {
                repo: &src.repo,
                ks: &src.keyset,
                index: &src_index,
            },
            Side {
                repo: &guarded,
                ks: &ks,
                index: &dst_index,
            },
            &src.manifest,
            IMPORT_LEVEL,
            counters,
            cancel,
        );
        drop(ticker);
        let report = imported?;
        drop(lock);
        self.refresh_backups(&record, &repo, &[&ks])?;
        Ok(report)
    }
}

/// The key set an import writes with: the repository's plain default for
/// a plain backup; for an encrypted one its own key set, whose key file is
/// brought along from the export file when the repository lacks it.
fn import_keyset(repo: &Repository, src: &OpenExport, password: Option<&str>) -> Result<KeySet> {
    if !src.keyset.encrypted() {
        if let Some(id) = repo.backup_keyset(&src.manifest.backup)? {
            return Ok(repo.keyset(&id, None)?);
        }
        return Ok(repo.default_keyset()?);
    }
    let id = src.keyset.id();
    let key = format!("keys/{id}");
    if !repo.storage().exists(&key)? {
        let raw = src.repo.storage().get_at_most(&key, MAX_SMALL_OBJECT)?;
        repo.storage().put(&key, &raw)?;
    }
    Ok(repo.encrypted_keyset(id, password)?)
}

/// Lists a folder of the restore point in a `.cairn` file, with no
/// repository or catalog.
pub fn browse_export_file(
    file: &Path,
    folder: &str,
    password: Option<&str>,
) -> Result<(
    cairn_core::format::manifest::Manifest,
    Vec<cairn_core::format::tree::Entry>,
)> {
    let e = archive::open(file, password)?;
    let entries = cairn_core::restore::list(&e.repo, &e.keyset, &e.manifest, folder)?;
    Ok((e.manifest, entries))
}

/// Restores items of the restore point in a `.cairn` file, with no
/// repository or catalog.
pub fn restore_export_file(
    file: &Path,
    spec: &cairn_core::restore::RestoreSpec,
    password: Option<&str>,
    sink: Arc<dyn ProgressSink>,
    cancel: &CancelToken,
) -> Result<cairn_core::restore::RestoreReport> {
    let e = archive::open(file, password)?;
    sink.log(
        LogLevel::Info,
        &format!(
            "Restoring from restore point {} of {} ({}) in {}",
            e.manifest.id,
            e.manifest.job,
            e.manifest.machine,
            file.display()
        ),
    );
    crate::error::catch_panic("the restore", || {
        Ok(cairn_core::restore::run(
            &e.repo,
            &e.keyset,
            &e.manifest,
            spec,
            sink,
            cancel,
        )?)
    })
}
