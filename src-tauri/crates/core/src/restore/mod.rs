//! Restores of files and folders from a restore point. Names from a backup
//! are data: each becomes one validated path component under the chosen
//! destination, existing symlinks are never followed, and files are written
//! to a temporary name and renamed into place.

mod beneath;
pub mod volume;
pub mod volume_reader;
mod volume_target;
mod writer;

use beneath::{on_handle, Beneath, Found};

use crate::error::{Error, Result};
use crate::format::crypto::KeySet;
use crate::format::index::Index;
use crate::format::manifest::Manifest;
use crate::format::tree::{too_deep, Entry, EntryKind, Tree, MAX_DEPTH};
use crate::format::ChunkId;
use crate::progress::{CancelToken, Counters, ProgressSink, Ticker};
use crate::repo::Repository;
use cairn_model::LogLevel;
use std::collections::HashMap;
use std::ffi::OsStr;
use std::fs::{self, File};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// The most items (folders, files, links) one restore creates; see
/// FORMAT.md's threat model.
pub const MAX_RESTORE_ITEMS: u64 = 100_000_000;

/// Where restored items go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// Into this folder (items keep their names; a whole point keeps its
    /// full path structure below the folder).
    To(PathBuf),
    /// Back where they came from; existing files are overwritten, or kept
    /// with the restored copy named `NAME_RESTORED_YYYYMMDD_HHMMSS`.
    Original {
        /// Replace existing files.
        overwrite: bool,
    },
}

/// What to restore.
#[derive(Debug, Clone)]
pub struct RestoreSpec {
    /// Paths inside the restore point (`/home/a/docs`); empty = everything.
    pub paths: Vec<String>,
    /// Destination.
    pub dest: Destination,
    /// Restore owner and group too (always for original-location restores).
    pub preserve_owner: bool,
    /// Skip files whose size and modification time already match.
    pub changed_only: bool,
}

/// What a restore did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RestoreReport {
    /// Files written.
    pub files_restored: u64,
    /// Files left alone (unchanged, or special files).
    pub files_skipped: u64,
    /// Items that failed, with the reason.
    pub failed: Vec<String>,
    /// Folders created or updated.
    pub dirs: u64,
    /// Bytes written.
    pub bytes_written: u64,
}

/// True when `name` is a single, harmless path component.
pub fn safe_name(name: &[u8]) -> Option<&OsStr> {
    let ok = !name.is_empty()
        && name != b"."
        && name != b".."
        && !name.contains(&b'/')
        && !name.contains(&0);
    ok.then(|| OsStr::from_bytes(name))
}

/// Finds an item of a restore point by its full path.
pub fn resolve(
    repo: &Repository,
    ks: &KeySet,
    index: &Index,
    root: &Tree,
    path: &str,
) -> Result<(Entry, String)> {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() {
        return Err(Error::invalid(
            "give a path inside the restore point, such as /home/user/docs",
        ));
    }
    let mut tree = root.clone();
    let mut parent = String::new();
    for (i, part) in parts.iter().enumerate() {
        if safe_name(part.as_bytes()).is_none() {
            return Err(Error::invalid(format!(
                "{path} contains the unsafe name \"{part}\"; give a plain path"
            )));
        }
        let e = tree.find(part.as_bytes()).cloned().ok_or_else(|| {
            Error::not_found(format!(
                "{path} is not in the restore point ({} has no {part})",
                if parent.is_empty() { "/" } else { &parent }
            ))
        })?;
        if i + 1 == parts.len() {
            return Ok((
                e,
                if parent.is_empty() {
                    "/".into()
                } else {
                    parent
                },
            ));
        }
        let sub = e
            .subtree
            .filter(|_| e.kind == EntryKind::Dir)
            .ok_or_else(|| {
                Error::not_found(format!(
                    "{path} is not in the restore point ({parent}/{part} is not a folder)"
                ))
            })?;
        tree = repo.read_tree(ks, index, &sub)?;
        parent = format!("{parent}/{part}");
    }
    Err(Error::not_found(format!(
        "{path} is not in the restore point"
    )))
}

struct FileJob {
    dest: PathBuf,
    entry: Entry,
}

struct Plan {
    files: Vec<FileJob>,
    links: Vec<(PathBuf, Entry)>,
    dirs: Vec<(PathBuf, Entry)>,
    report: RestoreReport,
    /// Folder levels entered below the restored items.
    depth: usize,
}

