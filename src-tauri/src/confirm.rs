//! What a request from the webview cannot do on its own say-so: make a job
//! run a program (its pre- and post-job scripts), restore files into a
//! folder of its choosing, or make a folder of its choosing a repository
//! that Cairn writes into. Either the user picked the folder in the native
//! folder dialog, or the shell asks in a native dialog, which no script
//! running inside the webview can see or answer.

use cairn_model::{ApiError, ErrorKind, GuestProcessing, RepositoryTarget};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use tauri::AppHandle;
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

/// Folders the user picked in the native folder dialog while this window
/// was open; restoring into them (or below them) needs no second question.
#[derive(Default, Clone)]
pub struct PickedFolders(Arc<Mutex<HashSet<PathBuf>>>);

impl PickedFolders {
    /// Remembers a folder the native dialog answered.
    pub fn add(&self, folder: &Path) {
        if let Ok(mut set) = self.0.lock() {
            set.insert(folder.to_path_buf());
        }
    }

    /// True when `folder` is a picked folder or lies below one, judged on
    /// a plain absolute path only (no `..`, which could climb out).
    fn covers(&self, folder: &Path) -> bool {
        let plain = folder.is_absolute()
            && folder
                .components()
                .all(|c| matches!(c, Component::RootDir | Component::Normal(_)));
        plain
            && self
                .0
                .lock()
                .map(|set| set.iter().any(|p| folder.starts_with(p)))
                .unwrap_or(false)
    }
}

/// Asks in a native dialog; true only when the user chose `yes`.
fn ask(app: &AppHandle, title: &str, text: String, yes: &str) -> bool {
    app.dialog()
        .message(text)
        .title(title)
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            yes.to_string(),
            "Cancel".to_string(),
        ))
        .blocking_show()
}

fn not_confirmed(what: String) -> ApiError {
    ApiError::new(ErrorKind::Cancelled, what)
}

/// A Copy to folder the user did not pick in the folder dialog is
/// confirmed in a native dialog. Blocks its thread until answered.
pub fn copy_to(app: &AppHandle, picked: &PickedFolders, folder: &str) -> Result<(), ApiError> {
    if picked.covers(Path::new(folder)) {
        return Ok(());
    }
    let text = format!(
        "Restore the selected items into this folder, replacing files of the same name there?\n\n{folder}\n\nThe folder was typed, not chosen with Browse…; confirm only a folder you meant."
    );
    if ask(app, "Cairn: confirm Copy to", text, "Restore here") {
        Ok(())
    } else {
        Err(not_confirmed(format!(
            "the restore into {folder} was not confirmed; nothing was restored"
        )))
    }
}

/// A local repository folder the user did not pick in the folder dialog
/// is confirmed in a native dialog (object storage needs its keys, which
/// the webview cannot make up). Blocks its thread until answered.
pub fn repository_folder(
    app: &AppHandle,
    picked: &PickedFolders,
    target: &RepositoryTarget,
) -> Result<(), ApiError> {
    let RepositoryTarget::Local { path } = target else {
        return Ok(());
    };
    if picked.covers(Path::new(path)) {
        return Ok(());
    }
    let text = format!(
        "Keep backups in this folder? Cairn creates it if needed and writes the repository's files there.\n\n{path}\n\nThe folder was typed, not chosen with Browse…; confirm only a folder you meant."
    );
    if ask(
        app,
        "Cairn: confirm repository folder",
        text,
        "Use this folder",
    ) {
        Ok(())
    } else {
        Err(not_confirmed(format!(
            "the folder {path} was not confirmed; the repository was not added"
        )))
    }
}

/// Scripts a saved job would run that it did not run before.
pub fn new_scripts<'a>(
    before: Option<&GuestProcessing>,
    after: &'a GuestProcessing,
) -> Vec<(&'static str, &'a str)> {
    let old = |pick: fn(&GuestProcessing) -> &String| before.map(|b| pick(b).trim());
    [
        ("before", after.pre_script.trim(), old(|g| &g.pre_script)),
        ("after", after.post_script.trim(), old(|g| &g.post_script)),
    ]
    .into_iter()
    .filter(|(_, new, old)| !new.is_empty() && Some(*new) != *old)
    .map(|(when, new, _)| (when, new))
    .collect()
}

/// Every script new to the job is confirmed in a native dialog before the
/// job is saved. Blocks its thread until answered.
pub fn scripts(app: &AppHandle, job: &str, scripts: &[(&str, &str)]) -> Result<(), ApiError> {
    for (when, path) in scripts {
        let text = format!(
            "Job {job} will run this program {when} every backup, as you:\n\n{path}\n\nConfirm only a script you chose yourself."
        );
        if !ask(app, "Cairn: confirm job script", text, "Run this script") {
            return Err(not_confirmed(format!(
                "the script {path} was not confirmed; the job was not saved"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guest(pre: &str, post: &str) -> GuestProcessing {
        GuestProcessing {
            pre_script: pre.into(),
            post_script: post.into(),
        }
    }

    #[test]
    fn only_scripts_new_to_the_job_are_asked_about() {
        let stored = guest("/opt/freeze.sh", "");
        assert!(new_scripts(Some(&stored), &stored).is_empty());
        assert!(new_scripts(None, &guest("", " ")).is_empty());
        assert_eq!(
            new_scripts(Some(&stored), &guest("/opt/freeze.sh", "/bin/sh")),
            vec![("after", "/bin/sh")]
        );
        assert_eq!(
            new_scripts(None, &guest("/opt/freeze.sh", "")),
            vec![("before", "/opt/freeze.sh")]
        );
    }

    #[test]
    fn a_picked_folder_covers_its_subfolders_but_not_a_climb_out() {
        let picked = PickedFolders::default();
        picked.add(Path::new("/home/alice/restored"));
        assert!(picked.covers(Path::new("/home/alice/restored")));
        assert!(picked.covers(Path::new("/home/alice/restored/more")));
        assert!(!picked.covers(Path::new("/home/alice/restored/../.ssh")));
        assert!(!picked.covers(Path::new("/home/alice")));
        assert!(!picked.covers(Path::new("restored")));
    }
}
