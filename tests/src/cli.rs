//! Running the `cairn` command line against a private data folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A `cairn` with its own data folder.
pub struct Cairn {
    /// The binary.
    pub bin: PathBuf,
    /// The data folder.
    pub data: PathBuf,
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// The report of the "summary" line that ends a command streaming
    /// JSON lines (`job run --json`, `prune --json`).
    pub fn summary(&self) -> serde_json::Value {
        let last = self.stdout.lines().last().expect("a summary line");
        let v: serde_json::Value = serde_json::from_str(last).expect("json");
        assert_eq!(v["event"], "summary", "{}", self.stdout);
        v["report"].clone()
    }

    /// Parses stdout as one JSON document.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

impl Cairn {
    /// A CLI with a data folder inside `dir`.
    pub fn new(dir: &Path) -> Self {
        Self {
            bin: crate::binary("CAIRN_BIN", "cairn"),
            data: dir.join("cairn-data"),
        }
    }

    /// Runs with arguments and optional standard input.
    pub fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        self.run_peak(args, stdin).0
    }

    /// Runs like [`Cairn::run`] and also answers the process's peak
    /// resident memory in bytes, sampled from `/proc` while it runs.
    pub fn run_peak(&self, args: &[&str], stdin: Option<&str>) -> (Run, u64) {
        self.run_env(args, stdin, &[])
    }

    /// Runs like [`Cairn::run_peak`] with extra environment variables.
    pub fn run_env(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> (Run, u64) {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--data-dir").arg(&self.data).args(args);
        cmd.envs(env.iter().copied());
        cmd.stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start cairn");
        if let Some(s) = stdin {
            let mut i = child.stdin.take().expect("stdin");
            i.write_all(s.as_bytes()).expect("write stdin");
        }
        let status = format!("/proc/{}/status", child.id());
        let (mut out, mut err) = (child.stdout.take(), child.stderr.take());
        let readers = [
            std::thread::spawn(move || read_all(out.as_mut())),
            std::thread::spawn(move || read_all(err.as_mut())),
        ];
        let mut peak = 0u64;
        let code = loop {
            peak = peak.max(vm_hwm(&status));
            match child.try_wait().expect("wait for cairn") {
                Some(s) => break s.code().unwrap_or(-1),
                None => std::thread::sleep(std::time::Duration::from_millis(5)),
            }
        };
        let [stdout, stderr] = readers.map(|r| r.join().expect("reader"));
        (
            Run {
                code,
                stdout,
                stderr,
            },
            peak,
        )
    }

    /// Runs `args` with `--json` and dense progress, and kills the process
    /// (SIGKILL, as a power cut would) at the first line of its JSON
    /// stream that `at` picks. True when it was killed; false when it
    /// ended first.
    pub fn kill_at(
        &self,
        args: &[&str],
        stdin: Option<&str>,
        at: &mut dyn FnMut(&serde_json::Value) -> bool,
    ) -> bool {
        use std::io::BufRead;
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--data-dir").arg(&self.data);
        cmd.args(["--json", "--progress-every", "1"]).args(args);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("start cairn");
        let mut input = child.stdin.take().expect("stdin");
        input
            .write_all(stdin.unwrap_or("").as_bytes())
            .expect("write stdin");
        drop(input);
        let out = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        for line in out.lines() {
            let Ok(line) = line else { break };
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            if at(&v) {
                child.kill().expect("kill");
                child.wait().expect("reap");
                return true;
            }
        }
        child.wait().expect("reap");
        false
    }

    /// Runs and asserts success.
    pub fn ok(&self, args: &[&str]) -> Run {
        let r = self.run(args, None);
        assert_eq!(r.code, 0, "cairn {args:?} failed: {}{}", r.stdout, r.stderr);
        r
    }

    /// Runs with standard input and asserts success.
    pub fn ok_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let r = self.run(args, Some(stdin));
        assert_eq!(r.code, 0, "cairn {args:?} failed: {}{}", r.stdout, r.stderr);
        r
    }

    /// `cairn appliance backup` of `src` into folder `appliance` of an S3
    /// bucket on the test S3 server, as machine `machine` (EC2) of policy
    /// `policy`; `stdin` holds the secret ("test") and any password.
    /// Asserts success.
    pub fn appliance_s3(
        &self,
        bucket: &str,
        policy: &str,
        machine: &str,
        src: &Path,
        extra: &[&str],
        stdin: &str,
    ) -> Run {
        let r = self.try_appliance_s3(bucket, policy, machine, src, extra, stdin);
        assert_eq!(
            r.code, 0,
            "cairn appliance backup failed: {}{}",
            r.stdout, r.stderr
        );
        r
    }

    /// [`Cairn::appliance_s3`], whatever its outcome.
    pub fn try_appliance_s3(
        &self,
        bucket: &str,
        policy: &str,
        machine: &str,
        src: &Path,
        extra: &[&str],
        stdin: &str,
    ) -> Run {
        let ep = crate::services::s3_endpoint();
        let mut args = vec![
            "appliance",
            "backup",
            "--to",
            "s3",
            "--bucket",
            bucket,
            "--folder",
            "appliance",
            "--region",
            "eu-west-1",
            "--endpoint",
            &ep,
            "--access-key-id",
            "test",
            "--secret-access-key-stdin",
            "--policy",
            policy,
            "--machine",
            machine,
            "--platform",
            "ec2",
            "--source",
            src.to_str().expect("utf8"),
        ];
        args.extend_from_slice(extra);
        self.run(&args, Some(stdin))
    }

    /// Restores the latest point of `backup` into `out` and asserts that
    /// what comes back (below the full path of `src`) equals `src`.
    pub fn assert_restores(&self, backup: &str, src: &Path, out: &Path) {
        self.ok(&["restore", backup, "--to", out.to_str().expect("utf8")]);
        crate::tree::assert_same(src, &out.join(src.strip_prefix("/").expect("absolute")));
    }

    /// The default repository's folder.
    pub fn default_repo(&self) -> PathBuf {
        self.data.join("repository")
    }
}

fn read_all(r: Option<&mut impl std::io::Read>) -> String {
    let mut s = String::new();
    if let Some(r) = r {
        let _ = r.read_to_string(&mut s);
    }
    s
}

/// VmHWM of a process in bytes (0 once it has exited).
fn vm_hwm(status: &str) -> u64 {
    std::fs::read_to_string(status)
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map(|k| k * 1024)
        .unwrap_or(0)
}
