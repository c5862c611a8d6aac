//! Entire computer / volume restore: Machine → Restore Point → Volumes →
//! Mode → Destination → Summary, then the task's session window. The
//! volume is restored onto a device or image file (only differing blocks
//! are written; an existing target's name must be typed to overwrite it)
//! or exported as a VMDK, VHD, VHDX or raw disk image.
//!
//! This module holds the steps and the navigation; `form` the typed state
//! and what Next asks the backend; `steps` one component per page.

mod form;
mod steps;

use super::choice::Choice;
use super::frame::{ConfirmDiscard, WizardFrame};
use crate::wizards::restore::steps::{MachineStep, PointStep};
use cairn_model::DiskFormat;
use form::VolumeForm;
use leptos::prelude::*;
use steps::{DestinationStep, ModeStep, SummaryStep, VolumesStep};

/// The wizard's steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Machine,
    Point,
    Volumes,
    Mode,
    Destination,
    Summary,
}

const STEPS: [Step; 6] = [
    Step::Machine,
    Step::Point,
    Step::Volumes,
    Step::Mode,
    Step::Destination,
    Step::Summary,
];

impl Step {
    fn label(self) -> &'static str {
        match self {
            Self::Machine => "Machine",
            Self::Point => "Restore Point",
            Self::Volumes => "Volumes",
            Self::Mode => "Mode",
            Self::Destination => "Destination",
            Self::Summary => "Summary",
        }
    }
    fn index(self) -> usize {
        STEPS.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// What is done with the volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Onto a block device or image file.
    Restore,
    /// As a new disk image file.
    Export,
}

impl Choice for Mode {
    fn all() -> Vec<Self> {
        vec![Self::Restore, Self::Export]
    }
    fn value(self) -> String {
        match self {
            Self::Restore => "restore",
            Self::Export => "export",
        }
        .into()
    }
    fn label(self) -> String {
        match self {
            Self::Restore => "Restore to a device or image file",
            Self::Export => "Export as a disk (VMDK, VHD, VHDX or raw)",
        }
        .into()
    }
}

impl Choice for DiskFormat {
    fn all() -> Vec<Self> {
        DiskFormat::ALL.to_vec()
    }
    fn value(self) -> String {
        match self {
            Self::Raw => "raw",
            Self::Vmdk => "vmdk",
            Self::Vhd => "vhd",
            Self::VhdFixed => "vhd-fixed",
            Self::Vhdx => "vhdx",
        }
        .into()
    }
    fn label(self) -> String {
        DiskFormat::label(self).into()
    }
}

/// Next: checks the step's choice and moves on (the Summary's is Finish).
fn next(form: VolumeForm, on_session: Callback<i64>) {
    if form.base.busy.get_untracked() {
        return;
    }
    form.base.error.set(None);
    match form.step_now() {
        Step::Machine => match form.base.chosen.get_untracked() {
            Some(b) => {
                form.base.load_points(b);
                form.go(Step::Point);
            }
            None => form
                .base
                .error
                .set(Some("Choose the machine whose volume to restore".into())),
        },
        Step::Point => form.load_volumes(),
        Step::Volumes => match form.volume.get_untracked() {
            Some(_) => form.go(Step::Mode),
            None => form.base.error.set(Some("Choose a volume".into())),
        },
        Step::Mode => form.go(Step::Destination),
        Step::Destination => form.check_destination(),
        Step::Summary => form.start(on_session),
    }
}

#[component]
pub fn VolumeWizard(
    /// A backup chosen before the wizard opened.
    backup: Option<String>,
    on_close: Callback<()>,
    /// The started task's session.
    on_session: Callback<i64>,
) -> impl IntoView {
    let form = VolumeForm::new(backup);
    let confirm_cancel = RwSignal::new(false);
    let on_back = Callback::new(move |_| {
        form.base.error.set(None);
        form.base.current.update(|c| *c = c.saturating_sub(1));
    });
    let on_cancel = Callback::new(move |_| {
        if form.step_now().index() >= 2 && !confirm_cancel.get_untracked() {
            confirm_cancel.set(true);
            return;
        }
        on_close.run(());
    });
    let next_label = Signal::derive(move || {
        if form.step() == Step::Summary {
            "Finish"
        } else {
            "Next >"
        }
    });
    let page = move || -> AnyView {
        match form.step() {
            Step::Machine => view! { <MachineStep form=form.base /> }.into_any(),
            Step::Point => view! { <PointStep form=form.base /> }.into_any(),
            Step::Volumes => view! { <VolumesStep form /> }.into_any(),
            Step::Mode => view! { <ModeStep form /> }.into_any(),
            Step::Destination => view! { <DestinationStep form /> }.into_any(),
            Step::Summary => view! { <SummaryStep form /> }.into_any(),
        }
    };
    view! {
        <WizardFrame
            title="Volume Restore".to_string()
            steps=Signal::derive(|| STEPS.iter().map(|s| s.label()).collect())
            current=form.base.current
            busy=form.base.busy.into()
            error=form.base.error.into()
            next_label
            on_next=Callback::new(move |_| next(form, on_session))
            on_back
            on_cancel
            can_back=Signal::derive(move || form.step() != Step::Machine)
        >
            <div class="page-content">{page}</div>
            <ConfirmDiscard show=confirm_cancel text="Close the volume restore wizard?" discard="Close" keep="Keep going"
                on_discard=Callback::new(move |_| on_close.run(())) />
        </WizardFrame>
    }
}
