//! Installing, updating and removing agents through AWS Systems Manager
//! Run Command from a group's distribution repository (seed 002, Setup
//! steps 1, 4 and 5), and handing a command to an agent that does not
//! answer on its queue. Packages and configurations reach the machine
//! through signed addresses that expire within minutes; Systems Manager
//! writes each script's output into the distribution repository, where
//! the console reads how it ended. A machine counts as installed only
//! when its agent's sealed hello arrives on the console queue.

use super::agent_packages::{package_for, Package};
use super::agent_scripts::{self, Inbox, InstallPlan, DONE, FAILED};
use super::Console;
use crate::catalog::{GroupRecord, MachineRecord};
use crate::error::{Error, Result};
use cairn_agent::AgentConfig;
use cairn_cloud::{AwsAccess, CommandOutput, S3Settings, S3Storage, Shell, Ssm};
use cairn_core::storage::{ReadStorage, Storage};
use cairn_model::{AgentOs, Channel, CloudAccount, ErrorKind, LogLevel, MachineState};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// Seconds a signed address of a package or configuration works.
pub const SIGNED_SECS: u64 = 600;
/// How long the console waits for one command's output.
const COMMAND_WAIT: Duration = Duration::from_secs(180);
/// How long installed agents have to say hello on the console queue.
const HELLO_WAIT: Duration = Duration::from_secs(90);
/// The most output of a command read.
const MAX_OUTPUT: u64 = 1 << 20;

/// A group's distribution repository and the Systems Manager of its
/// account.
pub(super) struct Distributor {
    store: S3Storage,
    /// Where Systems Manager writes output (bucket and full prefix).
    output: CommandOutput,
    access: AwsAccess,
}

/// What installing on one group's machines did.
#[derive(Debug, Default)]
pub(super) struct Installed {
    /// Agents that said hello with the package installed.
    pub installed: u32,
    /// Machines whose install failed, with the reason.
    pub failed: Vec<(String, String)>,
}

/// What a script on a machine ended with: its output, or why it failed.
pub(super) type Outcome = std::result::Result<String, String>;

/// Where Systems Manager finds a machine.
#[derive(Debug, Clone, Copy)]
pub(super) struct Reach<'a> {
    /// Instance id.
    pub id: &'a str,
    /// Its region.
    pub region: &'a str,
    /// Its operating system.
    pub os: AgentOs,
}

impl<'a> From<&'a MachineRecord> for Reach<'a> {
    fn from(m: &'a MachineRecord) -> Self {
        Self {
            id: &m.machine_id,
            region: &m.region,
            os: m.platform,
        }
    }
}

impl Console {
    /// The distribution repository of `g`, when it has one.
    pub(super) fn distributor(&self, g: &GroupRecord) -> Result<Option<Distributor>> {
        let Some(d) = &g.settings.distribution else {
            return Ok(None);
        };
        let CloudAccount::Aws {
            credential,
            endpoint,
            ..
        } = &g.settings.account
        else {
            return Err(Error::invalid(
                "installing agents through Azure Run Command is not available yet; place the agents with `cairn group agent-config`",
            ));
        };
        let access = self.aws_access(&g.settings.account, &g.settings.queue_region)?;
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
        Ok(Some(Distributor {
            store,
            output: CommandOutput { bucket, prefix },
            access,
        }))
    }

