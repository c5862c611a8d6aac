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
    /// Microsoft Azure: a subscription read by a service principal, and the
    /// storage account whose queues the console and agents talk over.
    Azure {
        /// Subscription id.
        subscription: String,
        /// Tenant (directory) id of the service principal.
        tenant: String,
        /// Credentials name (kind `azure-sp`: client id and secret).
        credential: String,
        /// Resource Manager's address (None: public Azure).
        #[serde(default)]
        endpoint: Option<String>,
        /// The sign-in service's address (None: public Azure).
        #[serde(default)]
        login_endpoint: Option<String>,
        /// Credentials name (kind `azure-key`) of the queues' storage account.
        queue_credential: String,
        /// Queue service address (None: the account's public one).
        #[serde(default)]
        queue_endpoint: Option<String>,
    },
}

impl CloudAccount {
    /// "Amazon Web Services (us-east-1, eu-west-1)", "Microsoft Azure
    /// (subscription 0f5c2d1e…)".
    pub fn label(&self) -> String {
        match self {
            Self::Aws { regions, .. } => format!("Amazon Web Services ({})", regions.join(", ")),
            Self::Azure { subscription, .. } => {
                let short: String = subscription.chars().take(8).collect();
                let more = if subscription.chars().count() > 8 {
                    "…"
                } else {
                    ""
                };
                format!("Microsoft Azure (subscription {short}{more})")
            }
        }
    }

    /// The cloud's own service that runs commands on its machines, as a
    /// session log names it.
    pub fn command_service(&self) -> &'static str {
        match self {
            Self::Aws { .. } => "Systems Manager",
            Self::Azure { .. } => "Azure Run Command",
        }
    }

    /// The credentials that sign in to the cloud's machine directory.
    pub fn credential(&self) -> &str {
        match self {
            Self::Aws { credential, .. } | Self::Azure { credential, .. } => credential,
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
    /// Where agent packages are handed to the machines (None: agents are
    /// placed by hand with `cairn group agent-config`).
    #[serde(default)]
    pub distribution: Option<Distribution>,
}

/// A distribution repository: an S3 bucket (in the queue region, read
/// with the group's credential) or an Azure container, with a folder,
/// used only to hand installation files to machines through signed
/// addresses; never for backups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distribution {
    /// Bucket (AWS) or container (Azure).
    pub location: String,
    /// Folder inside it ("" = its root).
    #[serde(default)]
    pub folder: String,
    /// Azure: the blob service address of the queues' storage account
    /// that holds the container (None: its public one).
    #[serde(default)]
    pub endpoint: Option<String>,
}

impl std::fmt::Display for Distribution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.folder.is_empty() {
            write!(f, "{}", self.location)
        } else {
            write!(f, "{}/{}", self.location, self.folder)
        }
    }
}

/// How the console reaches a machine's agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The message service over the two queues (preferred).
    #[default]
    Queue,
    /// AWS Systems Manager Run Command (installs, and when the queue fails).
    SystemsManager,
    /// Azure Run Command.
    RunCommand,
}

impl Channel {
    /// How the State column names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Queue => "queue",
            Self::SystemsManager => "Systems Manager",
            Self::RunCommand => "Run Command",
        }
    }
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
    /// Installing its agent failed; the machine's problem says why.
    InstallFailed,
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
            Self::InstallFailed => "Install failed",
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
    /// SHA-256 of its agent's package, once heard.
    #[serde(default)]
    pub agent_build: String,
    /// True when the console has a newer agent package for it.
    #[serde(default)]
    pub update_available: bool,
    /// How the console reaches it now.
    #[serde(default)]
    pub channel: Channel,
    /// Why the last install or command failed ("" when nothing did).
    #[serde(default)]
    pub problem: String,
    /// When its agent was last heard.
    pub last_seen: Option<i64>,
    /// Its last restore point.
    pub last_backup: Option<i64>,
}

impl MachineRow {
    /// The State column: "Agent installed", "Agent installed (Systems
    /// Manager)" while the queue is not the channel, "Install failed: why".
    pub fn state_text(&self) -> String {
        let mut s = self.state.label().to_string();
        if self.channel != Channel::Queue {
            s.push_str(&format!(" ({})", self.channel.label()));
        }
        if !self.problem.is_empty() {
            s.push_str(&format!(": {}", self.problem));
        }
        s
    }

