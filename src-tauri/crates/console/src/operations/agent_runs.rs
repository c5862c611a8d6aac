//! Backup jobs of cloud machines. Each machine's agent gets an order (the
//! job's spec for it, with credentials limited to the repository's folder
//! and the run's length) and writes straight into the repository; the run
//! follows the agents' answers on the console queue, fails a machine whose
//! agent stays silent, and ends with the console's own share: retention,
//! the catalog, the machines' last backup.

use super::agent_grants::AgentRepository;
use super::groups::is_managed;
use super::jobs::JobRunReport;
use super::Console;
use crate::catalog::{GroupRecord, JobRecord, MachineRecord, RepositoryRecord};
use crate::error::{Error, Result};
use cairn_agent::envelope::{self, AgentKey};
use cairn_agent::messages::{BackupOrder, Body, OrderResult};
use cairn_cloud::{Delivery, Queue};
use cairn_core::format::manifest::PointStats;
use cairn_core::progress::{CancelToken, ProgressSink, ProgressSnapshot};
use cairn_model::api::{SessionTask, TaskStatus};
use cairn_model::{BackupJobSettings, LogLevel, SessionResult};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Seconds an agent may stay silent while its order runs (agents send a
/// heartbeat every 20 s and progress twice a second while they work).
pub const AGENT_TIMEOUT_SECS: u64 = 120;
/// Machines backed up at once by one job. A job writes into one
/// repository, and a repository takes one writer at a time: a second
/// order sent early only waits for the lock, polling every few seconds,
/// while each order sent when a machine finishes takes the lock at once,
/// so early waiters starved (the agents bench measured a p99 of 107 s
/// with four at once for backups of about a second).
const CONCURRENT_MACHINES: usize = 1;

/// A cloud machine a job backs up.
#[derive(Debug, Clone)]
pub struct Target {
    /// Its group.
    pub group: GroupRecord,
    /// The machine.
    pub machine: MachineRecord,
}

/// One machine's order under way.
struct Running {
    target: Target,
    backup_id: String,
    heard: Instant,
    progress: ProgressSnapshot,
    /// The sealed command, for Systems Manager to hand over when the
    /// queue stays silent.
    sealed: String,
    /// True once Systems Manager handed it over.
    relayed: bool,
}

impl Console {
    /// The cloud machines a job's computers name ("GROUP": the group's
    /// managed machines of the job's platform; "GROUP/MACHINE": that one).
    /// Empty when the job names no group.
    pub fn job_targets(&self, s: &BackupJobSettings) -> Result<Vec<Target>> {
        let mut out: Vec<Target> = Vec::new();
        for c in &s.computers {
            let found = match c.split_once('/') {
                Some((g, m)) => {
                    let (group, machine) = self.group_machine(g, m)?;
                    vec![Target { group, machine }]
                }
                None => match self.group_if_any(c)? {
                    Some(group) => self
                        .catalog()?
                        .group_machines(group.id)?
                        .into_iter()
                        .filter(|m| is_managed(m.state) && m.platform == s.os)
                        .map(|machine| Target {
                            group: group.clone(),
                            machine,
                        })
                        .collect(),
                    None => continue,
                },
            };
            for t in found {
                if !out
                    .iter()
                    .any(|o| o.machine.machine_id == t.machine.machine_id)
                {
                    out.push(t);
                }
            }
        }
        Ok(out)
    }

    /// True when a job's computers are protection groups or their machines
    /// (its runs go to agents); a job mixing them with this computer is
    /// refused.
    pub(super) fn names_groups(&self, s: &BackupJobSettings) -> Result<bool> {
        let cat = self.catalog()?;
        let mut groups = 0;
        for c in &s.computers {
            let group = c.split_once('/').map_or(c.as_str(), |(g, _)| g);
            if cat.group(group)?.is_some() {
                groups += 1;
            }
        }
        if groups > 0 && groups < s.computers.len() {
            return Err(Error::invalid(
                "the job names both protection groups and other computers: a job backs up either cloud machines of protection groups or this computer; make two jobs",
            ));
        }
        Ok(groups > 0)
    }

    fn group_if_any(&self, name: &str) -> Result<Option<GroupRecord>> {
        self.catalog()?.group(name)
    }

    /// Runs a job on its machines' agents (one task of `session` per
    /// machine); the job's report.
    pub(super) fn run_on_agents(
        &self,
        session: i64,
        job: &JobRecord,
        password: Option<&str>,
        opts: &super::RunOptions,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelToken,
    ) -> Result<JobRunReport> {
        let targets = self.job_targets(&job.settings)?;
        if targets.is_empty() {
            return Err(Error::invalid(format!(
                "job {} names protection groups without a managed {} machine; rescan the groups, or add machines to them",
                job.name,
                job.settings.os.label()
            )));
        }
        let rec = self.catalog()?.repository(job.repository_id)?;
        let repository = self.agent_repository(&rec)?;
        let dispatch = Dispatch {
            console: self,
            session,
            tasks: Mutex::new(HashMap::new()),
            job,
            rec: &rec,
            repository,
            password,
            full: opts.full,
            sink: sink.clone(),
            timeout: Duration::from_secs(
                opts.agent_timeout
                    .unwrap_or(AGENT_TIMEOUT_SECS)
                    .clamp(5, 86_400),
            ),
        };
        let results = dispatch.run(targets, cancel)?;
        let report = self.after_agents(job, &rec, &results, password, sink.as_ref())?;
        if report.result == SessionResult::Failed {
            let reasons: Vec<String> = results
                .iter()
                .filter_map(|(t, _, r)| match r {
                    OrderResult::Failed { reason } => Some(format!("{}: {reason}", t.machine.name)),
                    OrderResult::Succeeded { .. } => None,
                })
                .collect();
            return Err(Error::storage(format!(
                "no machine was backed up ({})",
                reasons.join("; ")
            )));
        }
        Ok(report)
    }

    /// The console's share once the agents are done: retention of each
    /// machine's backup, the catalog, each machine's last backup.
    fn after_agents(
        &self,
        job: &JobRecord,
        rec: &RepositoryRecord,
        results: &[(Target, String, OrderResult)],
        password: Option<&str>,
        sink: &dyn ProgressSink,
    ) -> Result<JobRunReport> {
        let repo = self.open_repository(rec)?;
        let ks = self.job_keyset(&repo, job, password)?;
        let mut removed = Vec::new();
        let succeeded: Vec<_> = results
            .iter()
            .filter(|(_, _, r)| matches!(r, OrderResult::Succeeded { .. }))
            .collect();
        if !succeeded.is_empty() {
            let purpose = format!("retention of job {}", job.name);
            let lock = super::jobs::writer_lock(
                &repo,
                &rec.name,
                &purpose,
                true,
                sink,
                &CancelToken::new(),
            )?;
            let guarded = lock.guard(&repo);
            for (_, backup, _) in &succeeded {
                let s = &job.settings;
                removed.extend(cairn_core::jobs::retention::apply(
                    &guarded,
                    &ks,
                    backup,
                    s.retention,
                    s.gfs,
                    sink,
                )?);
            }
            if !removed.is_empty() {
                cairn_core::jobs::prune::prune(&guarded, &ks, super::PRUNE_GRACE_SECS, sink)?;
            }
        }
        self.refresh_backups(rec, &repo, &[&ks])?;
        self.record_usage(rec, repo.storage().as_ref())?;
        let now = cairn_core::time::now();
        for (t, _, _) in &succeeded {
            let mut m = t.machine.clone();
            if let Some(fresh) = self
                .catalog()?
                .group_machines(m.group_id)?
                .into_iter()
                .find(|x| x.machine_id == m.machine_id)
            {
                m = fresh;
            }
            m.last_backup = Some(now);
            self.catalog()?.put_machine(&m)?;
        }
        Ok(agents_report(results, removed))
    }
}

/// The report of a run over several machines: Success when all made a
/// restore point, Warning when some did, Failed when none did.
fn agents_report(results: &[(Target, String, OrderResult)], removed: Vec<String>) -> JobRunReport {
    let mut stats = PointStats::default();
    let (mut ok, mut failed, mut point, mut backup) = (0, 0, None, String::new());
    for (_, b, r) in results {
        match r {
            OrderResult::Succeeded {
                point: p,
                files,
                bytes,
                warnings,
            } => {
                ok += 1;
                stats.files += files;
                stats.bytes += bytes;
                stats.warnings += warnings;
                point = Some(p.clone());
                backup = b.clone();
            }
            OrderResult::Failed { .. } => failed += 1,
        }
    }
    let result = match (ok, failed) {
        (_, 0) if stats.warnings == 0 => SessionResult::Success,
        (0, _) => SessionResult::Failed,
        _ => SessionResult::Warning,
    };
    JobRunReport {
        session: 0,
        result,
        point,
        backup,
        stats,
        removed_points: removed,
        message: format!(
            "{ok} of {} machine(s) backed up; {failed} failed",
            results.len()
        ),
    }
}

/// Sends the orders and follows the answers.
struct Dispatch<'a> {
    console: &'a Console,
    session: i64,
    /// Each machine's task, by machine name, as last recorded.
    tasks: Mutex<HashMap<String, SessionTask>>,
    job: &'a JobRecord,
    rec: &'a RepositoryRecord,
    repository: AgentRepository,
    password: Option<&'a str>,
    full: bool,
    sink: Arc<dyn ProgressSink>,
    timeout: Duration,
}

