//! A message queue as the console and the agents use it: at-least-once
//! delivery, a message hidden while it is worked on and deleted only when
//! done. Amazon SQS and Azure Queue Storage implement it.

use cairn_core::Result;
use std::time::Duration;

/// A message received from a queue.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The handle that deletes it or extends its hiding.
    pub receipt: String,
    /// Its text.
    pub body: String,
    /// How many times it has been received (1 on the first delivery).
    pub receive_count: u32,
}

/// One queue.
pub trait Queue: Send + Sync {
    /// Sends a text message.
    fn send(&self, body: &str) -> Result<()>;
    /// Up to `max` messages, waiting up to `wait` for the first; each is
    /// hidden from other receivers for the queue's visibility timeout.
    fn receive(&self, max: u32, wait: Duration) -> Result<Vec<Delivery>>;
    /// Deletes a received message.
    fn delete(&self, receipt: &str) -> Result<()>;
    /// Keeps a received message hidden for `secs` more seconds (0 hands it
    /// back at once).
    fn extend(&self, receipt: &str, secs: u32) -> Result<()>;
    /// The queue's address, for logs.
    fn describe(&self) -> String;
}

/// The queues of one account: made idempotently, found by name, deleted
/// with their dead-letter twins. Amazon SQS and Azure Queue Storage
/// implement it; an address is what `open` takes (a URL on SQS, the name
/// on Azure).
pub trait QueueService: Send + Sync {
    /// Creates queue `name` and its dead-letter queue, or finds them (a
    /// second call creates nothing); its address and whether it was made now.
    fn ensure_queue(&self, name: &str) -> Result<(String, bool)>;
    /// The address of queue `name`, when it exists.
    fn queue_address(&self, name: &str) -> Result<Option<String>>;
    /// Deletes queue `name` and its dead-letter queue (missing ones are fine).
    fn delete_queue(&self, name: &str) -> Result<()>;
    /// Messages waiting in the dead-letter queue of queue `name`.
    fn dead_letters(&self, name: &str) -> Result<u64>;
    /// The queue at `address`.
    fn open(&self, address: &str) -> Box<dyn Queue>;
}
