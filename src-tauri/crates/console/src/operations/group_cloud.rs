//! The cloud behind a protection group: where its machines are listed
//! (each AWS region through EC2, or the Azure subscription through
//! Resource Manager), the console's tag on a machine, the queue service the
//! console and its agents talk over, and the queue names each service
//! accepts.

use super::Console;
use crate::catalog::{CredentialRecord, GroupRecord};
use crate::error::{Error, Result};
use crate::secrets::Sensitive;
use cairn_cloud::{
    Arm, ArmSettings, AwsAccess, AzureQueues, Ec2, Instance, QueueAuth, QueueService, Sqs,
};
use cairn_model::{CloudAccount, CloudGroupSettings, CredentialKind};

/// Where machines are listed: one AWS region, or a whole Azure
/// subscription (`region` None: every region).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Scope {
    /// For logs: "us-east-1", "subscription 0f5c…".
    pub label: String,
    /// The region it covers, None for all of them.
    pub region: Option<String>,
}

/// A cloud's list of machines and their tags.
pub(super) enum Directory {
    Ec2(Ec2),
    Arm(Box<Arm>),
}

impl Directory {
    /// Every machine of the scope.
    pub fn machines(&self) -> Result<Vec<Instance>> {
        Ok(match self {
            Self::Ec2(e) => e.instances()?,
            Self::Arm(a) => a.machines()?,
        })
    }

    /// Sets tag `key` = `value` on machine `id`.
    pub fn tag(&self, id: &str, key: &str, value: &str) -> Result<()> {
        match self {
            Self::Ec2(e) => e.tag(id, key, value)?,
            Self::Arm(a) => a.tag(id, key, value)?,
        }
        Ok(())
    }

    /// Removes tag `key` from machine `id`.
    pub fn untag(&self, id: &str, key: &str) -> Result<()> {
        match self {
            Self::Ec2(e) => e.untag(id, key)?,
            Self::Arm(a) => a.untag(id, key)?,
        }
        Ok(())
    }
}

/// The directory of `account` in `region` through a key not stored yet (an
/// AWS access key, or an Azure service principal's client id and secret).
pub(super) fn key_directory(
    account: &CloudAccount,
    region: &str,
    id: &str,
    secret: &Sensitive<String>,
) -> Result<Directory> {
    let given = |e: &Option<String>| e.clone().filter(|e| !e.trim().is_empty());
    match account {
        CloudAccount::Aws { endpoint, .. } => Ok(Directory::Ec2(Ec2::connect(&AwsAccess {
            access_key_id: id.trim().to_string(),
            secret: secret.clone(),
            session_token: None,
            region: region.to_string(),
            endpoint: given(endpoint),
        }))),
        CloudAccount::Azure {
            subscription,
            tenant,
            endpoint,
            login_endpoint,
            ..
        } => {
            let settings = ArmSettings {
                subscription: subscription.trim().to_string(),
                tenant: tenant.trim().to_string(),
                client_id: id.trim().to_string(),
                endpoint: given(endpoint),
                login_endpoint: given(login_endpoint),
            };
            Ok(Directory::Arm(Box::new(Arm::connect(
                settings,
                secret.clone(),
            )?)))
        }
    }
}

/// The region machines are first looked for in ("" on Azure, whose
/// directory covers every region).
pub(super) fn first_region(account: &CloudAccount) -> String {
    match account {
        CloudAccount::Aws { regions, .. } => regions.first().cloned().unwrap_or_default(),
        CloudAccount::Azure { .. } => String::new(),
    }
}

/// The places a group's machines are listed in.
pub(super) fn scopes(account: &CloudAccount) -> Vec<Scope> {
    match account {
        CloudAccount::Aws { regions, .. } => regions
            .iter()
            .map(|r| Scope {
                label: r.clone(),
                region: Some(r.clone()),
            })
            .collect(),
        CloudAccount::Azure { subscription, .. } => vec![Scope {
            label: format!("subscription {subscription}"),
            region: None,
        }],
    }
}

impl Console {
    /// The directory listing `account`'s machines in `region` (the whole
    /// subscription on Azure, whatever the region).
    pub(super) fn directory(&self, account: &CloudAccount, region: &str) -> Result<Directory> {
        match account {
            CloudAccount::Aws { .. } => Ok(Directory::Ec2(Ec2::connect(
                &self.aws_access(account, region)?,
            ))),
            CloudAccount::Azure { .. } => {
                let (settings, secret) = self.arm_access(account)?;
                Ok(Directory::Arm(Box::new(Arm::connect(settings, secret)?)))
            }
        }
    }

    /// Credentials `name` and their secret, refused unless of `kind`
    /// (`what` says what the place needs).
    fn credential_of_kind(
        &self,
        name: &str,
        kind: CredentialKind,
        what: &str,
    ) -> Result<(CredentialRecord, Sensitive<String>)> {
        let (c, secret) = self.credential_secret(name)?;
        if c.kind != kind {
            return Err(Error::invalid(format!(
                "credentials \"{}\" are not {what}; pick one of kind {}",
                c.name,
                kind.as_str()
            )));
        }
        Ok((c, secret))
    }