impl Dispatch<'_> {
    fn run(
        &self,
        targets: Vec<Target>,
        cancel: &CancelToken,
    ) -> Result<Vec<(Target, String, OrderResult)>> {
        let mut queues = BTreeMap::new();
        for t in &targets {
            if let std::collections::btree_map::Entry::Vacant(slot) = queues.entry(t.group.id) {
                let (_, address) = self.console.console_queue(&t.group)?;
                slot.insert(self.console.group_queues(&t.group)?.open(&address));
            }
        }
        for t in &targets {
            self.task(t, |_| {})?;
        }
        let mut pending: std::collections::VecDeque<Target> = targets.into();
        let mut running: HashMap<String, Running> = HashMap::new();
        let mut done = Vec::new();
        let mut keys: HashMap<String, AgentKey> = HashMap::new();
        while !pending.is_empty() || !running.is_empty() {
            while running.len() < CONCURRENT_MACHINES {
                let Some(t) = pending.pop_front() else { break };
                match self.send_order(&t) {
                    Ok((order, backup_id, sealed)) => {
                        self.log(
                            &t,
                            LogLevel::Info,
                            "backup command sent to its agent (channel: queue)",
                        );
                        self.task(&t, |k| {
                            k.status = TaskStatus::Running;
                            k.started = Some(cairn_core::time::now());
                            k.detail = "Backup command sent to its agent".into();
                        })?;
                        running.insert(
                            order,
                            Running {
                                target: t,
                                backup_id,
                                heard: Instant::now(),
                                progress: ProgressSnapshot::default(),
                                sealed,
                                relayed: false,
                            },
                        );
                    }
                    Err(e) => {
                        self.log(&t, LogLevel::Error, &e.message());
                        self.finish_task(&t, TaskStatus::Failed, e.message().into_owned())?;
                        done.push((
                            t,
                            String::new(),
                            OrderResult::Failed {
                                reason: e.message().into_owned(),
                            },
                        ));
                    }
                }
            }
            if cancel.is_cancelled() {
                for t in &pending {
                    self.finish_task(
                        t,
                        TaskStatus::Failed,
                        "not started: the job was stopped".into(),
                    )?;
                }
                self.cancel_all(&running)?;
                return Err(Error::cancelled());
            }
            self.listen(&queues, &mut running, &mut done, &mut keys)?;
            self.fail_silent(&mut running, &mut done)?;
            self.report_progress(&running, done.len());
        }
        Ok(done)
    }

    fn log(&self, t: &Target, level: LogLevel, line: &str) {
        self.sink.log(level, &format!("{}: {line}", t.machine.name));
    }

    /// Changes a machine's task and records it in the session.
    fn task(&self, t: &Target, change: impl FnOnce(&mut SessionTask)) -> Result<()> {
        let mut tasks = self
            .tasks
            .lock()
            .map_err(|_| Error::internal("the task list is poisoned"))?;
        let name = t.machine.name.clone();
        let task = tasks.entry(name.clone()).or_insert_with(|| SessionTask {
            name,
            status: TaskStatus::Pending,
            percent: None,
            files: 0,
            processed: 0,
            detail: "Waiting for a free slot".into(),
            started: None,
            ended: None,
        });
        change(task);
        self.console.catalog()?.put_task(self.session, task)
    }

    fn finish_task(&self, t: &Target, status: TaskStatus, detail: String) -> Result<()> {
        self.task(t, |k| {
            k.status = status;
            k.detail = detail;
            k.ended = Some(cairn_core::time::now());
            if status == TaskStatus::Success {
                k.percent = Some(100);
            }
        })
    }

    /// Seals and sends one machine's order; its message id, backup id and
    /// sealed text.
    fn send_order(&self, t: &Target) -> Result<(String, String, String)> {
        let s = &self.job.settings;
        let backup_id = cairn_core::jobs::backup_id(&s.uid, &t.machine.machine_id);
        let order = BackupOrder {
            repository: self.rec.name.clone(),
            access: self.repository.grant(&t.machine.machine_id)?,
            password: self.password.map(str::to_string),
            keyset: s.encryption.as_ref().map(|e| e.keyset.clone()),
            backup_id: backup_id.clone(),
            job: self.job.name.clone(),
            machine: t.machine.name.clone(),
            platform: t.machine.platform.label().into(),
            region: t.machine.region.clone(),
            includes: s.includes.clone(),
            exclude_masks: s.exclude_masks.clone(),
            include_masks: s.include_masks.clone(),
            compression: s.compression,
            full: self.full,
        };
        let (id, sealed) = self
            .console
            .seal_for_machine(&t.machine, &Body::RunBackup(Box::new(order)))?;
        self.console
            .group_queues(&t.group)?
            .open(&t.machine.queue_url)
            .send(&sealed)?;
        Ok((id, backup_id, sealed))
    }

    /// Reads the console queues of the running machines' groups once.
    fn listen(
        &self,
        queues: &BTreeMap<i64, Box<dyn Queue>>,
        running: &mut HashMap<String, Running>,
        done: &mut Vec<(Target, String, OrderResult)>,
        keys: &mut HashMap<String, AgentKey>,
    ) -> Result<()> {
        let groups: std::collections::BTreeSet<i64> =
            running.values().map(|r| r.target.group.id).collect();
        for g in groups {
            let Some(q) = queues.get(&g) else { continue };
            for d in q.receive(10, Duration::from_secs(1))? {
                self.take(q.as_ref(), &d, running, done, keys)?;
            }
        }
        Ok(())
    }

    /// Handles one delivery: answers of this run's orders and heartbeats
    /// are taken; other runs' answers are left on the queue.
    fn take(
        &self,
        q: &dyn Queue,
        d: &Delivery,
        running: &mut HashMap<String, Running>,
        done: &mut Vec<(Target, String, OrderResult)>,
        keys: &mut HashMap<String, AgentKey>,
    ) -> Result<()> {
        let Ok(env) = envelope::peek(&d.body) else {
            return Ok(());
        };
        let Some(machine) = env.header.sender.strip_prefix("agent:").map(str::to_string) else {
            return Ok(());
        };
        let Some(order) = running
            .iter()
            .find(|(_, r)| r.target.machine.machine_id == machine)
            .map(|(id, r)| (id.clone(), r.target.machine.clone()))
        else {
            return Ok(());
        };
        if !keys.contains_key(&machine) {
            keys.insert(machine.clone(), self.console.agent_key(&order.1)?);
        }
        let ends = self.console.console_ends(&machine)?;
        let m = match envelope::open(&keys[&machine], &ends, &d.body, cairn_core::time::now()) {
            Ok(m) => m,
            Err(why) => {
                self.sink.log(
                    LogLevel::Warning,
                    &format!("ignored a message claiming to be from {machine}: {why}"),
                );
                q.delete(&d.receipt)?;
                return Ok(());
            }
        };
        let ours = m.header.correlation.as_deref() == Some(order.0.as_str());
        match m.body {
            Body::Heartbeat(status) => {
                self.console.catalog()?.machine_heard(
                    &machine,
                    &status.version,
                    &status.build,
                    cairn_core::time::now(),
                )?;
                if let Some(r) = running.get_mut(&order.0) {
                    r.heard = Instant::now();
                }
                q.delete(&d.receipt)?;
            }
            Body::Progress(p) if ours => {
                if let Some(r) = running.get_mut(&order.0) {
                    r.heard = Instant::now();
                    self.task(&r.target, |k| {
                        k.files = p.files;
                        k.processed = p.bytes_processed;
                        k.percent = p
                            .bytes_total
                            .filter(|t| *t > 0)
                            .map(|t| (p.bytes_processed * 100 / t).min(99) as u8);
                        k.detail = p.current.clone();
                    })?;
                    r.progress = ProgressSnapshot {
                        files: p.files,
                        bytes_processed: p.bytes_processed,
                        bytes_total: p.bytes_total,
                        bytes_written: p.bytes_written,
                        current: p.current,
                        ..Default::default()
                    };
                }
                q.delete(&d.receipt)?;
            }
            Body::Finished(result) if ours => {
                if let Some(r) = running.remove(&order.0) {
                    match &result {
                        OrderResult::Succeeded { point, files, .. } => {
                            let line = format!("restore point {point} created: {files} files");
                            self.log(&r.target, LogLevel::Info, &line);
                            self.task(&r.target, |k| k.files = *files)?;
                            self.finish_task(&r.target, TaskStatus::Success, line)?;
                        }
                        OrderResult::Failed { reason } => {
                            self.log(&r.target, LogLevel::Error, &format!("Failed: {reason}"));
                            self.finish_task(&r.target, TaskStatus::Failed, reason.clone())?;
                        }
                    }
                    done.push((r.target, r.backup_id, result));
                }
                q.delete(&d.receipt)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Machines whose agent stayed silent past the timeout fail.
    fn fail_silent(
        &self,
        running: &mut HashMap<String, Running>,
        done: &mut Vec<(Target, String, OrderResult)>,
    ) -> Result<()> {
        let silent: Vec<String> = running
            .iter()
            .filter(|(_, r)| r.heard.elapsed() > self.timeout)
            .map(|(id, _)| id.clone())
            .collect();
        for id in silent {
            let Some(mut r) = running.remove(&id) else {
                continue;
            };
            let relayed = if r.relayed {
                Err("the command Systems Manager handed over got no answer either".to_string())
            } else {
                self.relay(&id, &r)
            };
            let why = match relayed {
                Ok(()) => {
                    r.relayed = true;
                    r.heard = Instant::now();
                    running.insert(id, r);
                    continue;
                }
                Err(why) => why,
            };
            let reason = format!(
                "agent unreachable over the queue: no answer from {} for {} s (its agent may have stopped, or the machine may be off; {why}); the repository keeps its earlier restore points",
                r.target.machine.name,
                self.timeout.as_secs()
            );
            self.log(&r.target, LogLevel::Error, &reason);
            self.finish_task(&r.target, TaskStatus::Failed, reason.clone())?;
            let _ = self.console.send_to_machine(
                &r.target.group,
                &r.target.machine,
                &Body::Cancel { order: id },
            );
            done.push((r.target, r.backup_id, OrderResult::Failed { reason }));
        }
        Ok(())
    }

    /// Switches a silent machine's command to Systems Manager or Azure Run
    /// Command; why not when it cannot.
    fn relay(&self, id: &str, r: &Running) -> std::result::Result<(), String> {
        let t = &r.target;
        let service = t.group.settings.account.command_service();
        if t.group.settings.distribution.is_none() {
            return Err(format!(
                "the group has no distribution repository for {service} to step in"
            ));
        }
        self.log(
            t,
            LogLevel::Warning,
            &format!(
                "no answer on the queue for {} s; sending the command through {service}",
                self.timeout.as_secs()
            ),
        );
        match self
            .console
            .deliver_by_run_command(&t.group, &t.machine, id, &r.sealed)
        {
            Ok(Ok(what)) => {
                self.log(
                    t,
                    LogLevel::Info,
                    &format!("channel: {service} carried the backup command ({what}); waiting for the agent"),
                );
                Ok(())
            }
            Ok(Err(why)) => Err(format!("{service} could not step in: {why}")),
            Err(e) => Err(format!("{service} could not step in: {}", e.message())),
        }
    }

    fn cancel_all(&self, running: &HashMap<String, Running>) -> Result<()> {
        for (id, r) in running {
            let line = "stopped: its agent was told to cancel";
            self.log(&r.target, LogLevel::Warning, line);
            let _ = self.console.send_to_machine(
                &r.target.group,
                &r.target.machine,
                &Body::Cancel { order: id.clone() },
            );
            self.finish_task(&r.target, TaskStatus::Failed, line.into())?;
        }
        Ok(())
    }

    /// The machines' progress, summed, as the session's.
    fn report_progress(&self, running: &HashMap<String, Running>, finished: usize) {
        let mut p = ProgressSnapshot::default();
        for r in running.values() {
            p.files += r.progress.files;
            p.bytes_processed += r.progress.bytes_processed;
            p.bytes_written += r.progress.bytes_written;
        }
        p.current = format!("{} machine(s) running, {finished} done", running.len());
        self.sink.progress(&p);
    }
}
