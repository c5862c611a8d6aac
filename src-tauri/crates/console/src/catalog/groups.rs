//! Protection groups and the machines their rescans found.

use super::Catalog;
use crate::error::{Error, Result};
use cairn_model::{AgentOs, Channel, CloudGroupSettings, GroupKind, MachineState};
use rusqlite::{params, OptionalExtension, Row};

/// A protection group as stored.
#[derive(Debug, Clone)]
pub struct GroupRecord {
    /// Catalog id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// What it holds.
    pub kind: GroupKind,
    /// Its account and machine selection.
    pub settings: CloudGroupSettings,
    /// Free text.
    pub description: String,
    /// Time of the last rescan.
    pub last_rescan: Option<i64>,
}

/// A machine of a group as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineRecord {
    /// The group's id.
    pub group_id: i64,
    /// Instance or VM id.
    pub machine_id: String,
    /// Display name.
    pub name: String,
    /// Linux or Windows.
    pub platform: AgentOs,
    /// Region or location.
    pub region: String,
    /// Where it stands.
    pub state: MachineState,
    /// URL of its queue (empty until a rescan made it).
    pub queue_url: String,
    /// Keyring entry of its agent's key (empty until a rescan made it).
    pub key_ref: String,
    /// Its agent's version, once heard.
    pub agent_version: String,
    /// SHA-256 of its agent's package, once heard.
    pub agent_build: String,
    /// How the console reaches it now.
    pub channel: Channel,
    /// Why its last install or command failed ("" when nothing did).
    pub problem: String,
    /// When its agent was last heard.
    pub last_seen: Option<i64>,
    /// Its last restore point.
    pub last_backup: Option<i64>,
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::internal(format!("cannot encode {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("{what}: {e}").into(),
        )
    })
}

/// `"cloud_machines"` ⇄ GroupKind and the like: the serde names.
fn quoted<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> rusqlite::Result<T> {
    from_json(&format!("\"{text}\""), what)
}

fn unquoted<T: serde::Serialize>(v: &T) -> Result<String> {
    Ok(to_json(v)?.trim_matches('"').to_string())
}

const GROUP_COLUMNS: &str = "id, name, kind, settings, description, last_rescan";

fn group_row(r: &Row<'_>) -> rusqlite::Result<GroupRecord> {
    Ok(GroupRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: quoted(&r.get::<_, String>(2)?, "group kind")?,
        settings: from_json(&r.get::<_, String>(3)?, "group settings")?,
        description: r.get(4)?,
        last_rescan: r.get(5)?,
    })
}

const MACHINE_COLUMNS: &str = "group_id, machine_id, name, platform, region, state, queue_url,
     key_ref, agent_version, last_seen, last_backup, agent_build, channel, problem";

fn machine_row(r: &Row<'_>) -> rusqlite::Result<MachineRecord> {
    Ok(MachineRecord {
        group_id: r.get(0)?,
        machine_id: r.get(1)?,
        name: r.get(2)?,
        platform: quoted(&r.get::<_, String>(3)?, "platform")?,
        region: r.get(4)?,
        state: quoted(&r.get::<_, String>(5)?, "machine state")?,
        queue_url: r.get(6)?,
        key_ref: r.get(7)?,
        agent_version: r.get(8)?,
        last_seen: r.get(9)?,
        last_backup: r.get(10)?,
        agent_build: r.get(11)?,
        channel: quoted(&r.get::<_, String>(12)?, "channel")?,
        problem: r.get(13)?,
    })
}

impl Catalog {
    /// Records a new group; duplicate names are refused.
    pub fn add_group(
        &self,
        name: &str,
        kind: GroupKind,
        settings: &CloudGroupSettings,
        description: &str,
    ) -> Result<GroupRecord> {
        if self.group(name)?.is_some() {
            return Err(Error::conflict(format!(
                "a protection group named \"{name}\" already exists; choose another name"
            )));
        }
        self.conn().execute(
            "INSERT INTO protection_groups(name, kind, settings, description) VALUES (?1, ?2, ?3, ?4)",
            params![name, unquoted(&kind)?, to_json(settings)?, description],
        )?;
        self.group(name)?
            .ok_or_else(|| Error::internal("the protection group vanished after insert"))
    }

