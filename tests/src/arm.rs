//! A stand-in for Azure Resource Manager and its sign-in service, which
//! have no local emulator. It plays only what Cairn calls, in the
//! documented shapes: the client-credentials token
//! (`POST /{tenant}/oauth2/v2.0/token`), Virtual Machines - List All
//! (`GET /subscriptions/{id}/providers/Microsoft.Compute/virtualMachines`,
//! two machines per page with `nextLink`), and Tags - Update At Scope
//! (`PATCH {resource}/providers/Microsoft.Resources/tags/default`, Merge
//! and Delete), and the Managed Run Commands of a machine (`{resource}/
//! runCommands`: list, create or update, get with `$expand=instanceView`,
//! delete), whose scripts the machine stand-in of `crate::machine` takes
//! and answers like a VM's own agent. Everything else Cairn does on Azure
//! runs against Azurite.

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One virtual machine of the subscription.
#[derive(Debug, Clone)]
pub struct Vm {
    pub name: String,
    pub vm_id: String,
    pub windows: bool,
    pub location: String,
    pub tags: BTreeMap<String, String>,
}

/// A Managed Run Command deployed on a machine.
#[derive(Debug, Clone)]
pub struct RunCommand {
    /// The VM's name.
    pub vm: String,
    /// The run command's name.
    pub name: String,
    /// Its script.
    pub script: String,
    /// Pending, Running, Succeeded or Failed.
    pub state: String,
    pub exit_code: i64,
    pub output: String,
    pub error: String,
}

struct State {
    tenant: String,
    client_id: String,
    secret: String,
    subscription: String,
    token: String,
    vms: Vec<Vm>,
    runs: Vec<RunCommand>,
    /// Requests that came without the token (refused).
    refused: u32,
}

/// A running stand-in on a loopback port.
#[derive(Clone)]
pub struct ArmStandIn {
    state: Arc<Mutex<State>>,
    port: u16,
}

