//! Protection groups of cloud machines through the CLI, against moto's EC2
//! and SQS: discovery by tag, the console's mark, the two queues made once,
//! a machine of another console left alone, an agent heard after it starts
//! with the generated configuration, and the machines released on removal.

use cairn_cloud::{Ec2, Instance, Sqs};
use cairn_tests::cli::Cairn;
use cairn_tests::services::*;
use std::time::Duration;

const TAG: &str = "cairn:console";

fn instance(id: &str) -> Instance {
    Ec2::connect(&aws_access())
        .instances()
        .expect("describe")
        .into_iter()
        .find(|i| i.id == id)
        .expect("the instance")
}

fn add_group(cli: &Cairn, name: &str, selection: &[&str]) {
    let ep = s3_endpoint();
    let mut args = vec![
        "group",
        "add",
        "cloud",
        name,
        "--aws",
        "--region",
        "us-east-1",
        "--endpoint",
        &ep,
        "--access-key-id",
        "AKIAGROUPTEST",
        "--secret-access-key-stdin",
    ];
    args.extend_from_slice(selection);
    cli.ok_stdin(&args, "test\n");
}

pub(crate) fn machines(cli: &Cairn, group: &str) -> Vec<serde_json::Value> {
    let v = cli.ok(&["--json", "group", "show", group]).json();
    v.as_array().expect("machines").clone()
}

pub(crate) fn state_of(machines: &[serde_json::Value], id: &str) -> String {
    machines
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("{id} listed: {machines:?}"))["state"]
        .as_str()
        .expect("state")
        .to_string()
}

