//! The console's operations against a temporary data folder: what the
//! window and the CLI rely on, without either of them.

use super::*;
use cairn_core::progress::{CancelToken, NoProgress};
use cairn_core::restore::{Destination, RestoreSpec};
use cairn_model::{BackupJobSettings, ErrorKind, ScheduleKind, SessionResult};
use std::sync::Arc;

fn console(dir: &Path) -> Console {
    Console::open(&dir.join("data")).expect("open the data folder")
}

fn source(dir: &Path) -> PathBuf {
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("sub")).expect("mkdir");
    std::fs::write(src.join("a.txt"), b"alpha").expect("write");
    std::fs::write(src.join("sub/b.txt"), b"beta beta").expect("write");
    src
}

fn job(c: &Console, name: &str, src: &Path) -> crate::catalog::JobRecord {
    let settings = BackupJobSettings {
        includes: vec![src.to_string_lossy().into_owned()],
        ..Default::default()
    };
    c.create_backup_job(name, DEFAULT_REPOSITORY, "", settings, None)
        .expect("create the job")
}

fn run(c: &Console, name: &str) -> JobRunReport {
    c.run_job(
        name,
        &RunOptions::default(),
        Arc::new(NoProgress),
        &CancelToken::new(),
    )
    .expect("run the job")
}

#[test]
fn a_new_data_folder_has_the_default_repository_and_opens_again() {
    let tmp = tempfile::tempdir().expect("tmp");
    let c = console(tmp.path());
    let rows = c.repository_rows().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name, DEFAULT_REPOSITORY);
    assert!(paths::default_repository_dir(c.data_dir())
        .join("config")
        .exists());
    drop(c);
    let again = console(tmp.path());
    assert_eq!(
        again.repository_rows().expect("rows").len(),
        1,
        "no second default"
    );
    let err = again
        .remove_repository(DEFAULT_REPOSITORY)
        .expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}

#[test]
fn a_job_run_lists_its_backup_and_restores_a_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let c = console(tmp.path());
    let src = source(tmp.path());
    job(&c, "Docs", &src);
    let r = run(&c, "Docs");
    assert_eq!(r.result, SessionResult::Success, "{}", r.message);
    assert!(r.point.is_some());
    let backups = c.backup_rows().expect("backups");
    assert_eq!(backups.len(), 1);
    assert_eq!(backups[0].job_name, "Docs");
    assert_eq!(backups[0].restore_points, 1);
    let points = c.restore_point_rows(&backups[0].id).expect("points");
    assert_eq!(points.len(), 1);

    let to = tmp.path().join("restored");
    let file = format!("{}/sub/b.txt", src.display());
    let spec = RestoreSpec {
        paths: vec![file],
        dest: Destination::To(to.clone()),
        preserve_owner: false,
        changed_only: false,
    };
    c.restore(
        "Docs",
        "latest",
        &spec,
        None,
        Arc::new(NoProgress),
        &CancelToken::new(),
    )
    .expect("restore");
    assert_eq!(
        std::fs::read(to.join("b.txt")).expect("restored"),
        b"beta beta"
    );
    let sessions = c.history_rows().expect("history");
    assert!(
        sessions.len() >= 2,
        "the backup and the restore are sessions"
    );
}

#[test]
fn a_job_that_cannot_run_here_is_refused_with_the_reason() {
    let tmp = tempfile::tempdir().expect("tmp");
    let c = console(tmp.path());
    let src = source(tmp.path());
    let settings = BackupJobSettings {
        includes: vec![src.to_string_lossy().into_owned()],
        computers: vec!["far-away-host".into()],
        ..Default::default()
    };
    c.create_backup_job("Far", DEFAULT_REPOSITORY, "", settings, None)
        .expect("create");
    let err = c
        .run_job(
            "Far",
            &RunOptions::default(),
            Arc::new(NoProgress),
            &CancelToken::new(),
        )
        .expect_err("no agent");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.message().contains("no agent"), "{}", err.message());
}

