//! The repository wizard's form: every field as entered, the kind and
//! purpose of the wizard, and what the backend found along the way.
//! `target` turns it into the repository the backend checks and adds.

use super::RepoKind;
use crate::wizards::choice::Choice;
use cairn_model::*;
use leptos::prelude::*;

/// An S3 storage class for backup data (the ones Cairn cannot use are
/// offered, marked, and refused by the backend with the reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageClass {
    Standard,
    GlacierFlexible,
    GlacierDeepArchive,
    StandardIa,
    OneZoneIa,
    GlacierInstant,
    IntelligentTiering,
}

impl Choice for StorageClass {
    fn all() -> Vec<Self> {
        use StorageClass::*;
        vec![
            Standard,
            GlacierFlexible,
            GlacierDeepArchive,
            StandardIa,
            OneZoneIa,
            GlacierInstant,
            IntelligentTiering,
        ]
    }
    fn value(self) -> String {
        match self {
            Self::Standard => "standard",
            Self::GlacierFlexible => "glacier-flexible-retrieval",
            Self::GlacierDeepArchive => "glacier-deep-archive",
            Self::StandardIa => "standard-ia",
            Self::OneZoneIa => "onezone-ia",
            Self::GlacierInstant => "glacier-instant-retrieval",
            Self::IntelligentTiering => "intelligent-tiering",
        }
        .into()
    }
    fn label(self) -> String {
        match self {
            Self::Standard => "Standard",
            Self::GlacierFlexible => "Glacier Flexible Retrieval",
            Self::GlacierDeepArchive => "Glacier Deep Archive",
            Self::StandardIa => "Standard-IA (not supported)",
            Self::OneZoneIa => "One Zone-IA (not supported)",
            Self::GlacierInstant => "Glacier Instant Retrieval (not supported)",
            Self::IntelligentTiering => "Intelligent-Tiering (not supported)",
        }
        .into()
    }
}

/// An Azure Blob access tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessTier {
    Hot,
    Cool,
    Cold,
    Archive,
}

impl AccessTier {
    /// What an external repository may be read from.
    pub const EXTERNAL: [AccessTier; 2] = [Self::Hot, Self::Cool];
}

impl Choice for AccessTier {
    fn all() -> Vec<Self> {
        vec![Self::Hot, Self::Cool, Self::Cold, Self::Archive]
    }
    fn value(self) -> String {
        match self {
            Self::Hot => "hot",
            Self::Cool => "cool",
            Self::Cold => "cold",
            Self::Archive => "archive",
        }
        .into()
    }
    fn label(self) -> String {
        match self {
            Self::Hot => "Hot",
            Self::Cool => "Cool",
            Self::Cold => "Cold (not supported)",
            Self::Archive => "Archive (not supported)",
        }
        .into()
    }
}

/// The choice whose option value is `v` (a saved repository's setting).
fn parse<T: Choice>(v: &str, default: T) -> T {
    T::all()
        .into_iter()
        .find(|c| c.value() == v)
        .unwrap_or(default)
}

/// Everything the steps edit; signals only, so it is `Copy`.
#[derive(Clone, Copy)]
pub struct RepoForm {
    pub kind: RepoKind,
    /// Connect to External Repository rather than add a backup repository.
    pub external: bool,
    /// The saved name of the repository edited.
    pub editing: StoredValue<Option<String>>,
    pub name: RwSignal<String>,
    pub description: RwSignal<String>,
    pub path: RwSignal<String>,
    pub region: RwSignal<String>,
    pub endpoint: RwSignal<String>,
    pub key_id: RwSignal<String>,
    pub secret: RwSignal<String>,
    pub account: RwSignal<String>,
    pub sas: RwSignal<bool>,
    /// The bucket or container.
    pub bucket: RwSignal<String>,
    pub folder: RwSignal<String>,
    pub class: RwSignal<StorageClass>,
    pub tier: RwSignal<AccessTier>,
    pub immutable: RwSignal<bool>,
    pub days: RwSignal<String>,
    /// Buckets or containers the account reaches.
    pub found: RwSignal<Vec<String>>,
    /// What the location check found, for Review.
    pub facts: RwSignal<Vec<String>>,
    /// Apply's log.
    pub log: RwSignal<Vec<String>>,
    /// External: what the bucket holds.
    pub probe: RwSignal<Option<ExternalProbe>>,
    /// External: the password of encrypted backups.
    pub password_name: RwSignal<Option<String>>,
    /// External: the other console's ownership is to be taken.
    pub take_ownership: RwSignal<bool>,
}

