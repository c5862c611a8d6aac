//! Which restore points a backup keeps: the newest N points or N days, plus
//! GFS points (the newest point of each of the last N weeks / months /
//! years). Every point is a complete tree, so any point can go on its own.

use crate::format::manifest::PointSummary;
use cairn_model::{Gfs, LogLevel, Retention};
use std::collections::{BTreeMap, BTreeSet};
use time::OffsetDateTime;

const DAY: i64 = 86_400;
/// Monday 1970-01-05 00:00 UTC: ISO weeks start on Mondays.
const FIRST_MONDAY: i64 = 4 * DAY;

/// The decision for each point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// Points kept, with their GFS flags.
    pub keep: BTreeMap<String, Vec<String>>,
    /// Points to delete.
    pub remove: Vec<String>,
}

fn week(t: i64) -> i64 {
    (t - FIRST_MONDAY).div_euclid(7 * DAY)
}
fn month(t: i64) -> i64 {
    let d = OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    d.year() as i64 * 12 + d.month() as i64 - 1
}
fn year(t: i64) -> i64 {
    OffsetDateTime::from_unix_timestamp(t)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .year() as i64
}

/// Flags the newest point of each of the last `n` periods.
fn gfs_pass(
    points: &[&PointSummary],
    n: u32,
    period: fn(i64) -> i64,
    now: i64,
    flag: &str,
    keep: &mut BTreeMap<String, Vec<String>>,
) {
    if n == 0 {
        return;
    }
    let current = period(now);
    let mut seen = BTreeSet::new();
    for p in points {
        let k = period(p.time);
        if current - k < n as i64 && seen.insert(k) {
            keep.entry(p.id.clone()).or_default().push(flag.to_string());
        }
    }
}

/// Decides which points stay. `points` in any order; the newest always stays.
pub fn select(points: &[PointSummary], retention: Retention, gfs: Gfs, now: i64) -> Selection {
    let mut sorted: Vec<&PointSummary> = points.iter().collect();
    sorted.sort_by(|a, b| (b.time, &b.id).cmp(&(a.time, &a.id)));
    let mut keep: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, p) in sorted.iter().enumerate() {
        let kept = match retention {
            Retention::Points(n) => i < n.max(1) as usize,
            Retention::Days(d) => i == 0 || p.time >= now - d as i64 * DAY,
        };
        if kept {
            keep.entry(p.id.clone()).or_default();
        }
    }
    gfs_pass(&sorted, gfs.weekly, week, now, "weekly", &mut keep);
    gfs_pass(&sorted, gfs.monthly, month, now, "monthly", &mut keep);
    gfs_pass(&sorted, gfs.yearly, year, now, "yearly", &mut keep);
    let remove = sorted
        .iter()
        .filter(|p| !keep.contains_key(&p.id))
        .map(|p| p.id.clone())
        .collect();
    Selection { keep, remove }
}

/// Deletes points retention no longer keeps and records GFS flags.
pub fn apply(
    repo: &crate::repo::Repository,
    ks: &crate::format::crypto::KeySet,
    backup: &str,
    retention: Retention,
    gfs: Gfs,
    sink: &dyn crate::progress::ProgressSink,
) -> crate::error::Result<Vec<String>> {
    let mut meta = repo.read_backup_meta(ks, backup)?;
    let mut sel = select(&meta.points, retention, gfs, crate::time::now());
    let mut removed = Vec::new();
    for id in &sel.remove {
        let key = crate::format::manifest::manifest_key(backup, id);
        if let Some(until) = repo.storage().locked_until(&key)? {
            sink.log(
                LogLevel::Info,
                &format!(
                    "Retention: restore point {id} kept: it is immutable until {}",
                    crate::time::point_time_label(until)
                ),
            );
            sel.keep.entry(id.clone()).or_default();
            continue;
        }
        repo.delete_manifest(backup, id)?;
        sink.log(
            LogLevel::Info,
            &format!("Retention: restore point {id} removed"),
        );
        removed.push(id.clone());
    }
    sel.remove = removed;
    meta.points.retain(|p| !sel.remove.contains(&p.id));
    for p in &mut meta.points {
        p.gfs = sel.keep.get(&p.id).cloned().unwrap_or_default();
    }
    repo.write_backup_meta(ks, &meta)?;
    Ok(sel.remove)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pts(times: &[i64]) -> Vec<PointSummary> {
        times
            .iter()
            .enumerate()
            .map(|(i, t)| PointSummary {
                id: format!("p{i:02}"),
                time: *t,
                kind: "full".into(),
                size: 0,
                gfs: vec![],
                stored: 0,
                origin: String::new(),
            })
            .collect()
    }

    // 2026-11-20 12:00 UTC, a Friday.
    const NOW: i64 = 1_795_176_000;

    #[test]
    fn keeps_the_newest_n_points() {
        let p = pts(&[
            NOW - 5 * DAY,
            NOW - 4 * DAY,
            NOW - 3 * DAY,
            NOW - 2 * DAY,
            NOW - DAY,
        ]);
        let s = select(&p, Retention::Points(2), Gfs::default(), NOW);
        assert_eq!(
            s.keep.keys().cloned().collect::<Vec<_>>(),
            vec!["p03", "p04"]
        );
        assert_eq!(s.remove, vec!["p02", "p01", "p00"]);
    }

    #[test]
    fn keeps_n_days_and_always_the_newest() {
        let p = pts(&[NOW - 10 * DAY, NOW - 3 * DAY, NOW - DAY]);
        let s = select(&p, Retention::Days(5), Gfs::default(), NOW);
        assert_eq!(s.remove, vec!["p00"]);
        let old = pts(&[NOW - 30 * DAY, NOW - 20 * DAY]);
        let s = select(&old, Retention::Days(5), Gfs::default(), NOW);
        assert_eq!(
            s.remove,
            vec!["p00"],
            "the newest point stays even when old"
        );
    }

    #[test]
    fn gfs_weekly_keeps_the_newest_point_of_each_recent_week() {
        // Daily points for 30 days, keep 3 points plus 4 weekly.
        let times: Vec<i64> = (0..30).map(|d| NOW - (29 - d) * DAY).collect();
        let p = pts(&times);
        let s = select(
            &p,
            Retention::Points(3),
            Gfs {
                weekly: 4,
                monthly: 0,
                yearly: 0,
            },
            NOW,
        );
        let weekly: Vec<_> = s
            .keep
            .iter()
            .filter(|(_, f)| f.contains(&"weekly".to_string()))
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(weekly.len(), 4);
        // Each weekly point is a Sunday (the last day of its ISO week) except the current week's newest.
        for id in &weekly {
            let t = p.iter().find(|x| &x.id == id).expect("point").time;
            let wd = OffsetDateTime::from_unix_timestamp(t).expect("t").weekday();
            assert!(wd == time::Weekday::Sunday || t == NOW, "{id} on {wd}");
        }
        assert_eq!(
            s.keep.len(),
            3 + 4 - 1,
            "the newest point is both recent and weekly"
        );
    }

    #[test]
    fn gfs_monthly_and_yearly() {
        let times: Vec<i64> = (0..400).map(|d| NOW - (399 - d) * DAY).collect();
        let p = pts(&times);
        let s = select(
            &p,
            Retention::Points(1),
            Gfs {
                weekly: 0,
                monthly: 3,
                yearly: 2,
            },
            NOW,
        );
        let count = |f: &str| {
            s.keep
                .values()
                .filter(|v| v.contains(&f.to_string()))
                .count()
        };
        assert_eq!(count("monthly"), 3);
        assert_eq!(count("yearly"), 2);
    }
}
