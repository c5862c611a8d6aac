//! The ribbon: the current view's buttons, plus Refresh and the theme.
//! Buttons whose action is not available (nothing selected, or not in this
//! build) are disabled with the reason as their tooltip.

use crate::views::{self, Action};
use cairn_model::{Theme, View};
use leptos::prelude::*;

#[component]
pub fn Ribbon(
    view: Signal<View>,
    theme: RwSignal<Theme>,
    on_refresh: Callback<()>,
    /// Why an action is unavailable (None = available).
    disabled: Callback<Action, Option<String>>,
    on_action: Callback<Action>,
    on_menu: Callback<()>,
) -> impl IntoView {
    view! {
        <header class="ribbon">
            <div class="ribbon-tabs">
                <button class="app-menu" id="app-menu" title="Menu" on:click=move |_| on_menu.run(())>"☰"</button>
                <span class="ribbon-tab active">{move || view.get().label()}</span>
            </div>
            <div class="ribbon-body">
                <div class="ribbon-group">
                    {move || {
                        views::ribbon(view.get())
                            .iter()
                            .map(|(label, icon, action)| {
                                let action = *action;
                                let why = move || disabled.run(action);
                                view! {
                                    <button
                                        class="ribbon-button"
                                        id=format!("ribbon-{}", action.id())
                                        disabled=move || why().is_some()
                                        title=move || why().unwrap_or_else(|| label.to_string())
                                        on:click=move |_| on_action.run(action)
                                    >
                                        <span class=format!("big-glyph {icon}")></span>
                                        <span>{*label}</span>
                                    </button>
                                }
                            })
                            .collect_view()
                    }}
                </div>
                <div class="ribbon-group ribbon-right">
                    <button class="ribbon-button" id="refresh" title="Refresh (F5)" on:click=move |_| on_refresh.run(())>
                        <span class="big-glyph icon-rescan"></span>
                        <span>"Refresh"</span>
                    </button>
                    <button
                        class="ribbon-button"
                        id="theme-toggle"
                        title="Switch between light and dark theme"
                        on:click=move |_| theme.update(|t| *t = if *t == Theme::Light { Theme::Dark } else { Theme::Light })
                    >
                        <span class="big-glyph icon-theme"></span>
                        <span>{move || if theme.get() == Theme::Light { "Dark theme" } else { "Light theme" }}</span>
                    </button>
                </div>
            </div>
        </header>
    }
}
