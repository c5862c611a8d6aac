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

/// What the window shows of its session.
#[derive(Clone, Copy)]
struct SessionState {
    row: RwSignal<Option<SessionRow>>,
    log: RwSignal<Vec<SessionLogLine>>,
    progress: RwSignal<Option<SessionProgress>>,
    /// One per machine of a cloud-machines job.
    tasks: RwSignal<Vec<SessionTask>>,
    error: RwSignal<Option<String>>,
    stopping: RwSignal<bool>,
}

impl SessionState {
    fn new() -> Self {
        Self {
            row: RwSignal::new(None),
            log: RwSignal::new(Vec::new()),
            progress: RwSignal::new(None),
            tasks: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            stopping: RwSignal::new(false),
        }
    }

    fn running(self) -> bool {
        self.row.get().is_some_and(|r| r.ended.is_none())
    }

    /// System sessions (rescans) move no bytes and are not jobs to stop.
    fn system(self) -> bool {
        self.row
            .get()
            .is_some_and(|r| r.kind == SessionKind::System)
    }

    fn ended(self) -> bool {
        self.row.get().is_some_and(|r| r.ended.is_some())
    }

    fn status(self) -> String {
        match self.row.get() {
            None => "Loading…".to_string(),
            Some(r) => match r.result {
                None if self.stopping.get() => "Stopping…".into(),
                None => "Running".into(),
                Some(res) => res.label().into(),
            },
        }
    }

    fn percent(self) -> u8 {
        if self.ended() {
            return 100;
        }
        self.progress
            .get()
            .and_then(|p| p.percent)
            .or_else(|| self.row.get().map(|r| r.progress))
            .unwrap_or(0)
    }

    /// Seconds the session has run (its whole length once it ended).
    fn elapsed(self) -> f64 {
        let p = self.progress.get().unwrap_or_default();
        let total = self
            .row
            .get()
            .and_then(|r| r.ended.map(|e| (e - r.started) as f64));
        match total {
            Some(total) if p.elapsed == 0.0 => total,
            _ => p.elapsed,
        }
    }

    fn apply(self, ev: SessionEvent, last_logged: i64) {
        match ev {
            SessionEvent::Progress { progress: p } => self.progress.set(Some(p)),
            SessionEvent::Tasks { tasks } => self.tasks.set(tasks),
            SessionEvent::Log { lines } => self.log.update(|l| {
                l.extend(lines.into_iter().filter(|x| x.id > last_logged));
            }),
            SessionEvent::Finished { row } => {
                self.row.set(Some(row));
                self.stopping.set(false);
            }
        }
    }

    /// Loads the session and, while it runs, follows it live. The watch
    /// started is stored in `watch` (or ended at once if the window has
    /// closed meanwhile).
    fn load(self, id: i64, watch: Arc<AtomicU64>) {
        spawn_local(async move {
            let d = match call(&GetSession { id }).await {
                Ok(d) => d,
                Err(e) => return self.error.set(Some(e.message)),
            };
            let last = d.log.last().map(|l| l.id).unwrap_or(0);
            let running = d.row.ended.is_none();
            self.row.set(Some(d.row));
            self.log.set(d.log);
            self.progress.set(d.progress);
            self.tasks.set(d.tasks);
            if !running {
                return;
            }
            match watch_session(id, move |ev| self.apply(ev, last)).await {
                Ok(w)
                    if watch
                        .compare_exchange(0, w, Ordering::SeqCst, Ordering::SeqCst)
                        .is_err() =>
                {
                    unwatch(w)
                }
                Ok(_) => {}
                Err(e) => self.error.set(Some(e.message)),
            }
        });
    }

    fn stop(self) {
        let Some(r) = self.row.get_untracked() else {
            return;
        };
        self.stopping.set(true);
        spawn_local(async move {
            let r = call(&RunJobAction {
                name: r.name,
                action: JobAction::Stop,
            })
            .await;
            if let Err(e) = r {
                self.stopping.set(false);
                self.error.set(Some(e.message));
            }
        });
    }
}

#[component]
pub fn SessionWindow(id: i64, on_close: Callback<()>) -> impl IntoView {
    let s = SessionState::new();
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
    s.load(id, watch);
    let keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            on_close.run(());
        }
    };
    let title = move || {
        s.row
            .get()
            .map(|r| format!("{} — {}", r.name, r.kind.label()))
            .unwrap_or_else(|| "Session".into())
    };
    let current = move || {
        let c = s.progress.get().map(|p| p.current)?;
        (!c.is_empty() && s.running()).then(|| format!("Processing {c}"))
    };
    view! {
        <div class="modal-backdrop">
            <div class="dialog session-window" id="session-window" role="dialog" aria-label="Session" tabindex="0" on:keydown=keydown>
                <header class="wizard-title">{title}</header>
                <div class="dialog-body">
                    <SessionHead s />
                    <dl class="session-stats" id="session-stats">{move || stats(s)}</dl>
                    <p class="session-current">{current}</p>
                    <SessionTasks tasks=s.tasks />
                    <SessionLog log=s.log />
                    {move || s.error.get().map(|e| view! { <div class="wiz-error" role="alert">{e}</div> })}
                </div>
                <footer class="wizard-buttons">
                    {move || (s.running() && !s.system()).then(|| view! {
                        <button id="session-stop" class="danger" disabled=move || s.stopping.get() on:click=move |_| s.stop()>"Stop"</button>
                    })}
                    <button id="session-close" on:click=move |_| on_close.run(())>"Close"</button>
                </footer>
            </div>
        </div>
    }
}

