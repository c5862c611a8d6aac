//! Agents installed, updated, stepped in for and removed through AWS
//! Systems Manager from a distribution repository, against moto (EC2, SSM,
//! SQS, S3 with signed addresses, STS) and the machine stand-in of
//! `cairn_tests::machine`, which plays each instance's own Systems Manager
//! agent on a sandbox folder.

use super::protection_groups::{machine_tasks, state_of};
use cairn_cloud::{Ec2, Sqs, Ssm};
use cairn_tests::cli::{Cairn, Run};
use cairn_tests::machine::{agent_running as alive, MachineStandIn, Sandbox};
use cairn_tests::services::*;
use std::path::{Path, PathBuf};

/// The console's commands, with its agent packages in `packages`.
pub(super) struct Console {
    pub(super) cli: Cairn,
    packages: PathBuf,
}

impl Console {
    pub(super) fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let pkgs = self.packages.to_string_lossy().into_owned();
        self.cli
            .run_env(args, stdin, &[("CAIRN_AGENT_PACKAGES", pkgs.as_str())])
            .0
    }

    pub(super) fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args, None);
        assert_eq!(r.code, 0, "cairn {args:?}: {}\n{}", r.stdout, r.stderr);
        r
    }

    /// The machines `group show` lists, against the console's packages.
    pub(super) fn machines(&self, group: &str) -> Vec<serde_json::Value> {
        let shown = self.ok(&["--json", "group", "show", group]).json();
        shown.as_array().expect("machines").clone()
    }

    fn package(&self) -> PathBuf {
        self.packages.join("cairn-linux-x86_64")
    }

    pub(super) fn package_sha(&self) -> String {
        cairn_agent::build::file_sha256(&self.package()).expect("hash")
    }

    /// Makes the console's agent package a newer build; its SHA-256.
    pub(super) fn bump_package(&self) -> String {
        let mut bytes = std::fs::read(self.package()).expect("package");
        bytes.extend_from_slice(b"\0newer build");
        std::fs::write(self.package(), &bytes).expect("bump");
        self.package_sha()
    }

    /// Every line the sessions logged.
    pub(super) fn logged(&self) -> Vec<String> {
        let c = rusqlite::Connection::open(self.cli.data.join("cairn.sqlite")).expect("catalog");
        let mut st = c
            .prepare("SELECT message FROM session_log ORDER BY rowid")
            .expect("query");
        st.query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("lines")
    }
}

pub(super) fn console(dir: &Path) -> Console {
    let packages = dir.join("packages");
    std::fs::create_dir_all(&packages).expect("mkdir");
    std::fs::copy(
        cairn_tests::binary("CAIRN_BIN", "cairn"),
        packages.join("cairn-linux-x86_64"),
    )
    .expect("the agent package");
    Console {
        cli: Cairn::new(dir),
        packages,
    }
}

pub(super) fn sandbox(dir: &Path, instance: &str, page: &str, blocked: bool) -> Sandbox {
    let root = dir.join(format!("machine-{instance}"));
    std::fs::create_dir_all(root.join("srv/www")).expect("mkdir");
    std::fs::write(root.join("srv/www/index.html"), page).expect("write");
    Sandbox {
        instance: instance.into(),
        root,
        blocked,
    }
}

fn add_group(c: &Console, name: &str, tag: &str, dist: &str, folder: &str) -> Run {
    let ep = s3_endpoint();
    let tag_arg = format!("tier={tag}");
    c.run(
        &[
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
            "AKIAINSTALLTEST",
            "--secret-access-key-stdin",
            "--tag",
            &tag_arg,
            "--distribution-bucket",
            dist,
            "--distribution-folder",
            folder,
        ],
        Some("test\n"),
    )
}

pub(super) fn rescan(c: &Console, group: &str) -> serde_json::Value {
    c.ok(&["--json", "group", "rescan", group]).json()
}

pub(super) fn machine<'a>(shown: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    shown
        .iter()
        .find(|m| m["id"] == id)
        .unwrap_or_else(|| panic!("{id} listed: {shown:?}"))
}

