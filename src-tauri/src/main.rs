//! The Cairn console window: a thin Tauri shell. Each command converts its
//! request, calls one engine function off the UI thread, and converts the
//! result; errors cross as `{kind, message}`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod tray;
mod window_state;

use cairn_engine::Console;
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
    cairn_engine::paths::default_data_dir()
}

fn main() {
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
        .invoke_handler(tauri::generate_handler![
            commands::list_repositories,
            commands::list_jobs,
            commands::list_backups,
            commands::list_sessions,
            commands::list_external_repositories,
            commands::list_protection_groups,
            commands::list_service_providers,
            commands::get_status,
            commands::get_settings,
            commands::save_settings,
            commands::check_repository_step,
            commands::add_repository,
            commands::remove_repository,
            commands::get_repository,
            commands::edit_repository,
            commands::list_restore_points,
            commands::open_browser,
            commands::close_browser,
            commands::browse_folder,
            commands::search_point,
            commands::restore_items,
            commands::cancel_restore,
            commands::item_versions,
            commands::open_item,
            commands::compare_points,
            commands::pick_folder,
            commands::list_credentials,
            commands::put_credential,
            commands::delete_credential,
            commands::check_job_step,
            commands::save_job,
            commands::get_job,
            commands::job_action,
            commands::clone_job,
            commands::delete_job,
            commands::get_session,
            commands::last_job_session,
            commands::this_computer,
            commands::watch_session,
            commands::preview_schedule,
            commands::check_external_step,
            commands::connect_external,
            commands::rescan_external,
            commands::remove_external,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("cairn-console: the window could not start: {e}");
        std::process::exit(1);
    }
}
