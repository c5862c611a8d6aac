//! New Agent Backup Job (seed 004): Job Mode, Name, Computers, Backup Mode,
//! Objects, Destination, Storage, Backup Cache, Guest Processing, Schedule,
//! Summary, shown or hidden as the choices require. Every step is checked
//! by the backend (the same checks `cairn job create backup` runs) before
//! Next; Back keeps what was entered; Edit reopens the saved job.

use super::frame::{ConfirmDiscard, WizardFrame};
use super::password::PasswordPicker;
use crate::api::call;
use cairn_model::api::*;
use cairn_model::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// How the wizard was opened.
#[derive(Debug, Clone, PartialEq)]
pub enum JobWizardMode {
    /// Backup Job ▾ Linux computer / Windows computer / This computer.
    New(AgentOs, bool),
    /// Backup Copy (true: opened from External Repository → Backup Copy,
    /// so Objects → Add starts at From backups).
    NewCopy(bool),
    /// Edit an existing job.
    Edit(Box<BackupJobSpec>),
}

/// One row of the From backups tree: a backup of a machine.
#[derive(Debug, Clone, PartialEq)]
struct PickBackup {
    id: String,
    repository: String,
    job: String,
    machine: String,
    platform: String,
    external: bool,
    points: u32,
}

/// A new, enabled job with these settings, scheduled by default.
fn new_spec(mut settings: BackupJobSettings) -> BackupJobSpec {
    settings.schedule.enabled = true;
    BackupJobSpec {
        settings,
        enabled: true,
        ..Default::default()
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split([',', '\n'])
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

/// The daily from–to hours of a saved window (as the wizard writes them:
/// the same range every day), for Edit.
fn range_of(w: &WeekHours, default: (u8, u8)) -> (String, String) {
    let on = |h: u8| w.allows(Weekday::Monday, h % 24);
    let from = (0..24u8).find(|h| on(*h) && !on(*h + 23));
    let to = (0..24u8).find(|h| !on(*h) && on(*h + 23));
    let (f, t) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        _ => default,
    };
    (f.to_string(), t.to_string())
}

fn num(s: &str, what: &str) -> Result<u32, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("{what}: enter a whole number"))
}

fn radio(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    checked: impl Fn() -> bool + Send + Sync + 'static,
    on: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <label class="field check radio">
            <input id=id type="radio" name=name prop:checked=checked on:change=move |_| on() />
            <span>{label}</span>
        </label>
    }
}

/// "Automatic retry: retry failed job N times, waiting M minutes".
fn retry_row(on: RwSignal<bool>, times: RwSignal<String>, wait: RwSignal<String>) -> impl IntoView {
    view! {
        <div class="sched-row">
            <label class="check"><input id="job-retry" type="checkbox" prop:checked=move || on.get() on:change=move |ev| on.set(event_target_checked(&ev)) /><span>"Automatic retry: retry failed job"</span></label>
            <input id="job-retry-times" class="short" type="number" min="1" prop:value=move || times.get() on:input=move |ev| times.set(event_target_value(&ev)) />
            <span>"times, waiting"</span>
            <input id="job-retry-wait" class="short" type="number" min="1" prop:value=move || wait.get() on:input=move |ev| wait.set(event_target_value(&ev)) />
            <span>"minutes"</span>
        </div>
    }
}

/// The Summary's retention, GFS and encryption in words.
fn storage_words(sp: &BackupJobSpec) -> (String, String, String) {
    let s = &sp.settings;
    let retention = match s.retention {
        Retention::Points(n) => format!("{n} restore points"),
        Retention::Days(n) => format!("{n} days"),
    };
    let gfs = if s.gfs == Gfs::default() {
        "off".to_string()
    } else {
        format!(
            "weekly {} weeks, monthly {} months, yearly {} years",
            s.gfs.weekly, s.gfs.monthly, s.gfs.yearly
        )
    };
    let enc = if sp.encrypt {
        format!(
            "on, password {}",
            s.password_name.clone().unwrap_or_default()
        )
    } else {
        "off".into()
    };
    (retention, gfs, enc)
}

fn hour_select(id: &'static str, sig: RwSignal<String>) -> impl IntoView {
    view! {
        <select id=id prop:value=move || sig.get() on:change=move |ev| sig.set(event_target_value(&ev))>
            {(0..=24).map(|h| {
                let v = h.to_string();
                let v2 = v.clone();
                view! { <option value=v.clone() selected=move || sig.get() == v2>{format!("{h:02}:00")}</option> }
            }).collect_view()}
        </select>
    }
}

