//! What the AWS service clients share: one way to name an account's access
//! (key, region, service point) and one way to turn an SDK failure into an
//! error that says what to do.

use aws_sdk_sqs::config::retry::RetryConfig;
use aws_sdk_sqs::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};
use aws_sdk_sqs::error::{ProvideErrorMetadata, SdkError};
use aws_types::SdkConfig;
use cairn_core::{Error, Sensitive};
use cairn_model::ErrorKind;

/// An AWS account's access: an access key (with a session token when it is
/// temporary), a region, and the service point of a compatible service.
#[derive(Clone)]
pub struct AwsAccess {
    /// Access key id.
    pub access_key_id: String,
    /// Secret access key.
    pub secret: Sensitive<String>,
    /// Session token of temporary credentials.
    pub session_token: Option<Sensitive<String>>,
    /// Region.
    pub region: String,
    /// Service point (a local test server, a compatible service).
    pub endpoint: Option<String>,
}

impl std::fmt::Debug for AwsAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsAccess")
            .field("access_key_id", &self.access_key_id)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl AwsAccess {
    /// The same access in another region.
    pub fn in_region(&self, region: &str) -> Self {
        Self {
            region: region.to_string(),
            ..self.clone()
        }
    }

    /// The SDK configuration every AWS client here is made from.
    pub(crate) fn sdk_config(&self) -> SdkConfig {
        let mut b = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(self.region.clone()))
            .credentials_provider(SharedCredentialsProvider::new(self.credentials()))
            .retry_config(RetryConfig::standard().with_max_attempts(5));
        if let Some(ep) = &self.endpoint {
            b = b.endpoint_url(ep);
        }
        b.build()
    }

    fn credentials(&self) -> Credentials {
        Credentials::new(
            &self.access_key_id,
            self.secret.expose(),
            self.session_token.as_ref().map(|t| t.expose().clone()),
            None,
            "cairn",
        )
    }
}

/// What an SDK failure says: the service's code and message, the HTTP
/// status, and whether trying again may help (network failures, timeouts,
/// throttling, 5xx).
pub(crate) struct Failure {
    pub code: String,
    pub message: String,
    pub status: Option<u16>,
    pub transient: bool,
}

impl Failure {
    pub(crate) fn of<E: ProvideErrorMetadata + std::fmt::Debug>(e: &SdkError<E>) -> Self {
        let (code, message) = match e {
            SdkError::ServiceError(se) => {
                let code = se.err().code().unwrap_or("").to_string();
                let message = match se.err().message() {
                    Some(m) if !m.is_empty() => m.to_string(),
                    // A bare status (a proxy's or a server's own failure page).
                    _ => format!("the service answered HTTP {}", se.raw().status().as_u16()),
                };
                (code, message)
            }
            SdkError::DispatchFailure(d) => {
                ("".into(), format!("cannot reach the service ({d:?})"))
            }
            SdkError::TimeoutError(_) => ("".into(), "the request timed out".into()),
            other => ("".into(), format!("{other}")),
        };
        let status = e.raw_response().map(|r| r.status().as_u16());
        let transient = matches!(e, SdkError::DispatchFailure(_) | SdkError::TimeoutError(_))
            || matches!(
                code.as_str(),
                "SlowDown"
                    | "Throttling"
                    | "RequestLimitExceeded"
                    | "InternalError"
                    | "RequestTimeout"
                    | "ServiceUnavailable"
            )
            || matches!(status, Some(429) | Some(500..=599));
        Self {
            code,
            message,
            status,
            transient,
        }
    }

    /// `text` as an error of `kind`, transient when the failure was.
    pub(crate) fn error(&self, kind: ErrorKind, text: String) -> Error {
        let err = Error::new(kind, text);
        if self.transient {
            err.transient()
        } else {
            err
        }
    }

    /// "cannot `action`", with the service's code when it gave one.
    pub(crate) fn cannot(&self, what: &str, action: &str) -> String {
        if self.code.is_empty() {
            format!("{what}: cannot {action}: {}", self.message)
        } else {
            format!("{what}: cannot {action}: {}: {}", self.code, self.message)
        }
    }
}

/// An SDK failure of `action` on `what` (EC2, SQS, STS).
pub(crate) fn sdk_error<E: ProvideErrorMetadata + std::fmt::Debug>(
    e: SdkError<E>,
    what: &str,
    action: &str,
) -> Error {
    let f = Failure::of(&e);
    let text = match f.code.as_str() {
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "AuthFailure" => {
            format!(
                "{what}: {action} was denied; give the cloud credential the permission ({})",
                f.message
            )
        }
        "InvalidClientTokenId" | "SignatureDoesNotMatch" | "InvalidAccessKeyId" => {
            format!("{what}: the AWS credentials were refused; check the access key id and secret")
        }
        _ => f.cannot(what, action),
    };
    let kind = match f.code.as_str() {
        "AWS.SimpleQueueService.NonExistentQueue"
        | "QueueDoesNotExist"
        | "InvalidInstanceID.NotFound" => ErrorKind::NotFound,
        _ => ErrorKind::Storage,
    };
    f.error(kind, text)
}
