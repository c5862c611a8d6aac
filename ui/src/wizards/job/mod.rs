//! New Agent Backup Job (seed 004): Job Mode, Name, Computers, Backup Mode,
//! Objects, Destination, Storage, Backup Cache, Guest Processing, Schedule,
//! Summary, shown or hidden as the choices require. Every step is checked
//! by the backend (the same checks `cairn job create backup` runs) before
//! Next; Back keeps what was entered; Edit reopens the saved job.
//!
//! This module holds the wizard's frame and navigation; `form` the typed
//! state; `lists` what the lists offer; one module per step.

mod basics;
mod cache;
mod computers;
mod copy_objects;
mod form;
mod guest;
mod lists;
mod map;
mod objects;
mod schedule;
mod storage;
mod summary;
mod widgets;

use super::frame::{ConfirmDiscard, WizardFrame};
use crate::api::call;
use basics::*;
use cache::BackupCacheStep;
use cairn_model::api::*;
use cairn_model::*;
use computers::ComputersStep;
use copy_objects::{Adding, CopyObjectsStep};
use form::JobForm;
use guest::GuestProcessingStep;
use leptos::prelude::*;
use leptos::task::spawn_local;
use lists::JobLists;
use objects::{FoldersStep, VolumesStep};
use schedule::{CopyScheduleStep, ScheduleStep};
use storage::StorageStep;
use summary::{CopySummaryStep, SummaryStep};

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

/// A new, enabled job with these settings, scheduled by default.
fn new_spec(mut settings: BackupJobSettings) -> BackupJobSpec {
    settings.schedule.enabled = true;
    BackupJobSpec {
        settings,
        enabled: true,
        ..Default::default()
    }
}

/// The spec the wizard starts from and, for Edit, the job's saved name.
fn initial_spec(mode: &JobWizardMode) -> (BackupJobSpec, Option<String>) {
    match mode {
        JobWizardMode::New(os, _) => {
            let os = *os;
            (
                new_spec(BackupJobSettings {
                    os,
                    ..Default::default()
                }),
                None,
            )
        }
        JobWizardMode::NewCopy(_) => {
            let copy = Some(CopySettings::default());
            (
                new_spec(BackupJobSettings {
                    copy,
                    ..Default::default()
                }),
                None,
            )
        }
        JobWizardMode::Edit(spec) => ((**spec).clone(), Some(spec.name.clone())),
    }
}

fn wizard_title(spec: &BackupJobSpec, is_edit: bool) -> String {
    match (is_edit, spec.settings.copy.is_some()) {
        (true, true) => format!("Edit Backup Copy Job: {}", spec.name),
        (true, false) => format!("Edit Agent Backup Job: {}", spec.name),
        (false, true) => "New Backup Copy Job".to_string(),
        (false, false) => "New Agent Backup Job".to_string(),
    }
}

/// Where the wizard is and what it shows besides the page.
#[derive(Clone, Copy)]
struct Nav {
    current: RwSignal<usize>,
    busy: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    confirm_cancel: RwSignal<bool>,
    step: Memo<JobStep>,
}

#[component]
pub fn JobWizard(mode: JobWizardMode, on_close: Callback<Option<i64>>) -> impl IntoView {
    let (initial, editing) = initial_spec(&mode);
    let is_edit = editing.is_some();
    let is_copy = initial.settings.copy.is_some();
    let this_pc = matches!(mode, JobWizardMode::New(_, true));
    let form = JobForm::new(&initial, !is_edit && !is_copy);
    let lists = JobLists::load(form, editing.clone(), this_pc, is_copy);
    let from_external = matches!(mode, JobWizardMode::NewCopy(true));
    let adding = RwSignal::new(from_external.then_some(Adding::Backups));

    let current = RwSignal::new(0usize);
    let steps = Memo::new(move |_| JobStep::shown(&form.spec.get().settings));
    let step = Memo::new(move |_| {
        let v = steps.get();
        v[current.get().min(v.len() - 1)]
    });
    let nav = Nav {
        current,
        busy: RwSignal::new(false),
        error: RwSignal::new(None),
        confirm_cancel: RwSignal::new(false),
        step,
    };
    let step_labels = Signal::derive(move || {
        let s = form.spec.get().settings;
        steps.get().into_iter().map(|st| st.title(&s)).collect()
    });
    // The Summary shows when the job would start next.
    Effect::new(move |_| {
        if step.get() == JobStep::Summary {
            let schedule = form.spec.get_untracked().settings.schedule;
            spawn_local(async move {
                if let Ok(v) = call(&PreviewSchedule { schedule, count: 3 }).await {
                    lists.next_starts.set(v);
                }
            });
        }
    });
    let on_next = Callback::new(move |_| next(form, nav, editing.clone(), on_close));
    let on_back = Callback::new(move |_| {
        nav.error.set(None);
        let _ = form.collect(step.get_untracked());
        current.update(|c| *c = c.saturating_sub(1));
    });
    let on_cancel = Callback::new(move |_| {
        if nav.confirm_cancel.get_untracked() {
            on_close.run(None);
        } else {
            nav.confirm_cancel.set(true);
        }
    });
    let can_back = Signal::derive(move || current.get() > 0);
    let next_label = Signal::derive(move || {
        if step.get() == JobStep::Summary {
            "Finish"
        } else {
            "Next >"
        }
    });
    let error = nav.error;
    let page = move || page(step.get(), form, lists, adding, error);
    let discard_text = if is_edit {
        "Discard your changes?"
    } else {
        "Discard this job? What you entered is lost."
    };

    view! {
        <WizardFrame
            title=wizard_title(&initial, is_edit)
            steps=step_labels
            current
            busy=nav.busy.into()
            error=error.into()
            next_label
            on_next
            on_back
            on_cancel
            can_back
        >
            <div class="page-content job-page">{page}</div>
            <ConfirmDiscard show=nav.confirm_cancel discard="Discard" keep="Keep editing"
                text=discard_text
                on_discard=Callback::new(move |_| on_close.run(None)) />
        </WizardFrame>
    }
}

