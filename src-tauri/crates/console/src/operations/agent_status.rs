//! Status of a group's agents: every managed machine is asked (the
//! protocol's Status command) and the answers are awaited on the console
//! queue, each with the time it took. `cairn group status` and
//! `cairn bench agents` show it.

use super::group_cloud::console_queue_name;
use super::groups::is_managed;
use super::Console;
use crate::error::Result;
use cairn_agent::messages::Body;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// One machine's answer to a status round.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AgentAnswer {
    /// Machine name.
    pub machine: String,
    /// Milliseconds from the command to its answer; None when silent.
    pub latency_ms: Option<u64>,
    /// The agent's version.
    pub version: String,
    /// Free bytes where the agent keeps its state.
    pub free_bytes: Option<u64>,
    /// The order it is running, if any.
    pub running: Option<String>,
    /// Why it is not counted, when it did not answer.
    pub problem: String,
}

impl Console {
    /// Asks every managed machine of `group` for its status and waits up
    /// to `wait` for the answers.
    pub fn agents_status(&self, group: &str, wait: Duration) -> Result<Vec<AgentAnswer>> {
        let g = self.group_named(group)?;
        let machines: Vec<_> = self
            .catalog()?
            .group_machines(g.id)?
            .into_iter()
            .filter(|m| is_managed(m.state) && !m.queue_url.is_empty())
            .collect();
        let mut asked: HashMap<String, (Instant, usize)> = HashMap::new();
        let mut out: Vec<AgentAnswer> = machines
            .iter()
            .map(|m| AgentAnswer {
                machine: m.name.clone(),
                latency_ms: None,
                version: m.agent_version.clone(),
                free_bytes: None,
                running: None,
                problem: "no answer".into(),
            })
            .collect();
        for (i, m) in machines.iter().enumerate() {
            match self.send_to_machine(&g, m, &Body::Status) {
                Ok(id) => {
                    asked.insert(id, (Instant::now(), i));
                }
                Err(e) => out[i].problem = format!("not asked: {}", e.message()),
            }
        }
        let queues = self.group_queues(&g)?;
        let name = console_queue_name(&g.settings.account, &self.console_id()?);
        let Some(address) = queues.queue_address(&name)? else {
            return Ok(out);
        };
        let q = queues.open(&address);
        let start = Instant::now();
        let mut keys = HashMap::new();
        while !asked.is_empty() && start.elapsed() < wait {
            for d in q.receive(10, Duration::from_secs(1))? {
                let Ok(m) = self.open_from_agent(&mut keys, &d) else {
                    continue;
                };
                let Body::Heartbeat(status) = m.body else {
                    continue;
                };
                let Some((sent, i)) = m.header.correlation.and_then(|c| asked.remove(&c)) else {
                    continue;
                };
                q.delete(&d.receipt)?;
                let machine = &machines[i];
                self.catalog()?.machine_heard(
                    &machine.machine_id,
                    &status.version,
                    &status.build,
                    cairn_core::time::now(),
                )?;
                out[i] = AgentAnswer {
                    machine: machine.name.clone(),
                    latency_ms: Some(sent.elapsed().as_millis() as u64),
                    version: status.version,
                    free_bytes: status.free_bytes,
                    running: status.running,
                    problem: String::new(),
                };
            }
        }
        Ok(out)
    }
}
