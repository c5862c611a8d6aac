//! What follows a finished background run: a failed scheduled run is
//! queued for its retry, backup copy jobs in immediate mode start on the new
//! restore point, and the jobs chained after it start. The scheduler's own
//! pass only starts what is due; it reads the retries queued here.

use super::{Console, JobRunReport, RunOptions};
use crate::catalog::JobRecord;
use crate::error::Result;
use cairn_core::time::now;
use cairn_model::{ErrorKind, LogLevel, ScheduleKind, SessionResult};
use std::sync::Arc;

/// Called by every background run when it ends: a failed scheduled run is
/// retried as its schedule says, and the jobs set to run after this one
/// start.
pub(crate) fn after_run(
    console: &Arc<Console>,
    job: &JobRecord,
    opts: &RunOptions,
    report: &Result<JobRunReport>,
) {
    let retry = job.settings.schedule.retry;
    let failed = match report {
        Ok(r) => r.result == SessionResult::Failed,
        Err(e) => e.kind() != ErrorKind::Cancelled,
    };
    if let Ok(mut r) = console.runs().retries.lock() {
        if opts.scheduled && failed && retry.enabled && opts.attempt < retry.times {
            r.insert(
                job.id,
                (opts.attempt + 1, now() + retry.wait_minutes as i64 * 60),
            );
        } else {
            r.remove(&job.id);
        }
    }
    let stopped = matches!(report, Err(e) if e.kind() == ErrorKind::Cancelled);
    if stopped {
        return;
    }
    if matches!(report, Ok(r) if r.point.is_some()) && job.settings.copy.is_none() {
        let repo = console
            .catalog()
            .and_then(|c| c.repository(job.repository_id))
            .map(|r| r.name)
            .unwrap_or_default();
        console.start_immediate_copies(&[job.name.clone(), repo]);
    }
    let Ok(jobs) = console.catalog().and_then(|c| c.jobs()) else {
        return;
    };
    for next in jobs {
        let s = &next.settings.schedule;
        let chained =
            matches!(&s.kind, ScheduleKind::After { job: j } if j.eq_ignore_ascii_case(&job.name));
        if next.enabled && s.enabled && chained {
            let opts = RunOptions {
                note: Some(format!("Started after job {} finished", job.name)),
                scheduled: true,
                ..Default::default()
            };
            if let Err(e) = console.start_job(&next.name, opts) {
                console.record_skip(&next, &e.to_string());
            }
        }
    }
    console.wake_scheduler();
}

impl Console {
    /// A scheduled start that could not happen leaves a failed session
    /// saying why, so it shows in History and Last 24 Hours.
    pub(crate) fn record_skip(&self, job: &JobRecord, why: &str) {
        if let Ok(cat) = self.catalog() {
            if let Ok(s) = cat.start_session(Some(job.id), &job.name, super::session_kind(job)) {
                let msg = format!("The scheduled run did not start: {why}");
                let _ = cat.log(s, LogLevel::Error, &msg);
                let _ = cat.finish_session(s, SessionResult::Failed, &msg);
            }
        }
    }
}
