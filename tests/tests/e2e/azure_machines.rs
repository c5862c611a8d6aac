//! Protection groups of Azure virtual machines: discovery through the
//! Resource Manager stand-in (`cairn_tests::arm`; Azure has no emulator
//! for it), the console's tag, the two kinds of queues made once in
//! Azurite's Queue service, two agents answering over Azure queues with
//! signatures for their own queues only, and a job whose agents write
//! straight into an Azure Blob repository with a container signature.

use super::protection_groups::{
    kill_mid_backup, machine, machine_tasks, machines, state_of, wait_heard,
};
use cairn_agent::config::{AgentConfig, Transport};
use cairn_cloud::{
    AzureAuth, AzureQueues, AzureSettings, AzureStorage, ContainerRights, Queue, QueueAuth,
    QueueService,
};
use cairn_core::storage::ReadStorage;
use cairn_core::Sensitive;
use cairn_tests::arm::ArmStandIn;
use cairn_tests::cli::Cairn;
use cairn_tests::services::*;
use std::time::Duration;

const TAG: &str = "cairn:console";
pub(super) const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";
pub(super) const CLIENT: &str = "0b6e7c3a-1111-4222-8333-944445555666";
pub(super) const SUBSCRIPTION: &str = "5f1d0c2b-aaaa-4bbb-8ccc-dddd00001111";
pub(super) const SP_SECRET: &str = "sp-secret-value";
const QUEUE_CREDENTIAL: &str = "Azure devstoreaccount1 shared key";

fn queues() -> AzureQueues {
    AzureQueues::connect(
        AZURE_ACCOUNT,
        Some(&azure_queue_endpoint()),
        &QueueAuth::SharedKey(Sensitive::new(AZURE_KEY.to_string())),
    )
    .expect("queues")
}

/// The arguments of `group add cloud NAME --azure ...` for machines tagged
/// `tier=TAG` of `arm`, the service principal's secret read from stdin.
pub(super) fn group_args(arm: &ArmStandIn, name: &str, tag: &str) -> Vec<String> {
    let ep = arm.endpoint();
    [
        "group",
        "add",
        "cloud",
        name,
        "--azure",
        "--subscription",
        SUBSCRIPTION,
        "--tenant",
        TENANT,
        "--client-id",
        CLIENT,
        "--client-secret-stdin",
        "--endpoint",
        &ep,
        "--login-endpoint",
        &ep,
        "--queue-credential",
        QUEUE_CREDENTIAL,
        "--queue-endpoint",
        &azure_queue_endpoint(),
        "--tag",
        &format!("tier={tag}"),
    ]
    .map(String::from)
    .to_vec()
}

fn add_group(
    cli: &Cairn,
    arm: &ArmStandIn,
    name: &str,
    secret: &str,
    tag: &str,
) -> cairn_tests::cli::Run {
    let args = group_args(arm, name, tag);
    cli.run(
        &args.iter().map(String::as_str).collect::<Vec<_>>(),
        Some(&format!(
            "{secret}
"
        )),
    )
}

/// Adds Azure Blob repository `Blob` in folder `repo` of `container`
/// (which also stores the account's shared key, `QUEUE_CREDENTIAL`).
pub(super) fn add_repository(cli: &Cairn, container: &str) {
    let ep = azure_endpoint();
    cli.ok_stdin(
        &[
            "repo",
            "add",
            "azure",
            "Blob",
            "--account",
            AZURE_ACCOUNT,
            "--container",
            container,
            "--folder",
            "repo",
            "--endpoint",
            &ep,
            "--shared-key-stdin",
        ],
        &format!("{AZURE_KEY}\n"),
    );
}

