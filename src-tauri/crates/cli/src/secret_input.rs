//! Secrets typed on standard input (passwords, access keys, shared keys),
//! read once and never echoed or logged.

use cairn_console::{Error, Result};
use std::io::BufRead;

/// Reads one line (a secret) from standard input.
pub(crate) fn read_secret(what: &str) -> Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        Error::invalid(format!("cannot read the {what} from standard input")).caused_by(e)
    })?;
    let s = line.trim_end_matches(['\n', '\r']).to_string();
    if s.is_empty() {
        return Err(Error::invalid(format!(
            "the {what} read from standard input is empty"
        )));
    }
    Ok(s)
}

/// The repository password from standard input when `--password-stdin`
/// was given.
pub(crate) fn password(flag: bool) -> Result<Option<String>> {
    if flag {
        read_secret("password").map(Some)
    } else {
        Ok(None)
    }
}

/// What the Azure secret is called in messages.
pub(crate) fn azure_secret_word(shared_key: bool) -> &'static str {
    if shared_key {
        "shared key"
    } else {
        "SAS token"
    }
}