#[test]
fn a_group_by_tag_finds_exactly_the_tagged_machines_makes_their_queues_once_and_hears_their_agents()
{
    let dir = tempfile::tempdir().expect("tempdir");
    let cli = Cairn::new(dir.path());
    let tier = unique("web");
    let ec2 = ec2_client();
    let web1 = run_instance(&ec2, &[("Name", "web-1"), ("tier", &tier)]);
    let web2 = run_instance(&ec2, &[("Name", "web-2"), ("tier", &tier)]);
    let _db = run_instance(&ec2, &[("Name", "db"), ("tier", &format!("{tier}-db"))]);
    let foreign = run_instance(&ec2, &[("tier", &tier), (TAG, "another-console")]);
    let tag_arg = format!("tier={tier}");
    add_group(&cli, "Web", &["--tag", &tag_arg]);

    let first = cli.ok(&["--json", "group", "rescan", "Web"]).json();
    assert_eq!(
        (&first["found"], &first["managed"], &first["foreign"]),
        (&3.into(), &2.into(), &1.into()),
        "{first}"
    );
    assert_eq!(
        first["queues_created"], 3,
        "the console's and one per machine: {first}"
    );
    let second = cli.ok(&["--json", "group", "rescan", "Web"]).json();
    assert_eq!(
        (
            &second["queues_created"],
            &second["added"],
            &second["managed"]
        ),
        (&0.into(), &0.into(), &2.into()),
        "a second rescan creates nothing: {second}"
    );

    let listed = machines(&cli, "Web");
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!(state_of(&listed, &web1), "discovered");
    assert_eq!(state_of(&listed, &foreign), "managed_elsewhere");
    let me = instance(&web1)
        .tags
        .get(TAG)
        .cloned()
        .expect("web-1 carries the mark");
    assert_eq!(instance(&web2).tags.get(TAG), Some(&me));
    assert_eq!(
        instance(&foreign).tags.get(TAG).map(String::as_str),
        Some("another-console"),
        "a machine of another console is left alone"
    );
    let sqs = Sqs::connect(&aws_access());
    let queue = format!("cairn-{me}-{web1}");
    assert!(
        sqs.queue_url(&queue).expect("look up").is_some(),
        "{queue} exists"
    );

    let refused = cli.run(
        &[
            "group",
            "agent-config",
            "Web",
            &foreign,
            "--out",
            "/tmp/never",
        ],
        None,
    );
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("managed by another console"),
        "{}",
        refused.stderr
    );

    let config = dir.path().join("web-1.json");
    let state = dir.path().join("agent-state");
    cli.ok(&[
        "group",
        "agent-config",
        "Web",
        "web-1",
        "--out",
        config.to_str().expect("utf-8"),
        "--state-dir",
        state.to_str().expect("utf-8"),
    ]);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&config)
        .expect("config")
        .permissions()
        .mode();
    assert_eq!(
        mode & 0o077,
        0,
        "the configuration holds the key: owner only"
    );
    let mut agent = std::process::Command::new(&cli.bin)
        .args(["agent", "--config"])
        .arg(&config)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .stderr(std::fs::File::create(dir.path().join("agent.log")).expect("log"))
        .spawn()
        .expect("start the agent");
    let mut heard = String::new();
    for _ in 0..30 {
        cli.ok(&["group", "rescan", "Web"]);
        heard = state_of(&machines(&cli, "Web"), &web1);
        if heard == "agent_installed" {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    assert_eq!(heard, "agent_installed", "the agent's hello was heard");
    let row = machines(&cli, "Web")
        .into_iter()
        .find(|m| m["id"] == web1.as_str())
        .expect("web-1");
    assert!(
        !row["agent_version"].as_str().unwrap_or("").is_empty(),
        "{row}"
    );

    let removed = cli.ok(&["--json", "group", "remove", "Web"]).json();
    assert_eq!(removed["released"], 2, "{removed}");
    assert!(
        !instance(&web1).tags.contains_key(TAG),
        "the mark is removed"
    );
    assert!(!instance(&web2).tags.contains_key(TAG));
    assert_eq!(
        instance(&foreign).tags.get(TAG).map(String::as_str),
        Some("another-console")
    );
    assert!(
        sqs.queue_url(&queue).expect("look up").is_none(),
        "the queue is deleted"
    );
    let mut ended = None;
    for _ in 0..60 {
        ended = agent.try_wait().expect("wait");
        if ended.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    if ended.is_none() {
        let _ = agent.kill();
    }
    let log = std::fs::read_to_string(dir.path().join("agent.log")).unwrap_or_default();
    assert!(ended.is_some(), "a released agent stops: {log}");
    assert!(cli
        .ok(&["--json", "group", "list"])
        .json()
        .as_array()
        .expect("groups")
        .is_empty());
}

#[test]
fn exclusions_release_a_machine_and_takeover_claims_one_of_another_console() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cli = Cairn::new(dir.path());
    let tier = unique("app");
    let ec2 = ec2_client();
    let a = run_instance(&ec2, &[("Name", "app-a"), ("tier", &tier)]);
    let b = run_instance(&ec2, &[("Name", "app-b"), ("tier", &tier)]);
    let other = run_instance(&ec2, &[("tier", &tier), (TAG, "another-console")]);
    let tag_arg = format!("tier={tier}");
    add_group(&cli, "App", &["--tag", &tag_arg]);
    cli.ok(&["group", "rescan", "App"]);
    let me = instance(&a).tags.get(TAG).cloned().expect("marked");

    cli.ok(&["group", "edit", "App", "--tag", &tag_arg, "--exclude", &b]);
    let r = cli.ok(&["--json", "group", "rescan", "App"]).json();
    assert_eq!(
        (&r["excluded"], &r["managed"]),
        (&1.into(), &1.into()),
        "{r}"
    );
    assert_eq!(state_of(&machines(&cli, "App"), &b), "excluded");
    assert!(
        !instance(&b).tags.contains_key(TAG),
        "an excluded machine is released"
    );
    let sqs = Sqs::connect(&aws_access());
    assert!(sqs
        .queue_url(&format!("cairn-{me}-{b}"))
        .expect("look up")
        .is_none());

    let taken = cli
        .ok(&["--json", "group", "rescan", "App", "--take-over"])
        .json();
    assert_eq!(
        (&taken["foreign"], &taken["managed"]),
        (&0.into(), &2.into()),
        "{taken}"
    );
    assert_eq!(instance(&other).tags.get(TAG), Some(&me), "taken over");
    assert_eq!(state_of(&machines(&cli, "App"), &other), "discovered");

    let listed = cli.ok(&["group", "list"]).stdout;
    assert!(
        listed.contains("App") && listed.contains("Amazon Web Services (us-east-1)"),
        "{listed}"
    );
    let bad = cli.run(
        &[
            "group",
            "add",
            "cloud",
            "Bad",
            "--aws",
            "--region",
            "us-east-1",
            "--credential",
            "nope",
        ],
        None,
    );
    assert_ne!(bad.code, 0);
    assert!(bad.stderr.contains("nope"), "{}", bad.stderr);
}

/// A machine standing in a folder, served by its own `cairn agent`.
pub(crate) struct Machine {
    id: String,
    pub(crate) root: tempfile::TempDir,
    pub(crate) config: std::path::PathBuf,
    agent: Option<std::process::Child>,
}

impl Machine {
    pub(crate) fn start(&mut self, dir: &std::path::Path) {
        let log = dir.join(format!("{}.log", self.id));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log");
        self.agent = Some(
            std::process::Command::new(cairn_tests::binary("CAIRN_BIN", "cairn"))
                .args(["agent", "--config"])
                .arg(&self.config)
                .arg("--root")
                .arg(self.root.path())
                .env("AWS_ACCESS_KEY_ID", "test")
                .env("AWS_SECRET_ACCESS_KEY", "test")
                .stderr(log)
                .spawn()
                .expect("start the agent"),
        );
    }

    pub(crate) fn kill(&mut self) {
        if let Some(mut a) = self.agent.take() {
            let _ = a.kill();
            let _ = a.wait();
        }
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        self.kill();
    }
}

pub(crate) fn machine(
    cli: &Cairn,
    dir: &std::path::Path,
    group: &str,
    id: &str,
    files: &[(&str, &[u8])],
) -> Machine {
    let root = tempfile::tempdir().expect("root");
    for (name, body) in files {
        let p = root.path().join("srv/www").join(name);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, body).expect("write");
    }
    let config = dir.join(format!("{id}.json"));
    let state = dir.join(format!("{id}-state"));
    cli.ok(&[
        "group",
        "agent-config",
        group,
        id,
        "--out",
        config.to_str().expect("utf-8"),
        "--state-dir",
        state.to_str().expect("utf-8"),
    ]);
    let mut m = Machine {
        id: id.to_string(),
        root,
        config,
        agent: None,
    };
    m.start(dir);
    m
}

