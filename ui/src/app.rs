//! The console window: ribbon, inventory tree, working area, navigation and
//! status bar, wired to the backend.

use crate::api::call;
use crate::components::ribbon::Ribbon;
use crate::components::statusbar::StatusBar;
use crate::components::table::{DataTable, Table};
use crate::components::tree::InventoryTree;
use crate::views::{self, Node};
use cairn_model::api::{GetSettings, GetStatus, SaveSettings};
use cairn_model::{ConsoleStatus, Theme, UiSettings, View};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashSet;

const VIEWS: [View; 3] = [View::Home, View::Infrastructure, View::History];

fn apply_theme(theme: Theme) {
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute(
            "data-theme",
            if theme == Theme::Dark {
                "dark"
            } else {
                "light"
            },
        );
    }
}

#[component]
pub fn App() -> impl IntoView {
    let view = RwSignal::new(View::Home);
    let theme = RwSignal::new(Theme::Light);
    let loaded = RwSignal::new(false);
    let selected = RwSignal::new(views::default_node(View::Home));
    let expanded = RwSignal::new(HashSet::<Node>::new());
    let table = RwSignal::new(None::<Table>);
    let filter = RwSignal::new(String::new());
    let status = RwSignal::new(None::<ConsoleStatus>);
    let error = RwSignal::new(None::<String>);
    let tick = RwSignal::new(0u64);

    // Preferences: read once, then save whenever they change.
    spawn_local(async move {
        if let Ok(s) = call(&GetSettings {}).await {
            theme.set(s.theme);
            view.set(s.last_view);
            selected.set(views::default_node(s.last_view));
        }
        loaded.set(true);
    });
    Effect::new(move |_| {
        let settings = UiSettings {
            theme: theme.get(),
            last_view: view.get(),
        };
        apply_theme(settings.theme);
        if loaded.get() {
            spawn_local(async move {
                if let Err(e) = call(&SaveSettings { settings }).await {
                    error.set(Some(e.message));
                }
            });
        }
    });

    // The working area follows the selected node and refreshes on F5.
    Effect::new(move |_| {
        let node = selected.get();
        tick.track();
        spawn_local(async move {
            match node.load().await {
                Ok(t) => {
                    if selected.get_untracked() == node {
                        table.set(Some(t));
                        error.set(None);
                    }
                }
                Err(e) => error.set(Some(e.message)),
            }
        });
        spawn_local(async move {
            if let Ok(s) = call(&GetStatus {}).await {
                status.set(Some(s));
            }
        });
    });
    let refresh = Callback::new(move |_| tick.update(|t| *t += 1));
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "F5" {
            ev.prevent_default();
            refresh.run(());
        }
    });
    on_cleanup(move || handle.remove());
    let _ = set_interval_with_handle(move || refresh.run(()), std::time::Duration::from_secs(10));

    let switch_view = move |v: View| {
        if view.get_untracked() != v {
            view.set(v);
            table.set(None);
            filter.set(String::new());
            selected.set(views::default_node(v));
        }
    };
    let roots = Signal::derive(move || views::roots(view.get()));

    view! {
        <div class="console">
            <Ribbon view=view.into() theme on_refresh=refresh />
            <div class="main">
                <aside class="sidebar">
                    <div class="sidebar-title">{move || view.get().label()}</div>
                    <div class="tree-pane">
                        <InventoryTree roots selected expanded />
                    </div>
                    <nav class="navigation">
                        {VIEWS
                            .iter()
                            .map(|v| {
                                let v = *v;
                                view! {
                                    <button
                                        class="nav-button"
                                        class:active=move || view.get() == v
                                        data-view=format!("{v:?}").to_lowercase()
                                        on:click=move |_| switch_view(v)
                                    >
                                        <span class=format!("glyph nav-{}", format!("{v:?}").to_lowercase())></span>
                                        {v.label()}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </nav>
                </aside>
                <section class="work-area">
                    <div class="work-header">
                        <h1 id="work-title">{move || selected.get().label()}</h1>
                        <input
                            class="filter"
                            type="search"
                            placeholder="Type in an object name to search for"
                            prop:value=move || filter.get()
                            on:input=move |ev| filter.set(event_target_value(&ev))
                        />
                    </div>
                    <DataTable table=table.into() filter />
                </section>
            </div>
            <StatusBar status=status.into() error=error.into() />
        </div>
    }
}
