//! Azure Queue Storage: the console's queue and one queue per machine, as
//! on SQS. Azure has no long polling and no dead-letter queues, so a
//! receive polls with back-off until its wait is over, and a message
//! received too often is moved to the queue's `-dlq` twin by the receiver.

use crate::queue::{Delivery, Queue, QueueService};
use crate::runtime::block_on;
use azure_storage::{CloudLocation, StorageCredentials};
use azure_storage_queues::prelude::{PopReceipt, QueueClient, QueueServiceClient};
use azure_storage_queues::QueueServiceClientBuilder;
use cairn_core::{Error, Result, Sensitive};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Receives after which a message goes to the dead-letter queue.
pub const MAX_RECEIVES: u64 = 5;
/// Seconds a received message stays hidden unless extended.
const VISIBILITY: Duration = Duration::from_secs(60);
const DLQ_SUFFIX: &str = "-dlq";
/// The longest pause between two polls of an empty queue.
const POLL_MAX: Duration = Duration::from_secs(2);

/// How a queue client proves itself.
pub enum QueueAuth {
    /// The storage account's shared key (the console).
    SharedKey(Sensitive<String>),
    /// A shared access signature (an agent, for one queue).
    Sas(Sensitive<String>),
}

/// A client of one storage account's queues.
#[derive(Clone)]
pub struct AzureQueues {
    service: QueueServiceClient,
    account: String,
}

impl AzureQueues {
    /// A client of `account` at `endpoint` (None: public Azure); nothing is
    /// sent until the first request.
    pub fn connect(account: &str, endpoint: Option<&str>, auth: &QueueAuth) -> Result<Self> {
        if account.is_empty() {
            return Err(Error::invalid(
                "the queue storage account is empty; name the account",
            ));
        }
        let creds = match auth {
            QueueAuth::SharedKey(k) => {
                StorageCredentials::access_key(account.to_string(), k.expose().clone())
            }
            QueueAuth::Sas(t) => {
                StorageCredentials::sas_token(t.expose().as_str()).map_err(|_| {
                    Error::invalid(
                        "the queue's SAS token is not valid; write the agent configuration again",
                    )
                })?
            }
        };
        let location = match endpoint {
            Some(uri) => CloudLocation::Custom {
                account: account.to_string(),
                uri: uri.trim_end_matches('/').to_string(),
            },
            None => CloudLocation::Public {
                account: account.to_string(),
            },
        };
        Ok(Self {
            service: QueueServiceClientBuilder::with_location(location, creds).build(),
            account: account.to_string(),
        })
    }

    fn client(&self, name: &str) -> QueueClient {
        self.service.queue_client(name)
    }

    fn exists(&self, name: &str) -> Result<bool> {
        let q = self.client(name);
        match block_on(q.get_metadata().into_future()) {
            Ok(_) => Ok(true),
            Err(e) if status(&e) == Some(404) => Ok(false),
            Err(e) => Err(queue_error(e, &self.account, name, "look up the queue")),
        }
    }

    fn create(&self, name: &str) -> Result<()> {
        block_on(self.client(name).create().into_future())
            .map(|_| ())
            .map_err(|e| queue_error(e, &self.account, name, "create the queue"))
    }

    /// The queue named `name`.
    pub fn queue(&self, name: &str) -> AzureQueue {
        AzureQueue {
            queues: self.clone(),
            name: name.to_string(),
            receipts: Mutex::new(HashMap::new()),
        }
    }
}

impl QueueService for AzureQueues {
    fn ensure_queue(&self, name: &str) -> Result<(String, bool)> {
        check_name(name)?;
        if self.exists(name)? {
            return Ok((name.to_string(), false));
        }
        let dlq = format!("{name}{DLQ_SUFFIX}");
        if !self.exists(&dlq)? {
            self.create(&dlq)?;
        }
        self.create(name)?;
        Ok((name.to_string(), true))
    }

