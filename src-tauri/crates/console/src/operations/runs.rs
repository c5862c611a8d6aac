//! Running jobs: the registry of this process's runs (cancel tokens and
//! live counters), Start / Stop, and what the session window reads.

use super::jobs::RunOptions;
use super::Console;
use crate::catalog::JobRecord;
use crate::error::{Error, Result};
use cairn_core::progress::{CancelToken, NoProgress, ProgressSink, ProgressSnapshot};
use cairn_model::api::{SaveJob, SavedJob, SessionDetails, SessionProgress};
use cairn_model::JobAction;
use cairn_model::LogLevel;
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};

/// Live state of one run.
#[derive(Default)]
pub struct Live {
    snapshot: Mutex<Option<ProgressSnapshot>>,
    /// Counts changes (new counters, log lines, the end); watchers wait on it.
    changes: (Mutex<u64>, Condvar),
}

impl Live {
    /// Tells the session's watchers that something changed.
    pub(crate) fn changed(&self) {
        let (m, cv) = &self.changes;
        if let Ok(mut g) = m.lock() {
            *g += 1;
            cv.notify_all();
        }
    }

    /// The change count, to wait from.
    pub(crate) fn version(&self) -> u64 {
        self.changes.0.lock().map(|g| *g).unwrap_or(0)
    }

    /// Waits until the count passes `seen`, or `timeout`.
    pub(crate) fn wait_change(&self, seen: u64, timeout: std::time::Duration) {
        let (m, cv) = &self.changes;
        if let Ok(g) = m.lock() {
            let _ = cv.wait_timeout_while(g, timeout, |g| *g == seen);
        }
    }

    /// The latest counters as the session window shows them.
    pub fn progress(&self) -> Option<SessionProgress> {
        let s = self.snapshot.lock().ok()?.clone()?;
        Some(progress_of(&s))
    }
}

fn progress_of(s: &ProgressSnapshot) -> SessionProgress {
    SessionProgress {
        percent: s
            .bytes_total
            .filter(|t| *t > 0)
            .map(|t| ((s.bytes_processed.min(t) * 100) / t) as u8),
        processed: s.bytes_processed,
        read: s.bytes_read,
        transferred: s.bytes_written,
        rate: s.rate,
        elapsed: s.elapsed,
        eta: s.eta,
        files: s.files,
        bottleneck: s.bottleneck.map(str::to_string),
        current: s.current.clone(),
    }
}

/// Records snapshots into a [`Live`] and forwards everything.
pub struct LiveSink {
    live: Arc<Live>,
    inner: Arc<dyn ProgressSink>,
}

impl LiveSink {
    /// Wraps `inner`.
    pub fn new(live: Arc<Live>, inner: Arc<dyn ProgressSink>) -> Self {
        Self { live, inner }
    }
}

impl ProgressSink for LiveSink {
    fn progress(&self, p: &ProgressSnapshot) {
        if let Ok(mut g) = self.live.snapshot.lock() {
            *g = Some(p.clone());
        }
        self.inner.progress(p);
        self.live.changed();
    }
    fn log(&self, level: LogLevel, message: &str) {
        self.inner.log(level, message);
        self.live.changed();
    }
    fn interval(&self) -> std::time::Duration {
        self.inner.interval()
    }
}

struct Run {
    session: i64,
    cancel: CancelToken,
    stop_reason: Arc<Mutex<Option<String>>>,
}

/// This process's runs, by job id, and the scheduler's wake-up call.
#[derive(Default)]
pub struct Runs {
    jobs: Mutex<HashMap<i64, Run>>,
    /// Held from the check that a job is not running until its run is
    /// registered, so two starts of one job cannot both pass the check.
    pub(crate) starting: Mutex<()>,
    /// Sessions of this process and their live state (kept after the end
    /// so the session window shows the final counters; the newest
    /// [`KEEP_LIVE`]).
    sessions: Mutex<HashMap<i64, Arc<Live>>>,
    /// Failed scheduled runs to retry: job id → (attempt, when).
    pub(crate) retries: Mutex<HashMap<i64, (u32, i64)>>,
    wake: (Mutex<u64>, Condvar),
    /// A background rescan runs (one at a time).
    rescanning: std::sync::atomic::AtomicBool,
    /// Session windows following a session, by watch id.
    pub(crate) watches: Mutex<std::collections::HashSet<u64>>,
    pub(crate) next_watch: std::sync::atomic::AtomicU64,
}

/// Finished sessions whose last counters stay in memory.
const KEEP_LIVE: usize = 200;

