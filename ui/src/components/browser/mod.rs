//! The Backup Browser: a folder tree (loaded on demand), a virtualized
//! details list with multi-select, a path bar with back / forward / up, a
//! search over the whole restore point, and the restore actions: Restore
//! (Overwrite / Keep), Copy to…, Compare with production, Restore changed
//! only, Open and Versions.
//!
//! `state` holds where the browser is and what it shows; `actions` what
//! the buttons ask the backend; one module per pane.

mod actions;
mod dialogs;
mod list;
mod state;
mod toolbar;
mod tree;

use crate::format;
use cairn_model::*;
use dialogs::Dialogs;
use leptos::prelude::*;
use list::ItemList;
use state::Browser;
use toolbar::{PathBar, Toolbar};
use tree::FolderTree;

/// Whether a key event comes from a text field (where keys type).
fn in_text_field(ev: &leptos::ev::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(t).ok())
        .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA"))
}

/// Keys: Escape closes a dialog (or the browser), Backspace goes up,
/// Alt+Left/Right back and forward, Ctrl+A selects all, Enter opens.
fn keydown(b: Browser, on_close: Callback<()>, ev: leptos::ev::KeyboardEvent) {
    let typing = in_text_field(&ev);
    match ev.key().as_str() {
        "Escape" => dismiss(b, on_close),
        "Backspace" if !typing => {
            ev.prevent_default();
            b.go_up();
        }
        "ArrowLeft" if ev.alt_key() => b.go_back(),
        "ArrowRight" if ev.alt_key() => b.go_forward(),
        "a" if ev.ctrl_key() && !typing => {
            ev.prevent_default();
            b.select_all();
        }
        "Enter" if !typing => {
            if let Some(i) = b.single() {
                b.open(i);
            }
        }
        _ => {}
    }
}

/// Escape: the menu or dialog closes; with none open, the browser.
fn dismiss(b: Browser, on_close: Callback<()>) {
    if !b.close_overlay() {
        actions::close(b, on_close);
    }
}

#[component]
pub fn BackupBrowser(point: BrowserPoint, reason: String, on_close: Callback<()>) -> impl IntoView {
    let b = Browser::new(&point, reason);
    b.follow_path();
    let title = format!(
        "Backup Browser: {} — {}, restore point of",
        point.machine, point.job
    );
    let when = format::time(point.time);
    view! {
        <div class="modal-backdrop">
            <div class="browser" role="dialog" aria-label="Backup Browser" tabindex="-1" on:keydown=move |ev| keydown(b, on_close, ev)>
                <header class="wizard-title">{title}" "{when}</header>
                <Toolbar b on_close />
                <PathBar b />
                <div class="browser-main">
                    <FolderTree b />
                    <ItemList b />
                </div>
                {move || b.busy.get().map(|text| view! {
                    <div class="browser-busy" id="browser-busy"><span class="spinner"></span>{text}
                        <button id="browser-cancel" on:click=move |_| actions::cancel_restore(b)>"Cancel"</button></div>
                })}
                {move || b.notice.get().map(|n| view! { <div class="browser-notice" id="browser-result">{n}</div> })}
                {move || b.error.get().map(|e| view! { <div class="wiz-error browser-error" role="alert">{e}</div> })}
                <Dialogs b backup=point.backup.clone() point=point.point.clone() />
            </div>
        </div>
    }
}
