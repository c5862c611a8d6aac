//! Backup Infrastructure: repositories, external repositories, protection
//! groups, service providers.

use crate::api::call;
use crate::components::table::{Row, Table};
use crate::format;
use cairn_model::api::*;
use cairn_model::*;

pub async fn repositories() -> Result<Table, ApiError> {
    let rows = call(&ListRepositories {}).await?;
    Ok(Table {
        columns: &[
            "Name",
            "Type",
            "Path / bucket",
            "Used",
            "Free",
            "Immutability",
            "Description",
        ],
        rows: rows
            .into_iter()
            .map(|r| Row {
                key: r.name.clone(),
                status: None,
                cells: vec![
                    r.name,
                    r.kind.label().into(),
                    r.location,
                    r.used_bytes.map(format::bytes).unwrap_or_default(),
                    r.free_bytes.map(format::bytes).unwrap_or_default(),
                    r.immutable_days
                        .map(|d| format!("{d} days"))
                        .unwrap_or_else(|| "Off".into()),
                    r.description,
                ],
            })
            .collect(),
        empty: "No backup repositories.",
    })
}

pub async fn external() -> Result<Table, ApiError> {
    let rows = call(&ListExternalRepositories {}).await?;
    Ok(Table {
        columns: &[
            "Name",
            "Type",
            "Bucket / container",
            "Folder",
            "Owner",
            "Last rescan",
            "Backups",
            "Restore points",
            "Description",
        ],
        rows: rows
            .into_iter()
            .map(|r| Row {
                key: r.name.clone(),
                status: None,
                cells: vec![
                    r.name,
                    r.kind.label().into(),
                    r.bucket,
                    r.folder,
                    r.owner,
                    if r.last_error.is_empty() {
                        format::opt_time(r.last_rescan)
                    } else {
                        format!("{} (failed: {})", format::opt_time(r.last_rescan), r.last_error)
                    },
                    r.backups.to_string(),
                    r.restore_points.to_string(),
                    r.description,
                ],
            })
            .collect(),
        empty: "No external repositories. Connect to one to copy the backups a cloud backup appliance wrote there.",
    })
}

pub async fn protection_groups() -> Result<Table, ApiError> {
    let rows = call(&ListProtectionGroups {}).await?;
    Ok(Table {
        columns: &["Name", "Type", "Account", "Machines", "Last rescan", "Description"],
        rows: rows
            .into_iter()
            .map(|r| Row {
                key: r.name.clone(),
                status: None,
                cells: vec![
                    r.name,
                    r.kind.label().to_string(),
                    r.account,
                    r.machines.to_string(),
                    format::opt_time(r.last_rescan),
                    r.description,
                ],
            })
            .collect(),
        empty: "No protection groups. A protection group names the computers or cloud machines the console manages.",
    })
}

pub async fn cloud_machines() -> Result<Table, ApiError> {
    machine_table(call(&ListGroupMachines {}).await?)
}

/// The machines of one group (selecting it under Protection Groups).
pub async fn machines_of(name: String) -> Result<Table, ApiError> {
    machine_table(call(&ListMachinesOfGroup { name }).await?)
}

fn machine_table(rows: Vec<MachineRow>) -> Result<Table, ApiError> {
    Ok(Table {
        columns: &[
            "Name",
            "Id",
            "Group",
            "Platform",
            "Region",
            "State",
            "Agent",
            "Last seen",
            "Last backup",
        ],
        rows: rows
            .into_iter()
            .map(|m| Row {
                key: format!("{}/{}", m.group, m.id),
                status: None,
                cells: vec![
                    m.name.clone(),
                    m.id.clone(),
                    m.group.clone(),
                    m.platform.label().into(),
                    m.region.clone(),
                    m.state_text(),
                    m.agent_text(),
                    format::opt_time(m.last_seen),
                    format::opt_time(m.last_backup),
                ],
            })
            .collect(),
        empty: "No cloud machines. Add a protection group of cloud machines and rescan it to discover them.",
    })
}

pub async fn service_providers() -> Result<Table, ApiError> {
    let rows = call(&ListServiceProviders {}).await?;
    Ok(Table {
        columns: &["Host", "Port", "Resources", "Description"],
        rows: rows
            .into_iter()
            .map(|r| Row {
                key: r.id.to_string(),
                status: None,
                cells: vec![
                    r.host,
                    r.port.to_string(),
                    r.resources.to_string(),
                    r.description,
                ],
            })
            .collect(),
        empty:
            "No service providers. A service provider offers cloud repositories to this console.",
    })
}
