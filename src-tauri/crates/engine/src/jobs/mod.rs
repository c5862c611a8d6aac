//! Jobs: file-level backup, retention and pruning.

pub mod backup;
pub mod copy;
pub mod filter;
pub mod image;
pub mod prune;
pub mod retention;
mod walk;

use time::macros::format_description;
use time::OffsetDateTime;

/// A new restore point id: UTC time to the microsecond, so ids sort in
/// time order (`20261121T235852.123456Z`).
pub fn new_point_id(t: i64) -> String {
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_micros())
        .unwrap_or(0);
    let dt = OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let f = format_description!("[year][month][day]T[hour][minute][second]");
    format!("{}.{micros:06}Z", dt.format(&f).unwrap_or_default())
}

/// Unix seconds as "2026-11-21 23:58:52 UTC" for messages.
pub fn point_time_label(t: i64) -> String {
    let dt = OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let f = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    dt.format(&f).unwrap_or_default()
}

/// The suffix Keep restores add: `_RESTORED_YYYYMMDD_HHMMSS` (UTC).
pub fn restored_suffix(t: i64) -> String {
    let dt = OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let f = format_description!("[year][month][day]_[hour][minute][second]");
    format!("_RESTORED_{}", dt.format(&f).unwrap_or_default())
}

/// The id of the backup a job writes for a machine.
pub fn backup_id(job_uid: &str, machine: &str) -> String {
    let h = blake3::hash(format!("{job_uid}\0{machine}").as_bytes());
    hex::encode(&h.as_bytes()[..16])
}
