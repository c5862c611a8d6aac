//! Service shared access signatures, signed with a storage account's shared
//! key, so an agent gets access to one container or one queue until an
//! expiry and never the account key itself.

use cairn_core::{Error, Result, Sensitive};

/// The service version the signatures are made for.
const SAS_VERSION: &str = "2022-11-02";

/// What a container signature allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerRights {
    /// Blobs may be written and deleted, not only read and listed.
    pub write: bool,
    /// Immutability policies may be set on new blobs.
    pub immutability: bool,
}

/// What a queue signature allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueRights {
    /// Receive, update and delete messages (the queue one reads).
    Consume,
    /// Only add messages (the queue one answers on).
    Send,
}

/// A signature for container `container` of `account`, valid until
/// `expires` (Unix seconds).
pub fn container_sas(
    account: &str,
    key: &Sensitive<String>,
    container: &str,
    rights: ContainerRights,
    expires: i64,
) -> Result<Sensitive<String>> {
    let mut perms = String::from("r");
    if rights.write {
        perms.push_str("acwd");
    }
    perms.push('l');
    if rights.immutability {
        perms.push('i');
    }
    blob_service_sas(
        &perms,
        &format!("/blob/{account}/{container}"),
        "c",
        key,
        expires,
    )
}

/// A read-only signature for one blob of `container`, valid until
/// `expires`: what a signed download address carries.
pub fn blob_read_sas(
    account: &str,
    key: &Sensitive<String>,
    container: &str,
    blob: &str,
    expires: i64,
) -> Result<Sensitive<String>> {
    let resource = format!("/blob/{account}/{container}/{blob}");
    blob_service_sas("r", &resource, "b", key, expires)
}

/// A blob service signature over `resource` (a container, `sr=c`, or a
/// blob, `sr=b`).
fn blob_service_sas(
    perms: &str,
    resource: &str,
    kind: &str,
    key: &Sensitive<String>,
    expires: i64,
) -> Result<Sensitive<String>> {
    let expiry = iso(expires)?;
    let to_sign = [
        perms,
        "",
        &expiry,
        resource,
        "",
        "",
        "",
        SAS_VERSION,
        kind,
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ]
    .join("\n");
    let sig = sign(&to_sign, key)?;
    Ok(Sensitive::new(token(&[
        ("sv", SAS_VERSION),
        ("sr", kind),
        ("se", &expiry),
        ("sp", perms),
        ("sig", &sig),
    ])))
}

/// A signature for queue `queue` of `account`, valid until `expires`.
pub fn queue_sas(
    account: &str,
    key: &Sensitive<String>,
    queue: &str,
    rights: QueueRights,
    expires: i64,
) -> Result<Sensitive<String>> {
    let perms = match rights {
        QueueRights::Consume => "rup",
        QueueRights::Send => "a",
    };
    let expiry = iso(expires)?;
    let resource = format!("/queue/{account}/{queue}");
    let to_sign = [perms, "", &expiry, &resource, "", "", "", SAS_VERSION].join("\n");
    let sig = sign(&to_sign, key)?;
    Ok(Sensitive::new(token(&[
        ("sv", SAS_VERSION),
        ("se", &expiry),
        ("sp", perms),
        ("sig", &sig),
    ])))
}

fn sign(to_sign: &str, key: &Sensitive<String>) -> Result<String> {
    let secret = azure_core::auth::Secret::new(key.expose().clone());
    azure_core::hmac::hmac_sha256(to_sign, &secret).map_err(|_| {
        Error::invalid(
            "the storage account's shared key is not base64; copy it again from the portal",
        )
    })
}

fn iso(unix: i64) -> Result<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(unix)
        .map_err(|_| Error::invalid(format!("{unix} is not a time a signature can end at")))?;
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&f)
        .map_err(|e| Error::internal(format!("cannot write a signature's expiry: {e}")))
}

fn token(pairs: &[(&str, &str)]) -> String {
    let mut url = azure_core::Url::parse("http://sas.invalid/").unwrap_or_else(|_| unreachable!());
    url.query_pairs_mut().extend_pairs(pairs);
    url.query().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    #[test]
    fn a_queue_signature_names_its_rights_and_expiry_only() {
        let key = Sensitive::new(KEY.to_string());
        let t = queue_sas(
            "devstoreaccount1",
            &key,
            "q1",
            QueueRights::Send,
            1_800_000_000,
        )
        .expect("sign");
        let t = t.expose();
        assert!(
            t.contains("sp=a&") && t.contains("se=2027-01-15T08%3A00%3A00Z"),
            "{t}"
        );
        assert!(!t.contains(KEY), "{t}");
        let other = queue_sas(
            "devstoreaccount1",
            &key,
            "q2",
            QueueRights::Send,
            1_800_000_000,
        )
        .expect("sign");
        assert_ne!(other.expose(), t, "each queue its own signature");
    }

    #[test]
    fn a_bad_key_is_refused_with_the_reason() {
        let key = Sensitive::new("not base64!".to_string());
        let rights = ContainerRights {
            write: true,
            immutability: false,
        };
        let e = container_sas("a", &key, "c", rights, 1_800_000_000).expect_err("refused");
        assert!(e.message().contains("base64"), "{}", e.message());
    }
}
