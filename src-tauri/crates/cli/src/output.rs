//! Printing: aligned tables for people, JSON for scripts, and a progress
//! sink that writes a status line (TTY) or JSON lines.

use cairn_console::{
    point_time_label, Change, CheckReport, Difference, Entry, EntryKind, Found, ProgressSink,
    ProgressSnapshot, Version,
};
use cairn_model::LogLevel;
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;

/// Prints rows as an aligned table.
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(headers.iter().map(|h| h.to_string()).collect());
    for r in rows {
        line(r.clone());
    }
}

/// Prints one JSON document.
pub fn json<T: Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("cairn: cannot print JSON: {e}"),
    }
}

/// One JSON line `{"event": event, "report": v}`: the last line of a
/// command that streams progress as JSON lines.
pub fn json_line<T: Serialize>(event: &str, v: &T) {
    let line = serde_json::json!({ "event": event, "report": v });
    println!("{line}");
}

/// Human-readable bytes.
pub fn bytes(n: u64) -> String {
    const U: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < U.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", U[i])
    }
}

/// A restore point's folder as a table.
pub fn entries(entries: &[Entry]) {
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let mut name = String::from_utf8_lossy(&e.name).into_owned();
            if e.kind == EntryKind::Dir {
                name.push('/');
            }
            vec![
                name,
                format!("{:?}", e.kind),
                file_size(e.kind, e.size),
                format!("{:o}", e.mode & 0o7777),
                format!("{}:{}", e.user, e.group),
                point_time_label(e.mtime_ns / 1_000_000_000),
            ]
        })
        .collect();
    table(
        &["Name", "Type", "Size", "Mode", "Owner", "Modified"],
        &rows,
    );
}

/// One folder entry for `browse --json`.
pub fn entry_json(e: &Entry) -> serde_json::Value {
    serde_json::json!({
        "name": String::from_utf8_lossy(&e.name),
        "kind": format!("{:?}", e.kind).to_lowercase(),
        "size": e.size,
        "mode": format!("{:o}", e.mode & 0o7777),
        "user": e.user, "group": e.group,
        "mtime": e.mtime_ns / 1_000_000_000,
    })
}

/// Search results as a table.
pub fn found(found: &[Found]) {
    let rows: Vec<Vec<String>> = found
        .iter()
        .map(|f| {
            vec![
                f.path.clone(),
                format!("{:?}", f.kind),
                file_size(f.kind, f.size),
                point_time_label(f.mtime),
            ]
        })
        .collect();
    table(&["Path", "Kind", "Size", "Modified"], &rows);
}

/// An item's versions as a table.
pub fn versions(versions: &[Version]) {
    let rows: Vec<Vec<String>> = versions
        .iter()
        .map(|v| {
            vec![
                v.point.clone(),
                point_time_label(v.time),
                bytes(v.size),
                point_time_label(v.mtime),
            ]
        })
        .collect();
    table(&["Restore point", "Taken", "Size", "Modified"], &rows);
}

/// Differences as `+`, `-` and `M` lines, and their count.
pub fn differences(diffs: &[Difference]) {
    for d in diffs {
        let mark = match d.change {
            Change::Added => "+",
            Change::Deleted => "-",
            Change::Changed => "M",
        };
        println!("{mark} {}", d.path);
    }
    eprintln!("{} difference(s)", diffs.len());
}

/// A check's findings.
pub fn check_report(repo: &str, report: &CheckReport) {
    println!(
        "{} backup(s), {} restore point(s), {} pack(s), {} chunk(s) verified",
        report.backups, report.restore_points, report.packs, report.blobs_verified
    );
    for e in &report.errors {
        println!("error: {e}");
    }
    for f in &report.damaged_files {
        println!("damaged file: {f}");
    }
    if report.healthy() {
        println!("Repository {repo} is healthy.");
    }
}

/// A file's size; folders and links show none.
fn file_size(kind: EntryKind, size: u64) -> String {
    if kind == EntryKind::File {
        bytes(size)
    } else {
        String::new()
    }
}

/// Progress for the terminal or as JSON lines.
pub struct CliProgress {
    json: bool,
    tty: bool,
    last_len: Mutex<usize>,
}

static PROGRESS_INTERVAL: std::sync::OnceLock<std::time::Duration> = std::sync::OnceLock::new();

