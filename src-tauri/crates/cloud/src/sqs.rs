//! Amazon SQS: the console's queue and one queue per machine, each with a
//! dead-letter queue that takes what failed too often.

use crate::aws::{sdk_error, AwsAccess};
use crate::queue::{Delivery, Queue, QueueService};
use crate::runtime::block_on;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use cairn_core::{Error, Result};
use std::time::Duration;

/// Receives after which a message goes to the dead-letter queue.
pub const MAX_RECEIVES: u32 = 5;
/// Seconds a received message stays hidden unless extended.
pub const VISIBILITY_SECS: u32 = 60;
/// The suffix of a queue's dead-letter queue.
const DLQ_SUFFIX: &str = "-dlq";

/// A client of SQS in one region.
#[derive(Clone)]
pub struct Sqs {
    client: aws_sdk_sqs::Client,
    region: String,
}

impl Sqs {
    /// A client with `access`; nothing is sent until the first request.
    pub fn connect(access: &AwsAccess) -> Self {
        Self {
            client: aws_sdk_sqs::Client::new(&access.sdk_config()),
            region: access.region.clone(),
        }
    }

    /// Creates queue `name` with its dead-letter queue, or finds them when
    /// they exist (a second call creates nothing); its URL and whether it
    /// was created now.
    pub fn ensure_queue(&self, name: &str) -> Result<(String, bool)> {
        check_name(name)?;
        if let Some(url) = self.queue_url(name)? {
            return Ok((url, false));
        }
        let dlq = format!("{name}{DLQ_SUFFIX}");
        let dlq_url = match self.queue_url(&dlq)? {
            Some(u) => u,
            None => self.create(&dlq, None)?,
        };
        let arn = self.queue_arn(&dlq_url)?;
        let redrive = serde_json::json!({
            "deadLetterTargetArn": arn,
            "maxReceiveCount": MAX_RECEIVES.to_string(),
        })
        .to_string();
        Ok((self.create(name, Some(redrive))?, true))
    }

    fn create(&self, name: &str, redrive: Option<String>) -> Result<String> {
        block_on(async {
            let mut req = self
                .client
                .create_queue()
                .queue_name(name)
                .attributes(
                    QueueAttributeName::VisibilityTimeout,
                    VISIBILITY_SECS.to_string(),
                )
                .attributes(QueueAttributeName::ReceiveMessageWaitTimeSeconds, "20");
            if let Some(r) = redrive {
                req = req.attributes(QueueAttributeName::RedrivePolicy, r);
            }
            let out = req
                .send()
                .await
                .map_err(|e| sdk_error(e, &format!("SQS queue {name}"), "create the queue"))?;
            out.queue_url
                .ok_or_else(|| Error::storage(format!("SQS gave no URL for queue {name}")))
        })
    }

    /// The URL of queue `name`, when it exists.
    pub fn queue_url(&self, name: &str) -> Result<Option<String>> {
        block_on(async {
            match self.client.get_queue_url().queue_name(name).send().await {
                Ok(o) => Ok(o.queue_url),
                Err(e) => {
                    let err = sdk_error(e, &format!("SQS queue {name}"), "look up the queue");
                    if err.kind() == cairn_model::ErrorKind::NotFound {
                        Ok(None)
                    } else {
                        Err(err)
                    }
                }
            }
        })
    }

    /// One attribute of the queue at `url`, when SQS gives it.
    fn attribute(&self, url: &str, name: QueueAttributeName) -> Result<Option<String>> {
        block_on(async {
            let out = self
                .client
                .get_queue_attributes()
                .queue_url(url)
                .attribute_names(name.clone())
                .send()
                .await
                .map_err(|e| sdk_error(e, &format!("SQS queue {url}"), "read its attributes"))?;
            Ok(out.attributes.and_then(|a| a.get(&name).cloned()))
        })
    }

    fn queue_arn(&self, url: &str) -> Result<String> {
        self.attribute(url, QueueAttributeName::QueueArn)?
            .ok_or_else(|| Error::storage(format!("SQS gave no ARN for queue {url}")))
    }

