//! A Secret Service keyring of a test's own, on a private D-Bus, so a test
//! can lock it without touching the keyring every other test shares.

use std::io::{BufRead, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A session bus without service activation: the system's activation file
/// for `org.freedesktop.secrets` would start a second, password-less
/// keyring (its login collection locked) whenever a call reaches the bus
/// before the test's own keyring has claimed the name.
const BUS_CONFIG: &str = r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#;

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
        let config = home.path().join("bus.conf");
        std::fs::write(&config, BUS_CONFIG).expect("bus config");
        let mut bus = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
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

    /// Waits until the keyring owns its name and its login collection is
    /// the unlocked default.
    fn wait_for_login_collection(&self) {
        let start = Instant::now();
        while !self.login_is_unlocked_default() {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "the private keyring did not start with an unlocked login collection"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn login_is_unlocked_default(&self) -> bool {
        let alias = self.gdbus(&[
            "call",
            "--session",
            "--dest",
            "org.freedesktop.secrets",
            "--object-path",
            "/org/freedesktop/secrets",
            "--method",
            "org.freedesktop.Secret.Service.ReadAlias",
            "default",
        ]);
        let locked = self.gdbus(&[
            "call",
            "--session",
            "--dest",
            "org.freedesktop.secrets",
            "--object-path",
            "/org/freedesktop/secrets/collection/login",
            "--method",
            "org.freedesktop.DBus.Properties.Get",
            "org.freedesktop.Secret.Collection",
            "Locked",
        ]);
        String::from_utf8_lossy(&alias.stdout).contains("/collection/login")
            && String::from_utf8_lossy(&locked.stdout).contains("false")
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
