//! The cloud-machine groundwork against the real local services: SQS
//! queues made once and sealed messages carried over them, EC2 discovery
//! and tagging, STS credentials an agent writes with, and a backup that
//! reads a machine's files from a folder standing in for its disk; and an
//! agent over SQS or Azure Queue that runs a sealed order once and refuses
//! forged and expired ones.

use cairn_agent::config::Transport;
use cairn_agent::envelope::{self, AgentKey, Endpoints, Header, MessageKind, Rejected};
use cairn_agent::messages::Body;
use cairn_agent::messages::RepositoryAccess;
use cairn_cloud::{
    AzureAuth, AzureQueues, AzureSettings, AzureStorage, ContainerRights, Ec2, Queue, QueueAuth,
    QueueRights, QueueService, S3Storage, Sqs,
};
use cairn_core::jobs::backup::{self, BackupSpec};
use cairn_core::progress::{CancelToken, NoProgress};
use cairn_core::repo::Repository;
use cairn_core::storage::{LocalStorage, ReadStorage, Storage};
use cairn_core::Sensitive;
use cairn_tests::services::*;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

fn header(kind: MessageKind) -> Header {
    let now = cairn_core::time::now();
    Header {
        v: envelope::PROTOCOL_VERSION,
        id: envelope::new_id(),
        correlation: None,
        kind,
        sent: now,
        expires: now + 300,
        sender: "console:c1".into(),
        recipient: "agent:i-1".into(),
    }
}

#[test]
fn a_machine_queue_is_created_once_and_carries_sealed_commands_that_only_its_key_opens() {
    let sqs = Sqs::connect(&aws_access());
    let name = unique("cairn-c1-i");
    let (url, created) = sqs.ensure_queue(&name).expect("create");
    assert!(created);
    let (again, created) = sqs.ensure_queue(&name).expect("second time");
    assert_eq!(
        (again.as_str(), created),
        (url.as_str(), false),
        "nothing new the second time"
    );
    assert!(sqs
        .queue_url(&format!("{name}-dlq"))
        .expect("dlq")
        .is_some());

    let q = sqs.queue(&url);
    let key = AgentKey::generate();
    let genuine = envelope::seal(&key, &header(MessageKind::Status), &Body::Status).expect("seal");
    let forged = envelope::seal(
        &AgentKey::generate(),
        &header(MessageKind::Stop),
        &Body::Stop { uninstall: true },
    )
    .expect("seal");
    q.send(&genuine).expect("send");
    q.send(&forged).expect("send");
    let ends = Endpoints {
        me: "agent:i-1".into(),
        peer: "console:c1".into(),
    };
    let mut opened = Vec::new();
    let mut refused = Vec::new();
    for _ in 0..10 {
        for d in q.receive(10, Duration::from_secs(1)).expect("receive") {
            assert_eq!(d.receive_count, 1);
            match envelope::open(&key, &ends, &d.body, cairn_core::time::now()) {
                Ok(m) => opened.push(m.body),
                Err(r) => refused.push(r),
            }
            q.extend(&d.receipt, 30).expect("extend");
            q.delete(&d.receipt).expect("delete");
        }
        if opened.len() + refused.len() == 2 {
            break;
        }
    }
    assert_eq!(opened, vec![Body::Status]);
    assert_eq!(refused, vec![Rejected::BadSignature]);
    assert!(
        q.receive(10, Duration::from_secs(1))
            .expect("receive")
            .is_empty(),
        "deleted messages stay deleted"
    );
    assert_eq!(sqs.dead_letters(&name).expect("count"), 0);

    sqs.delete_queue(&name).expect("delete");
    assert!(sqs.queue_url(&name).expect("lookup").is_none());
    assert!(sqs
        .queue_url(&format!("{name}-dlq"))
        .expect("lookup")
        .is_none());
    sqs.delete_queue(&name)
        .expect("deleting a missing queue is fine");
}