impl Runs {
    /// True while a background rescan runs.
    pub fn rescanning(&self) -> bool {
        self.rescanning.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Claims the rescan slot; false when a rescan already runs.
    pub(crate) fn claim_rescan(&self) -> bool {
        !self
            .rescanning
            .swap(true, std::sync::atomic::Ordering::SeqCst)
    }

    /// Frees the rescan slot.
    pub(crate) fn release_rescan(&self) {
        self.rescanning
            .store(false, std::sync::atomic::Ordering::SeqCst);
    }

    /// Blocks until woken or `timeout` passes.
    pub fn wait(&self, timeout: std::time::Duration) {
        let (m, cv) = &self.wake;
        if let Ok(g) = m.lock() {
            let seen = *g;
            let _ = cv.wait_timeout_while(g, timeout, |g| *g == seen);
        }
    }
}

impl Console {
    pub(crate) fn register_run(
        &self,
        job: &JobRecord,
        session: i64,
        cancel: CancelToken,
        stop_reason: Arc<Mutex<Option<String>>>,
    ) {
        if let Ok(mut m) = self.runs.jobs.lock() {
            m.insert(
                job.id,
                Run {
                    session,
                    cancel,
                    stop_reason,
                },
            );
        }
        self.track_session(session);
    }

    /// Keeps the live state of a session this process runs, so its
    /// watchers are woken by its sink instead of reading the catalog.
    pub(crate) fn track_session(&self, session: i64) -> Arc<Live> {
        let live = Arc::new(Live::default());
        if let Ok(mut m) = self.runs.sessions.lock() {
            m.insert(session, live.clone());
            // Session ids grow: the oldest go first.
            while m.len() > KEEP_LIVE {
                if let Some(oldest) = m.keys().min().copied() {
                    m.remove(&oldest);
                }
            }
        }
        live
    }

    /// The sink of a session of this process: log lines and progress into
    /// the catalog, counters into its live state, everything on to `inner`.
    pub(crate) fn session_sink(
        &self,
        session: i64,
        inner: Arc<dyn ProgressSink>,
    ) -> Result<Arc<dyn ProgressSink>> {
        let live = self
            .live(session)
            .unwrap_or_else(|| self.track_session(session));
        let file = crate::paths::catalog_file(&self.data_dir);
        let live_sink = Arc::new(LiveSink::new(live, inner));
        Ok(Arc::new(super::sessions::SessionSink::new(
            &file, session, live_sink,
        )?))
    }

    /// Records the end of a session; its watchers see it at once.
    pub(crate) fn end_session(
        &self,
        session: i64,
        result: cairn_model::SessionResult,
        details: &str,
    ) -> Result<()> {
        self.catalog()?.finish_session(session, result, details)?;
        if let Some(l) = self.live(session) {
            l.changed();
        }
        Ok(())
    }

    /// Ends a rescan-like session: its warnings and summary, or the error, go
    /// to the log and the result follows (Warning when there were warnings).
    pub(crate) fn end_logged_session(
        &self,
        session: i64,
        outcome: std::result::Result<(&[String], String), String>,
    ) -> Result<()> {
        use cairn_model::{LogLevel, SessionResult};
        let log = |level, line: &str| self.catalog()?.log(session, level, line);
        match outcome {
            Ok((warnings, summary)) => {
                for w in warnings {
                    log(LogLevel::Warning, w)?;
                }
                log(LogLevel::Info, &summary)?;
                let result = if warnings.is_empty() {
                    SessionResult::Success
                } else {
                    SessionResult::Warning
                };
                self.end_session(session, result, &summary)
            }
            Err(message) => {
                log(LogLevel::Error, &message)?;
                self.end_session(session, SessionResult::Failed, &message)
            }
        }
    }

    pub(crate) fn unregister_run(&self, job: i64) {
        if let Ok(mut m) = self.runs.jobs.lock() {
            m.remove(&job);
        }
        self.wake_scheduler();
    }

    /// True when this process runs the job now.
    pub fn is_running(&self, job: i64) -> bool {
        self.runs
            .jobs
            .lock()
            .map(|m| m.contains_key(&job))
            .unwrap_or(false)
    }

    /// Wakes the scheduler (a job was saved, enabled or finished).
    pub fn wake_scheduler(&self) {
        let (m, cv) = &self.runs.wake;
        if let Ok(mut g) = m.lock() {
            *g += 1;
            cv.notify_all();
        }
    }

    /// The scheduler's sleep: until woken or `timeout`.
    pub fn wait_for_work(&self, timeout: std::time::Duration) {
        self.runs.wait(timeout);
    }

