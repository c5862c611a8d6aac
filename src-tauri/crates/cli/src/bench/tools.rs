//! Running and timing Cairn and its peers, with peak memory read from
//! /proc while each command runs.

use cairn_console::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Elapsed time and peak resident memory of one command.
#[derive(Debug, Clone, Copy)]
pub struct Measure {
    /// Wall-clock seconds.
    pub secs: f64,
    /// Peak RSS in bytes (0 when unknown).
    pub peak_rss: u64,
}

/// A backup program under test.
pub struct Tool {
    /// Display name.
    pub name: String,
    /// File-name-safe name.
    pub slug: String,
    /// Its repository folder.
    pub repo: PathBuf,
    kind: Kind,
    work: PathBuf,
}

enum Kind {
    Cairn { encrypted: bool },
    Restic,
    Borg,
}

const PASSWORD: &str = "cairn-bench-password";

fn vm_hwm(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let l = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    l.split_whitespace()
        .nth(1)?
        .parse::<u64>()
        .ok()
        .map(|k| k * 1024)
}

/// Runs a command to completion, timing it and sampling its peak memory.
fn measure(mut cmd: Command, stdin: Option<&str>) -> Result<Measure> {
    let shown = format!("{cmd:?}");
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| Error::internal(format!("cannot start {shown}")).caused_by(e))?;
    if let Some(s) = stdin {
        use std::io::Write;
        if let Some(mut i) = child.stdin.take() {
            let _ = i.write_all(s.as_bytes());
        }
    }
    let pid = child.id();
    let mut peak = 0;
    let status = loop {
        if let Some(v) = vm_hwm(pid) {
            peak = peak.max(v);
        }
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(Error::internal(format!("cannot wait for {shown}")).caused_by(e)),
        }
    };
    let secs = start.elapsed().as_secs_f64();
    if !status.success() {
        let mut err = String::new();
        if let Some(mut e) = child.stderr.take() {
            use std::io::Read;
            let _ = e.read_to_string(&mut err);
        }
        return Err(Error::internal(format!("{shown} failed: {}", err.trim())));
    }
    Ok(Measure {
        secs,
        peak_rss: peak,
    })
}

/// Times a shell pipeline.
pub fn time_shell(script: &str) -> Result<Measure> {
    let mut c = Command::new("sh");
    c.args(["-c", script]);
    measure(c, None)
}

/// Bytes used by a folder (apparent file sizes).
pub fn du(p: &Path) -> Result<u64> {
    let mut total = 0;
    let meta = std::fs::symlink_metadata(p).map_err(|e| Error::io("measure", p, e))?;
    if meta.is_dir() {
        for e in std::fs::read_dir(p).map_err(|e| Error::io("list", p, e))? {
            total += du(&e.map_err(|e| Error::io("list", p, e))?.path())?;
        }
    } else if meta.is_file() {
        total += meta.len();
    }
    Ok(total)
}

/// True when an executable of that name is on PATH.
fn which(name: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|d| d.join(name).is_file()))
        .unwrap_or(false)
}

impl Tool {
    fn new(name: &str, slug: &str, kind: Kind, work: &Path) -> Self {
        Self {
            name: name.into(),
            slug: slug.into(),
            repo: work.join(format!("repo-{slug}")),
            kind,
            work: work.to_path_buf(),
        }
    }

    /// Cairn with its default settings (no encryption).
    pub fn cairn(work: &Path) -> Result<Self> {
        Ok(Self::new(
            "Cairn",
            "cairn",
            Kind::Cairn { encrypted: false },
            work,
        ))
    }

    /// Cairn with AES-256-GCM encryption, comparable to restic (always encrypted).
    pub fn cairn_encrypted(work: &Path) -> Result<Self> {
        Ok(Self::new(
            "Cairn encrypted",
            "cairn-enc",
            Kind::Cairn { encrypted: true },
            work,
        ))
    }

    /// A peer, when installed.
    pub fn peer(name: &str, work: &Path) -> Option<Self> {
        match name {
            "restic" if which("restic") => Some(Self::new("restic", "restic", Kind::Restic, work)),
            "borg" if which("borg") => Some(Self::new("borg", "borg", Kind::Borg, work)),
            _ => None,
        }
    }

    fn cairn_cmd(&self) -> Result<Command> {
        let exe = std::env::current_exe()
            .map_err(|e| Error::internal("cannot find this program's path").caused_by(e))?;
        let mut c = Command::new(exe);
        c.arg("--data-dir")
            .arg(self.work.join(format!("data-{}", self.slug)));
        Ok(c)
    }

