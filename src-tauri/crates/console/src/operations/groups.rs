//! Protection groups of cloud machines: adding (checked against the cloud
//! before anything is stored), editing, listing and removing them, and the
//! configuration an agent on one of their machines runs with.

use super::group_cloud::{first_region, key_directory};
use super::repositories::validate_name;
use super::Console;
use crate::catalog::{GroupRecord, MachineRecord};
use crate::error::{Error, Result};
use crate::secrets::Sensitive;
use cairn_agent::config::{AgentConfig, Transport};
use cairn_agent::envelope::AgentKey;
use cairn_model::{
    CloudAccount, CloudGroupSettings, CredentialKind, Exclusion, GroupKind, GroupReleased,
    MachineRow, MachineSelection, MachineState, ProtectionGroupRow, RepositoryKind,
};
use std::path::PathBuf;

/// The tag naming the console that manages a machine.
pub const CONSOLE_TAG: &str = "cairn:console";
/// Seconds an agent's queue signatures last (Azure): a year; writing the
/// configuration again renews them.
pub const AGENT_QUEUE_SAS_SECS: i64 = 365 * 86_400;

impl Console {
    /// Adds a cloud-machines group after checking that the account answers
    /// (the first region lists its machines); nothing is stored otherwise.
    /// With `new_key` (an access key id and its secret), the key is kept in
    /// Manage Cloud Credentials as "AWS <id>" and the group uses it.
    pub fn add_cloud_group(
        &self,
        name: &str,
        description: &str,
        mut settings: CloudGroupSettings,
        new_key: Option<(&str, &Sensitive<String>)>,
    ) -> Result<GroupRecord> {
        check_group_name(name)?;
        if self.catalog()?.group(name)?.is_some() {
            return Err(Error::conflict(format!(
                "a protection group named \"{name}\" already exists; choose another name"
            )));
        }
        if let Some((id, secret)) = new_key {
            let (credential, kind, what) = match &mut settings.account {
                CloudAccount::Aws { credential, .. } => {
                    *credential = format!("AWS {id}");
                    (credential.clone(), CredentialKind::Aws, "Access key")
                }
                CloudAccount::Azure { credential, .. } => {
                    *credential = format!("Azure {id}");
                    (
                        credential.clone(),
                        CredentialKind::AzureServicePrincipal,
                        "Service principal",
                    )
                }
            };
            check_group_settings(&settings)?;
            self.check_distribution(&settings)?;
            probe_new_key(&settings.account, id, secret)?;
            self.check_queues(&settings)?;
            self.put_credential(
                &credential,
                kind,
                id,
                secret,
                &format!("{what} for protection group {name}"),
                "",
            )?;
        } else {
            self.check_group_credential(&settings)?;
            self.probe_group(&settings)?;
        }
        self.catalog()?
            .add_group(name, GroupKind::CloudMachines, &settings, description)
    }

    /// Replaces a group's settings; the next rescan applies them.
    pub fn edit_cloud_group(
        &self,
        name: &str,
        description: &str,
        settings: &CloudGroupSettings,
    ) -> Result<GroupRecord> {
        let g = self.group_named(name)?;
        self.check_group_credential(settings)?;
        self.probe_group(settings)?;
        self.catalog()?.edit_group(g.id, settings, description)?;
        self.group_named(name)
    }

    /// A group by name, with a helpful error.
    pub fn group_named(&self, name: &str) -> Result<GroupRecord> {
        self.catalog()?.group(name)?.ok_or_else(|| {
            Error::not_found(format!(
                "no protection group named \"{name}\"; `cairn group list` shows them"
            ))
        })
    }

    /// Backup Infrastructure → Protection Groups.
    pub fn protection_group_rows(&self) -> Result<Vec<ProtectionGroupRow>> {
        let cat = self.catalog()?;
        let mut rows = Vec::new();
        for g in cat.groups()? {
            let machines = cat
                .group_machines(g.id)?
                .iter()
                .filter(|m| is_managed(m.state))
                .count() as u32;
            rows.push(ProtectionGroupRow {
                id: g.id,
                name: g.name,
                kind: g.kind,
                account: g.settings.account.label(),
                machines,
                last_rescan: g.last_rescan,
                description: g.description,
            });
        }
        Ok(rows)
    }

