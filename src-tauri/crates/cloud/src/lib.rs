//! `cairn-cloud`: the object-storage backends of the Cairn engine (Amazon S3
//! and S3-compatible stores, Azure Blob Storage), the queues (SQS, Azure
//! Queue Storage) and machine directories (EC2, Azure Resource Manager) of
//! both clouds, and the async runtime they run their requests on. Each backend implements `cairn_core::storage::Storage`;
//! nothing here knows about the console, its catalog or its keyring.

mod arm;
mod arm_run;
mod aws;
mod azure;
mod azure_queue;
mod azure_sas;
mod ec2;
mod http;
mod keys;
mod queue;
pub mod runtime;
mod s3;
mod sqs;
mod ssm;
mod sts;

pub use arm::{Arm, ArmSettings};
pub use arm_run::{RunState, MAX_RUN_COMMANDS};
pub use aws::AwsAccess;
pub use azure::{AzureAuth, AzureSettings, AzureStorage, Tier};
pub use azure_queue::{check_name as check_azure_queue_name, AzureQueue, AzureQueues, QueueAuth};
pub use azure_sas::{blob_read_sas, container_sas, queue_sas, ContainerRights, QueueRights};
pub use ec2::{Ec2, Instance};
pub use queue::{Delivery, Queue, QueueService};
pub use s3::{S3Settings, S3Storage, StorageClass};
pub use sqs::{check_name as check_queue_name, Sqs, SqsQueue};
pub use ssm::{CommandOutput, CommandState, SentCommand, Shell, Ssm};
pub use sts::{folder_policy, scoped_credentials, ScopedCredentials};
