//! Commands that reached the machine by Systems Manager / Run Command
//! instead of the queue: the console's script drops the sealed message in
//! the agent's inbox folder (`<state>/inbox/*.msg`) and (re)starts the
//! agent, which handles it exactly as if the queue had delivered it (same
//! checks, same once-only handling), then deletes the file. A file taken
//! is renamed `*.taken` first, so the next look does not take it again
//! while its command runs.

use cairn_cloud::Delivery;
use std::path::{Path, PathBuf};

/// The receipt prefix that marks a delivery from the inbox.
const RECEIPT: &str = "inbox:";
/// The largest message file read (queue messages are under 64 KiB).
const MAX_MESSAGE: u64 = 256 * 1024;
/// Files handled per look.
const MAX_FILES: usize = 32;

/// The inbox folder of a state folder.
pub fn folder(state: &Path) -> PathBuf {
    state.join("inbox")
}

/// The messages waiting in the inbox, as deliveries; unreadable or
/// oversized files are removed with a note.
pub fn take(state: &Path, note: &dyn Fn(&str)) -> Vec<Delivery> {
    let Ok(entries) = std::fs::read_dir(folder(state)) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "msg"))
        .collect();
    paths.sort();
    paths.truncate(MAX_FILES);
    let mut out = Vec::new();
    for p in paths {
        let small = std::fs::metadata(&p).is_ok_and(|m| m.is_file() && m.len() <= MAX_MESSAGE);
        let taken = p.with_extension("taken");
        match std::fs::read_to_string(&p) {
            Ok(body) if small && std::fs::rename(&p, &taken).is_ok() => out.push(Delivery {
                receipt: format!("{RECEIPT}{}", taken.display()),
                body: body.trim().to_string(),
                receive_count: 1,
            }),
            _ => {
                note(&format!(
                    "removed {}: not a readable message under 256 KiB",
                    p.display()
                ));
                let _ = std::fs::remove_file(&p);
            }
        }
    }
    out
}

/// The inbox file of a delivery that came from the inbox.
pub fn file_of(receipt: &str) -> Option<&Path> {
    receipt.strip_prefix(RECEIPT).map(Path::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbox_messages_become_deliveries_and_junk_is_removed() {
        let d = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(folder(d.path())).expect("mkdir");
        std::fs::write(folder(d.path()).join("a.msg"), "sealed\n").expect("write");
        std::fs::write(folder(d.path()).join("b.tmp"), "half written").expect("write");
        let big = vec![b'x'; 300 * 1024];
        std::fs::write(folder(d.path()).join("c.msg"), big).expect("write");
        let notes = std::cell::RefCell::new(Vec::new());
        let got = take(d.path(), &|n| notes.borrow_mut().push(n.to_string()));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].body, "sealed");
        let file = file_of(&got[0].receipt).expect("an inbox receipt");
        assert!(file.ends_with("a.taken") && file.exists());
        assert!(
            take(d.path(), &|_| {}).is_empty(),
            "a taken message is not taken again"
        );
        assert!(file_of("sqs-receipt").is_none());
        assert_eq!(notes.borrow().len(), 1, "the oversized one");
        assert!(!folder(d.path()).join("c.msg").exists());
        assert!(folder(d.path()).join("b.tmp").exists(), "not a message yet");
    }
}