#[test]
fn a_finished_background_run_starts_the_job_chained_after_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let c = Arc::new(console(tmp.path()));
    let src = source(tmp.path());
    job(&c, "First", &src);
    let mut second = c.job_spec(&job(&c, "Second", &src).name).expect("spec");
    second.settings.schedule.enabled = true;
    second.settings.schedule.kind = ScheduleKind::After {
        job: "First".into(),
    };
    c.save_backup_job(&second, Some("Second"), None)
        .expect("chain");
    c.start_job("First", RunOptions::default()).expect("start");
    // The chained job runs once First has finished; wait for its session.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let rows = c.history_rows().expect("history");
        let done = |n: &str| rows.iter().any(|s| s.name == n && s.ended.is_some());
        if done("First") && done("Second") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "Second never ran: {rows:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let backups = c.backup_rows().expect("backups");
    assert_eq!(backups.len(), 2, "both jobs wrote a backup");
}

#[test]
fn restores_wake_their_watchers_and_a_closed_window_ends_its_watch() {
    use cairn_model::api::SessionEvent;
    use cairn_model::SessionKind;
    use std::sync::mpsc::{channel, RecvTimeoutError};
    use std::time::Duration;
    let tmp = tempfile::tempdir().expect("tmp");
    let c = Arc::new(console(tmp.path()));
    let src = source(tmp.path());
    job(&c, "Docs", &src);
    run(&c, "Docs");
    let spec = RestoreSpec {
        paths: vec![format!("{}/a.txt", src.display())],
        dest: Destination::To(tmp.path().join("restored")),
        preserve_owner: false,
        changed_only: false,
    };
    let (none, cancel) = (Arc::new(NoProgress), CancelToken::new());
    c.restore("Docs", "latest", &spec, None, none, &cancel)
        .expect("restore");
    let history = c.history_rows().expect("history");
    let restore = history
        .iter()
        .find(|s| s.kind == SessionKind::Restore)
        .expect("a restore session");
    assert!(
        c.live(restore.id).is_some(),
        "a restore of this process has live state that wakes its watchers"
    );

    // A finished session: its end at once, then the stream closes.
    let (tx, rx) = channel();
    c.watch_session(restore.id, Box::new(move |ev| tx.send(ev).is_ok()))
        .expect("watch");
    let mut finished = false;
    while let Ok(ev) = rx.recv_timeout(Duration::from_secs(60)) {
        finished |= matches!(ev, SessionEvent::Finished { .. });
    }
    assert!(finished, "the watch ends with the session's end");

    // A session another process runs (no live state here) that never ends:
    // the watch stops when the window says so.
    let other = c
        .catalog()
        .expect("catalog")
        .start_session(None, "Elsewhere", SessionKind::System)
        .expect("session");
    assert!(c.live(other).is_none());
    let (tx, rx) = channel();
    let watch = c
        .watch_session(other, Box::new(move |ev| tx.send(ev).is_ok()))
        .expect("watch");
    assert_eq!(c.watches(), 1);
    c.unwatch_session(watch);
    let ended = loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(_) => continue,
            Err(e) => break e,
        }
    };
    assert_eq!(
        ended,
        RecvTimeoutError::Disconnected,
        "the watch thread ended"
    );
    assert_eq!(c.watches(), 0);
}

