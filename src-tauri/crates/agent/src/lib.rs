//! `cairn-agent`: what runs on a protected cloud machine. The agent listens
//! on its own queue for commands the console seals with the machine's key
//! ([`envelope`], [`messages`], specified in `PROTOCOL.md`), backs up
//! straight into the repository with the scoped credentials a command
//! carries, and reports progress and results on the console's queue.
//! Backup data never flows through the console.

pub mod build;
pub mod config;
pub mod envelope;
mod handled;
pub mod inbox;
pub mod messages;
mod order;
mod service;

pub use config::{systemd_unit, AgentConfig, Transport};
pub use service::serve;