#[test]
fn discovery_lists_the_regions_instances_with_names_tags_and_the_consoles_mark() {
    let tier = unique("web");
    let web1 = run_instance(&ec2_client(), &[("Name", "web-1"), ("tier", &tier)]);
    let db = run_instance(&ec2_client(), &[("tier", &format!("{tier}-db"))]);
    let ec2 = Ec2::connect(&aws_access());
    let mine: Vec<_> = ec2
        .instances()
        .expect("describe")
        .into_iter()
        .filter(|i| i.tags.get("tier").is_some_and(|t| t.starts_with(&tier)))
        .collect();
    assert_eq!(mine.len(), 2, "{mine:?}");
    let w = mine.iter().find(|i| i.id == web1).expect("web-1 found");
    assert_eq!(
        (w.name.as_str(), w.windows, w.region.as_str()),
        ("web-1", false, "us-east-1")
    );
    let d = mine.iter().find(|i| i.id == db).expect("db found");
    assert_eq!(
        d.name, db,
        "an instance without a Name tag is named by its id"
    );

    ec2.tag(&web1, "cairn:console", "c1").expect("tag");
    let tagged = ec2.instances().expect("describe");
    let w = tagged.iter().find(|i| i.id == web1).expect("web-1");
    assert_eq!(w.tags.get("cairn:console").map(String::as_str), Some("c1"));
    ec2.untag(&web1, "cairn:console").expect("untag");
    let w = ec2
        .instances()
        .expect("describe")
        .into_iter()
        .find(|i| i.id == web1)
        .expect("web-1");
    assert!(!w.tags.contains_key("cairn:console"));
}

#[test]
fn scoped_sts_credentials_write_into_the_repository_folder() {
    let bucket = make_bucket(false);
    let policy = cairn_cloud::folder_policy(&bucket, "repo");
    let creds =
        cairn_cloud::scoped_credentials(&aws_access(), None, "cairn-agent-i-1", &policy, 900)
            .expect("sts");
    assert_ne!(
        creds.access_key_id, "test",
        "temporary credentials, not the console's own"
    );
    assert!(creds.expires > cairn_core::time::now());
    let s = S3Storage::connect_session(
        s3_settings(&bucket, "repo"),
        &creds.access_key_id,
        &creds.secret,
        Some(&creds.session_token),
    )
    .expect("connect");
    s.put("probe", b"agent")
        .expect("put with the session token");
    assert_eq!(s.get("probe").expect("get"), b"agent");
    let keys: Vec<String> = list_objects(&bucket)
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect();
    assert_eq!(keys, vec!["repo/probe".to_string()]);
}

#[test]
fn a_backup_reads_the_machine_from_its_root_folder_and_records_the_machines_paths() {
    let machine = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(machine.path().join("srv/www")).expect("mkdir");
    std::fs::write(machine.path().join("srv/www/index.html"), b"<h1>web-1</h1>").expect("write");
    let store = tempfile::tempdir().expect("tmp");
    let storage: Arc<dyn Storage> = Arc::new(LocalStorage::open(store.path(), true).expect("open"));
    let repo = Repository::init(storage, "r", "test").expect("init");
    let ks = repo.default_keyset().expect("keys");
    let spec = BackupSpec {
        backup_id: "b-web".into(),
        job: "Web".into(),
        machine: "web-1".into(),
        platform: "Linux".into(),
        includes: vec!["/srv/www".into()],
        exclude_masks: Vec::new(),
        include_masks: Vec::new(),
        compression: cairn_model::Compression::Optimal,
        full: false,
        images: false,
        region: "us-east-1".into(),
        writer: "agent".into(),
        source_root: Some(machine.path().to_path_buf()),
    };
    let out =
        backup::run(&repo, &ks, &spec, Arc::new(NoProgress), &CancelToken::new()).expect("backup");
    assert_eq!(out.manifest.stats.files, 1);
    let index = repo.load_index(&ks, false).expect("index");
    let root = repo
        .read_tree(
            &ks,
            &index,
            &cairn_core::format::ChunkId::from_hex(&out.manifest.root).expect("root id"),
        )
        .expect("root tree");
    let names: Vec<String> = root
        .entries
        .iter()
        .map(|e| String::from_utf8_lossy(&e.name).into_owned())
        .collect();
    assert_eq!(
        names,
        vec!["srv".to_string()],
        "the machine's /srv, not the stand-in folder's path"
    );
}

/// Where a file named `name` is under `dir`.
fn find_file(dir: &std::path::Path, name: &str) -> Option<std::path::PathBuf> {
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        let p = e.path();
        if p.is_dir() {
            if let Some(f) = find_file(&p, name) {
                return Some(f);
            }
        } else if e.file_name() == name {
            return Some(p);
        }
    }
    None
}

