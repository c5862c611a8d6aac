//! Azure Resource Manager over its REST API: a service principal's token
//! (client credentials), the virtual machines of a subscription with their
//! tags, OS and power state, and the tag that says which console manages
//! one. Everything the service answers is bounded and checked.

use crate::ec2::Instance;
use azure_core::{HttpClient, Method, Request, Url};
use cairn_core::{Error, Result, Sensitive};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Public Azure's Resource Manager.
pub const PUBLIC_ARM: &str = "https://management.azure.com";
/// Public Azure's sign-in service.
pub const PUBLIC_LOGIN: &str = "https://login.microsoftonline.com";
const VM_API: &str = "2024-07-01";
const TAGS_API: &str = "2021-04-01";
/// The most pages of machines one listing follows.
const MAX_PAGES: usize = 200;

/// Where a subscription is and who signs in to it (no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArmSettings {
    /// Subscription id.
    pub subscription: String,
    /// Tenant (directory) id of the service principal.
    pub tenant: String,
    /// The service principal's application (client) id.
    pub client_id: String,
    /// Resource Manager's address (None: public Azure).
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The sign-in service's address (None: public Azure).
    #[serde(default)]
    pub login_endpoint: Option<String>,
}

/// A client of one subscription.
pub struct Arm {
    http: Arc<dyn HttpClient>,
    settings: ArmSettings,
    secret: Sensitive<String>,
    token: Mutex<Option<(String, Instant)>>,
    /// VM id → its resource id, from the last listing.
    resources: Mutex<HashMap<String, String>>,
}

