//! `cairn bench`: generates a reproducible data set and times, in one run on
//! the same data, Cairn and each installed peer (restic, borg): initial
//! backup, unchanged re-backup, re-backup after changing 1% of files, full
//! restore; plus repository size and peak memory, and `tar | zstd -T0 -3`
//! as the practical ceiling. Reports ratios Cairn / peer.

mod agents;
mod browse;
mod data;
mod hostile;
mod rescan;
mod tools;

use crate::args::BenchArgs;
use cairn_console::{Error, Result};
use serde::Serialize;
use std::path::Path;
use tools::{Measure, Tool};

/// One tool's numbers.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ToolResult {
    /// Tool name.
    pub tool: String,
    /// Seconds: initial backup.
    pub initial: f64,
    /// Seconds: second backup, nothing changed.
    pub unchanged: f64,
    /// Seconds: backup after changing 1% of files.
    pub changed: f64,
    /// Seconds: full restore.
    pub restore: f64,
    /// Repository bytes after the three backups.
    pub repo_bytes: u64,
    /// Peak resident memory of the initial backup, bytes.
    pub peak_rss: u64,
}

/// The whole report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Data set bytes.
    pub data_bytes: u64,
    /// Data set files.
    pub data_files: u64,
    /// Seconds for `tar -cf - DIR | zstd -T0 -3 > /dev/null`.
    pub tar_zstd: f64,
    /// Per tool.
    pub tools: Vec<ToolResult>,
    /// Machine description.
    pub machine: String,
}

fn mb_s(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / 1_048_576.0 / secs.max(1e-9)
}

/// Runs the benchmark.
pub fn run(a: &BenchArgs, json: bool) -> Result<i32> {
    if a.what == crate::args::BenchKind::Agents {
        return agents::run(a, json);
    }
    if a.what == crate::args::BenchKind::Rescan {
        return rescan::run(a, json);
    }
    if a.what == crate::args::BenchKind::Hostile {
        return hostile::run(json);
    }
    if a.browse || a.what == crate::args::BenchKind::Browse {
        return browse::run(a, json);
    }
    if !(a.size > 0.0 && a.size <= 1000.0) {
        return Err(Error::invalid("--size must be between 0 and 1000 GB"));
    }
    let tmp;
    let work = match &a.dir {
        Some(d) => d.clone(),
        None => {
            tmp = tempdir()?;
            tmp.clone()
        }
    };
    let src = work.join("data");
    let say = |s: &str| eprintln!("[bench] {s}");
    say(&format!(
        "generating {:.1} GB of data in {}",
        a.size,
        src.display()
    ));
    let (files, bytes) = data::generate(&src, (a.size * 1e9) as u64)?;
    let mut tools: Vec<Tool> = vec![Tool::cairn(&work)?, Tool::cairn_encrypted(&work)?];
    for p in &a.peers {
        match Tool::peer(p, &work) {
            Some(t) => tools.push(t),
            None => say(&format!("{p} is not installed; skipped")),
        }
    }
    say("timing tar | zstd -T0 -3 (the ceiling)");
    let tar = tools::time_shell(&format!(
        "tar -cf - -C '{}' . | zstd -q -T0 -3 > /dev/null",
        src.display()
    ))?;
    let results = measure(&tools, &src, &work)?;
    let report = Report {
        data_bytes: bytes,
        data_files: files,
        tar_zstd: tar.secs,
        tools: results,
        machine: machine(),
    };
    if json {
        crate::output::json(&report);
    } else {
        print_markdown(&report);
    }
    if a.dir.is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    Ok(0)
}

/// Times every tool: initial and unchanged backup, a backup after 1% of
/// the files changed, and a full restore (checked against the data set).
fn measure(all: &[Tool], src: &Path, work: &Path) -> Result<Vec<ToolResult>> {
    let say = |s: &str| eprintln!("[bench] {s}");
    let mut results: Vec<ToolResult> = all
        .iter()
        .map(|t| ToolResult {
            tool: t.name.clone(),
            ..Default::default()
        })
        .collect();
    for (t, r) in all.iter().zip(results.iter_mut()) {
        say(&format!("{}: initial backup", t.name));
        t.init()?;
        let m: Measure = t.backup(src)?;
        r.initial = m.secs;
        r.peak_rss = m.peak_rss;
        say(&format!("{}: unchanged backup", t.name));
        r.unchanged = t.backup(src)?.secs;
    }
    say("changing 1% of the files");
    data::change_one_percent(src)?;
    for (t, r) in all.iter().zip(results.iter_mut()) {
        say(&format!("{}: backup after the change", t.name));
        r.changed = t.backup(src)?.secs;
        r.repo_bytes = tools::du(&t.repo)?;
        say(&format!("{}: full restore", t.name));
        let target = work.join(format!("restore-{}", t.slug));
        r.restore = t.restore(&target)?.secs;
        verify_restore(src, &target)?;
        let _ = std::fs::remove_dir_all(&target);
    }
    Ok(results)
}