/// Next (or Finish on the Summary): reads the step, has the backend check
/// it, and moves on; Finish saves the job (and runs it if asked).
fn next(form: JobForm, nav: Nav, editing: Option<String>, on_close: Callback<Option<i64>>) {
    if nav.busy.get_untracked() {
        return;
    }
    nav.error.set(None);
    nav.confirm_cancel.set(false);
    let st = nav.step.get_untracked();
    if let Err(e) = form.collect(st) {
        nav.error.set(Some(e));
        return;
    }
    nav.busy.set(true);
    spawn_local(async move {
        let spec = form.spec.get_untracked();
        if st == JobStep::Summary {
            let run_now = form.run_now.get_untracked() && spec.settings.copy.is_none();
            let saved = call(&SaveJob {
                spec,
                editing,
                run_now,
            })
            .await;
            nav.busy.set(false);
            match saved {
                Ok(saved) => on_close.run(Some(saved.session.unwrap_or(0))),
                Err(e) => nav.error.set(Some(e.message)),
            }
            return;
        }
        let checked = call(&CheckJobStep {
            step: st,
            spec,
            editing,
        })
        .await;
        nav.busy.set(false);
        match checked {
            Ok(()) => nav.current.update(|c| *c += 1),
            Err(e) => nav.error.set(Some(e.message)),
        }
    });
}

/// The page of a step (the backup copy and volume/file variants differ).
fn page(
    step: JobStep,
    form: JobForm,
    lists: JobLists,
    adding: RwSignal<Option<Adding>>,
    error: RwSignal<Option<String>>,
) -> AnyView {
    let s = form.spec.get_untracked().settings;
    let copy = s.copy.as_ref().map(|c| c.mode);
    match step {
        JobStep::JobMode => view! { <JobModeStep form /> }.into_any(),
        JobStep::Name if copy.is_some() => view! { <CopyJobStep form /> }.into_any(),
        JobStep::Name => view! { <NameStep form /> }.into_any(),
        JobStep::Computers => view! { <ComputersStep form lists error /> }.into_any(),
        JobStep::BackupMode => view! { <BackupModeStep form /> }.into_any(),
        JobStep::Objects if copy.is_some() => {
            view! { <CopyObjectsStep form lists adding error /> }.into_any()
        }
        JobStep::Objects if s.backup_mode == BackupMode::Volume => {
            view! { <VolumesStep form /> }.into_any()
        }
        JobStep::Objects => view! { <FoldersStep form error /> }.into_any(),
        JobStep::Destination => view! { <DestinationStep form /> }.into_any(),
        JobStep::Storage => {
            view! { <StorageStep form lists error title=step.title(&s) /> }.into_any()
        }
        JobStep::BackupCache => view! { <BackupCacheStep form /> }.into_any(),
        JobStep::GuestProcessing => view! { <GuestProcessingStep form /> }.into_any(),
        JobStep::Schedule if copy == Some(CopyMode::Immediate) => {
            view! { <CopyScheduleStep form /> }.into_any()
        }
        JobStep::Schedule => view! { <ScheduleStep form lists /> }.into_any(),
        JobStep::Summary if copy.is_some() => view! { <CopySummaryStep form /> }.into_any(),
        JobStep::Summary => view! { <SummaryStep form lists /> }.into_any(),
    }
}
