//! Agents installed and removed through Azure Run Command (Managed Run
//! Commands) from a distribution container in Azurite, with the Resource
//! Manager stand-in of `cairn_tests::arm` holding the run commands and the
//! machine stand-in playing each VM's own agent on a sandbox folder.

use super::agent_install::{
    assert_rescan_updates, assert_steps_in, console, machine, rescan, sandbox, Console,
};
use super::azure_machines::{add_repository, group_args, CLIENT, SP_SECRET, SUBSCRIPTION, TENANT};
use super::protection_groups::{machine_tasks, state_of};
use cairn_cloud::{AzureAuth, AzureQueues, AzureSettings, AzureStorage, QueueAuth, QueueService};
use cairn_core::storage::ReadStorage;
use cairn_core::Sensitive;
use cairn_tests::arm::ArmStandIn;
use cairn_tests::cli::Run;
use cairn_tests::machine::{agent_running as alive, MachineStandIn};
use cairn_tests::services::*;

const TAG: &str = "cairn:console";
fn add_group(
    c: &Console,
    arm: &ArmStandIn,
    name: &str,
    tier: &str,
    dist: &str,
    folder: &str,
) -> Run {
    let mut args = group_args(arm, name, tier);
    args.extend(
        [
            "--distribution-container",
            dist,
            "--distribution-folder",
            folder,
            "--distribution-endpoint",
            &azure_endpoint(),
        ]
        .map(String::from),
    );
    c.run(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        Some(&format!(
            "{SP_SECRET}
"
        )),
    )
}

fn blob_names(container: &str) -> Vec<String> {
    let settings = AzureSettings {
        account: AZURE_ACCOUNT.into(),
        container: container.into(),
        folder: String::new(),
        endpoint: Some(azure_endpoint()),
        credential: String::new(),
        auth: AzureAuth::SharedKey,
        tier: Default::default(),
        immutable_days: None,
    };
    let s = AzureStorage::connect(settings, &Sensitive::new(AZURE_KEY.into())).expect("connect");
    s.list("")
        .expect("list")
        .into_iter()
        .map(|o| o.key)
        .collect()
}

fn cairn_run_commands(arm: &ArmStandIn, vm: &str) -> Vec<String> {
    arm.run_command_names(vm)
        .into_iter()
        .filter(|n| n.starts_with("cairn-"))
        .collect()
}

