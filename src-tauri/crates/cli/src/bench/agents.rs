//! `cairn bench agents --count N --s3-endpoint URL --bucket B`: N cloud
//! machines launched in a compatible EC2/SQS/STS/S3 service (a local moto),
//! one protection group of them rescanned (two queues each), N agent loops
//! in one child process (`cairn agent --config …`), a status round to every
//! agent, then a backup job for the group with a small folder per machine.
//! Reports messages per second, p50/p99 from command to answer, and the
//! console's CPU time and peak memory (the agents run in the child, so
//! they are not counted).

use crate::args::BenchArgs;
use cairn_console::{AwsAccess, CancelToken, Console, Ec2, Error, NoProgress, Result};
use cairn_console::{RunOptions, Sensitive, Takeover};
use cairn_model::api::TaskStatus;
use cairn_model::{
    BackupJobSettings, CloudAccount, CloudGroupSettings, MachineSelection, MachineState,
    RepositoryTarget, Secret, TagMatch,
};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one phase cost the console.
#[derive(Debug, Serialize, Default)]
struct Phase {
    /// Wall seconds.
    secs: f64,
    /// The console's CPU seconds (user + system).
    cpu_secs: f64,
    /// Messages sent and received by the console.
    messages: u64,
    /// Messages per wall second.
    messages_per_sec: f64,
    /// Median from command to answer, milliseconds.
    p50_ms: u64,
    /// 99th percentile, milliseconds.
    p99_ms: u64,
    /// Machines that answered (status) or made a restore point (backup).
    ok: u32,
}

#[derive(Debug, Serialize)]
struct AgentsBench {
    count: u32,
    /// Seconds to launch the machines and rescan the group (queues made).
    setup_secs: f64,
    status: Phase,
    backup: Phase,
    /// The console's peak resident memory, bytes.
    peak_rss: u64,
    machine: String,
}

/// CPU seconds this process used so far.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name: utime is 14th, stime 15th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn phase(start: Instant, cpu0: f64, messages: u64, mut lat: Vec<u64>, ok: u32) -> Phase {
    lat.sort_unstable();
    let secs = start.elapsed().as_secs_f64();
    Phase {
        secs,
        cpu_secs: cpu_secs() - cpu0,
        messages,
        messages_per_sec: messages as f64 / secs.max(1e-9),
        p50_ms: percentile(&lat, 0.5),
        p99_ms: percentile(&lat, 0.99),
        ok,
    }
}

/// The service the bench runs against, with the environment's key (a
/// local server takes any).
struct Service {
    endpoint: String,
    bucket: String,
    key: String,
    secret: String,
    tag: String,
}

impl Service {
    fn from_args(a: &BenchArgs) -> Result<Self> {
        let (Some(endpoint), Some(bucket)) = (&a.s3_endpoint, &a.bucket) else {
            return Err(Error::invalid(
                "cairn bench agents needs --s3-endpoint URL and --bucket NAME (a local EC2/SQS/STS/S3 server such as moto, and an existing bucket)",
            ));
        };
        if !(1..=1000).contains(&a.count) {
            return Err(Error::invalid("--count must be between 1 and 1000"));
        }
        let (key, secret) = super::tools::env_key();
        Ok(Self {
            endpoint: endpoint.clone(),
            bucket: bucket.clone(),
            key,
            secret,
            tag: format!("agents-bench-{}", std::process::id()),
        })
    }

    fn access(&self) -> AwsAccess {
        AwsAccess {
            access_key_id: self.key.clone(),
            secret: Sensitive::new(self.secret.clone()),
            session_token: None,
            region: "us-east-1".into(),
            endpoint: Some(self.endpoint.clone()),
        }
    }

    fn repository(&self) -> RepositoryTarget {
        RepositoryTarget::S3 {
            region: "us-east-1".into(),
            endpoint: Some(self.endpoint.clone()),
            access_key_id: self.key.clone(),
            secret_access_key: Secret(self.secret.clone()),
            bucket: self.bucket.clone(),
            folder: self.tag.clone(),
            storage_class: "standard".into(),
            immutable_days: None,
        }
    }

    fn group(&self) -> CloudGroupSettings {
        CloudGroupSettings {
            account: CloudAccount::Aws {
                credential: String::new(),
                regions: vec!["us-east-1".into()],
                endpoint: Some(self.endpoint.clone()),
            },
            selection: MachineSelection::Tags {
                tags: vec![TagMatch {
                    key: "bench".into(),
                    value: self.tag.clone(),
                }],
                all: false,
            },
            exclusions: Vec::new(),
            rescan_at: None,
            queue_region: "us-east-1".into(),
            distribution: None,
        }
    }
}

