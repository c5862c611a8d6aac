//! Rescan of a cloud-machines group, in the seed's order: discover the
//! machines of each region (or the Azure subscription) through the cloud's API, leave alone those
//! another console manages, mark the rest as this console's, give each its
//! queue (once: a second rescan creates nothing) and its agent key, and
//! release the machines that left the group. A System session logs each
//! machine; a region that does not answer is a warning, and its machines
//! are kept as they were.

use super::agent_distributor::{Distributor, Outcome, Reach};
use super::group_cloud::{self, console_queue_name, machine_queue_name, Directory, Scope};
use super::groups::{excluded, is_managed, new_agent_key, selected, CONSOLE_TAG};
use super::Console;
use crate::catalog::{GroupRecord, MachineRecord};
use crate::error::{Error, Result};
use cairn_cloud::{Instance, QueueService};
use cairn_model::{AgentOs, LogLevel, MachineState, SessionKind};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Seconds of silence after which an agent that answered once is shown
/// as unreachable.
pub const AGENT_SILENT_SECS: i64 = 15 * 60;

/// What a rescan of one group found and did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupRescan {
    /// Group name.
    pub group: String,
    /// Machines the group selects (managed, foreign and excluded).
    pub found: u32,
    /// Machines this console manages after the rescan.
    pub managed: u32,
    /// Machines new to the group.
    pub added: u32,
    /// Queues created now (zero on a second rescan).
    pub queues_created: u32,
    /// Machines tagged by another console, left alone.
    pub foreign: u32,
    /// Machines left out by an exclusion.
    pub excluded: u32,
    /// Machines released because they left the group.
    pub released: u32,
    /// Agents heard while rescanning.
    pub heard: u32,
    /// Agents installed or updated through Systems Manager (each said
    /// hello with the new package).
    pub installed: u32,
    /// Regions or machines that could not be handled, with the reason.
    pub warnings: Vec<String>,
}

impl GroupRescan {
    /// One line for the session and the CLI.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{}: {} machine(s) found, {} managed ({} new, {} queue(s) created), {} managed by another console, {} excluded, {} released",
            self.group, self.found, self.managed, self.added, self.queues_created, self.foreign, self.excluded, self.released
        );
        if self.installed > 0 {
            s.push_str(&format!(
                "; {} agent(s) installed or updated",
                self.installed
            ));
        }
        if !self.warnings.is_empty() {
            s.push_str(&format!("; {} warning(s)", self.warnings.len()));
        }
        s
    }
}

/// How a rescan treats machines another console manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Takeover {
    /// Leave them alone and show them as such.
    #[default]
    No,
    /// Take them over (the user confirmed).
    Yes,
}

impl Console {
    /// `cairn group rescan`: the rescan as a System session.
    pub fn rescan_group(&self, name: &str, takeover: Takeover) -> Result<GroupRescan> {
        let (g, session) = self.begin_group_rescan(name)?;
        self.finish_group_rescan(&g, session, takeover)
    }

    /// The window's Rescan: the same in the background; the answer is the
    /// session, whose window follows it.
    pub fn start_group_rescan(self: &Arc<Self>, name: &str, takeover: Takeover) -> Result<i64> {
        let (g, session) = self.begin_group_rescan(name)?;
        let me = self.clone();
        std::thread::Builder::new()
            .name("group rescan".into())
            .spawn(move || {
                let _ = me.finish_group_rescan(&g, session, takeover);
            })
            .map_err(|e| Error::internal("cannot start the rescan").caused_by(e))?;
        Ok(session)
    }

    /// The groups whose daily rescan time has passed since their last
    /// rescan (a group never rescanned is due at once).
    pub fn groups_due(&self, now: i64) -> Result<Vec<String>> {
        Ok(self
            .catalog()?
            .groups()?
            .into_iter()
            .filter(|g| {
                let Some(at) = &g.settings.rescan_at else {
                    return false;
                };
                let last = crate::schedule::last_daily_unix(at, now).unwrap_or(now);
                g.last_rescan.is_none_or(|t| t < last)
            })
            .map(|g| g.name)
            .collect())
    }

    /// The scheduler's daily rescans: `names` one after another in the
    /// background, holding the one rescan slot.
    pub fn start_daily_group_rescans(self: &Arc<Self>, names: Vec<String>) -> Result<()> {
        if !self.runs().claim_rescan() {
            return Ok(());
        }
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("daily group rescan".into())
            .spawn(move || {
                for name in names {
                    if let Err(e) = me.rescan_group(&name, Takeover::No) {
                        eprintln!("cairn: the daily rescan of group {name} failed: {e}");
                    }
                }
                me.runs().release_rescan();
            });
        if let Err(e) = spawned {
            self.runs().release_rescan();
            return Err(Error::internal("cannot start the daily group rescan").caused_by(e));
        }
        Ok(())
    }

