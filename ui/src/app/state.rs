//! The console window's state: which view and node, the list it shows,
//! the selected row, what is open over it, and the status line. All
//! signals, so the state is `Copy` and each part of the window takes it.

use super::modals::Modal;
use crate::api::call;
use crate::components::table::Table;
use crate::views::{self, Menu, Node};
use cairn_model::api::{GetSettings, GetStatus, SaveSettings, WaitSessionsChanged};
use cairn_model::{ApiError, ConsoleStatus, Theme, UiSettings, View};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::HashSet;
use std::time::Duration;

/// A context menu: the row or node it was opened on, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextAt<K> {
    pub key: K,
    pub x: i32,
    pub y: i32,
}

#[derive(Clone, Copy)]
pub struct Console {
    pub view: RwSignal<View>,
    pub theme: RwSignal<Theme>,
    /// The saved preferences have been read (so changes are saved).
    loaded: RwSignal<bool>,
    pub selected: RwSignal<Node>,
    pub expanded: RwSignal<HashSet<Node>>,
    pub table: RwSignal<Option<Table>>,
    pub filter: RwSignal<String>,
    pub status: RwSignal<Option<ConsoleStatus>>,
    pub error: RwSignal<Option<String>>,
    /// Bumped to reload the working area.
    tick: RwSignal<u64>,
    /// The key of the selected row.
    pub row: RwSignal<Option<String>>,
    pub modal: RwSignal<Option<Modal>>,
    pub menu: RwSignal<Option<Menu>>,
    pub context: RwSignal<Option<ContextAt<String>>>,
    pub tree_context: RwSignal<Option<ContextAt<Node>>>,
}

fn apply_theme(theme: Theme) {
    if let Some(root) = document().document_element() {
        let name = if theme == Theme::Dark {
            "dark"
        } else {
            "light"
        };
        let _ = root.set_attribute("data-theme", name);
    }
}

impl Console {
    pub fn new() -> Self {
        Self {
            view: RwSignal::new(View::Home),
            theme: RwSignal::new(Theme::Light),
            loaded: RwSignal::new(false),
            selected: RwSignal::new(views::default_node(View::Home)),
            expanded: RwSignal::new(HashSet::new()),
            table: RwSignal::new(None),
            filter: RwSignal::new(String::new()),
            status: RwSignal::new(None),
            error: RwSignal::new(None),
            tick: RwSignal::new(0),
            row: RwSignal::new(None),
            modal: RwSignal::new(None),
            menu: RwSignal::new(None),
            context: RwSignal::new(None),
            tree_context: RwSignal::new(None),
        }
    }

    /// Makes the calling effect run again at each refresh.
    pub fn tick_seen(self) {
        self.tick.track();
    }

    /// Reloads the working area and the status.
    pub fn refresh(self) {
        self.tick.update(|t| *t += 1)
    }

    pub fn open(self, m: Modal) {
        self.menu.set(None);
        self.modal.set(Some(m))
    }

    /// Closes what is open; `changed`: what it did shows in the lists.
    pub fn close_modal(self, changed: bool) {
        self.modal.set(None);
        if changed {
            self.refresh();
        }
    }

    pub fn fail(self, e: ApiError) {
        self.error.set(Some(e.message))
    }

    /// After a confirmed removal: the dialog closes; the list loses the
    /// row, or the error says why nothing was removed.
    pub fn removed(self, done: Result<(), ApiError>) {
        self.modal.set(None);
        match done {
            Ok(()) => {
                self.row.set(None);
                self.refresh();
            }
            Err(e) => self.fail(e),
        }
    }

    pub fn switch_view(self, v: View) {
        if self.view.get_untracked() != v {
            self.view.set(v);
            self.table.set(None);
            self.filter.set(String::new());
            self.selected.set(views::default_node(v));
        }
    }

    /// A job's Status column (the fourth) says whether it is disabled.
    pub fn job_disabled(self, name: &str) -> bool {
        let disabled = cairn_model::JobStatus::Disabled.label();
        self.table
            .get_untracked()
            .and_then(|t| t.rows.into_iter().find(|r| r.key == name))
            .is_some_and(|r| r.cells.get(3).is_some_and(|c| c == disabled))
    }

    pub fn job_selected(self) -> bool {
        matches!(
            self.selected.get(),
            Node::Jobs | Node::JobsBackup | Node::JobsCopy
        ) && self.row.get().is_some()
    }

    /// Preferences: read once, then saved whenever they change.
    pub fn keep_settings(self) {
        spawn_local(async move {
            if let Ok(s) = call(&GetSettings {}).await {
                self.theme.set(s.theme);
                self.view.set(s.last_view);
                self.selected.set(views::default_node(s.last_view));
            }
            self.loaded.set(true);
        });
        Effect::new(move |_| {
            let settings = UiSettings {
                theme: self.theme.get(),
                last_view: self.view.get(),
            };
            apply_theme(settings.theme);
            if self.loaded.get() {
                spawn_local(async move {
                    if let Err(e) = call(&SaveSettings { settings }).await {
                        self.fail(e);
                    }
                });
            }
        });
    }

    /// The working area follows the selected node and reloads on refresh.
    /// Loads can finish out of order (a periodic refresh started before an
    /// edit may answer after the refresh that follows it): only the latest
    /// load is shown.
    pub fn follow_selection(self) {
        let generation = StoredValue::new(0u64);
        Effect::new(move |prev: Option<Node>| {
            let node = self.selected.get();
            // A refresh keeps the selected row; another node clears it.
            if prev != Some(node) {
                self.row.set(None);
            }
            self.tick.track();
            generation.update_value(|g| *g += 1);
            let mine = generation.get_value();
            spawn_local(async move {
                match node.load().await {
                    Ok(t)
                        if self.selected.get_untracked() == node
                            && generation.get_value() == mine =>
                    {
                        self.table.set(Some(t));
                        self.error.set(None);
                    }
                    Ok(_) => {}
                    Err(e) => self.fail(e),
                }
            });
            spawn_local(async move {
                if let Ok(s) = call(&GetStatus {}).await {
                    self.status.set(Some(s));
                }
            });
            node
        });
    }

    /// F5 refreshes, Escape closes menus; the lists refresh every ten
    /// seconds, Running every two (its sessions move).
    pub fn keys_and_timers(self) {
        let handle =
            window_event_listener(leptos::ev::keydown, move |ev| match ev.key().as_str() {
                "F5" => {
                    ev.prevent_default();
                    self.refresh();
                }
                "Escape" => {
                    self.menu.set(None);
                    self.context.set(None);
                    self.tree_context.set(None);
                }
                _ => {}
            });
        on_cleanup(move || handle.remove());
        let _ = set_interval_with_handle(move || self.refresh(), Duration::from_secs(10));
        let running = move || {
            if self.selected.get_untracked() == Node::Running
                && self.modal.get_untracked().is_none()
            {
                self.refresh();
            }
        };
        let _ = set_interval_with_handle(running, Duration::from_secs(2));
        self.follow_sessions();
    }

    /// The status bar and the lists follow the sessions' own starts and
    /// ends — this window's and those of the CLI or a daemon on the same
    /// data folder (the backend answers as one happens) — not the next timer.
    fn follow_sessions(self) {
        spawn_local(async move {
            let mut seen = 0;
            while let Ok(now) = call(&WaitSessionsChanged { seen }).await {
                if now != seen {
                    seen = now;
                    self.refresh();
                }
            }
        });
    }
}
