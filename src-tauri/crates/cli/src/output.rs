//! Printing: aligned tables for people, JSON for scripts, and a progress
//! sink that writes a status line (TTY) or JSON lines.

use cairn_console::{ProgressSink, ProgressSnapshot};
use cairn_model::LogLevel;
use serde::Serialize;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;

/// Prints rows as an aligned table.
pub fn table(headers: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths[i]))
            .collect();
        println!("{}", parts.join("  ").trim_end());
    };
    line(headers.iter().map(|h| h.to_string()).collect());
    for r in rows {
        line(r.clone());
    }
}

/// Prints one JSON document.
pub fn json<T: Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => println!("{s}"),
        Err(e) => eprintln!("cairn: cannot print JSON: {e}"),
    }
}

/// Human-readable bytes.
pub fn bytes(n: u64) -> String {
    const U: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < U.len() {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", U[i])
    }
}

/// Progress for the terminal or as JSON lines.
pub struct CliProgress {
    json: bool,
    tty: bool,
    last_len: Mutex<usize>,
}

impl CliProgress {
    /// A sink printing JSON lines on stdout (`json`, for `job run --json`),
    /// or text on stderr (every other command, so `--json` output stays one
    /// document).
    pub fn new(json: bool) -> Self {
        Self {
            json,
            tty: std::io::stderr().is_terminal(),
            last_len: Mutex::new(0),
        }
    }
    fn clear(&self) {
        if let Ok(mut n) = self.last_len.lock() {
            if *n > 0 {
                eprint!("\r{}\r", " ".repeat(*n));
                *n = 0;
            }
        }
    }
}

#[derive(Serialize)]
struct JsonLine<'a, T: Serialize> {
    event: &'a str,
    #[serde(flatten)]
    data: T,
}

impl ProgressSink for CliProgress {
    fn progress(&self, p: &ProgressSnapshot) {
        if self.json {
            if let Ok(s) = serde_json::to_string(&JsonLine {
                event: "progress",
                data: p,
            }) {
                println!("{s}");
            }
        } else if self.tty {
            let eta = p
                .eta
                .map(|e| format!(", ETA {}s", e as u64))
                .unwrap_or_default();
            let text = format!(
                "{} files, {} processed, {} read, {} written, {}/s{eta}",
                p.files,
                bytes(p.bytes_processed),
                bytes(p.bytes_read),
                bytes(p.bytes_written),
                bytes(p.rate as u64)
            );
            if let Ok(mut n) = self.last_len.lock() {
                eprint!("\r{text:<w$}", w = *n);
                *n = text.len();
            }
            let _ = std::io::stderr().flush();
        }
    }

    fn log(&self, level: LogLevel, message: &str) {
        if self.json {
            #[derive(Serialize)]
            struct L<'a> {
                level: &'a str,
                message: &'a str,
            }
            if let Ok(s) = serde_json::to_string(&JsonLine {
                event: "log",
                data: L {
                    level: level.word(),
                    message,
                },
            }) {
                println!("{s}");
            }
        } else {
            self.clear();
            eprintln!("[{}] {message}", level.word());
        }
    }
}

impl Drop for CliProgress {
    fn drop(&mut self) {
        if !self.json {
            self.clear();
        }
    }
}
