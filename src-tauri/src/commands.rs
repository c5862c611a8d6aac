//! Tauri commands: one per model [`Command`], each converting its request,
//! calling one `Console` method on the blocking pool (so the window never
//! waits) and returning the model's answer. [`console_commands!`] writes
//! them; the few that need the window (a dialog, a channel) are by hand.

use crate::confirm::{self, PickedFolders};
use crate::Shared;
use cairn_console::Console;
use cairn_model::api::*;
use cairn_model::*;
use std::sync::Arc;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

/// Runs a console call on the blocking pool.
async fn engine<T, F>(state: &State<'_, Shared>, f: F) -> Reply<T>
where
    T: Send + 'static,
    F: FnOnce(&Arc<Console>) -> cairn_console::Result<T> + Send + 'static,
{
    let console: Arc<Console> = state.0.clone()?;
    tauri::async_runtime::spawn_blocking(move || f(&console).map_err(ApiError::from))
        .await
        .map_err(|e| ApiError::new(ErrorKind::Internal, format!("the request failed: {e}")))?
}

/// `name(Request) |console, req| body;` becomes the Tauri command `name`,
/// answering `<Request as Command>::Response`, and a line of [`HANDLED`].
macro_rules! console_commands {
    ($( $name:ident($req:ty) |$c:ident, $r:ident| $body:expr; )*) => {
        $(
            #[tauri::command]
            pub async fn $name(
                state: State<'_, Shared>,
                req: $req,
            ) -> Reply<<$req as Command>::Response> {
                engine(&state, move |$c| {
                    let $r = req;
                    $body
                })
                .await
            }
        )*
        /// Every handled command: the function's name and its request's
        /// `Command::NAME`, which must be the same.
        #[cfg(test)]
        pub const HANDLED: &[(&str, &str)] = &[
            $((stringify!($name), <$req as Command>::NAME),)*
            ("pick_folder", PickFolder::NAME),
            ("this_computer", ThisComputer::NAME),
            ("exit_console", ExitConsole::NAME),
            ("preview_schedule", PreviewSchedule::NAME),
            ("watch_session", WatchSession::NAME),
            ("save_job", SaveJob::NAME),
            ("add_repository", AddRepository::NAME),
            ("restore_items", RestoreItems::NAME),
        ];
        /// The invoke handler with every command.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke<tauri::Wry>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![
                $($name,)* pick_folder, this_computer, exit_console, preview_schedule, watch_session,
                save_job, restore_items, add_repository
            ]
        }
    };
}

