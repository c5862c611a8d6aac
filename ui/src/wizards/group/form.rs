//! The protection group wizard's form: every field as typed, and what the
//! backend found (the account's machines). `settings` turns it into the
//! group the backend checks and saves.

use cairn_model::*;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// Which machines of the account the group holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    All,
    Tags,
    Machines,
}

impl crate::wizards::choice::Choice for Pick {
    fn all() -> Vec<Self> {
        vec![Self::All, Self::Tags, Self::Machines]
    }
    fn value(self) -> String {
        match self {
            Self::All => "all",
            Self::Tags => "tags",
            Self::Machines => "machines",
        }
        .into()
    }
    fn label(self) -> String {
        match self {
            Self::All => "All machines of the account's regions",
            Self::Tags => "Machines with these tags",
            Self::Machines => "These machines",
        }
        .into()
    }
}

/// The cloud the group's machines are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Aws,
    Azure,
}

impl crate::wizards::choice::Choice for Cloud {
    fn all() -> Vec<Self> {
        vec![Self::Aws, Self::Azure]
    }
    fn value(self) -> String {
        match self {
            Self::Aws => "aws",
            Self::Azure => "azure",
        }
        .into()
    }
    fn label(self) -> String {
        match self {
            Self::Aws => "Amazon Web Services",
            Self::Azure => "Microsoft Azure",
        }
        .into()
    }
}

impl Cloud {
    /// The kind of credentials that sign in to its machine directory.
    pub fn credential_kind(self) -> CredentialKind {
        match self {
            Self::Aws => CredentialKind::Aws,
            Self::Azure => CredentialKind::AzureServicePrincipal,
        }
    }
}

/// The option value of "Enter a new access key" in the credentials list.
pub const NEW_KEY: &str = "";

/// Everything the steps edit; signals only, so it is `Copy`.
#[derive(Clone, Copy)]
pub struct GroupForm {
    /// The saved name of the group edited.
    pub editing: StoredValue<Option<String>>,
    pub name: RwSignal<String>,
    pub description: RwSignal<String>,
    pub cloud: RwSignal<Cloud>,
    /// A credentials name, or [`NEW_KEY`].
    pub credential: RwSignal<String>,
    /// Azure: subscription and tenant ids, the sign-in service, and the
    /// storage account (credentials name) and address of the queues.
    pub subscription: RwSignal<String>,
    pub tenant: RwSignal<String>,
    pub login_endpoint: RwSignal<String>,
    pub queue_credential: RwSignal<String>,
    pub queue_endpoint: RwSignal<String>,
    pub key_id: RwSignal<String>,
    pub secret: RwSignal<String>,
    /// Regions, separated by commas or spaces.
    pub regions: RwSignal<String>,
    pub endpoint: RwSignal<String>,
    pub pick: RwSignal<Pick>,
    /// Tags, KEY=VALUE, one per line or separated by commas.
    pub tags: RwSignal<String>,
    pub all_tags: RwSignal<bool>,
    pub picked: RwSignal<BTreeSet<String>>,
    /// Exclusions, ids or KEY=VALUE, one per line or separated by commas.
    pub exclusions: RwSignal<String>,
    pub daily: RwSignal<bool>,
    pub rescan_at: RwSignal<String>,
    pub queue_region: RwSignal<String>,
    /// Distribution bucket ("" = agents are placed by hand).
    pub dist_bucket: RwSignal<String>,
    pub dist_folder: RwSignal<String>,
    /// Azure: the distribution container's blob service (other clouds).
    pub dist_endpoint: RwSignal<String>,
    /// The account's machines (Account step).
    pub found: RwSignal<Vec<DiscoveredMachine>>,
    /// The machines the selection holds (Machines step).
    pub chosen: RwSignal<Vec<DiscoveredMachine>>,
    /// Apply's log.
    pub log: RwSignal<Vec<String>>,
    /// Summary: rescan when Finish is clicked.
    pub rescan_now: RwSignal<bool>,
}

