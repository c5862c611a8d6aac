//! External repositories and backup copy in the real window: Connect to
//! Repository ▾ S3 compatible step by step (the encrypted backups' password
//! refused when wrong, at its step), right-click the repository → Rescan
//! and the root node → Rescan (sessions under History → System), the
//! backups under Home → Backups → External Repository, a New Backup Copy
//! Job with Objects → Add → From backups, Start, and the session succeeding;
//! the copy then restores equal to the machine's data.

use cairn_tests::cli::Cairn;
use cairn_tests::services::*;
use cairn_tests::tree::bytes;
use cairn_tests::webdriver::Window;
use cairn_tests::wizard::{next_to, refused, set_value, title};

/// The cells of the first table row containing `text`.
fn row_cells(w: &Window, text: &str) -> Vec<String> {
    let js = format!(
        "for (const tr of document.querySelectorAll('.data-table tbody tr')) {{ if (tr.textContent.includes({})) return Array.from(tr.querySelectorAll('td')).map(t => t.textContent.trim()); }} return []",
        serde_json::to_string(text).expect("json")
    );
    w.script(&js)
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn add_password(w: &Window, name: &str, pw: &str) {
    w.click_on("#ext-password-new");
    set_value(w, "#ext-new-password-name", name);
    set_value(w, "#ext-new-password", pw);
    w.click_on("#ext-new-password-ok");
    w.wait_until("the password is chosen", |w| {
        w.script("return document.querySelector('#ext-password').value")
            .as_str()
            == Some(name)
    });
}

#[test]
fn connect_rescan_and_copy_an_external_repository_in_the_window() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let cairn = Cairn {
        bin: cairn_tests::binary("CAIRN_BIN", "cairn"),
        data: data.clone(),
    };
    let appliance = Cairn::new(&tmp.path().join("appliance"));
    let bucket = make_bucket(false);
    let ep = s3_endpoint();
    let web = tmp.path().join("web");
    std::fs::create_dir_all(web.join("srv/www")).expect("mkdir");
    std::fs::write(web.join("srv/www/index.html"), "<h1>web</h1>\n".repeat(500)).expect("write");
    std::fs::write(web.join("srv/data.bin"), bytes(77, 3 << 20)).expect("write");
    let db = tmp.path().join("db");
    std::fs::create_dir_all(&db).expect("mkdir");
    std::fs::write(
        db.join("dump.sql"),
        "insert into t values (1);\n".repeat(5000),
    )
    .expect("write");
    appliance.appliance_s3(&bucket, "web-daily", "i-0web1", &web, &[], "test\n");
    appliance.appliance_s3(
        &bucket,
        "db-hourly",
        "i-0db1",
        &db,
        &["--password-stdin"],
        "test\ndb-secret\n",
    );

    let w = Window::open(&["--data-dir", data.to_str().expect("utf8")]);
    w.click_on("[data-view='infrastructure']");
    w.click_on("[data-node='external-repositories']");
    w.wait_until("the empty list", |w| {
        w.source().contains("No external repositories")
    });
    w.click_on("#ribbon-connect-repository");
    w.click_on("#connect-s3c");
    w.wait_until("the connect wizard", |w| title(w) == "Name");
    assert_eq!(
        w.texts(".wizard-step"),
        vec![
            "Name",
            "Account",
            "Bucket",
            "Encryption",
            "Review",
            "Apply",
            "Summary"
        ]
    );
    refused(&w, "an empty name", "name is empty");
    set_value(&w, "#wiz-name", "Cloud appliance");
    w.screenshot("external-1-name");
    next_to(&w, "Account");
    set_value(&w, "#wiz-access-key", "test");
    set_value(&w, "#wiz-secret", "test");
    set_value(&w, "#wiz-region", "us-east-1");
    set_value(&w, "#wiz-endpoint", &ep);
    w.screenshot("external-2-account");
    next_to(&w, "Bucket");
    w.wait_until("the bucket list", |w| {
        w.texts("#wiz-bucket-list option").contains(&bucket)
    });
    w.choose("#wiz-bucket-list", &bucket);
    // The bucket's root holds no repository: refused at this step.
    refused(
        &w,
        "no repository at the root",
        "holds no backups of a cloud backup appliance",
    );
    set_value(&w, "#wiz-folder", "appliance");
    w.screenshot("external-3-bucket");
    next_to(&w, "Encryption");
    assert!(w
        .source()
        .contains("The backups in this repository are encrypted"));
    refused(&w, "no password chosen", "choose their password");
    add_password(&w, "wrong guess", "not-it");
    refused(&w, "the wrong password", "does not open");
    add_password(&w, "appliance db", "db-secret");
    w.screenshot("external-4-encryption");
    next_to(&w, "Review");
    assert_eq!(w.texts("#review-backups").join(""), "2");
    w.screenshot("external-5-review");
    next_to(&w, "Apply");
    w.wait_until("the apply log", |w| {
        w.texts("#apply-log li")
            .join(" ")
            .contains("Ownership marker written")
    });
    w.screenshot("external-6-apply");
    next_to(&w, "Summary");
    w.screenshot("external-7-summary");
    w.click_on("#wiz-next");
    w.wait_until("the wizard closes", |w| w.find_all(".wizard").is_empty());
    // The first rescan runs after Apply; the row shows what it found.
    w.wait_until("the rescanned row", |w| {
        w.click_on("#refresh");
        let cells = row_cells(w, "Cloud appliance");
        cells.get(4).map(String::as_str) == Some("This console")
            && cells.get(6).map(String::as_str) == Some("2")
    });
    w.screenshot("external-8-list");

    // Right-click the repository → Rescan: a session with its log.
    w.right_click(".data-table tbody tr", Some("Cloud appliance"));
    w.click_on("#context-rescan");
    let log = w.session_succeeds("external-9-rescan-session");
    assert!(log.contains("2 backup(s)"), "{log}");
    // Right-click the root node → Rescan rescans all of them.
    w.right_click("[data-node='external-repositories']", None);
    w.click_on("#context-rescan-all");
    let log = w.session_succeeds("external-10-rescan-all");
    assert!(log.contains("Rescanning 1 external repository"), "{log}");

    // Home → Backups → External Repository lists both machines.
    w.click_on("[data-view='home']");
    w.click_on("[data-twisty='backups']");
    w.click_on("[data-node='backups-external']");
    w.wait_until("the external backups", |w| {
        let rows = w.texts(".data-table tbody tr").join("\n");
        rows.contains("web-daily (i-0web1)") && rows.contains("db-hourly (i-0db1)")
    });
    assert!(w.texts(".data-table tbody tr").join(" ").contains("EC2"));
    // Expanding a backup shows its restore points.
    w.script("for (const tr of document.querySelectorAll('.data-table tbody tr')) { if (tr.textContent.includes('i-0web1')) { tr.querySelector('.row-twisty').click(); return true; } } return false");
    w.wait_until("the restore points", |w| {
        w.texts(".sub-row").join(" ").contains("Full")
    });
    w.screenshot("external-11-backups");

    // Home → Backup Copy ▾ External Repository → Backup Copy.
    w.click_on("#ribbon-backup-copy");
    w.click_on("#backup-copy-external");
    w.wait_until("the copy wizard", |w| title(w) == "Job");
    assert_eq!(
        w.texts(".wizard-step"),
        vec!["Job", "Objects", "Target", "Schedule", "Summary"]
    );
    set_value(&w, "#job-name", "Copy web");
    w.screenshot("copy-1-job");
    next_to(&w, "Objects");
    refused(&w, "nothing to copy", "copies nothing");
    w.wait_for("#copy-backups-tree");
    w.click_on(".copy-pick[data-machine='i-0web1']");
    w.wait_until("the object is listed", |w| {
        w.texts("#copy-objects li")
            .join(" ")
            .contains("web-daily / i-0web1 (EC2)")
    });
    w.screenshot("copy-2-objects");
    w.click_on("#copy-pick-done");
    next_to(&w, "Target");
    w.wait_until("the target list", |w| {
        !w.texts("#job-repository option").is_empty()
    });
    w.screenshot("copy-3-target");
    next_to(&w, "Schedule");
    w.screenshot("copy-4-schedule");
    next_to(&w, "Summary");
    assert!(w.texts("#job-summary-objects").join("").contains("i-0web1"));
    w.screenshot("copy-5-summary");
    w.click_on("#wiz-next");
    w.wait_until("the wizard closes", |w| w.find_all(".wizard").is_empty());

    // Start it from the Jobs list: the session succeeds.
    w.click_on("[data-node='jobs']");
    w.wait_until("the copy job row", |w| {
        w.texts(".data-table tbody tr")
            .join(" ")
            .contains("Copy web")
    });
    w.click_row("Copy web");
    w.click_on("#ribbon-job-start");
    let log = w.session_succeeds("copy-6-session");
    assert!(log.contains("copied"), "{log}");

    // History → System holds the rescans.
    w.click_on("[data-view='history']");
    w.click_on("[data-twisty='history']");
    w.click_on("[data-node='history-system']");
    w.wait_until("the rescan sessions", |w| {
        w.texts(".data-table tbody tr")
            .join(" ")
            .contains("Rescan of external repository Cloud appliance")
    });
    w.screenshot("external-12-history-system");
    drop(w);

    // The copy restores equal to the machine's data.
    cairn.assert_restores("Copy web", &web, &tmp.path().join("restored"));
}
