//! The Backup Browser's backend: a restore point opened once (index loaded,
//! trees cached in memory and on disk), then listed folder by folder,
//! searched, compared with the live file system, and restored from.

use super::restores::OpenPoint;
use super::Console;
use crate::error::{Error, Result};
use crate::paths;
use cairn_core::explore;
use cairn_core::format::index::Index;
use cairn_core::format::tree::{Entry, EntryKind, Tree};
use cairn_core::format::ChunkId;
use cairn_core::progress::{CancelToken, ProgressSink};
use cairn_core::restore::{self, Destination, RestoreReport, RestoreSpec};
use cairn_model::{
    BrowserEntry, BrowserPoint, FoundItem, GfsFlag, ItemKind, ItemState, PointDifference,
    PointKind, RestoreItems, RestoreOutcome, RestorePointRow, RestoreTarget, SearchResult,
    VersionRow,
};
use std::collections::HashMap;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// An open restore point.
pub struct Browser {
    point: OpenPoint,
    index: Index,
    root: ChunkId,
    trees: Mutex<HashMap<ChunkId, Arc<Tree>>>,
    cancel: Mutex<CancelToken>,
}

/// The browsers a console has open.
#[derive(Default)]
pub struct Browsers {
    next: AtomicU64,
    open: Mutex<HashMap<u64, Arc<Browser>>>,
}

fn entry_row(e: &Entry) -> BrowserEntry {
    BrowserEntry {
        name: String::from_utf8_lossy(&e.name).into_owned(),
        kind: e.kind.into(),
        size: e.size,
        mtime: e.mtime_ns.div_euclid(1_000_000_000),
        owner: format!("{}:{}", e.user, e.group),
        mode: format!("{:o}", e.mode & 0o7777),
        has_children: e.kind == EntryKind::Dir,
        state: None,
    }
}

impl Browser {
    fn tree(&self, id: &ChunkId) -> Result<Arc<Tree>> {
        if let Some(t) = self.trees.lock().ok().and_then(|m| m.get(id).cloned()) {
            return Ok(t);
        }
        let t = Arc::new(
            self.point
                .repo
                .read_tree(&self.point.keyset, &self.index, id)?,
        );
        if let Ok(mut m) = self.trees.lock() {
            m.insert(*id, t.clone());
        }
        Ok(t)
    }

    /// The entries of a folder ("/" for the top).
    fn folder(&self, path: &str) -> Result<Arc<Tree>> {
        let mut tree = self.tree(&self.root)?;
        let mut walked = String::new();
        for part in path.split('/').filter(|p| !p.is_empty()) {
            let e = tree.find(part.as_bytes()).ok_or_else(|| {
                Error::not_found(format!(
                    "{path} is not in the restore point ({} has no {part})",
                    if walked.is_empty() { "/" } else { &walked }
                ))
            })?;
            walked = format!("{walked}/{part}");
            let sub = e
                .subtree
                .filter(|_| e.kind == EntryKind::Dir)
                .ok_or_else(|| Error::invalid(format!("{walked} is not a folder")))?;
            tree = self.tree(&sub)?;
        }
        Ok(tree)
    }
}

/// How a backed-up item compares with the live file system.
fn live_state(live: &Path, e: &Entry) -> ItemState {
    let Ok(m) = std::fs::symlink_metadata(live) else {
        return ItemState::Deleted;
    };
    let ft = m.file_type();
    let same_kind = match e.kind {
        EntryKind::Dir => ft.is_dir(),
        EntryKind::File => ft.is_file(),
        EntryKind::Symlink => ft.is_symlink(),
        _ => !ft.is_dir() && !ft.is_file() && !ft.is_symlink(),
    };
    if !same_kind {
        return ItemState::Changed;
    }
    match e.kind {
        EntryKind::File if restore::file_unchanged(&m, e) => ItemState::Unchanged,
        EntryKind::File => ItemState::Changed,
        EntryKind::Symlink => {
            use std::os::unix::ffi::OsStrExt;
            match std::fs::read_link(live) {
                Ok(t) if t.as_os_str().as_bytes() == e.target.as_slice() => ItemState::Unchanged,
                _ => ItemState::Changed,
            }
        }
        _ => ItemState::Unchanged,
    }
}

