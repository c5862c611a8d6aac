//! Add Backup Repository: Local folder, Amazon S3, S3 compatible, Azure Blob;
//! also Edit, and Connect to External Repository. Each step is checked by
//! the backend before Next; refusals appear at the step where the choice
//! was made.
//!
//! This module holds the kinds, the steps and the navigation; `form` the
//! typed state; `submit` what Next asks the backend; one module per group
//! of steps.

mod details;
mod form;
mod location;
mod review;
mod submit;

use super::frame::{ApplyLog, ConfirmDiscard, WizardFrame};
use cairn_model::*;
use details::{AccountStep, EncryptionStep, FolderStep, NameStep};
use form::RepoForm;
use leptos::prelude::*;
use leptos::task::spawn_local;
use location::{BucketStep, ContainerStep};
use review::{ExternalReviewStep, ReviewStep, SummaryStep};

/// Which kind of repository the wizard adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoKind {
    Local,
    AmazonS3,
    S3Compatible,
    Azure,
}

/// The wizard's steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoStep {
    Name,
    /// A local repository's folder.
    Repository,
    Account,
    Bucket,
    Container,
    /// External: the backups' password.
    Encryption,
    Review,
    Apply,
    Summary,
}

impl RepoStep {
    fn label(self) -> &'static str {
        match self {
            Self::Name => "Name",
            Self::Repository => "Repository",
            Self::Account => "Account",
            Self::Bucket => "Bucket",
            Self::Container => "Container",
            Self::Encryption => "Encryption",
            Self::Review => "Review",
            Self::Apply => "Apply",
            Self::Summary => "Summary",
        }
    }
}

impl RepoKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Local => "Local folder",
            Self::AmazonS3 => "Amazon S3",
            Self::S3Compatible => "S3 compatible",
            Self::Azure => "Azure Blob",
        }
    }

    /// The wizard kind of a saved repository.
    pub fn of(t: &RepositoryTarget) -> Self {
        match t {
            RepositoryTarget::Local { .. } => Self::Local,
            RepositoryTarget::S3 { endpoint: None, .. } => Self::AmazonS3,
            RepositoryTarget::S3 { .. } => Self::S3Compatible,
            RepositoryTarget::Azure { .. } => Self::Azure,
        }
    }

    fn steps(self, external: bool) -> Vec<RepoStep> {
        use RepoStep::*;
        let location = match self {
            Self::Local => return vec![Name, Repository, Review, Apply, Summary],
            Self::Azure => Container,
            Self::AmazonS3 | Self::S3Compatible => Bucket,
        };
        let mut v = vec![Name, Account, location];
        if external {
            v.push(Encryption);
        }
        v.extend([Review, Apply, Summary]);
        v
    }
}

fn wizard_title(kind: RepoKind, external: bool, is_edit: bool) -> String {
    let what = if external {
        "Connect to External Repository"
    } else if is_edit {
        "Edit Backup Repository"
    } else {
        "New Backup Repository"
    };
    format!("{what}: {}", kind.label())
}

/// Adds a repository, or edits a saved one when `edit` is given (the
/// location is then fixed; an empty secret keeps the stored one). With
/// `external`, it is the Connect to External Repository wizard: the bucket
/// or container a cloud backup appliance writes, read-only, with an
/// Encryption step and ownership.
#[component]
pub fn RepositoryWizard(
    kind: RepoKind,
    #[prop(optional)] edit: Option<RepositoryDetails>,
    #[prop(optional)] external: bool,
    on_close: Callback<bool>,
) -> impl IntoView {
    let form = RepoForm::new(kind, external, edit.as_ref());
    let steps = kind.steps(external);
    let labels: Vec<&'static str> = steps.iter().map(|s| s.label()).collect();
    let last = steps.len() - 1;
    let current = RwSignal::new(0usize);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let confirm_cancel = RwSignal::new(false);
    let step = Memo::new(move |_| steps[current.get().min(last)]);
    let next_label = Signal::derive(move || match step.get() {
        RepoStep::Review => "Apply",
        RepoStep::Summary => "Finish",
        _ => "Next >",
    });
    let on_next = Callback::new(move |_| {
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let here = step.get_untracked();
        match here {
            RepoStep::Summary => return on_close.run(true),
            RepoStep::Apply => return current.update(|c| *c += 1),
            _ => {}
        }
        let target = match form.target() {
            Ok(t) => t,
            Err(e) => return error.set(Some(e)),
        };
        busy.set(true);
        spawn_local(async move {
            let checked = if external {
                submit::external_step(form, here, target).await
            } else {
                submit::backup_step(form, here, target).await
            };
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
    let done = move || matches!(step.get(), RepoStep::Apply | RepoStep::Summary);
    let can_back = Signal::derive(move || current.get() > 0 && !done());
    let on_cancel = Callback::new(move |_| {
        if done() {
            on_close.run(true);
        } else if form.entered() && !confirm_cancel.get_untracked() {
            confirm_cancel.set(true);
        } else {
            on_close.run(false);
        }
    });
    let page = move || page(step.get(), form, error);
    let discard_text = if form.is_edit() {
        "Discard your changes?"
    } else {
        "Discard this repository? What you entered is lost."
    };

    view! {
        <WizardFrame
            title=wizard_title(kind, external, form.is_edit())
            steps=Signal::derive(move || labels.clone())
            current
            busy=busy.into()
            error=error.into()
            next_label
            on_next
            on_back
            on_cancel
            can_back
        >
            <div class="page-content">{page}</div>
            <ConfirmDiscard show=confirm_cancel discard="Discard" keep="Keep editing"
                text=discard_text
                on_discard=Callback::new(move |_| on_close.run(false)) />
        </WizardFrame>
    }
}

fn page(step: RepoStep, form: RepoForm, error: RwSignal<Option<String>>) -> AnyView {
    match step {
        RepoStep::Name => view! { <NameStep form /> }.into_any(),
        RepoStep::Repository => view! { <FolderStep form error /> }.into_any(),
        RepoStep::Account => view! { <AccountStep form /> }.into_any(),
        RepoStep::Bucket => view! { <BucketStep form error /> }.into_any(),
        RepoStep::Container => view! { <ContainerStep form error /> }.into_any(),
        RepoStep::Encryption => view! { <EncryptionStep form error /> }.into_any(),
        RepoStep::Review if form.external => view! { <ExternalReviewStep form /> }.into_any(),
        RepoStep::Review => view! { <ReviewStep form /> }.into_any(),
        RepoStep::Apply => view! { <ApplyLog log=form.log /> }.into_any(),
        RepoStep::Summary => view! { <SummaryStep form /> }.into_any(),
    }
}
