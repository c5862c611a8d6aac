//! `cairn bench rescan`: an external repository of N backups × P restore
//! points on an S3 service point (a local S3 server such as moto), written
//! the way an appliance writes it, then rescanned by a console three times:
//! first (every backup new), with nothing changed, and after the appliance
//! added a restore point to one backup. Reports time and request counts.

use crate::args::BenchArgs;
use cairn_console::appliance::{self, ApplianceBackup, Platform};
use cairn_console::Repository;
use cairn_console::Sensitive;
use cairn_console::Storage;
use cairn_console::{BackupMeta, PointSummary};
use cairn_console::{CancelToken, NoProgress};
use cairn_console::{Console, Error, Result};
use cairn_console::{S3Settings, S3Storage, StorageClass};
use cairn_model::{Compression, RepositoryTarget, RescanReport, Secret};
use serde::Serialize;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Serialize)]
struct RescanBench {
    backups: u32,
    points: u32,
    write_secs: f64,
    first: RescanReport,
    unchanged: RescanReport,
    one_changed: RescanReport,
    machine: String,
}

/// Writes `points` restore points for machine number `m`, all with the
/// real point's tree, and the backup's metadata object.
fn write_machine(
    repo: &Repository,
    template: &cairn_console::Manifest,
    m: u32,
    points: u32,
    extra: bool,
) -> Result<()> {
    let ks = repo.default_keyset()?;
    let machine = format!("i-{m:017x}");
    let backup = cairn_console::backup_id("policy:bench", &machine);
    let mut summaries = Vec::new();
    let base = template.time - i64::from(points) * 3600;
    let n = points + u32::from(extra);
    for p in 0..n {
        let time = base + i64::from(p) * 3600;
        let mut mf = template.clone();
        mf.id = format!(
            "{}.{:06}Z",
            cairn_console::new_point_id(time)
                .split('.')
                .next()
                .unwrap_or(""),
            p
        );
        mf.backup = backup.clone();
        mf.machine = machine.clone();
        mf.time = time;
        mf.kind = if p == 0 {
            "full".into()
        } else {
            "increment".into()
        };
        if !extra || p == n - 1 {
            repo.write_manifest(&ks, &mf)?;
        }
        summaries.push(PointSummary {
            id: mf.id.clone(),
            time,
            kind: mf.kind.clone(),
            size: mf.stats.bytes,
            gfs: Vec::new(),
            stored: mf.stats.bytes_written,
            origin: String::new(),
        });
    }
    repo.write_backup_meta(
        &ks,
        &BackupMeta {
            id: backup,
            job: "bench".into(),
            machine,
            platform: "EC2".into(),
            keyset: ks.id().to_string(),
            region: "us-east-1".into(),
            writer: "appliance".into(),
            points: summaries,
        },
    )?;
    Ok(())
}

/// The bucket the bench writes to, with the credentials from the
/// environment (a local S3 server takes any).
struct Bucket {
    endpoint: String,
    bucket: String,
    folder: String,
    key: String,
    secret: String,
}

impl Bucket {
    fn from_args(a: &BenchArgs) -> Result<Self> {
        let (Some(endpoint), Some(bucket)) = (&a.s3_endpoint, &a.bucket) else {
            return Err(Error::invalid(
                "cairn bench rescan needs --s3-endpoint URL and --bucket NAME (an existing bucket of a local S3 server such as moto)",
            ));
        };
        if a.backups == 0 || a.points == 0 {
            return Err(Error::invalid("--backups and --points must be positive"));
        }
        let (key, secret) = super::tools::env_key();
        Ok(Self {
            endpoint: endpoint.clone(),
            bucket: bucket.clone(),
            folder: format!("rescan-bench-{}", std::process::id()),
            key,
            secret,
        })
    }

    fn storage(&self) -> Result<Arc<dyn Storage>> {
        let settings = S3Settings {
            bucket: self.bucket.clone(),
            folder: self.folder.clone(),
            region: "us-east-1".into(),
            endpoint: Some(self.endpoint.clone()),
            credential: String::new(),
            storage_class: StorageClass::Standard,
            immutable_days: None,
        };
        let secret = Sensitive::new(self.secret.clone());
        Ok(Arc::new(S3Storage::connect(settings, &self.key, &secret)?))
    }

    fn target(&self) -> RepositoryTarget {
        RepositoryTarget::S3 {
            region: "us-east-1".into(),
            endpoint: Some(self.endpoint.clone()),
            access_key_id: self.key.clone(),
            secret_access_key: Secret(self.secret.clone()),
            bucket: self.bucket.clone(),
            folder: self.folder.clone(),
            storage_class: "standard".into(),
            immutable_days: None,
        }
    }
}

/// A small folder the appliance backs up once: its point is the
/// template of every synthesized one.
fn source_folder(work: &std::path::Path) -> Result<std::path::PathBuf> {
    let src = work.join("machine");
    std::fs::create_dir_all(&src).map_err(|e| Error::io("create", &src, e))?;
    for i in 0..20 {
        let f = src.join(format!("file{i}.txt"));
        std::fs::write(&f, format!("data of file {i}\n").repeat(100))
            .map_err(|e| Error::io("write", &f, e))?;
    }
    Ok(src)
}

