//! A console rebuilt in the real window: ☰ → Configuration Backup →
//! Restore on a fresh console brings back the lost console's jobs,
//! repositories and sealed secrets (the lost console's keyring is gone),
//! its scheduled encrypted job then runs under the window's scheduler with
//! nothing re-entered, and a new job from the wizard's Storage step → Map
//! backup continues a backup another console left in the repository.

use cairn_tests::cli::Cairn;
use cairn_tests::keyring::PrivateKeyring;
use cairn_tests::scheduler::{eventually, log_of, make_due, results_of};
use cairn_tests::webdriver::Window;
use serde_json::Value;
use std::path::Path;

fn s(p: &Path) -> &str {
    p.to_str().expect("utf8")
}

fn title(w: &Window) -> String {
    w.texts(".wizard-step.active").join("")
}

fn next_to(w: &Window, step: &str) {
    w.click_on("#wiz-next");
    w.wait_until(&format!("step {step}"), |w| title(w) == step);
}

fn field(w: &Window, css: &str, text: &str) {
    let e = w.wait_for(css);
    w.clear(&e);
    w.type_into(&e, text);
}

/// The backups `c` lists, as JSON.
fn backups(c: &Cairn) -> Vec<Value> {
    let v = c.ok(&["--json", "backups", "list"]).json();
    v.as_array().expect("list").clone()
}

/// A console on a keyring of its own that backs up `src` encrypted into a
/// local repository at `repo`, then backs its configuration up there with
/// its secrets sealed; the console and its keyring are then lost.
fn a_console_that_is_lost(t: &Path, src: &Path, repo: &Path) {
    let keyring = PrivateKeyring::start();
    let old = Cairn::new(&t.join("old"));
    let ok = |args: &[&str], stdin: Option<&str>| {
        let (r, _) = old.run_env(args, stdin, &keyring.env());
        assert_eq!(r.code, 0, "cairn {args:?}: {}", r.stderr);
    };
    ok(&["repo", "add", "local", "Shared", "--path", s(repo)], None);
    ok(
        &[
            "credentials",
            "add-password",
            "ledger-vault",
            "--password-stdin",
        ],
        Some("tape drive 42\n"),
    );
    ok(
        &[
            "job",
            "create",
            "backup",
            "Ledger",
            "--repo",
            "Shared",
            "--include",
            s(src),
            "--password-name",
            "ledger-vault",
            "--daily",
            "22:15",
        ],
        None,
    );
    ok(&["job", "run", "Ledger"], None);
    ok(
        &["config", "backup", "--repo", "Shared", "--password-stdin"],
        Some("config password\n"),
    );
    drop(keyring);
    std::fs::remove_dir_all(t.join("old")).expect("the old console is lost");
}