    /// The Resource Manager settings and client secret of an Azure account.
    pub(super) fn arm_access(
        &self,
        account: &CloudAccount,
    ) -> Result<(ArmSettings, Sensitive<String>)> {
        let CloudAccount::Azure {
            subscription,
            tenant,
            credential,
            endpoint,
            login_endpoint,
            ..
        } = account
        else {
            return Err(Error::internal("an AWS account has no Resource Manager"));
        };
        let (c, secret) = self.credential_of_kind(
            credential,
            CredentialKind::AzureServicePrincipal,
            "an Azure service principal",
        )?;
        let settings = ArmSettings {
            subscription: subscription.clone(),
            tenant: tenant.clone(),
            client_id: c.identity,
            endpoint: endpoint.clone(),
            login_endpoint: login_endpoint.clone(),
        };
        Ok((settings, secret))
    }

    /// The queue service of a group's queues.
    pub(super) fn group_queues(&self, g: &GroupRecord) -> Result<Box<dyn QueueService>> {
        self.queues_of(&g.settings)
    }

    /// The queue service settings `s` name: SQS in the queue region, or
    /// the Azure storage account with its shared key.
    pub(super) fn queues_of(&self, s: &CloudGroupSettings) -> Result<Box<dyn QueueService>> {
        match &s.account {
            CloudAccount::Aws { .. } => Ok(Box::new(Sqs::connect(
                &self.aws_access(&s.account, &s.queue_region)?,
            ))),
            CloudAccount::Azure { .. } => {
                let (account, endpoint, key) = self.queue_account(&s.account)?;
                Ok(Box::new(AzureQueues::connect(
                    &account,
                    endpoint.as_deref(),
                    &QueueAuth::SharedKey(key),
                )?))
            }
        }
    }

    /// The storage account, queue endpoint and shared key of an Azure
    /// group's queues.
    pub(super) fn queue_account(
        &self,
        account: &CloudAccount,
    ) -> Result<(String, Option<String>, Sensitive<String>)> {
        let CloudAccount::Azure {
            queue_credential,
            queue_endpoint,
            ..
        } = account
        else {
            return Err(Error::internal("an AWS group's queues are on SQS"));
        };
        let (c, key) = self.credential_of_kind(
            queue_credential,
            CredentialKind::AzureKey,
            "a storage account's shared key (the queues need one)",
        )?;
        Ok((c.identity, queue_endpoint.clone(), key))
    }

    /// The AWS access of a group's account in `region`.
    pub(super) fn aws_access(&self, account: &CloudAccount, region: &str) -> Result<AwsAccess> {
        let CloudAccount::Aws {
            credential,
            endpoint,
            ..
        } = account
        else {
            return Err(Error::internal("an Azure account has no AWS access"));
        };
        let (c, secret) =
            self.credential_of_kind(credential, CredentialKind::Aws, "an AWS access key")?;
        Ok(AwsAccess {
            access_key_id: c.identity,
            secret,
            session_token: None,
            region: region.to_string(),
            endpoint: endpoint.clone(),
        })
    }

    /// The name of the console's queue in a group's queue service, and
    /// its address (made on first use; a second call creates nothing).
    pub(super) fn console_queue(&self, g: &GroupRecord) -> Result<(String, String)> {
        let name = console_queue_name(&g.settings.account, &self.console_id()?);
        let address = self.group_queues(g)?.ensure_queue(&name)?.0;
        Ok((name, address))
    }
}

/// The console's queue: `cairn-<console id>-console`.
pub(super) fn console_queue_name(account: &CloudAccount, console_id: &str) -> String {
    match account {
        CloudAccount::Aws { .. } => format!("cairn-{}-console", sqs_part(console_id, 32)),
        CloudAccount::Azure { .. } => format!("cairn-{}-console", azure_part(console_id, 32)),
    }
}

/// A machine's queue: `cairn-<console id>-<machine id>`, within the
/// service's length and alphabet (SQS: 80 characters; Azure: 63 lower-case
/// letters, digits and single hyphens, so both ids are shortened there).
pub(super) fn machine_queue_name(
    account: &CloudAccount,
    console_id: &str,
    machine_id: &str,
) -> String {
    match account {
        CloudAccount::Aws { .. } => format!(
            "cairn-{}-{}",
            sqs_part(console_id, 32),
            sqs_part(machine_id, 41)
        ),
        CloudAccount::Azure { .. } => format!(
            "cairn-{}-{}",
            azure_part(console_id, 16),
            azure_part(machine_id, 32)
        ),
    }
}

fn sqs_part(s: &str, max: usize) -> String {
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

/// Lower-case letters and digits only (so no hyphens can double up).
fn azure_part(s: &str, max: usize) -> String {
    let part: String = s
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .take(max)
        .collect();
    if part.is_empty() {
        "x".into()
    } else {
        part
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn azure() -> CloudAccount {
        CloudAccount::Azure {
            subscription: "s".into(),
            tenant: "t".into(),
            credential: "c".into(),
            endpoint: None,
            login_endpoint: None,
            queue_credential: "q".into(),
            queue_endpoint: None,
        }
    }

    #[test]
    fn azure_queue_names_keep_to_its_rules_with_their_dead_letter_twins() {
        let me = cairn_core::format::random_id();
        for machine in ["0f5c2d1e-aaaa-bbbb-cccc-000000000001", "Web_01", "--"] {
            let name = machine_queue_name(&azure(), &me, machine);
            cairn_cloud::check_azure_queue_name(&format!("{name}-dlq")).expect(&name);
        }
        let console = console_queue_name(&azure(), &me);
        cairn_cloud::check_azure_queue_name(&format!("{console}-dlq")).expect(&console);
    }
}
