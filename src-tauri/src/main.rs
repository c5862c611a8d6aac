//! The Cairn console window: a thin Tauri shell. Each command converts its
//! request, calls one engine function off the UI thread, and converts the
//! result; errors cross as `{kind, message}`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod confirm;
mod tray;
mod window_state;

use cairn_console::Console;
use cairn_model::ApiError;
use std::path::PathBuf;
use std::sync::Arc;
use tauri::Manager;

/// What every command gets: the open console, or why it could not open.
pub struct Shared(pub Result<Arc<Console>, ApiError>);

fn data_dir_from_args() -> PathBuf {
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--data-dir" {
            if let Some(d) = args.next() {
                return PathBuf::from(d);
            }
        } else if let Some(d) = a.strip_prefix("--data-dir=") {
            return PathBuf::from(d);
        }
    }
    cairn_console::paths::default_data_dir()
}

fn main() {
    // Passwords and unwrapped keys live in this process.
    cairn_console::protect_process();
    let data_dir = data_dir_from_args();
    let console = Console::open(&data_dir)
        .map(Arc::new)
        .map_err(ApiError::from);
    if let Err(e) = &console {
        eprintln!("cairn-console: {}", e.message);
    }
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(Shared(console))
        .manage(confirm::PickedFolders::default())
        .setup(|app| {
            window_state::restore(app);
            if let Ok(console) = &app.state::<Shared>().0 {
                tray::start_scheduler(console.clone());
                if let Err(e) = tray::create(app, console.clone()) {
                    eprintln!("cairn-console: no system tray ({e}); closing the window quits");
                }
            }
            Ok(())
        })
        .on_window_event(|w, e| {
            window_state::on_event(w, e);
            tray::on_window_event(w, e);
        })
        .invoke_handler(commands::handler())
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(on_run_event),
        Err(e) => {
            eprintln!("cairn-console: the window could not start: {e}");
            std::process::exit(1);
        }
    }
}

/// The process ends right after `Exit` without dropping the console the
/// window shares, so what would go with it goes here: the decrypted copies
/// Open extracted.
fn on_run_event(app: &tauri::AppHandle, event: tauri::RunEvent) {
    if let tauri::RunEvent::Exit = event {
        if let Ok(console) = &app.state::<Shared>().0 {
            console.remove_opened_files();
        }
    }
}
