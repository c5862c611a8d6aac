//! Guest files restore: Machine → Restore Point → Reason → Summary, then
//! the Backup Browser. An encrypted backup asks for its password at the
//! Restore Point step, where a wrong one is reported.
//!
//! This module holds the steps and the navigation; `form` the typed state
//! and what Next asks the backend; `steps` one component per page.

pub(crate) mod form;
pub(crate) mod steps;

use super::frame::{ConfirmDiscard, WizardFrame};
use cairn_model::*;
use form::RestoreForm;
use leptos::prelude::*;
use steps::{MachineStep, PointStep, ReasonStep, SummaryStep};

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Machine,
    Point,
    Reason,
    Summary,
}

const STEPS: [Step; 4] = [Step::Machine, Step::Point, Step::Reason, Step::Summary];

impl Step {
    fn label(self) -> &'static str {
        match self {
            Self::Machine => "Machine",
            Self::Point => "Restore Point",
            Self::Reason => "Reason",
            Self::Summary => "Summary",
        }
    }
    fn index(self) -> usize {
        STEPS.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// What the wizard hands to the Backup Browser.
#[derive(Debug, Clone, PartialEq)]
pub struct Browse {
    pub point: BrowserPoint,
    pub reason: String,
}

/// Next: checks the step's choice and moves on (the Summary's Next is Browse).
fn next(form: RestoreForm, on_browse: Callback<Browse>) {
    if form.busy.get_untracked() {
        return;
    }
    form.error.set(None);
    match form.step_now() {
        Step::Machine => match form.chosen.get_untracked() {
            Some(b) => {
                form.load_points(b);
                form.go(Step::Point);
            }
            None => form
                .error
                .set(Some("Choose the machine whose files to restore".into())),
        },
        Step::Point => form.open_point(),
        Step::Reason => form.go(Step::Summary),
        Step::Summary => {
            if let Some(point) = form.opened.get_untracked() {
                let reason = form.reason.get_untracked();
                on_browse.run(Browse { point, reason });
            }
        }
    }
}

#[component]
pub fn RestoreWizard(
    /// A backup chosen before the wizard opened (right-click → Restore).
    backup: Option<String>,
    on_close: Callback<()>,
    on_browse: Callback<Browse>,
) -> impl IntoView {
    let form = RestoreForm::new(backup);
    let confirm_cancel = RwSignal::new(false);
    let on_back = Callback::new(move |_| {
        form.error.set(None);
        form.current.update(|c| *c = c.saturating_sub(1));
    });
    let on_cancel = Callback::new(move |_| {
        if form.step_now().index() >= 2 && !confirm_cancel.get_untracked() {
            confirm_cancel.set(true);
            return;
        }
        form.close_opened();
        on_close.run(());
    });
    let next_label = Signal::derive(move || {
        if form.step() == Step::Summary {
            "Browse"
        } else {
            "Next >"
        }
    });
    let page = move || -> AnyView {
        match form.step() {
            Step::Machine => view! { <MachineStep form /> }.into_any(),
            Step::Point => view! { <PointStep form /> }.into_any(),
            Step::Reason => view! { <ReasonStep form /> }.into_any(),
            Step::Summary => view! { <SummaryStep form /> }.into_any(),
        }
    };
    view! {
        <WizardFrame
            title="Guest Files Restore".to_string()
            steps=Signal::derive(|| STEPS.iter().map(|s| s.label()).collect())
            current=form.current
            busy=form.busy.into()
            error=form.error.into()
            next_label
            on_next=Callback::new(move |_| next(form, on_browse))
            on_back
            on_cancel
            can_back=Signal::derive(move || form.step() != Step::Machine)
        >
            <div class="page-content">{page}</div>
            <ConfirmDiscard show=confirm_cancel text="Close the restore wizard?" discard="Close" keep="Keep going"
                on_discard=Callback::new(move |_| { form.close_opened(); on_close.run(()); }) />
        </WizardFrame>
    }
}