struct Ctx<'a> {
    /// The destination folders, held open; every path below is resolved
    /// through them (see [`beneath`]).
    roots: std::sync::RwLock<Vec<Arc<Beneath>>>,
    repo: &'a Repository,
    ks: &'a KeySet,
    index: &'a Index,
    spec: &'a RestoreSpec,
    suffix: String,
    overwrite: bool,
    keep: bool,
    sink: &'a dyn ProgressSink,
}

/// True when a file on disk still is what the backup recorded: a regular
/// file of the same size, modification time and permissions. Compare with
/// production and Restore changed only both decide by this.
pub fn file_unchanged(m: &fs::Metadata, e: &Entry) -> bool {
    m.file_type().is_file()
        && m.len() == e.size
        && m.mtime() * 1_000_000_000 + m.mtime_nsec() == e.mtime_ns
        && m.mode() & 0o7777 == e.mode & 0o7777
}

impl Ctx<'_> {
    /// Opens a destination folder and keeps it for the paths below it.
    fn hold(&self, dir: &Path) -> Result<()> {
        let b = Arc::new(Beneath::open(dir)?);
        if let Ok(mut r) = self.roots.write() {
            r.push(b);
        }
        Ok(())
    }

    /// The held destination folder `p` lies in (the deepest one).
    fn beneath(&self, p: &Path) -> std::io::Result<Arc<Beneath>> {
        let roots = self
            .roots
            .read()
            .map_err(|_| std::io::Error::other("the restore's folders are unavailable"))?;
        roots
            .iter()
            .filter(|b| b.holds(p))
            .max_by_key(|b| b.depth())
            .cloned()
            .ok_or_else(|| std::io::Error::other("the path is outside the restore folders"))
    }

    /// What is at `p`, never following a link.
    fn found(&self, p: &Path) -> std::io::Result<Found> {
        self.beneath(p)?.find(p)
    }

    fn fail(&self, plan: &mut Plan, msg: String) {
        self.sink.log(LogLevel::Warning, &msg);
        plan.report.failed.push(msg);
    }

    /// Where an item named `name` goes inside `dir`, honouring Keep.
    fn target(&self, dir: &Path, name: &OsStr) -> PathBuf {
        let p = dir.join(name);
        if self.keep && !matches!(self.found(&p), Ok(Found::Nothing)) {
            let mut n = name.to_os_string();
            n.push(&self.suffix);
            return dir.join(n);
        }
        p
    }

    /// Makes a folder of the restore (replacing a file in its way when
    /// overwriting, beside it when keeping) and plans what it holds.
    fn plan_dir(&self, plan: &mut Plan, dir: &Path, name: &OsStr, e: &Entry) -> Result<()> {
        let mut p = dir.join(name);
        let b = self
            .beneath(&p)
            .map_err(|err| Error::io("create", &p, err))?;
        let made = match b.find(&p) {
            Ok(Found::Folder) => Ok(()),
            Ok(Found::Other) if self.overwrite => b.remove_file(&p).and_then(|()| b.mkdir(&p)),
            Ok(Found::Other) => {
                p = self.target(dir, name);
                b.mkdir(&p)
            }
            Ok(Found::Nothing) | Err(_) => b.mkdir(&p),
        };
        made.map_err(|err| Error::io("create", &p, err))?;
        if !matches!(b.find(&p), Ok(Found::Folder)) {
            return Err(Error::invalid(format!(
                "{} is not a real folder; the restore stopped before writing into it",
                p.display()
            )));
        }
        plan.report.dirs += 1;
        if let Some(sub) = e.subtree {
            if plan.depth >= MAX_DEPTH {
                return Err(too_deep(&format!("the folder {}", p.display())));
            }
            let tree = self.repo.read_tree(self.ks, self.index, &sub)?;
            plan.depth += 1;
            let planned = self.plan_children(plan, &p, &tree.entries);
            plan.depth -= 1;
            planned?;
        }
        plan.dirs.push((p, e.clone()));
        Ok(())
    }

    fn plan_entry(
        &self,
        plan: &mut Plan,
        dir: &Path,
        e: &Entry,
        name: Option<&OsStr>,
    ) -> Result<()> {
        let Some(name) = name.or_else(|| safe_name(&e.name)) else {
            let shown = String::from_utf8_lossy(&e.name).into_owned();
            self.fail(
                plan,
                format!(
                    "skipped an entry with an unsafe name \"{shown}\" in {}",
                    dir.display()
                ),
            );
            return Ok(());
        };
        match e.kind {
            EntryKind::Dir => self.plan_dir(plan, dir, name, e)?,
            EntryKind::File => {
                let existing = dir.join(name);
                if self.spec.changed_only && self.unchanged_file(&existing, e) {
                    plan.report.files_skipped += 1;
                    return Ok(());
                }
                let dest = if self.spec.changed_only && !self.keep {
                    existing
                } else {
                    self.target(dir, name)
                };
                plan.files.push(FileJob {
                    dest,
                    entry: e.clone(),
                });
            }
            EntryKind::Symlink => plan.links.push((self.target(dir, name), e.clone())),
            _ => {
                plan.report.files_skipped += 1;
                self.sink.log(
                    LogLevel::Warning,
                    &format!(
                        "special file {} recorded in the backup is not restored",
                        dir.join(name).display()
                    ),
                );
            }
        }
        Ok(())
    }

    /// Plans a folder's entries; a name that repeats or breaks the sort
    /// order (a planted duplicate) is skipped and reported.
    fn plan_children(&self, plan: &mut Plan, dir: &Path, entries: &[Entry]) -> Result<()> {
        let mut prev: Option<&[u8]> = None;
        for child in entries {
            if prev.is_some_and(|p| p >= child.name.as_slice()) {
                let shown = String::from_utf8_lossy(&child.name).into_owned();
                self.fail(
                    plan,
                    format!(
                        "skipped a duplicate or out-of-order entry \"{shown}\" in {}",
                        dir.display()
                    ),
                );
                continue;
            }
            prev = Some(&child.name);
            self.plan_entry(plan, dir, child, None)?;
        }
        Ok(())
    }

    /// True when the file at `p` (not a link to one) has `e`'s size and
    /// modification time.
    fn unchanged_file(&self, p: &Path, e: &Entry) -> bool {
        let Ok(b) = self.beneath(p) else {
            return false;
        };
        b.open_meta(p, false)
            .map(File::from)
            .and_then(|f| f.metadata())
            .is_ok_and(|m| m.file_type().is_file() && file_unchanged(&m, e))
    }

    /// Creates a file's temporary copy beside its destination, through the
    /// held destination folder (a folder swapped for a link fails it).
    fn create_temp(&self, job: &FileJob) -> Result<(Arc<Beneath>, PathBuf)> {
        let dir = job
            .dest
            .parent()
            .ok_or_else(|| Error::internal("restore target has no folder"))?;
        let tmp = dir.join(format!(
            ".cairn-restore-{}",
            &crate::format::random_id()[..12]
        ));
        let b = self
            .beneath(&tmp)
            .map_err(|e| Error::io("create", &tmp, e))?;
        b.create_new(&tmp)
            .map_err(|e| Error::io("create", &tmp, e))?;
        Ok((b, tmp))
    }

    /// Gives a restored item its metadata, in the order that keeps it:
    /// owner first (a change of owner clears set-id bits and capabilities),
    /// then extended attributes (only `user.*` unless ownership is kept),
    /// permissions and times; all on an open handle of the item itself.
    fn apply_meta(&self, p: &Path, e: &Entry) {
        let warn = |what: &str, err: std::io::Error| {
            self.sink.log(
                LogLevel::Warning,
                &format!("cannot restore the {what} of {}: {err}", p.display()),
            );
        };
        let owner =
            self.spec.preserve_owner || matches!(self.spec.dest, Destination::Original { .. });
        let t = rustix::fs::Timespec {
            tv_sec: e.mtime_ns.div_euclid(1_000_000_000),
            tv_nsec: e.mtime_ns.rem_euclid(1_000_000_000) as _,
        };
        let times = rustix::fs::Timestamps {
            last_access: t,
            last_modification: t,
        };
        let b = match self.beneath(p) {
            Ok(b) => b,
            Err(err) => return warn("metadata", err),
        };
        if e.kind == EntryKind::Symlink {
            let ids = owner.then_some((e.uid, e.gid));
            if let Err(err) = b.link_meta(p, ids, &times) {
                warn("owner and time", err);
            }
            return;
        }
        let fd = match b.open_meta(p, e.kind == EntryKind::Dir) {
            Ok(fd) => fd,
            Err(err) => return warn("metadata", err),
        };
        if owner {
            if let Err(err) = on_handle::chown(&fd, e.uid, e.gid) {
                warn("owner", err);
            }
        }
        for (n, v) in &e.xattrs {
            if owner || n.starts_with(b"user.") {
                if let Err(err) = on_handle::set_xattr(&fd, OsStr::from_bytes(n), v) {
                    warn("extended attributes", err);
                }
            }
        }
        let bits = if owner {
            e.mode & 0o7777
        } else {
            e.mode & 0o777
        };
        if let Err(err) = on_handle::chmod(&fd, bits) {
            warn("permissions", err);
        }
        if let Err(err) = on_handle::set_times(&fd, &times) {
            warn("modification time", err);
        }
    }
}

