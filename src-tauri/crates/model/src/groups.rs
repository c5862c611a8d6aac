//! Protection groups of cloud machines: how a group names its account and
//! machines, and what Backup Infrastructure lists of a group and of each
//! machine in it.

use serde::{Deserialize, Serialize};

/// What a protection group holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKind {
    /// EC2 instances or Azure VMs, discovered through the cloud's API.
    CloudMachines,
}

impl GroupKind {
    /// The Type column.
    pub fn label(self) -> &'static str {
        match self {
            Self::CloudMachines => "Cloud machines",
        }
    }
}

/// The cloud account a group discovers machines in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cloud", rename_all = "snake_case")]
pub enum CloudAccount {
    /// Amazon Web Services: an access key of Manage Cloud Credentials and
    /// the regions to look in.
    Aws {
        /// Credentials name (kind `aws`).
        credential: String,
        /// Regions, at least one.
        regions: Vec<String>,
        /// Service point of a compatible service (a local test server).
        #[serde(default)]
        endpoint: Option<String>,
    },
}

impl CloudAccount {
    /// "Amazon Web Services (us-east-1, eu-west-1)".
    pub fn label(&self) -> String {
        match self {
            Self::Aws { regions, .. } => format!("Amazon Web Services ({})", regions.join(", ")),
        }
    }
}

/// A tag a machine must (or must not) carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagMatch {
    /// Tag key.
    pub key: String,
    /// Tag value.
    pub value: String,
}

impl std::fmt::Display for TagMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.key, self.value)
    }
}

/// Which of the account's machines a group holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum MachineSelection {
    /// Every machine of the account's regions.
    All,
    /// Machines with these tags: any of them, or all of them.
    Tags {
        /// The tags.
        tags: Vec<TagMatch>,
        /// True: a machine must carry every tag.
        all: bool,
    },
    /// These machines, by id.
    Machines {
        /// Instance or VM ids.
        ids: Vec<String>,
    },
}

/// A machine the group leaves out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Exclusion {
    /// By id.
    Machine {
        /// Instance or VM id.
        id: String,
    },
    /// Machines carrying this tag.
    Tag(TagMatch),
}

/// A cloud-machines group's settings, as the wizard and the CLI give them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudGroupSettings {
    /// Where the machines are.
    pub account: CloudAccount,
    /// Which machines.
    pub selection: MachineSelection,
    /// Which to leave out.
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
    /// Daily rescan at "HH:MM" (local time); None = rescans by hand only.
    #[serde(default)]
    pub rescan_at: Option<String>,
    /// Region of the console's queue and the machines' queues.
    pub queue_region: String,
}

/// Where a machine of a group stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MachineState {
    /// Found, tagged and given a queue; no agent has answered yet.
    Discovered,
    /// Tagged by another console: left alone unless taken over.
    ManagedElsewhere,
    /// Its agent has answered.
    AgentInstalled,
    /// Its agent answered once but has been silent since.
    AgentUnreachable,
    /// Left out by an exclusion.
    Excluded,
}

impl MachineState {
    /// The State column.
    pub fn label(self) -> &'static str {
        match self {
            Self::Discovered => "Discovered",
            Self::ManagedElsewhere => "Managed by another console",
            Self::AgentInstalled => "Agent installed",
            Self::AgentUnreachable => "Agent unreachable",
            Self::Excluded => "Excluded",
        }
    }
}

/// A protection group as Backup Infrastructure lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectionGroupRow {
    /// Catalog id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// What it holds.
    pub kind: GroupKind,
    /// The account and regions.
    pub account: String,
    /// Machines it holds (excluded and foreign ones not counted).
    pub machines: u32,
    /// Time of the last rescan.
    pub last_rescan: Option<i64>,
    /// Free text.
    pub description: String,
}

/// A machine of a group as the group's node lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachineRow {
    /// The group.
    pub group: String,
    /// Instance or VM id.
    pub id: String,
    /// Display name (its Name tag, else its id).
    pub name: String,
    /// Linux or Windows.
    pub platform: crate::AgentOs,
    /// Region or location.
    pub region: String,
    /// Where it stands.
    pub state: MachineState,
    /// Its agent's version, once heard.
    pub agent_version: String,
    /// When its agent was last heard.
    pub last_seen: Option<i64>,
    /// Its last restore point.
    pub last_backup: Option<i64>,
}
