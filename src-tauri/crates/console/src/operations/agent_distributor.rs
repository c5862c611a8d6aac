//! A group's distribution repository and the cloud's own command service:
//! an S3 bucket with AWS Systems Manager Run Command (which writes each
//! script's output into the bucket), or an Azure container of the queues'
//! storage account with Azure Run Command (Managed Run Commands, whose
//! instance view holds the output; Cairn deletes its own when done and
//! refuses a machine with no free slot of Azure's 25). Packages and
//! configurations reach machines through signed addresses.

use super::agent_packages::Package;
use super::agent_scripts::{DONE, FAILED};
use super::Console;
use crate::catalog::GroupRecord;
use crate::error::{Error, Result};
use cairn_agent::AgentConfig;
use cairn_cloud::{
    Arm, AwsAccess, AzureAuth, AzureSettings, AzureStorage, CommandOutput, RunState, S3Settings,
    S3Storage, Shell, Ssm, MAX_RUN_COMMANDS,
};
use cairn_core::storage::Storage;
use cairn_core::Sensitive;
use cairn_model::{AgentOs, Channel, CloudAccount, ErrorKind};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// How long the console waits for one command's output.
pub(super) const COMMAND_WAIT: Duration = Duration::from_secs(180);
/// The most output of a command read.
const MAX_OUTPUT: u64 = 1 << 20;
/// The longest a run command may run on an Azure machine.
const RUN_TIMEOUT_SECS: u32 = 900;

/// What a script on a machine ended with: its output, or why it failed.
pub(super) type Outcome = std::result::Result<String, String>;

/// Where the cloud's command service finds a machine.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reach<'a> {
    /// Instance or VM id.
    pub id: &'a str,
    /// Its region (Azure: location).
    pub region: &'a str,
    /// Its operating system.
    pub os: AgentOs,
}

impl<'a> From<&'a crate::catalog::MachineRecord> for Reach<'a> {
    fn from(m: &'a crate::catalog::MachineRecord) -> Self {
        Self {
            id: &m.machine_id,
            region: &m.region,
            os: m.platform,
        }
    }
}

/// A group's distribution repository and its cloud's command service.
pub(super) struct Distributor {
    shelf: Shelf,
    runner: Runner,
}

/// Where packages, configurations (and on AWS, command output) are kept.
enum Shelf {
    S3(S3Storage),
    Azure {
        store: Box<AzureStorage>,
        /// The storage account's shared key, which signs download addresses.
        key: Sensitive<String>,
    },
}

/// The service that runs scripts on the machines.
enum Runner {
    Ssm {
        /// Where Systems Manager writes output (bucket and full prefix).
        output: CommandOutput,
        access: AwsAccess,
    },
    RunCommand(Box<Arm>),
}

impl Console {
    /// The distribution repository of `g`, when it has one.
    pub(super) fn distributor(&self, g: &GroupRecord) -> Result<Option<Distributor>> {
        let Some(d) = &g.settings.distribution else {
            return Ok(None);
        };
        let account = &g.settings.account;
        let dist = match account {
            CloudAccount::Aws {
                credential,
                endpoint,
                ..
            } => {
                let access = self.aws_access(account, &g.settings.queue_region)?;
                let settings = S3Settings {
                    bucket: d.location.clone(),
                    folder: d.folder.clone(),
                    region: g.settings.queue_region.clone(),
                    endpoint: endpoint.clone(),
                    credential: credential.clone(),
                    storage_class: Default::default(),
                    immutable_days: None,
                };
                let store = S3Storage::connect(settings, &access.access_key_id, &access.secret)?;
                let (bucket, prefix) = store.location("output")?;
                Distributor {
                    shelf: Shelf::S3(store),
                    runner: Runner::Ssm {
                        output: CommandOutput { bucket, prefix },
                        access,
                    },
                }
            }
            CloudAccount::Azure {
                queue_credential, ..
            } => {
                let (storage_account, _, key) = self.queue_account(account)?;
                let settings = AzureSettings {
                    account: storage_account,
                    container: d.location.clone(),
                    folder: d.folder.clone(),
                    endpoint: d.endpoint.clone(),
                    credential: queue_credential.clone(),
                    auth: AzureAuth::SharedKey,
                    tier: Default::default(),
                    immutable_days: None,
                };
                let store = Box::new(AzureStorage::connect(settings, &key)?);
                let (arm, secret) = self.arm_access(account)?;
                Distributor {
                    shelf: Shelf::Azure { store, key },
                    runner: Runner::RunCommand(Box::new(Arm::connect(arm, secret)?)),
                }
            }
        };
        Ok(Some(dist))
    }
}