impl ArmStandIn {
    /// Starts one for `subscription`, signing in service principal
    /// `client_id` of `tenant` with `secret` only.
    pub fn start(tenant: &str, client_id: &str, secret: &str, subscription: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the ARM stand-in");
        let port = listener.local_addr().expect("port").port();
        let state = Arc::new(Mutex::new(State {
            tenant: tenant.into(),
            client_id: client_id.into(),
            secret: secret.into(),
            subscription: subscription.into(),
            token: format!("token-{}", crate::services::unique("arm")),
            vms: Vec::new(),
            runs: Vec::new(),
            refused: 0,
        }));
        let s = Self { state, port };
        let server = s.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let server = server.clone();
                std::thread::spawn(move || server.serve(conn));
            }
        });
        s
    }

    /// Its address (both Resource Manager and the sign-in service).
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Adds a machine; its VM id.
    pub fn add_vm(
        &self,
        name: &str,
        windows: bool,
        location: &str,
        tags: &[(&str, &str)],
    ) -> String {
        let n = self.lock().vms.len() + 1;
        let vm_id = format!("6a1b2c3d-0000-4000-8000-{n:012}");
        self.lock().vms.push(Vm {
            name: name.into(),
            vm_id: vm_id.clone(),
            windows,
            location: location.into(),
            tags: tags
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        });
        vm_id
    }

    /// A machine's tags now.
    pub fn tags(&self, vm_id: &str) -> BTreeMap<String, String> {
        self.lock()
            .vms
            .iter()
            .find(|v| v.vm_id == vm_id)
            .map(|v| v.tags.clone())
            .unwrap_or_default()
    }

    /// Deploys `n` run commands of someone else on a machine.
    pub fn deploy_foreign_run_commands(&self, vm_id: &str, n: usize) {
        let vm = self.vm_name(vm_id);
        let mut s = self.lock();
        for i in 0..n {
            s.runs.push(RunCommand {
                vm: vm.clone(),
                name: format!("ops-task-{i}"),
                script: "echo hello".into(),
                state: "Succeeded".into(),
                exit_code: 0,
                output: "hello".into(),
                error: String::new(),
            });
        }
    }

    /// The names of the run commands deployed on a machine now.
    pub fn run_command_names(&self, vm_id: &str) -> Vec<String> {
        let vm = self.vm_name(vm_id);
        let s = self.lock();
        s.runs
            .iter()
            .filter(|r| r.vm == vm)
            .map(|r| r.name.clone())
            .collect()
    }

    /// The pending run commands of a machine (name and script), now
    /// marked running: what a VM's own agent picks up.
    pub fn take_pending(&self, vm_id: &str) -> Vec<(String, String)> {
        let vm = self.vm_name(vm_id);
        let mut s = self.lock();
        s.runs
            .iter_mut()
            .filter(|r| r.vm == vm && r.state == "Pending")
            .map(|r| {
                r.state = "Running".into();
                (r.name.clone(), r.script.clone())
            })
            .collect()
    }

    /// Records how a machine's run command ended.
    pub fn finish(&self, vm_id: &str, name: &str, exit_code: i64, output: &str, error: &str) {
        let vm = self.vm_name(vm_id);
        let mut s = self.lock();
        if let Some(r) = s.runs.iter_mut().find(|r| r.vm == vm && r.name == name) {
            r.state = if exit_code == 0 {
                "Succeeded"
            } else {
                "Failed"
            }
            .into();
            r.exit_code = exit_code;
            r.output = output.into();
            r.error = error.into();
        }
    }

    fn vm_name(&self, vm_id: &str) -> String {
        self.lock()
            .vms
            .iter()
            .find(|v| v.vm_id == vm_id)
            .map(|v| v.name.clone())
            .unwrap_or_default()
    }

    /// Requests refused for a missing or wrong token.
    pub fn refused(&self) -> u32 {
        self.lock().refused
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("the stand-in's state")
    }

    fn serve(&self, conn: TcpStream) {
        let mut reader = BufReader::new(conn.try_clone().expect("clone"));
        loop {
            let Some((method, target, headers, body)) = read_request(&mut reader) else {
                return;
            };
            let (status, answer) = self.answer(&method, &target, &headers, &body);
            let text = if answer.is_null() {
                String::new()
            } else {
                answer.to_string()
            };
            let head = format!(
                "HTTP/1.1 {status} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                if status < 400 { "OK" } else { "Error" },
                text.len()
            );
            let mut w = &conn;
            if w.write_all(head.as_bytes())
                .and_then(|_| w.write_all(text.as_bytes()))
                .is_err()
            {
                return;
            }
        }
    }

    fn answer(
        &self,
        method: &str,
        target: &str,
        headers: &BTreeMap<String, String>,
        body: &[u8],
    ) -> (u16, Value) {
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let mut s = self.lock();
        if method == "POST" && path == format!("/{}/oauth2/v2.0/token", s.tenant) {
            let form: BTreeMap<String, String> = form(std::str::from_utf8(body).unwrap_or(""));
            let ok = form.get("grant_type").map(String::as_str) == Some("client_credentials")
                && form.get("client_id") == Some(&s.client_id)
                && form.get("client_secret") == Some(&s.secret);
            if !ok {
                return (
                    401,
                    json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}),
                );
            }
            return (
                200,
                json!({"token_type": "Bearer", "expires_in": 3599, "access_token": s.token}),
            );
        }
        if headers.get("authorization") != Some(&format!("Bearer {}", s.token)) {
            s.refused += 1;
            return (
                401,
                json!({"error": {"code": "InvalidAuthenticationToken", "message": "The access token is invalid."}}),
            );
        }
        let list = format!(
            "/subscriptions/{}/providers/Microsoft.Compute/virtualMachines",
            s.subscription
        );
        if method == "GET" && path == list {
            let skip: usize = form(query)
                .get("$skiptoken")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let page: Vec<Value> = s
                .vms
                .iter()
                .skip(skip)
                .take(2)
                .map(|v| vm_json(&s.subscription, v))
                .collect();
            let mut out = json!({ "value": page });
            if skip + 2 < s.vms.len() {
                out["nextLink"] = json!(format!(
                    "http://127.0.0.1:{}{list}?api-version=2024-07-01&statusOnly=true&$skiptoken={}",
                    self.port,
                    skip + 2
                ));
            }
            return (200, out);
        }
        let suffix = "/providers/Microsoft.Resources/tags/default";
        if method == "PATCH" && path.ends_with(suffix) {
            let resource = &path[..path.len() - suffix.len()];
            let sub = s.subscription.clone();
            let Some(vm) = s.vms.iter_mut().find(|v| resource_id(&sub, v) == resource) else {
                return (404, json!({"error": {"code": "ResourceNotFound"}}));
            };
            let req: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let tags = req
                .pointer("/properties/tags")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            match req["operation"].as_str() {
                Some("Merge") => {
                    for (k, v) in tags {
                        vm.tags.insert(k, v.as_str().unwrap_or("").to_string());
                    }
                }
                Some("Delete") => {
                    for (k, v) in tags {
                        if vm.tags.get(&k).map(String::as_str) == v.as_str() {
                            vm.tags.remove(&k);
                        }
                    }
                }
                _ => return (400, json!({"error": {"code": "InvalidOperation"}})),
            }
            return (
                200,
                json!({"id": format!("{resource}{suffix}"), "name": "default", "properties": {"tags": vm.tags}}),
            );
        }
        if let Some(found) = run_commands(&mut s, method, path, query, body) {
            return found;
        }
        (
            404,
            json!({"error": {"code": "NotFound", "message": format!("{method} {path}")}}),
        )
    }
}

