//! The ribbon: the current view's buttons, plus Refresh and the theme.

use crate::views;
use cairn_model::{Theme, View};
use leptos::prelude::*;

#[component]
pub fn Ribbon(
    view: Signal<View>,
    theme: RwSignal<Theme>,
    on_refresh: Callback<()>,
) -> impl IntoView {
    view! {
        <header class="ribbon">
            <div class="ribbon-tabs">
                <span class="app-menu" title="Cairn">"☰"</span>
                <span class="ribbon-tab active">{move || view.get().label()}</span>
            </div>
            <div class="ribbon-body">
                <div class="ribbon-group">
                    {move || {
                        views::ribbon(view.get())
                            .iter()
                            .map(|(label, icon)| {
                                view! {
                                    <button class="ribbon-button" disabled=true title=format!("{label}: not available in this build yet")>
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
