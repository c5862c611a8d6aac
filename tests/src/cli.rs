//! Running the `cairn` command line against a private data folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--data-dir").arg(&self.data).args(args);
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
        let out: Output = child.wait_with_output().expect("wait for cairn");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
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

    /// The default repository's folder.
    pub fn default_repo(&self) -> PathBuf {
        self.data.join("repository")
    }
}
