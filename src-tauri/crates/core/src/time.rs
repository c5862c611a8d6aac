//! The clock and the host name, and how times are written in ids and
//! messages. Everything that stamps a lock, a restore point or a session
//! asks here, so tests and layers agree on one clock.

use time::macros::format_description;
use time::OffsetDateTime;

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// This machine's host name ("unknown" when the system will not say).
pub fn hostname() -> String {
    hostname::get()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_else(|_| "unknown".into())
}

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

/// The time (Unix seconds) a restore point id names, to the second; None
/// for a name that is not such an id.
pub fn point_id_time(id: &str) -> Option<i64> {
    let f = format_description!("[year][month][day]T[hour][minute][second]");
    let dt = time::PrimitiveDateTime::parse(id.get(..15)?, &f).ok()?;
    Some(dt.assume_utc().unix_timestamp())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_id_names_its_time() {
        let t = 1_796_083_200; // 2026-12-01 00:00:00 UTC
        assert_eq!(point_id_time(&new_point_id(t)), Some(t));
        assert_eq!(point_id_time("20261201T000000.5Z"), Some(t));
        assert_eq!(point_id_time("not-a-point"), None);
        assert_eq!(point_id_time("2026"), None);
    }
}