impl Distributor {
    /// The command service's name, as logs and errors say it.
    pub(super) fn service(&self) -> &'static str {
        match self.runner {
            Runner::Ssm { .. } => "Systems Manager",
            Runner::RunCommand(_) => "Azure Run Command",
        }
    }

    /// The channel a command through it takes.
    pub(super) fn channel(&self) -> Channel {
        match self.runner {
            Runner::Ssm { .. } => Channel::SystemsManager,
            Runner::RunCommand(_) => Channel::RunCommand,
        }
    }

    fn store(&self) -> &dyn Storage {
        match &self.shelf {
            Shelf::S3(s) => s,
            Shelf::Azure { store, .. } => store.as_ref(),
        }
    }

    /// An address that downloads `key` for `secs` seconds.
    pub(super) fn signed_get(&self, key: &str, secs: u64) -> Result<String> {
        Ok(match &self.shelf {
            Shelf::S3(s) => s.signed_get(key, secs)?,
            Shelf::Azure { store, key: k } => store.signed_get(key, secs, k)?,
        })
    }

    /// Why Cairn may not manage machine `m` through this service, if it
    /// may not: on Azure, a machine with no free Managed Run Command slot.
    pub(super) fn refusal(&self, m: Reach<'_>) -> Result<Option<String>> {
        let Runner::RunCommand(arm) = &self.runner else {
            return Ok(None);
        };
        let deployed = arm.run_commands(m.id)?.len();
        Ok((deployed >= MAX_RUN_COMMANDS).then(|| {
            format!(
                "{deployed} Managed Run Commands are deployed on this machine; Azure allows {MAX_RUN_COMMANDS} per virtual machine and Cairn needs one: delete run commands until no more than {} remain, then rescan",
                MAX_RUN_COMMANDS - 1
            )
        }))
    }

    /// Sends `lines` to machine `m`; the command's id (Azure: its name).
    pub(super) fn send(&self, m: Reach<'_>, lines: &[String], what: &str) -> Result<String> {
        match &self.runner {
            Runner::Ssm { output, access } => Ok(Ssm::connect(&access.in_region(m.region))
                .send_script(
                    m.id,
                    shell_of(m.os),
                    lines,
                    output,
                    // The machine in the comment: Run Command's history
                    // says whom each command was for.
                    &format!("Cairn: {what} on {}", m.id),
                    900,
                )?),
            Runner::RunCommand(arm) => {
                let name = run_command_name(what);
                arm.run_script(m.id, m.region, &name, &lines.join("\n"), RUN_TIMEOUT_SECS)?;
                Ok(name)
            }
        }
    }

    /// Sends `lines` to every machine, then waits for each outcome; the
    /// outcomes by machine id.
    pub(super) fn run_all(
        &self,
        machines: &[Reach<'_>],
        lines: &[String],
        what: &str,
    ) -> Result<Vec<(String, Outcome)>> {
        let sent: Vec<_> = machines
            .iter()
            .map(|m| (*m, self.send(*m, lines, what)))
            .collect();
        sent.into_iter()
            .map(|(m, c)| {
                let outcome = match c {
                    Ok(c) => self.outcome(m, &c, COMMAND_WAIT)?,
                    Err(e) => Err(e.message().into_owned()),
                };
                Ok((m.id.to_string(), outcome))
            })
            .collect()
    }

    /// How command `command` ended on `m`: its output when it printed
    /// [`DONE`], else why not (what it printed after [`FAILED`], its
    /// error output, the service's word, or that nothing came back).
    pub(super) fn outcome(&self, m: Reach<'_>, command: &str, wait: Duration) -> Result<Outcome> {
        match &self.runner {
            Runner::Ssm { access, .. } => self.ssm_outcome(access, m, command, wait),
            Runner::RunCommand(arm) => {
                let outcome = run_command_outcome(arm, m, command, wait);
                // Azure keeps at most 25 per machine: Cairn removes its own.
                let removed = arm.delete_run_command(m.id, command);
                let outcome = outcome?;
                removed?;
                Ok(outcome)
            }
        }
    }

    fn ssm_outcome(
        &self,
        access: &AwsAccess,
        m: Reach<'_>,
        command: &str,
        wait: Duration,
    ) -> Result<Outcome> {
        let shell = shell_of(m.os);
        let relative = CommandOutput {
            bucket: String::new(),
            prefix: "output".into(),
        };
        let key = |stream| relative.key(command, m.id, shell, stream);
        let ssm = Ssm::connect(&access.in_region(m.region));
        let deadline = Instant::now() + wait;
        let verdict = loop {
            if let Some(v) = self.read(&key("stdout"))?.and_then(|o| verdict(&o)) {
                break v;
            }
            if let Some(err) = self.read(&key("stderr"))?.filter(|e| !e.trim().is_empty()) {
                // The output may have landed after it was looked at.
                let late = self.read(&key("stdout"))?.and_then(|o| verdict(&o));
                break late
                    .unwrap_or_else(|| Err(format!("the script stopped: {}", last_lines(&err))));
            }
            if let cairn_cloud::CommandState::Failed(why) = ssm.state(command, m.id)? {
                break Err(format!("Systems Manager says the command failed: {why}"));
            }
            if Instant::now() >= deadline {
                break Err(format!(
                    "no output from Systems Manager within {} s: check that the machine runs, its SSM agent is online, and its instance profile may write to the distribution repository",
                    wait.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_secs(1));
        };
        for stream in ["stdout", "stderr"] {
            self.forget(&key(stream));
        }
        Ok(verdict)
    }

    fn read(&self, key: &str) -> Result<Option<String>> {
        match self.store().get_at_most(key, MAX_OUTPUT) {
            Ok(b) => Ok(Some(String::from_utf8_lossy(&b).into_owned())),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Uploads a package once (its key names its SHA-256); its key.
    pub(super) fn publish(&self, p: &Package) -> Result<String> {
        let key = format!("packages/{}/{}", p.sha256, p.file);
        if !self.store().exists(&key)? {
            let bytes = std::fs::read(&p.path)
                .map_err(|e| Error::io("read the agent package", &p.path, e))?;
            self.store().put(&key, &bytes)?;
        }
        Ok(key)
    }

    /// Uploads a machine's configuration under an unguessable name; its key.
    pub(super) fn put_config(&self, cfg: &AgentConfig) -> Result<String> {
        let text = serde_json::to_vec_pretty(cfg)
            .map_err(|e| Error::internal(format!("cannot encode the agent configuration: {e}")))?;
        let key = format!(
            "configs/{}/{}.json",
            cfg.machine_id,
            cairn_agent::envelope::new_id()
        );
        self.store().put(&key, &text)?;
        Ok(key)
    }

    /// Deletes an object, quietly: a leftover is removed by the next prune.
    pub(super) fn forget(&self, key: &str) {
        let _ = self.store().delete(key);
    }

    /// Deletes the packages whose SHA-256 is not in `keep`; how many.
    pub(super) fn prune(&self, keep: &BTreeSet<String>) -> Result<u32> {
        let mut n = 0;
        for o in self.store().list("packages/")? {
            let sha = o.key.split('/').nth(1).unwrap_or_default();
            if !keep.contains(sha) {
                self.store().delete(&o.key)?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// Waits for run command `name` on `m` to end; how it did.
fn run_command_outcome(arm: &Arm, m: Reach<'_>, name: &str, wait: Duration) -> Result<Outcome> {
    let deadline = Instant::now() + wait;
    loop {
        match arm.run_state(m.id, name)? {
            RunState::Ended {
                exit_code,
                output,
                error,
            } => {
                return Ok(verdict(&output).unwrap_or_else(|| {
                    let why = if error.trim().is_empty() {
                        format!("it ended with exit code {}", exit_code.unwrap_or(-1))
                    } else {
                        last_lines(&error)
                    };
                    Err(format!("the script stopped: {why}"))
                }));
            }
            RunState::Stopped(why) => return Ok(Err(why)),
            RunState::Running => {}
        }
        if Instant::now() >= deadline {
            return Ok(Err(format!(
                "no answer from Azure Run Command within {} s: check that the virtual machine runs and its Azure VM agent is ready",
                wait.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// `cairn-<what>-<random>`: a name that says what it does and never
/// meets another.
fn run_command_name(what: &str) -> String {
    let slug: String = what
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && *w != "the")
        .collect::<Vec<_>>()
        .join("-")
        .to_ascii_lowercase();
    let id = cairn_agent::envelope::new_id();
    format!(
        "cairn-{}-{}",
        slug.chars().take(40).collect::<String>(),
        &id[..12]
    )
}

fn shell_of(os: AgentOs) -> Shell {
    match os {
        AgentOs::Windows => Shell::Windows,
        _ => Shell::Linux,
    }
}

/// What a script's output says, once it says anything final.
fn verdict(stdout: &str) -> Option<Outcome> {
    if let Some(line) = stdout.lines().find(|l| l.starts_with(FAILED)) {
        return Some(Err(line[FAILED.len()..].trim().to_string()));
    }
    stdout
        .lines()
        .any(|l| l.starts_with(DONE))
        .then(|| Ok(stdout.to_string()))
}

fn last_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = &lines[lines.len().saturating_sub(3)..];
    tail.join(" / ").chars().take(600).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_command_is_named_for_what_it_does_and_never_twice_alike() {
        let a = run_command_name("install the agent");
        assert!(a.starts_with("cairn-install-agent-"), "{a}");
        assert_ne!(a, run_command_name("install the agent"));
        assert!(a
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
    }
}
