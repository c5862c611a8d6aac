//! Add Protection Group (Cloud machines), and Edit of a saved group:
//! Name, Cloud account, Machines, Exclusions, Options, Review, Apply,
//! Summary. Each step is checked by the backend before Next; the account
//! step lists the account's machines for the Machines step to pick from.
//!
//! This module holds the steps and the navigation; `form` the typed state;
//! `submit` what Next asks the backend; `steps` and `review` the pages.

mod form;
mod review;
mod steps;
mod submit;

use super::frame::{ApplyLog, ConfirmDiscard, WizardFrame};
use cairn_model::ProtectionGroupDetails;
use form::GroupForm;
use leptos::prelude::*;
use leptos::task::spawn_local;
use review::{ReviewStep, SummaryStep};
use steps::{AccountStep, ExclusionsStep, MachinesStep, NameStep, OptionsStep};

/// The wizard's steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupStepId {
    Name,
    Account,
    Machines,
    Exclusions,
    Options,
    Review,
    Apply,
    Summary,
}

impl GroupStepId {
    const ALL: [Self; 8] = [
        Self::Name,
        Self::Account,
        Self::Machines,
        Self::Exclusions,
        Self::Options,
        Self::Review,
        Self::Apply,
        Self::Summary,
    ];

    fn label(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::Account => "Cloud account",
            Self::Machines => "Machines",
            Self::Exclusions => "Exclusions",
            Self::Options => "Options",
            Self::Review => "Review",
            Self::Apply => "Apply",
            Self::Summary => "Summary",
        }
    }
}

/// Adds a cloud-machines group, or edits a saved one when `edit` is given.
/// `on_close` gets None on Cancel, Some(None) when saved, and Some(session)
/// when Finish started a rescan.
#[component]
pub fn GroupWizard(
    #[prop(optional)] edit: Option<ProtectionGroupDetails>,
    on_close: Callback<Option<Option<i64>>>,
) -> impl IntoView {
    let form = GroupForm::new(edit.as_ref());
    let steps = GroupStepId::ALL;
    let last = steps.len() - 1;
    let current = RwSignal::new(0usize);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let confirm_cancel = RwSignal::new(false);
    let step = Memo::new(move |_| steps[current.get().min(last)]);
    let next_label = Signal::derive(move || match step.get() {
        GroupStepId::Review => "Apply",
        GroupStepId::Summary => "Finish",
        _ => "Next >",
    });
    let on_next = Callback::new(move |_| {
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let here = step.get_untracked();
        busy.set(true);
        spawn_local(async move {
            if here == GroupStepId::Summary {
                let finished = submit::finish(form).await;
                busy.set(false);
                return match finished {
                    Ok(session) => on_close.run(Some(session)),
                    Err(e) => error.set(Some(e.message)),
                };
            }
            let checked = submit::step(form, here).await;
            busy.set(false);
            match checked {
                Ok(()) => current.update(|c| *c = (*c + 1).min(last)),
                Err(e) => error.set(Some(e.message)),
            }
        });
    });
    let on_back = Callback::new(move |_| {
        error.set(None);
        current.update(|c| *c = c.saturating_sub(1));
    });
    let done = move || matches!(step.get(), GroupStepId::Apply | GroupStepId::Summary);
    let can_back = Signal::derive(move || current.get() > 0 && !done());
    let on_cancel = Callback::new(move |_| {
        if done() {
            on_close.run(Some(None));
        } else if form.entered() && !confirm_cancel.get_untracked() {
            confirm_cancel.set(true);
        } else {
            on_close.run(None);
        }
    });
    let title = if form.is_edit() {
        "Edit Protection Group: Cloud machines"
    } else {
        "New Protection Group: Cloud machines"
    };
    view! {
        <WizardFrame
            title=title.to_string()
            steps=Signal::derive(move || steps.iter().map(|s| s.label()).collect())
            current
            busy=busy.into()
            error=error.into()
            next_label
            on_next
            on_back
            on_cancel
            can_back
        >
            <div class="page-content">{move || page(step.get(), form)}</div>
            <ConfirmDiscard show=confirm_cancel discard="Discard" keep="Keep editing"
                text="Discard this protection group? What you entered is lost."
                on_discard=Callback::new(move |_| on_close.run(None)) />
        </WizardFrame>
    }
}

fn page(step: GroupStepId, form: GroupForm) -> AnyView {
    match step {
        GroupStepId::Name => view! { <NameStep form /> }.into_any(),
        GroupStepId::Account => view! { <AccountStep form /> }.into_any(),
        GroupStepId::Machines => view! { <MachinesStep form /> }.into_any(),
        GroupStepId::Exclusions => view! { <ExclusionsStep form /> }.into_any(),
        GroupStepId::Options => view! { <OptionsStep form /> }.into_any(),
        GroupStepId::Review => view! { <ReviewStep form /> }.into_any(),
        GroupStepId::Apply => view! { <ApplyLog log=form.log /> }.into_any(),
        GroupStepId::Summary => view! { <SummaryStep form /> }.into_any(),
    }
}