#[test]
fn a_rescan_installs_agents_through_systems_manager_updates_them_steps_in_for_a_silent_one_and_removes_one_that_leaves(
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = console(dir.path());
    let repo_bucket = make_bucket(false);
    let add: Vec<String> = s3_repo_add("Cloud", &repo_bucket, Some("repo"));
    let r = c.run(
        &add.iter().map(String::as_str).collect::<Vec<_>>(),
        Some("secret\n"),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let tier = unique("fleet");
    let ec2 = ec2_client();
    let a = run_instance(&ec2, &[("Name", "fleet-a"), ("tier", &tier)]);
    let b = run_instance(&ec2, &[("Name", "fleet-b"), ("tier", &tier)]);
    let (sa, sb) = (
        sandbox(dir.path(), &a, "<h1>a</h1>", false),
        sandbox(dir.path(), &b, "<h1>b</h1>", false),
    );
    let stand_in = MachineStandIn::start(vec![sa.clone(), sb.clone()]);

    let overlapping = add_group(&c, "Clash", &tier, &repo_bucket, "repo/agents");
    assert_ne!(overlapping.code, 0);
    assert!(
        overlapping
            .stderr
            .contains("overlaps backup repository Cloud"),
        "{}",
        overlapping.stderr
    );
    let dist = make_bucket(false);
    let added = add_group(&c, "Fleet", &tier, &dist, "agents");
    assert_eq!(added.code, 0, "{}", added.stderr);

    // The first rescan checks Systems Manager runs scripts, installs the
    // package through a signed address, and counts a machine only when its
    // agent says hello.
    let first = rescan(&c, "Fleet");
    assert_eq!(first["installed"], 2, "{first}");
    let sha = c.package_sha();
    let shown = c.machines("Fleet");
    for id in [&a, &b] {
        let m = machine(&shown, id);
        assert_eq!(m["state"], "agent_installed", "{shown:?}");
        assert_eq!(m["agent_build"], sha.as_str(), "{shown:?}");
        assert_eq!(m["channel"], "queue", "{shown:?}");
    }
    for s in [&sa, &sb] {
        assert!(alive(&s.root), "the agent runs on {}", s.instance);
        let cfg = s.root.join("etc/cairn/agent.json");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cfg)
            .expect("config")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "owner-only configuration");
    }
    assert_eq!(
        stand_in.ran(&a),
        ["Cairn: check", "Cairn: install the agent"]
    );
    let sent = Ssm::connect(&aws_access())
        .commands_for(&a)
        .expect("commands");
    let script = sent
        .iter()
        .find(|x| x.comment == format!("Cairn: install the agent on {a}"))
        .expect("the install command")
        .lines
        .join("\n");
    assert!(
        script.contains("X-Amz-Expires=600"),
        "signed for ten minutes"
    );
    assert!(
        script.contains(&sha),
        "the script checks the package's SHA-256"
    );
    let objects = object_keys(&dist);
    assert_eq!(
        objects,
        vec![format!("agents/packages/{sha}/cairn-linux-x86_64")],
        "one package; configurations and command output are gone"
    );
    assert!(
        c.logged().iter().all(|l| !l.contains("X-Amz-Signature")),
        "signed addresses are never logged"
    );

    // A second rescan installs nothing.
    let second = rescan(&c, "Fleet");
    assert_eq!(second["installed"], 0, "{second}");
    assert_eq!(stand_in.ran(&a).len(), 2, "no new command");

    // A job runs on both through the queues.
    c.ok(&[
        "job",
        "create",
        "backup",
        "Web",
        "--repo",
        "Cloud",
        "--computer",
        "Fleet",
        "--include",
        "/srv/www",
    ]);
    let run = c.ok(&["--json", "job", "run", "Web"]).summary();
    assert_eq!(run["result"], "success", "{run}");

    // A newer package: the next rescan updates both.
    let newer = assert_rescan_updates(&c, "Fleet", &[&a, &b], &sa);
    let objects = object_keys(&dist);
    assert_eq!(
        objects,
        vec![format!("agents/packages/{newer}/cairn-linux-x86_64")],
        "the package no machine runs is deleted"
    );

    // The agent of a stops: Systems Manager steps in.
    let relayed = assert_steps_in(
        &c,
        (&stand_in, "Systems Manager"),
        &sa,
        "Fleet",
        ["fleet-a", "fleet-b"],
    );
    let report = relayed.summary();
    assert_eq!(report["result"], "success", "{report}");

    // b leaves the group: its agent, files, queue and tag are gone.
    let queue_b = queue_of(&c, &b);
    let queue_name = queue_b.rsplit('/').next().expect("a name").to_string();
    let sqs = Sqs::connect(&aws_access());
    assert!(sqs.queue_url(&queue_name).expect("lookup").is_some());
    c.ok(&[
        "group",
        "edit",
        "Fleet",
        "--tag",
        &format!("tier={tier}"),
        "--exclude",
        &b,
    ]);
    rescan(&c, "Fleet");
    assert_eq!(state_of(&c.machines("Fleet"), &b), "excluded");
    assert!(!alive(&sb.root), "the agent of b stopped");
    assert!(!sb.root.join("opt/cairn").exists(), "its package removed");
    assert!(
        !sb.root.join("etc/cairn").exists(),
        "its configuration removed"
    );
    assert!(sb.root.join("srv/www/index.html").exists(), "its data kept");
    let inst = Ec2::connect(&aws_access())
        .instances()
        .expect("describe")
        .into_iter()
        .find(|i| i.id == b)
        .expect("b");
    assert!(!inst.tags.contains_key("cairn:console"), "untagged");
    assert!(
        sqs.queue_url(&queue_name).expect("lookup").is_none(),
        "its queue deleted"
    );
    drop(stand_in);
}