/// Backs the folder up as an appliance would and reads its point back
/// as the template.
fn template_point(
    storage: &Arc<dyn Storage>,
    src: &std::path::Path,
) -> Result<(Repository, cairn_console::Manifest)> {
    let real = appliance::backup(
        storage.clone(),
        &ApplianceBackup {
            policy: "bench-template".into(),
            machine: "template".into(),
            platform: Platform::Ec2,
            region: "us-east-1".into(),
            source: src.to_path_buf(),
            compression: Compression::Optimal,
            retain_points: None,
            password: None,
        },
        Arc::new(NoProgress),
        &CancelToken::new(),
    )?;
    let repo = Repository::open(storage.clone(), "bench")?;
    let template = repo.read_manifest(&repo.default_keyset()?, &real.backup, &real.point)?;
    // The template point's tree stays (the synthesized points use it).
    repo.delete_backup(&real.backup)?;
    Ok((repo, template))
}

/// Writes every machine's backup with sixteen writer threads.
fn write_machines(
    repo: &Repository,
    template: &cairn_console::Manifest,
    a: &BenchArgs,
) -> Result<()> {
    let workers = 16u32;
    std::thread::scope(|s| -> Result<()> {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                s.spawn(move || -> Result<()> {
                    let mut m = w;
                    while m < a.backups {
                        write_machine(repo, template, m, a.points, false)?;
                        m += workers;
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join()
                .map_err(|_| Error::internal("a writer thread panicked"))??;
        }
        Ok(())
    })
}

/// The three rescans: first, unchanged, and after one backup grew.
fn rescan_three(
    console: &Console,
    repo: &Repository,
    template: &cairn_console::Manifest,
    points: u32,
) -> Result<[RescanReport; 3]> {
    let say = |s: &str| eprintln!("[bench] {s}");
    let rec = console.external_named("rescan-bench")?;
    say("rescan 1: every backup is new");
    let first = console.rescan_one(&rec, &NoProgress);
    say("rescan 2: nothing changed");
    let unchanged = console.rescan_one(&rec, &NoProgress);
    say("the appliance adds a restore point to one backup");
    write_machine(repo, template, 0, points, true)?;
    say("rescan 3: one backup changed");
    let one_changed = console.rescan_one(&rec, &NoProgress);
    for r in [&first, &unchanged, &one_changed] {
        if let Some(e) = &r.error {
            return Err(Error::storage(format!("the rescan failed: {e}")));
        }
    }
    Ok([first, unchanged, one_changed])
}

pub fn run(a: &BenchArgs, json: bool) -> Result<i32> {
    let bucket = Bucket::from_args(a)?;
    let work = match &a.dir {
        Some(d) => d.clone(),
        None => super::tempdir()?,
    };
    let src = source_folder(&work)?;
    let storage = bucket.storage()?;
    eprintln!(
        "[bench] writing {} backups × {} restore points to {}",
        a.backups,
        a.points,
        storage.describe()
    );
    let t = Instant::now();
    let (repo, template) = template_point(&storage, &src)?;
    write_machines(&repo, &template, a)?;
    let write_secs = t.elapsed().as_secs_f64();
    let data = work.join("console");
    let _ = std::fs::remove_dir_all(&data);
    let console = Console::open(&data)?;
    console.connect_external("rescan-bench", "", &bucket.target(), None, true)?;
    let [first, unchanged, one_changed] = rescan_three(&console, &repo, &template, a.points)?;
    let r = RescanBench {
        backups: a.backups,
        points: a.points,
        write_secs,
        first,
        unchanged,
        one_changed,
        machine: super::machine(),
    };
    eprintln!("[bench] removing the bench folder from the bucket");
    for o in storage.list("")? {
        let _ = storage.delete(&o.key);
    }
    if a.dir.is_none() {
        let _ = std::fs::remove_dir_all(&work);
    }
    if json {
        crate::output::json(&r);
    } else {
        print_table(&r, &bucket.endpoint);
    }
    Ok(0)
}

fn print_table(r: &RescanBench, endpoint: &str) {
    println!(
        "Rescan of an external repository: {} backups × {} restore points on {endpoint} (written in {:.1} s); machine: {}",
        r.backups, r.points, r.write_secs, r.machine
    );
    println!("| Rescan | Backups | Restore points | +added / -removed | Metadata objects read | Requests | Time | Target |");
    println!("|---|---|---|---|---|---|---|---|");
    for (what, x, target) in [
        ("First (every backup new)", &r.first, "≤ 5 s"),
        ("Nothing changed", &r.unchanged, "≤ 1 s"),
        ("One backup got a restore point", &r.one_changed, ""),
    ] {
        println!(
            "| {what} | {} | {} | +{} / -{} | {} | {} | {:.2} s | {target} |",
            x.backups,
            x.restore_points,
            x.added,
            x.removed,
            x.metadata_read,
            x.requests,
            x.duration_ms as f64 / 1000.0
        );
    }
}
