//! `cairn bench --browse`: a restore point of many small files in many
//! folders (1,000,000 in 50,000 by default), backed up once, then timed as
//! the Backup Browser uses it: opening the point (index and root tree),
//! listing folders with the trees cached, and a name search over the whole
//! point, first from the on-disk tree cache, then from memory.

use crate::args::BenchArgs;
use cairn_console::{CancelToken, NoProgress};
use cairn_console::{Console, Error, Result};
use cairn_model::{BackupJobSettings, Compression, Gfs, Retention};
use serde::Serialize;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// What the browse benchmark measured (milliseconds unless named).
#[derive(Debug, Serialize)]
struct BrowseReport {
    files: u64,
    folders: u64,
    backup_secs: f64,
    open_ms: f64,
    list_median_ms: f64,
    list_max_ms: f64,
    listed_folders: usize,
    search_disk_cache_ms: f64,
    search_memory_ms: f64,
    search_results: usize,
    s3_backup_secs: Option<f64>,
    s3_cold_root_ms: Option<f64>,
    machine: String,
}

/// The benchmark's backup job: the data set, default settings.
fn job_of(src: &Path) -> BackupJobSettings {
    BackupJobSettings {
        includes: vec![src.to_string_lossy().into_owned()],
        include_masks: Vec::new(),
        exclude_masks: Vec::new(),
        compression: Compression::Optimal,
        retention: Retention::Points(7),
        gfs: Gfs::default(),
        ..Default::default()
    }
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Writes `files` one-line files spread over `folders` folders, two levels
/// deep (`d0001/s0001/f0000001.txt`).
fn generate(src: &Path, files: u64, folders: u64) -> Result<()> {
    let top = (folders as f64).sqrt().ceil().max(1.0) as u64;
    let per_top = folders.div_ceil(top);
    let mut made = 0u64;
    for f in 0..folders {
        let dir = src.join(format!("d{:04}/s{:04}", f / per_top, f % per_top));
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
        let n = files / folders + u64::from(f < files % folders);
        for _ in 0..n {
            made += 1;
            let p = dir.join(format!("f{made:07}.txt"));
            std::fs::write(&p, format!("file {made}\n")).map_err(|e| Error::io("write", &p, e))?;
        }
    }
    Ok(())
}

/// Lists every 50th folder once to warm the trees, then times a second
/// listing of each; the times come back sorted.
fn time_listings(console: &Console, id: u64, root: &str, folders: u64) -> Result<Vec<f64>> {
    let top = (folders as f64).sqrt().ceil().max(1.0) as u64;
    let per_top = folders.div_ceil(top);
    let picks: Vec<String> = (0..folders)
        .step_by(50)
        .map(|f| format!("{root}/d{:04}/s{:04}", f / per_top, f % per_top))
        .collect();
    for p in &picks {
        console.browser_list(id, p)?;
    }
    let mut times: Vec<f64> = Vec::with_capacity(picks.len());
    for p in &picks {
        let t = Instant::now();
        console.browser_list(id, p)?;
        times.push(ms(t));
    }
    times.sort_by(f64::total_cmp);
    Ok(times)
}

/// A fresh browser reads trees from the disk cache; the second search
/// runs on the trees it then holds. Answers both times and the hits.
fn time_searches(console: &Console, backup: &str) -> Result<(f64, f64, usize)> {
    let (id, _) = console.open_browser(backup, "latest", None)?;
    let t = Instant::now();
    let (found, _) = console.browser_find(id, "f00000??.txt", 1000)?;
    let disk = ms(t);
    let t = Instant::now();
    console.browser_find(id, "f00000??.txt", 1000)?;
    let memory = ms(t);
    console.close_browser(id);
    Ok((disk, memory, found.len()))
}

/// Creates the benchmark's job in a fresh console and runs it once.
fn backup_once(data: &Path, src: &Path) -> Result<(Console, String, f64)> {
    let _ = std::fs::remove_dir_all(data);
    let console = Console::open(data)?;
    console.create_backup_job(
        "browse-bench",
        cairn_console::DEFAULT_REPOSITORY,
        "",
        job_of(src),
        None,
    )?;
    eprintln!("[bench] backing up");
    let t = Instant::now();
    let report = console.run_job(
        "browse-bench",
        &cairn_console::RunOptions::default(),
        Arc::new(NoProgress),
        &CancelToken::new(),
    )?;
    Ok((console, report.backup, t.elapsed().as_secs_f64()))
}

pub fn run(a: &BenchArgs, json: bool) -> Result<i32> {
    if a.files == 0 || a.folders == 0 || a.folders > a.files {
        return Err(Error::invalid(
            "--files and --folders must be positive, with no more folders than files",
        ));
    }
    let work = match &a.dir {
        Some(d) => d.clone(),
        None => super::tempdir()?,
    };
    let say = |s: &str| eprintln!("[bench] {s}");
    let src = work.join("browse-data");
    if !src.exists() {
        say(&format!(
            "generating {} files in {} folders in {}",
            a.files,
            a.folders,
            src.display()
        ));
        generate(&src, a.files, a.folders)?;
    }
    let data = work.join("browse-console");
    let (console, backup, backup_secs) = backup_once(&data, &src)?;
    say("timing the browser");
    let t = Instant::now();
    let (id, _) = console.open_browser(&backup, "latest", None)?;
    let open_ms = ms(t);
    let times = time_listings(&console, id, &src.to_string_lossy(), a.folders)?;
    console.close_browser(id);
    let (search_disk_cache_ms, search_memory_ms, search_results) =
        time_searches(&console, &backup)?;
    let (s3_backup_secs, s3_cold_root_ms) = match (&a.s3_endpoint, &a.bucket) {
        (Some(ep), Some(bucket)) => {
            let (b, c) = s3(&console, &data, &src, ep, bucket, &say)?;
            (Some(b), Some(c))
        }
        _ => (None, None),
    };
    let r = BrowseReport {
        files: a.files,
        folders: a.folders,
        backup_secs,
        open_ms,
        list_median_ms: times.get(times.len() / 2).copied().unwrap_or(0.0),
        list_max_ms: times.last().copied().unwrap_or(0.0),
        listed_folders: times.len(),
        search_disk_cache_ms,
        search_memory_ms,
        search_results,
        s3_backup_secs,
        s3_cold_root_ms,
        machine: super::machine(),
    };
    if json {
        crate::output::json(&r);
    } else {
        print_table(&r);
    }
    if a.dir.is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    Ok(0)
}

fn print_table(r: &BrowseReport) {
    println!(
        "Browse: {} files in {} folders (backup {:.1} s); machine: {}",
        r.files, r.folders, r.backup_secs, r.machine
    );
    println!("| Measure | Result | Target |");
    println!("|---|---|---|");
    println!(
        "| Open the restore point (index + root) | {:.0} ms | |",
        r.open_ms
    );
    println!(
        "| List a folder, warm (median / max of {}) | {:.2} / {:.2} ms | ≤ 50 ms |",
        r.listed_folders, r.list_median_ms, r.list_max_ms
    );
    println!(
        "| First name search after opening (reads and decodes every tree) | {:.0} ms | |",
        r.search_disk_cache_ms
    );
    println!(
        "| Name search, tree cache warm | {:.0} ms | ≤ 500 ms |",
        r.search_memory_ms
    );
    if let (Some(b), Some(c)) = (r.s3_backup_secs, r.s3_cold_root_ms) {
        println!(
            "| S3: first listing of the root, cold (no tree cache; backup took {b:.1} s) | {c:.0} ms | ≤ 1 s |"
        );
    }
}

/// Backs the data set up to a fresh folder of an S3 bucket, then opens the
/// point with an empty tree cache and lists the root: what a user sees the
/// first time they browse a cloud backup. Returns (backup s, listing ms).
fn s3(
    console: &Console,
    data: &Path,
    src: &Path,
    endpoint: &str,
    bucket: &str,
    say: &dyn Fn(&str),
) -> Result<(f64, f64)> {
    use cairn_console::Sensitive;
    use cairn_console::{S3Settings, StorageClass};
    let settings = S3Settings {
        bucket: bucket.to_string(),
        folder: format!("browse-bench-{}", std::process::id()),
        region: "us-east-1".into(),
        endpoint: Some(endpoint.to_string()),
        credential: String::new(),
        storage_class: StorageClass::Standard,
        immutable_days: None,
    };
    let key = std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_else(|_| "test".into());
    let secret =
        Sensitive::new(std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_else(|_| "test".into()));
    console.add_s3_repository("browse-bench-s3", "", settings, &key, &secret)?;
    console.create_backup_job("browse-bench-s3", "browse-bench-s3", "", job_of(src), None)?;
    say("backing up to S3");
    let t = Instant::now();
    let report = console.run_job(
        "browse-bench-s3",
        &cairn_console::RunOptions::default(),
        Arc::new(NoProgress),
        &CancelToken::new(),
    )?;
    let backup = t.elapsed().as_secs_f64();
    let cache = cairn_console::paths::tree_cache_dir(data);
    let _ = std::fs::remove_dir_all(&cache);
    say("timing the cold first listing on S3");
    let fresh = Console::open(data)?;
    let t = Instant::now();
    let (id, _) = fresh.open_browser(&report.backup, "latest", None)?;
    fresh.browser_list(id, "/")?;
    let cold = ms(t);
    fresh.close_browser(id);
    Ok((backup, cold))
}