impl Arm {
    /// A client signing in with `secret`; nothing is sent until the first
    /// request.
    pub fn connect(settings: ArmSettings, secret: Sensitive<String>) -> Result<Self> {
        for (what, v) in [
            ("subscription id", &settings.subscription),
            ("tenant id", &settings.tenant),
            ("client id", &settings.client_id),
        ] {
            let ok = !v.is_empty()
                && v.len() <= 64
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
            if !ok {
                return Err(Error::invalid(format!(
                    "\"{v}\" is not an Azure {what}: use the GUID the portal shows"
                )));
            }
        }
        Ok(Self {
            http: azure_core::new_http_client(),
            settings,
            secret,
            token: Mutex::new(None),
            resources: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn arm(&self) -> &str {
        self.settings
            .endpoint
            .as_deref()
            .unwrap_or(PUBLIC_ARM)
            .trim_end_matches('/')
    }

    /// A bearer token, fetched again a minute before it runs out.
    fn token(&self) -> Result<String> {
        if let Ok(t) = self.token.lock() {
            if let Some((tok, until)) = t.as_ref() {
                if Instant::now() < *until {
                    return Ok(tok.clone());
                }
            }
        }
        let login = self
            .settings
            .login_endpoint
            .as_deref()
            .unwrap_or(PUBLIC_LOGIN)
            .trim_end_matches('/');
        let url = parse(&format!(
            "{login}/{}/oauth2/v2.0/token",
            self.settings.tenant
        ))?;
        let mut form = Url::parse("http://form.invalid/").unwrap_or_else(|_| unreachable!());
        form.query_pairs_mut()
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("client_secret", self.secret.expose())
            .append_pair("scope", &format!("{}/.default", self.arm()));
        let mut req = Request::new(url, Method::Post);
        req.insert_header("content-type", "application/x-www-form-urlencoded");
        req.set_body(form.query().unwrap_or_default().to_string());
        let (status, body) = self.send(&req, "sign in")?;
        if status != 200 {
            return Err(Error::storage(format!(
                "Azure refused the service principal {} of tenant {} (HTTP {status}{}); check the tenant id, client id and client secret",
                self.settings.client_id,
                self.settings.tenant,
                service_code(&body).map(|c| format!(", {c}")).unwrap_or_default()
            )));
        }
        let tok: TokenAnswer = serde_json::from_slice(&body).map_err(|e| {
            Error::corrupt(format!("the sign-in service's answer is not a token: {e}"))
        })?;
        let life = Duration::from_secs(tok.expires_in.clamp(60, 86_400));
        let until = Instant::now() + life - Duration::from_secs(60).min(life / 2);
        if let Ok(mut t) = self.token.lock() {
            *t = Some((tok.access_token.clone(), until));
        }
        Ok(tok.access_token)
    }

    fn send(&self, req: &Request, action: &str) -> Result<(u16, Vec<u8>)> {
        crate::http::exchange(self.http.as_ref(), req, "Azure", action)
    }

    /// A Resource Manager call with the token; its JSON answer (null for
    /// an empty one).
    pub(crate) fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        action: &str,
    ) -> Result<Value> {
        let mut req = Request::new(url, method);
        req.insert_header("authorization", format!("Bearer {}", self.token()?));
        if let Some(b) = body {
            req.insert_header("content-type", "application/json");
            req.set_body(b.to_string());
        }
        let (status, answer) = self.send(&req, action)?;
        match status {
            200..=299 if answer.iter().all(u8::is_ascii_whitespace) => Ok(Value::Null),
            200..=299 => serde_json::from_slice(&answer).map_err(|e| {
                Error::corrupt(format!("Azure's answer to {action} is not JSON: {e}"))
            }),
            401 | 403 => Err(Error::storage(format!(
                "Azure denied the service principal {} the right to {action} in subscription {} (HTTP {status}); give it the Reader and Tag Contributor roles (and Virtual Machine Contributor to install agents through Run Command)",
                self.settings.client_id, self.settings.subscription
            ))),
            404 => Err(Error::not_found(format!(
                "Azure does not know {} ({action}); check the subscription id",
                self.settings.subscription
            ))),
            s => {
                let e = Error::storage(format!(
                    "Azure could not {action} (HTTP {s}{})",
                    service_code(&answer).map(|c| format!(", {c}")).unwrap_or_default()
                ));
                Err(if s == 429 || s >= 500 { e.transient() } else { e })
            }
        }
    }

    /// Every virtual machine of the subscription (all pages).
    pub fn machines(&self) -> Result<Vec<Instance>> {
        let first = format!(
            "{}/subscriptions/{}/providers/Microsoft.Compute/virtualMachines?api-version={VM_API}&statusOnly=true",
            self.arm(),
            self.settings.subscription
        );
        let mut next = Some(parse(&first)?);
        let mut out = Vec::new();
        let mut resources = HashMap::new();
        for _ in 0..MAX_PAGES {
            let Some(url) = next.take() else { break };
            let page = self.call(Method::Get, url, None, "list virtual machines")?;
            let list = page.get("value").and_then(Value::as_array).ok_or_else(|| {
                Error::corrupt("Azure's list of virtual machines has no \"value\" array")
            })?;
            for vm in list {
                if let Some((inst, resource)) = machine(vm) {
                    resources.insert(inst.id.clone(), resource);
                    out.push(inst);
                }
            }
            next = match page.get("nextLink").and_then(Value::as_str) {
                Some(link) => Some(self.same_service(link)?),
                None => None,
            };
        }
        if let Ok(mut r) = self.resources.lock() {
            *r = resources;
        }
        Ok(out)
    }

    /// A next-page link, refused unless it points at the same service (a
    /// forged link must not get the token).
    pub(crate) fn same_service(&self, link: &str) -> Result<Url> {
        let url = parse(link)?;
        let base = parse(self.arm())?;
        if url.origin() != base.origin() {
            return Err(Error::corrupt(format!(
                "Azure's next page points at {}, not at {}; refused",
                url.origin().ascii_serialization(),
                base.origin().ascii_serialization()
            )));
        }
        Ok(url)
    }

    pub(crate) fn resource_of(&self, vm_id: &str) -> Result<String> {
        let known = self
            .resources
            .lock()
            .ok()
            .and_then(|r| r.get(vm_id).cloned());
        if let Some(r) = known {
            return Ok(r);
        }
        self.machines()?;
        self.resources
            .lock()
            .ok()
            .and_then(|r| r.get(vm_id).cloned())
            .ok_or_else(|| {
                Error::not_found(format!(
                    "subscription {} has no virtual machine {vm_id} any more",
                    self.settings.subscription
                ))
            })
    }

    fn patch_tags(&self, vm_id: &str, operation: &str, tags: Value, action: &str) -> Result<()> {
        let resource = self.resource_of(vm_id)?;
        let url = parse(&format!(
            "{}{resource}/providers/Microsoft.Resources/tags/default?api-version={TAGS_API}",
            self.arm()
        ))?;
        let body = serde_json::json!({"operation": operation, "properties": {"tags": tags}});
        self.call(Method::Patch, url, Some(&body), action)?;
        Ok(())
    }

    /// Sets tag `key` = `value` on a machine (other tags are kept).
    pub fn tag(&self, vm_id: &str, key: &str, value: &str) -> Result<()> {
        self.patch_tags(
            vm_id,
            "Merge",
            serde_json::json!({ key: value }),
            "tag the machine",
        )
    }

    /// Removes tag `key` from a machine.
    pub fn untag(&self, vm_id: &str, key: &str) -> Result<()> {
        let current = self
            .machines()?
            .into_iter()
            .find(|m| m.id == vm_id)
            .and_then(|m| m.tags.get(key).cloned());
        let Some(value) = current else {
            return Ok(());
        };
        self.patch_tags(
            vm_id,
            "Delete",
            serde_json::json!({ key: value }),
            "remove its tag",
        )
    }
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default = "an_hour")]
    expires_in: u64,
}