/// A sink that panics on the first line starting with its text (a backup's
/// "Backing up", a restore's "Planning the restore"): a stand-in for any
/// defect deep in a run.
struct PanicsOnLine(&'static str);

impl cairn_core::progress::ProgressSink for PanicsOnLine {
    fn progress(&self, _: &cairn_core::progress::ProgressSnapshot) {}
    fn log(&self, _: cairn_model::LogLevel, message: &str) {
        if message.starts_with(self.0) {
            panic!("planted for the test");
        }
    }
}

#[test]
fn a_panic_inside_a_run_fails_its_session_and_frees_the_job() {
    let tmp = tempfile::tempdir().expect("tmp");
    let c = console(tmp.path());
    let src = source(tmp.path());
    let j = job(&c, "Fragile", &src);
    let err = c
        .run_job(
            "Fragile",
            &RunOptions::default(),
            Arc::new(PanicsOnLine("Backing up")),
            &CancelToken::new(),
        )
        .expect_err("the run fails");
    assert_eq!(err.kind(), ErrorKind::Internal);
    assert!(
        err.message().contains("internal error"),
        "{}",
        err.message()
    );
    assert!(!c.is_running(j.id), "the run is unregistered");
    let rows = c.history_rows().expect("history");
    let s = rows.iter().find(|s| s.name == "Fragile").expect("session");
    assert_eq!(s.result, Some(SessionResult::Failed));
    assert!(s.ended.is_some(), "the session ended");
    run(&c, "Fragile");
}

#[test]
fn a_panic_inside_a_restore_fails_its_session_and_the_next_restore_works() {
    use cairn_model::SessionKind;
    let tmp = tempfile::tempdir().expect("tmp");
    let c = console(tmp.path());
    let src = source(tmp.path());
    job(&c, "Docs", &src);
    run(&c, "Docs");
    let spec = RestoreSpec {
        paths: Vec::new(),
        dest: Destination::To(tmp.path().join("restored")),
        preserve_owner: false,
        changed_only: false,
    };
    let cancel = CancelToken::new();
    let err = c
        .restore(
            "Docs",
            "latest",
            &spec,
            None,
            Arc::new(PanicsOnLine("Planning the restore")),
            &cancel,
        )
        .expect_err("the restore fails");
    assert_eq!(err.kind(), ErrorKind::Internal);
    assert!(
        err.message().contains("internal error"),
        "{}",
        err.message()
    );
    let rows = c.history_rows().expect("history");
    let s = rows
        .iter()
        .find(|s| s.kind == SessionKind::Restore)
        .expect("the restore session");
    assert_eq!(s.result, Some(SessionResult::Failed));
    assert!(s.ended.is_some(), "the session ended");
    c.restore("Docs", "latest", &spec, None, Arc::new(NoProgress), &cancel)
        .expect("the next restore");
}

#[test]
fn concurrent_starts_of_one_job_start_it_once() {
    let tmp = tempfile::tempdir().expect("tmp");
    let c = Arc::new(console(tmp.path()));
    let src = source(tmp.path());
    job(&c, "Once", &src);
    let n = 8;
    let barrier = Arc::new(std::sync::Barrier::new(n));
    let starts: Vec<_> = (0..n)
        .map(|_| {
            let (c, barrier) = (c.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                c.start_job("Once", RunOptions::default())
            })
        })
        .collect();
    let results: Vec<_> = starts
        .into_iter()
        .map(|h| h.join().expect("join"))
        .collect();
    let started = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(started, 1, "{results:?}");
    for r in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(r.kind(), ErrorKind::Conflict, "{}", r.message());
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while c
        .history_rows()
        .expect("rows")
        .iter()
        .any(|s| s.ended.is_none())
    {
        assert!(std::time::Instant::now() < deadline, "the run never ended");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let rows = c.history_rows().expect("rows");
    assert_eq!(
        rows.iter().filter(|s| s.name == "Once").count(),
        1,
        "{rows:?}"
    );
}

#[test]
fn open_extracts_into_a_private_folder_that_goes_with_the_console() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tmp");
    let c = console(tmp.path());
    let src = source(tmp.path());
    job(&c, "Docs", &src);
    let report = run(&c, "Docs");
    let (id, _) = c
        .open_browser(&report.backup, "latest", None)
        .expect("browse");
    let nested = format!("{}/sub/b.txt", src.display());
    let file = c.browser_extract(id, &nested).expect("extract");
    assert_eq!(
        std::fs::read(&file).expect("the returned path"),
        b"beta beta"
    );
    let mut dir = file.parent().expect("folder").to_path_buf();
    let open = crate::paths::open_dir(&tmp.path().join("data"));
    assert!(
        dir.starts_with(&open),
        "{} is not under {}",
        dir.display(),
        open.display()
    );
    while dir.starts_with(&open) {
        let mode = std::fs::metadata(&dir).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{} is readable by others", dir.display());
        dir.pop();
    }
    let mine = open.join(std::process::id().to_string());
    assert!(
        file.starts_with(&mine),
        "{} is this process's",
        file.display()
    );
    drop(c);
    assert!(!mine.exists(), "the extracted copies outlived the console");
}

