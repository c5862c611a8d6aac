//! AWS STS: short-lived credentials an agent writes with, limited by a
//! session policy to one bucket folder, so no agent ever holds the
//! console's long-lived secret or reaches another repository.

use crate::aws::{sdk_error, AwsAccess};
use crate::runtime::block_on;
use cairn_core::{Error, Result, Sensitive};

/// Temporary credentials.
#[derive(Clone)]
pub struct ScopedCredentials {
    /// Access key id.
    pub access_key_id: String,
    /// Secret.
    pub secret: Sensitive<String>,
    /// Session token.
    pub session_token: Sensitive<String>,
    /// Unix seconds when they stop working.
    pub expires: i64,
}

/// The session policy that limits credentials to objects under `prefix`
/// of `bucket` (and listing only that prefix).
pub fn folder_policy(bucket: &str, prefix: &str) -> serde_json::Value {
    let prefix = crate::keys::folder_prefix(prefix);
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "RepositoryObjects",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject",
                           "s3:GetObjectRetention", "s3:PutObjectRetention",
                           "s3:AbortMultipartUpload", "s3:RestoreObject"],
                "Resource": format!("arn:aws:s3:::{bucket}/{prefix}*"),
            },
            {
                "Sid": "RepositoryListing",
                "Effect": "Allow",
                "Action": ["s3:ListBucket", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketLocation"],
                "Resource": format!("arn:aws:s3:::{bucket}"),
                "Condition": { "StringLike": { "s3:prefix": [format!("{prefix}*")] } },
            },
        ],
    })
}

/// Asks STS for credentials limited by `policy` for `secs` seconds: with
/// `role` by AssumeRole, else by GetFederationToken on the account's user.
pub fn scoped_credentials(
    access: &AwsAccess,
    role: Option<&str>,
    session: &str,
    policy: &serde_json::Value,
    secs: u32,
) -> Result<ScopedCredentials> {
    let client = aws_sdk_sts::Client::new(&access.sdk_config());
    let policy = policy.to_string();
    let secs = secs.clamp(900, 43_200) as i32;
    let name: String = session
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+=,.@-".contains(*c))
        .take(32)
        .collect();
    let creds = block_on(async {
        match role {
            Some(arn) => client
                .assume_role()
                .role_arn(arn)
                .role_session_name(&name)
                .policy(&policy)
                .duration_seconds(secs)
                .send()
                .await
                .map(|o| o.credentials)
                .map_err(|e| sdk_error(e, "AWS STS", "assume the agents' role (AssumeRole)")),
            None => client
                .get_federation_token()
                .name(&name)
                .policy(&policy)
                .duration_seconds(secs)
                .send()
                .await
                .map(|o| o.credentials)
                .map_err(|e| {
                    sdk_error(e, "AWS STS", "make scoped credentials (GetFederationToken)")
                }),
        }
    })?;
    let c = creds.ok_or_else(|| Error::storage("AWS STS answered without credentials"))?;
    Ok(ScopedCredentials {
        access_key_id: c.access_key_id,
        secret: Sensitive::new(c.secret_access_key),
        session_token: Sensitive::new(c.session_token),
        expires: c.expiration.secs(),
    })
}

#[cfg(test)]
mod tests {
    use super::folder_policy;

    #[test]
    fn the_session_policy_reaches_only_the_repository_folder() {
        let p = folder_policy("bkt", "/team/repo/");
        let s = p["Statement"].as_array().expect("statements");
        assert_eq!(s[0]["Resource"], "arn:aws:s3:::bkt/team/repo/*");
        assert_eq!(s[1]["Resource"], "arn:aws:s3:::bkt");
        assert_eq!(
            s[1]["Condition"]["StringLike"]["s3:prefix"][0],
            "team/repo/*"
        );
        let text = p.to_string();
        assert!(
            !text.contains("\"*\""),
            "no wildcard resource or action: {text}"
        );
        assert!(!text.contains("s3:*"), "{text}");
    }
}
