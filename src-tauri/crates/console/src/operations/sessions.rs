//! A progress sink that records a session's log in the catalog (through its
//! own database connection, so workers never wait on the console) and
//! forwards everything to the caller's sink.

use crate::catalog::Catalog;
use crate::error::Result;
use cairn_core::progress::{ProgressSink, ProgressSnapshot};
use cairn_model::LogLevel;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Records into session `id` and forwards to `inner`.
pub struct SessionSink {
    catalog: Mutex<Catalog>,
    id: i64,
    inner: Arc<dyn ProgressSink>,
    last_percent: Mutex<u8>,
}

impl SessionSink {
    /// Opens a second connection to the catalog file.
    pub fn new(file: &Path, id: i64, inner: Arc<dyn ProgressSink>) -> Result<Self> {
        Ok(Self {
            catalog: Mutex::new(Catalog::open(file)?),
            id,
            inner,
            last_percent: Mutex::new(0),
        })
    }
}

impl ProgressSink for SessionSink {
    fn progress(&self, p: &ProgressSnapshot) {
        if let Some(total) = p.bytes_total.filter(|t| *t > 0) {
            let pct = ((p.bytes_processed.min(total) * 99) / total) as u8;
            if let Ok(mut last) = self.last_percent.lock() {
                if pct != *last {
                    *last = pct;
                    if let Ok(c) = self.catalog.lock() {
                        let _ = c.session_progress(self.id, pct);
                    }
                }
            }
        }
        self.inner.progress(p);
    }

    fn log(&self, level: LogLevel, message: &str) {
        if let Ok(c) = self.catalog.lock() {
            let _ = c.log(self.id, level, message);
        }
        self.inner.log(level, message);
    }

    fn interval(&self) -> std::time::Duration {
        self.inner.interval()
    }
}