    fn restic(&self) -> Command {
        let mut c = Command::new("restic");
        c.env("RESTIC_PASSWORD", PASSWORD)
            .env("RESTIC_CACHE_DIR", self.work.join("restic-cache"))
            .arg("-q")
            .arg("--repo")
            .arg(&self.repo);
        c
    }

    fn borg(&self) -> Command {
        let mut c = Command::new("borg");
        c.env("BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK", "yes")
            .env("BORG_RELOCATED_REPO_ACCESS_IS_OK", "yes")
            .env("BORG_BASE_DIR", self.work.join("borg-base"));
        c
    }

    /// Creates the repository (and for Cairn, the job).
    pub fn init(&self) -> Result<()> {
        let _ = std::fs::remove_dir_all(&self.repo);
        let _ = std::fs::remove_dir_all(self.work.join(format!("data-{}", self.slug)));
        match self.kind {
            Kind::Cairn { encrypted } => {
                let mut c = self.cairn_cmd()?;
                c.args(["repo", "add", "local", "bench", "--path"])
                    .arg(&self.repo);
                measure(c, None)?;
                let mut c = self.cairn_cmd()?;
                c.args([
                    "job",
                    "create",
                    "backup",
                    "bench",
                    "--repo",
                    "bench",
                    "--include",
                ])
                .arg(self.work.join("data"));
                if encrypted {
                    c.args(["--encrypt", "--password-stdin"]);
                    measure(c, Some(&format!("{PASSWORD}\n")))?;
                } else {
                    measure(c, None)?;
                }
            }
            Kind::Restic => {
                let mut c = self.restic();
                c.arg("init");
                measure(c, None)?;
            }
            Kind::Borg => {
                let mut c = self.borg();
                c.args(["init", "--encryption=none"]).arg(&self.repo);
                measure(c, None)?;
            }
        }
        Ok(())
    }

    /// One backup of `src`.
    pub fn backup(&self, src: &Path) -> Result<Measure> {
        match self.kind {
            Kind::Cairn { encrypted } => {
                let mut c = self.cairn_cmd()?;
                c.args(["job", "run", "bench"]);
                if encrypted {
                    c.arg("--password-stdin");
                    return measure(c, Some(&format!("{PASSWORD}\n")));
                }
                measure(c, None)
            }
            Kind::Restic => {
                let mut c = self.restic();
                c.arg("backup").arg(src);
                measure(c, None)
            }
            Kind::Borg => {
                let name = format!(
                    "{}::b{}",
                    self.repo.display(),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.as_nanos())
                        .unwrap_or(0)
                );
                let mut c = self.borg();
                c.args(["create", "--compression", "zstd,3", &name])
                    .arg(src);
                measure(c, None)
            }
        }
    }

    /// Restores the latest backup into `target`.
    pub fn restore(&self, target: &Path) -> Result<Measure> {
        let _ = std::fs::remove_dir_all(target);
        std::fs::create_dir_all(target).map_err(|e| Error::io("create", target, e))?;
        match self.kind {
            Kind::Cairn { encrypted } => {
                let mut c = self.cairn_cmd()?;
                c.args(["restore", "bench", "--to"]).arg(target);
                if encrypted {
                    c.arg("--password-stdin");
                    return measure(c, Some(&format!("{PASSWORD}\n")));
                }
                measure(c, None)
            }
            Kind::Restic => {
                let mut c = self.restic();
                c.args(["restore", "latest", "--target"]).arg(target);
                measure(c, None)
            }
            Kind::Borg => {
                let mut list = self.borg();
                list.args(["list", "--last", "1", "--short"])
                    .arg(&self.repo);
                let out = list
                    .output()
                    .map_err(|e| Error::internal("cannot run borg list").caused_by(e))?;
                let archive = String::from_utf8_lossy(&out.stdout).trim().to_string();
                let mut c = self.borg();
                c.current_dir(target)
                    .arg("extract")
                    .arg(format!("{}::{archive}", self.repo.display()));
                measure(c, None)
            }
        }
    }
}

/// The access key of a local S3-compatible server from the environment
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`), "test" when unset: a
/// local server such as moto takes any.
pub fn env_key() -> (String, String) {
    let var = |n: &str| std::env::var(n).unwrap_or_else(|_| "test".into());
    (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY"))
}