console_commands! {
    list_repositories(ListRepositories) |c, _r| c.repository_rows();
    list_jobs(ListJobs) |c, _r| c.job_rows();
    list_backups(ListBackups) |c, _r| c.backup_rows();
    list_sessions(ListSessions) |c, r| c.session_rows(&r);
    list_external_repositories(ListExternalRepositories) |c, _r| c.external_repository_rows();
    list_protection_groups(ListProtectionGroups) |c, _r| c.protection_group_rows();
    list_group_machines(ListGroupMachines) |c, _r| c.all_machine_rows();
    list_machines_of_group(ListMachinesOfGroup) |c, r| c.machine_rows(&r.name);
    check_group_step(CheckGroupStep) |c, r| c.check_group_step(&r);
    add_protection_group(AddProtectionGroup) |c, r| c.apply_add_group(&r);
    edit_protection_group(EditProtectionGroup) |c, r| c.apply_edit_group(&r);
    get_protection_group(GetProtectionGroup) |c, r| c.group_details(&r.name);
    remove_protection_group(RemoveProtectionGroup) |c, r| c.remove_group(&r.name);
    rescan_protection_group(RescanProtectionGroup) |c, r| {
        let takeover = if r.take_over { cairn_console::Takeover::Yes } else { cairn_console::Takeover::No };
        c.start_group_rescan(&r.name, takeover)
    };
    list_service_providers(ListServiceProviders) |c, _r| c.service_provider_rows();
    get_status(GetStatus) |c, _r| c.status();
    wait_sessions_changed(WaitSessionsChanged) |c, r| {
        Ok(c.wait_sessions_changed(r.seen, std::time::Duration::from_secs(25)))
    };
    get_settings(GetSettings) |c, _r| c.ui_settings();
    save_settings(SaveSettings) |c, r| c.save_ui_settings(&r.settings);
    check_repository_step(CheckRepositoryStep) |c, r| {
        c.check_repository_step(r.step, &r.name, &r.target, r.editing.as_deref())
    };
    get_repository(GetRepository) |c, r| c.repository_details(&r.name);
    edit_repository(EditRepository) |c, r| {
        let (rec, log) = c.edit_repository(&r.name, &r.new_name, &r.description, &r.target)?;
        Ok(AddRepositoryResult { repository: c.repository_row(rec.id)?, log })
    };
    remove_repository(RemoveRepository) |c, r| c.remove_repository(&r.name);
    list_credentials(ListCredentials) |c, _r| c.credential_rows();
    put_credential(PutCredential) |c, r| {
        let secret = cairn_console::Sensitive::new(r.secret.0.clone());
        c.put_credential(&r.name, r.kind, &r.identity, &secret, &r.description, &r.hint)
            .map(|_| ())
    };
    delete_credential(DeleteCredential) |c, r| c.delete_credential(&r.name);
    list_restore_points(ListRestorePoints) |c, r| c.restore_point_rows(&r.backup);
    open_browser(OpenBrowser) |c, r| {
        let pw = r.password.as_ref().map(|p| p.0.as_str()).filter(|p| !p.is_empty());
        c.open_browser(&r.backup, &r.point, pw).map(|(_, info)| info)
    };
    list_volumes(ListVolumes) |c, r| {
        let pw = r.password.as_ref().map(|p| p.0.as_str()).filter(|p| !p.is_empty());
        c.volumes(&r.backup, &r.point, pw).map(|(_, v)| v)
    };
    probe_volume_target(ProbeVolumeTarget) |_c, r| cairn_console::probe_volume_target(&r.path);
    start_volume_task(StartVolumeTask) |c, r| c.start_volume_task(&r);
    close_browser(CloseBrowser) |c, r| {
        c.close_browser(r.id);
        Ok(())
    };
    browse_folder(BrowseFolder) |c, r| {
        if r.compare {
            c.browser_compare(r.id, &r.path)
        } else {
            c.browser_list(r.id, &r.path)
        }
    };
    search_point(SearchPoint) |c, r| c.browser_search(r.id, &r.pattern, r.limit as usize);
    cancel_restore(CancelRestore) |c, r| c.browser_cancel(r.id);
    item_versions(ItemVersions) |c, r| c.browser_version_rows(r.id, &r.path);
    open_item(OpenItem) |c, r| {
        c.browser_open(r.id, &r.path).map(|f| f.to_string_lossy().into_owned())
    };
    compare_points(ComparePoints) |c, r| c.browser_differences(r.id, &r.other);
    check_job_step(CheckJobStep) |c, r| c.check_job_step(r.step, &r.spec, r.editing.as_deref());
    get_job(GetJob) |c, r| c.job_spec(&r.name);
    job_action(RunJobAction) |c, r| c.job_action(&r.name, r.action);
    clone_job(CloneJob) |c, r| c.clone_job(&r.name).map(|j| j.name);
    delete_job(DeleteJob) |c, r| c.delete_job(&r.name, r.delete_backups);
    get_session(GetSession) |c, r| c.session_details(r.id, 0);
    unwatch_session(UnwatchSession) |c, r| { c.unwatch_session(r.watch); Ok(()) };
    last_job_session(LastJobSession) |c, r| c.last_job_session(&r.name);
    check_external_step(CheckExternalStep) |c, r| {
        c.check_external_step(r.step, &r.name, &r.target, r.password_name.as_deref())
    };
    connect_external(ConnectExternal) |c, r| c.connect_external_and_rescan(&r);
    rescan_external(RescanExternal) |c, r| c.start_rescan(r.name.as_deref());
    rescan_repository(RescanRepository) |c, r| c.start_repository_rescan(&r.name);
    get_config_backup(GetConfigBackup) |c, _r| {
        Ok(ConfigBackupView { settings: c.config_backup_settings()?, next_run: c.config_backup_next_run()? })
    };
    save_config_backup(SaveConfigBackup) |c, r| c.set_config_backup_settings(&r.settings);
    backup_configuration_now(BackupConfigurationNow) |c, _r| c.backup_configuration_now();
    restore_configuration(RestoreConfiguration) |c, r| {
        let pw = r.password.as_ref().map(|p| p.0.as_str()).filter(|p| !p.is_empty());
        c.restore_configuration(&r.repository, None, pw, false).map(|r| r.summary())
    };
    remove_external(RemoveExternal) |c, r| c.remove_external(&r.name);
}

/// ☰ → Exit: ends the event loop; `main`'s exit handler then removes
/// what goes with the console.
#[tauri::command]
pub async fn exit_console(app: tauri::AppHandle, req: ExitConsole) -> Reply<()> {
    let _ = req;
    app.exit(0);
    Ok(())
}

