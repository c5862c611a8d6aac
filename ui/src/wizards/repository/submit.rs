//! What Next asks the backend at each step: the step checks, then Apply
//! (add, save, or connect the external repository).

use super::form::RepoForm;
use super::RepoStep;
use crate::api::call;
use cairn_model::*;
use leptos::prelude::*;

/// Checks a backup repository's step, or applies it at Review.
pub async fn backup_step(
    form: RepoForm,
    here: RepoStep,
    target: RepositoryTarget,
) -> Result<(), ApiError> {
    let name = form.name.get_untracked().trim().to_string();
    let description = form.description.get_untracked();
    let editing = form.editing.get_value();
    let check = |step| CheckRepositoryStep {
        step,
        name: name.clone(),
        target: target.clone(),
        editing: editing.clone(),
    };
    match here {
        RepoStep::Name => call(&check(RepositoryStep::Name)).await.map(|_| ()),
        RepoStep::Account => {
            let found = call(&check(RepositoryStep::Account)).await?;
            // Edit keeps the saved bucket when the account lists none.
            if !(form.is_edit() && found.is_empty()) {
                form.found.set(found)
            }
            Ok(())
        }
        RepoStep::Review => {
            let applied = match editing {
                Some(orig) => {
                    call(&EditRepository {
                        name: orig,
                        new_name: name,
                        description,
                        target,
                    })
                    .await?
                }
                None => {
                    call(&AddRepository {
                        name,
                        description,
                        target,
                    })
                    .await?
                }
            };
            form.log.set(applied.log);
            Ok(())
        }
        _ => {
            let facts = call(&check(RepositoryStep::Location)).await?;
            form.facts.set(facts);
            Ok(())
        }
    }
}

/// Checks an external repository's step, or connects it at Review.
pub async fn external_step(
    form: RepoForm,
    here: RepoStep,
    target: RepositoryTarget,
) -> Result<(), ApiError> {
    let name = form.name.get_untracked().trim().to_string();
    let password_name = form.password_name.get_untracked();
    let check = |step| CheckExternalStep {
        step,
        name: name.clone(),
        target: target.clone(),
        password_name: password_name.clone(),
    };
    match here {
        RepoStep::Name => call(&check(ExternalStep::Name)).await.map(|_| ()),
        RepoStep::Account => {
            let p = call(&check(ExternalStep::Account)).await?;
            form.found.set(p.items);
            Ok(())
        }
        RepoStep::Encryption => call(&check(ExternalStep::Encryption)).await.map(|_| ()),
        RepoStep::Review => connect(form, name, target).await,
        _ => {
            let p = call(&check(ExternalStep::Location)).await?;
            form.facts.set(probe_facts(&p));
            form.probe.set(Some(p));
            Ok(())
        }
    }
}

/// Apply of an external repository: refused while another console owns
/// it and "Take ownership" is not ticked.
async fn connect(form: RepoForm, name: String, target: RepositoryTarget) -> Result<(), ApiError> {
    let owned = form
        .probe
        .get_untracked()
        .and_then(|p| p.owned_by_other)
        .is_some();
    let take_ownership = form.take_ownership.get_untracked();
    if owned && !take_ownership {
        return Err(ApiError::new(
            ErrorKind::Conflict,
            "another console owns this repository: tick \"Take ownership\" to confirm, or Cancel",
        ));
    }
    let connected = call(&ConnectExternal {
        name,
        description: form.description.get_untracked(),
        target,
        password_name: form.password_name.get_untracked(),
        take_ownership,
    })
    .await?;
    form.log.set(connected.log);
    Ok(())
}

/// What an external repository's location holds, in words for Review.
fn probe_facts(p: &ExternalProbe) -> Vec<String> {
    let mut f = vec![format!("{} backup(s) found", p.backups)];
    if let Some(w) = &p.writer {
        f.push(format!("Written by {w}"));
    }
    f.push(if p.encrypted {
        "The backups are encrypted: the next step asks for their password".into()
    } else {
        "The backups are not encrypted".into()
    });
    if let Some(o) = &p.owned_by_other {
        f.push(format!("Owned by {o}"));
    }
    f
}