    fn begin_group_rescan(&self, name: &str) -> Result<(GroupRecord, i64)> {
        let g = self.group_named(name)?;
        let title = format!("Rescan of protection group {}", g.name);
        let cat = self.catalog()?;
        let session = cat.start_session(None, &title, SessionKind::System)?;
        // The time of the attempt: a failing daily rescan waits for the next day.
        cat.set_group_rescanned(g.id, cairn_core::time::now())?;
        Ok((g, session))
    }

    fn finish_group_rescan(
        &self,
        g: &GroupRecord,
        session: i64,
        takeover: Takeover,
    ) -> Result<GroupRescan> {
        let outcome = Rescan::new(self, g, session, takeover).and_then(|r| r.run());
        let ended = match &outcome {
            Ok(r) => Ok((r.warnings.as_slice(), r.summary())),
            Err(e) => Err(e.message().into_owned()),
        };
        self.end_logged_session(session, ended)?;
        outcome
    }
}

/// One rescan under way.
struct Rescan<'a> {
    console: &'a Console,
    group: &'a GroupRecord,
    session: i64,
    takeover: Takeover,
    me: String,
    queues: Box<dyn QueueService>,
    before: BTreeMap<String, MachineRecord>,
    /// The distribution repository agents are installed from, if any.
    dist: Option<Distributor>,
    /// Whether Systems Manager ran the check on each machine to install.
    checks: BTreeMap<String, Outcome>,
    out: GroupRescan,
}

impl<'a> Rescan<'a> {
    fn new(
        console: &'a Console,
        group: &'a GroupRecord,
        session: i64,
        takeover: Takeover,
    ) -> Result<Self> {
        let before = console
            .catalog()?
            .group_machines(group.id)?
            .into_iter()
            .map(|m| (m.machine_id.clone(), m))
            .collect();
        Ok(Self {
            me: console.console_id()?,
            queues: console.group_queues(group)?,
            dist: console.distributor(group)?,
            checks: BTreeMap::new(),
            console,
            group,
            session,
            takeover,
            before,
            out: GroupRescan {
                group: group.name.clone(),
                ..Default::default()
            },
        })
    }

    fn log(&self, level: LogLevel, line: &str) -> Result<()> {
        self.console.catalog()?.log(self.session, level, line)
    }

    fn run(mut self) -> Result<GroupRescan> {
        let console_queue = console_queue_name(&self.group.settings.account, &self.me);
        let (_, created) = self.queues.ensure_queue(&console_queue)?;
        if created {
            self.out.queues_created += 1;
            self.log(LogLevel::Info, "Created the console's queue")?;
        }
        let stuck = self.queues.dead_letters(&console_queue)?;
        if stuck > 0 {
            self.out.warnings.push(format!(
                "{stuck} agent message(s) could not be handled five times and wait in the dead-letter queue {console_queue}-dlq"
            ));
        }
        let mut seen = BTreeSet::new();
        let mut unreached = Vec::new();
        for scope in group_cloud::scopes(&self.group.settings.account) {
            match self.discover(&scope) {
                Ok((directory, found)) => {
                    self.log(
                        LogLevel::Info,
                        &format!("{}: {} machine(s) in the account", scope.label, found.len()),
                    )?;
                    self.check_run_command(&found)?;
                    for inst in found {
                        if let Some(id) = self.consider(&inst, &directory)? {
                            seen.insert(id);
                        }
                    }
                }
                Err(e) => {
                    self.out.warnings.push(format!(
                        "{}: {}; its machines are kept as they were",
                        scope.label,
                        e.message()
                    ));
                    unreached.push(scope);
                }
            }
        }
        self.release_gone(&seen, &unreached)?;
        let (heard, ignored) = self.console.pump_console_queue(self.group)?;
        self.out.heard = heard;
        self.out.warnings.extend(ignored);
        self.install()?;
        self.mark_silent()?;
        self.out.managed = self
            .console
            .catalog()?
            .group_machines(self.group.id)?
            .iter()
            .filter(|m| is_managed(m.state))
            .count() as u32;
        Ok(self.out)
    }

    /// The scope's directory (kept to tag what it found) and its machines.
    fn discover(&self, scope: &Scope) -> Result<(Directory, Vec<Instance>)> {
        let region = scope.region.as_deref().unwrap_or_default();
        let directory = self
            .console
            .directory(&self.group.settings.account, region)?;
        let found = directory.machines()?;
        Ok((directory, found))
    }

