//! AWS Systems Manager Run Command over its JSON API: a script sent to one
//! instance (its output written by Systems Manager into an S3 folder the
//! console reads), the state of that command on the instance, and the
//! commands an instance has been sent (what the machine's own Systems
//! Manager agent reads). Requests are signed with SigV4; every answer is
//! bounded and checked.

use crate::aws::AwsAccess;
use crate::http::exchange;
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use azure_core::{HttpClient, Method, Request, Url};
use cairn_core::{Error, Result};
use serde::Deserialize;
use serde_json::{json, Value};
use std::sync::Arc;

/// The most pages of commands one listing follows.
const MAX_PAGES: usize = 50;

/// Which interpreter runs a script, and so which Systems Manager document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// `/bin/sh` on Linux (`AWS-RunShellScript`).
    Linux,
    /// Windows PowerShell 5.1 (`AWS-RunPowerShellScript`).
    Windows,
}

impl Shell {
    /// The document that runs it.
    pub fn document(self) -> &'static str {
        match self {
            Self::Linux => "AWS-RunShellScript",
            Self::Windows => "AWS-RunPowerShellScript",
        }
    }

    /// The plugin folder Systems Manager writes its output under.
    fn plugin(self) -> &'static str {
        match self {
            Self::Linux => "awsrunShellScript",
            Self::Windows => "awsrunPowerShellScript",
        }
    }

    /// The shell of a document name, if it is one of these.
    pub fn of_document(name: &str) -> Option<Self> {
        [Self::Linux, Self::Windows]
            .into_iter()
            .find(|s| s.document() == name)
    }
}

/// An S3 folder Systems Manager writes a command's output to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// Bucket.
    pub bucket: String,
    /// Key prefix (no trailing slash).
    pub prefix: String,
}

impl CommandOutput {
    /// The key of `stream` ("stdout", "stderr") of `command` on `instance`,
    /// where Systems Manager puts it.
    pub fn key(&self, command: &str, instance: &str, shell: Shell, stream: &str) -> String {
        let p = shell.plugin();
        let prefix = self.prefix.trim_end_matches('/');
        let head = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}/")
        };
        format!("{head}{command}/{instance}/{p}/0.{p}/{stream}")
    }
}

/// A command as Systems Manager lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentCommand {
    /// Command id.
    pub id: String,
    /// The instances it was sent to.
    pub instances: Vec<String>,
    /// The shell of its document (None: another document).
    pub shell: Option<Shell>,
    /// Its script, line by line.
    pub lines: Vec<String>,
    /// Where its output goes.
    pub output: Option<CommandOutput>,
    /// Its comment.
    pub comment: String,
}

/// Where a command stands on one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandState {
    /// Sent and not finished (or not yet known on the instance).
    Running,
    /// Finished with exit code 0.
    Succeeded,
    /// Finished otherwise; what Systems Manager said.
    Failed(String),
}

/// A Systems Manager client in one region.
pub struct Ssm {
    http: Arc<dyn HttpClient>,
    access: AwsAccess,
}

impl Ssm {
    /// A client with `access`; nothing is sent until the first request.
    pub fn connect(access: &AwsAccess) -> Self {
        Self {
            http: azure_core::new_http_client(),
            access: access.clone(),
        }
    }

    /// Sends `lines` to `instance`; Systems Manager writes the output under
    /// `output`. The command's id.
    pub fn send_script(
        &self,
        instance: &str,
        shell: Shell,
        lines: &[String],
        output: &CommandOutput,
        comment: &str,
        timeout_secs: u32,
    ) -> Result<String> {
        let body = json!({
            "InstanceIds": [instance],
            "DocumentName": shell.document(),
            "Parameters": {
                "commands": lines,
                "executionTimeout": [timeout_secs.to_string()],
            },
            "Comment": comment.chars().take(100).collect::<String>(),
            "TimeoutSeconds": 600,
            "OutputS3BucketName": output.bucket,
            "OutputS3KeyPrefix": output.prefix,
        });
        let answer = self.call(
            "SendCommand",
            &body,
            &format!("send a command to {instance}"),
        )?;
        answer["Command"]["CommandId"]
            .as_str()
            .filter(|id| valid_id(id))
            .map(str::to_string)
            .ok_or_else(|| Error::corrupt("Systems Manager's answer names no command id"))
    }