    fn queue_address(&self, name: &str) -> Result<Option<String>> {
        Ok(self.exists(name)?.then(|| name.to_string()))
    }

    fn delete_queue(&self, name: &str) -> Result<()> {
        for n in [name.to_string(), format!("{name}{DLQ_SUFFIX}")] {
            match block_on(self.client(&n).delete().into_future()) {
                Ok(_) => {}
                Err(e) if status(&e) == Some(404) => {}
                Err(e) => return Err(queue_error(e, &self.account, &n, "delete the queue")),
            }
        }
        Ok(())
    }

    fn dead_letters(&self, name: &str) -> Result<u64> {
        let dlq = format!("{name}{DLQ_SUFFIX}");
        match block_on(self.client(&dlq).get_metadata().into_future()) {
            Ok(m) => Ok(m.approximate_messages_count as u64),
            Err(e) if status(&e) == Some(404) => Ok(0),
            Err(e) => Err(queue_error(e, &self.account, &dlq, "count its messages")),
        }
    }

    fn open(&self, address: &str) -> Box<dyn Queue> {
        Box::new(self.queue(address))
    }
}

/// Azure queue names: 3 to 63 lower-case letters, digits and single
/// hyphens, starting and ending with a letter or digit.
pub fn check_name(name: &str) -> Result<()> {
    let ok = (3..=63).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !name.contains("--");
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "\"{name}\" is not a valid Azure queue name: use 3 to 63 lower-case letters, digits and single hyphens"
        )))
    }
}

/// One Azure queue. Azure hands out a new pop receipt whenever a message's
/// hiding is changed, so deliveries carry the message id and the queue
/// keeps each received message's current receipt (and its text, which an
/// update must send again).
pub struct AzureQueue {
    queues: AzureQueues,
    name: String,
    receipts: Mutex<HashMap<String, Held>>,
}

struct Held {
    pop: String,
    text: String,
    since: Instant,
}

impl AzureQueue {
    fn client(&self) -> QueueClient {
        self.queues.client(&self.name)
    }

    fn fail(&self, e: azure_core::Error, action: &str) -> Error {
        queue_error(e, &self.queues.account, &self.name, action)
    }

    fn held(&self, id: &str) -> Result<(String, String)> {
        let map = self
            .receipts
            .lock()
            .map_err(|_| Error::internal("the queue's receipts are poisoned"))?;
        map.get(id)
            .map(|h| (h.pop.clone(), h.text.clone()))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "message {id} was not received from {} by this process",
                    self.describe()
                ))
            })
    }

    fn remember(&self, id: &str, held: Option<Held>) {
        if let Ok(mut map) = self.receipts.lock() {
            // Messages left to come back to other receivers are forgotten
            // once their hiding is long over.
            map.retain(|_, h| h.since.elapsed() < VISIBILITY * 10);
            match held {
                Some(h) => map.insert(id.to_string(), h),
                None => map.remove(id),
            };
        }
    }

    /// One poll: the messages received, after moving the ones received
    /// too often to the dead-letter queue.
    fn poll(&self, max: u32) -> Result<Vec<Delivery>> {
        let got = block_on(
            self.client()
                .get_messages()
                .number_of_messages(max.clamp(1, 32) as u8)
                .visibility_timeout(VISIBILITY)
                .into_future(),
        )
        .map_err(|e| self.fail(e, "receive messages"))?;
        let mut out = Vec::new();
        for m in got.messages {
            let receipt = PopReceipt::new(m.message_id.clone(), m.pop_receipt.clone());
            if m.dequeue_count > MAX_RECEIVES {
                self.bury(&m.message_text, receipt)?;
                continue;
            }
            self.remember(
                &m.message_id,
                Some(Held {
                    pop: m.pop_receipt.clone(),
                    text: m.message_text.clone(),
                    since: Instant::now(),
                }),
            );
            out.push(Delivery {
                receipt: m.message_id,
                body: m.message_text,
                receive_count: u32::try_from(m.dequeue_count).unwrap_or(u32::MAX),
            });
        }
        Ok(out)
    }

    fn bury(&self, text: &str, receipt: PopReceipt) -> Result<()> {
        let dlq = self.queues.client(&format!("{}{DLQ_SUFFIX}", self.name));
        block_on(dlq.put_message(text).into_future())
            .map_err(|e| self.fail(e, "move a message to its dead-letter queue"))?;
        block_on(
            self.client()
                .pop_receipt_client(receipt)
                .delete()
                .into_future(),
        )
        .map_err(|e| self.fail(e, "delete a dead letter"))?;
        Ok(())
    }
}

