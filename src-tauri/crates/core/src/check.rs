//! Repository health check. Quick: every restore point's trees are readable
//! and every chunk they name is in the index and in an existing pack.
//! Full: also reads every pack, decrypts and hashes every blob, and names
//! the files that use a damaged chunk.

use crate::error::Result;
use crate::format::blob;
use crate::format::crypto::KeySet;
use crate::format::index::{pack_key, Index};
use crate::format::ChunkId;
use crate::progress::{CancelToken, ProgressSink};
use crate::repo::Repository;
use crate::treewalk;
use cairn_model::LogLevel;
use std::collections::{HashMap, HashSet};

/// What a check found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CheckReport {
    /// Backups checked.
    pub backups: usize,
    /// Restore points checked.
    pub restore_points: usize,
    /// Packs in the index.
    pub packs: usize,
    /// Blobs verified by reading (full check).
    pub blobs_verified: usize,
    /// Problems found, one sentence each.
    pub errors: Vec<String>,
    /// Files that use damaged or missing data, as `backup point path`.
    pub damaged_files: Vec<String>,
    /// Key sets skipped because no password was given.
    pub skipped_encrypted: Vec<String>,
}

impl CheckReport {
    /// True when nothing is wrong.
    pub fn healthy(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Checks every backup whose key set can be opened (`password` opens
/// encrypted ones).
pub fn run(
    repo: &Repository,
    password: Option<&str>,
    full: bool,
    sink: &dyn ProgressSink,
    cancel: &CancelToken,
) -> Result<CheckReport> {
    let mut report = CheckReport::default();
    let by_keyset = repo.keysets_in_use()?;
    let packs_present = repo.pack_sizes()?;
    for (keyset_id, backups) in by_keyset {
        let ks = match repo.keyset(&keyset_id, password) {
            Ok(k) => k,
            Err(e) if e.kind() == cairn_model::ErrorKind::WrongPassword => {
                sink.log(
                    LogLevel::Warning,
                    &format!(
                        "backups {} are encrypted: {}",
                        backups.join(", "),
                        e.message()
                    ),
                );
                report.skipped_encrypted.push(keyset_id);
                continue;
            }
            Err(e) => return Err(e),
        };
        check_keyset(
            repo,
            &ks,
            &backups,
            &packs_present,
            full,
            sink,
            cancel,
            &mut report,
        )?;
    }
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
fn check_keyset(
    repo: &Repository,
    ks: &KeySet,
    backups: &[String],
    packs_present: &HashMap<String, u64>,
    full: bool,
    sink: &dyn ProgressSink,
    cancel: &CancelToken,
    report: &mut CheckReport,
) -> Result<()> {
    let index = repo.load_index(ks, false)?;
    report.packs += index.packs.len();
    let mut bad = chunks_out_of_reach(&index, packs_present);
    let missing_packs: HashSet<&String> = index
        .packs
        .iter()
        .filter(|p| !packs_present.contains_key(*p))
        .collect();
    for p in &missing_packs {
        report.errors.push(format!(
            "pack {p} is listed in the index but missing from the repository"
        ));
    }
    if full {
        let packs = Packs {
            index: &index,
            missing: &missing_packs,
        };
        verify_packs(repo, ks, packs, cancel, report, &mut bad)?;
    }
    for backup in backups {
        report.backups += 1;
        check_points(repo, ks, &index, backup, &bad, cancel, report)?;
    }
    if !report.damaged_files.is_empty() && report.errors.is_empty() {
        report.errors.push(format!(
            "{} file(s) use missing data",
            report.damaged_files.len()
        ));
    }
    sink.log(
        LogLevel::Info,
        &format!(
            "Checked {} restore point(s) of {} backup(s)",
            report.restore_points, report.backups
        ),
    );
    Ok(())
}

/// Chunks whose pack is missing or shorter than the index says.
fn chunks_out_of_reach(index: &Index, packs_present: &HashMap<String, u64>) -> HashSet<ChunkId> {
    index
        .blobs
        .iter()
        .filter(|(_, loc)| {
            let pack = &index.packs[loc.pack as usize];
            packs_present
                .get(pack)
                .is_none_or(|size| (loc.offset as u64 + loc.length as u64) > *size)
        })
        .map(|(id, _)| *id)
        .collect()
}

/// The index and the packs it lists that are missing.
#[derive(Clone, Copy)]
struct Packs<'a> {
    index: &'a Index,
    missing: &'a HashSet<&'a String>,
}

/// Full check: reads every pack and verifies every chunk in it; damaged
/// chunks join `bad`.
fn verify_packs(
    repo: &Repository,
    ks: &KeySet,
    packs: Packs,
    cancel: &CancelToken,
    report: &mut CheckReport,
    bad: &mut HashSet<ChunkId>,
) -> Result<()> {
    let mut by_pack: HashMap<u32, Vec<(ChunkId, crate::format::index::Location)>> = HashMap::new();
    for (id, loc) in &packs.index.blobs {
        by_pack.entry(loc.pack).or_default().push((*id, *loc));
    }
    for (pack_no, blobs) in by_pack {
        cancel.check()?;
        let pack = &packs.index.packs[pack_no as usize];
        if packs.missing.contains(pack) {
            continue;
        }
        let max = crate::format::pack::max_pack_len(repo.config().pack_size);
        let data = match repo.storage().get_at_most(&pack_key(pack), max) {
            Ok(d) => d,
            Err(e) => {
                report
                    .errors
                    .push(format!("pack {pack} cannot be read: {e}"));
                bad.extend(blobs.iter().map(|b| b.0));
                continue;
            }
        };
        for (id, loc) in blobs {
            let (s, e) = (
                loc.offset as usize,
                loc.offset as usize + loc.length as usize,
            );
            let ok = e <= data.len()
                && blob::decode_verified(ks, &id, &data[s..e], loc.raw_length as usize).is_ok();
            report.blobs_verified += 1;
            if !ok {
                report
                    .errors
                    .push(format!("chunk {} in pack {pack} is damaged", id.to_hex()));
                bad.insert(id);
            }
        }
    }
    Ok(())
}

/// Walks every restore point of a backup; files using missing or damaged
/// chunks are reported.
fn check_points(
    repo: &Repository,
    ks: &KeySet,
    index: &Index,
    backup: &str,
    bad: &HashSet<ChunkId>,
    cancel: &CancelToken,
    report: &mut CheckReport,
) -> Result<()> {
    for point in repo.list_points(backup)? {
        cancel.check()?;
        report.restore_points += 1;
        let m = match repo.read_manifest(ks, backup, &point) {
            Ok(m) => m,
            Err(e) => {
                report
                    .errors
                    .push(format!("restore point {point} of backup {backup}: {e}"));
                continue;
            }
        };
        let root = ChunkId::from_hex(&m.root)?;
        let mut visit = |path: &str, e: &crate::format::tree::Entry| -> Result<()> {
            let missing = e.content.iter().any(|c| !index.blobs.contains_key(c));
            if missing || e.content.iter().any(|c| bad.contains(c)) {
                report
                    .damaged_files
                    .push(format!("{backup} {point} {path}"));
            }
            Ok(())
        };
        if let Err(e) = treewalk::visit_once(repo, ks, index, &root, &mut visit) {
            report.errors.push(format!(
                "restore point {point} of backup {backup} has an unreadable folder tree: {e}"
            ));
        }
    }
    Ok(())
}
