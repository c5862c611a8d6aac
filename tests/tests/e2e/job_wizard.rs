//! New Agent Backup Job in the real window: every step of a file-level job
//! of This computer (one validation error per step that has one), "Run the
//! job when I click Finish" (its pre-job script confirmed in a native
//! dialog first), the live session window reaching Success, the
//! restore point under Home → Backups, then Edit changing the schedule; and
//! `cairn job create backup` storing the same job as the wizard.

use cairn_tests::cli::Cairn;
use cairn_tests::webdriver::Window;
use cairn_tests::wizard::{next_to, refused, set_value, steps, title};
use serde_json::Value;

/// From Name, Next through every step of a server job to Schedule.
fn next_to_schedule(w: &Window) {
    for s in [
        "Computers",
        "Backup Mode",
        "Objects",
        "Storage",
        "Guest Processing",
        "Schedule",
    ] {
        next_to(w, s);
    }
}

fn field(w: &Window, css: &str, text: &str) {
    let e = w.wait_for(css);
    w.clear(&e);
    w.type_into(&e, text);
}

/// A stored job's settings without what differs between two jobs.
fn comparable(mut job: Value) -> Value {
    let s = job["settings"].as_object_mut().expect("settings");
    s.remove("uid");
    s.remove("encryption");
    job.as_object_mut().expect("job").remove("name");
    job
}