    /// Replaces a group's settings and description.
    pub fn edit_group(
        &self,
        id: i64,
        settings: &CloudGroupSettings,
        description: &str,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE protection_groups SET settings = ?2, description = ?3 WHERE id = ?1",
            params![id, to_json(settings)?, description],
        )?;
        Ok(())
    }

    /// Every group, by name.
    pub fn groups(&self) -> Result<Vec<GroupRecord>> {
        let mut st = self.conn().prepare(&format!(
            "SELECT {GROUP_COLUMNS} FROM protection_groups ORDER BY name"
        ))?;
        let rows = st.query_map([], group_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One group by name (case-insensitive).
    pub fn group(&self, name: &str) -> Result<Option<GroupRecord>> {
        Ok(self
            .conn()
            .query_row(
                &format!("SELECT {GROUP_COLUMNS} FROM protection_groups WHERE name = ?1"),
                [name],
                group_row,
            )
            .optional()?)
    }

    /// Records when a group was rescanned.
    pub fn set_group_rescanned(&self, id: i64, time: i64) -> Result<()> {
        self.conn().execute(
            "UPDATE protection_groups SET last_rescan = ?2 WHERE id = ?1",
            params![id, time],
        )?;
        Ok(())
    }

    /// Forgets a group and its machines.
    pub fn remove_group(&self, id: i64) -> Result<()> {
        self.conn()
            .execute("DELETE FROM protection_groups WHERE id = ?1", [id])?;
        Ok(())
    }

    /// A group's machines, by name.
    pub fn group_machines(&self, group_id: i64) -> Result<Vec<MachineRecord>> {
        let mut st = self.conn().prepare(&format!(
            "SELECT {MACHINE_COLUMNS} FROM group_machines WHERE group_id = ?1 ORDER BY name, machine_id"
        ))?;
        let rows = st.query_map([group_id], machine_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every group's record of machine `machine_id`.
    pub fn machine_everywhere(&self, machine_id: &str) -> Result<Vec<MachineRecord>> {
        let mut st = self.conn().prepare(&format!(
            "SELECT {MACHINE_COLUMNS} FROM group_machines WHERE machine_id = ?1 ORDER BY group_id"
        ))?;
        let rows = st.query_map([machine_id], machine_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Inserts or replaces a machine of a group.
    pub fn put_machine(&self, m: &MachineRecord) -> Result<()> {
        self.conn().execute(
            &format!(
                "INSERT OR REPLACE INTO group_machines({MACHINE_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
            ),
            params![
                m.group_id,
                m.machine_id,
                m.name,
                unquoted(&m.platform)?,
                m.region,
                unquoted(&m.state)?,
                m.queue_url,
                m.key_ref,
                m.agent_version,
                m.last_seen,
                m.last_backup,
                m.agent_build,
                unquoted(&m.channel)?,
                m.problem
            ],
        )?;
        Ok(())
    }

    /// Forgets a machine of a group.
    pub fn remove_machine(&self, group_id: i64, machine_id: &str) -> Result<()> {
        self.conn().execute(
            "DELETE FROM group_machines WHERE group_id = ?1 AND machine_id = ?2",
            params![group_id, machine_id],
        )?;
        Ok(())
    }

    /// Notes that a machine's agent was heard on the queue (in every group
    /// holding it): the queue is its channel again and an install that
    /// seemed to fail has worked after all.
    pub fn machine_heard(
        &self,
        machine_id: &str,
        version: &str,
        build: &str,
        time: i64,
    ) -> Result<()> {
        self.conn().execute(
            "UPDATE group_machines SET agent_version = ?2, agent_build = ?3, last_seen = ?4,
                 channel = 'queue', problem = '',
                 state = CASE WHEN state IN ('discovered', 'agent_unreachable', 'install_failed')
                              THEN 'agent_installed' ELSE state END
             WHERE machine_id = ?1",
            params![machine_id, version, build, time],
        )?;
        Ok(())
    }
}
