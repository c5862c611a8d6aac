//! The session window: a job run's progress bar, rate, processed / read /
//! transferred bytes, duration, ETA and bottleneck, and its log with status
//! icons, updated live over a Tauri channel while it runs.

use crate::api::{call, watch_session};
use crate::format;
use cairn_model::api::*;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The window's watch slot once the window has closed.
const CLOSED: u64 = u64::MAX;

/// Tells the backend to stop streaming watch `w`.
fn unwatch(w: u64) {
    spawn_local(async move {
        let _ = call(&UnwatchSession { watch: w }).await;
    });
}

fn duration(secs: f64) -> String {
    let s = secs.max(0.0) as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

fn clock(t: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t as f64 * 1000.0));
    format!(
        "{:02}:{:02}:{:02}",
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}

#[component]
pub fn SessionWindow(id: i64, on_close: Callback<()>) -> impl IntoView {
    let row = RwSignal::new(None::<SessionRow>);
    let log = RwSignal::new(Vec::<SessionLogLine>::new());
    let progress = RwSignal::new(None::<SessionProgress>);
    let error = RwSignal::new(None::<String>);
    let stopping = RwSignal::new(false);

    // The watch this window started (0: none yet), ended when the window
    // closes; CLOSED once it has.
    let watch = Arc::new(AtomicU64::new(0));
    {
        let watch = watch.clone();
        on_cleanup(move || match watch.swap(CLOSED, Ordering::SeqCst) {
            0 | CLOSED => {}
            w => unwatch(w),
        });
    }
    spawn_local(async move {
        match call(&GetSession { id }).await {
            Ok(d) => {
                let last = d.log.last().map(|l| l.id).unwrap_or(0);
                row.set(Some(d.row.clone()));
                log.set(d.log);
                progress.set(d.progress);
                if d.row.ended.is_some() {
                    return;
                }
                let r = watch_session(id, move |ev| match ev {
                    SessionEvent::Progress { progress: p } => progress.set(Some(p)),
                    SessionEvent::Log { lines } => log.update(|l| {
                        l.extend(lines.into_iter().filter(|x| x.id > last));
                    }),
                    SessionEvent::Finished { row: r } => {
                        row.set(Some(r));
                        stopping.set(false);
                    }
                })
                .await;
                match r {
                    // Closed while the watch started: end it at once.
                    Ok(w)
                        if watch
                            .compare_exchange(0, w, Ordering::SeqCst, Ordering::SeqCst)
                            .is_err() =>
                    {
                        unwatch(w)
                    }
                    Ok(_) => {}
                    Err(e) => error.set(Some(e.message)),
                }
            }
            Err(e) => error.set(Some(e.message)),
        }
    });

    let running = move || row.get().is_some_and(|r| r.ended.is_none());
    let status = move || match row.get() {
        None => "Loading…".to_string(),
        Some(r) => match r.result {
            None if stopping.get() => "Stopping…".into(),
            None => "Running".into(),
            Some(res) => res.label().into(),
        },
    };
    let percent = move || {
        let r = row.get();
        if r.as_ref().is_some_and(|r| r.ended.is_some()) {
            return 100u8;
        }
        progress
            .get()
            .and_then(|p| p.percent)
            .or_else(|| r.map(|r| r.progress))
            .unwrap_or(0)
    };
    let stop = move |_| {
        let Some(r) = row.get_untracked() else { return };
        stopping.set(true);
        spawn_local(async move {
            if let Err(e) = call(&RunJobAction {
                name: r.name,
                action: JobAction::Stop,
            })
            .await
            {
                stopping.set(false);
                error.set(Some(e.message));
            }
        });
    };
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            on_close.run(());
        }
    };
    // System sessions (rescans) move no bytes and are not jobs to stop.
    let system = move || row.get().is_some_and(|r| r.kind == SessionKind::System);
    let title = move || {
        row.get()
            .map(|r| format!("{} — {}", r.name, r.kind.label()))
            .unwrap_or_else(|| "Session".into())
    };

    view! {
        <div class="modal-backdrop">
            <div class="dialog session-window" id="session-window" role="dialog" aria-label="Session" tabindex="0" on:keydown=keydown>
                <header class="wizard-title">{title}</header>
                <div class="dialog-body">
                    <div class="session-head">
                        <span id="session-status" class=move || format!("session-status status-{}", status().to_lowercase().trim_end_matches('…'))>{status}</span>
                        <div class="progress-bar" role="progressbar" aria-valuenow=move || percent().to_string()>
                            <div class=move || format!("progress-fill {}", row.get().and_then(|r| r.result).map(|r| r.label().to_lowercase()).unwrap_or_default()) id="session-progress" style=move || format!("width: {}%", percent())></div>
                        </div>
                        <span class="progress-text">{move || format!("{}%", percent())}</span>
                    </div>
                    <dl class="session-stats" id="session-stats">
                        {move || {
                            let p = progress.get().unwrap_or_default();
                            let r = row.get();
                            let elapsed = match r.as_ref().and_then(|r| r.ended.map(|e| (e - r.started) as f64)) {
                                Some(total) if p.elapsed == 0.0 => total,
                                _ => p.elapsed,
                            };
                            if system() {
                                return view! {
                                    <div><dt>"Duration"</dt><dd id="stat-duration">{duration(elapsed)}</dd></div>
                                    <div style="grid-column: span 3"><dt>"Details"</dt><dd id="stat-details">{r.map(|r| r.details).unwrap_or_default()}</dd></div>
                                }.into_any();
                            }
                            view! {
                                <div><dt>"Duration"</dt><dd id="stat-duration">{duration(elapsed)}</dd></div>
                                <div><dt>"Processing rate"</dt><dd id="stat-rate">{
                                    // A run shorter than a second is rated over one second.
                                    let rate = if elapsed >= 1.0 { p.processed as f64 / elapsed } else { p.processed as f64 };
                                    format!("{}/s", format::bytes(rate as u64))
                                }</dd></div>
                                <div><dt>"Processed"</dt><dd id="stat-processed" data-bytes=p.processed.to_string()>{format::bytes(p.processed)}</dd></div>
                                <div><dt>"Read"</dt><dd id="stat-read">{format::bytes(p.read)}</dd></div>
                                <div><dt>"Transferred"</dt><dd id="stat-transferred">{format::bytes(p.transferred)}</dd></div>
                                <div><dt>"Files"</dt><dd id="stat-files">{p.files.to_string()}</dd></div>
                                <div><dt>"Time left"</dt><dd id="stat-eta">{if r.as_ref().is_some_and(|r| r.ended.is_some()) { "—".to_string() } else { p.eta.map(duration).unwrap_or_else(|| "estimating…".into()) }}</dd></div>
                                <div><dt>"Bottleneck"</dt><dd id="stat-bottleneck">{p.bottleneck.unwrap_or_else(|| "—".into())}</dd></div>
                            }.into_any()
                        }}
                    </dl>
                    <p class="session-current">{move || progress.get().map(|p| p.current).filter(|c| !c.is_empty() && running()).map(|c| format!("Processing {c}"))}</p>
                    <ul class="session-log" id="session-log">
                        {move || log.get().into_iter().map(|l| {
                            let icon = match l.level {
                                LogLevel::Error => "icon-failed",
                                LogLevel::Warning => "icon-warning",
                                LogLevel::Info => "icon-success",
                            };
                            view! {
                                <li class=format!("log-line log-{}", l.level.word())>
                                    <span class=format!("glyph {icon}")></span>
                                    <span class="log-time">{clock(l.time)}</span>
                                    <span class="log-text">{l.message}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {move || error.get().map(|e| view! { <div class="wiz-error" role="alert">{e}</div> })}
                </div>
                <footer class="wizard-buttons">
                    {move || (running() && !system()).then(|| view! {
                        <button id="session-stop" class="danger" disabled=move || stopping.get() on:click=stop>"Stop"</button>
                    })}
                    <button id="session-close" on:click=move |_| on_close.run(())>"Close"</button>
                </footer>
            </div>
        </div>
    }
}
