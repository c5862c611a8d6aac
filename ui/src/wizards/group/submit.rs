//! What Next asks the backend at each step, Apply at Review, and the
//! rescan Finish starts.

use super::form::GroupForm;
use super::GroupStepId;
use crate::api::call;
use cairn_model::*;
use leptos::prelude::*;

/// Checks a step (or applies at Review); Err is shown at the step.
pub async fn step(form: GroupForm, here: GroupStepId) -> Result<(), ApiError> {
    let settings = form
        .settings()
        .map_err(|e| ApiError::new(ErrorKind::InvalidInput, e))?;
    let name = form.name.get_untracked().trim().to_string();
    let check = |step| CheckGroupStep {
        step,
        name: name.clone(),
        settings: settings.clone(),
        new_key: form.new_key(),
        editing: form.editing.get_value(),
    };
    match here {
        GroupStepId::Name => call(&check(GroupStep::Name)).await.map(|_| ()),
        GroupStepId::Account => {
            form.found.set(call(&check(GroupStep::Account)).await?);
            Ok(())
        }
        GroupStepId::Machines => {
            form.chosen.set(call(&check(GroupStep::Machines)).await?);
            Ok(())
        }
        GroupStepId::Options => call(&check(GroupStep::Options)).await.map(|_| ()),
        GroupStepId::Review => {
            let description = form.description.get_untracked();
            let log = match form.editing.get_value() {
                Some(orig) => {
                    call(&EditProtectionGroup {
                        name: orig,
                        description,
                        settings,
                    })
                    .await?
                }
                None => {
                    call(&AddProtectionGroup {
                        name,
                        description,
                        settings,
                        new_key: form.new_key(),
                    })
                    .await?
                }
            };
            form.log.set(log);
            Ok(())
        }
        GroupStepId::Exclusions | GroupStepId::Apply | GroupStepId::Summary => Ok(()),
    }
}

/// Finish: the rescan's session when "Run rescan" is ticked.
pub async fn finish(form: GroupForm) -> Result<Option<i64>, ApiError> {
    if !form.rescan_now.get_untracked() {
        return Ok(None);
    }
    let name = form
        .editing
        .get_value()
        .unwrap_or_else(|| form.name.get_untracked().trim().to_string());
    call(&RescanProtectionGroup {
        name,
        take_over: false,
    })
    .await
    .map(Some)
}