#[component]
pub fn JobWizard(mode: JobWizardMode, on_close: Callback<Option<i64>>) -> impl IntoView {
    let (initial, editing, this_pc) = match &mode {
        JobWizardMode::New(os, this) => (
            new_spec(BackupJobSettings {
                os: *os,
                ..Default::default()
            }),
            None,
            *this,
        ),
        JobWizardMode::NewCopy(_) => (
            new_spec(BackupJobSettings {
                copy: Some(CopySettings::default()),
                ..Default::default()
            }),
            None,
            false,
        ),
        JobWizardMode::Edit(spec) => ((**spec).clone(), Some(spec.name.clone()), false),
    };
    let from_external = matches!(mode, JobWizardMode::NewCopy(true));
    let is_copy = initial.settings.copy.is_some();
    // Backup copy: what Objects → Add offers.
    let adding = RwSignal::new(None::<&'static str>);
    let pick_backups = RwSignal::new(Vec::<PickBackup>::new());
    let pick_repos = RwSignal::new(Vec::<(String, bool)>::new());
    let copy_exclusions = RwSignal::new(
        initial
            .settings
            .copy
            .as_ref()
            .map(|c| c.exclusions.join(", "))
            .unwrap_or_default(),
    );
    if is_copy {
        spawn_local(async move {
            if let Ok(rows) = call(&ListBackups {}).await {
                let mut v: Vec<PickBackup> = rows
                    .into_iter()
                    .map(|b| PickBackup {
                        id: b.id,
                        repository: b.repository,
                        job: b.job_name,
                        machine: b.machine,
                        platform: b.platform,
                        external: b.location == BackupLocation::External,
                        points: b.restore_points,
                    })
                    .collect();
                // External repositories first: their root backups are what
                // a copy of public cloud backups picks.
                v.sort_by(|a, b| {
                    (!a.external, &a.repository, &a.job, &a.machine).cmp(&(
                        !b.external,
                        &b.repository,
                        &b.job,
                        &b.machine,
                    ))
                });
                pick_backups.set(v);
            }
            let mut repos = Vec::new();
            if let Ok(e) = call(&ListExternalRepositories {}).await {
                repos.extend(e.into_iter().map(|r| (r.name, true)));
            }
            if let Ok(r) = call(&ListRepositories {}).await {
                repos.extend(r.into_iter().map(|r| (r.name, false)));
            }
            pick_repos.set(repos);
        });
        if from_external {
            adding.set(Some("backups"));
        }
    }
    let is_edit = editing.is_some();
    let s0 = initial.settings.clone();
    let spec = RwSignal::new(initial.clone());
    let current = RwSignal::new(0usize);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let confirm_cancel = RwSignal::new(false);
    let run_now = RwSignal::new(!is_edit && initial.settings.copy.is_none());

    // Text fields kept as typed; parsed when leaving the step.
    let name = RwSignal::new(initial.name.clone());
    let description = RwSignal::new(initial.description.clone());
    let computer_input = RwSignal::new(String::new());
    let computer_search = RwSignal::new(String::new());
    let picking_computer = RwSignal::new(false);
    let folder_input = RwSignal::new(String::new());
    let include_masks = RwSignal::new(s0.include_masks.join(", "));
    let exclude_masks = RwSignal::new(s0.exclude_masks.join(", "));
    let volume_input = RwSignal::new(String::new());
    let (ret_n, ret_unit) = match s0.retention {
        Retention::Points(n) => (n, "points"),
        Retention::Days(n) => (n, "days"),
    };
    let retention = RwSignal::new(ret_n.to_string());
    let retention_unit = RwSignal::new(ret_unit.to_string());
    let gfs_on = RwSignal::new(s0.gfs != Gfs::default());
    let gfs_w = RwSignal::new(s0.gfs.weekly.to_string());
    let gfs_m = RwSignal::new(s0.gfs.monthly.to_string());
    let gfs_y = RwSignal::new(s0.gfs.yearly.to_string());
    let advanced = RwSignal::new(false);
    let repositories = RwSignal::new(Vec::<RepositoryRow>::new());
    let cache_location = RwSignal::new(if s0.cache.location.is_empty() {
        "/var/cache/cairn".to_string()
    } else {
        s0.cache.location.clone()
    });
    let cache_size = RwSignal::new(if s0.cache.size_gb == 0 {
        "10".to_string()
    } else {
        s0.cache.size_gb.to_string()
    });
    let pre_script = RwSignal::new(s0.guest.pre_script.clone());
    let post_script = RwSignal::new(s0.guest.post_script.clone());
    // Schedule.
    let sched_kind = RwSignal::new(
        match &s0.schedule.kind {
            ScheduleKind::Daily { .. } => "daily",
            ScheduleKind::Monthly { .. } => "monthly",
            ScheduleKind::Periodic { .. } => "periodic",
            ScheduleKind::After { .. } => "after",
        }
        .to_string(),
    );
    let (d_time, d_days) = match &s0.schedule.kind {
        ScheduleKind::Daily { time, days } => (time.clone(), days.clone()),
        _ => ("22:00".to_string(), Weekday::ALL.to_vec()),
    };
    let daily_time = RwSignal::new(d_time);
    let days_mode = RwSignal::new(
        if d_days.len() == 7 {
            "everyday"
        } else if d_days == Weekday::ALL[..5] {
            "weekdays"
        } else {
            "these"
        }
        .to_string(),
    );
    let days = RwSignal::new(d_days);
    let (m_time, m_day) = match &s0.schedule.kind {
        ScheduleKind::Monthly { time, day, .. } => (
            time.clone(),
            match day {
                MonthDay::Last => "last".to_string(),
                MonthDay::Day { day } => day.to_string(),
                MonthDay::Weekday { .. } => "1".to_string(),
            },
        ),
        _ => ("22:00".to_string(), "1".to_string()),
    };
    let monthly_time = RwSignal::new(m_time);
    let monthly_day = RwSignal::new(m_day);
    let (p_every, p_unit, p_perm) = match &s0.schedule.kind {
        ScheduleKind::Periodic {
            every,
            unit,
            permitted,
        } => (*every, *unit, Some(*permitted)),
        _ => (1, PeriodUnit::Hours, None),
    };
    let every = RwSignal::new(p_every.to_string());
    let every_unit = RwSignal::new(
        if p_unit == PeriodUnit::Hours {
            "hours"
        } else {
            "minutes"
        }
        .to_string(),
    );
    let permitted_on = RwSignal::new(p_perm.is_some_and(|p| p.count() < 168));
    let (pf, pt) = range_of(&p_perm.unwrap_or(WeekHours::ALWAYS), (8, 18));
    let permitted_from = RwSignal::new(pf);
    let permitted_to = RwSignal::new(pt);
    let after_job = RwSignal::new(match &s0.schedule.kind {
        ScheduleKind::After { job } => job.clone(),
        _ => String::new(),
    });
    let other_jobs = RwSignal::new(Vec::<String>::new());
    let next_starts = RwSignal::new(Vec::<i64>::new());
    // This computer's name, asked once: "This computer" adds it, and the
    // list marks it.
    let me = RwSignal::new(String::new());
    let add_computer = move |name: String| {
        if name.trim().is_empty() {
            return;
        }
        spec.update(|s| {
            if !s.settings.computers.contains(&name) {
                s.settings.computers.push(name)
            }
        })
    };
    spawn_local(async move {
        if let Ok(n) = call(&ThisComputer {}).await {
            me.set(n.clone());
            if this_pc {
                add_computer(n);
            }
        }
    });
    let retry_on = RwSignal::new(s0.schedule.retry.enabled);
    let retry_times = RwSignal::new(s0.schedule.retry.times.to_string());
    let retry_wait = RwSignal::new(s0.schedule.retry.wait_minutes.to_string());
    let window_on = RwSignal::new(s0.schedule.window.is_some());
    let (wf, wt) = range_of(&s0.schedule.window.unwrap_or(WeekHours::ALWAYS), (20, 6));
    let window_from = RwSignal::new(wf);
    let window_to = RwSignal::new(wt);

    // What the lists offer.
    spawn_local(async move {
        if let Ok(r) = call(&ListRepositories {}).await {
            if spec.get_untracked().repository.is_empty() {
                if let Some(first) = r.first() {
                    spec.update(|s| s.repository = first.name.clone());
                }
            }
            repositories.set(r);
        }
    });
    {
        let editing = editing.clone();
        spawn_local(async move {
            if let Ok(j) = call(&ListJobs {}).await {
                other_jobs.set(
                    j.into_iter()
                        .filter(|j| j.kind == JobKind::Backup)
                        .map(|j| j.name)
                        .filter(|n| editing.as_deref() != Some(n.as_str()))
                        .collect(),
                );
            }
        });
    }

    let steps = Signal::derive(move || JobStep::shown(&spec.get().settings));
    let step = move || {
        let v = steps.get();
        v[current.get().min(v.len() - 1)]
    };
    let step_labels = Signal::derive(move || {
        let s = spec.get().settings;
        steps.get().into_iter().map(|st| st.title(&s)).collect()
    });
    // The Summary shows when the job would start next.
    Effect::new(move |_| {
        if step() == JobStep::Summary {
            let schedule = spec.get_untracked().settings.schedule;
            spawn_local(async move {
                if let Ok(v) = call(&PreviewSchedule { schedule, count: 3 }).await {
                    next_starts.set(v);
                }
            });
        }
    });

    // Reads the typed fields of a step into the spec.
    let collect = move |st: JobStep| -> Result<(), String> {
        let mut sp = spec.get_untracked();
        let s = &mut sp.settings;
        match st {
            JobStep::Name => {
                sp.name = name.get_untracked().trim().to_string();
                sp.description = description.get_untracked();
            }
            JobStep::Objects if s.copy.is_some() => {
                if let Some(c) = s.copy.as_mut() {
                    c.exclusions = split_list(&copy_exclusions.get_untracked());
                }
            }
            JobStep::Objects => {
                s.include_masks = split_list(&include_masks.get_untracked());
                s.exclude_masks = split_list(&exclude_masks.get_untracked());
                let pending = folder_input.get_untracked().trim().to_string();
                if !pending.is_empty() && s.backup_mode == BackupMode::File {
                    if !s.includes.contains(&pending) {
                        s.includes.push(pending);
                    }
                    folder_input.set(String::new());
                }
                let pending = volume_input.get_untracked().trim().to_string();
                if !pending.is_empty() && s.backup_mode == BackupMode::Volume {
                    if !s.volumes.contains(&pending) {
                        s.volumes.push(pending);
                    }
                    volume_input.set(String::new());
                }
            }
            JobStep::Storage => {
                let n = num(&retention.get_untracked(), "Retention")?;
                s.retention = if retention_unit.get_untracked() == "days" {
                    Retention::Days(n)
                } else {
                    Retention::Points(n)
                };
                s.gfs = if gfs_on.get_untracked() {
                    Gfs {
                        weekly: num(&gfs_w.get_untracked(), "Weekly")?,
                        monthly: num(&gfs_m.get_untracked(), "Monthly")?,
                        yearly: num(&gfs_y.get_untracked(), "Yearly")?,
                    }
                } else {
                    Gfs::default()
                };
            }
            JobStep::BackupCache => {
                s.cache.location = cache_location.get_untracked().trim().to_string();
                s.cache.size_gb = num(&cache_size.get_untracked(), "Cache size")?;
            }
            JobStep::GuestProcessing => {
                s.guest.pre_script = pre_script.get_untracked().trim().to_string();
                s.guest.post_script = post_script.get_untracked().trim().to_string();
            }
            JobStep::Schedule => {
                s.schedule.kind = match sched_kind.get_untracked().as_str() {
                    "monthly" => ScheduleKind::Monthly {
                        time: monthly_time.get_untracked(),
                        day: match monthly_day.get_untracked().as_str() {
                            "last" => MonthDay::Last,
                            d => MonthDay::Day {
                                day: d.parse().unwrap_or(1),
                            },
                        },
                        months: (1..=12).collect(),
                    },
                    "periodic" => ScheduleKind::Periodic {
                        every: num(&every.get_untracked(), "Run every")?,
                        unit: if every_unit.get_untracked() == "hours" {
                            PeriodUnit::Hours
                        } else {
                            PeriodUnit::Minutes
                        },
                        permitted: if permitted_on.get_untracked() {
                            WeekHours::hours(
                                &Weekday::ALL,
                                permitted_from.get_untracked().parse().unwrap_or(0),
                                permitted_to.get_untracked().parse().unwrap_or(24),
                            )
                        } else {
                            WeekHours::ALWAYS
                        },
                    },
                    "after" => ScheduleKind::After {
                        job: after_job.get_untracked(),
                    },
                    _ => ScheduleKind::Daily {
                        time: daily_time.get_untracked(),
                        days: match days_mode.get_untracked().as_str() {
                            "everyday" => Weekday::ALL.to_vec(),
                            "weekdays" => Weekday::ALL[..5].to_vec(),
                            _ => days.get_untracked(),
                        },
                    },
                };
                s.schedule.retry = Retry {
                    enabled: retry_on.get_untracked(),
                    times: num(&retry_times.get_untracked(), "Retry")?,
                    wait_minutes: num(&retry_wait.get_untracked(), "Wait")?,
                };
                s.schedule.window = window_on.get_untracked().then(|| {
                    WeekHours::hours(
                        &Weekday::ALL,
                        window_from.get_untracked().parse().unwrap_or(0),
                        window_to.get_untracked().parse().unwrap_or(24),
                    )
                });
            }
            _ => {}
        }
        spec.set(sp);
        Ok(())
    };

    let on_next = Callback::new({
        let editing = editing.clone();
        move |_| {
            if busy.get_untracked() {
                return;
            }
            error.set(None);
            confirm_cancel.set(false);
            let st = step();
            if let Err(e) = collect(st) {
                error.set(Some(e));
                return;
            }
            let editing = editing.clone();
            busy.set(true);
            spawn_local(async move {
                let sp = spec.get_untracked();
                if st == JobStep::Summary {
                    let run = run_now.get_untracked() && sp.settings.copy.is_none();
                    match call(&SaveJob {
                        spec: sp,
                        editing,
                        run_now: run,
                    })
                    .await
                    {
                        Ok(saved) => {
                            busy.set(false);
                            on_close.run(Some(saved.session.unwrap_or(0)));
                        }
                        Err(e) => {
                            busy.set(false);
                            error.set(Some(e.message));
                        }
                    }
                    return;
                }
                let r = call(&CheckJobStep {
                    step: st,
                    spec: sp,
                    editing,
                })
                .await;
                busy.set(false);
                match r {
                    Ok(()) => current.update(|c| *c += 1),
                    Err(e) => error.set(Some(e.message)),
                }
            });
        }
    });
    let on_back = Callback::new(move |_| {
        error.set(None);
        let _ = collect(step());
        current.update(|c| *c = c.saturating_sub(1));
    });
    let on_cancel = Callback::new(move |_| {
        if confirm_cancel.get_untracked() {
            on_close.run(None);
        } else {
            confirm_cancel.set(true);
        }
    });
    let can_back = Signal::derive(move || current.get() > 0);
    let next_label = Signal::derive(move || {
        if step() == JobStep::Summary {
            "Finish"
        } else {
            "Next >"
        }
    });

    let set = move |f: &dyn Fn(&mut BackupJobSettings)| spec.update(|s| f(&mut s.settings));
    let pick_folder = move |_| {
        spawn_local(async move {
            match call(&PickFolder {
                title: "Choose a folder to back up".into(),
            })
            .await
            {
                Ok(Some(f)) => spec.update(|s| {
                    if !s.settings.includes.contains(&f) {
                        s.settings.includes.push(f);
                    }
                }),
                Ok(None) => {}
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let page = move || -> AnyView {
        let sp = spec.get();
        let s = sp.settings.clone();
        let copy = s.copy.clone();
        let title = step().title(&s);
        match step() {
            JobStep::Name if copy.is_some() => view! {
                <h2>"Job"</h2>
                <p class="hint">"A backup copy job copies restore points of backups (for example the root backups a cloud backup appliance wrote into an external repository) into a backup repository, from which files can be restored."</p>
                <label class="field" for="job-name"><span>"Name:"</span>
                    <input id="job-name" type="text" autocomplete="off" placeholder="Cloud backups copy" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <label class="field" for="job-description"><span>"Description:"</span>
                    <textarea id="job-description" rows="3" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                </label>
                <fieldset class="group">
                    <legend>"Copy mode"</legend>
                    {radio("copy-mode-immediate", "cmode", "Immediate copy (mirroring)", move || spec.get().settings.copy.is_some_and(|c| c.mode == CopyMode::Immediate), move || set(&|s| if let Some(c) = s.copy.as_mut() { c.mode = CopyMode::Immediate }))}
                    <p class="hint indent">"New restore points are copied as soon as they appear in the source: after the backup job that writes them, or the rescan that finds them."</p>
                    {radio("copy-mode-periodic", "cmode", "Periodic copy (pruning)", move || spec.get().settings.copy.is_some_and(|c| c.mode == CopyMode::Periodic), move || set(&|s| if let Some(c) = s.copy.as_mut() { c.mode = CopyMode::Periodic }))}
                    <p class="hint indent">"On the job's schedule, the restore points that appeared since the last run are copied."</p>
                </fieldset>
            }.into_any(),
            JobStep::Objects if copy.is_some() => {
                let add_source = move |src: CopySource| {
                    error.set(None);
                    set(&move |s| {
                        if let Some(c) = s.copy.as_mut() {
                            if !c.sources.contains(&src) {
                                c.sources.push(src.clone());
                            }
                        }
                    })
                };
                view! {
                    <h2>"Objects"</h2>
                    <p class="hint">"Backups to copy: root backups in external repositories or backup repositories, the backups of jobs, or every backup of a repository."</p>
                    <div class="list-with-buttons">
                        <ul class="pick-list" id="copy-objects">
                            {move || {
                                let list = spec.get().settings.copy.map(|c| c.sources).unwrap_or_default();
                                if list.is_empty() {
                                    return view! { <li class="empty">"Nothing to copy yet. Click Add."</li> }.into_any();
                                }
                                list.into_iter().map(|src| {
                                    let gone = src.clone();
                                    let what = match src.kind { CopySourceKind::Backup => "Backup", CopySourceKind::Job => "Job", CopySourceKind::Repository => "Repository" };
                                    view! {
                                        <li class="copy-object"><span class="glyph icon-backup"></span>
                                            <span>{src.label.clone()}</span>
                                            <span class="hint-inline">{format!(" {what}{}", if src.repository.is_empty() { String::new() } else { format!(" in {}", src.repository) })}</span>
                                            <button class="link remove-item" on:click=move |_| { let g = gone.clone(); set(&move |s| if let Some(c) = s.copy.as_mut() { c.sources.retain(|x| *x != g) }) }>"Remove"</button>
                                        </li>
                                    }
                                }).collect_view().into_any()
                            }}
                        </ul>
                        <div class="side-buttons">
                            <button id="copy-add" on:click=move |_| adding.update(|a| *a = if a.is_some() { None } else { Some("menu") })>"Add ▾"</button>
                        </div>
                    </div>
                    {move || match adding.get() {
                        Some("menu") => view! {
                            <ul class="dropdown inline-menu" id="copy-add-menu">
                                <li><button id="copy-add-jobs" on:click=move |_| adding.set(Some("jobs"))>"From jobs…"</button></li>
                                <li><button id="copy-add-repos" on:click=move |_| adding.set(Some("repos"))>"From repositories…"</button></li>
                                <li><button id="copy-add-backups" on:click=move |_| adding.set(Some("backups"))>"From backups…"</button></li>
                            </ul>
                        }.into_any(),
                        Some("backups") => {
                            let rows = pick_backups.get();
                            if rows.is_empty() {
                                return view! { <div class="picker" id="copy-backups-tree"><p class="empty">"No backups yet. Connect an external repository and rescan it, or run a backup job."</p></div> }.into_any();
                            }
                            // repository → backup (job or policy) → machine
                            let mut last_repo = String::new();
                            let mut last_job = String::new();
                            let mut items = Vec::new();
                            for b in rows {
                                if b.repository != last_repo {
                                    last_repo = b.repository.clone();
                                    last_job.clear();
                                    items.push(view! { <li class="pick-repo"><span class=if b.external { "glyph icon-cloud" } else { "glyph icon-repo" }></span>{format!("{}{}", b.repository, if b.external { " (external repository)" } else { "" })}</li> }.into_any());
                                }
                                if b.job != last_job {
                                    last_job = b.job.clone();
                                    items.push(view! { <li class="pick-job indent"><span class="glyph icon-backup"></span>{b.job.clone()}</li> }.into_any());
                                }
                                let src = CopySource {
                                    kind: CopySourceKind::Backup,
                                    repository: b.repository.clone(),
                                    backup: b.id.clone(),
                                    job: String::new(),
                                    label: format!("{} / {} ({})", b.job, b.machine, b.platform),
                                };
                                items.push(view! {
                                    <li class="pick-machine indent2">
                                        <span class="glyph icon-group"></span>
                                        <span>{format!("{} ({}, {} restore points)", b.machine, b.platform, b.points)}</span>
                                        <button class="copy-pick link" data-backup=b.id.clone() data-machine=b.machine.clone() on:click=move |_| add_source(src.clone())>"Add"</button>
                                    </li>
                                }.into_any());
                            }
                            view! {
                                <div class="picker" id="copy-backups-tree">
                                    <p class="hint">"Backups → machines. Any root backup in an external repository can be selected."</p>
                                    <ul class="pick-tree">{items}</ul>
                                    <button id="copy-pick-done" on:click=move |_| adding.set(None)>"Done"</button>
                                </div>
                            }.into_any()
                        }
                        Some("jobs") => view! {
                            <div class="picker" id="copy-jobs">
                                <ul class="pick-tree">
                                    {other_jobs.get().into_iter().map(|j| {
                                        let src = CopySource { kind: CopySourceKind::Job, job: j.clone(), label: format!("Job {j}"), ..Default::default() };
                                        view! { <li><span class="glyph icon-job"></span>{j.clone()}<button class="copy-pick link" data-job=j.clone() on:click=move |_| add_source(src.clone())>"Add"</button></li> }
                                    }).collect_view()}
                                </ul>
                                <button id="copy-pick-done" on:click=move |_| adding.set(None)>"Done"</button>
                            </div>
                        }.into_any(),
                        Some(_) => view! {
                            <div class="picker" id="copy-repos">
                                <ul class="pick-tree">
                                    {pick_repos.get().into_iter().map(|(r, ext)| {
                                        let src = CopySource { kind: CopySourceKind::Repository, repository: r.clone(), label: format!("Every backup in {r}"), ..Default::default() };
                                        view! { <li><span class=if ext { "glyph icon-cloud" } else { "glyph icon-repo" }></span>{format!("{r}{}", if ext { " (external)" } else { "" })}<button class="copy-pick link" data-repo=r.clone() on:click=move |_| add_source(src.clone())>"Add"</button></li> }
                                    }).collect_view()}
                                </ul>
                                <button id="copy-pick-done" on:click=move |_| adding.set(None)>"Done"</button>
                            </div>
                        }.into_any(),
                        None => ().into_any(),
                    }}
                    <label class="field" for="copy-exclusions"><span>"Exclusions (machines not copied):"</span>
                        <input id="copy-exclusions" type="text" placeholder="i-0abc123, vm-test" prop:value=move || copy_exclusions.get() on:input=move |ev| copy_exclusions.set(event_target_value(&ev)) />
                    </label>
                }.into_any()
            }
            JobStep::Schedule if copy.as_ref().is_some_and(|c| c.mode == CopyMode::Immediate) => view! {
                <h2>"Schedule"</h2>
                <p class="hint">"Immediate copy: new restore points are copied as soon as they appear in the source."</p>
                <fieldset class="group">
                    <legend>"Copy"</legend>
                    {radio("copy-any-time", "cwin", "Any time (continuously)", move || !window_on.get(), move || window_on.set(false))}
                    <div class="sched-row">
                        {radio("copy-permitted", "cwin", "During the following time periods only: from", move || window_on.get(), move || window_on.set(true))}
                        {hour_select("job-window-from", window_from)}<span>"to"</span>{hour_select("job-window-to", window_to)}
                    </div>
                </fieldset>
                {retry_row(retry_on, retry_times, retry_wait)}
            }.into_any(),
            JobStep::JobMode => view! {
                <h2>"Job Mode"</h2>
                <p class="hint">{format!("Protection settings for {} computers.", s.os.label())}</p>
                <fieldset class="group">
                    <legend>"Type"</legend>
                    {radio("job-type-workstation", "type", "Workstation", move || spec.get().settings.computer_type == ComputerType::Workstation, move || set(&|s| s.computer_type = ComputerType::Workstation))}
                    {radio("job-type-server", "type", "Server", move || spec.get().settings.computer_type == ComputerType::Server, move || set(&|s| s.computer_type = ComputerType::Server))}
                    {(s.os == AgentOs::Windows).then(|| radio("job-type-cluster", "type", "Failover cluster", move || spec.get().settings.computer_type == ComputerType::FailoverCluster, move || set(&|s| s.computer_type = ComputerType::FailoverCluster)))}
                    {(s.os == AgentOs::Linux).then(|| view! { <p class="hint">"Failover clusters are not available for Linux computers."</p> })}
                </fieldset>
                <fieldset class="group">
                    <legend>"Mode"</legend>
                    {radio("job-mode-server", "mode", "Managed by backup server", move || spec.get().settings.management == Management::BackupServer, move || set(&|s| s.management = Management::BackupServer))}
                    <p class="hint indent">"Cairn runs the job, like any other job."</p>
                    {radio("job-mode-agent", "mode", "Managed by agent", move || spec.get().settings.management == Management::Agent, move || set(&|s| s.management = Management::Agent))}
                    <p class="hint indent">"A backup policy: a template the agents on the computers run."</p>
                </fieldset>
            }.into_any(),
            JobStep::Name => view! {
                <h2>"Name"</h2>
                <label class="field" for="job-name"><span>"Name:"</span>
                    <input id="job-name" type="text" autocomplete="off" placeholder="Daily documents" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </label>
                <label class="field" for="job-description"><span>"Description:"</span>
                    <textarea id="job-description" rows="4" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                </label>
            }.into_any(),
            JobStep::Computers => {
                let add_this = move |_| {
                    add_computer(me.get_untracked());
                    picking_computer.set(false);
                };
                let add_named = move |_| {
                    let n = computer_input.get_untracked().trim().to_string();
                    if n.is_empty() {
                        error.set(Some("Type the computer's name or address".into()));
                        return;
                    }
                    add_computer(n);
                    computer_input.set(String::new());
                    picking_computer.set(false);
                };
                view! {
                    <h2>"Computers"</h2>
                    <p class="hint">"Computers or protection groups whose data the job backs up. Other computers are backed up through their agent."</p>
                    <div class="list-with-buttons">
                        <ul class="pick-list" id="job-computers">
                            {move || {
                                let q = computer_search.get().to_lowercase();
                                let list: Vec<String> = spec.get().settings.computers.into_iter().filter(|c| c.to_lowercase().contains(&q)).collect();
                                if list.is_empty() {
                                    return view! { <li class="empty">"No computers yet. Click Add…"</li> }.into_any();
                                }
                                list.into_iter().map(|c| {
                                    let c2 = c.clone();
                                    view! {
                                        <li class="computer-row"><span class="glyph icon-group"></span>{c.clone()}
                                            {(c == me.get()).then(|| view! { <span class="hint-inline">" (this computer)"</span> })}
                                            <button class="link remove-item" title="Remove" on:click=move |_| spec.update(|s| s.settings.computers.retain(|x| *x != c2))>"Remove"</button>
                                        </li>
                                    }
                                }).collect_view().into_any()
                            }}
                        </ul>
                        <div class="side-buttons">
                            <button id="job-add-computer" on:click=move |_| picking_computer.update(|p| *p = !*p)>"Add…"</button>
                        </div>
                    </div>
                    <input id="job-computer-search" class="filter" type="search" placeholder="Type in an object name to search for" prop:value=move || computer_search.get() on:input=move |ev| computer_search.set(event_target_value(&ev)) />
                    {move || picking_computer.get().then(|| view! {
                        <div class="picker" id="computer-picker">
                            <button id="job-add-this" on:click=add_this>"This computer"</button>
                            <span class="field inline">
                                <input id="job-computer-name" type="text" placeholder="Individual computer: name or address" prop:value=move || computer_input.get() on:input=move |ev| computer_input.set(event_target_value(&ev))
                                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { ev.stop_propagation(); ev.prevent_default(); } />
                                <button id="job-computer-add" on:click=add_named>"Add"</button>
                            </span>
                        </div>
                    })}
                }.into_any()
            }
            JobStep::BackupMode => view! {
                <h2>"Backup Mode"</h2>
                {radio("job-backup-entire", "bmode", "Entire computer", move || spec.get().settings.backup_mode == BackupMode::EntireComputer, move || set(&|s| s.backup_mode = BackupMode::EntireComputer))}
                <p class="hint indent">"An image of every disk: restore the whole computer, or volumes and files from it."</p>
                {radio("job-backup-volume", "bmode", "Volume level backup", move || spec.get().settings.backup_mode == BackupMode::Volume, move || set(&|s| s.backup_mode = BackupMode::Volume))}
                <p class="hint indent">"Images of chosen volumes (block devices or disk image files)."</p>
                {radio("job-backup-file", "bmode", "File level backup", move || spec.get().settings.backup_mode == BackupMode::File, move || set(&|s| s.backup_mode = BackupMode::File))}
                <p class="hint indent">"Chosen folders and files, with include and exclude masks."</p>
            }.into_any(),
            JobStep::Objects if s.backup_mode == BackupMode::Volume => view! {
                <h2>"Objects"</h2>
                <p class="hint">"Block devices (/dev/sdb1) or disk image files, read whole in fixed-size blocks; holes of sparse images are skipped."</p>
                <ul class="pick-list" id="job-volumes">
                    {move || spec.get().settings.volumes.into_iter().map(|v| {
                        let v2 = v.clone();
                        view! { <li class="volume-row">{v.clone()}<button class="link remove-item" on:click=move |_| spec.update(|s| s.settings.volumes.retain(|x| *x != v2))>"Remove"</button></li> }
                    }).collect_view()}
                </ul>
                <span class="field inline">
                    <input id="job-volume-input" type="text" placeholder="/dev/sdb1 or /srv/disk.img" prop:value=move || volume_input.get() on:input=move |ev| volume_input.set(event_target_value(&ev))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { ev.stop_propagation(); ev.prevent_default(); } />
                    <button id="job-volume-add" on:click=move |_| {
                        let v = volume_input.get_untracked().trim().to_string();
                        if !v.is_empty() { spec.update(|s| if !s.settings.volumes.contains(&v) { s.settings.volumes.push(v.clone()) }); volume_input.set(String::new()); }
                    }>"Add"</button>
                </span>
            }.into_any(),
            JobStep::Objects => view! {
                <h2>"Objects"</h2>
                <p class="hint">"Folders and files to back up."</p>
                <ul class="pick-list" id="job-folders">
                    {move || {
                        let l = spec.get().settings.includes;
                        if l.is_empty() {
                            return view! { <li class="empty">"No folders yet. Type a path and click Add, or Browse…"</li> }.into_any();
                        }
                        l.into_iter().map(|f| {
                            let f2 = f.clone();
                            view! { <li class="folder-row" data-path=f.clone()><span class="folder-icon"></span>{f.clone()}<button class="link remove-item" on:click=move |_| spec.update(|s| s.settings.includes.retain(|x| *x != f2))>"Remove"</button></li> }
                        }).collect_view().into_any()
                    }}
                </ul>
                <span class="field inline">
                    <input id="job-folder-input" type="text" placeholder="/home/user/Documents" prop:value=move || folder_input.get() on:input=move |ev| folder_input.set(event_target_value(&ev))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Enter" { ev.stop_propagation(); ev.prevent_default(); } />
                    <button id="job-folder-add" on:click=move |_| {
                        let f = folder_input.get_untracked().trim().to_string();
                        if !f.is_empty() { spec.update(|s| if !s.settings.includes.contains(&f) { s.settings.includes.push(f.clone()) }); folder_input.set(String::new()); }
                    }>"Add"</button>
                    <button id="job-folder-browse" on:click=pick_folder>"Browse…"</button>
                </span>
                <label class="field" for="job-include-masks"><span>"Include masks (only files matching these; empty: all):"</span>
                    <input id="job-include-masks" type="text" placeholder="*.docx, *.pdf" prop:value=move || include_masks.get() on:input=move |ev| include_masks.set(event_target_value(&ev)) />
                </label>
                <label class="field" for="job-exclude-masks"><span>"Exclude masks (exclude wins):"</span>
                    <input id="job-exclude-masks" type="text" placeholder="*.tmp, cache/" prop:value=move || exclude_masks.get() on:input=move |ev| exclude_masks.set(event_target_value(&ev)) />
                </label>
            }.into_any(),
            JobStep::Destination => view! {
                <h2>"Destination"</h2>
                <p class="hint">"Where the agents of this policy store backups."</p>
                {[Destination::LocalStorage, Destination::SharedFolder, Destination::BackupRepository, Destination::CloudRepository].into_iter().map(|d| {
                    let id = match d { Destination::LocalStorage => "job-dest-local", Destination::SharedFolder => "job-dest-share", Destination::BackupRepository => "job-dest-repo", Destination::CloudRepository => "job-dest-cloud" };
                    radio(id, "dest", d.label(), move || spec.get().settings.destination == d, move || set(&move |s| s.destination = d))
                }).collect_view()}
            }.into_any(),
            JobStep::Storage => view! {
                <h2>{title}</h2>
                <label class="field" for="job-repository"><span>"Backup repository:"</span>
                    <select id="job-repository" prop:value=move || spec.get().repository on:change=move |ev| { let v = event_target_value(&ev); spec.update(|s| s.repository = v) }>
                        {move || repositories.get().into_iter().map(|r| {
                            let n = r.name.clone();
                            let n2 = n.clone();
                            view! { <option value=n.clone() selected=move || spec.get().repository == n2>{format!("{} ({})", r.name, r.kind.label())}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <div class="field inline">
                    <span>"Retention policy:"</span>
                    <input id="job-retention" class="short" type="number" min="1" prop:value=move || retention.get() on:input=move |ev| retention.set(event_target_value(&ev)) />
                    <select id="job-retention-unit" prop:value=move || retention_unit.get() on:change=move |ev| retention_unit.set(event_target_value(&ev))>
                        <option value="points" selected=move || retention_unit.get() == "points">"restore points"</option>
                        <option value="days" selected=move || retention_unit.get() == "days">"days"</option>
                    </select>
                </div>
                {copy.is_some().then(|| view! {
                    <label class="field check"><input id="copy-read-entire" type="checkbox" prop:checked=move || spec.get().settings.copy.is_some_and(|c| c.read_entire)
                        on:change=move |ev| { let on = event_target_checked(&ev); set(&move |s| if let Some(c) = s.copy.as_mut() { c.read_entire = on }) } />
                        <span>"Read the entire restore point from source instead of synthesizing it"</span></label>
                })}
                <label class="field check"><input id="job-gfs" type="checkbox" prop:checked=move || gfs_on.get() on:change=move |ev| gfs_on.set(event_target_checked(&ev)) /><span>"Keep certain full backups longer for archival purposes (GFS)"</span></label>
                {move || gfs_on.get().then(|| view! {
                    <div class="indent gfs">
                        <span class="field inline"><span>"Weekly for"</span><input id="job-gfs-weekly" class="short" type="number" min="0" prop:value=move || gfs_w.get() on:input=move |ev| gfs_w.set(event_target_value(&ev)) /><span>"weeks"</span></span>
                        <span class="field inline"><span>"Monthly for"</span><input id="job-gfs-monthly" class="short" type="number" min="0" prop:value=move || gfs_m.get() on:input=move |ev| gfs_m.set(event_target_value(&ev)) /><span>"months"</span></span>
                        <span class="field inline"><span>"Yearly for"</span><input id="job-gfs-yearly" class="short" type="number" min="0" prop:value=move || gfs_y.get() on:input=move |ev| gfs_y.set(event_target_value(&ev)) /><span>"years"</span></span>
                    </div>
                })}
                <button id="job-advanced" class="link" on:click=move |_| advanced.update(|a| *a = !*a)>{move || if advanced.get() { "Advanced ▴" } else { "Advanced…" }}</button>
                {move || (advanced.get() || spec.get().encrypt).then(|| view! {
                    <div class="advanced" id="job-advanced-page">
                        <label class="field" for="job-compression"><span>"Compression level:"</span>
                            <select id="job-compression" on:change=move |ev| { let v = event_target_value(&ev); spec.update(|s| s.settings.compression = Compression::ALL.into_iter().find(|c| c.label() == v).unwrap_or_default()) }>
                                {Compression::ALL.into_iter().map(|c| view! { <option value=c.label() selected=move || spec.get().settings.compression == c>{c.label()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label class="field check"><input id="job-encrypt" type="checkbox" prop:checked=move || spec.get().encrypt on:change=move |ev| { let on = event_target_checked(&ev); spec.update(|s| s.encrypt = on) } /><span>"Enable backup file encryption"</span></label>
                        {move || spec.get().encrypt.then(|| view! {
                            <PasswordPicker prefix="job" error purpose="Job encryption password"
                                selected=Signal::derive(move || spec.get().settings.password_name)
                                on_select=Callback::new(move |v: Option<String>| spec.update(|s| s.settings.password_name = v)) />
                        })}
                    </div>
                })}
            }.into_any(),
            JobStep::BackupCache => view! {
                <h2>"Backup Cache"</h2>
                <label class="field check"><input id="job-cache" type="checkbox" prop:checked=move || spec.get().settings.cache.enabled on:change=move |ev| { let on = event_target_checked(&ev); spec.update(|s| s.settings.cache.enabled = on) } /><span>"Enable backup cache (restore points wait on the computer while the target is unreachable)"</span></label>
                <label class="field" for="job-cache-location"><span>"Location:"</span><input id="job-cache-location" type="text" prop:value=move || cache_location.get() on:input=move |ev| cache_location.set(event_target_value(&ev)) /></label>
                <span class="field inline"><span>"Maximum size:"</span><input id="job-cache-size" class="short" type="number" min="1" prop:value=move || cache_size.get() on:input=move |ev| cache_size.set(event_target_value(&ev)) /><span>"GB"</span></span>
            }.into_any(),
            JobStep::GuestProcessing => view! {
                <h2>"Guest Processing"</h2>
                <p class="hint">"Scripts on the computer: the pre-job script runs before the backup (its failure fails the run), the post-job script after it (its failure is a warning)."</p>
                <label class="field" for="job-pre-script"><span>"Pre-job script:"</span><input id="job-pre-script" type="text" placeholder="/usr/local/bin/freeze-db.sh" prop:value=move || pre_script.get() on:input=move |ev| pre_script.set(event_target_value(&ev)) /></label>
                <label class="field" for="job-post-script"><span>"Post-job script:"</span><input id="job-post-script" type="text" placeholder="/usr/local/bin/thaw-db.sh" prop:value=move || post_script.get() on:input=move |ev| post_script.set(event_target_value(&ev)) /></label>
            }.into_any(),
            JobStep::Schedule => view! {
                <h2>"Schedule"</h2>
                <label class="field check"><input id="job-schedule-auto" type="checkbox" prop:checked=move || spec.get().settings.schedule.enabled on:change=move |ev| { let on = event_target_checked(&ev); spec.update(|s| s.settings.schedule.enabled = on) } /><span>"Run the job automatically"</span></label>
                <fieldset class="group" disabled=move || !spec.get().settings.schedule.enabled>
                    <div class="sched-row">
                        {radio("job-sched-daily", "sched", "Daily at this time:", move || sched_kind.get() == "daily", move || sched_kind.set("daily".into()))}
                        <input id="job-daily-time" type="time" prop:value=move || daily_time.get() on:input=move |ev| daily_time.set(event_target_value(&ev)) />
                        <select id="job-days-mode" prop:value=move || days_mode.get() on:change=move |ev| days_mode.set(event_target_value(&ev))>
                            <option value="everyday" selected=move || days_mode.get() == "everyday">"Everyday"</option>
                            <option value="weekdays" selected=move || days_mode.get() == "weekdays">"On weekdays"</option>
                            <option value="these" selected=move || days_mode.get() == "these">"On these days"</option>
                        </select>
                    </div>
                    {move || (days_mode.get() == "these").then(|| view! {
                        <div class="days indent" id="job-days">
                            {Weekday::ALL.into_iter().map(|d| view! {
                                <label class="check day"><input id=format!("job-day-{}", d.short().to_lowercase()) type="checkbox" prop:checked=move || days.get().contains(&d)
                                    on:change=move |ev| { let on = event_target_checked(&ev); days.update(|v| { v.retain(|x| *x != d); if on { v.push(d); v.sort(); } }) } /><span>{d.short()}</span></label>
                            }).collect_view()}
                        </div>
                    })}
                    <div class="sched-row">
                        {radio("job-sched-monthly", "sched", "Monthly at this time:", move || sched_kind.get() == "monthly", move || sched_kind.set("monthly".into()))}
                        <input id="job-monthly-time" type="time" prop:value=move || monthly_time.get() on:input=move |ev| monthly_time.set(event_target_value(&ev)) />
                        <span>"on day"</span>
                        <select id="job-monthly-day" prop:value=move || monthly_day.get() on:change=move |ev| monthly_day.set(event_target_value(&ev))>
                            {(1..=31).map(|d| { let v = d.to_string(); let v2 = v.clone(); view! { <option value=v.clone() selected=move || monthly_day.get() == v2>{v.clone()}</option> } }).collect_view()}
                            <option value="last" selected=move || monthly_day.get() == "last">"Last"</option>
                        </select>
                    </div>
                    <div class="sched-row">
                        {radio("job-sched-periodic", "sched", "Periodically every:", move || sched_kind.get() == "periodic", move || sched_kind.set("periodic".into()))}
                        <input id="job-every" class="short" type="number" min="1" prop:value=move || every.get() on:input=move |ev| every.set(event_target_value(&ev)) />
                        <select id="job-every-unit" prop:value=move || every_unit.get() on:change=move |ev| every_unit.set(event_target_value(&ev))>
                            <option value="hours" selected=move || every_unit.get() == "hours">"hours"</option>
                            <option value="minutes" selected=move || every_unit.get() == "minutes">"minutes"</option>
                        </select>
                        <span class="sched-sub">
                            <label class="check"><input id="job-permitted" type="checkbox" prop:checked=move || permitted_on.get() on:change=move |ev| permitted_on.set(event_target_checked(&ev)) /><span>"only from"</span></label>
                            {hour_select("job-permitted-from", permitted_from)}<span>"to"</span>{hour_select("job-permitted-to", permitted_to)}
                        </span>
                    </div>
                    <div class="sched-row">
                        {radio("job-sched-after", "sched", "After this job:", move || sched_kind.get() == "after", move || sched_kind.set("after".into()))}
                        <select id="job-after" prop:value=move || after_job.get() on:change=move |ev| after_job.set(event_target_value(&ev))>
                            <option value="">"Choose a job…"</option>
                            {move || other_jobs.get().into_iter().map(|j| { let j2 = j.clone(); view! { <option value=j.clone() selected=move || after_job.get() == j2>{j.clone()}</option> } }).collect_view()}
                        </select>
                    </div>
                </fieldset>
                {retry_row(retry_on, retry_times, retry_wait)}
                <div class="sched-row">
                    <label class="check"><input id="job-window" type="checkbox" prop:checked=move || window_on.get() on:change=move |ev| window_on.set(event_target_checked(&ev)) /><span>"Terminate job if it exceeds allowed backup window: from"</span></label>
                    {hour_select("job-window-from", window_from)}<span>"to"</span>{hour_select("job-window-to", window_to)}
                </div>
            }.into_any(),
            JobStep::Summary if copy.is_some() => {
                let c = copy.clone().unwrap_or_default();
                let (retention, gfs, enc) = storage_words(&sp);
                let when = if c.mode == CopyMode::Immediate {
                    match &s.schedule.window {
                        Some(_) => "as soon as new restore points appear, in the permitted hours".to_string(),
                        None => "as soon as new restore points appear".to_string(),
                    }
                } else {
                    s.schedule.describe()
                };
                view! {
                    <h2>"Summary"</h2>
                    <dl class="summary" id="job-summary">
                        <dt>"Name"</dt><dd>{sp.name.clone()}</dd>
                        <dt>"Type"</dt><dd>{format!("Backup copy, {}", c.mode.label().to_lowercase())}</dd>
                        <dt>"Objects"</dt><dd id="job-summary-objects">{c.sources.iter().map(|s| s.label.clone()).collect::<Vec<_>>().join("; ")}</dd>
                        {(!c.exclusions.is_empty()).then(|| view! { <dt>"Exclusions"</dt><dd>{c.exclusions.join(", ")}</dd> })}
                        <dt>"Target"</dt><dd>{sp.repository.clone()}</dd>
                        <dt>"Retention"</dt><dd>{retention}</dd>
                        <dt>"GFS"</dt><dd>{gfs}</dd>
                        <dt>"Read entire points"</dt><dd>{if c.read_entire { "yes" } else { "no (chunks already copied are not read again)" }}</dd>
                        <dt>"Compression"</dt><dd>{s.compression.label()}</dd>
                        <dt>"Encryption"</dt><dd>{enc}</dd>
                        <dt>"Schedule"</dt><dd id="job-summary-schedule">{when}</dd>
                    </dl>
                    <label class="field check"><input id="job-enable-now" type="checkbox" prop:checked=move || spec.get().enabled on:change=move |ev| { let on = event_target_checked(&ev); spec.update(|s| s.enabled = on) } /><span>"Enable the job when I click Finish"</span></label>
                }.into_any()
            }
            JobStep::Summary => {
                let repo = sp.repository.clone();
                let objects = match s.backup_mode {
                    BackupMode::EntireComputer => "every disk of the computer".to_string(),
                    BackupMode::Volume => s.volumes.join(", "),
                    BackupMode::File => {
                        let mut o = s.includes.join(", ");
                        if !s.include_masks.is_empty() { o.push_str(&format!("; only {}", s.include_masks.join(", "))); }
                        if !s.exclude_masks.is_empty() { o.push_str(&format!("; excluding {}", s.exclude_masks.join(", "))); }
                        o
                    }
                };
                let (retention, gfs, enc) = storage_words(&sp);
                view! {
                    <h2>"Summary"</h2>
                    <dl class="summary" id="job-summary">
                        <dt>"Name"</dt><dd>{sp.name.clone()}</dd>
                        <dt>"Type"</dt><dd>{format!("{} {}, {}", s.os.label(), s.computer_type.label().to_lowercase(), s.management.label().to_lowercase())}</dd>
                        <dt>"Computers"</dt><dd>{s.computers.join(", ")}</dd>
                        <dt>"Backup mode"</dt><dd>{s.backup_mode.label()}</dd>
                        <dt>"Objects"</dt><dd>{objects}</dd>
                        <dt>"Target"</dt><dd>{repo}</dd>
                        <dt>"Retention"</dt><dd>{retention}</dd>
                        <dt>"GFS"</dt><dd>{gfs}</dd>
                        <dt>"Compression"</dt><dd>{s.compression.label()}</dd>
                        <dt>"Encryption"</dt><dd>{enc}</dd>
                        {(!s.guest.pre_script.is_empty() || !s.guest.post_script.is_empty()).then(|| view! { <dt>"Scripts"</dt><dd>{format!("before: {}; after: {}", if s.guest.pre_script.is_empty() { "none" } else { &s.guest.pre_script }, if s.guest.post_script.is_empty() { "none" } else { &s.guest.post_script })}</dd> })}
                        <dt>"Schedule"</dt><dd id="job-summary-schedule">{s.schedule.describe()}</dd>
                        {move || {
                            let v = next_starts.get();
                            (!v.is_empty()).then(|| view! {
                                <dt>"Next starts"</dt><dd id="job-summary-next">{v.into_iter().map(crate::format::time).collect::<Vec<_>>().join("; ")}</dd>
                            })
                        }}
                    </dl>
                    <label class="field check"><input id="job-run-now" type="checkbox" prop:checked=move || run_now.get() on:change=move |ev| run_now.set(event_target_checked(&ev)) /><span>"Run the job when I click Finish"</span></label>
                }.into_any()
            }
        }
    };

    view! {
        <WizardFrame
            title=match (is_edit, is_copy) {
                (true, true) => format!("Edit Backup Copy Job: {}", initial.name),
                (true, false) => format!("Edit Agent Backup Job: {}", initial.name),
                (false, true) => "New Backup Copy Job".to_string(),
                (false, false) => "New Agent Backup Job".to_string(),
            }
            steps=step_labels
            current
            busy=busy.into()
            error=error.into()
            next_label
            on_next
            on_back
            on_cancel
            can_back
        >
            <div class="page-content job-page">{page}</div>
            <ConfirmDiscard show=confirm_cancel discard="Discard" keep="Keep editing"
                text=if is_edit { "Discard your changes?" } else { "Discard this job? What you entered is lost." }
                on_discard=Callback::new(move |_| on_close.run(None)) />
        </WizardFrame>
    }
}
