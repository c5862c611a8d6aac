//! The agent's configuration file, written by the console
//! (`cairn group agent-config`) and read by `cairn agent --config FILE`.
//! It holds the machine's key, so it must be readable by its owner only.

use crate::envelope::{AgentKey, Endpoints};
use cairn_cloud::{AwsAccess, AzureQueues, Queue, QueueAuth, Sqs};
use cairn_core::{Error, Result, Sensitive};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How the agent reaches its two queues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Transport {
    /// Amazon SQS. The agent's queue credentials come from the machine's
    /// environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`): never the console's own secret.
    Sqs {
        /// Region of both queues.
        region: String,
        /// Service point of a compatible service.
        #[serde(default)]
        endpoint: Option<String>,
        /// The queue this agent reads.
        agent_queue_url: String,
        /// The console's queue it answers on.
        console_queue_url: String,
    },
    /// Azure Queue Storage, with a signature for each queue: reading its
    /// own, adding to the console's. The account key never leaves the
    /// console.
    AzureQueue {
        /// Storage account of both queues.
        account: String,
        /// Queue service address (None: the account's public one).
        #[serde(default)]
        endpoint: Option<String>,
        /// The queue this agent reads.
        agent_queue: String,
        /// Its signature (read, update, process).
        agent_queue_sas: String,
        /// The console's queue it answers on.
        console_queue: String,
        /// Its signature (add only).
        console_queue_sas: String,
        /// Unix seconds when the signatures end (write the configuration
        /// again before).
        expires: i64,
    },
}

impl Transport {
    /// The agent's two queues: the one it reads commands from, and the
    /// console's it answers on.
    pub fn open(&self) -> Result<(Box<dyn Queue>, Box<dyn Queue>)> {
        match self {
            Self::Sqs {
                region,
                endpoint,
                agent_queue_url,
                console_queue_url,
            } => {
                let sqs = Sqs::connect(&environment_access(region, endpoint.as_deref())?);
                Ok((
                    Box::new(sqs.queue(agent_queue_url)),
                    Box::new(sqs.queue(console_queue_url)),
                ))
            }
            Self::AzureQueue {
                account,
                endpoint,
                agent_queue,
                agent_queue_sas,
                console_queue,
                console_queue_sas,
                expires,
            } => {
                if *expires <= cairn_core::time::now() {
                    return Err(Error::invalid(
                        "the queue signatures of this configuration have expired; write it again with `cairn group agent-config`",
                    ));
                }
                let open = |queue: &str, sas: &str| -> Result<Box<dyn Queue>> {
                    let auth = QueueAuth::Sas(Sensitive::new(sas.to_string()));
                    let queues = AzureQueues::connect(account, endpoint.as_deref(), &auth)?;
                    Ok(Box::new(queues.queue(queue)))
                };
                Ok((
                    open(agent_queue, agent_queue_sas)?,
                    open(console_queue, console_queue_sas)?,
                ))
            }
        }
    }
}

/// An agent's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentConfig {
    /// The console this agent serves.
    pub console_id: String,
    /// The machine's id (the EC2 instance id, the Azure VM id).
    pub machine_id: String,
    /// The machine's display name.
    pub machine_name: String,
    /// The machine's key, 64 hex digits.
    pub key: String,
    /// The queues.
    pub transport: Transport,
    /// Where the agent keeps what it has handled (default: the user's
    /// state folder, `/var/lib/cairn-agent` for root).
    #[serde(default)]
    pub state_dir: Option<PathBuf>,
}

impl AgentConfig {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io("read the agent configuration", path, e))?;
        let cfg: Self = serde_json::from_str(&text).map_err(|e| {
            Error::invalid(format!(
                "{} is not an agent configuration ({e}); write it again with `cairn group agent-config`",
                path.display()
            ))
        })?;
        cfg.key()?;
        if cfg.machine_id.trim().is_empty() || cfg.console_id.trim().is_empty() {
            return Err(Error::invalid(format!(
                "{} names no machine or console",
                path.display()
            )));
        }
        Ok(cfg)
    }

    /// Writes the file readable by its owner only.
    pub fn save(&self, path: &Path) -> Result<()> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let text = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::internal("cannot encode the agent configuration").caused_by(e))?;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| Error::io("write the agent configuration", path, e))?;
        f.write_all(&text)
            .map_err(|e| Error::io("write the agent configuration", path, e))
    }

    /// The machine's key.
    pub fn key(&self) -> Result<AgentKey> {
        AgentKey::from_hex(&self.key)
            .ok_or_else(|| Error::invalid("the agent configuration's key is not 64 hex digits"))
    }

    /// Who the agent is and whom it obeys.
    pub fn endpoints(&self) -> Endpoints {
        Endpoints {
            me: format!("agent:{}", self.machine_id),
            peer: format!("console:{}", self.console_id),
        }
    }

    /// The state folder.
    pub fn state_dir(&self) -> PathBuf {
        if let Some(d) = &self.state_dir {
            return d.clone();
        }
        let base = if rustix_is_root() {
            PathBuf::from("/var/lib/cairn-agent")
        } else {
            std::env::var_os("XDG_STATE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
                .unwrap_or_else(|| PathBuf::from("."))
                .join("cairn-agent")
        };
        base.join(&self.machine_id)
    }
}

fn rustix_is_root() -> bool {
    std::env::var("USER").map(|u| u == "root").unwrap_or(false)
}

/// The queue access from the machine's environment.
pub fn environment_access(region: &str, endpoint: Option<&str>) -> Result<AwsAccess> {
    let id = std::env::var("AWS_ACCESS_KEY_ID").map_err(|_| {
        Error::invalid("AWS_ACCESS_KEY_ID is not set: the agent reads its queue credentials from the environment")
    })?;
    let secret = std::env::var("AWS_SECRET_ACCESS_KEY")
        .map_err(|_| Error::invalid("AWS_SECRET_ACCESS_KEY is not set"))?;
    Ok(AwsAccess {
        access_key_id: id,
        secret: Sensitive::new(secret),
        session_token: std::env::var("AWS_SESSION_TOKEN").ok().map(Sensitive::new),
        region: region.to_string(),
        endpoint: endpoint.map(str::to_string),
    })
}

/// A systemd unit that runs the agent with `config`.
pub fn systemd_unit(config: &Path) -> String {
    format!(
        "[Unit]\nDescription=Cairn agent\nAfter=network-online.target\nWants=network-online.target\n\n\
         [Service]\nExecStart=/usr/local/bin/cairn agent --config {}\nRestart=always\nRestartSec=5\n\n\
         [Install]\nWantedBy=multi-user.target\n",
        config.display()
    )
}