struct AgentRig {
    key: AgentKey,
    commands: Box<dyn Queue>,
    reports: Box<dyn Queue>,
    /// The repository with the console's own access.
    storage: Arc<dyn Storage>,
    /// The scoped access an order hands the agent.
    access: cairn_agent::messages::RepositoryAccess,
    machine: tempfile::TempDir,
    state: tempfile::TempDir,
    config: std::path::PathBuf,
}

/// A machine folder with two files, the agent's state folder and key.
fn machine_and_state() -> (tempfile::TempDir, tempfile::TempDir, AgentKey) {
    let machine = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(machine.path().join("srv/www")).expect("mkdir");
    std::fs::write(machine.path().join("srv/www/index.html"), b"<h1>web-1</h1>").expect("write");
    std::fs::write(machine.path().join("srv/www/app.js"), vec![7u8; 300_000]).expect("write");
    (
        machine,
        tempfile::tempdir().expect("tmp"),
        AgentKey::generate(),
    )
}

fn save_config(state: &tempfile::TempDir, key: &AgentKey, transport: Transport) -> PathBuf {
    let cfg = cairn_agent::AgentConfig {
        console_id: "c1".into(),
        machine_id: "i-1".into(),
        machine_name: "web-1".into(),
        key: key.to_hex().to_string(),
        transport,
        state_dir: Some(state.path().to_path_buf()),
    };
    let config = state.path().join("agent.json");
    cfg.save(&config).expect("save");
    config
}

/// An agent over SQS writing into an S3 repository with STS credentials.
fn sqs_rig() -> AgentRig {
    let sqs = Sqs::connect(&aws_access());
    let (agent_url, _) = sqs
        .ensure_queue(&unique("cairn-c1-i-1"))
        .expect("agent queue");
    let (console_url, _) = sqs
        .ensure_queue(&unique("cairn-c1-console"))
        .expect("console queue");
    let bucket = make_bucket(false);
    let storage: Arc<dyn Storage> = Arc::new(s3(
        &bucket,
        "repo",
        "test",
        &Sensitive::new("test".into()),
        None,
    ));
    Repository::init(storage.clone(), "Cloud", "test").expect("init the repository");
    let (machine, state, key) = machine_and_state();
    let config = save_config(
        &state,
        &key,
        Transport::Sqs {
            region: "us-east-1".into(),
            endpoint: Some(s3_endpoint()),
            agent_queue_url: agent_url.clone(),
            console_queue_url: console_url.clone(),
        },
    );
    let policy = cairn_cloud::folder_policy(&bucket, "repo");
    let c = cairn_cloud::scoped_credentials(&aws_access(), None, "cairn-i-1", &policy, 900)
        .expect("sts");
    let access = RepositoryAccess::S3 {
        bucket,
        folder: "repo".into(),
        region: "us-east-1".into(),
        endpoint: Some(s3_endpoint()),
        access_key_id: c.access_key_id.clone(),
        secret_access_key: c.secret.expose().clone(),
        session_token: Some(c.session_token.expose().clone()),
        expires: c.expires,
        storage_class: cairn_cloud::StorageClass::Standard,
        immutable_days: None,
    };
    AgentRig {
        key,
        commands: Box::new(sqs.queue(&agent_url)),
        reports: Box::new(sqs.queue(&console_url)),
        storage,
        access,
        machine,
        state,
        config,
    }
}