    /// Messages waiting in the dead-letter queue of queue `name`.
    pub fn dead_letters(&self, name: &str) -> Result<u64> {
        let Some(url) = self.queue_url(&format!("{name}{DLQ_SUFFIX}"))? else {
            return Ok(0);
        };
        let n = self.attribute(&url, QueueAttributeName::ApproximateNumberOfMessages)?;
        Ok(n.and_then(|n| n.parse().ok()).unwrap_or(0))
    }

    /// Deletes queue `name` and its dead-letter queue (missing ones are fine).
    pub fn delete_queue(&self, name: &str) -> Result<()> {
        for n in [name.to_string(), format!("{name}{DLQ_SUFFIX}")] {
            let Some(url) = self.queue_url(&n)? else {
                continue;
            };
            block_on(async {
                self.client
                    .delete_queue()
                    .queue_url(&url)
                    .send()
                    .await
                    .map_err(|e| sdk_error(e, &format!("SQS queue {n}"), "delete the queue"))
            })?;
        }
        Ok(())
    }

    /// The queue at `url`.
    pub fn queue(&self, url: &str) -> SqsQueue {
        SqsQueue {
            sqs: self.clone(),
            url: url.to_string(),
        }
    }
}

impl QueueService for Sqs {
    fn ensure_queue(&self, name: &str) -> Result<(String, bool)> {
        Sqs::ensure_queue(self, name)
    }

    fn queue_address(&self, name: &str) -> Result<Option<String>> {
        self.queue_url(name)
    }

    fn delete_queue(&self, name: &str) -> Result<()> {
        Sqs::delete_queue(self, name)
    }

    fn dead_letters(&self, name: &str) -> Result<u64> {
        Sqs::dead_letters(self, name)
    }

    fn open(&self, address: &str) -> Box<dyn Queue> {
        Box::new(self.queue(address))
    }
}

/// SQS queue names: 1 to 80 letters, digits, hyphens and underscores.
pub fn check_name(name: &str) -> Result<()> {
    let ok = (1..=80).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "\"{name}\" is not a valid SQS queue name: use 1 to 80 letters, digits, hyphens and underscores"
        )))
    }
}

/// One SQS queue.
pub struct SqsQueue {
    sqs: Sqs,
    url: String,
}

impl Queue for SqsQueue {
    fn send(&self, body: &str) -> Result<()> {
        block_on(async {
            self.sqs
                .client
                .send_message()
                .queue_url(&self.url)
                .message_body(body)
                .send()
                .await
                .map_err(|e| sdk_error(e, &self.describe(), "send a message"))?;
            Ok(())
        })
    }

    fn receive(&self, max: u32, wait: Duration) -> Result<Vec<Delivery>> {
        let wait = wait.as_secs().min(20) as i32;
        block_on(async {
            let out = self
                .sqs
                .client
                .receive_message()
                .queue_url(&self.url)
                .max_number_of_messages(max.clamp(1, 10) as i32)
                .wait_time_seconds(wait)
                .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
                .send()
                .await
                .map_err(|e| sdk_error(e, &self.describe(), "receive messages"))?;
            Ok(out
                .messages
                .unwrap_or_default()
                .into_iter()
                .filter_map(|m| {
                    let count = m
                        .attributes
                        .as_ref()
                        .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(1);
                    Some(Delivery {
                        receipt: m.receipt_handle?,
                        body: m.body.unwrap_or_default(),
                        receive_count: count,
                    })
                })
                .collect())
        })
    }

    fn delete(&self, receipt: &str) -> Result<()> {
        block_on(async {
            self.sqs
                .client
                .delete_message()
                .queue_url(&self.url)
                .receipt_handle(receipt)
                .send()
                .await
                .map_err(|e| sdk_error(e, &self.describe(), "delete a message"))?;
            Ok(())
        })
    }

    fn extend(&self, receipt: &str, secs: u32) -> Result<()> {
        block_on(async {
            self.sqs
                .client
                .change_message_visibility()
                .queue_url(&self.url)
                .receipt_handle(receipt)
                .visibility_timeout(secs.min(43_200) as i32)
                .send()
                .await
                .map_err(|e| sdk_error(e, &self.describe(), "extend a message's visibility"))?;
            Ok(())
        })
    }

    fn describe(&self) -> String {
        format!("SQS queue {} ({})", self.url, self.sqs.region)
    }
}