    /// Starts a job in the background and returns its session id at once.
    /// When it ends, failed scheduled runs are retried and the jobs chained
    /// after it start ([`super::followups::after_run`]).
    pub fn start_job(self: &Arc<Self>, name: &str, mut opts: RunOptions) -> Result<i64> {
        opts.queue = true;
        let job = self.job_named(name)?;
        let cancel = CancelToken::new();
        let session = self.begin_run(&job, &opts, &cancel)?;
        let me = self.clone();
        std::thread::Builder::new()
            .name(format!("job {}", job.name))
            .spawn(move || {
                let r = me.finish_run(&job, session, &opts, Arc::new(NoProgress), &cancel);
                super::followups::after_run(&me, &job, &opts, &r);
            })
            .map_err(|e| Error::internal("cannot start a worker thread").caused_by(e))?;
        Ok(session)
    }

    /// A ribbon or context-menu action on a job; Start, Retry and Active
    /// Full return the new session.
    pub fn job_action(self: &Arc<Self>, name: &str, action: JobAction) -> Result<Option<i64>> {
        let start = |note: &str, full: bool| {
            let opts = RunOptions {
                note: Some(note.into()),
                full,
                ..Default::default()
            };
            self.start_job(name, opts).map(Some)
        };
        match action {
            JobAction::Start => start("Started by the user", false),
            JobAction::Retry => start("Retried by the user", false),
            JobAction::ActiveFull => start("Active full started by the user", true),
            JobAction::Stop => self.stop_job(name).map(|_| None),
            JobAction::Enable => self.set_job_enabled(name, true).map(|_| None),
            JobAction::Disable => self.set_job_enabled(name, false).map(|_| None),
        }
    }

    /// The job wizard's Finish: saves the job and, when asked, runs it.
    pub fn save_job_from_wizard(self: &Arc<Self>, req: &SaveJob) -> Result<SavedJob> {
        let j = self.save_backup_job(&req.spec, req.editing.as_deref(), None)?;
        let session = if req.run_now {
            let opts = RunOptions {
                note: Some("Started when the job wizard finished".into()),
                ..Default::default()
            };
            Some(self.start_job(&j.name, opts)?)
        } else {
            None
        };
        Ok(SavedJob {
            name: j.name,
            session,
            next_run: j.next_run,
        })
    }

    /// The newest session of a job (Statistics), if it ever ran.
    pub fn last_job_session(&self, name: &str) -> Result<Option<i64>> {
        let j = self.job_named(name)?;
        self.catalog()?.last_job_session(j.id)
    }

    /// Stop: cancels the job's running session; `reason` goes to its log.
    pub fn stop_job(&self, name: &str) -> Result<()> {
        let job = self.job_named(name)?;
        let m = self
            .runs
            .jobs
            .lock()
            .map_err(|_| Error::internal("the run registry is unavailable"))?;
        match m.get(&job.id) {
            Some(r) => {
                r.cancel.cancel();
                Ok(())
            }
            None if self
                .catalog()?
                .running_sessions()?
                .iter()
                .any(|s| s.name.eq_ignore_ascii_case(&job.name)) =>
            {
                Err(Error::conflict(format!(
                    "job {name} runs in another Cairn process (the daemon or a command line); stop it there"
                )))
            }
            None => Err(Error::conflict(format!("job {name} is not running"))),
        }
    }

    /// Cancels a run for the scheduler (backup window), saying why.
    pub(crate) fn cancel_run(&self, job: i64, reason: &str) {
        if let Ok(m) = self.runs.jobs.lock() {
            if let Some(r) = m.get(&job) {
                if let Ok(mut g) = r.stop_reason.lock() {
                    *g = Some(reason.to_string());
                }
                r.cancel.cancel();
            }
        }
    }

    /// Session id of the job's run in this process.
    pub fn running_session(&self, job: i64) -> Option<i64> {
        self.runs.jobs.lock().ok()?.get(&job).map(|r| r.session)
    }

    /// What the session window shows: the row, the log after line `after`,
    /// and the live counters when this process ran it.
    pub fn session_details(&self, id: i64, after: i64) -> Result<SessionDetails> {
        let cat = self.catalog()?;
        let row = cat.session(id)?;
        let log = cat.session_log_after(id, after)?;
        let tasks = cat.tasks(id)?;
        drop(cat);
        let progress = self
            .runs
            .sessions
            .lock()
            .ok()
            .and_then(|m| m.get(&id).cloned())
            .and_then(|l| l.progress());
        Ok(SessionDetails {
            row,
            log,
            progress,
            tasks,
        })
    }

    /// The live state of a session this process runs or ran.
    pub(crate) fn live(&self, session: i64) -> Option<Arc<Live>> {
        self.runs.sessions.lock().ok()?.get(&session).cloned()
    }
}
