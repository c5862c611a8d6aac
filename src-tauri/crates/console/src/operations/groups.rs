//! Protection groups of cloud machines: adding (checked against the cloud
//! before anything is stored), editing, listing and removing them, and the
//! configuration an agent on one of their machines runs with.

use super::repositories::validate_name;
use super::Console;
use crate::catalog::{GroupRecord, MachineRecord};
use crate::error::{Error, Result};
use crate::secrets::Sensitive;
use cairn_agent::config::{AgentConfig, Transport};
use cairn_agent::envelope::AgentKey;
use cairn_cloud::{AwsAccess, Ec2, Sqs};
use cairn_model::{
    CloudAccount, CloudGroupSettings, CredentialKind, Exclusion, GroupKind, GroupReleased,
    MachineRow, MachineSelection, MachineState, ProtectionGroupRow,
};
use std::path::PathBuf;

/// The tag naming the console that manages a machine.
pub const CONSOLE_TAG: &str = "cairn:console";

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
            let CloudAccount::Aws { credential, .. } = &mut settings.account;
            *credential = format!("AWS {id}");
            let credential = credential.clone();
            check_group_settings(&settings)?;
            probe(&key_access(&settings.account, id, secret))?;
            self.put_credential(
                &credential,
                CredentialKind::Aws,
                id,
                secret,
                &format!("Access key for protection group {name}"),
                "",
            )?;
        } else {
            self.check_group_credential(&settings)?;
            probe(&self.first_region_access(&settings.account)?)?;
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
        probe(&self.first_region_access(&settings.account)?)?;
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
                id: m.machine_id,
                name: m.name,
                platform: m.platform,
                region: m.region,
                state: m.state,
                agent_version: m.agent_version,
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
        if !is_managed(m.state) || m.queue_url.is_empty() {
            return Err(Error::invalid(format!(
                "machine {} is {}: only a machine this console manages gets an agent configuration",
                m.name,
                m.state.label().to_lowercase()
            )));
        }
        let key = crate::secrets::load(&m.key_ref, &format!("agent key of {}", m.name))?;
        let CloudAccount::Aws { endpoint, .. } = &g.settings.account;
        Ok(AgentConfig {
            console_id: self.console_id()?,
            machine_id: m.machine_id.clone(),
            machine_name: m.name.clone(),
            key: key.expose().clone(),
            transport: Transport::Sqs {
                region: g.settings.queue_region.clone(),
                endpoint: endpoint.clone(),
                agent_queue_url: m.queue_url.clone(),
                console_queue_url: self.console_queue_url(&g)?,
            },
            state_dir,
        })
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

    /// The AWS access of a group's account in `region`.
    pub(super) fn aws_access(&self, account: &CloudAccount, region: &str) -> Result<AwsAccess> {
        let CloudAccount::Aws {
            credential,
            endpoint,
            ..
        } = account;
        let (c, secret) = self.credential_secret(credential)?;
        if c.kind != CredentialKind::Aws {
            return Err(Error::invalid(format!(
                "credentials \"{}\" are not an AWS access key; pick one of kind aws",
                c.name
            )));
        }
        Ok(AwsAccess {
            access_key_id: c.identity,
            secret,
            session_token: None,
            region: region.to_string(),
            endpoint: endpoint.clone(),
        })
    }

    /// The queue service of a group's queues.
    pub(super) fn group_sqs(&self, g: &GroupRecord) -> Result<Sqs> {
        Ok(Sqs::connect(&self.aws_access(
            &g.settings.account,
            &g.settings.queue_region,
        )?))
    }

    /// The URL of the console's queue in a group's queue region (made on
    /// first use; a second call creates nothing).
    pub(super) fn console_queue_url(&self, g: &GroupRecord) -> Result<String> {
        let name = console_queue_name(&self.console_id()?);
        Ok(self.group_sqs(g)?.ensure_queue(&name)?.0)
    }

    fn first_region_access(&self, account: &CloudAccount) -> Result<AwsAccess> {
        let CloudAccount::Aws { regions, .. } = account;
        let first = regions.first().map(String::as_str).unwrap_or_default();
        self.aws_access(account, first)
    }

    /// The settings' checks, and that their credential exists.
    fn check_group_credential(&self, s: &CloudGroupSettings) -> Result<()> {
        check_group_settings(s)?;
        let CloudAccount::Aws { credential, .. } = &s.account;
        self.catalog()?.credential(credential)?;
        Ok(())
    }
}

/// The account answers: the region lists its machines.
fn probe(access: &AwsAccess) -> Result<()> {
    Ec2::connect(access).instances()?;
    Ok(())
}

/// Access with a key not stored yet, in the account's first region.
fn key_access(account: &CloudAccount, id: &str, secret: &Sensitive<String>) -> AwsAccess {
    let CloudAccount::Aws {
        regions, endpoint, ..
    } = account;
    AwsAccess {
        access_key_id: id.to_string(),
        secret: secret.clone(),
        session_token: None,
        region: regions.first().cloned().unwrap_or_default(),
        endpoint: endpoint.clone(),
    }
}

pub(super) fn check_group_settings(s: &CloudGroupSettings) -> Result<()> {
    let CloudAccount::Aws { regions, .. } = &s.account;
    if regions.is_empty() {
        return Err(Error::invalid(
            "name at least one region to look for machines in",
        ));
    }
    for r in regions.iter().chain([&s.queue_region]) {
        check_region(r)?;
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

/// True for a machine the console manages (it has a tag and a queue).
pub(super) fn is_managed(state: MachineState) -> bool {
    matches!(
        state,
        MachineState::Discovered | MachineState::AgentInstalled | MachineState::AgentUnreachable
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

/// The console's queue: `cairn-<console id>-console`.
pub(super) fn console_queue_name(console_id: &str) -> String {
    format!("cairn-{}-console", queue_part(console_id, 32))
}

/// A machine's queue: `cairn-<console id>-<machine id>`, within SQS's
/// 80 characters and alphabet.
pub(super) fn machine_queue_name(console_id: &str, machine_id: &str) -> String {
    format!(
        "cairn-{}-{}",
        queue_part(console_id, 32),
        queue_part(machine_id, 41)
    )
}

fn queue_part(s: &str, max: usize) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(max)
        .collect()
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

    #[test]
    fn queue_names_keep_to_the_services_rules() {
        let console = "0123456789abcdef0123456789abcdef";
        let q = machine_queue_name(
            console,
            "/subscriptions/x/vm.1 with spaces and a very long tail",
        );
        cairn_cloud::check_queue_name(&q).expect("valid SQS name");
        cairn_cloud::check_queue_name(&console_queue_name(console)).expect("valid SQS name");
        assert_ne!(
            machine_queue_name(console, "i-1"),
            machine_queue_name(console, "i-2")
        );
    }
}