    /// Where `command` stands on `instance`.
    pub fn state(&self, command: &str, instance: &str) -> Result<CommandState> {
        let body = json!({ "CommandId": command, "InstanceId": instance });
        let answer = match self.call(
            "GetCommandInvocation",
            &body,
            &format!("read command {command} on {instance}"),
        ) {
            Err(e) if e.message().contains("InvocationDoesNotExist") => {
                return Ok(CommandState::Running)
            }
            other => other?,
        };
        let status = answer["Status"].as_str().unwrap_or_default();
        Ok(match status {
            "Pending" | "InProgress" | "Delayed" | "Cancelling" => CommandState::Running,
            "Success" => CommandState::Succeeded,
            other => {
                let err: String = answer["StandardErrorContent"]
                    .as_str()
                    .unwrap_or_default()
                    .chars()
                    .take(2000)
                    .collect();
                let code = answer["ResponseCode"].as_i64().unwrap_or(-1);
                CommandState::Failed(format!("{other} (exit code {code}) {err}").trim().into())
            }
        })
    }

    /// The commands sent to `instance`, oldest first.
    pub fn commands_for(&self, instance: &str) -> Result<Vec<SentCommand>> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut body = json!({ "InstanceId": instance, "MaxResults": 50 });
            if let Some(t) = &token {
                body["NextToken"] = json!(t);
            }
            let answer: ListAnswer = serde_json::from_value(self.call(
                "ListCommands",
                &body,
                &format!("list the commands of {instance}"),
            )?)
            .map_err(|e| Error::corrupt(format!("Systems Manager's command list: {e}")))?;
            out.extend(answer.commands);
            token = answer.next_token.filter(|t| !t.is_empty());
            if token.is_none() {
                break;
            }
        }
        // Only the commands that name it (the filter is the server's word).
        out.retain(|c| c.instances.iter().any(|i| i == instance));
        out.sort_by(|a, b| {
            let (x, y) = (a.sent(), b.sent());
            x.0.total_cmp(&y.0).then(x.1.cmp(&y.1))
        });
        Ok(out.into_iter().map(Listed::into_sent).collect())
    }

    fn endpoint(&self) -> Result<Url> {
        let text = match &self.access.endpoint {
            Some(e) => e.trim_end_matches('/').to_string(),
            None => format!("https://ssm.{}.amazonaws.com", self.access.region),
        };
        Url::parse(&format!("{text}/")).map_err(|e| {
            Error::invalid(format!("\"{text}\" is not a Systems Manager address: {e}"))
        })
    }

    /// One signed call of `target`; its JSON answer.
    fn call(&self, target: &str, body: &Value, action: &str) -> Result<Value> {
        let req = self.signed(target, body.to_string().into_bytes())?;
        let (status, answer) = exchange(self.http.as_ref(), &req, "Systems Manager", action)?;
        if status == 200 {
            return serde_json::from_slice(&answer).map_err(|e| {
                Error::corrupt(format!(
                    "Systems Manager's answer to {action} is not JSON: {e}"
                ))
            });
        }
        Err(failure(status, &answer, action))
    }

    fn signed(&self, target: &str, body: Vec<u8>) -> Result<Request> {
        let url = self.endpoint()?;
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_string(),
        };
        let amz_target = format!("AmazonSSM.{target}");
        let headers = [
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", amz_target.as_str()),
            ("host", host.as_str()),
        ];
        let identity: Identity = Credentials::new(
            &self.access.access_key_id,
            self.access.secret.expose(),
            self.access
                .session_token
                .as_ref()
                .map(|t| t.expose().clone()),
            None,
            "cairn",
        )
        .into();
        let unsigned = |e: &dyn std::fmt::Display| {
            Error::internal(format!("cannot sign the Systems Manager request: {e}"))
        };
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.access.region)
            .name("ssm")
            .time(std::time::SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| unsigned(&e))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            url.as_str(),
            headers.iter().copied(),
            SignableBody::Bytes(&body),
        )
        .map_err(|e| unsigned(&e))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| unsigned(&e))?
            .into_parts();
        let mut req = Request::new(url, Method::Post);
        req.insert_header("content-type", "application/x-amz-json-1.1");
        req.insert_header("x-amz-target", amz_target);
        for h in instructions.headers() {
            req.insert_header(h.0.to_string(), h.1.to_string());
        }
        req.set_body(body);
        Ok(req)
    }
}

