//! Jobs: file-level backup, retention and pruning.

pub mod backup;
pub mod copy;
pub mod filter;
pub mod image;
pub mod prune;
pub mod retention;
mod walk;

/// The id of the backup a job writes for a machine.
pub fn backup_id(job_uid: &str, machine: &str) -> String {
    let h = blake3::hash(format!("{job_uid}\0{machine}").as_bytes());
    hex::encode(&h.as_bytes()[..16])
}
