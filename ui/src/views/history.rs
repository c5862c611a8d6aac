//! History: every session with its result.

use super::Node;
use crate::api::call;
use crate::components::table::{Row, Table};
use crate::format;
use cairn_model::api::*;
use cairn_model::*;

pub const COLUMNS: &[&str] = &[
    "Name",
    "Type",
    "Result",
    "Start Time",
    "End Time",
    "Duration",
    "Details",
];

pub fn row(s: SessionRow) -> Row {
    Row {
        key: s.id.to_string(),
        status: s.result.map(|r| r.label()),
        cells: vec![
            s.name,
            s.kind.label().into(),
            s.result
                .map(|r| r.label().to_string())
                .unwrap_or_else(|| "Running".into()),
            format::time(s.started),
            format::opt_time(s.ended),
            s.ended
                .map(|e| format::duration(e - s.started))
                .unwrap_or_default(),
            s.details,
        ],
    }
}

pub async fn sessions(node: Node) -> Result<Table, ApiError> {
    let kind = match node {
        Node::HistoryBackup => Some(SessionKind::Backup),
        Node::HistoryCopy => Some(SessionKind::BackupCopy),
        Node::HistoryRestore => Some(SessionKind::Restore),
        Node::HistorySystem => Some(SessionKind::System),
        _ => None,
    };
    let rows = call(&ListSessions {
        scope: SessionScope::History,
        result: None,
        kind,
    })
    .await?;
    Ok(Table {
        columns: COLUMNS,
        rows: rows.into_iter().map(row).collect(),
        empty: "No sessions yet. Every job run, restore and rescan is recorded here with its log.",
    })
}
