//! The Guest files restore wizard and the Backup Browser in the real window:
//! the wizard step by step (with its one validation), browsing two levels
//! deep, search with a mask, Copy to a typed folder (confirmed in a native
//! dialog, refused when cancelled), Compare with production
//! after changing files, Restore changed only, and the bytes on disk.

use cairn_tests::cli::Cairn;
use cairn_tests::tree::bytes;
use cairn_tests::webdriver::Window;
use std::path::Path;

const REASON: &str = "Ticket 4711: notes overwritten by mistake";

fn title(w: &Window) -> String {
    w.texts(".wizard-step.active").join("")
}

fn next_to(w: &Window, step: &str) {
    w.click_on("#wiz-next");
    w.wait_until(&format!("step {step}"), |w| title(w) == step);
}

fn rows(w: &Window) -> Vec<String> {
    w.script("return Array.from(document.querySelectorAll('.brow')).map(r => r.dataset.name)")
        .as_array()
        .expect("rows")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect()
}

fn state_of(w: &Window, name: &str) -> String {
    w.script(&format!(
        "const r = document.querySelector('.brow[data-name={}] .c-state'); return r ? r.textContent : ''",
        serde_json::to_string(name).expect("json")
    ))
    .as_str()
    .unwrap_or_default()
    .to_string()
}

fn open_row(w: &Window, name: &str) {
    let js = format!(
        "document.querySelector('.brow[data-name={}]').dispatchEvent(new MouseEvent('dblclick', {{bubbles: true}})); return true",
        serde_json::to_string(name).expect("json")
    );
    w.script(&js);
}

fn click_row(w: &Window, name: &str) {
    w.click_on(&format!(".brow[data-name='{name}']"));
}

fn path_bar(w: &Window) -> String {
    w.texts("#browser-path").join("")
}

fn result(w: &Window) -> String {
    w.texts("#browser-result").join("")
}

fn make_source(src: &Path) {
    std::fs::create_dir_all(src.join("docs/deep")).expect("mkdir");
    std::fs::write(src.join("docs/a.txt"), "alpha\n".repeat(50)).expect("write");
    std::fs::write(src.join("docs/deep/b.txt"), "bravo\n".repeat(50)).expect("write");
    std::fs::write(src.join("notes.md"), "# Notes\noriginal\n").expect("write");
    std::fs::write(src.join("big.bin"), bytes(5, 3 << 20)).expect("write");
}