/// An agent over Azure queues (a signature for each) writing into an
/// Azure Blob repository with a container signature.
fn azure_rig() -> AgentRig {
    let account_key = Sensitive::new(AZURE_KEY.to_string());
    let queues = AzureQueues::connect(
        AZURE_ACCOUNT,
        Some(&azure_queue_endpoint()),
        &QueueAuth::SharedKey(account_key.clone()),
    )
    .expect("queues");
    let (agent_queue, _) = queues
        .ensure_queue(&unique("cairn-c1-i1"))
        .expect("agent queue");
    let (console_queue, _) = queues
        .ensure_queue(&unique("cairn-c1-console"))
        .expect("console queue");
    let expires = cairn_core::time::now() + 3600;
    let sign = |queue: &str, rights| {
        cairn_cloud::queue_sas(AZURE_ACCOUNT, &account_key, queue, rights, expires)
            .expect("sign")
            .expose()
            .clone()
    };
    let container = make_container();
    let settings = |auth| AzureSettings {
        account: AZURE_ACCOUNT.into(),
        container: container.clone(),
        folder: "repo".into(),
        endpoint: Some(azure_endpoint()),
        credential: String::new(),
        auth,
        tier: Default::default(),
        immutable_days: None,
    };
    let storage: Arc<dyn Storage> = Arc::new(
        AzureStorage::connect(settings(AzureAuth::SharedKey), &account_key).expect("connect"),
    );
    Repository::init(storage.clone(), "Blob", "test").expect("init the repository");
    let (machine, state, key) = machine_and_state();
    let config = save_config(
        &state,
        &key,
        Transport::AzureQueue {
            account: AZURE_ACCOUNT.into(),
            endpoint: Some(azure_queue_endpoint()),
            agent_queue: agent_queue.clone(),
            agent_queue_sas: sign(&agent_queue, QueueRights::Consume),
            console_queue: console_queue.clone(),
            console_queue_sas: sign(&console_queue, QueueRights::Send),
            expires,
        },
    );
    let rights = ContainerRights {
        write: true,
        immutability: false,
    };
    let sas = cairn_cloud::container_sas(AZURE_ACCOUNT, &account_key, &container, rights, expires)
        .expect("sign");
    let access = RepositoryAccess::Azure {
        account: AZURE_ACCOUNT.into(),
        container: container.clone(),
        folder: "repo".into(),
        endpoint: Some(azure_endpoint()),
        sas: sas.expose().clone(),
        expires,
        tier: Default::default(),
        immutable_days: None,
    };
    AgentRig {
        key,
        commands: Box::new(queues.queue(&agent_queue)),
        reports: Box::new(queues.queue(&console_queue)),
        storage,
        access,
        machine,
        state,
        config,
    }
}

fn s3(
    bucket: &str,
    folder: &str,
    id: &str,
    secret: &Sensitive<String>,
    token: Option<&Sensitive<String>>,
) -> S3Storage {
    S3Storage::connect_session(s3_settings(bucket, folder), id, secret, token).expect("connect")
}

fn order(rig: &AgentRig, backup_id: &str) -> cairn_agent::messages::BackupOrder {
    cairn_agent::messages::BackupOrder {
        repository: "Cloud".into(),
        access: rig.access.clone(),
        password: None,
        keyset: None,
        backup_id: backup_id.into(),
        job: "Web".into(),
        machine: "web-1".into(),
        platform: "Linux".into(),
        region: "us-east-1".into(),
        includes: vec!["/srv/www".into()],
        exclude_masks: Vec::new(),
        include_masks: Vec::new(),
        compression: cairn_model::Compression::Optimal,
        full: false,
    }
}

fn command(key: &AgentKey, body: &Body, expires_in: i64) -> (String, String) {
    let mut h = header(body.kind());
    h.expires = h.sent + expires_in;
    let text = envelope::seal(key, &h, body).expect("seal");
    (h.id, text)
}

#[test]
fn an_agent_runs_a_sealed_order_once_into_s3_and_ignores_forged_and_expired_ones() {
    runs_a_sealed_order_once_and_ignores_forged_and_expired_ones(sqs_rig());
}

#[test]
fn an_agent_runs_a_sealed_order_once_into_azure_blob_and_ignores_forged_and_expired_ones() {
    runs_a_sealed_order_once_and_ignores_forged_and_expired_ones(azure_rig());
}

