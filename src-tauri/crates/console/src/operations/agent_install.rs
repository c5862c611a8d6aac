//! Installing, updating and removing agents through AWS Systems Manager
//! or Azure Run Command from a group's distribution repository (seed 002,
//! Setup steps 1, 4 and 5), and handing a command to an agent that does
//! not answer on its queue. Packages and configurations reach the machine
//! through signed addresses that expire within minutes. A machine counts
//! as installed only when its agent's sealed hello arrives on the console
//! queue.

use super::agent_distributor::{Distributor, Outcome, Reach, COMMAND_WAIT};
use super::agent_packages::package_for;
use super::agent_scripts::{self, Inbox, InstallPlan};
use super::Console;
use crate::catalog::{GroupRecord, MachineRecord};
use crate::error::{Error, Result};
use cairn_model::{AgentOs, Channel, LogLevel, MachineState};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

/// Seconds a signed address of a package or configuration works.
pub const SIGNED_SECS: u64 = 600;
/// How long installed agents have to say hello on the console queue.
const HELLO_WAIT: Duration = Duration::from_secs(90);
/// What installing on one group's machines did.
#[derive(Debug, Default)]
pub(super) struct Installed {
    /// Agents that said hello with the package installed.
    pub installed: u32,
    /// Machines whose install failed, with the reason.
    pub failed: Vec<(String, String)>,
}

impl Console {
    /// Checks that the command service runs scripts on each machine
    /// (Setup step 1: a harmless script that must come back; on Azure,
    /// first that a Managed Run Command slot is free); each machine's
    /// outcome by id.
    pub(super) fn check_run_command(
        &self,
        dist: &Distributor,
        machines: &[Reach<'_>],
    ) -> Result<BTreeMap<String, Outcome>> {
        let mut out = BTreeMap::new();
        let mut open = Vec::new();
        for m in machines {
            if m.os == AgentOs::Windows {
                // No Linux check can run there; its install says why it
                // cannot be done, and the machine stays managed so that
                // its agent can be placed by hand.
                out.insert(m.id.to_string(), Ok(String::new()));
                continue;
            }
            match dist.refusal(*m)? {
                Some(why) => {
                    out.insert(m.id.to_string(), Err(why));
                }
                None => open.push(*m),
            }
        }
        let service = dist.service();
        for (id, o) in dist.run_all(&open, &agent_scripts::check(), "check")? {
            let o = o.map_err(|why| format!("{service} cannot run scripts on this machine: {why}"));
            out.insert(id, o);
        }
        Ok(out)
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
                            "{}: agent {} through {} (package {}…); waiting for its hello",
                            s.machine.name,
                            if s.fresh { "installed" } else { "updated" },
                            dist.service(),
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
            return Err(Error::invalid(format!(
                "installing the agent on Windows through {} is not available yet; place it by hand with `cairn group agent-config`",
                dist.service()
            )));
        }
        let package = package_for(m.platform)?;
        let package_key = dist.publish(&package)?;
        let package_url = dist.signed_get(&package_key, SIGNED_SECS)?;
        let config_key = if fresh {
            Some(dist.put_config(&self.machine_agent_config(g, m)?)?)
        } else {
            None
        };
        let config_url = match &config_key {
            Some(k) => Some(dist.signed_get(k, SIGNED_SECS)?),
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
        self.set_machine_channel(m, dist.channel())?;
        Ok(SentInstall {
            machine: m.clone(),
            command,
            config_key,
            sha256: package.sha256,
            fresh,
        })
    }

    /// Hands a sealed command to an agent that does not answer on its
    /// queue: Systems Manager / Run Command drops it in the agent's inbox and restarts
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
                "the group has no distribution repository, so Systems Manager / Run Command cannot step in"
                    .into(),
            ));
        };
        let inbox = Inbox { id, sealed };
        let command = dist.send(
            m.into(),
            &agent_scripts::restart(&inbox),
            "restart the agent",
        )?;
        self.set_machine_channel(m, dist.channel())?;
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

    /// Stops and removes a machine's agent through the command service.
    pub(super) fn uninstall_agent(&self, g: &GroupRecord, m: &MachineRecord) -> Result<()> {
        let Some(dist) = self.distributor(g)? else {
            return Ok(());
        };
        let command = dist.send(m.into(), &agent_scripts::uninstall(), "remove the agent")?;
        dist.outcome(m.into(), &command, COMMAND_WAIT)?
            .map_err(|why| {
                Error::storage(format!(
                    "could not remove the agent through {}: {why}",
                    dist.service()
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
