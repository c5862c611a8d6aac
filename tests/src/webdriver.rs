//! A small W3C WebDriver client for the real console window, driven through
//! `tauri-driver` and WebKitWebDriver. One session at a time (a global lock).

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

static ONE_WINDOW: Mutex<()> = Mutex::new(());

/// A running tauri-driver with a session on the console.
pub struct Window {
    base: String,
    session: String,
    driver: Child,
    agent: ureq::Agent,
    _guard: MutexGuard<'static, ()>,
}

/// An element reference.
#[derive(Clone, Debug)]
pub struct El(String);

/// The element reference of a W3C element object (WebKitWebDriver's key
/// differs from the standard one in its last letter, so match the prefix).
fn element_id(v: &Value) -> Option<String> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.starts_with("element-6066-11e4-a52e-4f735466cec"))
        .and_then(|(_, v)| v.as_str().map(str::to_string))
}

impl Window {
    /// Starts tauri-driver and opens the console with `args`.
    pub fn open(args: &[&str]) -> Self {
        let guard = ONE_WINDOW.lock().unwrap_or_else(|e| e.into_inner());
        let app = crate::binary("CAIRN_CONSOLE_BIN", "cairn-console");
        let port = crate::free_port();
        let native = crate::free_port();
        let driver = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tauri-driver (installed by .ci/setup.sh --test)");
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(60))
            .build();
        let base = format!("http://127.0.0.1:{port}");
        let caps = json!({"capabilities": {"alwaysMatch": {"tauri:options": {
            "application": app.to_string_lossy(), "args": args }}}});
        let start = Instant::now();
        let session = loop {
            match agent
                .post(&format!("{base}/session"))
                .send_json(caps.clone())
            {
                Ok(r) => {
                    let v: Value = r.into_json().expect("session reply");
                    break v["value"]["sessionId"]
                        .as_str()
                        .expect("session id")
                        .to_string();
                }
                Err(e) if start.elapsed() < Duration::from_secs(30) => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(300));
                }
                Err(e) => panic!("no WebDriver session: {e}"),
            }
        };
        let w = Self {
            base,
            session,
            driver,
            agent,
            _guard: guard,
        };
        w.wait_for("#work-title");
        w
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{}", self.base, self.session, path)
    }

    fn post(&self, path: &str, body: Value) -> Value {
        match self.agent.post(&self.url(path)).send_json(body) {
            Ok(r) => r.into_json::<Value>().expect("json")["value"].clone(),
            Err(ureq::Error::Status(code, r)) => panic!(
                "POST {path} → {code}: {}",
                r.into_string().unwrap_or_default()
            ),
            Err(e) => panic!("POST {path}: {e}"),
        }
    }

    fn get(&self, path: &str) -> Value {
        match self.agent.get(&self.url(path)).call() {
            Ok(r) => r.into_json::<Value>().expect("json")["value"].clone(),
            Err(e) => panic!("GET {path}: {e}"),
        }
    }

    /// The pid of the console process this window belongs to: the one
    /// started with `data` as its data folder.
    pub fn console_pid(data: &Path) -> u32 {
        let wanted = data.as_os_str().as_encoded_bytes();
        let found = std::fs::read_dir("/proc")
            .expect("/proc")
            .flatten()
            .find_map(|e| {
                let pid: u32 = e.file_name().to_str()?.parse().ok()?;
                let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
                let mut args = cmdline.split(|b| *b == 0);
                let exe = args.next()?;
                (exe.ends_with(b"cairn-console") && args.any(|a| a == wanted)).then_some(pid)
            });
        found.expect("a cairn-console process with that data folder")
    }

    /// All elements matching a CSS selector.
    pub fn find_all(&self, css: &str) -> Vec<El> {
        let v = self.post("/elements", json!({"using": "css selector", "value": css}));
        v.as_array()
            .map(|a| a.iter().filter_map(element_id).map(El).collect())
            .unwrap_or_default()
    }

    /// Waits up to 15 s for an element.
    pub fn wait_for(&self, css: &str) -> El {
        let start = Instant::now();
        loop {
            if let Some(e) = self.find_all(css).into_iter().next() {
                return e;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "no element {css} appeared"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until `f` holds (up to 15 s), with a message on failure.
    pub fn wait_until(&self, what: &str, mut f: impl FnMut(&Self) -> bool) {
        let start = Instant::now();
        while !f(self) {
            if start.elapsed() > Duration::from_secs(15) {
                let shot = self.screenshot(&format!("failed-{}", what.replace(' ', "-")));
                panic!(
                    "timed out waiting for {what}; screenshot {}",
                    shot.display()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks an element.
    pub fn click(&self, e: &El) {
        self.post(&format!("/element/{}/click", e.0), json!({}));
    }

    /// Visible text of an element.
    pub fn text(&self, e: &El) -> String {
        self.get(&format!("/element/{}/text", e.0))
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Texts of all elements matching a selector.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let js = format!(
            "return Array.from(document.querySelectorAll({})).map(e => e.textContent.trim())",
            serde_json::to_string(css).unwrap_or_default()
        );
        match self.script(&js) {
            Value::Array(a) => a
                .into_iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Runs a script and returns its value.
    pub fn script(&self, js: &str) -> Value {
        self.post("/execute/sync", json!({"script": js, "args": []}))
    }

    /// Sends key presses to an element.
    pub fn type_into(&self, e: &El, text: &str) {
        self.post(&format!("/element/{}/value", e.0), json!({"text": text}));
    }

    /// Empties a text field.
    pub fn clear(&self, e: &El) {
        self.post(&format!("/element/{}/clear", e.0), json!({}));
    }

    /// Clicks the first table row whose text contains `text`.
    pub fn click_row(&self, text: &str) {
        let js = format!(
            "for (const tr of document.querySelectorAll('.data-table tbody tr')) {{ if (tr.textContent.includes({})) {{ tr.click(); return true; }} }} return false",
            serde_json::to_string(text).unwrap_or_default()
        );
        assert_eq!(self.script(&js), json!(true), "a row with {text}");
    }

    /// Chooses an option of a <select> (by value) as a user would, firing
    /// the change event.
    pub fn choose(&self, css: &str, value: &str) {
        let js = format!(
            "const e = document.querySelector({}); e.value = {}; e.dispatchEvent(new Event('change', {{bubbles: true}})); return e.value",
            serde_json::to_string(css).unwrap_or_default(),
            serde_json::to_string(value).unwrap_or_default()
        );
        assert_eq!(self.script(&js), value, "option {value} of {css}");
    }

    /// Right-clicks (a `contextmenu` event at its centre) the first element
    /// matching a selector, or the first table row containing `row_text`.
    pub fn right_click(&self, css: &str, row_text: Option<&str>) {
        self.wait_for(css);
        let js = format!(
            "for (const e of document.querySelectorAll({})) {{ if ({} === null || e.textContent.includes({})) {{ const r = e.getBoundingClientRect(); e.dispatchEvent(new MouseEvent('contextmenu', {{bubbles: true, cancelable: true, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2}})); return true; }} }} return false",
            serde_json::to_string(css).unwrap_or_default(),
            serde_json::to_string(&row_text).unwrap_or_default(),
            serde_json::to_string(&row_text).unwrap_or_default()
        );
        assert_eq!(
            self.script(&js),
            json!(true),
            "right-click {css} {row_text:?}"
        );
    }

    /// Clicks the first element matching a selector (waiting for it).
    pub fn click_on(&self, css: &str) {
        let e = self.wait_for(css);
        self.click(&e);
    }

    /// The page's whole HTML.
    pub fn source(&self) -> String {
        self.get("/source").as_str().unwrap_or_default().to_string()
    }

    /// Saves a screenshot of the window as PNG.
    pub fn screenshot(&self, name: &str) -> PathBuf {
        use base64::Engine;
        // Let the page paint what the DOM already holds: WebKit's snapshot
        // can otherwise show the frame before the last change.
        self.post(
            "/execute/async",
            json!({"script": "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 50)));", "args": []}),
        );
        let b64 = self.get("/screenshot");
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().expect("base64"))
            .expect("decode screenshot");
        let path = crate::artifacts().join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Waits for the session window to end in Success (failing at once,
    /// with its log, when it fails), saves screenshot `shot`, closes the
    /// window and answers the log.
    pub fn session_succeeds(&self, shot: &str) -> String {
        self.wait_for("#session-window");
        self.wait_until("the session succeeds", |w| {
            let s = w.texts("#session-status").join("");
            assert_ne!(s, "Failed", "{}", w.texts("#session-log").join("\n"));
            s == "Success"
        });
        self.screenshot(shot);
        let log = self.texts("#session-log").join("\n");
        self.click_on("#session-close");
        log
    }

    /// Where a screenshot would be written.
    pub fn artifact(name: &str) -> PathBuf {
        crate::artifacts().join(name)
    }

    /// Data folder helper: the SQLite file inside `dir`.
    pub fn catalog(dir: &Path) -> PathBuf {
        dir.join("cairn.sqlite")
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        let _ = self
            .agent
            .delete(&format!("{}/session/{}", self.base, self.session))
            .call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