    /// The machines of a group, as its node lists them.
    pub fn machine_rows(&self, group: &str) -> Result<Vec<MachineRow>> {
        let g = self.group_named(group)?;
        Ok(self
            .catalog()?
            .group_machines(g.id)?
            .into_iter()
            .map(|m| MachineRow {
                group: g.name.clone(),
                update_available: g.settings.distribution.is_some()
                    && !m.agent_build.is_empty()
                    && super::agent_packages::build_for(m.platform)
                        .is_some_and(|b| b != m.agent_build),
                id: m.machine_id,
                name: m.name,
                platform: m.platform,
                region: m.region,
                state: m.state,
                agent_version: m.agent_version,
                agent_build: m.agent_build,
                channel: m.channel,
                problem: m.problem,
                last_seen: m.last_seen,
                last_backup: m.last_backup,
            })
            .collect())
    }

    /// Protection Groups → Cloud Machines: every group's machines.
    pub fn all_machine_rows(&self) -> Result<Vec<MachineRow>> {
        let groups = self.catalog()?.groups()?;
        let mut rows = Vec::new();
        for g in groups {
            rows.extend(self.machine_rows(&g.name)?);
        }
        Ok(rows)
    }

    /// One machine of a group, by id or name.
    pub fn group_machine(
        &self,
        group: &str,
        machine: &str,
    ) -> Result<(GroupRecord, MachineRecord)> {
        let g = self.group_named(group)?;
        let m = self
            .catalog()?
            .group_machines(g.id)?
            .into_iter()
            .find(|m| m.machine_id == machine || m.name.eq_ignore_ascii_case(machine))
            .ok_or_else(|| {
                Error::not_found(format!(
                    "group {} has no machine \"{machine}\"; `cairn group show {}` lists them (rescan it first when it is new)",
                    g.name, g.name
                ))
            })?;
        Ok((g, m))
    }

    /// The configuration `cairn agent --config` runs with on `machine`.
    /// Only a managed machine (tagged, with its queue) has one.
    pub fn agent_config(
        &self,
        group: &str,
        machine: &str,
        state_dir: Option<PathBuf>,
    ) -> Result<AgentConfig> {
        let (g, m) = self.group_machine(group, machine)?;
        let mut cfg = self.machine_agent_config(&g, &m)?;
        cfg.state_dir = state_dir;
        Ok(cfg)
    }

    /// The configuration of a managed machine of `g` (default state folder).
    pub(super) fn machine_agent_config(
        &self,
        g: &GroupRecord,
        m: &MachineRecord,
    ) -> Result<AgentConfig> {
        if !is_managed(m.state) || m.queue_url.is_empty() {
            return Err(Error::invalid(format!(
                "machine {} is {}: only a machine this console manages gets an agent configuration",
                m.name,
                m.state.label().to_lowercase()
            )));
        }
        let key = crate::secrets::load(&m.key_ref, &format!("agent key of {}", m.name))?;
        Ok(AgentConfig {
            console_id: self.console_id()?,
            machine_id: m.machine_id.clone(),
            machine_name: m.name.clone(),
            key: key.expose().clone(),
            transport: self.agent_transport(g, &m.queue_url)?,
            state_dir: None,
        })
    }

    /// How an agent reaches its queue at `address` and the console's: on
    /// SQS with the machine's own credentials, on Azure with a signature
    /// for each of the two queues (never the account key).
    fn agent_transport(&self, g: &GroupRecord, address: &str) -> Result<Transport> {
        let (console_queue, console_address) = self.console_queue(g)?;
        match &g.settings.account {
            CloudAccount::Aws { endpoint, .. } => Ok(Transport::Sqs {
                region: g.settings.queue_region.clone(),
                endpoint: endpoint.clone(),
                agent_queue_url: address.to_string(),
                console_queue_url: console_address,
            }),
            CloudAccount::Azure { .. } => {
                let (account, endpoint, key) = self.queue_account(&g.settings.account)?;
                let expires = cairn_core::time::now() + AGENT_QUEUE_SAS_SECS;
                let sas = |queue: &str, rights| {
                    cairn_cloud::queue_sas(&account, &key, queue, rights, expires)
                        .map(|t| t.expose().clone())
                };
                Ok(Transport::AzureQueue {
                    account: account.clone(),
                    endpoint,
                    agent_queue: address.to_string(),
                    agent_queue_sas: sas(address, cairn_cloud::QueueRights::Consume)?,
                    console_queue: console_queue.clone(),
                    console_queue_sas: sas(&console_queue, cairn_cloud::QueueRights::Send)?,
                    expires,
                })
            }
        }
    }