/// How often every progress sink of this process reports (`--progress-every`).
pub fn set_progress_interval(every: std::time::Duration) {
    let _ = PROGRESS_INTERVAL.set(every);
}

impl CliProgress {
    /// A sink printing JSON lines on stdout (`json`, for `job run --json`
    /// and `prune --json`), or text on stderr (every other command, so
    /// `--json` output stays one document).
    pub fn new(json: bool) -> Self {
        Self {
            json,
            tty: std::io::stderr().is_terminal(),
            last_len: Mutex::new(0),
        }
    }
    fn clear(&self) {
        if let Ok(mut n) = self.last_len.lock() {
            if *n > 0 {
                eprint!("\r{}\r", " ".repeat(*n));
                *n = 0;
            }
        }
    }
}

#[derive(Serialize)]
struct JsonLine<'a, T: Serialize> {
    event: &'a str,
    #[serde(flatten)]
    data: T,
}

impl ProgressSink for CliProgress {
    fn interval(&self) -> std::time::Duration {
        PROGRESS_INTERVAL
            .get()
            .copied()
            .unwrap_or(cairn_console::progress::DEFAULT_INTERVAL)
    }

    fn progress(&self, p: &ProgressSnapshot) {
        if self.json {
            if let Ok(s) = serde_json::to_string(&JsonLine {
                event: "progress",
                data: p,
            }) {
                println!("{s}");
            }
        } else if self.tty {
            let eta = p
                .eta
                .map(|e| format!(", ETA {}s", e as u64))
                .unwrap_or_default();
            let text = format!(
                "{} files, {} processed, {} read, {} written, {}/s{eta}",
                p.files,
                bytes(p.bytes_processed),
                bytes(p.bytes_read),
                bytes(p.bytes_written),
                bytes(p.rate as u64)
            );
            if let Ok(mut n) = self.last_len.lock() {
                eprint!("\r{text:<w$}", w = *n);
                *n = text.len();
            }
            let _ = std::io::stderr().flush();
        }
    }

    fn log(&self, level: LogLevel, message: &str) {
        if self.json {
            #[derive(Serialize)]
            struct L<'a> {
                level: &'a str,
                message: &'a str,
            }
            if let Ok(s) = serde_json::to_string(&JsonLine {
                event: "log",
                data: L {
                    level: level.word(),
                    message,
                },
            }) {
                println!("{s}");
            }
        } else {
            self.clear();
            eprintln!("[{}] {message}", level.word());
        }
    }
}

impl Drop for CliProgress {
    fn drop(&mut self) {
        if !self.json {
            self.clear();
        }
    }
}

/// `cairn external list`.
pub fn external_repositories(rows: &[cairn_model::ExternalRepositoryRow]) {
    let t: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let last = r.last_rescan.map(cairn_console::point_time_label);
            vec![
                r.name.clone(),
                r.kind.label().into(),
                r.bucket.clone(),
                r.folder.clone(),
                r.owner.clone(),
                last.unwrap_or_else(|| "never".into()),
                r.backups.to_string(),
                r.restore_points.to_string(),
            ]
        })
        .collect();
    let head = [
        "Name",
        "Type",
        "Bucket/container",
        "Folder",
        "Owner",
        "Last rescan",
        "Backups",
        "Restore points",
    ];
    table(&head, &t);
}

/// `backups list`: each backup, then its restore points.
pub fn listed_backups(all: &[cairn_model::BackupListing]) {
    if all.is_empty() {
        println!("No backups yet. Create a job with `cairn job create backup` and run it.");
    }
    for b in all {
        let external = if b.location == "external" {
            " (external)"
        } else {
            ""
        };
        let encrypted = if b.encrypted { "  encrypted" } else { "" };
        let imported = if b.imported { "  imported" } else { "" };
        if b.sealed {
            println!(
                "{}  (encrypted: give its password to see job, machine and sizes)  {}{imported}",
                b.id, b.repository
            );
        } else {
            println!(
                "{}  {} ({})  {}{external}  {}{encrypted}{imported}",
                b.id, b.job, b.machine, b.repository, b.platform
            );
        }
        for p in &b.restore_points {
            let gfs = if p.gfs.is_empty() {
                String::new()
            } else {
                format!("  GFS: {}", p.gfs.join(","))
            };
            println!(
                "    {}  {}  {:<9}  {}{gfs}",
                p.id,
                cairn_console::point_time_label(p.time),
                p.kind,
                bytes(p.size)
            );
        }
    }
}