impl Console {
    /// The restore points of a backup, newest first, from the catalog.
    pub fn restore_point_rows(&self, backup: &str) -> Result<Vec<RestorePointRow>> {
        let b = match self.find_backup(backup) {
            Ok(b) => b,
            Err(e) => return self.external_point_rows(backup).ok_or(e)?,
        };
        let repo = self.catalog()?.repository(b.repository_id)?;
        let now = cairn_core::time::now();
        let rows = b
            .points
            .iter()
            .map(|p| {
                // The manifest is written at the point's time and locked
                // for the repository's period from then.
                let until = repo
                    .immutable_days
                    .map(|d| p.time + i64::from(d) * 86_400)
                    .filter(|t| *t > now);
                RestorePointRow {
                    sealed: b.sealed,
                    ..point_row(
                        &p.point_id,
                        p.time,
                        &p.kind,
                        p.size,
                        p.gfs.split(','),
                        until,
                    )
                }
            })
            .collect();
        Ok(newest_first(rows))
    }

    /// The restore points of a backup in an external repository, as the
    /// last rescan found them, newest first.
    fn external_point_rows(&self, backup: &str) -> Option<Result<Vec<RestorePointRow>>> {
        let cat = self.catalog().ok()?;
        for ext in cat.externals().ok()? {
            let found = cat
                .external_backups(ext.id)
                .ok()?
                .into_iter()
                .find(|b| b.backup_id == backup);
            if let Some(b) = found {
                let rows = b
                    .meta
                    .points
                    .iter()
                    .map(|p| {
                        point_row(
                            &p.id,
                            p.time,
                            &p.kind,
                            p.size,
                            p.gfs.iter().map(String::as_str),
                            None,
                        )
                    })
                    .collect();
                return Some(Ok(newest_first(rows)));
            }
        }
        None
    }

    fn browser(&self, id: u64) -> Result<Arc<Browser>> {
        self.browsers
            .open
            .lock()
            .ok()
            .and_then(|m| m.get(&id).cloned())
            .ok_or_else(|| {
                Error::not_found("this Backup Browser was closed; open the restore point again")
            })
    }

    /// Opens a restore point for browsing: the index is loaded once, and
    /// only trees are read after that.
    pub fn open_browser(
        &self,
        backup: &str,
        point: &str,
        password: Option<&str>,
    ) -> Result<(u64, BrowserPoint)> {
        let p = self.open_point(backup, point, password)?;
        let index = p.repo.load_index(&p.keyset, false)?;
        let root = ChunkId::from_hex(&p.manifest.root)?;
        let info = BrowserPoint {
            id: 0,
            backup: p.manifest.backup.clone(),
            point: p.manifest.id.clone(),
            time: p.manifest.time,
            job: p.manifest.job.clone(),
            machine: p.manifest.machine.clone(),
            repository: p.repository.clone(),
            sources: p.manifest.sources.clone(),
        };
        let b = Arc::new(Browser {
            point: p,
            index,
            root,
            trees: Mutex::new(HashMap::new()),
            cancel: Mutex::new(CancelToken::new()),
        });
        b.tree(&b.root)?;
        let id = self.browsers.next.fetch_add(1, Ordering::Relaxed) + 1;
        self.browsers
            .open
            .lock()
            .map_err(|_| Error::internal("browser table unavailable"))?
            .insert(id, b);
        Ok((id, BrowserPoint { id, ..info }))
    }

    /// Closes a browser and frees what it holds.
    pub fn close_browser(&self, id: u64) {
        if let Ok(mut m) = self.browsers.open.lock() {
            m.remove(&id);
        }
    }

    /// Lists one folder of an open restore point.
    pub fn browser_list(&self, id: u64, path: &str) -> Result<Vec<BrowserEntry>> {
        let b = self.browser(id)?;
        let tree = b.folder(path)?;
        Ok(tree.entries.iter().map(entry_row).collect())
    }

    /// Searches the whole restore point by name or mask.
    pub fn browser_find(
        &self,
        id: u64,
        pattern: &str,
        limit: usize,
    ) -> Result<(Vec<explore::Found>, bool)> {
        let b = self.browser(id)?;
        let pattern = explore::NamePattern::new(pattern)?;
        Ok(explore::find_with(
            &|t| b.tree(t).map_err(Into::into),
            &b.root,
            &pattern,
            limit,
        )?)
    }