/// Writes each machine's agent configuration and a small folder to back
/// up under `roots/<id>`, then starts one process serving them all.
fn start_agents(console: &Console, svc: &Service, work: &Path, ids: &[String]) -> Result<Child> {
    let roots = work.join("roots");
    let mut configs = Vec::new();
    for id in ids {
        let cfg = console.agent_config("bench", id, Some(work.join("state").join(id)))?;
        let file = work.join("configs").join(format!("{id}.json"));
        std::fs::create_dir_all(file.parent().unwrap_or(work))
            .map_err(|e| Error::io("create", work, e))?;
        cfg.save(&file)?;
        configs.push(file);
        let data = roots.join(id).join("srv/data");
        std::fs::create_dir_all(&data).map_err(|e| Error::io("create", &data, e))?;
        for i in 0..5 {
            let f = data.join(format!("file{i}.txt"));
            std::fs::write(&f, format!("{id} file {i}\n").repeat(200))
                .map_err(|e| Error::io("write", &f, e))?;
        }
    }
    let exe = std::env::current_exe().map_err(|e| Error::io("find", Path::new("cairn"), e))?;
    let log =
        std::fs::File::create(work.join("agents.log")).map_err(|e| Error::io("create", work, e))?;
    Command::new(exe)
        .arg("agent")
        .arg("--config")
        .args(&configs)
        .arg("--root")
        .arg(&roots)
        .env("AWS_ACCESS_KEY_ID", &svc.key)
        .env("AWS_SECRET_ACCESS_KEY", &svc.secret)
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| Error::io("start", Path::new("cairn agent"), e))
}

/// Rescans until every machine's agent has been heard.
fn wait_heard(console: &Console, count: usize) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(300) {
        console.rescan_group("bench", Takeover::No)?;
        let heard = console
            .machine_rows("bench")?
            .iter()
            .filter(|m| m.state == MachineState::AgentInstalled)
            .count();
        if heard == count {
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    Err(Error::storage(
        "not every agent answered within 5 minutes; see agents.log in the work folder",
    ))
}

fn status_round(console: &Console) -> Result<Phase> {
    let (t, cpu) = (Instant::now(), cpu_secs());
    let answers = console.agents_status("bench", Duration::from_secs(120))?;
    let lat: Vec<u64> = answers.iter().filter_map(|a| a.latency_ms).collect();
    let ok = lat.len() as u32;
    let messages = answers.len() as u64 + u64::from(ok);
    Ok(phase(t, cpu, messages, lat, ok))
}

fn backup_round(console: &Console, count: u32) -> Result<Phase> {
    let settings = BackupJobSettings {
        includes: vec!["/srv/data".into()],
        computers: vec!["bench".into()],
        ..Default::default()
    };
    console.create_backup_job("bench", "bench", "", settings, None)?;
    let (t, cpu) = (Instant::now(), cpu_secs());
    let report = console.run_job(
        "bench",
        &RunOptions::default(),
        Arc::new(NoProgress),
        &CancelToken::new(),
    )?;
    let tasks = console.session_details(report.session, i64::MAX)?.tasks;
    let lat: Vec<u64> = tasks
        .iter()
        .filter_map(|k| Some((k.ended? - k.started?).max(0) as u64 * 1000))
        .collect();
    let ok = tasks
        .iter()
        .filter(|k| k.status == TaskStatus::Success)
        .count() as u32;
    // An order and a result per machine; progress messages are not counted.
    Ok(phase(t, cpu, 2 * u64::from(count), lat, ok))
}

pub fn run(a: &BenchArgs, json: bool) -> Result<i32> {
    let svc = Service::from_args(a)?;
    let work: PathBuf = match &a.dir {
        Some(d) => d.clone(),
        None => super::tempdir()?,
    };
    let say = |s: &str| eprintln!("[bench] {s}");
    let console = Console::open(&work.join("console"))?;
    let t = Instant::now();
    say(&format!(
        "launching {} machines tagged bench={}",
        a.count, svc.tag
    ));
    let ids = Ec2::connect(&svc.access()).launch(
        "ami-12c6146b",
        a.count as i32,
        &[("bench", &svc.tag)],
    )?;
    console.add_repository("bench", "", &svc.repository())?;
    let key = Sensitive::new(svc.secret.clone());
    console.add_cloud_group("bench", "", svc.group(), Some((&svc.key, &key)))?;
    say("rescanning the group (two queues per machine)");
    console.rescan_group("bench", Takeover::No)?;
    let setup_secs = t.elapsed().as_secs_f64();
    let mut agents = start_agents(&console, &svc, &work, &ids)?;
    say("waiting for every agent's hello");
    let measured = wait_heard(&console, ids.len()).and_then(|()| {
        say("status round");
        let status = status_round(&console)?;
        say("backup job for the group");
        Ok((status, backup_round(&console, a.count)?))
    });
    say("removing the group (the agents are told to stop)");
    let _ = console.remove_group("bench");
    let _ = agents.kill();
    let _ = agents.wait();
    let (status, backup) = measured?;
    let r = AgentsBench {
        count: a.count,
        setup_secs,
        status,
        backup,
        peak_rss: peak_rss(),
        machine: super::machine(),
    };
    if json {
        crate::output::json(&r);
    } else {
        print_table(&r);
    }
    Ok(0)
}

fn print_table(r: &AgentsBench) {
    println!(
        "{} agents in one process against the local queue server; machines launched and rescanned in {:.1} s; machine: {}",
        r.count, r.setup_secs, r.machine
    );
    println!("| Round | Answered | Time | Messages/s | p50 | p99 | Console CPU |");
    println!("|---|---|---|---|---|---|---|");
    for (what, p) in [
        ("Status to every agent", &r.status),
        ("Backup job (small folder each)", &r.backup),
    ] {
        println!(
            "| {what} | {}/{} | {:.1} s | {:.0} | {} ms | {} ms | {:.2} s |",
            p.ok, r.count, p.secs, p.messages_per_sec, p.p50_ms, p.p99_ms, p.cpu_secs
        );
    }
    println!("Console peak memory: {} MiB", r.peak_rss / 1_048_576);
}
