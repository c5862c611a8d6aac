//! A Secret Service keyring of a test's own, on a private D-Bus, so a test
//! can lock it without touching the keyring every other test shares.

use std::io::{BufRead, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A private `dbus-daemon` with an unlocked gnome-keyring on it; both
/// stop when this is dropped.
pub struct PrivateKeyring {
    bus: Child,
    keyring: Child,
    address: String,
    _home: tempfile::TempDir,
}

impl PrivateKeyring {
    /// Starts the bus and the keyring and waits for its login collection.
    pub fn start() -> Self {
        let home = tempfile::tempdir().expect("keyring home");
        let mut bus = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        let mut address = String::new();
        std::io::BufReader::new(bus.stdout.take().expect("bus stdout"))
            .read_line(&mut address)
            .expect("bus address");
        let address = address.trim().to_string();
        let mut keyring = Command::new("gnome-keyring-daemon")
            .args(["--foreground", "--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &address)
            .env("XDG_DATA_HOME", home.path())
            .env_remove("DISPLAY")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start gnome-keyring-daemon");
        let mut pass = keyring.stdin.take().expect("keyring stdin");
        pass.write_all(b"cairn-test").expect("keyring password");
        drop(pass);
        let k = Self {
            bus,
            keyring,
            address,
            _home: home,
        };
        k.wait_for_login_collection();
        k
    }

    /// The environment that points a process at this keyring.
    pub fn env(&self) -> [(&str, &str); 1] {
        [("DBUS_SESSION_BUS_ADDRESS", self.address.as_str())]
    }

    /// Locks the login collection, as a screen lock or a timeout would.
    pub fn lock(&self) {
        let out = self.gdbus(&[
            "call",
            "--session",
            "--dest",
            "org.freedesktop.secrets",
            "--object-path",
            "/org/freedesktop/secrets",
            "--method",
            "org.freedesktop.Secret.Service.Lock",
            "['/org/freedesktop/secrets/collection/login']",
        ]);
        assert!(out.status.success(), "lock the keyring: {out:?}");
    }

    fn wait_for_login_collection(&self) {
        let start = Instant::now();
        loop {
            let out = self.gdbus(&[
                "introspect",
                "--session",
                "--dest",
                "org.freedesktop.secrets",
                "--object-path",
                "/org/freedesktop/secrets/collection/login",
            ]);
            if out.status.success() {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the private keyring did not start: {out:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn gdbus(&self, args: &[&str]) -> std::process::Output {
        Command::new("gdbus")
            .args(args)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.address)
            .output()
            .expect("run gdbus")
    }
}

impl Drop for PrivateKeyring {
    fn drop(&mut self) {
        for child in [&mut self.keyring, &mut self.bus] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
