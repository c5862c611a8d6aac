//! The scheduler: starts jobs at their scheduled times, retries failed
//! scheduled runs, starts chained jobs, terminates runs that outlast their
//! backup window, and runs once a start missed while Cairn was not running.
//! The console runs it in a thread (also while its window is closed to the
//! tray); `cairn daemon` runs it headless. One data folder has one active
//! scheduler: the first process to lock `scheduler.lock` in it; the others
//! wait and take over when it goes away.

use crate::catalog::JobRecord;
use crate::error::Result;
use crate::operations::{Console, RunOptions};
use crate::schedule;
use cairn_core::time::now;
use cairn_model::{LogLevel, ScheduleKind};
use std::fs::File;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// A start this late is a missed run (the computer was off or Cairn closed).
const MISSED_AFTER_SECS: i64 = 90;

fn local_time(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|ts| {
            ts.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%Y-%m-%d %H:%M %Z")
                .to_string()
        })
        .unwrap_or_else(|_| t.to_string())
}

/// Tries to become the data folder's scheduler; the lock lasts as long as
/// the returned file is open.
pub fn try_lock(console: &Console) -> Result<Option<File>> {
    let path = console.data_dir().join("scheduler.lock");
    let f = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| crate::Error::io("open the scheduler lock", &path, e))?;
    match f.try_lock() {
        Ok(()) => Ok(Some(f)),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(crate::Error::io("lock the scheduler lock", &path, e))
        }
    }
}

/// One pass: starts what is due, ends what outlasts its window, and
/// returns seconds until the next thing to do.
pub fn tick(console: &Arc<Console>, first: bool) -> Result<i64> {
    let t = now();
    let mut wait = 60i64;
    // The catalog's guard must not live through the loop: the steps lock it.
    let jobs = console.catalog()?.jobs()?;
    for job in &jobs {
        let running = console.is_running(job.id);
        if running {
            enforce_window(console, job, t);
        }
        if !scheduled_here(job) {
            continue;
        }
        if let Some(w) = retry_if_due(console, job, t, running) {
            wait = wait.min(w);
        }
        if let Some(w) = run_if_due(console, job, t, first, running)? {
            wait = wait.min(w);
        }
    }
    daily_rescan(console, t)?;
    console.configuration_backup_if_due(t)?;
    Ok(wait.clamp(1, 60))
}

/// Runs that outlast their backup window are terminated.
fn enforce_window(console: &Console, job: &JobRecord, t: i64) {
    let Some(w) = &job.settings.schedule.window else {
        return;
    };
    let inside = schedule::window_end_unix(w, t - 1).is_none_or(|end| end > t);
    if !inside {
        console.cancel_run(
            job.id,
            "Terminated: the job exceeded its allowed backup window",
        );
    }
}

/// Whether the clock starts this job: enabled, scheduled, not chained
/// after another job, not an immediate copy (those start when their
/// sources get new points).
fn scheduled_here(job: &JobRecord) -> bool {
    let s = &job.settings.schedule;
    let immediate = job
        .settings
        .copy
        .as_ref()
        .is_some_and(|c| c.mode == cairn_model::CopyMode::Immediate);
    job.enabled && s.enabled && !matches!(s.kind, ScheduleKind::After { .. }) && !immediate
}

/// Starts a due automatic retry of a failed run; otherwise the seconds
/// until the pending one.
fn retry_if_due(console: &Arc<Console>, job: &JobRecord, t: i64, running: bool) -> Option<i64> {
    let retries = &console.runs().retries;
    let (attempt, at) = retries.lock().ok().and_then(|r| r.get(&job.id).copied())?;
    if at > t || running {
        return Some((at - t).max(1));
    }
    if let Ok(mut r) = retries.lock() {
        r.remove(&job.id);
    }
    let times = job.settings.schedule.retry.times;
    let opts = RunOptions {
        note: Some(format!(
            "Automatic retry {attempt} of {times} after a failed run"
        )),
        scheduled: true,
        attempt,
        ..Default::default()
    };
    if let Err(e) = console.start_job(&job.name, opts) {
        console.record_skip(job, &e.to_string());
    }
    None
}

