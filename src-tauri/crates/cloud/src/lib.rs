//! `cairn-cloud`: the object-storage backends of the Cairn engine (Amazon S3
//! and S3-compatible stores, Azure Blob Storage) and the async runtime they
//! run their requests on. Each backend implements `cairn_core::storage::Storage`;
//! nothing here knows about the console, its catalog or its keyring.

mod azure;
mod keys;
pub mod runtime;
mod s3;

pub use azure::{AzureAuth, AzureSettings, AzureStorage, Tier};
pub use s3::{S3Settings, S3Storage, StorageClass};