#[test]
fn a_rescan_installs_agents_through_azure_run_command_refuses_a_vm_with_no_free_slot_and_removes_one_that_leaves(
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = console(dir.path());
    let repo_container = make_container();
    add_repository(&c.cli, &repo_container);
    let arm = ArmStandIn::start(TENANT, CLIENT, SP_SECRET, SUBSCRIPTION);
    let tier = unique("azfleet");
    let a = arm.add_vm("az-a", false, "westeurope", &[("tier", &tier)]);
    let b = arm.add_vm("az-b", false, "northeurope", &[("tier", &tier)]);
    let full = arm.add_vm("az-full", false, "westeurope", &[("tier", &tier)]);
    arm.deploy_foreign_run_commands(&full, 25);
    let (sa, sb, sf) = (
        sandbox(dir.path(), &a, "<h1>a</h1>", false),
        sandbox(dir.path(), &b, "<h1>b</h1>", false),
        sandbox(dir.path(), &full, "<h1>f</h1>", false),
    );
    let stand_in = MachineStandIn::start_azure(arm.clone(), vec![sa.clone(), sb.clone(), sf]);

    let overlapping = add_group(&c, &arm, "Clash", &tier, &repo_container, "repo/agents");
    assert_ne!(overlapping.code, 0);
    assert!(
        overlapping
            .stderr
            .contains("overlaps backup repository Blob"),
        "{}",
        overlapping.stderr
    );
    let dist = make_container();
    let added = add_group(&c, &arm, "Azure fleet", &tier, &dist, "agents");
    assert_eq!(added.code, 0, "{}", added.stderr);

    // The first rescan checks each VM has a free run command slot and
    // runs scripts, installs through a signed address, and counts a
    // machine only when its agent says hello.
    let first = rescan(&c, "Azure fleet");
    assert_eq!(first["installed"], 2, "{first}");
    let sha = c.package_sha();
    let shown = c.machines("Azure fleet");
    for id in [&a, &b] {
        let m = machine(&shown, id);
        assert_eq!(m["state"], "agent_installed", "{shown:?}");
        assert_eq!(m["agent_build"], sha.as_str(), "{shown:?}");
        assert_eq!(m["channel"], "queue", "{shown:?}");
    }
    assert!(alive(&sa.root) && alive(&sb.root), "both agents run");
    let f = machine(&shown, &full);
    assert_eq!(f["state"], "install_failed", "{shown:?}");
    let problem = f["problem"].as_str().unwrap_or_default();
    assert!(
        problem.contains("25 Managed Run Commands are deployed")
            && problem.contains("no more than 24 remain"),
        "the refusal says why and what to do: {problem}"
    );
    assert!(first["warnings"].to_string().contains("az-full"), "{first}");
    assert_eq!(
        stand_in.ran(&full),
        Vec::<String>::new(),
        "nothing sent to it"
    );
    assert_eq!(
        arm.run_command_names(&full).len(),
        25,
        "its run commands are untouched"
    );
    let ran = stand_in.ran(&a);
    assert_eq!(ran.len(), 2, "{ran:?}");
    assert!(ran[0].starts_with("cairn-check-") && ran[1].starts_with("cairn-install-agent-"));
    for id in [&a, &b] {
        assert_eq!(
            cairn_run_commands(&arm, id),
            Vec::<String>::new(),
            "Cairn removes its run commands"
        );
    }
    assert_eq!(
        blob_names(&dist),
        vec![format!("agents/packages/{sha}/cairn-linux-x86_64")],
        "one package; configurations are gone"
    );
    assert!(
        c.logged().iter().all(|l| !l.contains("sig=")),
        "signed addresses are never logged"
    );

    // A second rescan installs nothing and sends nothing.
    let second = rescan(&c, "Azure fleet");
    assert_eq!(second["installed"], 0, "{second}");
    assert_eq!(stand_in.ran(&a).len(), 2, "no new run command");

    // A job runs on both through the queues; the refused VM has no agent,
    // so the job warns and names it.
    c.ok(&[
        "job",
        "create",
        "backup",
        "Web",
        "--repo",
        "Blob",
        "--computer",
        "Azure fleet",
        "--include",
        "/srv/www",
    ]);
    let run = c.run(&["--json", "job", "run", "Web"], None);
    assert_eq!(run.summary()["result"], "warning", "{}", run.stdout);
    let tasks = machine_tasks(&run);
    for name in ["az-a", "az-b"] {
        assert_eq!(tasks[name]["status"], "success", "{tasks:?}");
    }
    assert_ne!(tasks["az-full"]["status"], "success", "{tasks:?}");

    // A newer package: the next rescan updates both.
    let newer = assert_rescan_updates(&c, "Azure fleet", &[&a, &b], &sa);
    assert_eq!(
        blob_names(&dist),
        vec![format!("agents/packages/{newer}/cairn-linux-x86_64")],
        "the package no machine runs is deleted"
    );
    for id in [&a, &b] {
        assert_eq!(cairn_run_commands(&arm, id), Vec::<String>::new());
    }

    // The agent of a stops: Azure Run Command steps in.
    assert_steps_in(
        &c,
        (&stand_in, "Azure Run Command"),
        &sa,
        "Azure fleet",
        ["az-a", "az-b"],
    );
    assert_eq!(cairn_run_commands(&arm, &a), Vec::<String>::new());

    // b leaves the group: its agent, files, queue and tag are gone.
    let queues = AzureQueues::connect(
        AZURE_ACCOUNT,
        Some(&azure_queue_endpoint()),
        &QueueAuth::SharedKey(Sensitive::new(AZURE_KEY.to_string())),
    )
    .expect("queues");
    let me = arm.tags(&b).get(TAG).cloned().expect("b carries the mark");
    let queue_b = format!("cairn-{}-{}", &me[..16], b.replace('-', ""));
    assert!(queues.queue_address(&queue_b).expect("look up").is_some());
    c.ok(&[
        "group",
        "edit",
        "Azure fleet",
        "--tag",
        &format!("tier={tier}"),
        "--exclude",
        &b,
    ]);
    rescan(&c, "Azure fleet");
    assert_eq!(state_of(&c.machines("Azure fleet"), &b), "excluded");
    assert!(!alive(&sb.root), "the agent of b stopped");
    assert!(!sb.root.join("opt/cairn").exists(), "its package removed");
    assert!(
        !sb.root.join("etc/cairn").exists(),
        "its configuration removed"
    );
    assert!(sb.root.join("srv/www/index.html").exists(), "its data kept");
    assert!(!arm.tags(&b).contains_key(TAG), "untagged");
    assert!(
        queues.queue_address(&queue_b).expect("look up").is_none(),
        "its queue deleted"
    );
    assert_eq!(cairn_run_commands(&arm, &b), Vec::<String>::new());
    drop(stand_in);
}

#[test]
fn a_vm_whose_script_execution_is_blocked_fails_with_the_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = console(dir.path());
    let arm = ArmStandIn::start(TENANT, CLIENT, SP_SECRET, SUBSCRIPTION);
    add_repository(&c.cli, &make_container());
    let tier = unique("azlocked");
    let id = arm.add_vm("az-locked", false, "westeurope", &[("tier", &tier)]);
    let _stand_in =
        MachineStandIn::start_azure(arm.clone(), vec![sandbox(dir.path(), &id, "x", true)]);
    let dist = make_container();
    let added = add_group(&c, &arm, "Locked", &tier, &dist, "");
    assert_eq!(added.code, 0, "{}", added.stderr);
    let r = rescan(&c, "Locked");
    assert_eq!(r["installed"], 0, "{r}");
    assert!(
        r["warnings"]
            .to_string()
            .contains("Azure Run Command cannot run scripts on this machine"),
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
    assert_eq!(
        cairn_run_commands(&arm, &id),
        Vec::<String>::new(),
        "cleaned up"
    );
}
