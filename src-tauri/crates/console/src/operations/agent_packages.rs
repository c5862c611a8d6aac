//! The agent packages the console installs: one executable per operating
//! system and architecture, found in `$CAIRN_AGENT_PACKAGES`
//! (`cairn-linux-x86_64`, `cairn-linux-aarch64`, `cairn-windows-x86_64.exe`)
//! or, for the console's own platform, the `cairn` program the console
//! ships with. A package is known by its SHA-256, which the installed
//! agent reports back; a machine whose agent reports another one has an
//! update available.

use crate::error::{Error, Result};
use cairn_model::AgentOs;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The folder of packages for other platforms (and newer builds).
pub const PACKAGES_ENV: &str = "CAIRN_AGENT_PACKAGES";

/// One agent package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// "linux-x86_64" and the like.
    pub platform: String,
    /// The architecture `uname -m` names.
    pub arch: String,
    /// Where it is.
    pub path: PathBuf,
    /// Its SHA-256 (hex).
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its name in a package folder and in the distribution repository.
    pub file: String,
}

/// The package for machines of `os` (x86-64: cloud machines' instance
/// types are assumed so until discovery reports the architecture).
pub fn package_for(os: AgentOs) -> Result<Package> {
    let arch = "x86_64";
    let platform = match os {
        AgentOs::Windows => format!("windows-{arch}"),
        _ => format!("linux-{arch}"),
    };
    let file = match os {
        AgentOs::Windows => format!("cairn-{platform}.exe"),
        _ => format!("cairn-{platform}"),
    };
    let path = std::env::var_os(PACKAGES_ENV)
        .map(|d| PathBuf::from(d).join(&file))
        .filter(|p| p.is_file())
        .or_else(|| own_program(&platform))
        .ok_or_else(|| {
            Error::not_found(format!(
                "the console has no agent package for {platform}: put {file} in the folder ${PACKAGES_ENV} names"
            ))
        })?;
    let (sha256, size) = fingerprint(&path)?;
    Ok(Package {
        platform,
        arch: arch.into(),
        path,
        sha256,
        size,
        file,
    })
}

/// The SHA-256 of the package for `os`, if the console has one.
pub fn build_for(os: AgentOs) -> Option<String> {
    package_for(os).ok().map(|p| p.sha256)
}

/// The `cairn` program beside (or as) this one, when it runs on `platform`.
fn own_program(platform: &str) -> Option<PathBuf> {
    let here = format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH);
    if here != platform {
        return None;
    }
    let exe = std::env::current_exe().ok()?;
    if exe.file_name().is_some_and(|n| n == "cairn") {
        return Some(exe);
    }
    Some(exe.parent()?.join("cairn")).filter(|p| p.is_file())
}

/// SHA-256 and size of a file, remembered while its size and time stay.
fn fingerprint(path: &Path) -> Result<(String, u64)> {
    type Seen = HashMap<PathBuf, (u64, std::time::SystemTime, String)>;
    static SEEN: Mutex<Option<Seen>> = Mutex::new(None);
    let meta = std::fs::metadata(path).map_err(|e| Error::io("read the agent package", path, e))?;
    let stamp = meta.modified().unwrap_or(std::time::UNIX_EPOCH);
    if let Ok(mut seen) = SEEN.lock() {
        if let Some((size, at, sha)) = seen.get_or_insert_with(HashMap::new).get(path) {
            if *size == meta.len() && *at == stamp {
                return Ok((sha.clone(), *size));
            }
        }
    }
    let sha = cairn_agent::build::file_sha256(path)
        .map_err(|e| Error::io("read the agent package", path, e))?;
    if let Ok(mut seen) = SEEN.lock() {
        seen.get_or_insert_with(HashMap::new)
            .insert(path.to_path_buf(), (meta.len(), stamp, sha.clone()));
    }
    Ok((sha, meta.len()))
}
