//! The real console window under Xvfb, driven through tauri-driver: views,
//! trees, lists filled from the catalog, theme and last view remembered.

use cairn_tests::cli::Cairn;
use cairn_tests::webdriver::Window;

fn headers(w: &Window) -> Vec<String> {
    w.texts(".data-table th")
        .into_iter()
        .map(|t| t.trim_end_matches(['▲', '▼', ' ']).to_string())
        .collect()
}

fn select(w: &Window, node: &str, title: &str, columns: &[&str]) {
    let el = w.wait_for(&format!("[data-node='{node}']"));
    w.click(&el);
    w.wait_until(&format!("{node} selected"), |w| {
        w.texts("#work-title").first().map(String::as_str) == Some(title) && headers(w) == columns
    });
}

fn expand(w: &Window, node: &str) {
    let t = w.wait_for(&format!("[data-twisty='{node}']"));
    w.click(&t);
}

fn cells(w: &Window) -> Vec<String> {
    w.texts(".data-table td")
}

fn empty_text(w: &Window) -> String {
    w.texts(".empty").join(" ")
}

const JOBS: &[&str] = &[
    "Name",
    "Type",
    "Objects",
    "Status",
    "Last Result",
    "Last Run",
    "Next Run",
    "Target",
    "Description",
];
const BACKUPS: &[&str] = &[
    "Job / backup name",
    "Origin",
    "Creation time",
    "Restore points",
    "Last point",
    "Repository",
    "Platform",
    "Size",
];
const RUNNING: &[&str] = &["Name", "Type", "Progress", "Start Time", "Details"];
const SESSIONS: &[&str] = &[
    "Name",
    "Type",
    "Result",
    "Start Time",
    "End Time",
    "Duration",
    "Details",
];
const REPOS: &[&str] = &[
    "Name",
    "Type",
    "Path / bucket",
    "Used",
    "Free",
    "Immutability",
    "Description",
];
const EXTERNAL: &[&str] = &[
    "Name",
    "Type",
    "Bucket / container",
    "Folder",
    "Owner",
    "Last rescan",
    "Backups",
    "Restore points",
    "Description",
];

#[test]
fn the_console_shows_every_view_node_and_list_and_remembers_theme_and_view() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cairn = Cairn::new(tmp.path());
    // Something for the lists to show: a job that ran once.
    let src = tmp.path().join("documents");
    std::fs::create_dir_all(&src).expect("mkdir");
    std::fs::write(src.join("report.txt"), b"quarterly numbers").expect("write");
    cairn.ok(&[
        "job",
        "create",
        "backup",
        "Documents",
        "--repo",
        "Default Backup Repository",
        "--include",
        src.to_str().expect("utf8"),
    ]);
    cairn.ok(&["job", "run", "Documents"]);
    let data = cairn.data.to_str().expect("utf8").to_string();

    let w = Window::open(&["--data-dir", &data]);
    // Home, Jobs.
    select(&w, "jobs", "Jobs", JOBS);
    w.wait_until("the job row", |w| {
        cells(w).contains(&"Documents".to_string())
    });
    let c = cells(&w);
    assert!(
        c.contains(&"Success".to_string()),
        "last result shown: {c:?}"
    );
    assert!(
        c.contains(&"Default Backup Repository".to_string()),
        "target shown: {c:?}"
    );
    expand(&w, "jobs");
    select(&w, "jobs-backup", "Backup", JOBS);
    assert!(cells(&w).contains(&"Documents".to_string()));
    select(&w, "jobs-copy", "Backup Copy", JOBS);
    w.wait_until("no copy jobs", |w| empty_text(w).contains("No jobs"));
    w.screenshot("home-jobs");
    // Backups.
    select(&w, "backups", "Backups", BACKUPS);
    w.wait_until("the backup row", |w| {
        cells(w).iter().any(|c| c.starts_with("Documents ("))
    });
    expand(&w, "backups");
    select(&w, "backups-disk", "Disk", BACKUPS);
    w.wait_until("disk backup", |w| {
        cells(w).iter().any(|c| c.starts_with("Documents ("))
    });
    select(&w, "backups-object", "Object Storage", BACKUPS);
    select(&w, "backups-external", "External Repository", BACKUPS);
    w.wait_until("empty external", |w| {
        empty_text(w).contains("No backups in external repositories")
    });
    expand(&w, "backups-disk");
    select(&w, "backups-disk-copy", "Copy", BACKUPS);
    select(&w, "running", "Running", RUNNING);
    w.wait_until("nothing running", |w| {
        empty_text(w).contains("Nothing is running")
    });
    select(&w, "last24", "Last 24 Hours", SESSIONS);
    w.wait_until("the session", |w| {
        cells(w).contains(&"Documents".to_string())
    });
    expand(&w, "last24");
    select(&w, "last24-success", "Success", SESSIONS);
    w.wait_until("the successful session", |w| {
        cells(w).contains(&"Documents".to_string())
    });
    select(&w, "last24-warning", "Warning", SESSIONS);
    select(&w, "last24-failed", "Failed", SESSIONS);
    w.wait_until("no failures", |w| empty_text(w).contains("No sessions"));
    select(&w, "backups", "Backups", BACKUPS);
    w.screenshot("home-backups");

    // Backup Infrastructure.
    let nav = w.wait_for("[data-view='infrastructure']");
    w.click(&nav);
    select(&w, "repositories", "Backup Repositories", REPOS);
    w.wait_until("the default repository", |w| {
        cells(w).contains(&"Default Backup Repository".to_string())
    });
    assert!(cells(&w).contains(&"Local folder".to_string()));
    select(
        &w,
        "external-repositories",
        "External Repositories",
        EXTERNAL,
    );
    w.wait_until("empty external list", |w| {
        empty_text(w).contains("No external repositories")
    });
    select(
        &w,
        "protection-groups",
        "Protection Groups",
        &[
            "Name",
            "Type",
            "Account",
            "Machines",
            "Last rescan",
            "Description",
        ],
    );
    w.wait_until("empty groups", |w| {
        empty_text(w).contains("No protection groups")
    });
    expand(&w, "protection-groups");
    select(
        &w,
        "cloud-machines",
        "Cloud Machines",
        &[
            "Name",
            "Id",
            "Group",
            "Platform",
            "Region",
            "State",
            "Agent",
            "Last seen",
            "Last backup",
        ],
    );
    w.wait_until("no machines", |w| {
        empty_text(w).contains("No cloud machines")
    });
    select(
        &w,
        "service-providers",
        "Service Providers",
        &["Host", "Port", "Resources", "Description"],
    );
    w.wait_until("empty providers", |w| {
        empty_text(w).contains("No service providers")
    });
    select(&w, "repositories", "Backup Repositories", REPOS);
    w.screenshot("infrastructure-repositories");

    // History.
    let nav = w.wait_for("[data-view='history']");
    w.click(&nav);
    select(&w, "history", "Sessions", SESSIONS);
    w.wait_until("the session in history", |w| {
        cells(w).contains(&"Documents".to_string())
    });
    expand(&w, "history");
    for (node, title) in [
        ("history-backup", "Backup"),
        ("history-copy", "Backup Copy"),
        ("history-restore", "Restore"),
        ("history-system", "System"),
    ] {
        select(&w, node, title, SESSIONS);
    }
    select(&w, "history-backup", "Backup", SESSIONS);
    w.wait_until("backup sessions", |w| {
        cells(w).contains(&"Documents".to_string())
    });
    w.screenshot("history");

    // Filter as you type.
    let filter = w.wait_for("input.filter");
    w.type_into(&filter, "zzz-no-match");
    w.wait_until("filter hides rows", |w| {
        empty_text(w).contains("No items match")
    });

    // Dark theme.
    let toggle = w.wait_for("#theme-toggle");
    w.click(&toggle);
    w.wait_until("dark theme", |w| {
        w.script("return document.documentElement.dataset.theme") == "dark"
    });
    w.screenshot("history-dark");
    drop(w);

    // Theme and last view are remembered.
    let w = Window::open(&["--data-dir", &data]);
    w.wait_until("History restored", |w| {
        w.texts("#work-title").first().map(String::as_str) == Some("Sessions")
    });
    assert_eq!(
        w.script("return document.documentElement.dataset.theme"),
        "dark"
    );
    let active = w.texts(".nav-button.active");
    assert_eq!(active, vec!["History".to_string()]);
}

