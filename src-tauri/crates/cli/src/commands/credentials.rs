//! `cairn credentials …`: list, delete and add encryption passwords.

use crate::args::*;
use crate::output;
use crate::secret_input::read_secret;
use cairn_console::{Console, Result};
use cairn_model::CredentialKind;
use serde_json::json;

pub(super) fn credentials(console: &Console, c: CredentialsCmd, json: bool) -> Result<i32> {
    match c {
        CredentialsCmd::List => {
            let all = console.credential_rows()?;
            if json {
                output::json(&all);
            } else {
                let rows: Vec<Vec<String>> = all
                    .iter()
                    .map(|c| {
                        vec![
                            c.name.clone(),
                            c.kind.as_str().to_string(),
                            c.identity.clone(),
                            cairn_console::point_time_label(c.edited),
                            c.used_by.join(", "),
                        ]
                    })
                    .collect();
                output::table(
                    &["Name", "Kind", "Account / key id", "Last edited", "Used by"],
                    &rows,
                );
            }
        }
        CredentialsCmd::Delete { name } => {
            console.delete_credential(&name)?;
            if json {
                output::json(&json!({"deleted": name}));
            } else {
                println!("Credentials {name} deleted from the configuration and the keyring");
            }
        }
        CredentialsCmd::AddPassword {
            name,
            hint,
            description,
            ..
        } => {
            let secret = read_secret("password")?;
            let c = console.put_credential(
                &name,
                CredentialKind::Password,
                "",
                &secret,
                &description,
                &hint,
            )?;
            if json {
                output::json(&json!({"name": c.name, "kind": c.kind}));
            } else {
                println!("Password {name} stored in the keyring (Manage Passwords)");
            }
        }
    }
    Ok(0)
}
