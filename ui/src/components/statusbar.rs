//! The status bar: running sessions, last error, data folder, version.

use cairn_model::ConsoleStatus;
use leptos::prelude::*;

#[component]
pub fn StatusBar(
    status: Signal<Option<ConsoleStatus>>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <footer class="statusbar">
            {move || match status.get() {
                Some(s) => view! {
                    <span id="status-running">
                        {if s.running_sessions == 0 {
                            "No running sessions".to_string()
                        } else {
                            format!("{} running session(s)", s.running_sessions)
                        }}
                    </span>
                    <span class="status-error">{s.last_error.unwrap_or_default()}</span>
                    <span class="status-spacer"></span>
                    <span title="Data folder">{s.data_dir}</span>
                    <span>{format!("Cairn {}", s.version)}</span>
                }
                    .into_any(),
                None => view! { <span>"Connecting to the backend…"</span> }.into_any(),
            }}
            {move || error.get().map(|e| view! { <span class="status-error" id="status-error">{e}</span> })}
        </footer>
    }
}