impl GroupForm {
    pub fn new(edit: Option<&ProtectionGroupDetails>) -> Self {
        let f = Self {
            editing: StoredValue::new(edit.map(|d| d.name.clone())),
            name: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            cloud: RwSignal::new(Cloud::Aws),
            credential: RwSignal::new(NEW_KEY.into()),
            subscription: RwSignal::new(String::new()),
            tenant: RwSignal::new(String::new()),
            login_endpoint: RwSignal::new(String::new()),
            queue_credential: RwSignal::new(String::new()),
            queue_endpoint: RwSignal::new(String::new()),
            key_id: RwSignal::new(String::new()),
            secret: RwSignal::new(String::new()),
            regions: RwSignal::new("us-east-1".into()),
            endpoint: RwSignal::new(String::new()),
            pick: RwSignal::new(Pick::Tags),
            tags: RwSignal::new(String::new()),
            all_tags: RwSignal::new(false),
            picked: RwSignal::new(BTreeSet::new()),
            exclusions: RwSignal::new(String::new()),
            daily: RwSignal::new(true),
            rescan_at: RwSignal::new("02:00".into()),
            queue_region: RwSignal::new(String::new()),
            dist_bucket: RwSignal::new(String::new()),
            dist_folder: RwSignal::new(String::new()),
            dist_endpoint: RwSignal::new(String::new()),
            found: RwSignal::new(Vec::new()),
            chosen: RwSignal::new(Vec::new()),
            log: RwSignal::new(Vec::new()),
            rescan_now: RwSignal::new(true),
        };
        if let Some(d) = edit {
            f.fill(d);
        }
        f
    }

    /// The fields of a saved group (Edit).
    fn fill(&self, d: &ProtectionGroupDetails) {
        let s = &d.settings;
        self.name.set(d.name.clone());
        self.description.set(d.description.clone());
        match &s.account {
            CloudAccount::Aws {
                credential,
                regions,
                endpoint,
            } => {
                self.cloud.set(Cloud::Aws);
                self.credential.set(credential.clone());
                self.regions.set(regions.join(", "));
                self.endpoint.set(endpoint.clone().unwrap_or_default());
            }
            CloudAccount::Azure {
                subscription,
                tenant,
                credential,
                endpoint,
                login_endpoint,
                queue_credential,
                queue_endpoint,
            } => {
                self.cloud.set(Cloud::Azure);
                self.credential.set(credential.clone());
                self.subscription.set(subscription.clone());
                self.tenant.set(tenant.clone());
                self.endpoint.set(endpoint.clone().unwrap_or_default());
                self.login_endpoint
                    .set(login_endpoint.clone().unwrap_or_default());
                self.queue_credential.set(queue_credential.clone());
                self.queue_endpoint
                    .set(queue_endpoint.clone().unwrap_or_default());
            }
        }
        match &s.selection {
            MachineSelection::All => self.pick.set(Pick::All),
            MachineSelection::Tags { tags, all } => {
                self.pick.set(Pick::Tags);
                self.tags.set(join(tags.iter().map(|t| t.to_string())));
                self.all_tags.set(*all);
            }
            MachineSelection::Machines { ids } => {
                self.pick.set(Pick::Machines);
                self.picked.set(ids.iter().cloned().collect());
            }
        }
        self.exclusions
            .set(join(s.exclusions.iter().map(|x| match x {
                Exclusion::Machine { id } => id.clone(),
                Exclusion::Tag(t) => t.to_string(),
            })));
        self.daily.set(s.rescan_at.is_some());
        if let Some(at) = &s.rescan_at {
            self.rescan_at.set(at.clone());
        }
        self.queue_region.set(s.queue_region.clone());
        if let Some(d) = &s.distribution {
            self.dist_bucket.set(d.location.clone());
            self.dist_folder.set(d.folder.clone());
            self.dist_endpoint
                .set(d.endpoint.clone().unwrap_or_default());
        }
    }

