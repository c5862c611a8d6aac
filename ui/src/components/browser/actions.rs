//! What the browser's buttons do in the backend: restore (overwrite,
//! keep, copy to, changed only, one version), open a file, list an item's
//! versions.

use super::state::{Browser, Dialog};
use crate::api::call;
use crate::format;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The result line of a finished restore.
fn restored_words(o: &RestoreOutcome) -> String {
    let mut msg = format!(
        "Restore finished: {} file(s) restored ({}), {} skipped",
        o.restored,
        format::bytes(o.bytes),
        o.skipped
    );
    if !o.failed.is_empty() {
        msg.push_str(&format!(
            ", {} failed: {}",
            o.failed.len(),
            o.failed.join("; ")
        ));
    }
    msg
}

/// Restores `paths` of this point to `target`.
pub fn restore(b: Browser, target: RestoreTarget, changed_only: bool, paths: Vec<String>) {
    b.menu.set(false);
    if paths.is_empty() {
        b.error.set(Some(
            "Select the files and folders to restore (Ctrl or Shift to select several)".into(),
        ));
        return;
    }
    b.error.set(None);
    b.notice.set(None);
    b.busy
        .set(Some(format!("Restoring {} item(s)…", paths.len())));
    spawn_local(async move {
        let reason = b.reason.get_value();
        let done = call(&RestoreItems {
            id: b.id,
            paths,
            target,
            changed_only,
            reason,
            point: None,
        })
        .await;
        b.busy.set(None);
        match done {
            Ok(o) => {
                b.notice.set(Some(restored_words(&o)));
                if b.compare.get_untracked() {
                    b.reload();
                }
            }
            Err(e) => b.error.set(Some(e.message)),
        }
    });
}

/// Restore changed only: the selection, or the folder shown when nothing
/// is selected.
pub fn restore_changed(b: Browser) {
    let sel = b.selection();
    let paths = if sel.is_empty() && b.searching.get_untracked().is_none() {
        vec![b.path.get_untracked()]
    } else {
        sel
    };
    restore(b, RestoreTarget::Overwrite, true, paths)
}

/// Restores one version of an item next to the original.
pub fn restore_version(b: Browser, point: String, item: String) {
    b.dialog.set(None);
    b.busy.set(Some("Restoring the version…".into()));
    spawn_local(async move {
        let reason = b.reason.get_value();
        let spec = RestoreItems {
            id: b.id,
            paths: vec![item],
            target: RestoreTarget::Keep,
            changed_only: false,
            reason,
            point: Some(point),
        };
        let done = call(&spec).await;
        b.busy.set(None);
        match done {
            Ok(o) => b.notice.set(Some(format!(
                "Version restored next to the original: {} file(s)",
                o.restored
            ))),
            Err(e) => b.error.set(Some(e.message)),
        }
    });
}

pub fn cancel_restore(b: Browser) {
    spawn_local(async move {
        let _ = call(&CancelRestore { id: b.id }).await;
    });
}

/// Open: the selected file with the desktop's application.
pub fn open_file(b: Browser) {
    let Some(item) = b.single().filter(|i| i.kind == ItemKind::File) else {
        return b.error.set(Some("Select one file to open".into()));
    };
    b.notice.set(None);
    spawn_local(async move {
        match call(&OpenItem {
            id: b.id,
            path: item.path,
        })
        .await
        {
            Ok(f) => b.notice.set(Some(format!("Opened {f}"))),
            Err(e) => b.error.set(Some(e.message)),
        }
    });
}

/// Versions: the selected item in every restore point of the backup.
pub fn show_versions(b: Browser) {
    let Some(item) = b.single() else {
        return b
            .error
            .set(Some("Select one item to see its versions".into()));
    };
    spawn_local(async move {
        match call(&ItemVersions {
            id: b.id,
            path: item.path.clone(),
        })
        .await
        {
            Ok(v) => b.dialog.set(Some(Dialog::Versions(item.path, v))),
            Err(e) => b.error.set(Some(e.message)),
        }
    });
}

/// Close: the backend's browser session ends with the window.
pub fn close(b: Browser, on_close: Callback<()>) {
    spawn_local(async move {
        let _ = call(&CloseBrowser { id: b.id }).await;
    });
    on_close.run(());
}