/// Over either queue service: a forged and an expired order are logged and
/// never run, a genuine one delivered twice runs once and its result is
/// answered again, and a stop ends the agent.
fn runs_a_sealed_order_once_and_ignores_forged_and_expired_ones(rig: AgentRig) {
    let mut agent = std::process::Command::new(cairn_tests::binary("CAIRN_BIN", "cairn"))
        .args(["agent", "--config"])
        .arg(&rig.config)
        .arg("--root")
        .arg(rig.machine.path())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .stderr(std::fs::File::create(rig.state.path().join("agent.log")).expect("log"))
        .spawn()
        .expect("start the agent");
    let forged = command(
        &AgentKey::generate(),
        &Body::RunBackup(Box::new(order(&rig, "b-forged"))),
        300,
    );
    let expired = command(
        &rig.key,
        &Body::RunBackup(Box::new(order(&rig, "b-expired"))),
        -1,
    );
    let (id, genuine) = command(
        &rig.key,
        &Body::RunBackup(Box::new(order(&rig, "b-web"))),
        300,
    );
    for text in [&forged.1, &expired.1, &genuine, &genuine] {
        rig.commands.send(text).expect("send");
    }
    let console = Endpoints {
        me: "console:c1".into(),
        peer: "agent:i-1".into(),
    };
    let (mut finished, mut progress) = (Vec::new(), 0);
    for _ in 0..120 {
        for d in rig
            .reports
            .receive(10, Duration::from_secs(1))
            .expect("receive")
        {
            let m = envelope::open(&rig.key, &console, &d.body, cairn_core::time::now())
                .expect("a genuine answer");
            rig.reports.delete(&d.receipt).expect("delete");
            match m.body {
                Body::Finished(r) => {
                    assert_eq!(m.header.correlation.as_deref(), Some(id.as_str()));
                    finished.push(r);
                }
                Body::Progress(_) => progress += 1,
                _ => {}
            }
        }
        if !finished.is_empty() {
            break;
        }
    }
    let Some(cairn_agent::messages::OrderResult::Succeeded { point, files, .. }) =
        finished.first().cloned()
    else {
        panic!("the order succeeded: {finished:?}");
    };
    assert_eq!(files, 2);
    assert!(progress >= 1, "progress was reported");
    // A later delivery of the same command is answered again, never run again.
    rig.commands.send(&genuine).expect("send again");
    let mut again = None;
    for _ in 0..30 {
        for d in rig
            .reports
            .receive(10, Duration::from_secs(1))
            .expect("receive")
        {
            let m = envelope::open(&rig.key, &console, &d.body, cairn_core::time::now())
                .expect("genuine");
            rig.reports.delete(&d.receipt).expect("delete");
            if let Body::Finished(r) = m.body {
                again = Some(r);
            }
        }
        if again.is_some() {
            break;
        }
    }
    assert_eq!(
        again,
        finished.first().cloned(),
        "the first result, answered again"
    );

    let repo = Repository::open(rig.storage.clone(), "Cloud").expect("open");
    assert_eq!(
        repo.list_points("b-web").expect("points"),
        vec![point.clone()],
        "one restore point"
    );
    assert!(
        repo.list_points("b-forged").expect("points").is_empty(),
        "a forged order never runs"
    );
    assert!(
        repo.list_points("b-expired").expect("points").is_empty(),
        "an expired order never runs"
    );
    let ks = repo.default_keyset().expect("keys");
    let m = repo.read_manifest(&ks, "b-web", &point).expect("manifest");
    assert_eq!(
        (m.machine.as_str(), m.region.as_str()),
        ("web-1", "us-east-1")
    );
    let out = tempfile::tempdir().expect("tmp");
    let spec = cairn_core::restore::RestoreSpec {
        paths: Vec::new(),
        dest: cairn_core::restore::Destination::To(out.path().to_path_buf()),
        preserve_owner: false,
        changed_only: false,
    };
    cairn_core::restore::run(
        &repo,
        &ks,
        &m,
        &spec,
        Arc::new(NoProgress),
        &CancelToken::new(),
    )
    .expect("restore");
    let index = find_file(out.path(), "index.html").expect("restored");
    cairn_tests::tree::assert_same(
        &rig.machine.path().join("srv/www"),
        index.parent().expect("folder"),
    );

    let (_, stop) = command(&rig.key, &Body::Stop { uninstall: false }, 300);
    rig.commands.send(&stop).expect("send stop");
    let mut ended = false;
    for _ in 0..100 {
        if agent.try_wait().expect("wait").is_some() {
            ended = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    if !ended {
        let _ = agent.kill();
    }
    let log = std::fs::read_to_string(rig.state.path().join("agent.log")).expect("log");
    assert!(ended, "a stop command ends the agent: {log}");
    assert!(
        log.contains("signature does not verify"),
        "the forged order was logged: {log}"
    );
    assert!(
        log.contains("expired"),
        "the expired order was logged: {log}"
    );
}
