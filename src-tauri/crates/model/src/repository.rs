//! The Add Backup Repository wizard's requests.

use crate::api::Command;
use crate::RepositoryRow;
use serde::{Deserialize, Serialize};

/// A secret on its way from a wizard to the backend: serialized (it must
/// cross the IPC once) but never printed by Debug, and wiped from memory
/// when dropped.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl Drop for Secret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("‹secret›")
    }
}

/// Where a new repository lives, with what the wizard collected.
/// Secrets cross once, from the wizard to the backend, which puts them in
/// the OS keyring; they never come back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum RepositoryTarget {
    /// A local or mounted folder.
    Local {
        /// Absolute folder path.
        path: String,
    },
    /// Amazon S3 (no endpoint) or S3 compatible (endpoint set).
    S3 {
        /// Region.
        region: String,
        /// Service point of an S3-compatible store.
        endpoint: Option<String>,
        /// Access key id.
        access_key_id: String,
        /// Secret access key.
        secret_access_key: Secret,
        /// Bucket ("" while the account step is checked).
        bucket: String,
        /// Folder in the bucket.
        folder: String,
        /// standard, glacier-flexible-retrieval, glacier-deep-archive.
        storage_class: String,
        /// Immutability period.
        immutable_days: Option<u32>,
    },
    /// Azure Blob.
    Azure {
        /// Storage account.
        account: String,
        /// Blob endpoint for sovereign clouds or the emulator.
        endpoint: Option<String>,
        /// True for a SAS token, false for a shared key.
        sas: bool,
        /// The key or token.
        secret: Secret,
        /// Container ("" while the account step is checked).
        container: String,
        /// Folder in the container.
        folder: String,
        /// hot or cool.
        tier: String,
        /// Immutability period (version-level immutability policy).
        #[serde(default)]
        immutable_days: Option<u32>,
    },
}

/// The wizard steps that check something in the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RepositoryStep {
    /// Name: not empty, not taken.
    Name,
    /// Account: the credentials work (lists buckets or containers).
    Account,
    /// Bucket, container or folder: exists, allowed class or tier, Object Lock.
    Location,
    /// The folders inside the bucket or container's folder (Browse…).
    Folders,
}

/// Checks one step; the reply lists what was found (e.g. bucket names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckRepositoryStep {
    /// Which step.
    pub step: RepositoryStep,
    /// The name entered.
    pub name: String,
    /// What was entered so far.
    pub target: RepositoryTarget,
    /// When editing: the repository's current name. Its own name is not a
    /// conflict, and an empty secret means "keep the stored one".
    #[serde(default)]
    pub editing: Option<String>,
}

impl Command for CheckRepositoryStep {
    const NAME: &'static str = "check_repository_step";
    type Response = Vec<String>;
}

/// Creates the repository (the Apply step); the reply has the log of checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddRepository {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Where.
    pub target: RepositoryTarget,
}

/// What Apply did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AddRepositoryResult {
    /// The new repository.
    pub repository: RepositoryRow,
    /// The checks done, in order.
    pub log: Vec<String>,
}

impl Command for AddRepository {
    const NAME: &'static str = "add_repository";
    type Response = AddRepositoryResult;
}

/// What the Edit wizard starts from: the saved settings, secrets left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepositoryDetails {
    /// Name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Where, with empty secrets.
    pub target: RepositoryTarget,
    /// The stored credentials used (cloud repositories).
    pub credential: String,
}

/// Reads a repository's saved settings for Edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GetRepository {
    /// Name.
    pub name: String,
}

impl Command for GetRepository {
    const NAME: &'static str = "get_repository";
    type Response = RepositoryDetails;
}

/// Saves an edited repository (the Edit wizard's Apply step). The location
/// cannot change; an empty secret keeps the stored one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditRepository {
    /// Current name.
    pub name: String,
    /// New name (may be the same).
    pub new_name: String,
    /// Free text.
    pub description: String,
    /// Settings.
    pub target: RepositoryTarget,
}

impl Command for EditRepository {
    const NAME: &'static str = "edit_repository";
    type Response = AddRepositoryResult;
}

/// Removes a repository from the configuration (data stays).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoveRepository {
    /// Name.
    pub name: String,
}

impl Command for RemoveRepository {
    const NAME: &'static str = "remove_repository";
    type Response = ();
}

/// What a stored credential holds. The serialized names (`aws`,
/// `azure-key`, …) are the ones the catalog stores and the CLI prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    /// An Amazon S3 access key (id and secret).
    Aws,
    /// An Azure storage account and its shared key.
    AzureKey,
    /// An Azure storage account and a SAS token.
    AzureSas,
    /// An encryption password.
    Password,
    /// A username and password of a computer or service provider.
    Account,
    /// An Azure service principal: its client id and client secret.
    #[serde(rename = "azure-sp")]
    AzureServicePrincipal,
}

impl CredentialKind {
    /// Every kind, in the order the managers offer them.
    pub const ALL: [Self; 6] = [
        Self::Aws,
        Self::AzureKey,
        Self::AzureSas,
        Self::AzureServicePrincipal,
        Self::Password,
        Self::Account,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aws => "aws",
            Self::AzureKey => "azure-key",
            Self::AzureSas => "azure-sas",
            Self::Password => "password",
            Self::Account => "account",
            Self::AzureServicePrincipal => "azure-sp",
        }
    }

    /// The kind with this stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// What the managers call it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Aws => "Amazon S3 access key",
            Self::AzureKey => "Azure storage shared key",
            Self::AzureSas => "Azure SAS token",
            Self::Password => "Encryption password",
            Self::Account => "Username and password",
            Self::AzureServicePrincipal => "Azure service principal",
        }
    }
}

/// A stored credential as the managers list it (never the secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialRow {
    /// Name.
    pub name: String,
    /// What it holds.
    pub kind: CredentialKind,
    /// Access key id or account.
    pub identity: String,
    /// Free text.
    pub description: String,
    /// Password hint.
    pub hint: String,
    /// Unix seconds.
    pub edited: i64,
    /// Repositories using it.
    pub used_by: Vec<String>,
}

/// Lists credentials.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListCredentials {}

impl Command for ListCredentials {
    const NAME: &'static str = "list_credentials";
    type Response = Vec<CredentialRow>;
}

/// Adds or edits credentials (the secret is re-entered on edit).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PutCredential {
    /// Name.
    pub name: String,
    /// What it holds.
    pub kind: CredentialKind,
    /// Access key id or account.
    pub identity: String,
    /// The secret.
    pub secret: Secret,
    /// Free text.
    pub description: String,
    /// Password hint.
    pub hint: String,
}

impl Command for PutCredential {
    const NAME: &'static str = "put_credential";
    type Response = ();
}

/// Deletes credentials (refused while used).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeleteCredential {
    /// Name.
    pub name: String,
}

impl Command for DeleteCredential {
    const NAME: &'static str = "delete_credential";
    type Response = ();
}
