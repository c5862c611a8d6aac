//! `cairn backups list`: every backup the console knows, its own and those
//! a rescan found in external repositories, each with its restore points.

use super::Console;
use crate::error::Result;
use cairn_model::{BackupListing, PointListing};
use std::collections::HashSet;

impl Console {
    /// The catalog's backups and those of external repositories.
    pub fn backup_listing(&self) -> Result<Vec<BackupListing>> {
        let imported: HashSet<(String, String)> = self
            .backup_rows()?
            .into_iter()
            .filter(|r| r.imported)
            .map(|r| (r.repository, r.id))
            .collect();
        let cat = self.catalog()?;
        let repos = cat.repositories()?;
        let repo_name = |id: i64| {
            repos
                .iter()
                .find(|r| r.id == id)
                .map(|r| r.name.clone())
                .unwrap_or_default()
        };
        let mut all: Vec<BackupListing> = cat
            .backups()?
            .into_iter()
            .map(|b| BackupListing {
                imported: imported.contains(&(repo_name(b.repository_id), b.backup_id.clone())),
                sealed: b.sealed,
                repository: repo_name(b.repository_id),
                id: b.backup_id,
                job: b.job_name,
                machine: b.machine,
                platform: b.platform,
                encrypted: b.encrypted,
                location: b.location,
                restore_points: b
                    .points
                    .into_iter()
                    .map(|p| PointListing {
                        id: p.point_id,
                        time: p.time,
                        kind: p.kind,
                        size: p.size,
                        gfs: split_gfs(&p.gfs),
                    })
                    .collect(),
            })
            .collect();
        for ext in cat.externals()? {
            for b in cat.external_backups(ext.id)? {
                all.push(BackupListing {
                    id: b.backup_id,
                    job: b.meta.job,
                    machine: b.meta.machine,
                    platform: b.meta.platform,
                    repository: ext.name.clone(),
                    encrypted: b.encrypted,
                    location: "external".into(),
                    imported: false,
                    sealed: false,
                    restore_points: b
                        .meta
                        .points
                        .into_iter()
                        .map(|p| PointListing {
                            id: p.id,
                            time: p.time,
                            kind: p.kind,
                            size: p.size,
                            gfs: p.gfs,
                        })
                        .collect(),
                });
            }
        }
        Ok(all)
    }
}

/// The catalog keeps a point's GFS flags comma-separated.
fn split_gfs(gfs: &str) -> Vec<String> {
    gfs.split(',')
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .collect()
}