    /// Records one discovered instance; its id when the group selects it.
    fn consider(&mut self, inst: &Instance, directory: &Directory) -> Result<Option<String>> {
        let group = self.group;
        let s = &group.settings;
        if !selected(&inst.id, &inst.tags, &s.selection) {
            return Ok(None);
        }
        self.out.found += 1;
        let prev = self.before.get(&inst.id).cloned();
        let owner = inst.tags.get(CONSOLE_TAG).filter(|o| !o.is_empty());
        let foreign = self.foreign(inst);
        let mut notes = Vec::new();
        let was_managed = prev.as_ref().is_some_and(|p| is_managed(p.state));
        let mut rec = prev.clone().unwrap_or_else(|| MachineRecord {
            group_id: self.group.id,
            machine_id: inst.id.clone(),
            name: inst.name.clone(),
            platform: AgentOs::Linux,
            region: inst.region.clone(),
            state: MachineState::Discovered,
            queue_url: String::new(),
            key_ref: String::new(),
            agent_version: String::new(),
            agent_build: String::new(),
            channel: Default::default(),
            problem: String::new(),
            last_seen: None,
            last_backup: None,
        });
        rec.name = inst.name.clone();
        rec.region = inst.region.clone();
        rec.platform = if inst.windows {
            AgentOs::Windows
        } else {
            AgentOs::Linux
        };
        if excluded(&inst.id, &inst.tags, &s.exclusions) {
            self.out.excluded += 1;
            self.leave(&mut rec, was_managed, MachineState::Excluded, &mut notes)?;
        } else if foreign {
            self.out.foreign += 1;
            let other = owner
                .map(|o| o.chars().take(12).collect::<String>())
                .unwrap_or_default();
            notes.push(format!(
                "managed by console {other}…; left alone (rescan with takeover to manage it here)"
            ));
            self.leave(
                &mut rec,
                was_managed,
                MachineState::ManagedElsewhere,
                &mut notes,
            )?;
        } else if let Some(Err(why)) = self.checks.get(&inst.id) {
            notes.push(why.clone());
            self.out.warnings.push(format!("{}: {why}", rec.name));
            rec.state = MachineState::InstallFailed;
            rec.problem = why.chars().take(2000).collect();
        } else {
            if owner.map(String::as_str) != Some(self.me.as_str()) {
                directory.tag(&inst.id, CONSOLE_TAG, &self.me)?;
                notes.push(if owner.is_some() {
                    "taken over".into()
                } else {
                    "tagged".into()
                });
            }
            self.manage(&mut rec, &mut notes)?;
        }
        if prev.is_none() && is_managed(rec.state) {
            self.out.added += 1;
        }
        self.console.catalog()?.put_machine(&rec)?;
        let line = format!(
            "{} ({}, {}, {}, {}): {}{}",
            rec.name,
            inst.id,
            rec.platform.label(),
            inst.region,
            inst.state,
            rec.state.label(),
            if notes.is_empty() {
                String::new()
            } else {
                format!("; {}", notes.join("; "))
            }
        );
        self.log(LogLevel::Info, &line)?;
        Ok(Some(inst.id.clone()))
    }

    /// True when another console manages `inst` and it is not taken over.
    fn foreign(&self, inst: &Instance) -> bool {
        let owner = inst.tags.get(CONSOLE_TAG).filter(|o| !o.is_empty());
        owner.is_some_and(|o| *o != self.me) && self.takeover == Takeover::No
    }

    /// Setup step 1, before a machine is marked or given queues: with a
    /// distribution repository, Systems Manager must run a harmless script
    /// on each machine that still needs its agent.
    fn check_run_command(&mut self, found: &[Instance]) -> Result<()> {
        let Some(dist) = &self.dist else {
            return Ok(());
        };
        let s = &self.group.settings;
        let wanted: Vec<Reach<'_>> = found
            .iter()
            .filter(|i| selected(&i.id, &i.tags, &s.selection))
            .filter(|i| !excluded(&i.id, &i.tags, &s.exclusions) && !self.foreign(i))
            .filter(|i| {
                self.before
                    .get(&i.id)
                    .is_none_or(|m| m.last_seen.is_none() || m.state == MachineState::InstallFailed)
            })
            .map(|i| Reach {
                id: &i.id,
                region: &i.region,
                os: if i.windows {
                    AgentOs::Windows
                } else {
                    AgentOs::Linux
                },
            })
            .collect();
        if wanted.is_empty() {
            return Ok(());
        }
        let checks = self.console.check_run_command(dist, &wanted)?;
        self.checks.extend(checks);
        Ok(())
    }

    /// Gives a managed machine its queue and key.
    fn manage(&mut self, rec: &mut MachineRecord, notes: &mut Vec<String>) -> Result<()> {
        let name = machine_queue_name(&self.group.settings.account, &self.me, &rec.machine_id);
        let (url, created) = self.queues.ensure_queue(&name)?;
        if created {
            self.out.queues_created += 1;
            notes.push("queue created".into());
        }
        self.report_dead_letters(&name, &rec.name)?;
        rec.queue_url = url;
        if rec.key_ref.is_empty() {
            rec.key_ref = new_agent_key(&self.me, &rec.name)?;
            notes.push("agent key made".into());
        }
        if !is_managed(rec.state) {
            rec.state = MachineState::Discovered;
        }
        Ok(())
    }