/// A refusal in the words an administrator needs.
fn failure(status: u16, answer: &[u8], action: &str) -> Error {
    let v: Value = serde_json::from_slice(answer).unwrap_or(Value::Null);
    let code = v["__type"]
        .as_str()
        .unwrap_or_default()
        .rsplit('#')
        .next()
        .unwrap_or_default()
        .to_string();
    let said: String = v["message"]
        .as_str()
        .or(v["Message"].as_str())
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    let text = match code.as_str() {
        "InvalidInstanceId" => format!(
            "Systems Manager cannot {action}: the instance is not managed by Systems Manager (start its SSM agent and give its instance profile AmazonSSMManagedInstanceCore) {said}"
        ),
        "AccessDeniedException" | "AccessDenied" => format!(
            "Systems Manager denied the cloud credential the right to {action}; allow ssm:SendCommand, ssm:GetCommandInvocation and ssm:ListCommands ({said})"
        ),
        "UnrecognizedClientException" | "InvalidSignatureException" => {
            "Systems Manager refused the AWS credentials; check the access key id and secret".into()
        }
        _ => format!("Systems Manager could not {action} (HTTP {status} {code}) {said}"),
    };
    let e = Error::storage(text.trim().to_string());
    if status == 429 || status >= 500 || code.contains("Throttl") {
        e.transient()
    } else {
        e
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

#[derive(Deserialize)]
struct ListAnswer {
    #[serde(rename = "Commands", default)]
    commands: Vec<Listed>,
    #[serde(rename = "NextToken", default)]
    next_token: Option<String>,
}

#[derive(Deserialize)]
struct Listed {
    #[serde(rename = "CommandId")]
    id: String,
    #[serde(rename = "InstanceIds", default)]
    instances: Vec<String>,
    #[serde(rename = "DocumentName", default)]
    document: String,
    #[serde(rename = "Parameters", default)]
    parameters: std::collections::BTreeMap<String, Vec<String>>,
    #[serde(rename = "OutputS3BucketName", default)]
    bucket: Option<String>,
    #[serde(rename = "OutputS3KeyPrefix", default)]
    prefix: Option<String>,
    #[serde(rename = "Comment", default)]
    comment: Option<String>,
    /// Seconds since the epoch (some servers send a date text instead).
    #[serde(rename = "RequestedDateTime", default)]
    requested: Value,
}

impl Listed {
    /// When it was sent, as something that sorts.
    fn sent(&self) -> (f64, String) {
        (
            self.requested.as_f64().unwrap_or(0.0),
            self.requested.as_str().unwrap_or_default().to_string(),
        )
    }
}

impl Listed {
    fn into_sent(mut self) -> SentCommand {
        SentCommand {
            shell: Shell::of_document(&self.document),
            lines: self.parameters.remove("commands").unwrap_or_default(),
            output: self
                .bucket
                .filter(|b| !b.is_empty())
                .map(|bucket| CommandOutput {
                    bucket,
                    prefix: self.prefix.unwrap_or_default(),
                }),
            comment: self.comment.unwrap_or_default(),
            id: self.id,
            instances: self.instances,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_keys_follow_systems_managers_layout() {
        let o = CommandOutput {
            bucket: "b".into(),
            prefix: "dist/output/".into(),
        };
        assert_eq!(
            o.key("c-1", "i-9", Shell::Linux, "stdout"),
            "dist/output/c-1/i-9/awsrunShellScript/0.awsrunShellScript/stdout"
        );
        let bare = CommandOutput {
            bucket: "b".into(),
            prefix: String::new(),
        };
        assert_eq!(
            bare.key("c", "i", Shell::Windows, "stderr"),
            "c/i/awsrunPowerShellScript/0.awsrunPowerShellScript/stderr"
        );
    }

    #[test]
    fn a_refusal_names_the_cause_and_a_throttle_is_transient() {
        let e = failure(
            400,
            br#"{"__type":"com.amazonaws.ssm#InvalidInstanceId","message":"nope"}"#,
            "send a command to i-1",
        );
        assert!(e.message().contains("AmazonSSMManagedInstanceCore"), "{e}");
        assert!(!e.is_transient());
        let t = failure(400, br#"{"__type":"ThrottlingException"}"#, "list");
        assert!(t.is_transient());
        let junk = failure(502, b"<html>", "list");
        assert!(junk.is_transient() && junk.message().contains("HTTP 502"));
    }
}