#[tauri::command]
pub async fn this_computer(req: ThisComputer) -> Reply<String> {
    let _ = req;
    Ok(cairn_console::machine_name())
}

#[tauri::command]
pub async fn preview_schedule(req: PreviewSchedule) -> Reply<Vec<i64>> {
    Ok(cairn_console::schedule::next_runs_unix(
        &req.schedule,
        cairn_console::now(),
        req.count,
    ))
}

/// Streams a session's counters, log lines and end over `on_event`; the
/// stream ends with the session, when the window stops listening, or at
/// `unwatch_session` with the id answered.
#[tauri::command]
pub async fn watch_session(
    state: State<'_, Shared>,
    req: WatchSession,
    on_event: tauri::ipc::Channel<SessionEvent>,
) -> Reply<u64> {
    let send = Box::new(move |ev: SessionEvent| on_event.send(ev).is_ok());
    engine(&state, move |c| c.watch_session(req.id, send)).await
}

/// Runs work that may wait for a native dialog on the blocking pool: the
/// dialog blocks its thread until the user answers, never the window.
async fn blocking<T, F>(f: F) -> Reply<T>
where
    T: Send + 'static,
    F: FnOnce() -> Reply<T> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::new(ErrorKind::Internal, format!("the request failed: {e}")))?
}

/// Finish of the job wizard: a script the job did not run before is
/// confirmed in a native dialog first (see [`confirm`]).
#[tauri::command]
pub async fn save_job(
    app: tauri::AppHandle,
    state: State<'_, Shared>,
    req: SaveJob,
) -> Reply<SavedJob> {
    let console: Arc<Console> = state.0.clone()?;
    blocking(move || {
        let before = match &req.editing {
            Some(name) => Some(console.job_spec(name)?.settings.guest),
            None => None,
        };
        let new = confirm::new_scripts(before.as_ref(), &req.spec.settings.guest);
        confirm::scripts(&app, &req.spec.name, &new)?;
        Ok(console.save_job_from_wizard(&req)?)
    })
    .await
}

/// Finish of the Add Backup Repository wizard: a local folder the user did
/// not pick in the folder dialog is confirmed in a native dialog first.
#[tauri::command]
pub async fn add_repository(
    app: tauri::AppHandle,
    state: State<'_, Shared>,
    picked: State<'_, PickedFolders>,
    req: AddRepository,
) -> Reply<AddRepositoryResult> {
    let console: Arc<Console> = state.0.clone()?;
    let picked = picked.inner().clone();
    blocking(move || {
        confirm::repository_folder(&app, &picked, &req.target)?;
        let (rec, log) = console.add_repository(&req.name, &req.description, &req.target)?;
        Ok(AddRepositoryResult {
            repository: console.repository_row(rec.id)?,
            log,
        })
    })
    .await
}

/// Restore of the Backup Browser: a Copy to folder the user did not pick
/// in the folder dialog is confirmed in a native dialog first.
#[tauri::command]
pub async fn restore_items(
    app: tauri::AppHandle,
    state: State<'_, Shared>,
    picked: State<'_, PickedFolders>,
    req: RestoreItems,
) -> Reply<RestoreOutcome> {
    let console: Arc<Console> = state.0.clone()?;
    if let RestoreTarget::CopyTo { folder, .. } = &req.target {
        let (app, folder) = (app.clone(), folder.clone());
        let picked = picked.inner().clone();
        blocking(move || confirm::copy_to(&app, &picked, &folder)).await?;
    }
    blocking(move || Ok(console.browser_restore_items(&req, Arc::new(cairn_console::NoProgress))?))
        .await
}

#[tauri::command]
pub async fn pick_folder(
    app: tauri::AppHandle,
    picked: State<'_, PickedFolders>,
    req: PickFolder,
) -> Reply<Option<String>> {
    use tauri_plugin_dialog::DialogExt;
    let picked = picked.inner().clone();
    blocking(move || {
        let folder = app
            .dialog()
            .file()
            .set_title(&req.title)
            .blocking_pick_folder()
            .and_then(|p| p.into_path().ok());
        if let Some(f) = &folder {
            picked.add(f);
        }
        Ok(folder.map(|p| p.to_string_lossy().into_owned()))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::HANDLED;

    #[test]
    fn every_model_command_has_a_handler_of_its_name() {
        for (function, name) in HANDLED {
            assert_eq!(function, name, "handler {function} answers {name}");
        }
        for name in cairn_model::api::COMMAND_NAMES {
            assert!(
                HANDLED.iter().any(|(_, n)| n == name),
                "the model's command {name} has no handler in the shell"
            );
        }
    }
}
