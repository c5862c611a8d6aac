//! The folder tree beside the list, loaded one level at a time as nodes
//! open, rendered recursively from what has been loaded.

use super::state::{join, Browser};
use leptos::prelude::*;

#[component]
pub fn FolderTree(b: Browser) -> impl IntoView {
    view! {
        <aside class="browser-tree" id="browser-tree">
            {tree_node(b, "/".into(), "/".into(), 0)}
        </aside>
    }
}

fn tree_node(b: Browser, dir: String, label: String, depth: usize) -> AnyView {
    let (open, children, path) = (b.tree_open, b.tree_children, b.path);
    let toggle = {
        let dir = dir.clone();
        move |_| {
            let is_open = open.with_untracked(|o| o.contains(&dir));
            if !is_open {
                b.load_tree(dir.clone());
            }
            open.update(|o| {
                if is_open {
                    o.remove(&dir);
                } else {
                    o.insert(dir.clone());
                }
            });
        }
    };
    let pick = {
        let dir = dir.clone();
        move |_| b.navigate(dir.clone())
    };
    let (d_sel, d_twisty, d_kids) = (dir.clone(), dir.clone(), dir.clone());
    let kids = move || {
        if !open.get().contains(&d_kids) {
            return ().into_any();
        }
        let names = children
            .with(|m| m.get(&d_kids).cloned())
            .unwrap_or_default();
        names
            .into_iter()
            .map(|k| tree_node(b, join(&d_kids, &k), k, depth + 1))
            .collect_view()
            .into_any()
    };
    view! {
        <div class="btree-node">
            <div class="btree-row" class:selected=move || path.get() == d_sel style=format!("padding-left: {}px", 6 + depth * 16) data-tree=dir.clone()>
                <span class="twisty" on:click=toggle>{move || if open.get().contains(&d_twisty) { "▾" } else { "▸" }}</span>
                <span class="folder-icon"></span>
                <span class="btree-label" on:click=pick>{label}</span>
            </div>
            {kids}
        </div>
    }
    .into_any()
}