fn blob_names(container: &str, sas: Option<&str>) -> cairn_core::Result<Vec<String>> {
    let (auth, secret) = match sas {
        Some(t) => (AzureAuth::Sas, t.to_string()),
        None => (AzureAuth::SharedKey, AZURE_KEY.to_string()),
    };
    let settings = AzureSettings {
        account: AZURE_ACCOUNT.into(),
        container: container.into(),
        folder: String::new(),
        endpoint: Some(azure_endpoint()),
        credential: String::new(),
        auth,
        tier: Default::default(),
        immutable_days: None,
    };
    let s = AzureStorage::connect(settings, &Sensitive::new(secret))?;
    Ok(s.list("")?.into_iter().map(|o| o.key).collect())
}

#[test]
fn an_azure_group_by_tag_runs_a_job_on_two_agents_over_azure_queues_straight_into_blob() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cli = Cairn::new(dir.path());
    let arm = ArmStandIn::start(TENANT, CLIENT, SP_SECRET, SUBSCRIPTION);
    let tier = unique("az");
    let a = arm.add_vm("vm-a", false, "westeurope", &[("tier", &tier)]);
    let b = arm.add_vm("vm-b", false, "northeurope", &[("tier", &tier)]);
    arm.add_vm("vm-db", false, "westeurope", &[("tier", "db")]);
    let foreign = arm.add_vm(
        "vm-f",
        true,
        "westeurope",
        &[("tier", &tier), (TAG, "another-console")],
    );
    let container = make_container();
    add_repository(&cli, &container);

    let refused = add_group(&cli, &arm, "Azure VMs", "wrong-secret", &tier);
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("client secret"),
        "a refused service principal says what to check: {}",
        refused.stderr
    );
    assert!(cli
        .ok(&["--json", "group", "list"])
        .json()
        .as_array()
        .expect("groups")
        .is_empty());
    let added = add_group(&cli, &arm, "Azure VMs", SP_SECRET, &tier);
    assert_eq!(added.code, 0, "{}", added.stderr);

    let first = cli.ok(&["--json", "group", "rescan", "Azure VMs"]).json();
    assert_eq!(
        (
            &first["found"],
            &first["managed"],
            &first["foreign"],
            &first["queues_created"]
        ),
        (&3.into(), &2.into(), &1.into(), &3.into()),
        "the tagged machines over two pages, and the console's queue and one per machine: {first}"
    );
    let second = cli.ok(&["--json", "group", "rescan", "Azure VMs"]).json();
    assert_eq!(
        (
            &second["queues_created"],
            &second["added"],
            &second["managed"]
        ),
        (&0.into(), &0.into(), &2.into()),
        "a second rescan creates nothing: {second}"
    );
    let me = arm
        .tags(&a)
        .get(TAG)
        .cloned()
        .expect("vm-a carries the mark");
    assert_eq!(arm.tags(&b).get(TAG), Some(&me));
    assert_eq!(
        arm.tags(&foreign).get(TAG).map(String::as_str),
        Some("another-console")
    );
    let listed = machines(&cli, "Azure VMs");
    assert_eq!(state_of(&listed, &foreign), "managed_elsewhere");
    assert_eq!(state_of(&listed, &a), "discovered");
    let row_f = listed
        .iter()
        .find(|m| m["id"] == foreign.as_str())
        .expect("vm-f");
    assert_eq!(row_f["platform"], "windows", "{row_f}");
    let queue_a = format!("cairn-{}-{}", &me[..16], a.replace('-', ""));
    assert!(
        queues().queue_address(&queue_a).expect("look up").is_some(),
        "{queue_a}"
    );

    let mut ma = machine(
        &cli,
        dir.path(),
        "Azure VMs",
        &a,
        &[("index.html", b"<h1>a</h1>")],
    );
    let mut mb = machine(
        &cli,
        dir.path(),
        "Azure VMs",
        &b,
        &[
            ("index.html", b"<h1>b</h1>"),
            ("data/b.bin", &[7u8; 70_000]),
        ],
    );
    let text = std::fs::read_to_string(&ma.config).expect("config");
    assert!(
        !text.contains(AZURE_KEY),
        "the account key never leaves the console"
    );
    let cfg = AgentConfig::load(&ma.config).expect("config");
    let Transport::AzureQueue {
        agent_queue_sas, ..
    } = &cfg.transport
    else {
        panic!(
            "an Azure group's agent talks over Azure queues: {:?}",
            cfg.transport
        )
    };
    let queue_b = format!("cairn-{}-{}", &me[..16], b.replace('-', ""));
    let theirs = AzureQueues::connect(
        AZURE_ACCOUNT,
        Some(&azure_queue_endpoint()),
        &QueueAuth::Sas(Sensitive::new(agent_queue_sas.clone())),
    )
    .expect("connect")
    .queue(&queue_b);
    assert!(
        theirs.receive(1, Duration::ZERO).is_err(),
        "vm-a's signature does not read vm-b's queue"
    );
    wait_heard(&cli, "Azure VMs", &[&a, &b]);

    cli.ok(&[
        "job",
        "create",
        "backup",
        "Web",
        "--repo",
        "Blob",
        "--computer",
        "Azure VMs",
        "--include",
        "/srv/www",
    ]);
    let run = cli.ok(&["--json", "job", "run", "Web"]);
    assert_eq!(run.summary()["result"], "success", "{}", run.stdout);
    let tasks = machine_tasks(&run);
    assert_eq!(
        (
            tasks["vm-a"]["status"].as_str(),
            tasks["vm-b"]["status"].as_str()
        ),
        (Some("success"), Some("success")),
        "{tasks:?}"
    );
    let list = cli.ok(&["--json", "backups", "list"]).json();
    for (m, name) in [(&ma, "vm-a"), (&mb, "vm-b")] {
        let bk = list
            .as_array()
            .expect("backups")
            .iter()
            .find(|x| x["machine"] == name)
            .unwrap_or_else(|| panic!("a backup of {name}: {list}"));
        let out = dir.path().join(format!("restored-{name}"));
        cli.ok(&[
            "restore",
            bk["id"].as_str().expect("id"),
            "--to",
            out.to_str().expect("utf-8"),
        ]);
        cairn_tests::tree::assert_same(&m.root.path().join("srv/www"), &out.join("srv/www"));
    }
    let names = blob_names(&container, None).expect("list");
    assert!(
        !names.is_empty() && names.iter().all(|k| k.starts_with("repo/")),
        "the agents wrote inside the repository's folder only: {names:?}"
    );
    cli.ok(&["check", "Blob", "--full"]);

    // One agent is killed in the middle of its backup over Azure queues.
    kill_mid_backup(&cli, dir.path(), "Blob", &mut mb, "vm-b", "vm-a");

    // An order's signature is limited to the repository's container.
    let other = make_container();
    let key = Sensitive::new(AZURE_KEY.to_string());
    let rights = ContainerRights {
        write: true,
        immutability: false,
    };
    let sas = cairn_cloud::container_sas(
        AZURE_ACCOUNT,
        &key,
        &container,
        rights,
        cairn_core::time::now() + 600,
    )
    .expect("sign");
    assert!(
        blob_names(&container, Some(sas.expose())).is_ok(),
        "it reads its own container"
    );
    assert!(
        blob_names(&other, Some(sas.expose())).is_err(),
        "and no other"
    );

    let removed = cli.ok(&["--json", "group", "remove", "Azure VMs"]).json();
    assert_eq!(removed["released"], 2, "{removed}");
    assert!(!arm.tags(&a).contains_key(TAG), "the mark is removed");
    assert_eq!(
        arm.tags(&foreign).get(TAG).map(String::as_str),
        Some("another-console")
    );
    assert!(
        queues().queue_address(&queue_a).expect("look up").is_none(),
        "the queue is deleted"
    );
    ma.kill();
    mb.kill();
    assert_eq!(
        arm.refused(),
        0,
        "every Resource Manager call carried the token"
    );
}
