//! The console's side of the agent protocol (`agent/PROTOCOL.md`): sealed
//! commands to a machine's queue, the console queue read and each message
//! opened with the key of the machine it claims to come from, and a
//! machine released when it leaves its group.

use super::group_cloud::{console_queue_name, machine_queue_name};
use super::groups::CONSOLE_TAG;
use super::Console;
use crate::catalog::{GroupRecord, MachineRecord};
use crate::error::{Error, Result};
use cairn_agent::envelope::{self, AgentKey, Endpoints, Opened};
use cairn_agent::messages::Body;
use cairn_cloud::Delivery;
use std::collections::HashMap;
use std::time::Duration;

/// Seconds a command stays valid: an agent that gets it later drops it.
pub const COMMAND_TTL: i64 = 15 * 60;

impl Console {
    /// Seals `body` for machine `m` and sends it to the machine's queue;
    /// the message's id.
    pub(super) fn send_to_machine(
        &self,
        g: &GroupRecord,
        m: &MachineRecord,
        body: &Body,
    ) -> Result<String> {
        let (id, text) = self.seal_for_machine(m, body)?;
        self.group_queues(g)?.open(&m.queue_url).send(&text)?;
        Ok(id)
    }

    /// Seals `body` for machine `m`: the message's id and text.
    pub(super) fn seal_for_machine(
        &self,
        m: &MachineRecord,
        body: &Body,
    ) -> Result<(String, String)> {
        let key = self.agent_key(m)?;
        let ends = self.console_ends(&m.machine_id)?;
        let (id, text) = envelope::letter(
            &key,
            &ends,
            None,
            body,
            cairn_core::time::now(),
            COMMAND_TTL,
        )
        .map_err(|e| Error::internal(format!("cannot seal the command to {}: {e}", m.name)))?;
        Ok((id, text))
    }

    /// Reads what waits on the console queue: heartbeats are recorded (the
    /// machine's agent version and last seen), forged, expired and unknown
    /// messages are dropped with a log line; progress and results of
    /// orders are left for the run that sent them. The number heard and
    /// why each dropped message was dropped.
    pub(super) fn pump_console_queue(&self, g: &GroupRecord) -> Result<(u32, Vec<String>)> {
        let me = self.console_id()?;
        let queues = self.group_queues(g)?;
        let Some(address) = queues.queue_address(&console_queue_name(&g.settings.account, &me))?
        else {
            return Ok((0, Vec::new()));
        };
        let q = queues.open(&address);
        let mut keys = HashMap::new();
        let (mut heard, mut ignored) = (0, Vec::new());
        loop {
            let batch = q.receive(10, Duration::ZERO)?;
            if batch.is_empty() {
                return Ok((heard, ignored));
            }
            let mut kept = 0;
            for d in &batch {
                match self.open_from_agent(&mut keys, d) {
                    Ok(m) => match m.body {
                        Body::Heartbeat(status) => {
                            let machine = agent_of(&m.header.sender).unwrap_or_default();
                            self.catalog()?.machine_heard(
                                machine,
                                &status.version,
                                &status.build,
                                m.header.sent.min(cairn_core::time::now()),
                            )?;
                            heard += 1;
                            q.delete(&d.receipt)?;
                        }
                        _ => kept += 1,
                    },
                    Err(why) => {
                        ignored.push(format!("ignored a message on the console queue: {why}"));
                        q.delete(&d.receipt)?;
                    }
                }
            }
            if kept == batch.len() {
                // Only other runs' messages are left: they come back to them.
                return Ok((heard, ignored));
            }
        }
    }

    /// Opens a delivery with the key of the machine its sender names.
    pub(super) fn open_from_agent(
        &self,
        keys: &mut HashMap<String, Option<AgentKey>>,
        d: &Delivery,
    ) -> std::result::Result<Opened, String> {
        let env = envelope::peek(&d.body).map_err(|e| e.to_string())?;
        let machine = agent_of(&env.header.sender)
            .ok_or_else(|| format!("sender {:?} is not an agent", env.header.sender))?
            .to_string();
        if !keys.contains_key(&machine) {
            let key = self
                .catalog()
                .ok()
                .and_then(|c| c.machine_everywhere(&machine).ok())
                .and_then(|ms| ms.into_iter().find(|m| !m.key_ref.is_empty()))
                .and_then(|m| self.agent_key(&m).ok());
            keys.insert(machine.clone(), key);
        }
        let key = keys
            .get(&machine)
            .and_then(Option::as_ref)
            .ok_or_else(|| format!("machine {machine} is not one of this console's"))?;
        let ends = self
            .console_ends(&machine)
            .map_err(|e| e.message().into_owned())?;
        envelope::open(key, &ends, &d.body, cairn_core::time::now()).map_err(|e| e.to_string())
    }

    /// Releases a machine: its agent is removed through Systems Manager
    /// when the group has a distribution repository, told to stop and
    /// forget this console, the console's tag is removed, its queue deleted (an agent
    /// whose queue is gone stops too) and its key forgotten.
    pub(super) fn release_machine(&self, g: &GroupRecord, m: &MachineRecord) -> Result<()> {
        let me = self.console_id()?;
        let uninstalled = self.uninstall_agent(g, m);
        if !m.queue_url.is_empty() && !m.key_ref.is_empty() {
            self.send_to_machine(g, m, &Body::Stop { uninstall: true })?;
        }
        self.directory(&g.settings.account, &m.region)?
            .untag(&m.machine_id, CONSOLE_TAG)?;
        self.group_queues(g)?.delete_queue(&machine_queue_name(
            &g.settings.account,
            &me,
            &m.machine_id,
        ))?;
        if !m.key_ref.is_empty() {
            crate::secrets::delete(&m.key_ref, &format!("agent key of {}", m.name))?;
        }
        uninstalled
    }

    pub(super) fn agent_key(&self, m: &MachineRecord) -> Result<AgentKey> {
        let hex = crate::secrets::load(&m.key_ref, &format!("agent key of {}", m.name))?;
        AgentKey::from_hex(hex.expose()).ok_or_else(|| {
            Error::corrupt(format!(
                "the keyring's agent key of {} is not 64 hex digits; remove the machine from its group and rescan",
                m.name
            ))
        })
    }

    /// This console and one machine's agent as a message's two ends.
    pub(super) fn console_ends(&self, machine_id: &str) -> Result<Endpoints> {
        Ok(Endpoints {
            me: format!("console:{}", self.console_id()?),
            peer: format!("agent:{machine_id}"),
        })
    }
}

/// The machine id of sender "agent:<id>".
fn agent_of(sender: &str) -> Option<&str> {
    sender.strip_prefix("agent:").filter(|m| !m.is_empty())
}
