//! The window's Add / Edit Protection Group: each step checked by the
//! backend at Next (the account answering in every region lists the
//! machines the Machines step picks from), and Apply with its log. The
//! CLI's `group add` and `group edit` end in the same functions.

use super::group_cloud::{self, Directory};
use super::groups::{check_group_name, check_group_settings, selected, CONSOLE_TAG};
use super::Console;
use crate::error::{Error, Result};
use crate::secrets::Sensitive;
use cairn_cloud::Instance;
use cairn_model::{
    AddProtectionGroup, AgentOs, CheckGroupStep, CloudAccount, DiscoveredMachine,
    EditProtectionGroup, GroupStep, NewAwsKey, ProtectionGroupDetails, TagMatch,
};

impl Console {
    /// Checks one step of the wizard; Account and Machines answer with
    /// the machines found (all of them, or the ones selected).
    pub fn check_group_step(&self, r: &CheckGroupStep) -> Result<Vec<DiscoveredMachine>> {
        match r.step {
            GroupStep::Name => {
                self.check_free_group_name(&r.name, r.editing.as_deref())?;
                Ok(Vec::new())
            }
            GroupStep::Account => self.discover_machines(&r.settings.account, r.new_key.as_ref()),
            GroupStep::Machines => {
                check_group_settings(&r.settings)?;
                let all = self.discover_machines(&r.settings.account, r.new_key.as_ref())?;
                Ok(all
                    .into_iter()
                    .filter(|m| selected(&m.id, &tag_map(&m.tags), &r.settings.selection))
                    .collect())
            }
            GroupStep::Options => {
                check_group_settings(&r.settings)?;
                self.check_queues(&r.settings)?;
                Ok(Vec::new())
            }
        }
    }

    /// Apply of Add Protection Group: the group is saved after its account
    /// answered; its machines are tagged and given queues by the rescan.
    pub fn apply_add_group(&self, r: &AddProtectionGroup) -> Result<Vec<String>> {
        let key = r
            .new_key
            .as_ref()
            .map(|k| (k.access_key_id.trim(), Sensitive::new(k.secret.0.clone())));
        let g = self.add_cloud_group(
            &r.name,
            &r.description,
            r.settings.clone(),
            key.as_ref().map(|(id, s)| (*id, s)),
        )?;
        let mut log = vec![format!(
            "The account answers: {}",
            g.settings.account.label()
        )];
        if let Some((id, _)) = &key {
            log.push(format!(
                "The key {id} is kept in the system keyring as cloud credentials \"{}\"",
                g.settings.account.credential()
            ));
        }
        log.push(format!("Protection group {} saved", g.name));
        Ok(log)
    }

    /// Apply of Edit Protection Group.
    pub fn apply_edit_group(&self, r: &EditProtectionGroup) -> Result<Vec<String>> {
        let g = self.edit_cloud_group(&r.name, &r.description, &r.settings)?;
        Ok(vec![
            format!("The account answers: {}", g.settings.account.label()),
            format!(
                "Protection group {} saved; the next rescan applies it",
                g.name
            ),
        ])
    }

    /// What Edit starts from.
    pub fn group_details(&self, name: &str) -> Result<ProtectionGroupDetails> {
        let g = self.group_named(name)?;
        Ok(ProtectionGroupDetails {
            name: g.name,
            description: g.description,
            settings: g.settings,
        })
    }

    fn check_free_group_name(&self, name: &str, editing: Option<&str>) -> Result<()> {
        let name = name.trim();
        check_group_name(name)?;
        let taken = self.catalog()?.group(name)?.is_some();
        if taken && editing != Some(name) {
            return Err(Error::conflict(format!(
                "a protection group named \"{name}\" already exists; choose another name"
            )));
        }
        Ok(())
    }

    /// The machines of every region of `account`, through its saved
    /// credentials or a key typed in. A region that does not answer fails
    /// the step with its name, so the user can drop it or fix the key.
    pub fn discover_machines(
        &self,
        account: &CloudAccount,
        new_key: Option<&NewAwsKey>,
    ) -> Result<Vec<DiscoveredMachine>> {
        let scopes = group_cloud::scopes(account);
        if scopes.is_empty() {
            return Err(Error::invalid(
                "name at least one region to look for machines in",
            ));
        }
        let me = self.console_id()?;
        let mut out = Vec::new();
        for scope in scopes {
            let region = scope.region.as_deref().unwrap_or_default();
            let found = self
                .discovery_directory(account, new_key, region)?
                .machines()?;
            out.extend(found.into_iter().map(|i| discovered(i, &me)));
        }
        Ok(out)
    }

    /// The directory of `account` in `region`, through its saved
    /// credentials or a key typed in (an AWS access key, or an Azure
    /// service principal's client id and secret).
    fn discovery_directory(
        &self,
        account: &CloudAccount,
        new_key: Option<&NewAwsKey>,
        region: &str,
    ) -> Result<Directory> {
        let Some(k) = new_key else {
            if account.credential().trim().is_empty() {
                return Err(Error::invalid(
                    "choose cloud credentials, or enter a key and its secret",
                ));
            }
            return self.directory(account, region);
        };
        if k.access_key_id.trim().is_empty() || k.secret.0.is_empty() {
            return Err(Error::invalid(match account {
                CloudAccount::Aws { .. } => "enter the access key id and the secret access key",
                CloudAccount::Azure { .. } => "enter the client id and the client secret",
            }));
        }
        let secret = Sensitive::new(k.secret.0.clone());
        group_cloud::key_directory(account, region, &k.access_key_id, &secret)
    }
}

/// An instance as the wizard shows it; `me` is this console's id.
fn discovered(i: Instance, me: &str) -> DiscoveredMachine {
    let owner = i
        .tags
        .get(CONSOLE_TAG)
        .filter(|o| !o.is_empty() && *o != me);
    DiscoveredMachine {
        managed_by: owner.map(|o| format!("console {}…", o.chars().take(12).collect::<String>())),
        tags: i
            .tags
            .iter()
            .filter(|(k, _)| k.as_str() != CONSOLE_TAG)
            .map(|(k, v)| TagMatch {
                key: k.clone(),
                value: v.clone(),
            })
            .collect(),
        platform: if i.windows {
            AgentOs::Windows
        } else {
            AgentOs::Linux
        },
        id: i.id,
        name: i.name,
        region: i.region,
        state: i.state,
    }
}

fn tag_map(tags: &[TagMatch]) -> std::collections::BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key.clone(), t.value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(tags: &[(&str, &str)]) -> Instance {
        Instance {
            id: "i-1".into(),
            name: "web-1".into(),
            windows: true,
            region: "us-east-1".into(),
            state: "running".into(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn a_machine_of_another_console_is_marked_and_the_console_tag_is_not_shown() {
        let other = discovered(
            instance(&[(CONSOLE_TAG, "0123456789abcdef0123"), ("tier", "web")]),
            "me",
        );
        assert_eq!(other.managed_by.as_deref(), Some("console 0123456789ab…"));
        assert_eq!(
            other.tags,
            vec![TagMatch {
                key: "tier".into(),
                value: "web".into()
            }]
        );
        assert_eq!(other.platform, AgentOs::Windows);
        let mine = discovered(instance(&[(CONSOLE_TAG, "me")]), "me");
        assert_eq!(mine.managed_by, None);
        assert!(mine.tags.is_empty());
    }
}