/// Pseudo-random bytes (incompressible, so a backup of them takes a while).
fn noise(seed: u32, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// The per-machine tasks of a `job run --json`, by machine name.
pub(crate) fn machine_tasks(
    run: &cairn_tests::cli::Run,
) -> serde_json::Map<String, serde_json::Value> {
    let last = run.stdout.lines().last().expect("a summary line");
    let v: serde_json::Value = serde_json::from_str(last).expect("json");
    v["machines"]
        .as_array()
        .expect("machines")
        .iter()
        .map(|t| (t["name"].as_str().expect("name").to_string(), t.clone()))
        .collect()
}

/// The newest session that has machine tasks (0: none).
fn last_task_session(cli: &Cairn) -> i64 {
    let c = rusqlite::Connection::open(cli.data.join("cairn.sqlite")).expect("catalog");
    c.query_row(
        "SELECT COALESCE(MAX(session_id), 0) FROM session_tasks",
        [],
        |r| r.get(0),
    )
    .expect("query")
}

/// Waits until the task of `machine` in a session after `after` has read
/// data; Err with what was seen last when it does not.
fn wait_task_reading(cli: &Cairn, machine: &str, after: i64) -> Result<(), String> {
    let db = cli.data.join("cairn.sqlite");
    let mut seen = None;
    for _ in 0..600 {
        if let Ok(c) = rusqlite::Connection::open(&db) {
            let reading: Option<(String, i64, String)> = c
                .query_row(
                    "SELECT status, processed, detail FROM session_tasks WHERE name = ?1 AND session_id > ?2 ORDER BY session_id DESC LIMIT 1",
                    rusqlite::params![machine, after],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .ok();
            match &reading {
                Some((s, n, _)) if s == "running" && *n > 0 => return Ok(()),
                Some((s, _, _)) if s == "success" || s == "failed" => {
                    return Err(format!(
                        "{machine} ended before it could be stopped: {reading:?}"
                    ))
                }
                _ => {}
            }
            seen = reading.or(seen);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!(
        "{machine} never started reading; last seen {seen:?}"
    ))
}

pub(crate) fn wait_heard(cli: &Cairn, group: &str, ids: &[&str]) {
    for _ in 0..40 {
        cli.ok(&["group", "rescan", group]);
        let listed = machines(cli, group);
        if ids
            .iter()
            .all(|id| state_of(&listed, id) == "agent_installed")
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("agents {ids:?} were not heard: {:?}", machines(cli, group));
}

#[test]
fn a_job_for_a_group_runs_on_each_agent_straight_into_s3_and_a_silent_agent_fails_only_its_machine()
{
    let dir = tempfile::tempdir().expect("tempdir");
    let cli = Cairn::new(dir.path());
    let bucket = make_bucket(false);
    let add: Vec<String> = s3_repo_add("Cloud", &bucket, Some("repo"));
    cli.ok_stdin(
        &add.iter().map(String::as_str).collect::<Vec<_>>(),
        "secret\n",
    );
    let tier = unique("site");
    let ec2 = ec2_client();
    let a = run_instance(&ec2, &[("Name", "site-a"), ("tier", &tier)]);
    let b = run_instance(&ec2, &[("Name", "site-b"), ("tier", &tier)]);
    let tag_arg = format!("tier={tier}");
    add_group(&cli, "Sites", &["--tag", &tag_arg]);
    cli.ok(&["group", "rescan", "Sites"]);
    let big: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let mut ma = machine(
        &cli,
        dir.path(),
        "Sites",
        &a,
        &[("index.html", b"<h1>a</h1>"), ("img/logo.bin", &big)],
    );
    let mut mb = machine(
        &cli,
        dir.path(),
        "Sites",
        &b,
        &[("index.html", b"<h1>b</h1>")],
    );
    wait_heard(&cli, "Sites", &[&a, &b]);

    cli.ok(&[
        "job",
        "create",
        "backup",
        "Web",
        "--repo",
        "Cloud",
        "--computer",
        "Sites",
        "--include",
        "/srv/www",
    ]);
    let first = cli.ok(&["--json", "job", "run", "Web"]);
    let run = first.summary();
    assert_eq!(run["result"], "success", "{run}");
    assert_eq!(run["stats"]["files"], 3, "{run}");
    let tasks = machine_tasks(&first);
    for name in ["site-a", "site-b"] {
        let t = &tasks[name];
        assert_eq!(t["status"], "success", "{tasks:?}");
        assert!(
            t["detail"]
                .as_str()
                .is_some_and(|d| d.contains("restore point")),
            "{tasks:?}"
        );
    }

    let list = cli.ok(&["--json", "backups", "list"]).json();
    let backups = list.as_array().expect("backups");
    for (m, name) in [(&ma, "site-a"), (&mb, "site-b")] {
        let bk = backups
            .iter()
            .find(|x| x["machine"] == name)
            .unwrap_or_else(|| panic!("a backup of {name}: {list}"));
        assert_eq!(bk["job"], "Web");
        let out = dir.path().join(format!("restored-{name}"));
        cli.ok(&[
            "restore",
            bk["id"].as_str().expect("id"),
            "--to",
            out.to_str().expect("utf-8"),
        ]);
        cairn_tests::tree::assert_same(&m.root.path().join("srv/www"), &out.join("srv/www"));
    }
    let keys: Vec<String> = list_objects(&bucket)
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect();
    assert!(
        keys.iter().all(|k| k.starts_with("repo/")),
        "the agents wrote inside the repository's folder only: {keys:?}"
    );
    let shown = machines(&cli, "Sites");
    assert!(shown.iter().all(|m| m["last_backup"].is_i64()), "{shown:?}");

    // One agent is killed in the middle of its backup.
    kill_mid_backup(&cli, dir.path(), "Cloud", &mut mb, "site-b", "site-a");
    ma.kill();
}

/// Kills `victim`'s agent in the middle of its backup by job Web (given
/// 48 MiB of noise and a 4 GiB sparse file to read, so that it is still
/// reading when its first progress arrives, even against a fast local
/// storage server): its machine fails with the reason, `other`
/// succeeds, repository `repo` stays whole, and once the agent is back the
/// next run completes.
pub(crate) fn kill_mid_backup(
    cli: &Cairn,
    dir: &std::path::Path,
    repo: &str,
    victim: &mut Machine,
    victim_name: &str,
    other: &str,
) {
    std::fs::write(
        victim.root.path().join("srv/www/video.bin"),
        noise(2, 48 << 20),
    )
    .expect("write");
    std::fs::File::create(victim.root.path().join("srv/www/disk.img"))
        .and_then(|f| f.set_len(4 << 30))
        .expect("a sparse file");
    let before = last_task_session(cli);
    let partial = {
        let cli = Cairn::new(dir);
        std::thread::spawn(move || {
            cli.run(
                &["--json", "job", "run", "Web", "--agent-timeout", "30"],
                None,
            )
        })
    };
    let reading = wait_task_reading(cli, victim_name, before);
    victim.kill();
    let partial = partial.join().expect("the run");
    if let Err(why) = reading {
        panic!("{why}\n{}\n{}", partial.stdout, partial.stderr);
    }
    assert_eq!(partial.code, 0, "{}", partial.stderr);
    let report = partial.summary();
    assert_eq!(report["result"], "warning", "{report}");
    let tasks = machine_tasks(&partial);
    assert_eq!(tasks[other]["status"], "success", "{tasks:?}");
    assert_eq!(tasks[victim_name]["status"], "failed", "{tasks:?}");
    assert!(
        tasks[victim_name]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("agent unreachable over the queue")),
        "{tasks:?}"
    );
    cli.ok(&["check", repo, "--full"]);
    victim.start(dir);
    let again = cli.ok(&["--json", "job", "run", "Web"]).summary();
    assert_eq!(again["result"], "success", "{again}");
}
