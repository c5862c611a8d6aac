//! Secrets: kept only in the OS keyring (Secret Service on Linux, Keychain,
//! Credential Manager). The catalog stores a reference (service + account).
//! Secrets travel as [`Sensitive`] values.

use crate::error::{Error, Result};
pub use cairn_core::Sensitive;
use cairn_model::ErrorKind;

/// The keyring service name every Cairn secret is stored under.
pub const SERVICE: &str = "cairn-backup";

fn keyring_error(e: keyring::Error, what: &str) -> Error {
    match e {
        keyring::Error::NoEntry => Error::not_found(format!(
            "the secret of {what} is not in the system keyring; enter it again (edit the credentials)"
        )),
        keyring::Error::NoStorageAccess(_) => Error::new(
            ErrorKind::Keyring,
            "the system keyring is locked or refused access: unlock it and retry; nothing was stored",
        ),
        keyring::Error::PlatformFailure(inner) => Error::new(
            ErrorKind::Keyring,
            format!(
                "the system keyring is not available ({inner}): start or unlock it (Secret Service, e.g. gnome-keyring) and retry; nothing was stored"
            ),
        ),
        other => Error::new(ErrorKind::Keyring, format!("the system keyring refused the secret of {what}: {other}")),
    }
}

/// The error for a keyring that holds the secret but is locked.
fn locked(what: &str) -> Error {
    Error::new(
        ErrorKind::Keyring,
        format!(
            "the system keyring is locked, so the secret of {what} cannot be read or stored: unlock it \
             (log in to the desktop, or `gnome-keyring-daemon --unlock` for a headless daemon) and retry; \
             Cairn never waits for an unlock prompt, so a scheduled run fails here instead of hanging, and nothing was written"
        ),
    )
}

/// Refuses at once when the keyring is locked where keyring would unlock
/// it: that shows an unlock prompt and blocks until someone answers it,
/// which on a headless daemon or an unattended desktop is never. A keyring
/// that is not there at all is left to keyring's own error.
#[cfg(target_os = "linux")]
fn refuse_locked(account: Option<&str>, what: &str) -> Result<()> {
    use dbus_secret_service::{EncryptionType, SecretService};
    let Ok(ss) = SecretService::connect(EncryptionType::Plain) else {
        return Ok(());
    };
    let is_locked = match account {
        Some(account) => {
            let attributes = [("service", SERVICE), ("username", account)].into();
            ss.search_items(attributes)
                .is_ok_and(|found| found.unlocked.is_empty() && !found.locked.is_empty())
        }
        None => ss
            .get_default_collection()
            .and_then(|c| c.is_locked())
            .unwrap_or(false),
    };
    if is_locked {
        return Err(locked(what));
    }
    Ok(())
}

#[cfg(not(target_os = "linux"))]
fn refuse_locked(_account: Option<&str>, _what: &str) -> Result<()> {
    Ok(())
}

/// Runs a keyring call, and once more after a pause when the keyring
/// service failed rather than refused: a Secret Service daemon that died in
/// the middle of a call (gnome-keyring has a known crash when clients
/// vanish mid-request) is started again by D-Bus or systemd for the next
/// one. Every call retried here is idempotent.
fn retrying<T>(mut call: impl FnMut() -> keyring::Result<T>) -> keyring::Result<T> {
    match call() {
        Err(keyring::Error::PlatformFailure(_)) => {
            std::thread::sleep(std::time::Duration::from_millis(500));
            call()
        }
        other => other,
    }
}

/// Stores a secret under `account` (replacing an old one).
pub fn store(account: &str, secret: &Sensitive<String>, what: &str) -> Result<()> {
    refuse_locked(Some(account), what)?;
    refuse_locked(None, what)?;
    let entry = keyring::Entry::new(SERVICE, account).map_err(|e| keyring_error(e, what))?;
    retrying(|| entry.set_password(secret.expose())).map_err(|e| keyring_error(e, what))
}

/// Reads a secret.
pub fn load(account: &str, what: &str) -> Result<Sensitive<String>> {
    refuse_locked(Some(account), what)?;
    let entry = keyring::Entry::new(SERVICE, account).map_err(|e| keyring_error(e, what))?;
    retrying(|| entry.get_password())
        .map(Sensitive::new)
        .map_err(|e| keyring_error(e, what))
}

/// Deletes a secret; a missing one is fine.
pub fn delete(account: &str, what: &str) -> Result<()> {
    refuse_locked(Some(account), what)?;
    let entry = keyring::Entry::new(SERVICE, account).map_err(|e| keyring_error(e, what))?;
    match retrying(|| entry.delete_credential()) {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(keyring_error(e, what)),
    }
}

#[cfg(test)]
mod tests {
    use super::retrying;

    fn failure() -> keyring::Error {
        keyring::Error::PlatformFailure("the daemon went away".into())
    }

    #[test]
    fn a_keyring_call_the_service_failed_is_tried_once_more() {
        let mut calls = 0;
        let got = retrying(|| {
            calls += 1;
            if calls == 1 {
                Err(failure())
            } else {
                Ok(calls)
            }
        });
        assert_eq!(got.ok(), Some(2));
        let mut calls = 0;
        let got: keyring::Result<()> = retrying(|| {
            calls += 1;
            Err(failure())
        });
        assert!(matches!(got, Err(keyring::Error::PlatformFailure(_))) && calls == 2);
    }

    #[test]
    fn a_refusal_is_not_retried() {
        let mut calls = 0;
        let got: keyring::Result<()> = retrying(|| {
            calls += 1;
            Err(keyring::Error::NoEntry)
        });
        assert!(matches!(got, Err(keyring::Error::NoEntry)) && calls == 1);
    }
}