    pub fn is_edit(&self) -> bool {
        self.editing.get_value().is_some()
    }

    /// True once something was typed (Cancel asks first).
    pub fn entered(&self) -> bool {
        !self.name.get_untracked().trim().is_empty() || !self.key_id.get_untracked().is_empty()
    }

    /// A key typed in, when "Enter a new access key" is chosen.
    pub fn new_key(&self) -> Option<NewAwsKey> {
        (self.credential.get_untracked() == NEW_KEY && !self.is_edit()).then(|| NewAwsKey {
            access_key_id: self.key_id.get_untracked().trim().to_string(),
            secret: Secret(self.secret.get_untracked()),
        })
    }

    pub fn region_list(&self) -> Vec<String> {
        split(&self.regions.get_untracked())
    }

    /// The group as entered; a typed tag that is not KEY=VALUE is refused.
    pub fn settings(&self) -> Result<CloudGroupSettings, String> {
        let regions = self.region_list();
        let queue_region = match self.queue_region.get_untracked().trim() {
            "" => regions.first().cloned().unwrap_or_default(),
            r => r.to_string(),
        };
        let selection = match self.pick.get_untracked() {
            Pick::All => MachineSelection::All,
            Pick::Tags => MachineSelection::Tags {
                tags: items(&self.tags.get_untracked())
                    .iter()
                    .map(|t| tag(t))
                    .collect::<Result<_, _>>()?,
                all: self.all_tags.get_untracked(),
            },
            Pick::Machines => MachineSelection::Machines {
                ids: self.picked.get_untracked().into_iter().collect(),
            },
        };
        let exclusions = items(&self.exclusions.get_untracked())
            .into_iter()
            .map(|x| match x.contains('=') {
                true => tag(&x).map(Exclusion::Tag),
                false => Ok(Exclusion::Machine { id: x }),
            })
            .collect::<Result<_, _>>()?;
        let optional = |s: RwSignal<String>| {
            let v = s.get_untracked().trim().to_string();
            (!v.is_empty()).then_some(v)
        };
        let credential = self.credential.get_untracked();
        let account = match self.cloud.get_untracked() {
            Cloud::Aws => CloudAccount::Aws {
                credential,
                regions,
                endpoint: optional(self.endpoint),
            },
            Cloud::Azure => CloudAccount::Azure {
                subscription: self.subscription.get_untracked().trim().to_string(),
                tenant: self.tenant.get_untracked().trim().to_string(),
                credential,
                endpoint: optional(self.endpoint),
                login_endpoint: optional(self.login_endpoint),
                queue_credential: self.queue_credential.get_untracked(),
                queue_endpoint: optional(self.queue_endpoint),
            },
        };
        Ok(CloudGroupSettings {
            account,
            selection,
            exclusions,
            rescan_at: self
                .daily
                .get_untracked()
                .then(|| self.rescan_at.get_untracked().trim().to_string()),
            queue_region,
            distribution: optional(self.dist_bucket).map(|location| Distribution {
                location,
                folder: self
                    .dist_folder
                    .get_untracked()
                    .trim()
                    .trim_matches('/')
                    .to_string(),
                endpoint: optional(self.dist_endpoint),
            }),
        })
    }
}

/// Regions: separated by commas, spaces or lines.
fn split(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Tags and exclusions: separated by commas or lines (a tag's value may
/// hold spaces).
fn items(s: &str) -> Vec<String> {
    s.split([',', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

fn tag(t: &str) -> Result<TagMatch, String> {
    match t.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok(TagMatch {
            key: k.trim().to_string(),
            value: v.trim().to_string(),
        }),
        _ => Err(format!(
            "\"{t}\" is not a tag: write it as KEY=VALUE, for example tier=web"
        )),
    }
}