    /// Removes a group: each machine no other group holds is released (its
    /// tag removed, its agent told to stop, its queue deleted). What the
    /// cloud refuses is a warning; the group is forgotten all the same.
    pub fn remove_group(&self, name: &str) -> Result<GroupReleased> {
        let g = self.group_named(name)?;
        let mut out = GroupReleased::default();
        let machines = self.catalog()?.group_machines(g.id)?;
        for m in machines {
            if !is_managed(m.state) || self.held_elsewhere(&m)? {
                continue;
            }
            match self.release_machine(&g, &m) {
                Ok(()) => out.released += 1,
                Err(e) => out.warnings.push(format!("{}: {}", m.name, e.message())),
            }
        }
        self.catalog()?.remove_group(g.id)?;
        Ok(out)
    }

    /// True when another group of this console holds machine `m` too.
    pub(super) fn held_elsewhere(&self, m: &MachineRecord) -> Result<bool> {
        Ok(self
            .catalog()?
            .machine_everywhere(&m.machine_id)?
            .iter()
            .any(|o| o.group_id != m.group_id && is_managed(o.state)))
    }

    /// The settings' checks, and that their credentials exist.
    fn check_group_credential(&self, s: &CloudGroupSettings) -> Result<()> {
        check_group_settings(s)?;
        self.catalog()?.credential(s.account.credential())?;
        self.check_distribution(s)
    }

    /// A distribution repository shares no folder with a backup
    /// repository (it only ever holds packages and command output).
    fn check_distribution(&self, s: &CloudGroupSettings) -> Result<()> {
        let Some(d) = &s.distribution else {
            return Ok(());
        };
        let folder = d.folder.trim_matches('/');
        let storage_account = match &s.account {
            CloudAccount::Azure { .. } => Some(self.queue_account(&s.account)?.0),
            CloudAccount::Aws { .. } => None,
        };
        for rec in self.catalog()?.repositories()? {
            let place = match (&storage_account, rec.kind) {
                (None, RepositoryKind::AmazonS3 | RepositoryKind::S3Compatible) => self
                    .cloud_settings::<cairn_cloud::S3Settings>(&rec)
                    .ok()
                    .filter(|r| r.bucket == d.location)
                    .map(|r| (format!("s3://{}/{}", r.bucket, r.folder), r.folder)),
                (Some(account), RepositoryKind::AzureBlob) => self
                    .cloud_settings::<cairn_cloud::AzureSettings>(&rec)
                    .ok()
                    .filter(|r| r.account == *account && r.container == d.location)
                    .map(|r| (format!("container {}/{}", r.container, r.folder), r.folder)),
                _ => None,
            };
            let Some((shown, repo_folder)) = place else {
                continue;
            };
            if folders_overlap(folder, repo_folder.trim_matches('/')) {
                return Err(Error::invalid(format!(
                    "the distribution repository {d} overlaps backup repository {} ({shown}): choose another {} or folder; it only hands packages to machines and must never hold backups",
                    rec.name,
                    if storage_account.is_some() { "container" } else { "bucket" }
                )));
            }
        }
        Ok(())
    }

    /// On Azure, the queues' storage account is named and answers (SQS
    /// needs nothing more than the account's key).
    pub(super) fn check_queues(&self, s: &CloudGroupSettings) -> Result<()> {
        let CloudAccount::Azure {
            queue_credential, ..
        } = &s.account
        else {
            return Ok(());
        };
        if queue_credential.trim().is_empty() {
            return Err(Error::invalid(
                "choose the storage account (its shared key in Manage Cloud Credentials) that holds the console's and the machines' queues",
            ));
        }
        self.queues_of(s)?.queue_address("cairn-probe")?;
        Ok(())
    }

    /// The account answers: its first scope lists its machines, and on
    /// Azure the queues' storage account answers too.
    fn probe_group(&self, s: &CloudGroupSettings) -> Result<()> {
        self.directory(&s.account, &first_region(&s.account))?
            .machines()?;
        self.check_queues(s)
    }
}

/// A key not stored yet works: the account's first scope lists machines.
fn probe_new_key(account: &CloudAccount, id: &str, secret: &Sensitive<String>) -> Result<()> {
    key_directory(account, &first_region(account), id, secret)?.machines()?;
    Ok(())
}

pub(super) fn check_group_settings(s: &CloudGroupSettings) -> Result<()> {
    match &s.account {
        CloudAccount::Aws { regions, .. } => {
            if regions.is_empty() {
                return Err(Error::invalid(
                    "name at least one region to look for machines in",
                ));
            }
            for r in regions.iter().chain([&s.queue_region]) {
                check_region(r)?;
            }
        }
        CloudAccount::Azure {
            subscription,
            tenant,
            ..
        } => {
            for (what, v) in [("subscription id", subscription), ("tenant id", tenant)] {
                if v.trim().is_empty() {
                    return Err(Error::invalid(format!("the {what} is empty; enter it")));
                }
            }
        }
    }
    match &s.selection {
        MachineSelection::Tags { tags, .. } if tags.is_empty() => {
            return Err(Error::invalid(
                "name at least one tag (KEY=VALUE) the machines carry",
            ))
        }
        MachineSelection::Machines { ids } if ids.is_empty() => {
            return Err(Error::invalid("pick at least one machine"))
        }
        _ => {}
    }
    if let Some(at) = &s.rescan_at {
        crate::schedule::parse_time(at)?;
    }
    Ok(())
}

