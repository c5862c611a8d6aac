//! The system tray and the scheduler thread: jobs keep running on schedule
//! while the window is closed; the tray menu opens the window again, shows
//! the running jobs and quits.

use cairn_console::Console;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{Manager, Runtime, Window, WindowEvent};

/// Set once the tray icon exists: only then does closing the window hide it.
static TRAY: AtomicBool = AtomicBool::new(false);

/// Runs the scheduler for the data folder in a background thread.
pub fn start_scheduler(console: Arc<Console>) {
    let stop = Arc::new(AtomicBool::new(false));
    let _ = std::thread::Builder::new()
        .name("scheduler".into())
        .spawn(move || {
            cairn_console::scheduler::run(console, stop, &|m| eprintln!("cairn-console: {m}"))
        });
}

fn show_main<R: Runtime, M: Manager<R>>(app: &M) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.show();
        let _ = w.unminimize();
        let _ = w.set_focus();
    }
}

/// Creates the tray icon with Open, the running jobs and Quit.
pub fn create<R: Runtime>(app: &tauri::App<R>, console: Arc<Console>) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Cairn", true, None::<&str>)?;
    let running = MenuItem::with_id(app, "running", "No jobs running", false, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit (stops running jobs)", true, None::<&str>)?;
    let sep = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&open, &running, &sep, &quit])?;
    let mut builder = TrayIconBuilder::with_id("cairn")
        .tooltip("Cairn backup console")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id().as_ref() {
            "open" => show_main(app),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    TRAY.store(true, Ordering::Relaxed);
    // The running-jobs line follows the catalog.
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_secs(3));
        let names: Vec<String> = console
            .running_rows()
            .map(|rows| rows.into_iter().map(|r| r.name).collect())
            .unwrap_or_default();
        let text = if names.is_empty() {
            "No jobs running".to_string()
        } else {
            format!("Running: {}", names.join(", "))
        };
        if running.set_text(text).is_err() {
            return;
        }
    });
    Ok(())
}

/// Closing the main window hides it to the tray while scheduling goes on.
pub fn on_window_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        if TRAY.load(Ordering::Relaxed) && window.label() == "main" {
            api.prevent_close();
            let _ = window.hide();
        }
    }
}
