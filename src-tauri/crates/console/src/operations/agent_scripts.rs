//! The scripts the console sends through Systems Manager / Run Command to
//! install, update, restart and remove the agent on a Linux machine. They
//! end by printing `cairn-done`, or `cairn-failed: <reason>` and a non-zero
//! exit; the console reads that from the command's output. Every path is
//! under `$CAIRN_MACHINE_ROOT` when it is set (a stand-in machine's
//! folder; unset on a real machine), and the agent runs under systemd
//! when the machine has it, else as a background process with a pid file.
//! Signed addresses are quoted and never echoed.

/// The line a script prints when it did what it was sent for.
pub const DONE: &str = "cairn-done";
/// The prefix of the line a script prints when it could not.
pub const FAILED: &str = "cairn-failed:";

/// What an install or update hands the script.
pub struct InstallPlan<'a> {
    /// Signed address of the package.
    pub package_url: &'a str,
    /// Its SHA-256 (hex).
    pub sha256: &'a str,
    /// The architecture it is built for (`uname -m`).
    pub arch: &'a str,
    /// Signed address of the configuration; None keeps the one installed
    /// (an update).
    pub config_url: Option<&'a str>,
}

/// A sealed command handed to the agent through its inbox.
pub struct Inbox<'a> {
    /// The message id (the file name).
    pub id: &'a str,
    /// The sealed message.
    pub sealed: &'a str,
}

const PRELUDE: &str = r#"set -u
root="${CAIRN_MACHINE_ROOT:-}"
bin="$root/opt/cairn/bin"; etc="$root/etc/cairn"; state="$root/var/lib/cairn-agent"
unit=/etc/systemd/system/cairn-agent.service
fail() { echo "cairn-failed: $*"; exit 1; }
systemd() { [ -z "$root" ] && command -v systemctl >/dev/null 2>&1; }
fetch() { if command -v curl >/dev/null 2>&1; then curl -fsS --retry 3 -o "$2" "$1"; else wget -q -O "$2" "$1"; fi; }
agent_stop() {
  if systemd; then systemctl stop cairn-agent >/dev/null 2>&1
  elif [ -f "$state/agent.pid" ]; then
    pid=$(cat "$state/agent.pid"); kill "$pid" 2>/dev/null
    n=0; while kill -0 "$pid" 2>/dev/null && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done
    rm -f "$state/agent.pid"
  fi
  return 0
}
agent_start() {
  if systemd; then
    printf '%s\n' '[Unit]' 'Description=Cairn agent' 'After=network-online.target' 'Wants=network-online.target' '' \
      '[Service]' "ExecStart=$bin/cairn agent --config $etc/agent.json --state-dir $state" 'Restart=always' 'RestartSec=5' '' \
      '[Install]' 'WantedBy=multi-user.target' > "$unit" || fail "cannot write $unit"
    systemctl daemon-reload && systemctl enable cairn-agent >/dev/null 2>&1 && systemctl restart cairn-agent || fail "systemd cannot start the agent"
  else
    if [ -n "$root" ]; then set -- --root "$root"; else set --; fi
    nohup "$bin/cairn" agent --config "$etc/agent.json" --state-dir "$state" "$@" >>"$state/agent.log" 2>&1 </dev/null &
    echo $! > "$state/agent.pid"
  fi
}
"#;

/// Proves the machine runs what it is sent (Setup step 1).
pub fn check() -> Vec<String> {
    lines(&format!("echo {DONE} \"$(uname -sm)\""))
}

/// Downloads, verifies and installs the package (and the configuration,
/// when given), then (re)starts the agent.
pub fn install(p: &InstallPlan<'_>, inbox: Option<&Inbox<'_>>) -> Vec<String> {
    let mut s = String::from(PRELUDE);
    s.push_str(&format!(
        "[ \"$(uname -m)\" = {arch} ] || fail \"this machine is $(uname -m); the console has an agent package for {arch} only\"\n",
        arch = quote(p.arch)
    ));
    s.push_str("mkdir -p \"$bin\" \"$etc\" \"$state/inbox\" || fail \"cannot create the agent's folders\"\n");
    s.push_str("chmod 700 \"$etc\" \"$state\"\n");
    s.push_str("tmp=\"$bin/.cairn.download\"\n");
    s.push_str(&format!(
        "fetch {} \"$tmp\" || fail \"cannot download the package from the distribution repository (its signed address may have expired)\"\n",
        quote(p.package_url)
    ));
    s.push_str(&format!(
        "got=$(sha256sum \"$tmp\" | cut -d' ' -f1)\n[ \"$got\" = {sha} ] || {{ rm -f \"$tmp\"; fail \"the package's SHA-256 is $got, not {sha}: refused\"; }}\nchmod 755 \"$tmp\"\n",
        sha = quote(p.sha256)
    ));
    match p.config_url {
        Some(url) => s.push_str(&format!(
            "(umask 077; fetch {} \"$etc/agent.json.new\") || fail \"cannot download the agent's configuration\"\nchmod 600 \"$etc/agent.json.new\"\n",
            quote(url)
        )),
        None => s.push_str(
            "[ -f \"$etc/agent.json\" ] || fail \"the agent's configuration is missing; remove the machine from the group and rescan\"\n",
        ),
    }
    s.push_str(
        "agent_stop\nmv -f \"$tmp\" \"$bin/cairn\" || fail \"cannot install the package\"\n",
    );
    if p.config_url.is_some() {
        s.push_str("mv -f \"$etc/agent.json.new\" \"$etc/agent.json\" || fail \"cannot install the configuration\"\n");
    }
    if let Some(i) = inbox {
        s.push_str(&drop_in_inbox(i));
    }
    s.push_str(&format!("agent_start\necho {DONE}\n"));
    lines(&s)
}