/// True when one folder is the other or holds it ("" holds everything).
fn folders_overlap(a: &str, b: &str) -> bool {
    let inside = |outer: &str, inner: &str| {
        outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}/"))
    };
    inside(a, b) || inside(b, a)
}

/// True for a machine the console manages (it has a tag and a queue).
pub(super) fn is_managed(state: MachineState) -> bool {
    matches!(
        state,
        MachineState::Discovered
            | MachineState::AgentInstalled
            | MachineState::AgentUnreachable
            | MachineState::InstallFailed
    )
}

/// True when `m` is left out by one of `exclusions`.
pub(super) fn excluded(
    id: &str,
    tags: &std::collections::BTreeMap<String, String>,
    exclusions: &[Exclusion],
) -> bool {
    exclusions.iter().any(|x| match x {
        Exclusion::Machine { id: x } => x == id,
        Exclusion::Tag(t) => tags.get(&t.key) == Some(&t.value),
    })
}

/// True when a machine with `id` and `tags` is one the selection names.
pub(super) fn selected(
    id: &str,
    tags: &std::collections::BTreeMap<String, String>,
    selection: &MachineSelection,
) -> bool {
    match selection {
        MachineSelection::All => true,
        MachineSelection::Machines { ids } => ids.iter().any(|i| i == id),
        MachineSelection::Tags { tags: want, all } => {
            let has = |t: &cairn_model::TagMatch| tags.get(&t.key) == Some(&t.value);
            if *all {
                want.iter().all(has)
            } else {
                want.iter().any(has)
            }
        }
    }
}

/// A new agent key stored in the keyring; its keyring entry.
pub(super) fn new_agent_key(console_id: &str, machine: &str) -> Result<String> {
    let key_ref = format!("{console_id}/agent/{}", cairn_core::format::random_id());
    let hex = AgentKey::generate().to_hex();
    crate::secrets::store(
        &key_ref,
        &crate::secrets::Sensitive::new(hex.to_string()),
        &format!("agent key of {machine}"),
    )?;
    Ok(key_ref)
}

pub(super) fn check_group_name(name: &str) -> Result<()> {
    validate_name(name, "protection group")?;
    if name.contains('/') {
        return Err(Error::invalid(format!(
            "the protection group name \"{name}\" contains /, which separates a group from its machine in --computer GROUP/MACHINE; remove it"
        )));
    }
    Ok(())
}

fn check_region(r: &str) -> Result<()> {
    let ok = (1..=32).contains(&r.len())
        && r.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "\"{r}\" is not an AWS region name (such as us-east-1)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_model::TagMatch;
    use std::collections::BTreeMap;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn distribution_folders_overlap_only_along_one_path() {
        assert!(folders_overlap("", "repo"));
        assert!(folders_overlap("dist", "dist/x"));
        assert!(folders_overlap("dist", "dist"));
        assert!(!folders_overlap("dist", "distribution"));
        assert!(!folders_overlap("a/dist", "a/repo"));
    }

    #[test]
    fn selection_by_any_or_all_tags_and_exclusions() {
        let web = TagMatch {
            key: "tier".into(),
            value: "web".into(),
        };
        let prod = TagMatch {
            key: "env".into(),
            value: "prod".into(),
        };
        let any = MachineSelection::Tags {
            tags: vec![web.clone(), prod.clone()],
            all: false,
        };
        let all = MachineSelection::Tags {
            tags: vec![web.clone(), prod],
            all: true,
        };
        let m = tags(&[("tier", "web")]);
        assert!(selected("i-1", &m, &any));
        assert!(!selected("i-1", &m, &all));
        assert!(!selected("i-1", &tags(&[("tier", "db")]), &any));
        assert!(excluded("i-1", &m, &[Exclusion::Tag(web)]));
        assert!(excluded(
            "i-1",
            &m,
            &[Exclusion::Machine { id: "i-1".into() }]
        ));
        assert!(!excluded(
            "i-2",
            &m,
            &[Exclusion::Machine { id: "i-1".into() }]
        ));
    }
}
