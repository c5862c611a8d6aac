//! The agent's serving loop: receive from the machine's queue, open and
//! check each message, answer status, run backup orders on a worker (their
//! message kept hidden while they run), and answer each command once.

use crate::config::AgentConfig;
use crate::envelope::{self, AgentKey, Endpoints, Opened};
use crate::handled::Handled;
use crate::messages::{AgentStatus, BackupOrder, Body, OrderProgress, OrderResult};
use cairn_cloud::{Delivery, Queue};
use cairn_core::progress::{CancelToken, ProgressSink, ProgressSnapshot};
use cairn_core::Result;
use cairn_model::LogLevel;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Seconds an agent's answers stay valid.
const ANSWER_TTL: i64 = 3600;
/// How often a running order's message is kept hidden, and for how long.
const EXTEND_EVERY: Duration = Duration::from_secs(20);
const EXTEND_SECS: u32 = 60;
/// Progress messages at most this often (the engine's ticker reports on
/// this beat while a backup runs, so the console can tell a silent agent
/// from a busy one).
const PROGRESS_MIN: Duration = Duration::from_millis(500);

/// What every part of a running agent shares.
struct Shared {
    cfg: AgentConfig,
    key: AgentKey,
    ends: Endpoints,
    commands: Box<dyn Queue>,
    reports: Box<dyn Queue>,
    handled: Mutex<Handled>,
    running: Mutex<HashMap<String, CancelToken>>,
    root: Option<PathBuf>,
}

/// Serves `cfg` until `stop` is cancelled or a stop command arrives;
/// `root` is where the machine's `/` is read from.
pub fn serve(cfg: AgentConfig, root: Option<PathBuf>, stop: &CancelToken) -> Result<()> {
    let (commands, reports) = cfg.transport.open()?;
    let shared = Arc::new(Shared {
        key: cfg.key()?,
        ends: cfg.endpoints(),
        commands,
        reports,
        handled: Mutex::new(Handled::open(&cfg.state_dir())?),
        running: Mutex::new(HashMap::new()),
        root,
        cfg,
    });
    log(
        LogLevel::Info,
        &format!(
            "Cairn agent for {} listening on {}",
            shared.cfg.machine_id,
            shared.commands.describe()
        ),
    );
    shared.heartbeat(None);
    while !stop.is_cancelled() {
        let state = shared.cfg.state_dir();
        let mut batch = crate::inbox::take(&state, &|n| log(LogLevel::Warning, n));
        if !batch.is_empty() {
            log(
                LogLevel::Info,
                &format!(
                    "{} command(s) arrived through the cloud's run command",
                    batch.len()
                ),
            );
        }
        let received = match shared.commands.receive(10, Duration::from_secs(5)) {
            Ok(b) => b,
            Err(e) => {
                log(
                    LogLevel::Warning,
                    &format!("cannot receive: {}; retrying", e.message()),
                );
                if batch.is_empty() {
                    std::thread::sleep(Duration::from_secs(5));
                }
                Vec::new()
            }
        };
        batch.extend(received);
        for d in batch {
            if Shared::handle(&shared, d) {
                stop.cancel();
            }
        }
    }
    for token in shared
        .running
        .lock()
        .map(|r| r.values().cloned().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        token.cancel();
    }
    Ok(())
}

fn log(level: LogLevel, message: &str) {
    eprintln!("cairn-agent {level:?}: {message}");
}

impl Shared {
    /// Handles one delivery; true when the agent must stop.
    fn handle(me: &Arc<Self>, d: Delivery) -> bool {
        let m = match envelope::open(&me.key, &me.ends, &d.body, cairn_core::time::now()) {
            Ok(m) => m,
            Err(why) => {
                log(LogLevel::Warning, &format!("ignored a message: {why}"));
                me.delete(&d);
                return false;
            }
        };
        match m.body.clone() {
            Body::Hello | Body::Status => {
                me.heartbeat(Some(&m.header.id));
                me.delete(&d);
            }
            Body::RunBackup(order) => Self::start_order(me, m, *order, d),
            Body::Cancel { order } => {
                me.cancel(&order);
                me.delete(&d);
            }
            Body::Stop { uninstall } => {
                log(LogLevel::Info, "stop command received");
                me.delete(&d);
                if uninstall {
                    let _ = std::fs::remove_dir_all(me.cfg.state_dir());
                }
                return true;
            }
            Body::Heartbeat(_) | Body::Progress(_) | Body::Finished(_) => me.delete(&d),
        }
        false
    }

    fn start_order(me: &Arc<Self>, m: Opened, order: BackupOrder, d: Delivery) {
        let id = m.header.id.clone();
        let answered = me.handled.lock().ok().and_then(|h| h.answer(&id).cloned());
        if let Some(result) = answered {
            log(
                LogLevel::Info,
                &format!("order {id} was already handled; answering again"),
            );
            me.send(Some(&id), Body::Finished(result));
            me.delete(&d);
            return;
        }
        let cancel = CancelToken::new();
        {
            let Ok(mut running) = me.running.lock() else {
                return;
            };
            if running.contains_key(&id) {
                log(
                    LogLevel::Info,
                    &format!("order {id} is running already; duplicate dropped"),
                );
                me.delete(&d);
                return;
            }
            running.insert(id.clone(), cancel.clone());
        }
        let me = me.clone();
        std::thread::spawn(move || Self::run_order(&me, &id, &order, d, &cancel));
    }

