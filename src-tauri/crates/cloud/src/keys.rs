//! What S3 and Azure Blob share in naming objects: the folder prefix every
//! key lives under, and which keys an immutability setting locks and until
//! when.

use cairn_core::storage::{check_key, is_mutable_key};
use cairn_core::Result;

/// The prefix for a folder inside a bucket or container: `""` for the
/// root, otherwise the folder without surrounding slashes plus one `/`.
pub fn folder_prefix(folder: &str) -> String {
    let folder = folder.trim_matches('/');
    if folder.is_empty() {
        String::new()
    } else {
        format!("{folder}/")
    }
}

/// The object name of a repository key under a prefix; keys that could
/// escape the folder are refused.
pub fn full_key(prefix: &str, key: &str) -> Result<String> {
    check_key(key)?;
    Ok(format!("{prefix}{key}"))
}

/// Until when (Unix seconds) a new object is locked, for a repository
/// with `immutable_days`. Locks and prune marks change, and the owner
/// marker is replaced on takeover, so those are never locked.
pub fn lock_until(immutable_days: Option<u32>, key: &str) -> Option<i64> {
    let days = immutable_days?;
    if is_mutable_key(key) {
        return None;
    }
    Some(cairn_core::time::now() + i64::from(days) * 86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_become_one_trailing_slash() {
        assert_eq!(folder_prefix(""), "");
        assert_eq!(folder_prefix("/"), "");
        assert_eq!(folder_prefix("/a/b/"), "a/b/");
        assert_eq!(full_key("a/", "data/x").expect("key"), "a/data/x");
        assert!(full_key("a/", "../x").is_err());
    }

    #[test]
    fn only_immutable_data_is_locked() {
        assert_eq!(lock_until(None, "data/x"), None);
        assert_eq!(lock_until(Some(3), "locks/x"), None);
        assert_eq!(lock_until(Some(3), "owner"), None);
        let until = lock_until(Some(3), "data/x").expect("locked");
        assert!(until >= cairn_core::time::now() + 3 * 86_400 - 5);
    }
}