impl Queue for AzureQueue {
    fn send(&self, body: &str) -> Result<()> {
        block_on(self.client().put_message(body).into_future())
            .map(|_| ())
            .map_err(|e| self.fail(e, "send a message"))
    }

    fn receive(&self, max: u32, wait: Duration) -> Result<Vec<Delivery>> {
        let until = Instant::now() + wait.min(Duration::from_secs(20));
        let mut pause = Duration::from_millis(100);
        loop {
            let got = self.poll(max)?;
            let now = Instant::now();
            if !got.is_empty() || now >= until {
                return Ok(got);
            }
            std::thread::sleep(pause.min(until - now));
            pause = (pause * 2).min(POLL_MAX);
        }
    }

    fn delete(&self, receipt: &str) -> Result<()> {
        let (pop, _) = self.held(receipt)?;
        let r = PopReceipt::new(receipt.to_string(), pop);
        match block_on(self.client().pop_receipt_client(r).delete().into_future()) {
            Ok(_) => {}
            // Gone already (deleted by another delivery's handler).
            Err(e) if status(&e) == Some(404) => {}
            Err(e) => return Err(self.fail(e, "delete a message")),
        }
        self.remember(receipt, None);
        Ok(())
    }

    fn extend(&self, receipt: &str, secs: u32) -> Result<()> {
        let (pop, text) = self.held(receipt)?;
        let r = PopReceipt::new(receipt.to_string(), pop);
        let hide = Duration::from_secs(u64::from(secs.min(7 * 86_400)));
        let out = block_on(
            self.client()
                .pop_receipt_client(r)
                .update(text.clone(), hide)
                .into_future(),
        )
        .map_err(|e| self.fail(e, "extend a message's hiding"))?;
        self.remember(
            receipt,
            Some(Held {
                pop: out.pop_receipt,
                text,
                since: Instant::now(),
            }),
        );
        Ok(())
    }

    fn describe(&self) -> String {
        format!("Azure queue {} ({})", self.name, self.queues.account)
    }
}

fn status(e: &azure_core::Error) -> Option<u16> {
    e.as_http_error().map(|h| u16::from(h.status()))
}

fn queue_error(e: azure_core::Error, account: &str, queue: &str, action: &str) -> Error {
    match status(&e) {
        Some(404) => Error::not_found(format!(
            "Azure queue {queue} of account {account} does not exist ({action}); rescan its protection group"
        )),
        Some(403) => Error::storage(format!(
            "access to Azure queue {queue} of account {account} was denied ({action}); check the shared key, or write the agent configuration again when its signature has expired"
        )),
        st => {
            let err = Error::storage(format!(
                "Azure queue {queue} of account {account}: cannot {action}: {}{e}",
                st.map(|s| format!("HTTP {s} ")).unwrap_or_default()
            ));
            match st {
                None | Some(429) | Some(500..=599) => err.transient(),
                Some(_) => err,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_names_keep_to_azures_rules() {
        assert!(check_name("cairn-abc-console").is_ok());
        for bad in [
            "ab",
            "Cairn-x",
            "a--b",
            "-ab",
            "ab-",
            "a_b",
            &"a".repeat(64),
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