/// Makes the console's package a newer build: the next rescan of `group`
/// updates machines `ids` to it and keeps the configuration of `kept`; the
/// newer build's SHA-256.
pub(super) fn assert_rescan_updates(
    c: &Console,
    group: &str,
    ids: &[&str],
    kept: &Sandbox,
) -> String {
    let config = kept.root.join("etc/cairn/agent.json");
    let config_before = std::fs::read(&config).expect("config");
    let newer = c.bump_package();
    let shown = c.machines(group);
    assert_eq!(
        machine(&shown, ids[0])["update_available"],
        true,
        "{shown:?}"
    );
    let updated = rescan(c, group);
    assert_eq!(updated["installed"], ids.len(), "{updated}");
    let shown = c.machines(group);
    for id in ids {
        assert_eq!(
            machine(&shown, id)["agent_build"],
            newer.as_str(),
            "{shown:?}"
        );
        assert_eq!(machine(&shown, id)["update_available"], false, "{shown:?}");
    }
    assert_eq!(
        std::fs::read(&config).expect("config"),
        config_before,
        "an update keeps the configuration"
    );
    newer
}

/// Stops the agent of `silent`: the next run of job Web sends its command
/// through the cloud's command `service` (as the session log names it),
/// which restarts the agent, while the other machine of `[silent, other]`
/// (by name) gets its command over the queue; the run.
pub(super) fn assert_steps_in(
    c: &Console,
    (stand_in, service): (&MachineStandIn, &str),
    silent: &Sandbox,
    group: &str,
    [silent_name, other_name]: [&str; 2],
) -> Run {
    stand_in.kill_agent(&silent.instance);
    assert!(!alive(&silent.root));
    let relayed = c.ok(&["--json", "job", "run", "Web", "--agent-timeout", "10"]);
    let tasks = machine_tasks(&relayed);
    for name in [silent_name, other_name] {
        assert_eq!(tasks[name]["status"], "success", "{}", relayed.stdout);
    }
    let log = c.logged();
    let stepped_in = format!("{silent_name}: channel: {service} carried the backup command");
    assert!(log.iter().any(|l| l.contains(&stepped_in)), "{log:?}");
    let queued = format!("{other_name}: backup command sent to its agent (channel: queue)");
    assert!(log.iter().any(|l| l.contains(&queued)), "{log:?}");
    assert!(alive(&silent.root), "restarted");
    let shown = c.machines(group);
    assert_eq!(
        machine(&shown, &silent.instance)["channel"],
        "queue",
        "{shown:?}"
    );
    relayed
}

/// The address of machine `id`'s queue, from the console's catalog.
fn queue_of(c: &Console, id: &str) -> String {
    let conn = rusqlite::Connection::open(c.cli.data.join("cairn.sqlite")).expect("catalog");
    conn.query_row(
        "SELECT queue_url FROM group_machines WHERE machine_id = ?1",
        [id],
        |r| r.get(0),
    )
    .expect("the machine's queue")
}

#[test]
fn a_machine_whose_script_execution_is_blocked_fails_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = console(dir.path());
    let tier = unique("locked");
    let id = run_instance(&ec2_client(), &[("Name", "locked-1"), ("tier", &tier)]);
    let _stand_in = MachineStandIn::start(vec![sandbox(dir.path(), &id, "x", true)]);
    let dist = make_bucket(false);
    let added = add_group(&c, "Locked", &tier, &dist, "");
    assert_eq!(added.code, 0, "{}", added.stderr);
    let r = rescan(&c, "Locked");
    assert_eq!(r["installed"], 0, "{r}");
    let warnings = r["warnings"].to_string();
    assert!(
        warnings.contains("Systems Manager cannot run scripts on this machine")
            && warnings.contains("script execution is blocked"),
        "{r}"
    );
    let shown = c.machines("Locked");
    let m = machine(&shown, &id);
    assert_eq!(m["state"], "install_failed", "{shown:?}");
    assert!(
        m["problem"]
            .as_str()
            .is_some_and(|p| p.contains("Permission denied")),
        "{shown:?}"
    );
}
