//! Secrets: kept only in the OS keyring (Secret Service on Linux, Keychain,
//! Credential Manager). The catalog stores a reference (service + account).
//! [`Sensitive`] keeps a secret out of Debug, Display, logs and errors, and
//! has no `Serialize`, so it cannot end up in JSON or the database.

use crate::error::{Error, Result};
use cairn_model::ErrorKind;
use std::fmt;

/// A secret value in memory. Prints as `‹secret›`; cannot be serialized.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    /// Wraps a secret.
    pub fn new(v: T) -> Self {
        Self(v)
    }
    /// The secret itself, for the one call that needs it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("‹secret›")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("‹secret›")
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_values_never_print() {
        let s = Sensitive::new("hunter2".to_string());
        assert_eq!(format!("{s}"), "‹secret›");
        assert_eq!(format!("{s:?}"), "‹secret›");
        assert_eq!(format!("{:?}", Some(&s)), "Some(‹secret›)");
        assert_eq!(s.expose(), "hunter2");
    }
}