/// The Managed Run Commands API of a machine, when `path` is one of its
/// addresses.
fn run_commands(
    s: &mut State,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
) -> Option<(u16, Value)> {
    let (resource, rest) = path.split_once("/runCommands")?;
    let sub = s.subscription.clone();
    let vm = s
        .vms
        .iter()
        .find(|v| resource_id(&sub, v) == resource)?
        .name
        .clone();
    let name = rest.strip_prefix('/').unwrap_or("").to_string();
    let view = |r: &RunCommand, expand: bool| {
        let mut v = json!({
            "id": format!("{resource}/runCommands/{}", r.name),
            "name": r.name,
            "type": "Microsoft.Compute/virtualMachines/runCommands",
            "properties": {"provisioningState": "Succeeded", "source": {"script": r.script}}
        });
        if expand {
            v["properties"]["instanceView"] = json!({
                "executionState": r.state,
                "exitCode": r.exit_code,
                "output": r.output,
                "error": r.error,
            });
        }
        v
    };
    let found = s.runs.iter().position(|r| r.vm == vm && r.name == name);
    Some(match (method, name.is_empty(), found) {
        ("GET", true, _) => {
            let list: Vec<Value> = s
                .runs
                .iter()
                .filter(|r| r.vm == vm)
                .map(|r| view(r, false))
                .collect();
            (200, json!({ "value": list }))
        }
        ("PUT", false, _) => {
            let req: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
            let Some(script) = req
                .pointer("/properties/source/script")
                .and_then(Value::as_str)
            else {
                return Some((
                    400,
                    json!({"error": {"code": "InvalidParameter", "message": "source.script"}}),
                ));
            };
            let deployed = s.runs.iter().filter(|r| r.vm == vm).count();
            if found.is_none() && deployed >= 25 {
                return Some((
                    409,
                    json!({"error": {"code": "OperationNotAllowed", "message": "The maximum number of run commands (25) per virtual machine has been reached."}}),
                ));
            }
            let run = RunCommand {
                vm: vm.clone(),
                name: name.clone(),
                script: script.to_string(),
                state: "Pending".into(),
                exit_code: 0,
                output: String::new(),
                error: String::new(),
            };
            let answer = view(&run, false);
            match found {
                Some(i) => s.runs[i] = run,
                None => s.runs.push(run),
            }
            (201, answer)
        }
        ("GET", false, Some(i)) => (200, view(&s.runs[i], query.contains("instanceView"))),
        ("DELETE", false, Some(i)) => {
            s.runs.remove(i);
            (200, Value::Null)
        }
        ("DELETE", false, None) => (204, Value::Null),
        _ => (
            404,
            json!({"error": {"code": "NotFound", "message": format!("run command {name}")}}),
        ),
    })
}

fn resource_id(subscription: &str, v: &Vm) -> String {
    format!(
        "/subscriptions/{subscription}/resourceGroups/rg-cairn/providers/Microsoft.Compute/virtualMachines/{}",
        v.name
    )
}

fn vm_json(subscription: &str, v: &Vm) -> Value {
    json!({
        "id": resource_id(subscription, v),
        "name": v.name,
        "type": "Microsoft.Compute/virtualMachines",
        "location": v.location,
        "tags": v.tags,
        "properties": {
            "vmId": v.vm_id,
            "storageProfile": {"osDisk": {"osType": if v.windows { "Windows" } else { "Linux" }}},
            "instanceView": {"statuses": [
                {"code": "ProvisioningState/succeeded", "level": "Info"},
                {"code": "PowerState/running", "level": "Info", "displayStatus": "VM running"}
            ]}
        }
    })
}

fn form(s: &str) -> BTreeMap<String, String> {
    s.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.replace('+', " ").into_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&String::from_utf8_lossy(&bytes[i + 1..i + 3]), 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

type Request = (String, String, BTreeMap<String, String>, Vec<u8>);

fn read_request(r: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).ok()?;
    Some((method, target, headers, body))
}