    /// One folder compared with the live file system: every item marked
    /// unchanged, changed or deleted, plus the live items the backup does
    /// not have (new). Folders are marked by their presence only.
    pub fn browser_compare(&self, id: u64, path: &str) -> Result<Vec<BrowserEntry>> {
        let b = self.browser(id)?;
        let tree = b.folder(path)?;
        let live_dir = PathBuf::from(if path.is_empty() { "/" } else { path });
        let mut out: Vec<BrowserEntry> = tree
            .entries
            .iter()
            .map(|e| {
                let mut row = entry_row(e);
                let live = live_dir.join(String::from_utf8_lossy(&e.name).as_ref());
                row.state = Some(live_state(&live, e));
                row
            })
            .collect();
        if let Ok(rd) = std::fs::read_dir(&live_dir) {
            for d in rd.flatten() {
                use std::os::unix::ffi::OsStrExt;
                let name = d.file_name();
                if tree.find(name.as_bytes()).is_some() {
                    continue;
                }
                let Ok(m) = d.path().symlink_metadata() else {
                    continue;
                };
                out.push(BrowserEntry {
                    name: name.to_string_lossy().into_owned(),
                    kind: if m.is_dir() {
                        ItemKind::Folder
                    } else {
                        ItemKind::File
                    },
                    size: m.len(),
                    mtime: m.mtime(),
                    owner: format!("{}:{}", m.uid(), m.gid()),
                    mode: format!("{:o}", m.mode() & 0o7777),
                    has_children: false,
                    state: Some(ItemState::New),
                });
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Restores items of an open restore point as a session (History →
    /// Restore), with the user's reason in its log.
    #[allow(clippy::too_many_arguments)]
    pub fn browser_restore(
        &self,
        id: u64,
        point: Option<&str>,
        paths: &[String],
        dest: Destination,
        preserve_owner: bool,
        changed_only: bool,
        reason: &str,
        sink: Arc<dyn ProgressSink>,
    ) -> Result<RestoreReport> {
        let b = self.browser(id)?;
        if paths.is_empty() {
            return Err(Error::invalid("select the items to restore"));
        }
        let cancel = CancelToken::new();
        if let Ok(mut c) = b.cancel.lock() {
            *c = cancel.clone();
        }
        let spec = RestoreSpec {
            paths: paths.to_vec(),
            dest,
            preserve_owner,
            changed_only,
        };
        let other = match point {
            Some(pid) if pid != b.point.manifest.id => Some(b.point.repo.read_manifest(
                &b.point.keyset,
                &b.point.manifest.backup,
                pid,
            )?),
            _ => None,
        };
        self.restore_session(&b.point, other.as_ref(), &spec, reason, sink, &cancel)
    }

    /// Stops the restore running from a browser.
    pub fn browser_cancel(&self, id: u64) -> Result<()> {
        let b = self.browser(id)?;
        if let Ok(c) = b.cancel.lock() {
            c.cancel();
        }
        Ok(())
    }

    /// Extracts one file to a private temporary folder (for Open); returns
    /// its path.
    pub fn browser_extract(&self, id: u64, path: &str) -> Result<PathBuf> {
        let b = self.browser(id)?;
        let (e, _) = restore::resolve(
            &b.point.repo,
            &b.point.keyset,
            &b.index,
            &*b.tree(&b.root)?,
            path,
        )?;
        if e.kind != EntryKind::File {
            return Err(Error::invalid(format!(
                "{path} is not a file; only files can be opened"
            )));
        }
        let dir = self.private_open_folder()?;
        let spec = RestoreSpec {
            paths: vec![path.to_string()],
            dest: Destination::To(dir.clone()),
            preserve_owner: false,
            changed_only: false,
        };
        restore::run(
            &b.point.repo,
            &b.point.keyset,
            &b.point.manifest,
            &spec,
            Arc::new(cairn_core::progress::NoProgress),
            &CancelToken::default(),
        )?;
        let name = path
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default();
        Ok(dir.join(name))
    }

    /// A new folder only this user can read, inside this process's folder
    /// of extracted files ([`paths::open_dir`]); decrypted copies never
    /// land where other local users can read them.
    fn private_open_folder(&self) -> Result<PathBuf> {
        let mine = paths::open_dir(&self.data_dir).join(std::process::id().to_string());
        let dir = mine.join(&cairn_core::format::random_id()[..12]);
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&dir)
            .map_err(|err| Error::io("create", &dir, err))?;
        for d in [paths::open_dir(&self.data_dir), mine, dir.clone()] {
            std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700))
                .map_err(|err| Error::io("protect", &d, err))?;
        }
        Ok(dir)
    }

    /// The differences between another restore point of the same backup
    /// and the open one, from the older to the newer.
    pub fn browser_diff(&self, id: u64, other: &str) -> Result<Vec<explore::Difference>> {
        let b = self.browser(id)?;
        let m = b
            .point
            .repo
            .read_manifest(&b.point.keyset, &b.point.manifest.backup, other)?;
        let theirs = ChunkId::from_hex(&m.root)?;
        let (old, new) =
            if (m.time, m.id.as_str()) <= (b.point.manifest.time, b.point.manifest.id.as_str()) {
                (theirs, b.root)
            } else {
                (b.root, theirs)
            };
        Ok(explore::diff(
            &b.point.repo,
            &b.point.keyset,
            &b.point.keyset,
            &b.index,
            &b.index,
            &old,
            &new,
        )?)
    }

    /// The versions of an item of the open restore point's backup.
    pub fn browser_versions(&self, id: u64, path: &str) -> Result<Vec<super::restores::Version>> {
        let b = self.browser(id)?;
        self.versions_in(&b.point, path)
    }

    /// Search, as the Backup Browser shows it.
    pub fn browser_search(&self, id: u64, pattern: &str, limit: usize) -> Result<SearchResult> {
        let (found, truncated) = self.browser_find(id, pattern, limit)?;
        let items = found
            .into_iter()
            .map(|f| FoundItem {
                path: f.path,
                kind: f.kind.into(),
                size: f.size,
                mtime: f.mtime,
            })
            .collect();
        Ok(SearchResult { items, truncated })
    }

    /// Versions, as the Versions pane shows them.
    pub fn browser_version_rows(&self, id: u64, path: &str) -> Result<Vec<VersionRow>> {
        Ok(self
            .browser_versions(id, path)?
            .into_iter()
            .map(|v| VersionRow {
                point: v.point,
                time: v.time,
                size: v.size,
                mtime: v.mtime,
            })
            .collect())
    }

    /// The Compare pane's rows.
    pub fn browser_differences(&self, id: u64, other: &str) -> Result<Vec<PointDifference>> {
        Ok(self
            .browser_diff(id, other)?
            .into_iter()
            .map(|d| PointDifference {
                path: d.path,
                change: d.change.into(),
                kind: d.kind.into(),
                size: d.size,
            })
            .collect())
    }

    /// Restore from the browser: Overwrite, Keep, or Copy to a folder
    /// (a full path; permissions kept only when asked).
    pub fn browser_restore_items(
        &self,
        req: &RestoreItems,
        sink: Arc<dyn ProgressSink>,
    ) -> Result<RestoreOutcome> {
        let (dest, preserve) = destination(&req.target)?;
        let r = self.browser_restore(
            req.id,
            req.point.as_deref(),
            &req.paths,
            dest,
            preserve,
            req.changed_only,
            &req.reason,
            sink,
        )?;
        Ok(RestoreOutcome {
            restored: r.files_restored,
            skipped: r.files_skipped,
            failed: r.failed,
            bytes: r.bytes_written,
        })
    }

    /// Open: extracts a file and hands it to the desktop's default
    /// application (`xdg-open`), without waiting for it. Returns the path.
    pub fn browser_open(&self, id: u64, path: &str) -> Result<PathBuf> {
        let file = self.browser_extract(id, path)?;
        let mut child = std::process::Command::new("xdg-open")
            .arg(&file)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| {
                Error::internal(format!(
                    "{} was extracted but could not be opened (xdg-open: {e})",
                    file.display()
                ))
            })?;
        std::thread::spawn(move || child.wait());
        Ok(file)
    }
}