#[test]
fn extracted_files_of_a_console_that_ended_without_removing_them_go_at_the_next_start() {
    let tmp = tempfile::tempdir().expect("tmp");
    let open = crate::paths::open_dir(&tmp.path().join("data"));
    // A console killed while files were open: its pid no longer runs.
    let dead = open.join(format!("{}", u32::MAX - 1));
    std::fs::create_dir_all(&dead).expect("mkdir");
    std::fs::write(dead.join("decrypted.txt"), b"secret").expect("write");
    // One that still runs keeps its files.
    let alive = open.join("1");
    std::fs::create_dir_all(&alive).expect("mkdir");
    std::fs::write(alive.join("in-use.txt"), b"open").expect("write");
    let c = console(tmp.path());
    assert!(!dead.exists(), "the ended console's copies are removed");
    assert!(
        alive.join("in-use.txt").exists(),
        "a running console's copies stay"
    );
    drop(c);
}

#[test]
fn a_session_another_process_runs_wakes_whoever_waits_on_sessions() {
    let tmp = tempfile::tempdir().expect("tmp");
    let window = console(tmp.path());
    let src = source(tmp.path());
    job(&window, "elsewhere", &src);
    let seen = window.wait_sessions_changed(0, std::time::Duration::ZERO);
    // The CLI or a daemon: another connection on the same data folder.
    let cli = console(tmp.path());
    run(&cli, "elsewhere");
    let now = window.wait_sessions_changed(seen, std::time::Duration::from_secs(30));
    assert_ne!(now, seen, "the other process's session was not noticed");
}

#[test]
fn run_options_never_show_the_password() {
    let opts = RunOptions {
        password: Some(crate::secrets::Sensitive::new(
            "correct horse battery".into(),
        )),
        ..Default::default()
    };
    let shown = format!("{opts:?}");
    assert!(!shown.contains("correct horse"), "{shown}");
    assert!(shown.contains("<hidden>"), "{shown}");
}

#[test]
fn the_daily_configuration_backup_waits_for_its_time_then_writes_a_point_into_the_default_repository(
) {
    let dir = tempfile::tempdir().expect("tmp");
    let c = console(dir.path());
    let now = cairn_core::time::now();
    let configuration_points = |c: &Console| -> usize {
        c.catalog()
            .expect("catalog")
            .backups()
            .expect("backups")
            .iter()
            .filter(|b| b.platform == CONFIGURATION_PLATFORM)
            .map(|b| b.points.len())
            .sum()
    };
    assert!(
        c.config_backup_settings().expect("settings").enabled,
        "on by default"
    );
    c.configuration_backup_if_due(now).expect("first turn");
    let next = c
        .config_backup_next_run()
        .expect("next")
        .expect("scheduled");
    assert!(
        next > now && next <= now + 86_400,
        "within a day: {next} vs {now}"
    );
    assert_eq!(
        configuration_points(&c),
        0,
        "a new console does not back up at its first start"
    );

    c.configuration_backup_if_due(next).expect("due turn");
    assert_eq!(configuration_points(&c), 1);
    // No job continues it: it is the console's, not a computer's.
    let config_backup = c.catalog().expect("catalog").backups().expect("backups");
    let id = config_backup
        .iter()
        .find(|b| b.platform == CONFIGURATION_PLATFORM)
        .map(|b| b.backup_id.clone())
        .expect("the configuration backup");
    let src = source(dir.path());
    job(&c, "mapped", &src);
    let err = c
        .map_job("mapped", &id, None)
        .expect_err("a configuration backup continues no job");
    assert!(err.to_string().contains("configuration backup"), "{err}");
    assert!(
        c.config_backup_next_run()
            .expect("next")
            .expect("scheduled")
            > next
    );
    let off = cairn_model::ConfigBackupSettings {
        enabled: false,
        ..Default::default()
    };
    c.set_config_backup_settings(&off).expect("turn off");
    c.configuration_backup_if_due(next + 86_400 * 2)
        .expect("off turn");
    assert_eq!(configuration_points(&c), 1, "off means off");
}