/// Hands a command to the agent through its inbox and restarts its
/// message service; fails with `missing` when the agent is not installed.
pub fn restart(inbox: &Inbox<'_>) -> Vec<String> {
    let mut s = String::from(PRELUDE);
    s.push_str("[ -x \"$bin/cairn\" ] && [ -f \"$etc/agent.json\" ] || fail \"missing: the agent is not installed\"\n");
    s.push_str("mkdir -p \"$state/inbox\"\n");
    s.push_str(&drop_in_inbox(inbox));
    s.push_str(&format!("agent_stop\nagent_start\necho {DONE}\n"));
    lines(&s)
}

/// Stops the agent and removes it, its configuration and its state.
pub fn uninstall() -> Vec<String> {
    let mut s = String::from(PRELUDE);
    s.push_str("agent_stop\n");
    s.push_str("if systemd; then systemctl disable cairn-agent >/dev/null 2>&1; rm -f \"$unit\"; systemctl daemon-reload; fi\n");
    s.push_str("rm -rf \"$bin\" \"$etc\" \"$state\" || fail \"cannot remove the agent's files\"\n");
    // Its folder goes too, unless someone put something else there.
    s.push_str("rmdir \"$root/opt/cairn\" 2>/dev/null\n");
    s.push_str(&format!("echo {DONE}\n"));
    lines(&s)
}

/// The part of a reason that says the agent is not installed.
pub fn says_missing(reason: &str) -> bool {
    reason.starts_with("missing:")
}

fn drop_in_inbox(i: &Inbox<'_>) -> String {
    let name: String =
        i.id.chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(64)
            .collect();
    format!(
        "printf '%s' {} > \"$state/inbox/{name}.part\" && mv -f \"$state/inbox/{name}.part\" \"$state/inbox/{name}.msg\" || fail \"cannot hand the command to the agent\"\n",
        quote(i.sealed)
    )
}

/// `text` as one single-quoted shell word.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

fn lines(script: &str) -> Vec<String> {
    script.lines().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn run(script: &[String], root: &std::path::Path) -> (String, bool) {
        let out = Command::new("sh")
            .arg("-c")
            .arg(script.join("\n"))
            .env("CAIRN_MACHINE_ROOT", root)
            .output()
            .expect("sh");
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.success(),
        )
    }

    fn arch() -> String {
        let out = Command::new("uname").arg("-m").output().expect("uname");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    #[test]
    fn a_package_whose_sha256_differs_is_refused_and_nothing_is_installed() {
        let d = tempfile::tempdir().expect("tmp");
        let pkg = d.path().join("pkg");
        std::fs::write(&pkg, "#!/bin/sh\n").expect("write");
        let url = format!("file://{}", pkg.display());
        let arch = arch();
        let plan = InstallPlan {
            package_url: &url,
            sha256: "00",
            arch: &arch,
            config_url: Some(&url),
        };
        let root = d.path().join("machine");
        let (out, ok) = run(&install(&plan, None), &root);
        assert!(!ok);
        assert!(
            out.contains("cairn-failed: the package's SHA-256 is"),
            "{out}"
        );
        assert!(!root.join("opt/cairn/bin/cairn").exists());
        assert!(!root.join("opt/cairn/bin/.cairn.download").exists());
    }

    #[test]
    fn quoting_keeps_hostile_text_one_word() {
        assert_eq!(quote("a'b; rm -rf /"), "'a'\\''b; rm -rf /'");
        let (out, ok) = run(
            &lines(&format!("printf '%s' {}", quote("x'$(echo pwned)'y"))),
            std::path::Path::new("/nonexistent"),
        );
        assert!(ok);
        assert_eq!(out, "x'$(echo pwned)'y");
    }

    #[test]
    fn restart_without_an_installed_agent_says_it_is_missing() {
        let d = tempfile::tempdir().expect("tmp");
        let (out, ok) = run(
            &restart(&Inbox {
                id: "m-1",
                sealed: "sealed",
            }),
            d.path(),
        );
        assert!(!ok);
        let reason = out.trim().strip_prefix(FAILED).expect("a failure").trim();
        assert!(says_missing(reason), "{reason}");
    }
}