/// Where a browser restore goes, and whether owners and permissions come
/// along (always for the original location).
fn destination(target: &RestoreTarget) -> Result<(Destination, bool)> {
    Ok(match target {
        RestoreTarget::Overwrite => (Destination::Original { overwrite: true }, true),
        RestoreTarget::Keep => (Destination::Original { overwrite: false }, true),
        RestoreTarget::CopyTo {
            folder,
            preserve_permissions,
        } => {
            let p = PathBuf::from(folder.trim());
            if !p.is_absolute() {
                return Err(Error::invalid(format!(
                    "\"{folder}\" is not a full path; choose a folder such as /tmp/restored"
                )));
            }
            (Destination::To(p), *preserve_permissions)
        }
    })
}

/// One row of a backup's restore points.
/// Flags this version does not know are left out.
fn point_row<'a>(
    id: &str,
    time: i64,
    kind: &str,
    size: u64,
    gfs: impl Iterator<Item = &'a str>,
    immutable_until: Option<i64>,
) -> RestorePointRow {
    RestorePointRow {
        id: id.to_string(),
        time,
        kind: if kind.eq_ignore_ascii_case("full") {
            PointKind::Full
        } else {
            PointKind::Increment
        },
        size,
        gfs: gfs.filter_map(GfsFlag::parse).collect(),
        immutable_until,
        sealed: false,
    }
}

/// Restore points newest first.
fn newest_first(mut rows: Vec<RestorePointRow>) -> Vec<RestorePointRow> {
    rows.sort_by(|a, b| b.time.cmp(&a.time).then(b.id.cmp(&a.id)));
    rows
}
