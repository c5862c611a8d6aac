//! Secrets typed on standard input (passwords, access keys, shared keys),
//! read once and never echoed or logged.

use cairn_console::{Error, Result, Sensitive};
use std::io::{BufRead, Read};
use zeroize::Zeroizing;

/// The longest line a secret may be (a password, an access key, a SAS
/// token), with its line end.
const SECRET_ROOM: usize = 16 * 1024;

/// Reads one line (a secret) from standard input. The line is read into a
/// buffer with room for any secret, so it never grows and leaves a copy
/// behind, and is wiped when read.
pub(crate) fn read_secret(what: &str) -> Result<Sensitive<String>> {
    let mut line = Zeroizing::new(String::with_capacity(SECRET_ROOM));
    let mut input = std::io::stdin().lock();
    let read = (&mut input)
        .take(SECRET_ROOM as u64 - 1)
        .read_line(&mut line);
    read.map_err(|e| {
        Error::invalid(format!("cannot read the {what} from standard input")).caused_by(e)
    })?;
    let s = line.trim_end_matches(['\n', '\r']);
    if s.is_empty() {
        return Err(Error::invalid(format!(
            "the {what} read from standard input is empty"
        )));
    }
    if s.len() == line.len() && line.len() == SECRET_ROOM - 1 {
        return Err(Error::invalid(format!(
            "the {what} read from standard input is longer than {} bytes",
            SECRET_ROOM - 2
        )));
    }
    let mut secret = String::with_capacity(s.len());
    secret.push_str(s);
    Ok(Sensitive::new(secret))
}

/// The repository password from standard input when `--password-stdin`
/// was given.
pub(crate) fn password(flag: bool) -> Result<Option<Sensitive<String>>> {
    if flag {
        read_secret("password").map(Some)
    } else {
        Ok(None)
    }
}

/// The password itself, for the one call that opens a key set with it.
pub(crate) fn exposed(password: &Option<Sensitive<String>>) -> Option<&str> {
    password.as_ref().map(|p| p.expose().as_str())
}

/// What the Azure secret is called in messages.
pub(crate) fn azure_secret_word(shared_key: bool) -> &'static str {
    if shared_key {
        "shared key"
    } else {
        "SAS token"
    }
}
