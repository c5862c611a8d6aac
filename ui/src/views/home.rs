//! Home: jobs, backups, running sessions, last 24 hours.

use super::Node;
use crate::api::call;
use crate::components::table::{Row, Table};
use crate::format;
use cairn_model::api::*;
use cairn_model::*;

pub async fn jobs(node: Node) -> Result<Table, ApiError> {
    let rows = call(&ListJobs {}).await?;
    let rows = rows
        .into_iter()
        .filter(|j| match node {
            Node::JobsBackup => j.kind == JobKind::Backup,
            Node::JobsCopy => j.kind == JobKind::BackupCopy,
            _ => true,
        })
        .map(|j| Row {
            key: j.name.clone(),
            status: j.last_result.map(|r| r.label()),
            cells: vec![
                j.name,
                j.kind.label().into(),
                j.objects,
                j.status.label().into(),
                j.last_result
                    .map(|r| r.label().to_string())
                    .unwrap_or_default(),
                format::opt_time(j.last_run),
                j.next_run
                    .map(format::time)
                    .unwrap_or_else(|| "Not scheduled".into()),
                j.target,
                j.description,
            ],
        })
        .collect();
    Ok(Table {
        columns: &[
            "Name",
            "Type",
            "Objects",
            "Status",
            "Last Result",
            "Last Run",
            "Next Run",
            "Target",
            "Description",
        ],
        rows,
        empty: "No jobs yet. A job backs up files of a computer into a repository.",
    })
}

pub async fn backups(node: Node) -> Result<Table, ApiError> {
    let rows = call(&ListBackups {}).await?;
    let rows = rows
        .into_iter()
        .filter(|b| match node {
            Node::BackupsDisk => {
                matches!(b.location, BackupLocation::Disk | BackupLocation::DiskCopy)
            }
            Node::BackupsDiskCopy => b.location == BackupLocation::DiskCopy,
            Node::BackupsObject => b.location == BackupLocation::ObjectStorage,
            Node::BackupsExternal => b.location == BackupLocation::External,
            _ => true,
        })
        .map(|b| Row {
            key: b.id.clone(),
            status: None,
            cells: vec![
                crate::format::backup_name(&b),
                origin(&b).into(),
                format::time(b.creation_time),
                b.restore_points.to_string(),
                if b.last_point > 0 {
                    format::time(b.last_point)
                } else {
                    String::new()
                },
                b.repository,
                b.platform,
                format::bytes(b.size_bytes),
            ],
        })
        .collect();
    Ok(Table {
        columns: &[
            "Job / backup name",
            "Origin",
            "Creation time",
            "Restore points",
            "Last point",
            "Repository",
            "Platform",
            "Size",
        ],
        rows,
        empty: match node {
            Node::BackupsExternal => {
                "No backups in external repositories. Connect to one and rescan it."
            }
            Node::BackupsObject => "No backups in object storage repositories.",
            _ => "No backups yet. Back up this computer (Home → Backup Job ▾ → This computer…) and run the job, or add a repository that already holds backups (Backup Infrastructure → Add Repository): its backups appear here, ready to restore.",
        },
    })
}

/// Where a backup comes from, as the Origin column says it.
fn origin(b: &BackupRow) -> &'static str {
    if b.location == BackupLocation::External {
        "External repository"
    } else if b.is_configuration() {
        "Configuration"
    } else if b.imported {
        "Imported"
    } else {
        "Job"
    }
}

pub async fn running() -> Result<Table, ApiError> {
    let rows = call(&ListSessions {
        scope: SessionScope::Running,
        ..Default::default()
    })
    .await?;
    let rows = rows
        .into_iter()
        .map(|s| Row {
            key: s.id.to_string(),
            status: None,
            cells: vec![
                s.name,
                s.kind.label().into(),
                format!("{}%", s.progress),
                format::time(s.started),
                s.details,
            ],
        })
        .collect();
    Ok(Table {
        columns: &["Name", "Type", "Progress", "Start Time", "Details"],
        rows,
        empty: "Nothing is running.",
    })
}

pub async fn last24(node: Node) -> Result<Table, ApiError> {
    let result = match node {
        Node::Last24Success => Some(SessionResult::Success),
        Node::Last24Warning => Some(SessionResult::Warning),
        Node::Last24Failed => Some(SessionResult::Failed),
        _ => None,
    };
    let rows = call(&ListSessions {
        scope: SessionScope::Last24Hours,
        result,
        kind: None,
    })
    .await?;
    Ok(Table {
        columns: super::history::COLUMNS,
        rows: rows.into_iter().map(super::history::row).collect(),
        empty: "No sessions finished in the last 24 hours.",
    })
}
