//! Progress reporting and cancellation for long operations. The engine
//! counts into [`Counters`]; a ticker hands snapshots to a [`ProgressSink`]
//! a few times a second (the CLI prints them, the console sends them over a
//! Tauri channel).

use cairn_model::LogLevel;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A consistent view of an operation's progress.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ProgressSnapshot {
    /// Files (or entries) finished.
    pub files: u64,
    /// Files expected, when known.
    pub files_total: Option<u64>,
    /// Bytes of source data processed (including unchanged files).
    pub bytes_processed: u64,
    /// Bytes expected, when known.
    pub bytes_total: Option<u64>,
    /// Bytes actually read from the source.
    pub bytes_read: u64,
    /// Bytes written to the destination.
    pub bytes_written: u64,
    /// Bytes processed per second since the start.
    pub rate: f64,
    /// Seconds since the start.
    pub elapsed: f64,
    /// Estimated seconds left, when totals are known.
    pub eta: Option<f64>,
    /// The item being worked on.
    pub current: String,
    /// The stage that waits least: "Source", "Compression" or "Target".
    pub bottleneck: Option<&'static str>,
}

/// Receives progress snapshots and log lines.
pub trait ProgressSink: Send + Sync {
    /// A throttled snapshot.
    fn progress(&self, p: &ProgressSnapshot);
    /// A log line.
    fn log(&self, level: LogLevel, message: &str);
    /// How often this sink wants snapshots.
    fn interval(&self) -> Duration {
        DEFAULT_INTERVAL
    }
}

/// How often snapshots are taken unless a sink asks otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(250);

/// A sink that drops everything.
pub struct NoProgress;

impl ProgressSink for NoProgress {
    fn progress(&self, _: &ProgressSnapshot) {}
    fn log(&self, _: LogLevel, _: &str) {}
}

/// Lock-free counters the workers update.
#[derive(Default)]
pub struct Counters {
    /// Files finished.
    pub files: AtomicU64,
    /// Source bytes processed.
    pub bytes_processed: AtomicU64,
    /// Source bytes read.
    pub bytes_read: AtomicU64,
    /// Destination bytes written.
    pub bytes_written: AtomicU64,
    /// Expected files (0 = unknown).
    pub files_total: AtomicU64,
    /// Expected bytes (0 = unknown).
    pub bytes_total: AtomicU64,
    /// Current item.
    pub current: Mutex<String>,
    /// Nanoseconds spent reading the source (summed over workers).
    pub source_ns: AtomicU64,
    /// Nanoseconds spent hashing, compressing and encrypting.
    pub process_ns: AtomicU64,
    /// Nanoseconds spent storing (the pack writer's counter, when set).
    pub target_ns: Mutex<Option<Arc<AtomicU64>>>,
}

impl Counters {
    /// Adds to a counter.
    pub fn add(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }

    /// Sets the current item.
    pub fn set_current(&self, s: &str) {
        if let Ok(mut g) = self.current.try_lock() {
            g.clear();
            g.push_str(s);
        }
    }

    /// Takes a snapshot.
    pub fn snapshot(&self, start: Instant) -> ProgressSnapshot {
        let elapsed = start.elapsed().as_secs_f64();
        let bytes_processed = self.bytes_processed.load(Ordering::Relaxed);
        let rate = if elapsed > 0.0 {
            bytes_processed as f64 / elapsed
        } else {
            0.0
        };
        let nz = |v: u64| if v == 0 { None } else { Some(v) };
        let bytes_total = nz(self.bytes_total.load(Ordering::Relaxed));
        let eta = bytes_total
            .and_then(|t| (rate > 0.0).then(|| (t.saturating_sub(bytes_processed)) as f64 / rate));
        ProgressSnapshot {
            files: self.files.load(Ordering::Relaxed),
            files_total: nz(self.files_total.load(Ordering::Relaxed)),
            bytes_processed,
            bytes_total,
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
            bytes_written: self.bytes_written.load(Ordering::Relaxed),
            rate,
            elapsed,
            eta,
            current: self.current.lock().map(|g| g.clone()).unwrap_or_default(),
            bottleneck: self.bottleneck(),
        }
    }

    /// The busiest stage, once there is enough work to tell.
    fn bottleneck(&self) -> Option<&'static str> {
        let target = self
            .target_ns
            .lock()
            .ok()
            .and_then(|t| t.as_ref().map(|t| t.load(Ordering::Relaxed)))
            .unwrap_or(0);
        let stages = [
            ("Source", self.source_ns.load(Ordering::Relaxed)),
            ("Compression", self.process_ns.load(Ordering::Relaxed)),
            ("Target", target),
        ];
        let total: u64 = stages.iter().map(|s| s.1).sum();
        if total < 50_000_000 {
            return None;
        }
        stages.iter().max_by_key(|s| s.1).map(|s| s.0)
    }
}

/// Calls the sink every `period` until dropped, then once more at the end.
pub struct Ticker {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Ticker {
    /// Starts ticking at the sink's interval.
    pub fn start(counters: Arc<Counters>, sink: Arc<dyn ProgressSink>) -> Self {
        let period = sink.interval();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let start = Instant::now();
        let handle = std::thread::spawn(move || {
            loop {
                std::thread::park_timeout(period);
                if s.load(Ordering::Relaxed) {
                    break;
                }
                sink.progress(&counters.snapshot(start));
            }
            // The final totals, whenever the stop came.
            sink.progress(&counters.snapshot(start));
        });
        Self {
            stop,
            handle: Some(handle),
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            h.thread().unpark();
            let _ = h.join();
        }
    }
}

/// Cooperative cancellation shared between the caller and the workers.
#[derive(Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> Self {
        Self::default()
    }
    /// Asks the operation to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// True once cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
    /// An error when cancelled.
    pub fn check(&self) -> crate::Result<()> {
        if self.is_cancelled() {
            Err(crate::Error::cancelled())
        } else {
            Ok(())
        }
    }
}
