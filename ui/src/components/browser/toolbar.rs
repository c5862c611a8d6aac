//! The toolbar (Restore ▾, Copy to…, compare, Open, Versions, Compare
//! restore points…, Close) and the path bar (back, forward, up, search).

use super::actions;
use super::state::{Browser, Dialog};
use cairn_model::*;
use leptos::prelude::*;

#[component]
pub fn Toolbar(b: Browser, on_close: Callback<()>) -> impl IntoView {
    let copy_to = move |_| {
        if b.selection().is_empty() {
            b.error
                .set(Some("Select the files and folders to copy".into()));
        } else {
            b.dialog.set(Some(Dialog::CopyTo));
        }
    };
    let (compare, changes_only) = (b.compare, b.changes_only);
    view! {
        <div class="browser-toolbar">
            <div class="dropdown-host">
                <button id="browser-restore" on:click=move |_| b.menu.update(|m| *m = !*m)>"Restore ▾"</button>
                {move || b.menu.get().then(|| view! {
                    <ul class="dropdown" id="browser-restore-menu">
                        <li><button id="browser-restore-overwrite" on:click=move |_| actions::restore(b, RestoreTarget::Overwrite, false, b.selection())>"Overwrite"</button></li>
                        <li><button id="browser-restore-keep" on:click=move |_| actions::restore(b, RestoreTarget::Keep, false, b.selection())>"Keep"</button></li>
                    </ul>
                })}
            </div>
            <button id="browser-copy-to" on:click=copy_to>"Copy to…"</button>
            <span class="sep"></span>
            <label class="toggle"><input id="browser-compare" type="checkbox" prop:checked=move || compare.get()
                on:change=move |ev| compare.set(event_target_checked(&ev)) />"Compare with production"</label>
            <label class="toggle" class:disabled=move || !compare.get()><input id="browser-changes-only" type="checkbox" prop:checked=move || changes_only.get()
                prop:disabled=move || !compare.get()
                on:change=move |ev| changes_only.set(event_target_checked(&ev)) />"Show changes only"</label>
            <button id="browser-restore-changed" on:click=move |_| actions::restore_changed(b)>"Restore changed only"</button>
            <span class="sep"></span>
            <button id="browser-open" on:click=move |_| actions::open_file(b)>"Open"</button>
            <button id="browser-versions" on:click=move |_| actions::show_versions(b)>"Versions"</button>
            <button id="browser-compare-points" on:click=move |_| b.dialog.set(Some(Dialog::ComparePoints))>"Compare restore points…"</button>
            <span class="grow"></span>
            <button id="browser-close" on:click=move |_| actions::close(b, on_close)>"Close"</button>
        </div>
    }
}

#[component]
pub fn PathBar(b: Browser) -> impl IntoView {
    let search = b.search;
    let enter = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" {
            ev.prevent_default();
            ev.stop_propagation();
            b.run_search();
        }
    };
    let shown = move || match b.searching.get() {
        Some(s) => format!("Search results for \"{s}\""),
        None => b.path.get(),
    };
    view! {
        <div class="browser-pathbar">
            <button id="browser-back" title="Back (Alt+Left)" prop:disabled=move || b.back.get().is_empty() on:click=move |_| b.go_back()>"‹"</button>
            <button id="browser-forward" title="Forward (Alt+Right)" prop:disabled=move || b.forward.get().is_empty() on:click=move |_| b.go_forward()>"›"</button>
            <button id="browser-up" title="Up (Backspace)" on:click=move |_| b.go_up()>"↑"</button>
            <div class="path" id="browser-path">{shown}</div>
            <input id="browser-search" type="search" placeholder="Search names or masks (*.pdf, report-??.odt)"
                prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) on:keydown=enter />
        </div>
    }
}