/// Starts the job if its next run is due (a run missed while Cairn was
/// not running starts once, saying so); the seconds until its next run.
fn run_if_due(
    console: &Arc<Console>,
    job: &JobRecord,
    t: i64,
    first: bool,
    running: bool,
) -> Result<Option<i64>> {
    let s = &job.settings.schedule;
    let next_after_now = schedule::next_run_unix(s, t);
    let Some(due) = job.next_run else {
        console.catalog()?.set_next_run(job.id, next_after_now)?;
        return Ok(None);
    };
    if due > t {
        return Ok(Some(due - t));
    }
    let note = if first && t - due > MISSED_AFTER_SECS {
        format!(
            "The run scheduled for {} was missed while Cairn was not running; it runs once now",
            local_time(due)
        )
    } else {
        format!("Scheduled run ({})", s.describe())
    };
    console.catalog()?.set_next_run(job.id, next_after_now)?;
    if running {
        if let Some(session) = console.running_session(job.id) {
            let msg = "A scheduled start came while this run was still going; it was skipped";
            console.catalog()?.log(session, LogLevel::Warning, msg)?;
        }
        return Ok(None);
    }
    let opts = RunOptions {
        note: Some(note),
        scheduled: true,
        ..Default::default()
    };
    if let Err(e) = console.start_job(&job.name, opts) {
        console.record_skip(job, &e.to_string());
    }
    Ok(next_after_now.map(|n| (n - t).max(1)))
}

/// External repositories are rescanned every 24 hours, protection groups
/// daily at their time.
fn daily_rescan(console: &Arc<Console>, t: i64) -> Result<()> {
    if console.runs().rescanning() {
        return Ok(());
    }
    let groups = console.groups_due(t)?;
    if !groups.is_empty() {
        if let Err(e) = console.start_daily_group_rescans(groups) {
            eprintln!("cairn: the daily group rescan did not start: {e}");
        }
        return Ok(());
    }
    let due = console.externals_due(t)?;
    if due.is_empty() {
        return Ok(());
    }
    let name = (due.len() == 1).then(|| due[0].as_str());
    if let Err(e) = console.start_rescan(name) {
        eprintln!("cairn: the daily rescan did not start: {e}");
    }
    Ok(())
}

/// Runs the scheduler until `stop` is set. `say` reports state changes
/// (the daemon prints them).
pub fn run(console: Arc<Console>, stop: Arc<AtomicBool>, say: &dyn Fn(&str)) {
    let mut lock = None;
    let mut first = true;
    let mut told_passive = false;
    while !stop.load(Ordering::Relaxed) {
        if lock.is_none() {
            match try_lock(&console) {
                Ok(Some(f)) => {
                    lock = Some(f);
                    first = true;
                    say("scheduling the jobs of this data folder");
                }
                Ok(None) => {
                    if !told_passive {
                        say("another Cairn process schedules this data folder's jobs; waiting to take over");
                        told_passive = true;
                    }
                    console.wait_for_work(Duration::from_secs(30));
                    continue;
                }
                Err(e) => {
                    say(&format!("cannot schedule: {e}"));
                    console.wait_for_work(Duration::from_secs(60));
                    continue;
                }
            }
        }
        let wait = match tick(&console, first) {
            Ok(w) => w,
            Err(e) => {
                say(&format!("scheduler: {e}"));
                30
            }
        };
        first = false;
        console.wait_for_work(Duration::from_secs(wait as u64));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_model::{BackupJobSettings, SessionResult};

    #[test]
    fn a_start_missed_while_closed_runs_once_and_the_next_start_moves_on() {
        let tmp = tempfile::tempdir().expect("tmp");
        let console = Arc::new(Console::open(&tmp.path().join("data")).expect("open"));
        let src = tmp.path().join("src");
        std::fs::create_dir_all(&src).expect("mkdir");
        std::fs::write(src.join("a.txt"), b"alpha").expect("write");
        let settings = BackupJobSettings {
            includes: vec![src.to_string_lossy().into_owned()],
            ..Default::default()
        };
        let job = console
            .create_backup_job("Nightly", crate::DEFAULT_REPOSITORY, "", settings, None)
            .expect("job");
        let mut spec = console.job_spec("Nightly").expect("spec");
        spec.settings.schedule.enabled = true;
        console
            .save_backup_job(&spec, Some("Nightly"), None)
            .expect("schedule");
        // It should have run an hour ago, while no console was open.
        let missed = now() - 3600;
        console
            .catalog()
            .expect("catalog")
            .set_next_run(job.id, Some(missed))
            .expect("set");
        tick(&console, true).expect("tick");
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let session = loop {
            let rows = console.history_rows().expect("history");
            if let Some(s) = rows
                .iter()
                .find(|s| s.name == "Nightly" && s.ended.is_some())
            {
                break s.clone();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the missed run never ran"
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        assert_eq!(session.result, Some(SessionResult::Success));
        let log = console
            .catalog()
            .expect("catalog")
            .session_log(session.id)
            .expect("log");
        assert!(
            log.iter().any(|l| l.message.contains("was missed")),
            "{log:?}"
        );
        let next = console
            .job_named("Nightly")
            .expect("job")
            .next_run
            .expect("next");
        assert!(next > now(), "the next start is in the future");
    }
}