/// Restored trees must hold the data set (spot check: total bytes).
fn verify_restore(src: &Path, target: &Path) -> Result<()> {
    let want = tools::du(src)?;
    let got = tools::du(target)?;
    if got < want {
        return Err(Error::internal(format!(
            "a restore into {} holds {got} bytes, the data set {want}: the benchmark stopped",
            target.display()
        )));
    }
    Ok(())
}

pub(crate) fn tempdir() -> Result<std::path::PathBuf> {
    let d = std::env::temp_dir().join(format!("cairn-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).map_err(|e| Error::io("create", &d, e))?;
    Ok(d)
}

pub(crate) fn machine() -> String {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_default();
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map(|k| format!("{:.0} GiB", k as f64 / 1_048_576.0))
        .unwrap_or_default();
    format!("{cpus} cores ({model}), {mem} RAM")
}

/// One row of MiB per tool and Cairn's share of each peer's.
fn ratio_row(
    r: &Report,
    peers: &[&ToolResult],
    label: &str,
    what: &str,
    get: fn(&ToolResult) -> u64,
) {
    let mib = |t: &ToolResult| format!("{:.0} MiB", get(t) as f64 / 1_048_576.0);
    let vals: Vec<String> = r.tools.iter().map(mib).collect();
    let cairn = get(&r.tools[0]) as f64;
    let ratios: Vec<String> = peers
        .iter()
        .map(|t| format!("{:.2}× {what}", cairn / get(t).max(1) as f64))
        .collect();
    println!(
        "| {label} | {} | {} |",
        vals.join(" | "),
        ratios.join(" | ")
    );
}

fn print_markdown(r: &Report) {
    let gb = r.data_bytes as f64 / 1e9;
    println!(
        "Data set: {:.2} GB in {} files; machine: {}",
        gb, r.data_files, r.machine
    );
    println!(
        "tar | zstd -T0 -3: {:.1} s ({:.0} MiB/s)\n",
        r.tar_zstd,
        mb_s(r.data_bytes, r.tar_zstd)
    );
    let cairn = &r.tools[0];
    // Ratios are against the peers only (Cairn encrypted is a reference row).
    let peers: Vec<&ToolResult> = r
        .tools
        .iter()
        .filter(|t| !t.tool.starts_with("Cairn"))
        .collect();
    let head: Vec<String> = r.tools.iter().map(|t| t.tool.clone()).collect();
    let ratio_head: Vec<String> = peers
        .iter()
        .map(|t| format!("Cairn vs {}", t.tool))
        .collect();
    println!("| | {} | {} |", head.join(" | "), ratio_head.join(" | "));
    println!("|---|{}|", vec!["---"; head.len() + peers.len()].join("|"));
    type Get = fn(&ToolResult) -> f64;
    let rows: [(&str, Get); 4] = [
        ("initial backup (s)", |t| t.initial),
        ("unchanged backup (s)", |t| t.unchanged),
        ("1% changed backup (s)", |t| t.changed),
        ("full restore (s)", |t| t.restore),
    ];
    for (label, get) in rows {
        let vals: Vec<String> = r.tools.iter().map(|t| format!("{:.2}", get(t))).collect();
        let ratios: Vec<String> = peers
            .iter()
            .map(|t| format!("{:.2}× faster", get(t) / get(cairn).max(1e-9)))
            .collect();
        println!(
            "| {label} | {} | {} |",
            vals.join(" | "),
            ratios.join(" | ")
        );
    }
    ratio_row(r, &peers, "repository size", "the size", |t| t.repo_bytes);
    ratio_row(r, &peers, "peak RSS (initial backup)", "the memory", |t| {
        t.peak_rss
    });
    println!(
        "\nInitial backup throughput: Cairn {:.0} MiB/s = {:.0}% of tar | zstd -T0 -3.",
        mb_s(r.data_bytes, cairn.initial),
        100.0 * r.tar_zstd / cairn.initial.max(1e-9)
    );
}
