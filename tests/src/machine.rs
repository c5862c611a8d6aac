//! A stand-in for the cloud's own agent on a machine (the Systems Manager
//! agent of an EC2 instance, or the Azure VM agent that runs Managed Run
//! Commands, see [`MachineStandIn::start_azure`]), which no local service
//! provides: moto keeps
//! the commands sent with `SendCommand` but runs nothing. For each
//! sandbox machine, the stand-in reads the commands sent to its instance
//! id (`ListCommands` on moto), runs each new `AWS-RunShellScript` script
//! once with `sh` and `CAIRN_MACHINE_ROOT` set to the machine's folder,
//! and writes its standard output and error where the command says, as
//! Systems Manager does (`<prefix>/<command>/<instance>/awsrunShellScript/
//! 0.awsrunShellScript/stdout`). Scripts get the machine's AWS access in
//! their environment, as an instance profile would give it. A machine set
//! as `blocked` runs no script and reports what a machine whose script
//! execution is blocked reports.
//!
//! moto lists every instance of the region in each command's
//! `InstanceIds` (it adds the instances an absent `Targets` filter
//! matches), so the stand-in also requires the instance id that Cairn
//! names at the end of each command's comment.

use cairn_cloud::{S3Storage, Shell, Ssm};
use cairn_core::storage::Storage;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One sandbox machine.
#[derive(Debug, Clone)]
pub struct Sandbox {
    /// Its EC2 instance id.
    pub instance: String,
    /// The folder that stands for its `/`.
    pub root: PathBuf,
    /// True: script execution is blocked on it.
    pub blocked: bool,
}

/// The stand-in, serving its machines until dropped (which also stops the
/// agents their scripts started).
pub struct MachineStandIn {
    machines: Vec<Sandbox>,
    stop: Arc<AtomicBool>,
    ran: Arc<Mutex<Vec<(String, String)>>>,
    thread: Option<JoinHandle<()>>,
}

impl MachineStandIn {
    /// Starts serving `machines` against the test Systems Manager.
    pub fn start(machines: Vec<Sandbox>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let ran = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (machines, stop, ran) = (machines.clone(), stop.clone(), ran.clone());
            std::thread::spawn(move || serve(&machines, &stop, &ran))
        };
        Self {
            machines,
            stop,
            ran,
            thread: Some(thread),
        }
    }

    /// Starts serving `machines` (their `instance` is the VM id) as the
    /// Azure VM agent would: it takes each new Managed Run Command the
    /// Resource Manager stand-in holds for the machine, runs its script,
    /// and records how it ended in the run command's instance view.
    pub fn start_azure(arm: crate::arm::ArmStandIn, machines: Vec<Sandbox>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let ran = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (machines, stop, ran) = (machines.clone(), stop.clone(), ran.clone());
            std::thread::spawn(move || serve_azure(&arm, &machines, &stop, &ran))
        };
        Self {
            machines,
            stop,
            ran,
            thread: Some(thread),
        }
    }

    /// The comments (without " on <instance>") of the commands each
    /// instance ran, in order.
    pub fn ran(&self, instance: &str) -> Vec<String> {
        self.ran
            .lock()
            .map(|r| {
                r.iter()
                    .filter(|(i, _)| i == instance)
                    .map(|(_, c)| c.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Kills the agent a machine's scripts started (its message service).
    pub fn kill_agent(&self, instance: &str) {
        if let Some(m) = self.machines.iter().find(|m| m.instance == instance) {
            kill_agent_of(&m.root);
        }
    }
}

impl Drop for MachineStandIn {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        for m in &self.machines {
            kill_agent_of(&m.root);
        }
    }
}

/// The pid of the agent running on a sandbox machine.
pub fn agent_pid(root: &Path) -> Option<i32> {
    std::fs::read_to_string(root.join("var/lib/cairn-agent/agent.pid"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// True while the agent of a sandbox machine runs (a killed agent whose
/// parent is gone may stay a zombie where nothing reaps orphans).
pub fn agent_running(root: &Path) -> bool {
    agent_pid(root).is_some_and(alive)
}

fn kill_agent_of(root: &Path) {
    if let Some(pid) = agent_pid(root) {
        kill_hard(pid);
        for _ in 0..50 {
            if !alive(pid) {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn kill_hard(pid: i32) {
    let _ = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status();
}

fn alive(pid: i32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z ")
}

fn serve(machines: &[Sandbox], stop: &AtomicBool, ran: &Mutex<Vec<(String, String)>>) {
    let ssm = Ssm::connect(&crate::services::aws_access());
    let mut seen = BTreeSet::new();
    while !stop.load(Ordering::SeqCst) {
        for m in machines {
            let Ok(commands) = ssm.commands_for(&m.instance) else {
                continue;
            };
            for c in commands {
                if !seen.insert((m.instance.clone(), c.id.clone())) {
                    continue;
                }
                let Some(what) = c.comment.strip_suffix(&format!(" on {}", m.instance)) else {
                    continue;
                };
                if c.shell != Some(Shell::Linux) {
                    continue;
                }
                let script = format!(
                    "/var/lib/amazon/ssm/{}/document/orchestration/_script.sh",
                    m.instance
                );
                let (_, stdout, stderr) = run(m, &c.lines, &script);
                if let Some(out) = &c.output {
                    let put = |stream: &str, text: &str| {
                        if text.is_empty() {
                            return;
                        }
                        let key = out.key(&c.id, &m.instance, Shell::Linux, stream);
                        let s = S3Storage::connect(
                            crate::services::s3_settings(&out.bucket, ""),
                            "test",
                            &cairn_core::Sensitive::new("test".into()),
                        )
                        .expect("the output bucket");
                        s.put(&key, text.as_bytes()).expect("write the output");
                    };
                    put("stdout", &stdout);
                    put("stderr", &stderr);
                }
                if let Ok(mut r) = ran.lock() {
                    r.push((m.instance.clone(), what.to_string()));
                }
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn serve_azure(
    arm: &crate::arm::ArmStandIn,
    machines: &[Sandbox],
    stop: &AtomicBool,
    ran: &Mutex<Vec<(String, String)>>,
) {
    while !stop.load(Ordering::SeqCst) {
        for m in machines {
            for (name, script) in arm.take_pending(&m.instance) {
                let path =
                    format!("/var/lib/waagent/run-command-handler/download/{name}/0/script.sh");
                let (code, stdout, stderr) = run(m, &[script], &path);
                arm.finish(&m.instance, &name, code, &stdout, &stderr);
                if let Ok(mut r) = ran.lock() {
                    r.push((m.instance.clone(), name));
                }
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Runs one script on a sandbox machine; its exit code, output and error
/// output. `script` is where the cloud's agent would have written it, for
/// the error a machine that blocks script execution gives.
fn run(m: &Sandbox, lines: &[String], script: &str) -> (i64, String, String) {
    if m.blocked {
        return (
            126,
            String::new(),
            format!(
                "{script}: Permission denied: script execution is blocked on this machine\nfailed to run commands: exit status 126\n"
            ),
        );
    }
    std::fs::create_dir_all(&m.root).expect("the machine's folder");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(lines.join("\n"))
        .current_dir(&m.root)
        .env("CAIRN_MACHINE_ROOT", &m.root)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("sh");
    (
        i64::from(out.status.code().unwrap_or(-1)),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
