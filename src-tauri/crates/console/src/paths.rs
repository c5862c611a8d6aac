//! Where Cairn keeps its per-user data.

use std::path::PathBuf;

/// The per-user data folder: `$XDG_DATA_HOME/cairn` (usually
/// `~/.local/share/cairn`) on Linux, the platform's equivalent elsewhere.
/// `CAIRN_DATA_DIR` overrides it, for tests and portable installs.
pub fn default_data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CAIRN_DATA_DIR") {
        return PathBuf::from(dir);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("cairn")
}

/// The database file inside a data folder.
pub fn catalog_file(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("cairn.sqlite")
}

/// The embedded default repository inside a data folder.
pub fn default_repository_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("repository")
}

/// The local cache of folder trees (content-addressed, never stale; safe to
/// delete at any time).
pub fn tree_cache_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("cache").join("trees")
}

/// Where Open puts the files it extracts: one private folder per console
/// process below it (`<pid>`), removed when that console ends.
pub fn open_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("cache").join("open")
}
