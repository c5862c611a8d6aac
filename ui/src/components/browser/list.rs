//! The details list: only the rows in view are rendered (a spacer keeps
//! the scroll height), with the compare column and the status line.

use super::state::{Browser, Item, SEARCH_LIMIT};
use crate::format;
use cairn_model::*;
use leptos::prelude::*;

/// Height of one row in pixels (the stylesheet's `.brow`).
const ROW: f64 = 26.0;

#[component]
pub fn ItemList(b: Browser) -> impl IntoView {
    let list_ref = b.list_ref;
    let on_scroll = move |_| {
        if let Some(el) = list_ref.get_untracked() {
            b.scroll.set(el.scroll_top() as f64);
            b.height.set(el.client_height() as f64);
        }
    };
    let empty = move || {
        (!b.loading.get() && b.visible.get().is_empty()).then(|| {
            let text = if b.searching.get().is_some() {
                "Nothing matches."
            } else {
                "This folder is empty."
            };
            view! { <div class="empty">{text}</div> }
        })
    };
    view! {
        <section class="browser-list">
            <div class="browser-head">
                <span class="c-name">"Name"</span><span class="c-size">"Size"</span><span class="c-time">"Modified"</span>
                <span class="c-owner">"Owner"</span><span class="c-mode">"Permissions"</span>
                {move || b.compare.get().then(|| view! { <span class="c-state">"Compared"</span> })}
            </div>
            <div class="browser-rows" node_ref=list_ref id="browser-rows" on:scroll=on_scroll>
                {move || rows_in_view(b)}
                {empty}
            </div>
            <div class="browser-status" id="browser-status">{move || status(b)}</div>
        </section>
    }
}

fn rows_in_view(b: Browser) -> impl IntoView {
    let all = b.visible.get();
    let total = all.len();
    let first = ((b.scroll.get() / ROW) as usize).saturating_sub(10);
    let count = (b.height.get() / ROW) as usize + 30;
    let last = (first + count).min(total);
    let rows = all[first.min(total)..last]
        .iter()
        .enumerate()
        .map(|(k, item)| row(b, first + k, item.clone()))
        .collect_view();
    view! { <div class="brows-spacer" style=format!("height: {}px", total as f64 * ROW)>{rows}</div> }
}

fn row(b: Browser, idx: usize, item: Item) -> impl IntoView {
    let selected = b.selected.get().contains(&item.path);
    let compared = b.compare.get();
    let shown_name = if b.searching.get_untracked().is_some() {
        item.path.clone()
    } else {
        item.name.clone()
    };
    let size = if item.kind == ItemKind::File {
        format::bytes(item.size)
    } else {
        String::new()
    };
    let state = item.state;
    let it = item.clone();
    view! {
        <div class="brow" class:selected=selected data-name=item.name.clone() data-path=item.path.clone()
            style=format!("top: {}px", idx as f64 * ROW)
            on:click=move |ev| b.click_row(idx, &ev)
            on:dblclick=move |_| b.open(it.clone())>
            <span class="c-name"><span class=format!("kind-icon kind-{}", item.kind.word())></span>{shown_name}</span>
            <span class="c-size">{size}</span>
            <span class="c-time">{format::time(item.mtime)}</span>
            <span class="c-owner">{item.owner.clone()}</span>
            <span class="c-mode">{item.mode.clone()}</span>
            {compared.then(|| view! {
                <span class=format!("c-state state-{}", state.map(|s| s.label().to_lowercase()).unwrap_or_default())>
                    {state.map(|s| s.label()).unwrap_or("")}
                </span>
            })}
        </div>
    }
}

fn status(b: Browser) -> String {
    if b.loading.get() {
        return "Loading…".to_string();
    }
    let t = format!(
        "{} item(s), {} selected",
        b.visible.get().len(),
        b.selected.get().len()
    );
    if b.searching.get().is_some() && b.truncated.get() {
        format!("First {SEARCH_LIMIT} results shown; narrow the search. {t}")
    } else {
        t
    }
}
