//! The console window: ribbon, inventory tree, working area, navigation and
//! status bar, wired to the backend.
//!
//! `state` holds what the window shows; `commands` what the ribbon and the
//! context menus do; `menus` and `modals` what opens over the window.

mod commands;
mod menus;
mod modals;
mod sidebar;
mod state;
mod work_area;

use crate::components::ribbon::Ribbon;
use crate::components::statusbar::StatusBar;
use crate::views::Menu;
use leptos::prelude::*;
use menus::Menus;
use modals::Modals;
use sidebar::Sidebar;
use state::Console;
use work_area::{TreeMenu, WorkArea};

#[component]
pub fn App() -> impl IntoView {
    let c = Console::new();
    c.keep_settings();
    c.follow_selection();
    c.keys_and_timers();
    let refresh = Callback::new(move |_| c.refresh());
    let disabled = Callback::new(move |action| commands::disabled_reason(c, action));
    let on_action = Callback::new(move |action| commands::ribbon_action(c, action));
    let on_menu = Callback::new(move |_| {
        c.menu
            .update(|m| *m = if m.is_some() { None } else { Some(Menu::App) })
    });
    view! {
        <div class="console">
            <Ribbon view=c.view.into() theme=c.theme on_refresh=refresh disabled on_action on_menu />
            <Menus c />
            <Modals c />
            <div class="main">
                <Sidebar c />
                <WorkArea c />
            </div>
            <TreeMenu c />
            <StatusBar status=c.status.into() error=c.error.into() />
        </div>
    }
}