/// One row per machine: status, progress and what it is doing or did.
#[component]
fn SessionTasks(tasks: RwSignal<Vec<SessionTask>>) -> impl IntoView {
    let row = |t: SessionTask| {
        let class = match t.status {
            TaskStatus::Success => "result result-success",
            TaskStatus::Failed => "result result-failed",
            TaskStatus::Running | TaskStatus::Pending => "result",
        };
        let progress = match (t.status, t.percent) {
            (TaskStatus::Pending, _) => String::new(),
            (_, Some(p)) => format!("{p}% · {} files", t.files),
            (_, None) => format!("{} files · {}", t.files, format::bytes(t.processed)),
        };
        view! {
            <tr data-task=t.name.clone()>
                <td>{t.name.clone()}</td>
                <td><span class=class>{t.status.label()}</span></td>
                <td>{progress}</td>
                <td class="task-detail" title=t.detail.clone()>{t.detail.clone()}</td>
            </tr>
        }
    };
    move || {
        let list = tasks.get();
        (!list.is_empty()).then(|| view! {
            <div class="session-tasks">
                <table class="data-table" id="session-tasks">
                    <thead><tr><th>"Machine"</th><th>"Status"</th><th>"Progress"</th><th>"Details"</th></tr></thead>
                    <tbody>{list.into_iter().map(row).collect_view()}</tbody>
                </table>
            </div>
        })
    }
}

/// Status, progress bar and percentage.
#[component]
fn SessionHead(s: SessionState) -> impl IntoView {
    let status_class = move || {
        let st = s.status().to_lowercase();
        format!("session-status status-{}", st.trim_end_matches('…'))
    };
    let fill_class = move || {
        let result = s.row.get().and_then(|r| r.result);
        format!(
            "progress-fill {}",
            result.map(|r| r.label().to_lowercase()).unwrap_or_default()
        )
    };
    view! {
        <div class="session-head">
            <span id="session-status" class=status_class>{move || s.status()}</span>
            <div class="progress-bar" role="progressbar" aria-valuenow=move || s.percent().to_string()>
                <div class=fill_class id="session-progress" style=move || format!("width: {}%", s.percent())></div>
            </div>
            <span class="progress-text">{move || format!("{}%", s.percent())}</span>
        </div>
    }
}

/// Duration, rate, bytes, files, time left and bottleneck (a system
/// session shows its duration and details).
fn stats(s: SessionState) -> AnyView {
    let p = s.progress.get().unwrap_or_default();
    let elapsed = s.elapsed();
    if s.system() {
        let details = s.row.get().map(|r| r.details).unwrap_or_default();
        return view! {
            <div><dt>"Duration"</dt><dd id="stat-duration">{duration(elapsed)}</dd></div>
            <div style="grid-column: span 3"><dt>"Details"</dt><dd id="stat-details">{details}</dd></div>
        }
        .into_any();
    }
    // A run shorter than a second is rated over one second.
    let rate = p.processed as f64 / elapsed.max(1.0);
    let eta = if s.ended() {
        "—".to_string()
    } else {
        p.eta.map(duration).unwrap_or_else(|| "estimating…".into())
    };
    view! {
        <div><dt>"Duration"</dt><dd id="stat-duration">{duration(elapsed)}</dd></div>
        <div><dt>"Processing rate"</dt><dd id="stat-rate">{format!("{}/s", format::bytes(rate as u64))}</dd></div>
        <div><dt>"Processed"</dt><dd id="stat-processed" data-bytes=p.processed.to_string()>{format::bytes(p.processed)}</dd></div>
        <div><dt>"Read"</dt><dd id="stat-read">{format::bytes(p.read)}</dd></div>
        <div><dt>"Transferred"</dt><dd id="stat-transferred">{format::bytes(p.transferred)}</dd></div>
        <div><dt>"Files"</dt><dd id="stat-files">{p.files.to_string()}</dd></div>
        <div><dt>"Time left"</dt><dd id="stat-eta">{eta}</dd></div>
        <div><dt>"Bottleneck"</dt><dd id="stat-bottleneck">{p.bottleneck.unwrap_or_else(|| "—".into())}</dd></div>
    }
    .into_any()
}

/// The log lines with their status icons.
#[component]
fn SessionLog(log: RwSignal<Vec<SessionLogLine>>) -> impl IntoView {
    let line = |l: SessionLogLine| {
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
    };
    view! {
        <ul class="session-log" id="session-log">
            {move || log.get().into_iter().map(line).collect_view()}
        </ul>
    }
}