    /// The Agent column: "0.1.0 (1a2b3c4d)", with ", update available".
    pub fn agent_text(&self) -> String {
        if self.agent_version.is_empty() {
            return String::new();
        }
        let build: String = self.agent_build.chars().take(8).collect();
        let mut s = self.agent_version.clone();
        if !build.is_empty() {
            s.push_str(&format!(" ({build})"));
        }
        if self.update_available {
            s.push_str(", update available");
        }
        s
    }
}

/// What the window's Add Protection Group asks the backend at Next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupStep {
    /// The name is free and valid.
    Name,
    /// The account answers in every region; the reply lists its machines.
    Account,
    /// The selection names machines; the reply lists the ones it selects.
    Machines,
    /// The exclusions and options are valid.
    Options,
}

/// An access key typed into the wizard: kept in Manage Cloud Credentials
/// as "AWS <id>" when the group is added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAwsKey {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret: crate::Secret,
}

/// A machine the cloud's API lists, as the wizard's Machines step shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveredMachine {
    /// Instance or VM id.
    pub id: String,
    /// Its Name tag, else its id.
    pub name: String,
    /// Linux or Windows.
    pub platform: crate::AgentOs,
    /// Region.
    pub region: String,
    /// The cloud's state (running, stopped, …).
    pub state: String,
    /// Its tags, but the console tag.
    pub tags: Vec<TagMatch>,
    /// The other console that manages it, when one does.
    pub managed_by: Option<String>,
}

/// Checks one step of Add (or Edit) Protection Group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckGroupStep {
    /// Which step.
    pub step: GroupStep,
    /// The name entered.
    pub name: String,
    /// What was entered so far.
    pub settings: CloudGroupSettings,
    /// A key typed in rather than one of Manage Cloud Credentials.
    #[serde(default)]
    pub new_key: Option<NewAwsKey>,
    /// When editing: the group's name (its own name is no conflict).
    #[serde(default)]
    pub editing: Option<String>,
}

impl crate::api::Command for CheckGroupStep {
    const NAME: &'static str = "check_group_step";
    /// Account: the machines of every region; Machines: the selected ones.
    type Response = Vec<DiscoveredMachine>;
}

/// Adds a cloud-machines group (Apply); the reply is Apply's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddProtectionGroup {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Account, machines, exclusions, options.
    pub settings: CloudGroupSettings,
    /// A key typed in rather than one of Manage Cloud Credentials.
    #[serde(default)]
    pub new_key: Option<NewAwsKey>,
}

impl crate::api::Command for AddProtectionGroup {
    const NAME: &'static str = "add_protection_group";
    type Response = Vec<String>;
}

/// Saves an edited group (Apply); the next rescan applies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditProtectionGroup {
    /// The group.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Account, machines, exclusions, options.
    pub settings: CloudGroupSettings,
}

impl crate::api::Command for EditProtectionGroup {
    const NAME: &'static str = "edit_protection_group";
    type Response = Vec<String>;
}

/// A saved group, for Edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetProtectionGroup {
    /// The group.
    pub name: String,
}

/// What Edit starts from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtectionGroupDetails {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Account, machines, exclusions, options.
    pub settings: CloudGroupSettings,
}

impl crate::api::Command for GetProtectionGroup {
    const NAME: &'static str = "get_protection_group";
    type Response = ProtectionGroupDetails;
}

/// Removes a group, releasing its machines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoveProtectionGroup {
    /// The group.
    pub name: String,
}

/// What removing a group did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupReleased {
    /// Machines released (tag removed, agent told to stop, queue deleted).
    pub released: u32,
    /// What the cloud refused, each with the reason.
    pub warnings: Vec<String>,
}

impl crate::api::Command for RemoveProtectionGroup {
    const NAME: &'static str = "remove_protection_group";
    type Response = GroupReleased;
}

/// Starts a rescan of a group; the reply is its session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RescanProtectionGroup {
    /// The group.
    pub name: String,
    /// Manage machines another console tagged (after the user confirmed).
    #[serde(default)]
    pub take_over: bool,
}

impl crate::api::Command for RescanProtectionGroup {
    const NAME: &'static str = "rescan_protection_group";
    type Response = i64;
}

/// The machines of one group (selecting it in Protection Groups).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListMachinesOfGroup {
    /// The group.
    pub name: String,
}

impl crate::api::Command for ListMachinesOfGroup {
    const NAME: &'static str = "list_machines_of_group";
    type Response = Vec<MachineRow>;
}