    fn run_order(me: &Arc<Self>, id: &str, order: &BackupOrder, d: Delivery, cancel: &CancelToken) {
        let this = me.as_ref();
        log(
            LogLevel::Info,
            &format!("order {id}: backup of job {} started", order.job),
        );
        let done = CancelToken::new();
        let result = std::thread::scope(|s| {
            s.spawn(|| this.keep_hidden(&d, &done));
            let sink: Arc<dyn ProgressSink> = Arc::new(Reporter::new(me.clone(), id));
            let r = crate::order::run(order, this.root.as_deref(), sink, cancel);
            done.cancel();
            r
        });
        if let Ok(mut h) = this.handled.lock() {
            if let Err(e) = h.record(id, &result) {
                log(LogLevel::Warning, &e.message());
            }
        }
        log(LogLevel::Info, &format!("order {id}: {result:?}"));
        this.send(Some(id), Body::Finished(result));
        this.delete(&d);
        if let Ok(mut r) = this.running.lock() {
            r.remove(id);
        }
    }

    /// Stops a running order; one not started yet is answered as cancelled
    /// when its command arrives (queues do not keep order).
    fn cancel(&self, order: &str) {
        if let Some(t) = self.running.lock().ok().and_then(|r| r.get(order).cloned()) {
            t.cancel();
            return;
        }
        let result = OrderResult::Failed {
            reason: "cancelled by the console before it started".into(),
        };
        if let Ok(mut h) = self.handled.lock() {
            if h.answer(order).is_none() {
                if let Err(e) = h.record(order, &result) {
                    log(LogLevel::Warning, &e.message());
                }
            }
        }
    }

    /// Keeps a running order's message hidden until `done`, and tells the
    /// console the agent is alive (waiting for the repository's writer
    /// lock sends no progress).
    fn keep_hidden(&self, d: &Delivery, done: &CancelToken) {
        let mut last = Instant::now();
        while !done.is_cancelled() {
            std::thread::sleep(Duration::from_millis(200));
            if last.elapsed() >= EXTEND_EVERY {
                let from_queue = crate::inbox::file_of(&d.receipt).is_none();
                if from_queue {
                    if let Err(e) = self.commands.extend(&d.receipt, EXTEND_SECS) {
                        log(LogLevel::Warning, &e.message());
                    }
                }
                self.heartbeat(None);
                last = Instant::now();
            }
        }
    }

    fn heartbeat(&self, correlation: Option<&str>) {
        let running = self
            .running
            .lock()
            .ok()
            .and_then(|r| r.keys().next().cloned());
        let status = AgentStatus {
            version: crate::build::VERSION.into(),
            build: crate::build::own_build().into(),
            os: std::env::consts::OS.into(),
            hostname: cairn_core::time::hostname(),
            free_bytes: free_bytes(&self.cfg.state_dir()),
            running,
        };
        self.send(correlation, Body::Heartbeat(status));
    }

    fn send(&self, correlation: Option<&str>, body: Body) {
        let now = cairn_core::time::now();
        let sent = envelope::letter(&self.key, &self.ends, correlation, &body, now, ANSWER_TTL)
            .and_then(|(_, t)| self.reports.send(&t).map_err(|e| e.message().into_owned()));
        if let Err(e) = sent {
            log(
                LogLevel::Warning,
                &format!("cannot answer the console: {e}"),
            );
        }
    }

    fn delete(&self, d: &Delivery) {
        if let Some(file) = crate::inbox::file_of(&d.receipt) {
            if let Err(e) = std::fs::remove_file(file) {
                log(
                    LogLevel::Warning,
                    &format!("cannot remove {}: {e}", file.display()),
                );
            }
            return;
        }
        if let Err(e) = self.commands.delete(&d.receipt) {
            log(LogLevel::Warning, &e.message());
        }
    }
}

fn free_bytes(dir: &std::path::Path) -> Option<u64> {
    let _ = std::fs::create_dir_all(dir);
    cairn_core::storage::free_space(dir)
}

/// Sends a backup's progress to the console, throttled.
struct Reporter {
    agent: Arc<Shared>,
    order: String,
    last: Mutex<Option<Instant>>,
}

impl Reporter {
    fn new(agent: Arc<Shared>, order: &str) -> Self {
        Self {
            agent,
            order: order.to_string(),
            last: Mutex::new(None),
        }
    }
}

impl ProgressSink for Reporter {
    fn progress(&self, p: &ProgressSnapshot) {
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if last.is_some_and(|t| t.elapsed() < PROGRESS_MIN) {
            return;
        }
        *last = Some(Instant::now());
        let body = Body::Progress(OrderProgress {
            files: p.files,
            bytes_processed: p.bytes_processed,
            bytes_total: p.bytes_total,
            bytes_written: p.bytes_written,
            current: p.current.chars().take(512).collect(),
        });
        self.agent.send(Some(&self.order), body);
    }

    fn log(&self, level: LogLevel, message: &str) {
        log(level, &format!("order {}: {message}", self.order));
    }

    fn interval(&self) -> Duration {
        PROGRESS_MIN
    }
}