#[test]
fn restoring_guest_files_through_the_wizard_and_the_backup_browser() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let src = tmp.path().join("src");
    let pristine = tmp.path().join("pristine");
    make_source(&src);
    make_source(&pristine);
    let cairn = Cairn {
        bin: cairn_tests::binary("CAIRN_BIN", "cairn"),
        data: data.clone(),
    };
    cairn.ok(&[
        "job",
        "create",
        "backup",
        "Files",
        "--repo",
        "Default Backup Repository",
        "--include",
        src.to_str().expect("utf8"),
    ]);
    cairn.ok(&["job", "run", "Files"]);
    // A second restore point in which one file differs.
    for root in [&src, &pristine] {
        std::fs::write(root.join("docs/deep/b.txt"), "bravo, second edition\n").expect("write");
    }
    cairn.ok(&["job", "run", "Files"]);

    let w = Window::open(&["--data-dir", data.to_str().expect("utf8")]);
    w.click_on("[data-view='home']");
    w.click_on("[data-node='backups']");
    w.click_on("#ribbon-restore");
    w.click_on("#restore-guest-files");
    w.wait_until("the restore wizard", |w| title(w) == "Machine");
    // Machine: nothing chosen is refused.
    w.click_on("#wiz-next");
    w.wait_until("no machine refused", |w| {
        w.texts(".wiz-error")
            .join(" ")
            .contains("Choose the machine")
    });
    w.screenshot("restore-1-machine-error");
    w.click_on("#restore-machines tbody td");
    w.screenshot("restore-1-machine");
    next_to(&w, "Restore Point");
    w.wait_until("the restore points", |w| {
        !w.find_all("#restore-points tr.selected").is_empty()
    });
    w.screenshot("restore-2-point");
    next_to(&w, "Reason");
    let r = w.wait_for("#restore-reason");
    w.type_into(&r, REASON);
    w.screenshot("restore-3-reason");
    next_to(&w, "Summary");
    assert!(
        w.texts("#restore-summary dd").contains(&REASON.to_string()),
        "{:?}",
        w.texts("#restore-summary dd")
    );
    w.screenshot("restore-4-summary");
    w.click_on("#wiz-next");

    // The browser opens at the backed-up folder.
    let root = src.to_str().expect("utf8").to_string();
    w.wait_until("the browser at the source folder", |w| {
        path_bar(w) == root && rows(w).len() == 3
    });
    assert_eq!(rows(&w), vec!["docs", "big.bin", "notes.md"]);
    // Two levels deep.
    open_row(&w, "docs");
    w.wait_until("docs", |w| rows(w) == vec!["deep", "a.txt"]);
    open_row(&w, "deep");
    w.wait_until("deep", |w| rows(w) == vec!["b.txt"]);
    assert_eq!(path_bar(&w), format!("{root}/docs/deep"));
    assert!(
        !w.find_all(&format!("[data-tree='{root}/docs/deep'].selected"))
            .is_empty(),
        "the tree follows the path"
    );
    w.screenshot("browser-1-two-levels-deep");

    // Search with a mask across the whole restore point.
    let s = w.wait_for("#browser-search");
    w.type_into(&s, "*.TXT\u{E007}");
    w.wait_until("search results", |w| rows(w).len() == 2);
    let paths: Vec<String> = w
        .script("return Array.from(document.querySelectorAll('.brow')).map(r => r.dataset.path)")
        .as_array()
        .expect("paths")
        .iter()
        .map(|v| v.as_str().unwrap_or_default().to_string())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        vec![
            format!("{root}/docs/a.txt"),
            format!("{root}/docs/deep/b.txt")
        ]
    );
    w.screenshot("browser-2-search");

    // Copy to a folder: the selected search result, with its full path.
    // A typed folder (not one picked with Browse…) is confirmed in a native
    // dialog the webview cannot answer; Cancel restores nothing.
    click_row(&w, "a.txt");
    let copy = tmp.path().join("copy");
    let copy_to = |screenshot: Option<&str>| {
        w.click_on("#browser-copy-to");
        let f = w.wait_for("#copy-to-folder");
        w.type_into(&f, copy.to_str().expect("utf8"));
        if let Some(name) = screenshot {
            w.screenshot(name);
        }
        w.click_on("#copy-ok");
    };
    copy_to(Some("browser-3-copy-to"));
    cairn_tests::native_dialog::answer("Cairn: confirm Copy to", &["Escape"]);
    w.wait_until("the refusal shown", |w| {
        w.texts(".browser-error")
            .join("")
            .contains("was not confirmed")
    });
    assert!(!copy.exists(), "nothing restored without the confirmation");
    copy_to(None);
    cairn_tests::native_dialog::answer("Cairn: confirm Copy to", &["Return"]);
    w.wait_until("the copy finished", |w| {
        result(w).contains("1 file(s) restored")
    });
    let copied = copy.join("a.txt");
    assert_eq!(
        std::fs::read(&copied).expect("copied file"),
        std::fs::read(pristine.join("docs/a.txt")).expect("original")
    );

    // Back to the source folder; change the production files.
    w.click_on("#browser-back");
    w.wait_until("back at deep", |w| {
        path_bar(w) == format!("{root}/docs/deep")
    });
    w.click_on("#browser-up");
    w.click_on("#browser-up");
    w.wait_until("at the source folder", |w| path_bar(w) == root);
    std::fs::write(src.join("notes.md"), "# Notes\nOOPS, overwritten\n").expect("write");
    std::fs::remove_file(src.join("big.bin")).expect("rm");
    std::fs::write(src.join("extra.txt"), "made after the backup").expect("write");
    w.click_on("#browser-compare");
    w.wait_until("compared", |w| state_of(w, "notes.md") == "Changed");
    assert_eq!(state_of(&w, "big.bin"), "Deleted");
    assert_eq!(state_of(&w, "extra.txt"), "New");
    assert_eq!(state_of(&w, "docs"), "Unchanged");
    w.screenshot("browser-4-compare");
    w.click_on("#browser-changes-only");
    w.wait_until("changes only", |w| {
        let mut r = rows(w);
        r.sort();
        r == vec!["big.bin", "extra.txt", "notes.md"]
    });
    w.screenshot("browser-5-changes-only");

    // Restore changed only: the changed and deleted files come back, the
    // unchanged ones are skipped, the new file stays.
    w.click_on("#browser-restore-changed");
    w.wait_until("restored", |w| result(w).contains("Restore finished"));
    w.screenshot("browser-6-restored");
    assert!(result(&w).contains("2 file(s) restored"), "{}", result(&w));
    for f in ["notes.md", "big.bin", "docs/a.txt", "docs/deep/b.txt"] {
        assert_eq!(
            std::fs::read(src.join(f)).expect("restored"),
            std::fs::read(pristine.join(f)).expect("original"),
            "{f}"
        );
    }
    assert!(src.join("extra.txt").exists(), "the new file stays");
    // The comparison refreshes: only the new file is still a change.
    w.wait_until("compare refreshed", |w| rows(w) == vec!["extra.txt"]);
    w.click_on("#browser-changes-only");
    w.click_on("#browser-compare");

    // Versions of the file that changed: restore the older one beside it.
    open_row(&w, "docs");
    w.wait_until("docs", |w| rows(w) == vec!["deep", "a.txt"]);
    open_row(&w, "deep");
    w.wait_until("deep", |w| rows(w) == vec!["b.txt"]);
    click_row(&w, "b.txt");
    w.click_on("#browser-versions");
    w.wait_until("two versions", |w| {
        w.find_all("#versions-table tbody tr").len() == 2
    });
    w.screenshot("browser-7-versions");
    // Oldest first: the first row is the first edition.
    w.script("document.querySelector('.restore-version').click(); return true");
    w.wait_until("version restored", |w| {
        result(w).contains("Version restored")
    });
    let restored_old = std::fs::read_dir(src.join("docs/deep"))
        .expect("dir")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("b.txt_RESTORED_")
        })
        .any(|e| std::fs::read(e.path()).expect("read") == "bravo\n".repeat(50).as_bytes());
    assert!(restored_old, "the first edition came back beside the file");
    assert_eq!(
        std::fs::read(src.join("docs/deep/b.txt")).expect("read"),
        b"bravo, second edition\n",
        "Keep leaves the current file alone"
    );

    // Compare restore points: the one change between the two points.
    w.click_on("#browser-compare-points");
    w.wait_until("the other point", |w| {
        w.find_all("#compare-other option").len() == 1
    });
    w.click_on("#compare-run");
    w.wait_until("the differences", |w| {
        !w.find_all("#compare-table tbody tr").is_empty()
    });
    let cells = w.texts("#compare-table td");
    assert_eq!(
        cells[..2].to_vec(),
        vec!["changed".to_string(), format!("{root}/docs/deep/b.txt")],
        "{cells:?}"
    );
    w.screenshot("browser-8-compare-points");
    w.click_on("#compare-close");
    w.click_on("#browser-close");
    w.wait_until("the browser closed", |w| w.find_all(".browser").is_empty());
    drop(w);

    // The restores are sessions with the reason in their log.
    let db = rusqlite::Connection::open(data.join("cairn.sqlite")).expect("db");
    let n: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM session_log WHERE message = ?1",
            [format!("Reason: {REASON}")],
            |r| r.get(0),
        )
        .expect("count");
    assert!(n >= 3, "every restore logged the reason ({n})");
}
