//! Answers the console's native (GTK) dialogs on the test display with
//! xdotool, as a user's keyboard would: WebDriver reaches only the webview,
//! and that is the point of those dialogs.

use std::process::Command;
use std::time::{Duration, Instant};

fn xdotool(args: &[&str]) -> (bool, String) {
    let out = Command::new("xdotool")
        .args(args)
        .output()
        .expect("run xdotool (the test set-up installs it)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

/// The X window ids of visible windows titled exactly `title`.
fn windows(title: &str) -> Vec<String> {
    let pattern = format!("^{}$", regex_escape(title));
    let (_, ids) = xdotool(&["search", "--onlyvisible", "--name", &pattern]);
    ids.lines().map(str::to_string).collect()
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

/// Waits for the dialog titled `title`, answers it with `keys` (xdotool
/// key names, e.g. `Escape`, or `Tab Return`), and waits until it is gone.
/// Panics when it never appears (a guard against hanging).
pub fn answer(title: &str, keys: &[&str]) {
    let start = Instant::now();
    let id = loop {
        if let Some(id) = windows(title).into_iter().next() {
            break id;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the native dialog {title:?} did not appear"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    // Let GTK finish mapping it, then give it the keyboard.
    std::thread::sleep(Duration::from_millis(500));
    let mut args = vec![
        "windowfocus",
        "--sync",
        id.as_str(),
        "key",
        "--delay",
        "150",
    ];
    args.extend_from_slice(keys);
    let (ok, _) = xdotool(&args);
    assert!(ok, "xdotool could not answer {title:?}");
    while !windows(title).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the native dialog {title:?} stayed open after {keys:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