/// Restores items of one restore point.
pub fn run(
    repo: &Repository,
    ks: &KeySet,
    manifest: &Manifest,
    spec: &RestoreSpec,
    sink: Arc<dyn ProgressSink>,
    cancel: &CancelToken,
) -> Result<RestoreReport> {
    let index = repo.load_index(ks, false)?;
    let root = repo.read_tree(ks, &index, &ChunkId::from_hex(&manifest.root)?)?;
    let (overwrite, keep) = match spec.dest {
        Destination::Original { overwrite } => (overwrite, !overwrite),
        Destination::To(_) => (true, false),
    };
    let ctx = Ctx {
        roots: std::sync::RwLock::new(Vec::new()),
        repo,
        ks,
        index: &index,
        spec,
        suffix: crate::time::restored_suffix(crate::time::now()),
        overwrite,
        keep,
        sink: &*sink,
    };
    sink.log(LogLevel::Info, "Planning the restore");
    let mut plan = ctx.plan(&root)?;
    let counters = Arc::new(Counters::default());
    let total_bytes = plan.files.iter().map(|f| f.entry.size).sum();
    counters
        .files_total
        .store(plan.files.len() as u64, Ordering::Relaxed);
    counters.bytes_total.store(total_bytes, Ordering::Relaxed);
    let ticker = Ticker::start(counters.clone(), sink.clone());
    sink.log(
        LogLevel::Info,
        &format!("Restoring {} file(s)", plan.files.len()),
    );
    let (writes, linked) = split_hard_links(&plan.files);
    ctx.ensure_retrieved(&writes)?;
    let results = ctx.write_files(&writes, &counters, cancel);
    drop(ticker);
    let mut report = std::mem::take(&mut plan.report);
    for (job, r) in writes.iter().zip(results) {
        match r {
            Ok(bytes) => {
                report.files_restored += 1;
                report.bytes_written += bytes;
            }
            Err(e) if e.kind() == cairn_model::ErrorKind::Cancelled => {}
            Err(e) => {
                let msg = format!("{}: {}", job.dest.display(), e.message());
                sink.log(LogLevel::Error, &msg);
                report.failed.push(msg);
            }
        }
    }
    cancel.check()?;
    ctx.link_hard_links(&linked, &mut report);
    ctx.make_symlinks(&plan.links, &mut report);
    // Folder times last (writing into a folder changes its time), deepest first.
    for (dest, e) in plan.dirs.iter().rev() {
        ctx.apply_meta(dest, e);
    }
    sink.progress(&counters.snapshot(std::time::Instant::now()));
    Ok(report)
}

