//! One bounded HTTP exchange for the services Cairn speaks to over plain
//! REST (Azure Resource Manager, AWS Systems Manager): the status and the
//! whole answer, refused when it is larger than anything those services
//! send.

use crate::runtime::block_on;
use azure_core::{HttpClient, Request};
use cairn_core::{Error, Result};

/// The largest answer read (a page of machines or commands is far smaller).
pub(crate) const MAX_BODY: usize = 32 << 20;

/// Sends `req` to `service` ("Azure", "Systems Manager"); its status and
/// body. Failing to reach the service is transient.
pub(crate) fn exchange(
    http: &dyn HttpClient,
    req: &Request,
    service: &str,
    action: &str,
) -> Result<(u16, Vec<u8>)> {
    block_on(async {
        let resp = http.execute_request(req).await.map_err(|e| {
            Error::storage(format!(
                "cannot reach {service} at {} to {action}: {e}",
                req.url().host_str().unwrap_or("?")
            ))
            .transient()
        })?;
        let status = u16::from(resp.status());
        let body = resp.into_body().collect().await.map_err(|e| {
            Error::storage(format!("{service}'s answer to {action} broke off: {e}")).transient()
        })?;
        if body.len() > MAX_BODY {
            return Err(Error::corrupt(format!(
                "{service}'s answer to {action} is {} bytes, more than Cairn reads",
                body.len()
            )));
        }
        Ok((status, body.to_vec()))
    })
}