fn an_hour() -> u64 {
    3600
}

pub(crate) fn parse(s: &str) -> Result<Url> {
    Url::parse(s).map_err(|e| Error::invalid(format!("\"{s}\" is not an address: {e}")))
}

/// The error code in an Azure error answer, when there is one.
fn service_code(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let code = v
        .pointer("/error/code")
        .or_else(|| v.get("error"))
        .and_then(Value::as_str)?;
    Some(code.chars().take(80).collect())
}

/// One machine of a listing and its resource id; None for entries that
/// are not virtual machines of this shape.
fn machine(vm: &Value) -> Option<(Instance, String)> {
    let text = |p: &str| vm.pointer(p).and_then(Value::as_str).map(str::to_string);
    let resource = text("/id").filter(|r| r.starts_with("/subscriptions/") && !r.contains(".."))?;
    let name = text("/name").filter(|n| !n.is_empty() && n.len() <= 80)?;
    let id = text("/properties/vmId")
        .filter(|i| !i.is_empty() && i.len() <= 64)
        .unwrap_or_else(|| name.clone());
    let windows = text("/properties/storageProfile/osDisk/osType")
        .is_some_and(|o| o.eq_ignore_ascii_case("windows"));
    let state = vm
        .pointer("/properties/instanceView/statuses")
        .and_then(Value::as_array)
        .and_then(|s| {
            s.iter()
                .filter_map(|st| st.get("code").and_then(Value::as_str))
                .find_map(|c| c.strip_prefix("PowerState/"))
                .map(str::to_string)
        })
        .unwrap_or_else(|| "unknown".into());
    let tags: BTreeMap<String, String> = vm
        .get("tags")
        .and_then(Value::as_object)
        .map(|t| {
            t.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .filter(|(k, v)| k.len() <= 512 && v.len() <= 256)
                .take(50)
                .collect()
        })
        .unwrap_or_default();
    let region = text("/location").unwrap_or_default();
    Some((
        Instance {
            id,
            name,
            windows,
            region,
            state,
            tags,
        },
        resource,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_machine_reads_its_os_state_and_tags_and_odd_entries_are_skipped() {
        let vm = serde_json::json!({
            "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web-1",
            "name": "web-1",
            "location": "westeurope",
            "tags": {"tier": "web", "n": 3},
            "properties": {
                "vmId": "0f5c2d1e-aaaa-bbbb-cccc-000000000001",
                "storageProfile": {"osDisk": {"osType": "Windows"}},
                "instanceView": {"statuses": [
                    {"code": "ProvisioningState/succeeded"},
                    {"code": "PowerState/deallocated"}
                ]}
            }
        });
        let (m, resource) = machine(&vm).expect("a machine");
        assert_eq!(m.id, "0f5c2d1e-aaaa-bbbb-cccc-000000000001");
        assert!(m.windows);
        assert_eq!(
            (m.state.as_str(), m.region.as_str()),
            ("deallocated", "westeurope")
        );
        assert_eq!(m.tags.len(), 1, "a tag that is not text is left out");
        assert!(resource.ends_with("/web-1"));
        assert!(machine(&serde_json::json!({"name": "x"})).is_none());
        assert!(machine(&serde_json::json!({"id": "/subscriptions/../x", "name": "x"})).is_none());
    }
}