/// Hard links: the first path of each inode is written, later ones are
/// linked to it (first path, later path).
fn split_hard_links(files: &[FileJob]) -> (Vec<&FileJob>, Vec<(PathBuf, PathBuf)>) {
    let mut first_of: HashMap<(u64, u64), PathBuf> = HashMap::new();
    let mut linked = Vec::new();
    let mut writes = Vec::new();
    for job in files {
        if job.entry.nlink > 1 {
            let k = (job.entry.dev, job.entry.inode);
            if let Some(first) = first_of.get(&k) {
                linked.push((first.clone(), job.dest.clone()));
                continue;
            }
            first_of.insert(k, job.dest.clone());
        }
        writes.push(job);
    }
    (writes, linked)
}

impl Ctx<'_> {
    /// What the restore writes, links and creates, with the folders made.
    fn plan(&self, root: &Tree) -> Result<Plan> {
        let mut plan = Plan {
            files: Vec::new(),
            links: Vec::new(),
            dirs: Vec::new(),
            report: RestoreReport::default(),
            depth: 0,
        };
        let base = |parent: &str| -> PathBuf {
            match &self.spec.dest {
                Destination::To(d) => d.clone(),
                Destination::Original { .. } => PathBuf::from(parent),
            }
        };
        let make = |dir: &Path| {
            fs::create_dir_all(dir).map_err(|e| Error::io("create the restore folder", dir, e))?;
            self.hold(dir)
        };
        let mut picked = Vec::new();
        for p in &self.spec.paths {
            picked.push(resolve(self.repo, self.ks, self.index, root, p)?);
        }
        self.refuse_too_many(root, &picked)?;
        if self.spec.paths.is_empty() {
            let dir = base("/");
            make(&dir)?;
            self.plan_children(&mut plan, &dir, &root.entries)?;
        }
        for (e, parent) in &picked {
            let dir = base(parent);
            make(&dir)?;
            self.plan_entry(&mut plan, &dir, e, None)?;
        }
        Ok(plan)
    }

    /// Refuses, before anything is created, a restore of more than
    /// [`MAX_RESTORE_ITEMS`] items: a point of shared subtrees (a folder
    /// bomb) would otherwise fill the destination with exponentially many
    /// folders.
    fn refuse_too_many(&self, root: &Tree, picked: &[(Entry, String)]) -> Result<()> {
        let chosen: Vec<&Entry> = if picked.is_empty() {
            root.entries.iter().collect()
        } else {
            picked.iter().map(|(e, _)| e).collect()
        };
        let folders: Vec<ChunkId> = chosen
            .iter()
            .filter(|e| e.kind == EntryKind::Dir)
            .filter_map(|e| e.subtree)
            .collect();
        let below = crate::treewalk::paths_below(self.repo, self.ks, self.index, &folders)?;
        let items = (chosen.len() as u64).saturating_add(below);
        if items > MAX_RESTORE_ITEMS {
            let count = match items {
                u64::MAX => "more than 18 quintillion".to_string(),
                n => n.to_string(),
            };
            return Err(Error::invalid(format!(
                "the restore would create {count} items, more than the {MAX_RESTORE_ITEMS} one restore may \
                 create; restore fewer folders at a time"
            )));
        }
        Ok(())
    }

    /// Data in an archive storage class is retrieved first, all packs at
    /// once: one clear "waiting for retrieval" state, not one per pack.
    fn ensure_retrieved(&self, writes: &[&FileJob]) -> Result<()> {
        let packs: std::collections::BTreeSet<String> = writes
            .iter()
            .flat_map(|j| j.entry.content.iter())
            .filter_map(|id| {
                self.index
                    .get(id)
                    .map(|(p, _)| crate::format::index::pack_key(p))
            })
            .collect();
        let packs: Vec<String> = packs.into_iter().collect();
        let waiting = self.repo.storage().prepare_read(&packs)?;
        if waiting.is_empty() {
            return Ok(());
        }
        Err(Error::storage(format!(
            "waiting for retrieval: {} of {} pack(s) this restore needs are in an archive storage class; retrieval was requested for them (Glacier Flexible Retrieval takes about 3 to 5 hours, Deep Archive up to 12); run the restore again when it has finished",
            waiting.len(),
            packs.len()
        )))
    }

    fn link_hard_links(&self, linked: &[(PathBuf, PathBuf)], report: &mut RestoreReport) {
        for (first, dest) in linked {
            let linked = self.beneath(dest).and_then(|b| {
                if self.overwrite {
                    let _ = b.remove_file(dest);
                }
                b.hard_link(first, dest)
            });
            match linked {
                Ok(()) => report.files_restored += 1,
                Err(e) => report.failed.push(format!(
                    "{}: cannot link to {}: {e}",
                    dest.display(),
                    first.display()
                )),
            }
        }
    }

    fn make_symlinks(&self, links: &[(PathBuf, Entry)], report: &mut RestoreReport) {
        for (dest, e) in links {
            let made = self.beneath(dest).and_then(|b| {
                if self.overwrite && matches!(b.find(dest), Ok(Found::Other)) {
                    let _ = b.remove_file(dest);
                }
                b.symlink(OsStr::from_bytes(&e.target), dest)
            });
            match made {
                Ok(()) => {
                    self.apply_meta(dest, e);
                    report.files_restored += 1;
                }
                Err(err) => report
                    .failed
                    .push(format!("{}: cannot create the link: {err}", dest.display())),
            }
        }
    }
}

/// The names of a folder of a restore point, for `browse`.
pub fn list(repo: &Repository, ks: &KeySet, manifest: &Manifest, path: &str) -> Result<Vec<Entry>> {
    let index = repo.load_index(ks, false)?;
    let root = repo.read_tree(ks, &index, &ChunkId::from_hex(&manifest.root)?)?;
    if path.split('/').all(|p| p.is_empty()) {
        return Ok(root.entries);
    }
    let (e, _) = resolve(repo, ks, &index, &root, path)?;
    match (e.kind, e.subtree) {
        (EntryKind::Dir, Some(sub)) => Ok(repo.read_tree(ks, &index, &sub)?.entries),
        _ => Ok(vec![e]),
    }
}