    /// Checks that Systems Manager runs scripts on each machine (Setup
    /// step 1: a harmless script that must come back); each machine's
    /// outcome by id.
    pub(super) fn check_run_command(
        &self,
        dist: &Distributor,
        machines: &[Reach<'_>],
    ) -> Result<BTreeMap<String, Outcome>> {
        Ok(dist
            .run_all(machines, &agent_scripts::check(), "check")?
            .into_iter()
            .map(|(id, o)| {
                let o = o.map_err(|why| {
                    format!("Systems Manager cannot run scripts on this machine: {why}")
                });
                (id, o)
            })
            .collect())
    }

    /// Installs the agent on `fresh` machines (whose check passed) and
    /// updates it on `stale` ones, then waits for each agent's hello.
    /// Every machine's record says how it ended.
    pub(super) fn install_agents(
        &self,
        g: &GroupRecord,
        dist: &Distributor,
        fresh: Vec<MachineRecord>,
        stale: Vec<MachineRecord>,
        log: &dyn Fn(LogLevel, &str),
    ) -> Result<Installed> {
        let mut out = Installed::default();
        let fail = |m: &MachineRecord, why: String, out: &mut Installed| -> Result<()> {
            log(LogLevel::Error, &format!("{}: {why}", m.name));
            self.set_machine_problem(m, MachineState::InstallFailed, &why)?;
            out.failed.push((m.name.clone(), why));
            Ok(())
        };
        let ready = fresh
            .into_iter()
            .map(|m| (m, true))
            .chain(stale.into_iter().map(|m| (m, false)));
        let mut sent = Vec::new();
        for (m, new) in ready {
            match self.send_install(g, dist, &m, new, None) {
                Ok(s) => sent.push(s),
                Err(e) => fail(&m, e.message().into_owned(), &mut out)?,
            }
        }
        let mut waiting = BTreeMap::new();
        for s in sent {
            let outcome = dist.outcome((&s.machine).into(), &s.command, COMMAND_WAIT)?;
            if let Some(key) = &s.config_key {
                dist.forget(key);
            }
            match outcome {
                Ok(_) => {
                    log(
                        LogLevel::Info,
                        &format!(
                            "{}: agent {} through Systems Manager (package {}…); waiting for its hello",
                            s.machine.name,
                            if s.fresh { "installed" } else { "updated" },
                            &s.sha256[..12]
                        ),
                    );
                    waiting.insert(s.machine.machine_id.clone(), (s.machine, s.sha256));
                }
                Err(why) => fail(&s.machine, why, &mut out)?,
            }
        }
        for (m, _) in self.wait_hellos(g, &mut waiting, &mut out)? {
            fail(
                &m,
                format!(
                    "installed, but its agent has not said hello on the queue within {} s; see /var/lib/cairn-agent/agent.log on the machine (journalctl -u cairn-agent under systemd)",
                    HELLO_WAIT.as_secs()
                ),
                &mut out,
            )?;
        }
        Ok(out)
    }

    /// Reads the console queue until every machine of `waiting` has said
    /// hello with its package; the machines that did not.
    fn wait_hellos(
        &self,
        g: &GroupRecord,
        waiting: &mut BTreeMap<String, (MachineRecord, String)>,
        out: &mut Installed,
    ) -> Result<Vec<(MachineRecord, String)>> {
        let deadline = Instant::now() + HELLO_WAIT;
        while !waiting.is_empty() && Instant::now() < deadline {
            self.pump_console_queue(g)?;
            for m in self.catalog()?.group_machines(g.id)? {
                let said = waiting
                    .get(&m.machine_id)
                    .is_some_and(|(_, sha)| m.agent_build == *sha);
                if said {
                    waiting.remove(&m.machine_id);
                    out.installed += 1;
                }
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        Ok(std::mem::take(waiting).into_values().collect())
    }

    /// Sends one machine its install (with a new configuration) or update
    /// (keeping the one it has) script.
    fn send_install(
        &self,
        g: &GroupRecord,
        dist: &Distributor,
        m: &MachineRecord,
        fresh: bool,
        inbox: Option<&Inbox<'_>>,
    ) -> Result<SentInstall> {
        if m.platform == AgentOs::Windows {
            return Err(Error::invalid(
                "installing the agent on Windows through Systems Manager is not available yet; place it by hand with `cairn group agent-config`",
            ));
        }
        let package = package_for(m.platform)?;
        let package_key = dist.publish(&package)?;
        let package_url = dist.store.signed_get(&package_key, SIGNED_SECS)?;
        let config_key = if fresh {
            Some(dist.put_config(&self.machine_agent_config(g, m)?)?)
        } else {
            None
        };
        let config_url = match &config_key {
            Some(k) => Some(dist.store.signed_get(k, SIGNED_SECS)?),
            None => None,
        };
        let plan = InstallPlan {
            package_url: &package_url,
            sha256: &package.sha256,
            arch: &package.arch,
            config_url: config_url.as_deref(),
        };
        let what = if fresh {
            "install the agent"
        } else {
            "update the agent"
        };
        let command = dist.send(m.into(), &agent_scripts::install(&plan, inbox), what)?;
        self.set_machine_channel(m, Channel::SystemsManager)?;
        Ok(SentInstall {
            machine: m.clone(),
            command,
            config_key,
            sha256: package.sha256,
            fresh,
        })
    }

    /// Hands a sealed command to an agent that does not answer on its
    /// queue: Systems Manager drops it in the agent's inbox and restarts
    /// its message service, or installs the agent again when it is gone.
    /// Ok(Err(reason)) when that failed too.
    pub(super) fn deliver_by_run_command(
        &self,
        g: &GroupRecord,
        m: &MachineRecord,
        id: &str,
        sealed: &str,
    ) -> Result<Outcome> {
        let Some(dist) = self.distributor(g)? else {
            return Ok(Err(
                "the group has no distribution repository, so Systems Manager cannot step in"
                    .into(),
            ));
        };
        let inbox = Inbox { id, sealed };
        let command = dist.send(
            m.into(),
            &agent_scripts::restart(&inbox),
            "restart the agent",
        )?;
        self.set_machine_channel(m, Channel::SystemsManager)?;
        match dist.outcome(m.into(), &command, COMMAND_WAIT)? {
            Err(why) if agent_scripts::says_missing(&why) => {
                let s = self.send_install(g, &dist, m, true, Some(&inbox))?;
                let outcome = dist.outcome(m.into(), &s.command, COMMAND_WAIT)?;
                if let Some(k) = &s.config_key {
                    dist.forget(k);
                }
                Ok(outcome.map(|_| "the agent was missing and was installed again".into()))
            }
            other => Ok(other.map(|_| "its message service was restarted".into())),
        }
    }

    /// Stops and removes a machine's agent through Systems Manager.
    pub(super) fn uninstall_agent(&self, g: &GroupRecord, m: &MachineRecord) -> Result<()> {
        let Some(dist) = self.distributor(g)? else {
            return Ok(());
        };
        let command = dist.send(m.into(), &agent_scripts::uninstall(), "remove the agent")?;
        dist.outcome(m.into(), &command, COMMAND_WAIT)?
            .map_err(|why| {
                Error::storage(format!(
                    "could not remove the agent through Systems Manager: {why}"
                ))
            })?;
        Ok(())
    }

    /// Deletes the packages of the distribution repository that no machine
    /// of `g` runs and the console would not install; how many.
    pub(super) fn prune_packages(&self, g: &GroupRecord, dist: &Distributor) -> Result<u32> {
        let mut keep: BTreeSet<String> = self
            .catalog()?
            .group_machines(g.id)?
            .into_iter()
            .map(|m| m.agent_build)
            .filter(|b| !b.is_empty())
            .collect();
        for os in [AgentOs::Linux, AgentOs::Windows] {
            if let Ok(p) = package_for(os) {
                keep.insert(p.sha256);
            }
        }
        dist.prune(&keep)
    }

    fn set_machine_channel(&self, m: &MachineRecord, channel: Channel) -> Result<()> {
        let cat = self.catalog()?;
        for mut rec in cat.machine_everywhere(&m.machine_id)? {
            rec.channel = channel;
            cat.put_machine(&rec)?;
        }
        Ok(())
    }

    fn set_machine_problem(&self, m: &MachineRecord, state: MachineState, why: &str) -> Result<()> {
        let cat = self.catalog()?;
        for mut rec in cat.machine_everywhere(&m.machine_id)? {
            if rec.group_id == m.group_id {
                rec.state = state;
                rec.problem = why.chars().take(2000).collect();
                cat.put_machine(&rec)?;
            }
        }
        Ok(())
    }
}

/// An install or update sent, waiting for its output.
struct SentInstall {
    machine: MachineRecord,
    command: String,
    config_key: Option<String>,
    sha256: String,
    fresh: bool,
}

impl Distributor {
    fn ssm(&self, region: &str) -> Ssm {
        Ssm::connect(&self.access.in_region(region))
    }

    /// Sends `lines` to machine `m`; the command's id.
    fn send(&self, m: Reach<'_>, lines: &[String], what: &str) -> Result<String> {
        Ok(self.ssm(m.region).send_script(
            m.id,
            shell_of(m.os),
            lines,
            &self.output,
            // The machine in the comment: Run Command's history says whom
            // each command was for.
            &format!("Cairn: {what} on {}", m.id),
            900,
        )?)
    }

    /// Sends `lines` to every machine, then waits for each outcome; the
    /// outcomes by machine id.
    fn run_all(
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
    /// error output, Systems Manager's word, or that nothing came back).
    fn outcome(&self, m: Reach<'_>, command: &str, wait: Duration) -> Result<Outcome> {
        let shell = shell_of(m.os);
        let relative = CommandOutput {
            bucket: String::new(),
            prefix: "output".into(),
        };
        let key = |stream| relative.key(command, m.id, shell, stream);
        let ssm = self.ssm(m.region);
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
        match self.store.get_at_most(key, MAX_OUTPUT) {
            Ok(b) => Ok(Some(String::from_utf8_lossy(&b).into_owned())),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Uploads a package once (its key names its SHA-256); its key.
    fn publish(&self, p: &Package) -> Result<String> {
        let key = format!("packages/{}/{}", p.sha256, p.file);
        if !self.store.exists(&key)? {
            let bytes = std::fs::read(&p.path)
                .map_err(|e| Error::io("read the agent package", &p.path, e))?;
            self.store.put(&key, &bytes)?;
        }
        Ok(key)
    }

    /// Uploads a machine's configuration under an unguessable name; its key.
    fn put_config(&self, cfg: &AgentConfig) -> Result<String> {
        let text = serde_json::to_vec_pretty(cfg)
            .map_err(|e| Error::internal(format!("cannot encode the agent configuration: {e}")))?;
        let key = format!(
            "configs/{}/{}.json",
            cfg.machine_id,
            cairn_agent::envelope::new_id()
        );
        self.store.put(&key, &text)?;
        Ok(key)
    }

    /// Deletes an object, quietly: a leftover is removed by the next prune.
    fn forget(&self, key: &str) {
        let _ = self.store.delete(key);
    }

    /// Deletes the packages whose SHA-256 is not in `keep`; how many.
    fn prune(&self, keep: &BTreeSet<String>) -> Result<u32> {
        let mut n = 0;
        for o in self.store.list("packages/")? {
            let sha = o.key.split('/').nth(1).unwrap_or_default();
            if !keep.contains(sha) {
                self.store.delete(&o.key)?;
                n += 1;
            }
        }
        Ok(n)
    }
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
