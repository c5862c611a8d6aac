//! Tauri commands: request DTO in → one engine call → DTO out.

use crate::Shared;
use cairn_engine::Console;
use cairn_model::api::*;
use cairn_model::*;
use std::sync::Arc;
use tauri::State;

type Reply<T> = Result<T, ApiError>;

/// Runs an engine call on the blocking pool so the window never waits.
async fn engine<T, F>(state: &State<'_, Shared>, f: F) -> Reply<T>
where
    T: Send + 'static,
    F: FnOnce(&Console) -> cairn_engine::Result<T> + Send + 'static,
{
    let console: Arc<Console> = state.0.clone()?;
    tauri::async_runtime::spawn_blocking(move || f(&console).map_err(ApiError::from))
        .await
        .map_err(|e| ApiError::new(ErrorKind::Internal, format!("the request failed: {e}")))?
}

#[tauri::command]
pub async fn list_repositories(
    state: State<'_, Shared>,
    req: ListRepositories,
) -> Reply<Vec<RepositoryRow>> {
    let _ = req;
    engine(&state, |c| c.repository_rows()).await
}

#[tauri::command]
pub async fn list_jobs(state: State<'_, Shared>, req: ListJobs) -> Reply<Vec<JobRow>> {
    let _ = req;
    engine(&state, |c| c.job_rows()).await
}

#[tauri::command]
pub async fn list_backups(state: State<'_, Shared>, req: ListBackups) -> Reply<Vec<BackupRow>> {
    let _ = req;
    engine(&state, |c| c.backup_rows()).await
}

#[tauri::command]
pub async fn list_sessions(state: State<'_, Shared>, req: ListSessions) -> Reply<Vec<SessionRow>> {
    engine(&state, move |c| {
        let rows = match req.scope {
            SessionScope::Running => c.running_rows()?,
            SessionScope::Last24Hours => c.recent_rows(req.result)?,
            SessionScope::History => c.history_rows()?,
        };
        Ok(rows
            .into_iter()
            .filter(|s| req.kind.is_none() || Some(s.kind) == req.kind)
            .filter(|s| req.result.is_none() || s.result == req.result)
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn list_external_repositories(
    state: State<'_, Shared>,
    req: ListExternalRepositories,
) -> Reply<Vec<ExternalRepositoryRow>> {
    let _ = req;
    engine(&state, |c| c.external_repository_rows()).await
}

#[tauri::command]
pub async fn list_protection_groups(
    state: State<'_, Shared>,
    req: ListProtectionGroups,
) -> Reply<Vec<ProtectionGroupRow>> {
    let _ = req;
    engine(&state, |c| c.protection_group_rows()).await
}

#[tauri::command]
pub async fn list_service_providers(
    state: State<'_, Shared>,
    req: ListServiceProviders,
) -> Reply<Vec<ServiceProviderRow>> {
    let _ = req;
    engine(&state, |c| c.service_provider_rows()).await
}

#[tauri::command]
pub async fn get_status(state: State<'_, Shared>, req: GetStatus) -> Reply<ConsoleStatus> {
    let _ = req;
    engine(&state, |c| c.status()).await
}

#[tauri::command]
pub async fn get_settings(state: State<'_, Shared>, req: GetSettings) -> Reply<UiSettings> {
    let _ = req;
    engine(&state, |c| c.ui_settings()).await
}

#[tauri::command]
pub async fn save_settings(state: State<'_, Shared>, req: SaveSettings) -> Reply<()> {
    engine(&state, move |c| c.save_ui_settings(&req.settings)).await
}

#[tauri::command]
pub async fn check_repository_step(
    state: State<'_, Shared>,
    req: CheckRepositoryStep,
) -> Reply<Vec<String>> {
    engine(&state, move |c| {
        c.check_repository_step(req.step, &req.name, &req.target, req.editing.as_deref())
    })
    .await
}

#[tauri::command]
pub async fn get_repository(
    state: State<'_, Shared>,
    req: GetRepository,
) -> Reply<RepositoryDetails> {
    engine(&state, move |c| c.repository_details(&req.name)).await
}

#[tauri::command]
pub async fn edit_repository(
    state: State<'_, Shared>,
    req: EditRepository,
) -> Reply<AddRepositoryResult> {
    engine(&state, move |c| {
        let (rec, log) =
            c.edit_repository(&req.name, &req.new_name, &req.description, &req.target)?;
        repository_result(c, rec.id, log)
    })
    .await
}

fn repository_result(
    c: &cairn_engine::Console,
    id: i64,
    log: Vec<String>,
) -> cairn_engine::Result<AddRepositoryResult> {
    let repository = c
        .repository_rows()?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| cairn_engine::Error::internal("the repository is missing"))?;
    Ok(AddRepositoryResult { repository, log })
}

#[tauri::command]
pub async fn add_repository(
    state: State<'_, Shared>,
    req: AddRepository,
) -> Reply<AddRepositoryResult> {
    engine(&state, move |c| {
        let (rec, log) = c.add_repository(&req.name, &req.description, &req.target)?;
        repository_result(c, rec.id, log)
    })
    .await
}

#[tauri::command]
pub async fn remove_repository(state: State<'_, Shared>, req: RemoveRepository) -> Reply<()> {
    engine(&state, move |c| c.remove_repository(&req.name)).await
}

#[tauri::command]
pub async fn list_credentials(
    state: State<'_, Shared>,
    req: ListCredentials,
) -> Reply<Vec<CredentialRow>> {
    let _ = req;
    engine(&state, |c| {
        Ok(c.credentials()?
            .into_iter()
            .map(|(r, used_by)| CredentialRow {
                name: r.name,
                kind: r.kind,
                identity: r.identity,
                description: r.description,
                hint: r.hint,
                edited: r.edited,
                used_by,
            })
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn put_credential(state: State<'_, Shared>, req: PutCredential) -> Reply<()> {
    engine(&state, move |c| {
        let secret = cairn_engine::secrets::Sensitive::new(req.secret.0);
        c.put_credential(
            &req.name,
            &req.kind,
            &req.identity,
            &secret,
            &req.description,
            &req.hint,
        )
        .map(|_| ())
    })
    .await
}

#[tauri::command]
pub async fn delete_credential(state: State<'_, Shared>, req: DeleteCredential) -> Reply<()> {
    engine(&state, move |c| c.delete_credential(&req.name)).await
}

#[tauri::command]
pub async fn list_restore_points(
    state: State<'_, Shared>,
    req: ListRestorePoints,
) -> Reply<Vec<RestorePointRow>> {
    engine(&state, move |c| c.restore_point_rows(&req.backup)).await
}

#[tauri::command]
pub async fn open_browser(state: State<'_, Shared>, req: OpenBrowser) -> Reply<BrowserPoint> {
    engine(&state, move |c| {
        let pw = req
            .password
            .as_ref()
            .map(|p| p.0.as_str())
            .filter(|p| !p.is_empty());
        c.open_browser(&req.backup, &req.point, pw)
            .map(|(_, info)| info)
    })
    .await
}

#[tauri::command]
pub async fn close_browser(state: State<'_, Shared>, req: CloseBrowser) -> Reply<()> {
    engine(&state, move |c| {
        c.close_browser(req.id);
        Ok(())
    })
    .await
}

#[tauri::command]
pub async fn browse_folder(
    state: State<'_, Shared>,
    req: BrowseFolder,
) -> Reply<Vec<BrowserEntry>> {
    engine(&state, move |c| {
        if req.compare {
            c.browser_compare(req.id, &req.path)
        } else {
            c.browser_list(req.id, &req.path)
        }
    })
    .await
}

#[tauri::command]
pub async fn search_point(state: State<'_, Shared>, req: SearchPoint) -> Reply<SearchResult> {
    engine(&state, move |c| {
        let (found, truncated) = c.browser_find(req.id, &req.pattern, req.limit as usize)?;
        Ok(SearchResult {
            items: found
                .into_iter()
                .map(|f| FoundItem {
                    path: f.path,
                    kind: f.kind.word().into(),
                    size: f.size,
                    mtime: f.mtime,
                })
                .collect(),
            truncated,
        })
    })
    .await
}

#[tauri::command]
pub async fn restore_items(state: State<'_, Shared>, req: RestoreItems) -> Reply<RestoreOutcome> {
    use cairn_engine::restore::Destination;
    engine(&state, move |c| {
        let (dest, preserve) = match &req.target {
            RestoreTarget::Overwrite => (Destination::Original { overwrite: true }, true),
            RestoreTarget::Keep => (Destination::Original { overwrite: false }, true),
            RestoreTarget::CopyTo {
                folder,
                preserve_permissions,
            } => {
                let p = std::path::PathBuf::from(folder.trim());
                if !p.is_absolute() {
                    return Err(cairn_engine::Error::invalid(format!(
                        "\"{folder}\" is not a full path; choose a folder such as /tmp/restored"
                    )));
                }
                (Destination::To(p), *preserve_permissions)
            }
        };
        let r = c.browser_restore(
            req.id,
            req.point.as_deref(),
            &req.paths,
            dest,
            preserve,
            req.changed_only,
            &req.reason,
            Arc::new(cairn_engine::progress::NoProgress),
        )?;
        Ok(RestoreOutcome {
            restored: r.files_restored,
            skipped: r.files_skipped,
            failed: r.failed,
            bytes: r.bytes_written,
        })
    })
    .await
}

#[tauri::command]
pub async fn cancel_restore(state: State<'_, Shared>, req: CancelRestore) -> Reply<()> {
    engine(&state, move |c| c.browser_cancel(req.id)).await
}

#[tauri::command]
pub async fn item_versions(state: State<'_, Shared>, req: ItemVersions) -> Reply<Vec<VersionRow>> {
    engine(&state, move |c| {
        Ok(c.browser_versions(req.id, &req.path)?
            .into_iter()
            .map(|v| VersionRow {
                point: v.point,
                time: v.time,
                size: v.size,
                mtime: v.mtime,
            })
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn open_item(state: State<'_, Shared>, req: OpenItem) -> Reply<String> {
    engine(&state, move |c| {
        let file = c.browser_extract(req.id, &req.path)?;
        // The desktop's default application; the window does not wait for it.
        let mut child = std::process::Command::new("xdg-open")
            .arg(&file)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| {
                cairn_engine::Error::internal(format!(
                    "{} was extracted but could not be opened (xdg-open: {e})",
                    file.display()
                ))
            })?;
        std::thread::spawn(move || child.wait());
        Ok(file.to_string_lossy().into_owned())
    })
    .await
}

#[tauri::command]
pub async fn compare_points(
    state: State<'_, Shared>,
    req: ComparePoints,
) -> Reply<Vec<PointDifference>> {
    engine(&state, move |c| {
        Ok(c.browser_diff(req.id, &req.other)?
            .into_iter()
            .map(|d| PointDifference {
                path: d.path,
                change: match d.change {
                    cairn_engine::explore::Change::Added => "added",
                    cairn_engine::explore::Change::Deleted => "deleted",
                    cairn_engine::explore::Change::Changed => "changed",
                }
                .into(),
                kind: d.kind.word().into(),
                size: d.size,
            })
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn pick_folder(app: tauri::AppHandle, req: PickFolder) -> Reply<Option<String>> {
    use tauri_plugin_dialog::DialogExt;
    // The dialog blocks its thread until the user answers, never the window.
    tauri::async_runtime::spawn_blocking(move || {
        app.dialog()
            .file()
            .set_title(&req.title)
            .blocking_pick_folder()
            .and_then(|p| p.into_path().ok())
            .map(|p| p.to_string_lossy().into_owned())
    })
    .await
    .map_err(|e| {
        ApiError::new(
            ErrorKind::Internal,
            format!("the folder dialog failed: {e}"),
        )
    })
}

/// Like [`engine`], for calls that start background work and need the
/// shared console.
async fn engine_arc<T, F>(state: &State<'_, Shared>, f: F) -> Reply<T>
where
    T: Send + 'static,
    F: FnOnce(&Arc<Console>) -> cairn_engine::Result<T> + Send + 'static,
{
    let console: Arc<Console> = state.0.clone()?;
    tauri::async_runtime::spawn_blocking(move || f(&console).map_err(ApiError::from))
        .await
        .map_err(|e| ApiError::new(ErrorKind::Internal, format!("the request failed: {e}")))?
}

#[tauri::command]
pub async fn check_job_step(state: State<'_, Shared>, req: CheckJobStep) -> Reply<()> {
    engine(&state, move |c| {
        c.check_job_step(req.step, &req.spec, req.editing.as_deref())
    })
    .await
}

#[tauri::command]
pub async fn save_job(state: State<'_, Shared>, req: SaveJob) -> Reply<SavedJob> {
    engine_arc(&state, move |c| {
        let j = c.save_backup_job(&req.spec, req.editing.as_deref(), None)?;
        let session = if req.run_now {
            Some(c.start_job(
                &j.name,
                cairn_engine::console::RunOptions {
                    note: Some("Started when the job wizard finished".into()),
                    ..Default::default()
                },
            )?)
        } else {
            None
        };
        Ok(SavedJob {
            name: j.name,
            session,
            next_run: j.next_run,
        })
    })
    .await
}

#[tauri::command]
pub async fn get_job(state: State<'_, Shared>, req: GetJob) -> Reply<BackupJobSpec> {
    engine(&state, move |c| c.job_spec(&req.name)).await
}

#[tauri::command]
pub async fn job_action(state: State<'_, Shared>, req: RunJobAction) -> Reply<Option<i64>> {
    use cairn_engine::console::RunOptions;
    engine_arc(&state, move |c| {
        let start = |note: &str, full: bool| {
            c.start_job(
                &req.name,
                RunOptions {
                    note: Some(note.into()),
                    full,
                    ..Default::default()
                },
            )
            .map(Some)
        };
        match req.action {
            JobAction::Start => start("Started by the user", false),
            JobAction::Retry => start("Retried by the user", false),
            JobAction::ActiveFull => start("Active full started by the user", true),
            JobAction::Stop => c.stop_job(&req.name).map(|_| None),
            JobAction::Enable => c.set_job_enabled(&req.name, true).map(|_| None),
            JobAction::Disable => c.set_job_enabled(&req.name, false).map(|_| None),
        }
    })
    .await
}

#[tauri::command]
pub async fn clone_job(state: State<'_, Shared>, req: CloneJob) -> Reply<String> {
    engine(&state, move |c| c.clone_job(&req.name).map(|j| j.name)).await
}

#[tauri::command]
pub async fn delete_job(state: State<'_, Shared>, req: DeleteJob) -> Reply<()> {
    engine(&state, move |c| c.delete_job(&req.name, req.delete_backups)).await
}

#[tauri::command]
pub async fn get_session(state: State<'_, Shared>, req: GetSession) -> Reply<SessionDetails> {
    engine(&state, move |c| c.session_details(req.id, 0)).await
}

#[tauri::command]
pub async fn last_job_session(state: State<'_, Shared>, req: LastJobSession) -> Reply<Option<i64>> {
    engine(&state, move |c| {
        let j = c.job_named(&req.name)?;
        c.catalog()?.last_job_session(j.id)
    })
    .await
}

#[tauri::command]
pub async fn this_computer(req: ThisComputer) -> Reply<String> {
    let _ = req;
    Ok(cairn_engine::console::machine_name())
}

/// Streams a session's progress and new log lines over a channel, a few
/// times a second, until it ends or the window stops listening.
#[tauri::command]
pub async fn watch_session(
    state: State<'_, Shared>,
    req: GetSession,
    on_event: tauri::ipc::Channel<SessionEvent>,
) -> Reply<()> {
    let console: Arc<Console> = state.0.clone()?;
    std::thread::spawn(move || {
        let mut last_line = 0i64;
        let mut last_progress = None;
        loop {
            let Ok(d) = console.session_details(req.id, last_line) else {
                return;
            };
            if let Some(l) = d.log.last() {
                last_line = l.id;
            }
            let mut sent = true;
            if !d.log.is_empty() {
                sent &= on_event.send(SessionEvent::Log { lines: d.log }).is_ok();
            }
            if d.progress.is_some() && d.progress != last_progress {
                last_progress = d.progress.clone();
                if let Some(progress) = d.progress {
                    sent &= on_event.send(SessionEvent::Progress { progress }).is_ok();
                }
            }
            if d.row.ended.is_some() {
                let _ = on_event.send(SessionEvent::Finished { row: d.row });
                return;
            }
            if !sent {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(300));
        }
    });
    Ok(())
}

#[tauri::command]
pub async fn preview_schedule(req: PreviewSchedule) -> Reply<Vec<i64>> {
    Ok(cairn_engine::schedule::next_runs_unix(
        &req.schedule,
        cairn_engine::catalog::now(),
        req.count,
    ))
}

#[tauri::command]
pub async fn check_external_step(
    state: State<'_, Shared>,
    req: CheckExternalStep,
) -> Reply<ExternalProbe> {
    engine(&state, move |c| {
        c.check_external_step(
            req.step,
            &req.name,
            &req.target,
            req.password_name.as_deref(),
        )
    })
    .await
}

#[tauri::command]
pub async fn connect_external(
    state: State<'_, Shared>,
    req: ConnectExternal,
) -> Reply<ConnectedExternal> {
    engine_arc(&state, move |c| {
        let (rec, mut log) = c.connect_external(
            &req.name,
            &req.description,
            &req.target,
            req.password_name.as_deref(),
            req.take_ownership,
        )?;
        // Finishing starts a rescan (History → System).
        let rescan_session = match c.start_rescan(Some(&rec.name)) {
            Ok(s) => {
                log.push("Rescan started".into());
                Some(s)
            }
            Err(e) => {
                log.push(format!("The rescan did not start: {e}"));
                None
            }
        };
        let repository = c
            .external_repository_rows()?
            .into_iter()
            .find(|r| r.id == rec.id)
            .ok_or_else(|| cairn_engine::Error::internal("the new external repository vanished"))?;
        Ok(ConnectedExternal {
            repository,
            log,
            rescan_session,
        })
    })
    .await
}

#[tauri::command]
pub async fn rescan_external(state: State<'_, Shared>, req: RescanExternal) -> Reply<i64> {
    engine_arc(&state, move |c| c.start_rescan(req.name.as_deref())).await
}

#[tauri::command]
pub async fn remove_external(state: State<'_, Shared>, req: RemoveExternal) -> Reply<()> {
    engine(&state, move |c| c.remove_external(&req.name)).await
}