#[test]
fn a_backup_job_through_every_wizard_step_runs_and_can_be_edited() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let src = tmp.path().join("Documents");
    std::fs::create_dir_all(src.join("sub")).expect("mkdir");
    std::fs::write(src.join("report.odt"), "quarterly report\n".repeat(4000)).expect("write");
    std::fs::write(src.join("sub/notes.txt"), "notes\n".repeat(100)).expect("write");
    std::fs::write(src.join("scratch.tmp"), "temporary").expect("write");
    let cairn = Cairn {
        bin: cairn_tests::binary("CAIRN_BIN", "cairn"),
        data: data.clone(),
    };
    let src_s = src.to_str().expect("utf8").to_string();
    // A pre-job script: the window confirms it in a native dialog.
    let script = tmp.path().join("freeze.sh");
    let froze = tmp.path().join("froze");
    std::fs::write(
        &script,
        format!("#!/bin/sh\ntouch '{}'\n", froze.to_str().expect("utf8")),
    )
    .expect("script");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let script_s = script.to_str().expect("utf8").to_string();

    let w = Window::open(&["--data-dir", data.to_str().expect("utf8")]);
    w.click_on("[data-view='home']");
    w.click_on("#ribbon-backup-job");
    w.click_on("#backup-job-this");
    w.wait_until("the job wizard", |w| title(w) == "Job Mode");
    // A server managed by the backup server: no Destination or Backup Cache,
    // Guest Processing shown; Linux offers no failover cluster.
    assert!(w.find_all("#job-type-cluster").is_empty());
    assert_eq!(
        steps(&w),
        vec![
            "Job Mode",
            "Name",
            "Computers",
            "Backup Mode",
            "Objects",
            "Storage",
            "Guest Processing",
            "Schedule",
            "Summary"
        ]
    );
    // Managed by agent adds Destination and Backup Cache; Workstation drops
    // Guest Processing.
    w.click_on("#job-mode-agent");
    w.click_on("#job-type-workstation");
    w.wait_until("policy steps", |w| {
        let s = steps(w);
        s.contains(&"Destination".to_string())
            && s.contains(&"Backup Cache".to_string())
            && !s.contains(&"Guest Processing".to_string())
    });
    w.screenshot("job-1-mode-policy");
    w.click_on("#job-mode-server");
    w.click_on("#job-type-server");
    w.wait_until("job steps", |w| steps(w).len() == 9);
    w.screenshot("job-1-mode");

    next_to(&w, "Name");
    refused(&w, "an empty name refused", "name");
    w.screenshot("job-2-name-error");
    field(&w, "#job-name", "Documents nightly");
    field(&w, "#job-description", "Office documents of this computer");
    w.screenshot("job-2-name");

    next_to(&w, "Computers");
    w.wait_until("this computer listed", |w| {
        w.find_all("#job-computers .computer-row").len() == 1
    });
    w.click_on("#job-computers .remove-item");
    refused(&w, "no computers refused", "no computers");
    w.screenshot("job-3-computers-error");
    w.click_on("#job-add-computer");
    w.click_on("#job-add-this");
    w.wait_until("this computer added", |w| {
        w.find_all("#job-computers .computer-row").len() == 1
    });
    w.screenshot("job-3-computers");

    next_to(&w, "Backup Mode");
    w.click_on("#job-backup-file");
    w.screenshot("job-4-backup-mode");

    next_to(&w, "Objects");
    refused(&w, "no folders refused", "no folders");
    w.screenshot("job-5-objects-error");
    field(&w, "#job-folder-input", &src_s);
    w.click_on("#job-folder-add");
    w.wait_until("folder listed", |w| {
        w.find_all("#job-folders .folder-row").len() == 1
    });
    field(&w, "#job-exclude-masks", "*.tmp");
    w.screenshot("job-5-objects");

    next_to(&w, "Storage");
    field(&w, "#job-retention", "0");
    refused(&w, "zero retention refused", "at least 1 restore point");
    w.screenshot("job-6-storage-error");
    field(&w, "#job-retention", "5");
    w.click_on("#job-advanced");
    w.wait_for("#job-compression");
    w.screenshot("job-6-storage");

    next_to(&w, "Guest Processing");
    field(&w, "#job-pre-script", "freeze.sh");
    refused(&w, "a relative script refused", "not a full path");
    w.screenshot("job-7-guest-error");
    set_value(&w, "#job-pre-script", &script_s);
    w.screenshot("job-7-guest");

    next_to(&w, "Schedule");
    w.click_on("#job-sched-daily");
    w.choose("#job-days-mode", "these");
    w.wait_for("#job-day-mon");
    for d in ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] {
        w.script(&format!(
            "const c = document.querySelector('#job-day-{d}'); if (c.checked) c.click(); return true"
        ));
    }
    refused(&w, "a schedule with no day refused", "no day");
    w.screenshot("job-8-schedule-error");
    for d in ["mon", "wed", "fri"] {
        w.click_on(&format!("#job-day-{d}"));
    }
    // A time field takes its value as the user's picker sets it.
    set_value(&w, "#job-daily-time", "23:30");
    w.screenshot("job-8-schedule");

    next_to(&w, "Summary");
    let summary = w.texts("#job-summary dd").join(" | ");
    assert!(summary.contains("Documents nightly"), "{summary}");
    assert!(summary.contains(&src_s), "{summary}");
    assert!(summary.contains("excluding *.tmp"), "{summary}");
    let sched = w.texts("#job-summary-schedule").join("");
    assert!(sched.contains("Daily at 23:30 on Mon, Wed, Fri"), "{sched}");
    w.wait_until("the next starts", |w| {
        let next = w.texts("#job-summary-next").join("");
        next.matches("23:30").count() == 3
    });
    w.screenshot("job-9-summary");
    let run_now = w.script("return document.querySelector('#job-run-now').checked");
    assert_eq!(
        run_now,
        Value::Bool(true),
        "Run the job when I click Finish is on"
    );
    // Finish asks, natively, whether the job may run the new script; the
    // webview cannot answer that. Cancel saves nothing.
    w.click_on("#wiz-next");
    cairn_tests::native_dialog::answer("Cairn: confirm job script", &["Escape"]);
    w.wait_until("the refusal shown", |w| {
        w.texts(".wiz-error")
            .join(" ")
            .contains("was not confirmed")
    });
    let jobs = cairn.ok(&["--json", "job", "list"]).json();
    assert_eq!(jobs, serde_json::json!([]), "nothing saved: {jobs}");
    w.click_on("#wiz-next");
    cairn_tests::native_dialog::answer("Cairn: confirm job script", &["Return"]);

    // The session window follows the run live and ends in Success.
    w.wait_for("#session-window");
    w.wait_until("the session succeeded", |w| {
        w.texts("#session-status").join("") == "Success"
    });
    let processed: u64 = w
        .script("return document.querySelector('#stat-processed').dataset.bytes")
        .as_str()
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    assert!(processed > 60_000, "processed bytes {processed}");
    let log = w.texts("#session-log .log-text").join("\n");
    assert!(
        log.contains("Started when the job wizard finished"),
        "{log}"
    );
    assert!(log.contains("Restore point"), "{log}");
    assert!(froze.exists(), "the confirmed script ran");
    w.screenshot("job-10-session");
    w.click_on("#session-close");

    // The job is listed with its schedule; its restore point under Backups.
    w.click_on("[data-node='jobs']");
    w.wait_until("the job listed", |w| {
        w.texts(".data-table tbody td")
            .iter()
            .any(|t| t == "Documents nightly")
    });
    let cells = w.texts(".data-table tbody tr td").join(" | ");
    assert!(cells.contains("Success"), "{cells}");
    w.screenshot("job-11-jobs");
    w.click_on("[data-node='backups']");
    w.wait_until("the backup listed", |w| {
        w.texts(".data-table tbody td")
            .iter()
            .any(|t| t.starts_with("Documents nightly"))
    });
    w.screenshot("job-12-backups");
    let backups = cairn.ok(&["--json", "backups", "list"]).json();
    let text = backups.to_string();
    assert!(text.contains("Documents nightly"), "{text}");
    let excluded = cairn.run(&["find", "Documents nightly", "scratch.tmp"], None);
    assert!(
        !excluded.stdout.contains("scratch.tmp"),
        "excluded by mask: {}",
        excluded.stdout
    );

    // Edit: the wizard reopens with the saved values; change the schedule.
    // (Wait for the Jobs list: until it loads, the rows are the backups'.)
    w.click_on("[data-node='jobs']");
    w.wait_until("the jobs listed", |w| {
        w.texts(".data-table tbody td")
            .iter()
            .any(|t| t.contains("Agent Backup"))
    });
    w.click_row("Documents nightly");
    w.click_on("#ribbon-job-edit");
    w.wait_until("the edit wizard", |w| title(w) == "Job Mode");
    next_to(&w, "Name");
    let name = w.script("return document.querySelector('#job-name').value");
    assert_eq!(name, Value::String("Documents nightly".into()));
    next_to_schedule(&w);
    assert_eq!(
        w.script("return document.querySelector('#job-daily-time').value"),
        Value::String("23:30".into())
    );
    w.click_on("#job-sched-periodic");
    field(&w, "#job-every", "4");
    w.choose("#job-every-unit", "hours");
    w.click_on("#job-window");
    w.choose("#job-window-from", "22");
    w.choose("#job-window-to", "5");
    w.screenshot("job-13-edit-schedule");
    next_to(&w, "Summary");
    assert!(w
        .texts("#job-summary-schedule")
        .join("")
        .contains("Every 4 hours"));
    // Editing does not run the job unless asked.
    assert_eq!(
        w.script("return document.querySelector('#job-run-now').checked"),
        Value::Bool(false)
    );
    w.click_on("#wiz-next");
    w.wait_until("the wizard closed", |w| w.find_all(".wizard").is_empty());
    let shown = cairn
        .ok(&["--json", "job", "show", "Documents nightly"])
        .json();
    assert_eq!(shown["settings"]["schedule"]["kind"]["kind"], "periodic");
    assert_eq!(shown["settings"]["schedule"]["kind"]["every"], 4);
    assert_eq!(shown["settings"]["schedule"]["kind"]["unit"], "hours");
    // Nights 22:00–05:00 every day.
    let night: u64 = (1 << 22) | (1 << 23) | 0b11111;
    assert_eq!(shown["settings"]["schedule"]["window"]["days"][0], night);
    assert_eq!(shown["settings"]["schedule"]["window"]["days"][6], night);
    // Edit again: the saved window is shown, not the defaults.
    w.click_row("Documents nightly");
    w.click_on("#ribbon-job-edit");
    w.wait_until("the edit wizard again", |w| title(w) == "Job Mode");
    next_to(&w, "Name");
    next_to_schedule(&w);
    assert_eq!(
        w.script("return [document.querySelector('#job-window-from').value, document.querySelector('#job-window-to').value, document.querySelector('#job-window').checked]"),
        serde_json::json!(["22", "5", true])
    );
    // Cancel asks first; a second Cancel discards.
    w.click_on("#wiz-cancel");
    w.wait_for(".confirm-bar");
    w.click_on("#wiz-cancel");
    w.wait_until("the wizard closed again", |w| {
        w.find_all(".wizard").is_empty()
    });
    // The CLI job below has no window: compare without it.
    let mut shown = shown;
    shown["settings"]["schedule"]["window"] = Value::Null;
    drop(w);

    // The command line stores the same job as the wizard.
    let me = shown["settings"]["computers"][0]
        .as_str()
        .expect("computer")
        .to_string();
    cairn.ok(&[
        "job",
        "create",
        "backup",
        "Documents by CLI",
        "--repo",
        "Default Backup Repository",
        "--include",
        &src_s,
        "--exclude",
        "*.tmp",
        "--retain-points",
        "5",
        "--computer",
        &me,
        "--every",
        "4h",
        "--description",
        "Office documents of this computer",
        "--pre-script",
        &script_s,
    ]);
    let cli = cairn
        .ok(&["--json", "job", "show", "Documents by CLI"])
        .json();
    let mut gui = comparable(shown);
    let cli = comparable(cli);
    // The machine the backups are named after is this computer in both.
    gui["settings"]["machine"] = cli["settings"]["machine"].clone();
    assert_eq!(gui, cli, "wizard and CLI store the same job");
}

