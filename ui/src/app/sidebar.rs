//! The left pane: the view's inventory tree and the navigation buttons
//! (Home, Backup Infrastructure, History).

use super::state::{Console, ContextAt};
use crate::components::tree::InventoryTree;
use crate::views::{self, Node};
use cairn_model::View;
use leptos::prelude::*;

const VIEWS: [View; 3] = [View::Home, View::Infrastructure, View::History];

#[component]
pub fn Sidebar(c: Console) -> impl IntoView {
    let roots = Signal::derive(move || views::roots(c.view.get()));
    // External Repositories and Protection Groups have a menu in the tree.
    let on_context = Callback::new(move |(key, x, y): (Node, i32, i32)| {
        if matches!(key, Node::ExternalRepositories | Node::ProtectionGroups) {
            c.tree_context.set(Some(ContextAt { key, x, y }));
        }
    });
    view! {
        <aside class="sidebar">
            <div class="sidebar-title">{move || c.view.get().label()}</div>
            <div class="tree-pane">
                <InventoryTree roots selected=c.selected expanded=c.expanded on_context />
            </div>
            <nav class="navigation">
                {VIEWS.iter().map(|v| nav_button(c, *v)).collect_view()}
            </nav>
        </aside>
    }
}

fn nav_button(c: Console, v: View) -> impl IntoView {
    let id = format!("{v:?}").to_lowercase();
    view! {
        <button class="nav-button" class:active=move || c.view.get() == v data-view=id.clone() on:click=move |_| c.switch_view(v)>
            <span class=format!("glyph nav-{id}")></span>
            {v.label()}
        </button>
    }
}