impl RepoForm {
    pub fn new(kind: RepoKind, external: bool, edit: Option<&RepositoryDetails>) -> Self {
        let region = if kind == RepoKind::AmazonS3 {
            "us-east-1"
        } else {
            ""
        };
        let form = Self {
            kind,
            external,
            editing: StoredValue::new(edit.map(|d| d.name.clone())),
            name: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            path: RwSignal::new(String::new()),
            region: RwSignal::new(region.to_string()),
            endpoint: RwSignal::new(String::new()),
            key_id: RwSignal::new(String::new()),
            secret: RwSignal::new(String::new()),
            account: RwSignal::new(String::new()),
            sas: RwSignal::new(false),
            bucket: RwSignal::new(String::new()),
            folder: RwSignal::new(String::new()),
            class: RwSignal::new(StorageClass::Standard),
            tier: RwSignal::new(AccessTier::Hot),
            immutable: RwSignal::new(false),
            days: RwSignal::new("30".to_string()),
            found: RwSignal::new(Vec::new()),
            facts: RwSignal::new(Vec::new()),
            log: RwSignal::new(Vec::new()),
            probe: RwSignal::new(None),
            password_name: RwSignal::new(None),
            take_ownership: RwSignal::new(false),
        };
        if let Some(d) = edit {
            form.fill(d);
        }
        form
    }

    pub fn is_edit(&self) -> bool {
        self.editing.with_value(|e| e.is_some())
    }

    /// Edit: the saved repository's settings (its secret stays stored).
    fn fill(&self, d: &RepositoryDetails) {
        self.name.set(d.name.clone());
        self.description.set(d.description.clone());
        let (bucket, folder, endpoint, days) = match &d.target {
            RepositoryTarget::Local { path } => {
                self.path.set(path.clone());
                return;
            }
            RepositoryTarget::S3 {
                region,
                endpoint,
                access_key_id,
                bucket,
                folder,
                storage_class,
                immutable_days,
                ..
            } => {
                self.region.set(region.clone());
                self.key_id.set(access_key_id.clone());
                self.class.set(parse(storage_class, StorageClass::Standard));
                (bucket, folder, endpoint, immutable_days)
            }
            RepositoryTarget::Azure {
                account,
                endpoint,
                sas,
                container,
                folder,
                tier,
                immutable_days,
                ..
            } => {
                self.account.set(account.clone());
                self.sas.set(*sas);
                self.tier.set(parse(tier, AccessTier::Hot));
                (container, folder, endpoint, immutable_days)
            }
        };
        self.endpoint.set(endpoint.clone().unwrap_or_default());
        self.bucket.set(bucket.clone());
        self.found.set(vec![bucket.clone()]);
        self.folder.set(folder.clone());
        self.immutable.set(days.is_some());
        self.days.set(days.unwrap_or(30).to_string());
    }

    /// Immutability days, if asked for.
    fn immutable_days(&self) -> Result<Option<u32>, String> {
        if !self.immutable.get_untracked() {
            return Ok(None);
        }
        let d: u32 = self
            .days
            .get_untracked()
            .trim()
            .parse()
            .map_err(|_| "enter the number of days (1–999)".to_string())?;
        if !(1..=999).contains(&d) {
            return Err("immutability must be between 1 and 999 days".into());
        }
        Ok(Some(d))
    }

    /// The repository as entered so far.
    pub fn target(&self) -> Result<RepositoryTarget, String> {
        let bucket = || self.bucket.get_untracked().trim().to_string();
        let folder = || self.folder.get_untracked().trim().to_string();
        Ok(match self.kind {
            RepoKind::Local => RepositoryTarget::Local {
                path: self.path.get_untracked().trim().to_string(),
            },
            RepoKind::AmazonS3 | RepoKind::S3Compatible => RepositoryTarget::S3 {
                region: self.region.get_untracked(),
                endpoint: (self.kind == RepoKind::S3Compatible)
                    .then(|| self.endpoint.get_untracked()),
                access_key_id: self.key_id.get_untracked(),
                secret_access_key: Secret(self.secret.get_untracked()),
                bucket: bucket(),
                folder: folder(),
                storage_class: self.class.get_untracked().value(),
                immutable_days: self.immutable_days()?,
            },
            RepoKind::Azure => RepositoryTarget::Azure {
                account: self.account.get_untracked(),
                endpoint: Some(self.endpoint.get_untracked()).filter(|e| !e.trim().is_empty()),
                sas: self.sas.get_untracked(),
                secret: Secret(self.secret.get_untracked()),
                container: bucket(),
                folder: folder(),
                tier: self.tier.get_untracked().value(),
                immutable_days: self.immutable_days()?,
            },
        })
    }

    /// Something was typed that Cancel would lose.
    pub fn entered(&self) -> bool {
        self.is_edit()
            || !self.name.get_untracked().is_empty()
            || !self.secret.get_untracked().is_empty()
            || !self.path.get_untracked().is_empty()
    }
}