#[test]
fn start_from_the_ribbon_then_stop_in_the_session_window() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("a.txt"), "alpha").expect("write");
    // A pre-job script that would take a minute: Stop must not wait for it.
    let script = tmp.path().join("slow.sh");
    let pidfile = tmp.path().join("script.pid");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho $$ > '{}'\nexec sleep 60\n",
            pidfile.to_str().expect("utf8")
        ),
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let cairn = Cairn {
        bin: cairn_tests::binary("CAIRN_BIN", "cairn"),
        data: data.clone(),
    };
    cairn.ok(&[
        "job",
        "create",
        "backup",
        "Slow",
        "--repo",
        "Default Backup Repository",
        "--include",
        src.to_str().expect("utf8"),
        "--pre-script",
        script.to_str().expect("utf8"),
    ]);

    let w = Window::open(&["--data-dir", data.to_str().expect("utf8")]);
    w.click_on("[data-view='home']");
    w.click_on("[data-node='jobs']");
    w.wait_until("the job listed", |w| {
        w.texts(".data-table tbody td").iter().any(|t| t == "Slow")
    });
    w.click_row("Slow");
    w.click_on("#ribbon-job-start");
    w.wait_for("#session-window");
    w.wait_until("the script running", |w| {
        w.texts("#session-log .log-text")
            .iter()
            .any(|l| l.starts_with("Running the pre-job script"))
    });
    assert_eq!(w.texts("#session-status").join(""), "Running");
    w.screenshot("job-stop-1-running");
    let pid = std::fs::read_to_string(&pidfile).expect("script pid");
    let proc_dir = std::path::PathBuf::from(format!("/proc/{}", pid.trim()));
    assert!(proc_dir.exists(), "the script runs");
    w.click_on("#session-stop");
    w.wait_until("the session stopped", |w| {
        w.texts("#session-status").join("") == "Failed"
    });
    // Stop ended the script rather than waiting for it.
    w.wait_until("the script gone", |_| !proc_dir.exists());
    let log = w.texts("#session-log .log-text").join("\n");
    assert!(log.contains("Stopped by the user"), "{log}");
    w.screenshot("job-stop-2-stopped");
    w.click_on("#session-close");
    // History lists it; a double-click opens its session window again.
    w.click_on("[data-view='history']");
    w.wait_until("the session in History", |w| {
        w.texts(".data-table tbody td").iter().any(|t| t == "Slow")
    });
    w.script(
        "for (const tr of document.querySelectorAll('.data-table tbody tr')) { if (tr.textContent.includes('Slow')) { tr.dispatchEvent(new MouseEvent('dblclick', {bubbles: true})); return true; } } return false",
    );
    w.wait_until("the session window from History", |w| {
        w.texts("#session-status").join("") == "Failed"
    });
    let backups = cairn.ok(&["--json", "backups", "list"]).json();
    assert_eq!(backups.as_array().map(Vec::len), Some(0), "{backups}");
}