#[test]
fn a_fresh_data_folder_gets_the_default_repository_in_the_catalog_and_on_disk() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("fresh");
    let w = Window::open(&["--data-dir", data.to_str().expect("utf8")]);
    let nav = w.wait_for("[data-view='infrastructure']");
    w.click(&nav);
    select(&w, "repositories", "Backup Repositories", REPOS);
    w.wait_until("the default repository listed", |w| {
        cells(w).contains(&"Default Backup Repository".to_string())
    });
    drop(w);
    let db = rusqlite::Connection::open(Window::catalog(&data)).expect("open catalog");
    let (name, location): (String, String) = db
        .query_row(
            "SELECT name, location FROM repositories WHERE is_default = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("default repository row");
    assert_eq!(name, "Default Backup Repository");
    let repo = std::path::Path::new(&location);
    assert!(
        repo.starts_with(&data),
        "{location} is inside the data folder"
    );
    let config: serde_json::Value = serde_json::from_slice(
        &std::fs::read(repo.join("config")).expect("repository config on disk"),
    )
    .expect("json");
    assert_eq!(config["format"], "cairn-repository");
    assert!(
        repo.join("keys").read_dir().expect("keys").next().is_some(),
        "a key set exists"
    );
    let console_id: String = db
        .query_row(
            "SELECT value FROM settings WHERE key = 'console_id'",
            [],
            |r| r.get(0),
        )
        .expect("the console has an id");
    let owner: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo.join("owner")).expect("ownership marker"))
            .expect("json");
    assert_eq!(
        owner["console"],
        console_id.as_str(),
        "this console owns its default repository"
    );
}

/// True while `pid` runs (a process that has ended but is not yet reaped
/// by its parent, tauri-driver, counts as ended).
fn running(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next());
    matches!(state, Some(s) if s != 'Z' && s != 'X')
}

#[test]
fn exit_from_the_menu_quits_and_removes_the_decrypted_copies_open_extracted() {
    let tmp = tempfile::tempdir().expect("tmp");
    let data = tmp.path().join("data");
    let w = Window::open(&["--data-dir", data.to_str().expect("utf8")]);
    let pid = Window::console_pid(&data);
    // What Open leaves while the window runs: a decrypted copy in the
    // process's own folder.
    let mine = data.join("cache/open").join(pid.to_string());
    std::fs::create_dir_all(mine.join("home")).expect("mkdir");
    std::fs::write(mine.join("home/salary.ods"), b"decrypted").expect("write");
    w.click_on("#app-menu");
    w.wait_for("#menu-exit");
    w.screenshot("app-menu-exit");
    // Clicked a moment after this request returns: the console's exit
    // ends the WebDriver session with it.
    w.script("setTimeout(() => document.getElementById('menu-exit').click(), 200); return true");
    let start = std::time::Instant::now();
    while running(pid) && start.elapsed() < std::time::Duration::from_secs(30) {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(!running(pid), "Exit quits the console");
    assert!(!mine.exists(), "the decrypted copies outlived the console");
    drop(w);
}
