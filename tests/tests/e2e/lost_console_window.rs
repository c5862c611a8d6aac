//! A lost console in the real window: the first-run view offers its first
//! step, Rescan on a backup repository (ribbon and right-click) brings in
//! what another console wrote, the imported backup restores through the
//! Backup Browser, an imported encrypted one opens once its password is
//! typed at the restore wizard's Restore Point step, History → Show Log opens a session's log, and ☰ →
//! Configuration Backup backs the configuration up.

use cairn_tests::cli::Cairn;
use cairn_tests::webdriver::Window;

fn s(p: &std::path::Path) -> &str {
    p.to_str().expect("utf8")
}

fn cells(w: &Window) -> Vec<String> {
    w.texts(".data-table td")
}

/// The row of the backups list that holds `text`, as its cells.
fn backup_row(w: &Window, text: &str) -> Vec<String> {
    let js = format!(
        "for (const tr of document.querySelectorAll('.data-table tbody tr')) {{ if (tr.textContent.includes({})) {{ return Array.from(tr.querySelectorAll('td')).map(td => td.textContent); }} }} return []",
        serde_json::to_string(text).expect("json")
    );
    w.script(&js)
        .as_array()
        .expect("cells")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

fn close_session(w: &Window, title: &str) {
    w.wait_until(&format!("session {title} finished"), |w| {
        w.texts("#session-window .wizard-title")
            .join("")
            .contains(title)
            && w.texts("#session-status").join("") == "Success"
    });
    w.click_on("#session-close");
}

/// The imported encrypted backup lists its points; the restore wizard's
/// Restore Point step asks its password, refuses a wrong one, and opens
/// the point in the Backup Browser with the right one.
fn a_sealed_backup_opens_with_its_password(w: &Window, root: &str) {
    let sealed = "Encrypted backup (give its password";
    w.wait_until("the sealed backup", |w| !backup_row(w, sealed).is_empty());
    assert_eq!(backup_row(w, sealed)[3], "1", "its one point is listed");
    w.script(&format!(
        "for (const tr of document.querySelectorAll('.data-table tbody tr')) {{ if (tr.textContent.includes({})) {{ tr.dispatchEvent(new MouseEvent('dblclick', {{bubbles: true}})); return true; }} }} return false",
        serde_json::to_string(sealed).expect("json")
    ));
    // The wizard opens at Machine with the backup chosen.
    w.click_on("#wiz-next");
    let typed = w.wait_for("#restore-password");
    w.wait_until("its point, kind and size unknown yet", |w| {
        w.texts("#restore-points tbody td")
            .iter()
            .filter(|t| *t == "—")
            .count()
            == 2
    });
    w.type_into(&typed, "not the password");
    w.click_on("#wiz-next");
    w.wait_until("a wrong password refused", |w| {
        w.texts(".wiz-error")
            .join(" ")
            .to_lowercase()
            .contains("password")
    });
    w.screenshot("restore-sealed-password");
    let typed = w.wait_for("#restore-password");
    w.clear(&typed);
    w.type_into(&typed, "sealed pass 7");
    for _ in 0..6 {
        if w.texts("#browser-path").join("") == root {
            break;
        }
        if !w.find_all("#wiz-next").is_empty() {
            w.click_on("#wiz-next");
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    w.wait_until("the sealed point in the browser", |w| {
        w.texts("#browser-path").join("") == root
    });
    w.click_on("#browser-close");
}

#[test]
fn a_fresh_console_offers_its_first_step_rescans_a_repository_and_restores_an_imported_backup() {
    let tmp = tempfile::tempdir().expect("tmp");
    let t = tmp.path();
    let (src, repo) = (t.join("src"), t.join("repo"));
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("notes.md"), "# Notes\nkept safe\n").expect("write");
    std::fs::write(src.join("plan.txt"), "the plan\n".repeat(300)).expect("write");
    let old = Cairn::new(&t.join("old"));
    old.ok(&["repo", "add", "local", "R", "--path", s(&repo)]);
    old.ok(&[
        "job",
        "create",
        "backup",
        "Papers",
        "--repo",
        "R",
        "--include",
        s(&src),
    ]);
    old.ok(&["job", "run", "Papers"]);
    // An encrypted backup whose password the fresh console does not know.
    old.ok_stdin(
        &[
            "credentials",
            "add-password",
            "lost-window-vault",
            "--password-stdin",
        ],
        "sealed pass 7\n",
    );
    old.ok(&[
        "job",
        "create",
        "backup",
        "Secrets",
        "--repo",
        "R",
        "--include",
        s(&src),
        "--password-name",
        "lost-window-vault",
    ]);
    old.ok(&["job", "run", "Secrets"]);

    let fresh = Cairn::new(&t.join("fresh"));
    let w = Window::open(&["--data-dir", s(&fresh.data)]);
    // First run: nothing protected, and the first step at hand.
    w.click_on("[data-node='jobs']");
    w.wait_for("#first-run-backup");
    w.screenshot("first-run");
    w.click_on("#first-run-backup");
    w.wait_until("the job wizard for this computer", |w| {
        w.texts(".wizard-title")
            .join("")
            .contains("New Agent Backup Job")
    });
    w.click_on("#wiz-cancel");
    w.wait_for(".confirm-bar");
    w.click_on("#wiz-cancel");
    w.wait_until("the wizard closed", |w| w.find_all(".wizard").is_empty());
    w.click_on("[data-node='backups']");
    w.wait_until("the first-run hint", |w| {
        w.texts(".empty")
            .join(" ")
            .contains("add a repository that already holds backups")
    });

    // The repository is added (it rescans), then another console adds a
    // restore point; Rescan on the repository row brings it in.
    fresh.ok(&["repo", "add", "local", "Found", "--path", s(&repo)]);
    std::fs::write(src.join("plan.txt"), "the second plan\n".repeat(300)).expect("write");
    old.ok(&["job", "run", "Papers"]);
    w.click_on("[data-view='infrastructure']");
    w.click_on("[data-node='repositories']");
    w.wait_until("the added repository", |w| {
        cells(w).contains(&"Found".to_string())
    });
    w.click_row("Found");
    w.click_on("#ribbon-rescan");
    close_session(&w, "Rescan of repository Found");
    w.right_click(".data-table tbody tr", Some("Found"));
    w.wait_for("#context-rescan-repository");
    w.screenshot("repository-context-menu");
    w.click_on("#context-rescan-repository");
    close_session(&w, "Rescan of repository Found");

    w.click_on("[data-view='home']");
    w.click_on("[data-node='backups']");
    w.wait_until("the imported backup", |w| {
        !backup_row(w, "Papers (").is_empty()
    });
    let row = backup_row(&w, "Papers (");
    assert_eq!(row[1], "Imported", "{row:?}");
    assert_eq!(row[3], "2", "both restore points after the rescan: {row:?}");
    w.screenshot("backups-imported");

    // It restores like any other: a lost file comes back.
    std::fs::remove_file(src.join("notes.md")).expect("rm");
    w.script(
        "for (const tr of document.querySelectorAll('.data-table tbody tr')) { if (tr.textContent.includes('Papers (')) { tr.dispatchEvent(new MouseEvent('dblclick', {bubbles: true})); return true; } } return false",
    );
    let root = s(&src).to_string();
    for _ in 0..6 {
        if w.texts("#browser-path").join("") == root {
            break;
        }
        if !w.find_all("#wiz-next").is_empty() {
            w.click_on("#wiz-next");
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    w.wait_until("the browser", |w| w.texts("#browser-path").join("") == root);
    w.click_on("#browser-compare");
    w.click_on("#browser-restore-changed");
    w.wait_until("restored", |w| {
        w.texts("#browser-result")
            .join("")
            .contains("Restore finished")
    });
    assert_eq!(
        std::fs::read_to_string(src.join("notes.md")).expect("restored"),
        "# Notes\nkept safe\n"
    );
    w.click_on("#browser-close");
    a_sealed_backup_opens_with_its_password(&w, &root);

    // History → Show Log opens the selected session's log.
    w.click_on("[data-view='history']");
    w.click_on("[data-node='history']");
    w.wait_until("the rescan session", |w| {
        cells(w).contains(&"Rescan of repository Found".to_string())
    });
    w.click_row("Rescan of repository Found");
    w.click_on("#ribbon-show-log");
    w.wait_until("its log", |w| {
        w.texts("#session-log .log-text")
            .join(" ")
            .contains("Found: 2 backup(s), 3 restore point(s)")
    });
    w.screenshot("history-show-log");
    w.click_on("#session-close");

    // ☰ → Configuration Backup → Back up now.
    w.click_on("#app-menu");
    w.click_on("#menu-configuration-backup");
    w.wait_for("#config-backup-now");
    w.click_on("#config-backup-now");
    w.wait_until("backed up", |w| {
        w.texts("#config-message")
            .join("")
            .contains("Configuration backed up to Default Backup Repository")
    });
    w.screenshot("configuration-backup");
    w.click_on("#config-close");
    w.wait_until("no running sessions", |w| {
        w.texts("#status-running").join("") == "No running sessions"
    });
    let listed = fresh.ok(&["--json", "backups", "list"]).json();
    assert!(
        listed
            .as_array()
            .expect("list")
            .iter()
            .any(|b| b["platform"] == "Cairn configuration"),
        "{listed}"
    );
}