#[test]
fn a_fresh_console_restores_its_configuration_in_the_window_and_a_wizard_job_continues_an_imported_backup(
) {
    let tmp = tempfile::tempdir().expect("tmp");
    let t = tmp.path();
    let (src, repo) = (t.join("src"), t.join("repo"));
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("ledger.csv"), "2026,credit,42\n".repeat(400)).expect("write");
    a_console_that_is_lost(t, &src, &repo);
    // Another console left a plain backup in the same repository.
    let other = Cairn::new(&t.join("other"));
    other.ok(&["repo", "add", "local", "Shared", "--path", s(&repo)]);
    other.ok(&[
        "job",
        "create",
        "backup",
        "Papers",
        "--repo",
        "Shared",
        "--include",
        s(&src),
    ]);
    other.ok(&["job", "run", "Papers"]);
    let papers = backups(&other)
        .into_iter()
        .find(|b| b["job"] == "Papers")
        .expect("the other console's backup");
    let papers_id = papers["id"].as_str().expect("id").to_string();

    let fresh = Cairn::new(&t.join("fresh"));
    fresh.ok(&["repo", "add", "local", "Found", "--path", s(&repo)]);
    let w = Window::open(&["--data-dir", s(&fresh.data)]);
    restore_configuration(&w);
    let jobs = fresh.ok(&["--json", "job", "list"]).json();
    assert_eq!(jobs[0]["name"], "Ledger", "{jobs}");

    // The scheduler of the window runs the restored encrypted job: its
    // password came back from the configuration backup, not typed again.
    std::fs::write(src.join("after.txt"), "after the move\n").expect("write");
    make_due(&fresh.data, "Ledger");
    eventually("the scheduled run of Ledger", || {
        let r = results_of(&fresh.data, "Ledger");
        !r.is_empty() && r != ["running"]
    });
    assert_eq!(
        results_of(&fresh.data, "Ledger"),
        ["success"],
        "{:?}",
        log_of(&fresh.data, "Ledger")
    );

    map_a_new_job(&w, &src, &papers_id);
    let continued = backups(&fresh)
        .into_iter()
        .find(|b| b["id"] == papers_id.as_str())
        .expect("the mapped backup");
    assert_eq!(continued["imported"], false, "{continued}");
    let points = continued["restore_points"].as_array().expect("points");
    assert_eq!(points.len(), 2, "one chain: {continued}");
    assert_eq!(points[1]["kind"], "increment", "{continued}");
}

/// ☰ → Configuration Backup → Restore on a new console, with the password.
fn restore_configuration(w: &Window) {
    w.click_on("#app-menu");
    w.click_on("#menu-configuration-backup");
    w.wait_for("#config-restore-repository option[value='Found']");
    w.choose("#config-restore-repository", "Found");
    field(w, "#config-restore-password", "not it");
    w.click_on("#config-restore");
    w.wait_until("a wrong password refused", |w| {
        !w.texts("#config-error").is_empty()
    });
    field(w, "#config-restore-password", "config password");
    w.click_on("#config-restore");
    w.wait_until("the configuration restored", |w| {
        w.texts("#config-message")
            .join("")
            .contains("1 secret(s) back in the keyring")
    });
    w.screenshot("configuration-restored");
    w.click_on("#config-close");
    w.click_on("[data-view='home']");
    w.click_on("[data-node='jobs']");
    w.wait_until("the restored job", |w| {
        w.texts(".data-table tbody td")
            .iter()
            .any(|t| t == "Ledger")
    });
}

/// A new job for this computer whose Storage step maps the imported backup
/// `id`; it runs when the wizard finishes.
fn map_a_new_job(w: &Window, src: &Path, id: &str) {
    w.click_on("#ribbon-backup-job");
    w.click_on("#backup-job-this");
    w.wait_until("the job wizard", |w| title(w) == "Job Mode");
    next_to(w, "Name");
    field(w, "#job-name", "Papers again");
    next_to(w, "Computers");
    w.wait_until("this computer listed", |w| {
        w.find_all("#job-computers .computer-row").len() == 1
    });
    next_to(w, "Backup Mode");
    w.click_on("#job-backup-file");
    next_to(w, "Objects");
    field(w, "#job-folder-input", s(src));
    w.click_on("#job-folder-add");
    next_to(w, "Storage");
    w.wait_for("#job-repository option[value='Shared']");
    w.choose("#job-repository", "Shared");
    w.wait_for(&format!("#job-map-backup option[value='{id}']"));
    w.choose("#job-map-backup", id);
    w.wait_for("#job-map-hint");
    w.screenshot("job-map-backup");
    for step in ["Guest Processing", "Schedule", "Summary"] {
        next_to(w, step);
    }
    let continues = w.texts("#job-summary-continues").join("");
    assert!(continues.contains(id), "{continues}");
    w.click_on("#wiz-next");
    w.wait_for("#session-window");
    w.wait_until("the mapped run succeeded", |w| {
        w.texts("#session-status").join("") == "Success"
    });
    w.click_on("#session-close");
}
