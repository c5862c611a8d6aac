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

/// Stores a secret under `account` (replacing an old one).
pub fn store(account: &str, secret: &Sensitive<String>, what: &str) -> Result<()> {
    let entry = keyring::Entry::new(SERVICE, account).map_err(|e| keyring_error(e, what))?;
    entry
        .set_password(secret.expose())
        .map_err(|e| keyring_error(e, what))
}

/// Reads a secret.
pub fn load(account: &str, what: &str) -> Result<Sensitive<String>> {
    let entry = keyring::Entry::new(SERVICE, account).map_err(|e| keyring_error(e, what))?;
    entry
        .get_password()
        .map(Sensitive::new)
        .map_err(|e| keyring_error(e, what))
}

/// Deletes a secret; a missing one is fine.
pub fn delete(account: &str, what: &str) -> Result<()> {
    let entry = keyring::Entry::new(SERVICE, account).map_err(|e| keyring_error(e, what))?;
    match entry.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(keyring_error(e, what)),
    }
}
