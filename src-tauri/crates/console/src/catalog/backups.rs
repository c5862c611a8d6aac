//! The cache of backups and restore points found in repositories. It is
//! rebuilt from a repository at any time, so losing it loses no backup.

use super::Catalog;
use crate::error::Result;
use rusqlite::params;

/// A backup (job × machine) in a repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupRecord {
    /// Repository catalog id.
    pub repository_id: i64,
    /// Backup id in the repository.
    pub backup_id: String,
    /// Job or policy name.
    pub job_name: String,
    /// Machine.
    pub machine: String,
    /// Platform label.
    pub platform: String,
    /// True when encrypted.
    pub encrypted: bool,
    /// disk, disk_copy, object_storage or external.
    pub location: String,
    /// The metadata is sealed with a password this console does not know
    /// yet: job, machine, kinds and sizes are unknown, the points are the
    /// repository's names for them (their times).
    pub sealed: bool,
    /// Restore points, oldest first.
    pub points: Vec<PointRecord>,
}

/// A restore point of a backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PointRecord {
    /// Point id.
    pub point_id: String,
    /// Unix seconds.
    pub time: i64,
    /// full or increment.
    pub kind: String,
    /// Bytes of source data.
    pub size: u64,
    /// GFS flags, comma separated.
    pub gfs: String,
}

impl Catalog {
    /// Replaces everything cached for one repository with what it holds now.
    pub fn replace_backups(&self, repository_id: i64, backups: &[BackupRecord]) -> Result<()> {
        let tx = self.conn().unchecked_transaction()?;
        tx.execute(
            "DELETE FROM backups WHERE repository_id = ?1",
            [repository_id],
        )?;
        for b in backups {
            tx.execute(
                "INSERT INTO backups(repository_id, backup_id, job_name, machine, platform, encrypted, location, sealed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![repository_id, b.backup_id, b.job_name, b.machine, b.platform, b.encrypted, b.location, b.sealed],
            )?;
            for p in &b.points {
                tx.execute(
                    "INSERT INTO restore_points(repository_id, backup_id, point_id, time, kind, size, gfs)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![repository_id, b.backup_id, p.point_id, p.time, p.kind, p.size as i64, p.gfs],
                )?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Every cached backup with its points.
    pub fn backups(&self) -> Result<Vec<BackupRecord>> {
        let mut st = self.conn().prepare(
            "SELECT repository_id, backup_id, job_name, machine, platform, encrypted, location, sealed
             FROM backups ORDER BY job_name, machine",
        )?;
        let mut out: Vec<BackupRecord> = st
            .query_map([], |r| {
                Ok(BackupRecord {
                    repository_id: r.get(0)?,
                    backup_id: r.get(1)?,
                    job_name: r.get(2)?,
                    machine: r.get(3)?,
                    platform: r.get(4)?,
                    encrypted: r.get(5)?,
                    location: r.get(6)?,
                    sealed: r.get(7)?,
                    points: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut pst = self.conn().prepare(
            "SELECT point_id, time, kind, size, gfs FROM restore_points
             WHERE repository_id = ?1 AND backup_id = ?2 ORDER BY time, point_id",
        )?;
        for b in &mut out {
            b.points = pst
                .query_map(params![b.repository_id, b.backup_id], |r| {
                    Ok(PointRecord {
                        point_id: r.get(0)?,
                        time: r.get(1)?,
                        kind: r.get(2)?,
                        size: r.get::<_, i64>(3)? as u64,
                        gfs: r.get(4)?,
                    })
                })?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(out)
    }
}