    /// Commands that failed too often wait in the queue's dead-letter queue.
    fn report_dead_letters(&mut self, queue: &str, machine: &str) -> Result<()> {
        let n = self.queues.dead_letters(queue)?;
        if n > 0 {
            self.out.warnings.push(format!(
                "{machine}: {n} command(s) were received five times without an answer and wait in the dead-letter queue {queue}-dlq; look at the agent's log"
            ));
        }
        Ok(())
    }

    /// Puts a machine in an unmanaged state, releasing it first when this
    /// console managed it.
    fn leave(
        &mut self,
        rec: &mut MachineRecord,
        was_managed: bool,
        state: MachineState,
        notes: &mut Vec<String>,
    ) -> Result<()> {
        if was_managed && !self.console.held_elsewhere(rec)? {
            self.release(rec, notes);
        }
        rec.state = state;
        rec.queue_url.clear();
        rec.key_ref.clear();
        Ok(())
    }

    fn release(&mut self, rec: &MachineRecord, notes: &mut Vec<String>) {
        match self.console.release_machine(self.group, rec) {
            Ok(()) => notes.push("released".into()),
            Err(e) => {
                self.out
                    .warnings
                    .push(format!("{}: cannot release it: {}", rec.name, e.message()))
            }
        }
    }

    /// Releases and forgets the machines no longer found in a region that
    /// answered.
    fn release_gone(&mut self, seen: &BTreeSet<String>, unreached: &[Scope]) -> Result<()> {
        let kept = |m: &MachineRecord| {
            unreached
                .iter()
                .any(|s| s.region.as_deref().is_none_or(|r| r == m.region))
        };
        let gone: Vec<MachineRecord> = self
            .before
            .values()
            .filter(|m| !seen.contains(&m.machine_id) && !kept(m))
            .cloned()
            .collect();
        for m in gone {
            let mut notes = Vec::new();
            if is_managed(m.state) && !self.console.held_elsewhere(&m)? {
                self.release(&m, &mut notes);
                self.out.released += 1;
            }
            self.console
                .catalog()?
                .remove_machine(self.group.id, &m.machine_id)?;
            self.log(
                LogLevel::Info,
                &format!(
                    "{} ({}): left the group{}",
                    m.name,
                    m.machine_id,
                    if notes.is_empty() {
                        String::new()
                    } else {
                        format!("; {}", notes.join("; "))
                    }
                ),
            )?;
        }
        Ok(())
    }

    /// With a distribution repository: installs the agent on managed
    /// machines that never had one (or whose install failed) and updates
    /// those running another package, then deletes unused packages.
    fn install(&mut self) -> Result<()> {
        let Some(dist) = &self.dist else {
            return Ok(());
        };
        let (mut fresh, mut stale) = (Vec::new(), Vec::new());
        for m in self.console.catalog()?.group_machines(self.group.id)? {
            if !is_managed(m.state) {
                continue;
            }
            let checked = matches!(self.checks.get(&m.machine_id), Some(Ok(_)));
            let other =
                super::agent_packages::build_for(m.platform).is_some_and(|b| b != m.agent_build);
            if checked {
                fresh.push(m);
            } else if m.last_seen.is_some() && other {
                stale.push(m);
            }
        }
        if !fresh.is_empty() || !stale.is_empty() {
            let session = self.session;
            let log = |level: LogLevel, line: &str| {
                if let Ok(c) = self.console.catalog() {
                    let _ = c.log(session, level, line);
                }
            };
            let done = self
                .console
                .install_agents(self.group, dist, fresh, stale, &log)?;
            self.out.installed = done.installed;
            for (machine, why) in done.failed {
                self.out.warnings.push(format!("{machine}: {why}"));
            }
        }
        let pruned = self.console.prune_packages(self.group, dist)?;
        if pruned > 0 {
            self.log(
                LogLevel::Info,
                &format!("Deleted {pruned} agent package(s) no machine uses from the distribution repository"),
            )?;
        }
        Ok(())
    }

    /// Agents silent for too long are shown as unreachable.
    fn mark_silent(&self) -> Result<()> {
        let now = cairn_core::time::now();
        let cat = self.console.catalog()?;
        for mut m in cat.group_machines(self.group.id)? {
            let silent = m.last_seen.is_some_and(|t| now - t > AGENT_SILENT_SECS);
            if m.state == MachineState::AgentInstalled && silent {
                m.state = MachineState::AgentUnreachable;
                cat.put_machine(&m)?;
            }
        }
        Ok(())
    }
}
