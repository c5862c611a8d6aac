//! Azure Run Command through Resource Manager: the Managed Run Commands of
//! a virtual machine (list, create to run a script, read how it ended with
//! its instance view, delete). Azure allows [`MAX_RUN_COMMANDS`] per
//! machine, so callers count them before they add one and delete their
//! own when done. What the service answers is bounded and checked.

use crate::arm::{parse, Arm};
use azure_core::Method;
use cairn_core::{Error, Result};
use serde_json::Value;

const RUN_API: &str = "2024-07-01";
/// The most Managed Run Commands Azure keeps on one virtual machine.
pub const MAX_RUN_COMMANDS: usize = 25;
/// The most output of a script kept.
const MAX_TEXT: usize = 1 << 20;
/// The most run commands one listing follows (pages of them).
const MAX_PAGES: usize = 20;

/// How a run command stands, from its instance view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunState {
    /// Not started yet, or running.
    Running,
    /// It ended (succeeded or failed) with what the script printed.
    Ended {
        /// The script's exit code, when Azure gives one.
        exit_code: Option<i64>,
        /// Standard output.
        output: String,
        /// Error output.
        error: String,
    },
    /// Azure stopped it (timed out, canceled) or could not run it; why.
    Stopped(String),
}

impl Arm {
    fn run_commands_url(
        &self,
        vm_id: &str,
        name: Option<&str>,
        query: &str,
    ) -> Result<azure_core::Url> {
        let resource = self.resource_of(vm_id)?;
        let name = name.map(|n| format!("/{n}")).unwrap_or_default();
        parse(&format!(
            "{}{resource}/runCommands{name}?api-version={RUN_API}{query}",
            self.arm()
        ))
    }

    /// The names of the Managed Run Commands deployed on a machine.
    pub fn run_commands(&self, vm_id: &str) -> Result<Vec<String>> {
        let mut next = Some(self.run_commands_url(vm_id, None, "")?);
        let mut names = Vec::new();
        for _ in 0..MAX_PAGES {
            let Some(url) = next.take() else { break };
            let page = self.call(Method::Get, url, None, "list the machine's run commands")?;
            let list = page.get("value").and_then(Value::as_array).ok_or_else(|| {
                Error::corrupt("Azure's list of run commands has no \"value\" array")
            })?;
            names.extend(
                list.iter()
                    .filter_map(|c| c.get("name").and_then(Value::as_str))
                    .map(|n| n.chars().take(80).collect::<String>()),
            );
            next = match page.get("nextLink").and_then(Value::as_str) {
                Some(link) => Some(self.same_service(link)?),
                None => None,
            };
        }
        Ok(names)
    }

    /// Creates run command `name` on a machine in `location`, which runs
    /// `script` once (asynchronously, for at most `timeout_secs`).
    pub fn run_script(
        &self,
        vm_id: &str,
        location: &str,
        name: &str,
        script: &str,
        timeout_secs: u32,
    ) -> Result<()> {
        check_name(name)?;
        let url = self.run_commands_url(vm_id, Some(name), "")?;
        let body = serde_json::json!({
            "location": location,
            "properties": {
                "source": {"script": script},
                "asyncExecution": true,
                "timeoutInSeconds": timeout_secs,
                "treatFailureAsDeploymentFailure": false,
            }
        });
        self.call(Method::Put, url, Some(&body), "create a run command")?;
        Ok(())
    }

    /// How run command `name` on a machine stands.
    pub fn run_state(&self, vm_id: &str, name: &str) -> Result<RunState> {
        check_name(name)?;
        let url = self.run_commands_url(vm_id, Some(name), "&$expand=instanceView")?;
        let answer = self.call(Method::Get, url, None, "read a run command")?;
        Ok(state_of(&answer))
    }

    /// Deletes run command `name` from a machine (gone already is fine).
    pub fn delete_run_command(&self, vm_id: &str, name: &str) -> Result<()> {
        check_name(name)?;
        let url = self.run_commands_url(vm_id, Some(name), "")?;
        match self.call(Method::Delete, url, None, "delete a run command") {
            Err(e) if e.kind() == cairn_model::ErrorKind::NotFound => Ok(()),
            other => other.map(|_| ()),
        }
    }
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 80
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "\"{name}\" is not a run command name"
        )))
    }
}

fn bounded(v: Option<&Value>) -> String {
    v.and_then(Value::as_str)
        .map(|t| t.chars().take(MAX_TEXT).collect())
        .unwrap_or_default()
}

/// A run command's state from its JSON (with `$expand=instanceView`).
fn state_of(answer: &Value) -> RunState {
    let view = answer.pointer("/properties/instanceView");
    let field = |k: &str| view.and_then(|v| v.get(k));
    let state = field("executionState")
        .and_then(Value::as_str)
        .unwrap_or("Unknown");
    match state {
        "Succeeded" | "Failed" => RunState::Ended {
            exit_code: field("exitCode").and_then(Value::as_i64),
            output: bounded(field("output")),
            error: bounded(field("error")),
        },
        "TimedOut" | "Canceled" => RunState::Stopped(format!(
            "Azure says the run command {}: {}",
            state.to_ascii_lowercase(),
            bounded(field("executionMessage"))
        )),
        _ => {
            let failed = answer
                .pointer("/properties/provisioningState")
                .and_then(Value::as_str)
                .is_some_and(|p| p.eq_ignore_ascii_case("failed"));
            if failed {
                RunState::Stopped(format!(
                    "Azure could not deploy the run command: {}",
                    bounded(field("executionMessage"))
                ))
            } else {
                RunState::Running
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_commands_instance_view_says_whether_and_how_it_ended() {
        let ended = serde_json::json!({"properties": {"provisioningState": "Succeeded",
            "instanceView": {"executionState": "Failed", "exitCode": 1, "output": "cairn-failed: no", "error": "x"}}});
        assert_eq!(
            state_of(&ended),
            RunState::Ended {
                exit_code: Some(1),
                output: "cairn-failed: no".into(),
                error: "x".into()
            }
        );
        let running =
            serde_json::json!({"properties": {"instanceView": {"executionState": "Running"}}});
        assert_eq!(state_of(&running), RunState::Running);
        assert_eq!(state_of(&Value::Null), RunState::Running);
        let late = serde_json::json!({"properties": {"instanceView": {"executionState": "TimedOut", "executionMessage": "900 s"}}});
        assert!(matches!(state_of(&late), RunState::Stopped(w) if w.contains("timedout")));
        let broken = serde_json::json!({"properties": {"provisioningState": "Failed"}});
        assert!(matches!(state_of(&broken), RunState::Stopped(_)));
        assert!(check_name("cairn-install-1a2b").is_ok());
        assert!(check_name("../x").is_err());
    }
}
