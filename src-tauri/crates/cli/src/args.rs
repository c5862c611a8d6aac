//! Command-line syntax (see CLI.md at the repository root's spec).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Cairn backup & replication: the command line.
#[derive(Parser, Debug)]
#[command(name = "cairn", version, about, propagate_version = true)]
pub struct Cli {
    /// Data folder with the configuration (default: the per-user folder the console uses).
    #[arg(long, global = true, env = "CAIRN_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Print one JSON document (JSON lines of progress for `job run` and
    /// `prune`, ending with a "summary" line).
    #[arg(long, global = true)]
    pub json: bool,
    /// Milliseconds between progress reports of long work (default 250).
    #[arg(long, global = true, value_name = "MS", default_value_t = 250)]
    pub progress_every: u64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Backup repositories.
    #[command(subcommand)]
    Repo(RepoCmd),
    /// Cloud credentials and passwords (secrets live in the OS keyring).
    #[command(subcommand)]
    Credentials(CredentialsCmd),
    /// Jobs.
    #[command(subcommand)]
    Job(JobCmd),
    /// Backups and their restore points.
    #[command(subcommand)]
    Backups(BackupsCmd),
    /// List a folder of a restore point.
    Browse {
        /// Backup id or job name (with --file: the folder).
        #[arg(required_unless_present = "file")]
        backup: Option<String>,
        /// Restore point id, or "latest".
        #[arg(long, default_value = "latest")]
        point: String,
        /// Folder inside the restore point.
        #[arg(default_value = "/")]
        path: String,
        /// Browse the restore point of this `.cairn` export file instead.
        #[arg(long)]
        file: Option<std::path::PathBuf>,
        /// Read the backup's encryption password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Search a restore point by name or mask (`*.pdf`, `report-??.odt`).
    Find {
        /// Backup id or job name.
        backup: String,
        /// A name (matches any part, ignoring case) or a mask with * and ?.
        pattern: String,
        /// Restore point id, or "latest".
        #[arg(long, default_value = "latest")]
        point: String,
        /// At most this many results.
        #[arg(long, default_value_t = 1000)]
        limit: usize,
        /// Read the backup's encryption password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// The versions of a file or folder: each restore point in which it differs.
    Versions {
        /// Backup id or job name.
        backup: String,
        /// Full path inside the restore points.
        path: String,
        /// Read the backup's encryption password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// What was added, changed and deleted between two restore points.
    Diff {
        /// Backup id or job name.
        backup: String,
        /// The older restore point id.
        point_a: String,
        /// The newer restore point id (or "latest").
        point_b: String,
        /// Read the backup's encryption password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Restore files and folders.
    Restore(RestoreArgs),
    /// Export a restore point as one self-contained `.cairn` file: its
    /// keys, manifest, folders and every chunk it needs, encrypted as the
    /// backup is.
    Export {
        /// Backup id or job name.
        backup: String,
        /// Restore point id, or "latest".
        #[arg(long, default_value = "latest")]
        point: String,
        /// The file to create (it must not exist).
        #[arg(long)]
        out: std::path::PathBuf,
        /// Read the backup's encryption password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Import the restore point of a `.cairn` file into a repository,
    /// adding only the chunks it lacks.
    Import {
        /// The `.cairn` file.
        file: std::path::PathBuf,
        /// Repository name.
        #[arg(long)]
        repo: String,
        /// Read the backup's encryption password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// The volumes (disk images and devices backed up whole) of a restore point.
    Volumes {
        /// Backup id or job name.
        backup: String,
        /// Restore point id, or "latest".
        #[arg(long, default_value = "latest")]
        point: String,
        /// Read the backup's encryption password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Restore a volume onto a block device or disk image file, writing
    /// only the blocks that differ and verifying them.
    RestoreVolume {
        /// Backup id or job name.
        backup: String,
        /// Restore point id, or "latest".
        #[arg(long, default_value = "latest")]
        point: String,
        /// The volume: its path in the restore point, or its file name.
        #[arg(long)]
        volume: String,
        /// A block device or image file (a new file is created sparse).
        #[arg(long)]
        to: std::path::PathBuf,
        /// Overwrite an existing device or file without asking.
        #[arg(long)]
        yes: bool,
        /// Read the backup's encryption password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Export a volume as a disk image file: raw, VMDK, VHD (dynamic or
    /// fixed) or VHDX, through qemu-img, without restoring it first.
    ExportDisk {
        /// Backup id or job name.
        backup: String,
        /// Restore point id, or "latest".
        #[arg(long, default_value = "latest")]
        point: String,
        /// The volume: its path in the restore point, or its file name.
        #[arg(long)]
        volume: String,
        /// The image format.
        #[arg(long, value_enum)]
        format: crate::disks::FormatArg,
        /// The image file to create (it must not exist).
        #[arg(long)]
        out: std::path::PathBuf,
        /// Read the backup's encryption password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Publish a volume as a read-only NBD export (for qemu-img, nbd-client
    /// or a hypervisor) until Ctrl+C.
    PublishDisk {
        /// Backup id or job name.
        backup: String,
        /// Restore point id, or "latest".
        #[arg(long, default_value = "latest")]
        point: String,
        /// The volume: its path in the restore point, or its file name.
        #[arg(long)]
        volume: String,
        /// Listen on this Unix socket (only you may connect).
        #[arg(long, conflicts_with = "port")]
        socket: Option<std::path::PathBuf>,
        /// Listen on this TCP port of 127.0.0.1 (any local user may connect).
        #[arg(long)]
        port: Option<u16>,
        /// Read the backup's encryption password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Publish a restore point as a read-only file system at an empty
    /// folder (FUSE) until Ctrl+C or `fusermount3 -u DIR`.
    Mount {
        /// Backup id or job name.
        backup: String,
        /// The empty folder to mount on.
        dir: std::path::PathBuf,
        /// Restore point id, or "latest".
        #[arg(long, default_value = "latest")]
        point: String,
        /// Read the backup's encryption password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Check a repository's health.
    Check {
        /// Repository name.
        repo: String,
        /// Read and verify every chunk.
        #[arg(long)]
        full: bool,
        /// Password for encrypted backups in the repository (standard input).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Delete packs no restore point needs (two phases: mark, then delete after the grace period).
    Prune {
        /// Repository name.
        repo: String,
        /// Hours between marking a pack unused and deleting it.
        #[arg(long, default_value_t = 24)]
        grace_hours: u32,
        /// Password for encrypted backups in the repository (standard input).
        #[arg(long)]
        password_stdin: bool,
    },
    /// Benchmark Cairn against restic and borg on a generated data set.
    Bench(BenchArgs),
    /// Run the scheduler headless (for servers): jobs start on schedule
    /// without the console window. Stops on Ctrl+C or SIGTERM.
    Daemon,
    /// The console's own configuration: back it up, rebuild a console from it.
    #[command(subcommand)]
    Config(ConfigCmd),
    /// External repositories: buckets and containers a cloud backup
    /// appliance writes, read-only for the console.
    #[command(subcommand)]
    External(ExternalCmd),
    /// Run Cairn as a standalone cloud backup appliance.
    #[command(subcommand)]
    Appliance(ApplianceCmd),
    /// Protection groups of cloud machines (discovered through the cloud's API).
    #[command(subcommand)]
    Group(GroupCmd),
    /// Run as the agent of a cloud machine, serving its console's commands.
    Agent {
        /// The configuration the console wrote (`cairn group agent-config`);
        /// several serve several machines from one process (a bench, or a
        /// host of stand-in machines).
        #[arg(long, required = true, num_args = 1..)]
        config: Vec<std::path::PathBuf>,
        /// Read the machine's files under this folder instead of `/` (a
        /// mounted snapshot of its disk, or a stand-in folder); with
        /// several configurations, each machine's under DIR/<machine id>.
        #[arg(long)]
        root: Option<std::path::PathBuf>,
        /// Keep the agent's state here (the handled commands and the
        /// inbox Systems Manager drops commands in) instead of the
        /// configuration's folder.
        #[arg(long)]
        state_dir: Option<std::path::PathBuf>,
        /// Print a systemd unit that runs this agent, and exit.
        #[arg(long)]
        systemd_unit: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum GroupCmd {
    /// Add a protection group (then rescan it).
    #[command(subcommand)]
    Add(GroupAdd),
    /// Protection groups.
    List,
    /// A group's machines and their state.
    Show {
        /// Group name.
        name: String,
    },
    /// Discover the group's machines, tag them, make their queues.
    Rescan {
        /// Group name.
        name: String,
        /// Take over machines another console manages.
        #[arg(long)]
        take_over: bool,
    },
    /// Change a group's machines, exclusions or options (the account stays).
    Edit {
        /// Group name.
        name: String,
        #[command(flatten)]
        machines: GroupMachines,
        #[command(flatten)]
        options: GroupOptions,
    },
    /// Ask every agent of the group for its status and wait for the
    /// answers.
    Status {
        /// Group name.
        name: String,
        /// Seconds to wait for the answers.
        #[arg(long, default_value_t = 30)]
        wait: u64,
    },
    /// Remove a group: its machines are released (tag removed, agent
    /// told to stop, queue deleted).
    Remove {
        /// Group name.
        name: String,
    },
    /// Write the configuration `cairn agent --config FILE` runs with on one
    /// machine of a group (readable by its owner only: it holds the key).
    AgentConfig {
        /// Group name.
        group: String,
        /// Machine id or name.
        machine: String,
        /// File to write.
        #[arg(long)]
        out: PathBuf,
        /// Where the agent keeps its state (default: /var/lib/cairn-agent
        /// for root, else the user's state folder).
        #[arg(long)]
        state_dir: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum GroupAdd {
    /// EC2 instances of an AWS account.
    Cloud(Box<CloudGroupArgs>),
}

/// `cairn group add cloud NAME --aws …`.
#[derive(Args, Debug)]
pub struct CloudGroupArgs {
    /// Group name.
    pub name: String,
    /// Amazon Web Services: EC2 instances, SQS queues.
    #[arg(long, conflicts_with = "azure", required_unless_present = "azure")]
    pub aws: bool,
    /// Microsoft Azure: virtual machines of a subscription, Azure queues.
    #[arg(long, requires_all = ["subscription", "tenant", "queue_credential"])]
    pub azure: bool,
    /// AWS regions to discover machines in (several allowed).
    #[arg(long = "region", required_unless_present = "azure")]
    pub regions: Vec<String>,
    /// Service point of an AWS-compatible service, or of Azure Resource
    /// Manager.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// A credential of Manage Cloud Credentials (kind aws, or azure-sp).
    #[arg(long, conflicts_with_all = ["access_key_id", "secret_access_key_stdin", "client_id", "client_secret_stdin"])]
    pub credential: Option<String>,
    /// Access key id (its secret read from standard input).
    #[arg(long, requires = "secret_access_key_stdin")]
    pub access_key_id: Option<String>,
    /// Read the secret access key from standard input.
    #[arg(long, requires = "access_key_id")]
    pub secret_access_key_stdin: bool,
    /// Region of the console's and the machines' queues (default: the first region).
    #[arg(long)]
    pub queue_region: Option<String>,
    /// Azure subscription id.
    #[arg(long, requires = "azure")]
    pub subscription: Option<String>,
    /// Azure tenant (directory) id of the service principal.
    #[arg(long, requires = "azure")]
    pub tenant: Option<String>,
    /// The service principal's client id (its secret read from standard input).
    #[arg(long, requires_all = ["azure", "client_secret_stdin"])]
    pub client_id: Option<String>,
    /// Read the service principal's client secret from standard input.
    #[arg(long, requires = "client_id")]
    pub client_secret_stdin: bool,
    /// Address of the Azure sign-in service (default: public Azure).
    #[arg(long, requires = "azure")]
    pub login_endpoint: Option<String>,
    /// Credentials (kind azure-key) of the storage account holding the queues.
    #[arg(long, requires = "azure")]
    pub queue_credential: Option<String>,
    /// Address of that account's queue service (default: public Azure).
    #[arg(long, requires = "azure")]
    pub queue_endpoint: Option<String>,
    #[command(flatten)]
    pub machines: GroupMachines,
    #[command(flatten)]
    pub options: GroupOptions,
    /// Free text.
    #[arg(long, default_value = "")]
    pub description: String,
}

/// Which machines a group holds.
#[derive(Args, Debug)]
pub struct GroupMachines {
    /// Machines with this tag (KEY=VALUE; several: any of them).
    #[arg(long = "tag", conflicts_with = "machines")]
    pub tags: Vec<String>,
    /// With several --tag: a machine must carry all of them.
    #[arg(long, requires = "tags")]
    pub all_tags: bool,
    /// These machines by id (several allowed).
    #[arg(long = "machine")]
    pub machines: Vec<String>,
    /// Leave out a machine id, or machines with tag KEY=VALUE.
    #[arg(long = "exclude")]
    pub excludes: Vec<String>,
}

/// A group's options.
#[derive(Args, Debug)]
pub struct GroupOptions {
    /// Rescan daily at HH:MM (default 02:00).
    #[arg(long, default_value = "02:00", conflicts_with = "no_daily_rescan")]
    pub rescan_at: String,
    /// Rescan by hand only.
    #[arg(long)]
    pub no_daily_rescan: bool,
    /// Install, update and remove the agents through Systems Manager from
    /// this S3 bucket (the distribution repository: it holds packages and
    /// command output only, never backups).
    #[arg(long, conflicts_with = "distribution_container")]
    pub distribution_bucket: Option<String>,
    /// Azure: install, update and remove the agents through Run Command
    /// from this container of the queues' storage account.
    #[arg(long)]
    pub distribution_container: Option<String>,
    /// Azure: the blob service address of that storage account (other
    /// clouds and emulators only; default: its public one).
    #[arg(long, requires = "distribution_container")]
    pub distribution_endpoint: Option<String>,
    /// Folder inside the distribution bucket or container.
    #[arg(long)]
    pub distribution_folder: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCmd {
    /// Back up the configuration (repositories, jobs, schedules,
    /// credentials, protection groups, providers, settings) as a restore
    /// point of its own. With --password-stdin the keyring's secrets go
    /// along, sealed with that password; without, they are listed as to
    /// re-enter after a restore.
    Backup {
        /// Repository (default: the default repository).
        #[arg(long)]
        repo: Option<String>,
        /// Read the configuration backup's password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Rebuild this console from a configuration backup: jobs, schedules
    /// and repositories back, secrets into this machine's keyring, then a
    /// rescan of every repository. Add the repository that holds it first
    /// (`cairn repo add …`).
    Restore {
        /// Repository that holds the configuration backup.
        #[arg(long)]
        repo: String,
        /// Restore point (default: the newest).
        #[arg(long)]
        point: Option<String>,
        /// Read the configuration backup's password from standard input.
        #[arg(long)]
        password_stdin: bool,
        /// Replace the jobs and credentials this console already has.
        #[arg(long)]
        overwrite: bool,
    },
    /// Show or change the daily configuration backup (default: on, at
    /// 10:00, into the default repository, secrets left out).
    Schedule {
        /// Run daily at HH:MM (turns it on).
        #[arg(long, conflicts_with = "off")]
        daily: Option<String>,
        /// Stop the daily configuration backup.
        #[arg(long)]
        off: bool,
        /// Repository to write into.
        #[arg(long)]
        repo: Option<String>,
        /// Manage Passwords entry that seals the secrets (they go along).
        #[arg(long)]
        password_name: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ExternalCmd {
    /// Connect an external repository (takes ownership; rescans it).
    #[command(subcommand)]
    Add(ExternalAdd),
    /// External repositories and what their last rescan found.
    List,
    /// Rescan one external repository, or all of them.
    Rescan {
        /// External repository name.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        name: Option<String>,
        /// Rescan every external repository.
        #[arg(long)]
        all: bool,
    },
    /// Forget an external repository (nothing in it is touched).
    Remove {
        /// External repository name.
        name: String,
    },
}

/// What connecting an external repository asks besides the account.
#[derive(Args, Debug)]
pub struct ExternalOptions {
    /// Encrypted backups: read their password from standard input (after
    /// the account's secret, on the next line); it is kept in Manage
    /// Passwords under the repository's name.
    #[arg(long, conflicts_with = "password_name")]
    pub password_stdin: bool,
    /// Encrypted backups: this entry of Manage Passwords opens them.
    #[arg(long)]
    pub password_name: Option<String>,
    /// Take ownership even when another console owns the repository.
    #[arg(long)]
    pub take_ownership: bool,
    /// Free text.
    #[arg(long, default_value = "")]
    pub description: String,
}

#[derive(Subcommand, Debug)]
pub enum ExternalAdd {
    /// An Amazon S3 or S3-compatible bucket (S3 Standard).
    S3 {
        /// External repository name.
        name: String,
        #[command(flatten)]
        account: S3Account,
        #[command(flatten)]
        options: ExternalOptions,
    },
    /// An Azure Blob container (Hot or Cool tier).
    Azure {
        /// External repository name.
        name: String,
        #[command(flatten)]
        account: AzureAccount,
        #[command(flatten)]
        options: ExternalOptions,
    },
}

#[derive(Subcommand, Debug)]
pub enum ApplianceCmd {
    /// Back up a cloud machine (its data as a folder) straight into an S3
    /// bucket or Azure container, as a cloud backup appliance's policy.
    Backup(Box<ApplianceArgs>),
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApplianceTarget {
    S3,
    Azure,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum PlatformArg {
    Ec2,
    #[value(name = "azure-vm")]
    AzureVm,
}

#[derive(Args, Debug)]
pub struct ApplianceArgs {
    /// Where the appliance writes.
    #[arg(long, value_enum)]
    pub to: ApplianceTarget,
    /// S3: bucket.
    #[arg(long, required_if_eq("to", "s3"))]
    pub bucket: Option<String>,
    /// S3: region (also the machine's region in the metadata).
    #[arg(long, required_if_eq("to", "s3"))]
    pub region: Option<String>,
    /// S3: access key id.
    #[arg(long, required_if_eq("to", "s3"))]
    pub access_key_id: Option<String>,
    /// S3: read the secret access key from standard input.
    #[arg(long)]
    pub secret_access_key_stdin: bool,
    /// Azure: storage account.
    #[arg(long, required_if_eq("to", "azure"))]
    pub account: Option<String>,
    /// Azure: container.
    #[arg(long, required_if_eq("to", "azure"))]
    pub container: Option<String>,
    /// Azure: read the shared key from standard input.
    #[arg(long)]
    pub shared_key_stdin: bool,
    /// Azure: read a SAS token from standard input.
    #[arg(long)]
    pub sas_stdin: bool,
    /// Azure: the VM's subscription or region, kept in the metadata.
    #[arg(long, default_value = "")]
    pub subscription: String,
    /// Folder inside the bucket or container.
    #[arg(long, default_value = "")]
    pub folder: String,
    /// Service point (S3 compatible, the Azure emulator).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Backup policy name.
    #[arg(long)]
    pub policy: String,
    /// Machine id (EC2 instance id, Azure VM name).
    #[arg(long)]
    pub machine: String,
    /// Platform of the machine.
    #[arg(long, value_enum)]
    pub platform: PlatformArg,
    /// The machine's data.
    #[arg(long)]
    pub source: PathBuf,
    /// Restore points the policy keeps (default: all).
    #[arg(long)]
    pub retain_points: Option<u32>,
    /// Encrypt: read the password from standard input (after the secret,
    /// on the next line).
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Subcommand, Debug)]
pub enum RepoCmd {
    /// Add a repository.
    #[command(subcommand)]
    Add(RepoAdd),
    /// List repositories.
    List,
    /// Remove a repository from the configuration (its data stays).
    Remove {
        /// Repository name.
        name: String,
    },
    /// Change a repository's name, description, storage class or tier,
    /// immutability or secret (its location cannot change).
    Edit(RepoEdit),
    /// Read the repository's backups into the configuration (done after
    /// every add): backups there appear, backups gone disappear.
    Rescan {
        /// Repository name.
        name: String,
    },
}

/// What `repo edit` changes.
#[derive(Args, Debug)]
pub struct RepoEdit {
    /// Repository name.
    pub name: String,
    /// New name.
    #[arg(long)]
    pub new_name: Option<String>,
    /// Free text.
    #[arg(long)]
    pub description: Option<String>,
    /// S3 storage class: standard, glacier-flexible-retrieval, glacier-deep-archive.
    #[arg(long)]
    pub storage_class: Option<String>,
    /// Azure access tier: hot or cool.
    #[arg(long)]
    pub tier: Option<String>,
    /// Make recent backups immutable for N days.
    #[arg(long, conflicts_with = "no_immutability")]
    pub immutable_days: Option<u32>,
    /// Stop making new backups immutable.
    #[arg(long)]
    pub no_immutability: bool,
    /// Read a new secret (secret access key, shared key or SAS) from standard input.
    #[arg(long)]
    pub secret_stdin: bool,
}

#[derive(Subcommand, Debug)]
pub enum CredentialsCmd {
    /// Stored credentials (names, kinds, identities, usage; never secrets).
    List,
    /// Delete credentials (refused while a repository uses them).
    Delete {
        /// Credentials name.
        name: String,
    },
    /// Add (or replace) a password of Manage Passwords, which encrypted
    /// jobs name with `--password-name`; read from standard input.
    AddPassword {
        /// Password name.
        name: String,
        /// Read the password from standard input (required).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Hint shown when the password is asked for (never the password).
        #[arg(long, default_value = "")]
        hint: String,
        /// Free text.
        #[arg(long, default_value = "")]
        description: String,
    },
}

/// Where an S3 bucket folder is and how to reach it.
#[derive(Args, Debug)]
pub struct S3Account {
    /// Bucket.
    #[arg(long)]
    pub bucket: String,
    /// Folder inside the bucket.
    #[arg(long, default_value = "")]
    pub folder: String,
    /// Region.
    #[arg(long)]
    pub region: String,
    /// Service point of an S3-compatible store.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Access key id.
    #[arg(long)]
    pub access_key_id: String,
    /// Read the secret access key from standard input.
    #[arg(long, required = true)]
    pub secret_access_key_stdin: bool,
}

/// Where an Azure container folder is and how to reach it.
#[derive(Args, Debug)]
pub struct AzureAccount {
    /// Storage account.
    #[arg(long)]
    pub account: String,
    /// Container.
    #[arg(long)]
    pub container: String,
    /// Folder inside the container.
    #[arg(long, default_value = "")]
    pub folder: String,
    /// Blob endpoint (sovereign clouds, the emulator).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// Read the account's shared key from standard input.
    #[arg(
        long,
        conflicts_with = "sas_stdin",
        required_unless_present = "sas_stdin"
    )]
    pub shared_key_stdin: bool,
    /// Read a SAS token from standard input.
    #[arg(long)]
    pub sas_stdin: bool,
}

#[derive(Subcommand, Debug)]
pub enum RepoAdd {
    /// An Amazon S3 or S3-compatible bucket.
    S3 {
        /// Repository name.
        name: String,
        #[command(flatten)]
        account: S3Account,
        /// Storage class of backup data: standard, glacier-flexible-retrieval, glacier-deep-archive.
        #[arg(long, default_value = "standard")]
        storage_class: String,
        /// Make recent backups immutable for N days (bucket needs Object Lock).
        #[arg(long)]
        immutable_days: Option<u32>,
        /// Free text.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// An Azure Blob Storage container.
    Azure {
        /// Repository name.
        name: String,
        #[command(flatten)]
        account: AzureAccount,
        /// Access tier: hot or cool.
        #[arg(long, default_value = "hot")]
        tier: String,
        /// Make recent backups immutable for N days (the container needs
        /// version-level immutability support).
        #[arg(long)]
        immutable_days: Option<u32>,
        /// Free text.
        #[arg(long, default_value = "")]
        description: String,
    },
    /// A local or mounted folder.
    Local {
        /// Repository name.
        name: String,
        /// Folder (created if missing).
        #[arg(long)]
        path: PathBuf,
        /// Free text.
        #[arg(long, default_value = "")]
        description: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum JobCmd {
    /// Create a job.
    #[command(subcommand)]
    Create(JobCreate),
    /// List jobs.
    List,
    /// Run a job now.
    Run {
        /// Job name.
        name: String,
        /// Read the job's encryption password from standard input (else it
        /// comes from Manage Passwords when the job names one).
        #[arg(long)]
        password_stdin: bool,
        /// Read every file again (a full restore point).
        #[arg(long)]
        active_full: bool,
        /// Cloud machines: seconds an agent may stay silent before its
        /// machine fails (default 120).
        #[arg(long, value_name = "SECS")]
        agent_timeout: Option<u64>,
    },
    /// Map backup: the job continues a backup already in its repository
    /// (an imported one); the next run is an increment in its chain.
    Map {
        /// Job name.
        name: String,
        /// Backup id (`cairn backups list`).
        #[arg(long)]
        backup: String,
        /// Encrypted jobs without a Manage Passwords entry: read the
        /// backup's password from standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Show a job's settings (as the wizard stores them).
    Show {
        /// Job name.
        name: String,
    },
    /// Schedule the job again.
    Enable {
        /// Job name.
        name: String,
    },
    /// Stop scheduling the job (it can still be run by hand).
    Disable {
        /// Job name.
        name: String,
    },
    /// Delete a job (its backups stay unless --delete-backups).
    Delete {
        /// Job name.
        name: String,
        /// Also delete the job's restore points from the repository.
        #[arg(long)]
        delete_backups: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum JobCreate {
    /// A file-level backup job of this computer.
    Backup(Box<BackupJobArgs>),
    /// A backup copy job: copies restore points of backups (for example
    /// root backups in an external repository) into a repository.
    Copy(Box<CopyJobArgs>),
}

#[derive(Args, Debug)]
pub struct CopyJobArgs {
    /// Job name.
    pub name: String,
    /// What to copy: EXTERNAL_OR_REPO/BACKUP_ID, EXTERNAL_OR_REPO/MACHINE
    /// (its backups), or EXTERNAL_OR_REPO (every backup in it).
    #[arg(long = "from-backup", num_args = 1.., required_unless_present = "from_job")]
    pub from_backup: Vec<String>,
    /// Copy the backups of these backup jobs.
    #[arg(long = "from-job", num_args = 1..)]
    pub from_job: Vec<String>,
    /// Machines not copied.
    #[arg(long = "exclude-machine", num_args = 1..)]
    pub exclude_machine: Vec<String>,
    /// Target repository.
    #[arg(long)]
    pub target: String,
    /// Copy new restore points as soon as they appear (after a rescan or
    /// a backup), instead of on the schedule.
    #[arg(long)]
    pub immediate: bool,
    /// Read every chunk of each copied point from the source again.
    #[arg(long)]
    pub read_entire: bool,
    #[command(flatten)]
    pub storage: StorageArgs,
    #[command(flatten)]
    pub schedule: ScheduleArgs,
    /// Free text.
    #[arg(long, default_value = "")]
    pub description: String,
}

#[derive(Args, Debug)]
pub struct BackupJobArgs {
    /// Job name.
    pub name: String,
    /// Target repository.
    #[arg(long)]
    pub repo: String,
    /// Folders or files to back up (absolute paths; file-level jobs).
    #[arg(long = "include", num_args = 1.., required_unless_present_any = ["volume", "entire_computer"])]
    pub include: Vec<String>,
    /// Block devices or disk image files to back up whole (volume level).
    #[arg(long = "volume", num_args = 1.., conflicts_with_all = ["include", "entire_computer"])]
    pub volume: Vec<String>,
    /// Back up every disk of the computer as an image.
    #[arg(long, conflicts_with = "include")]
    pub entire_computer: bool,
    /// Computers the job protects (default: this computer).
    #[arg(long = "computer", num_args = 1..)]
    pub computer: Vec<String>,
    /// Operating system of the computers.
    #[arg(long, value_enum, default_value_t = OsArg::Linux)]
    pub os: OsArg,
    /// Type of computer.
    #[arg(long = "type", value_enum, default_value_t = TypeArg::Server)]
    pub computer_type: TypeArg,
    /// A backup policy managed by the agent instead of a job run by Cairn.
    #[arg(long)]
    pub policy: bool,
    /// Script run before the backup (a failure fails the run).
    #[arg(long, default_value = "")]
    pub pre_script: String,
    /// Script run after the backup (a failure is a warning).
    #[arg(long, default_value = "")]
    pub post_script: String,
    /// Masks to exclude (`*.tmp`, `cache/`, `/home/*/.cache`); exclude wins.
    #[arg(long = "exclude", num_args = 1..)]
    pub exclude: Vec<String>,
    /// Keep only files whose names match these masks.
    #[arg(long = "include-mask", num_args = 1..)]
    pub include_mask: Vec<String>,
    #[command(flatten)]
    pub storage: StorageArgs,
    #[command(flatten)]
    pub schedule: ScheduleArgs,
    /// Free text.
    #[arg(long, default_value = "")]
    pub description: String,
}

/// When a job runs by itself.
#[derive(Args, Debug)]
pub struct ScheduleArgs {
    /// Run daily at HH:MM.
    #[arg(long, conflicts_with_all = ["monthly", "every", "after"])]
    pub daily: Option<String>,
    /// Days for --daily: mon,tue,… or weekdays (default every day).
    #[arg(long, value_delimiter = ',', requires = "daily")]
    pub days: Vec<String>,
    /// Run monthly at HH:MM (with --month-day).
    #[arg(long, conflicts_with_all = ["every", "after"])]
    pub monthly: Option<String>,
    /// Day of the month for --monthly: 1–31 or "last".
    #[arg(long, default_value = "1", requires = "monthly")]
    pub month_day: String,
    /// Run periodically: 30m, 4h.
    #[arg(long, conflicts_with = "after")]
    pub every: Option<String>,
    /// Run right after this job finishes.
    #[arg(long)]
    pub after: Option<String>,
    /// Retry failed scheduled runs N times (0 = off).
    #[arg(long, default_value_t = 3)]
    pub retry: u32,
    /// Minutes between retries.
    #[arg(long, default_value_t = 10)]
    pub retry_wait: u32,
    /// Backup window: hours permitted every day, FROM-TO (20-6 = nights);
    /// runs still going when it closes are terminated.
    #[arg(long)]
    pub window: Option<String>,
}

/// Target storage settings: compression, encryption, retention, GFS.
#[derive(Args, Debug)]
pub struct StorageArgs {
    /// Encrypt with this entry of Manage Passwords (`credentials`).
    #[arg(long, conflicts_with = "encrypt")]
    pub password_name: Option<String>,
    /// Compression level.
    #[arg(long, value_enum, default_value_t = CompressionArg::Optimal)]
    pub compression: CompressionArg,
    /// Encrypt the backups (password from standard input).
    #[arg(long, requires = "password_stdin")]
    pub encrypt: bool,
    /// Read the encryption password from standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// Encryption algorithm.
    #[arg(long, value_enum, default_value_t = CipherArg::Aes256Gcm)]
    pub cipher: CipherArg,
    /// Password hint stored with the key (never the password).
    #[arg(long, default_value = "")]
    pub password_hint: String,
    /// Keep this many restore points.
    #[arg(long, conflicts_with = "retain_days")]
    pub retain_points: Option<u32>,
    /// Keep restore points for this many days.
    #[arg(long)]
    pub retain_days: Option<u32>,
    /// Keep weekly fulls for N weeks.
    #[arg(long, default_value_t = 0)]
    pub gfs_weekly: u32,
    /// Keep monthly fulls for N months.
    #[arg(long, default_value_t = 0)]
    pub gfs_monthly: u32,
    /// Keep yearly fulls for N years.
    #[arg(long, default_value_t = 0)]
    pub gfs_yearly: u32,
    /// Map backup: continue this backup already in the repository (its
    /// id from `cairn backups list`) instead of starting a new one.
    #[arg(long)]
    pub map_backup: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum OsArg {
    Linux,
    Windows,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum TypeArg {
    Workstation,
    Server,
    FailoverCluster,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum CompressionArg {
    None,
    DedupeFriendly,
    Optimal,
    High,
    Extreme,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum CipherArg {
    #[value(name = "aes-256-gcm")]
    Aes256Gcm,
    #[value(name = "xchacha20-poly1305")]
    Xchacha20Poly1305,
}

#[derive(Subcommand, Debug)]
pub enum BackupsCmd {
    /// Backups and their restore points.
    List,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// Backup id or job name.
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    pub backup: Option<String>,
    /// Restore from the restore point of this `.cairn` export file instead.
    #[arg(long)]
    pub file: Option<std::path::PathBuf>,
    /// Restore point id, or "latest".
    #[arg(long, default_value = "latest")]
    pub point: String,
    /// Paths inside the restore point (default: everything).
    #[arg(long = "path", num_args = 1..)]
    pub paths: Vec<String>,
    /// Restore into this folder.
    #[arg(
        long,
        conflicts_with = "original",
        required_unless_present = "original"
    )]
    pub to: Option<std::path::PathBuf>,
    /// With --to: restore owner and group too.
    #[arg(long, requires = "to")]
    pub preserve_owner: bool,
    /// Restore to the original location.
    #[arg(long)]
    pub original: bool,
    /// With --original: replace existing files.
    #[arg(long, requires = "original", conflicts_with = "keep")]
    pub overwrite: bool,
    /// With --original: keep existing files, name restored ones NAME_RESTORED_YYYYMMDD_HHMMSS.
    #[arg(long, requires = "original")]
    pub keep: bool,
    /// Skip files whose size and modification time already match.
    #[arg(long)]
    pub changed_only: bool,
    /// Read the backup's encryption password from standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchKind {
    /// Backup, second backup and restore against restic and borg (default).
    Backup,
    /// Rescan of an external repository on an S3 service point.
    Rescan,
    /// Agents of cloud machines over the queues of a local EC2/SQS/S3
    /// server: a status round and a backup job of N machines.
    Agents,
    /// Folder listing and name search in the Backup Browser.
    Browse,
    /// Checks of hostile restore points: a folder bomb of shared subtrees
    /// and a chain of nested trees past the depth limit.
    Hostile,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// What to time.
    #[arg(value_enum, default_value_t = BenchKind::Backup)]
    pub what: BenchKind,
    /// Rescan: backups in the external repository.
    #[arg(long, default_value_t = 200)]
    pub backups: u32,
    /// Rescan: restore points per backup.
    #[arg(long, default_value_t = 30)]
    pub points: u32,
    /// Agents: machines (agent loops).
    #[arg(long, default_value_t = 100)]
    pub count: u32,
    /// Size of the generated data set in GB.
    #[arg(long, default_value_t = 2.0)]
    pub size: f64,
    /// Peers to compare with (those installed are used).
    #[arg(long, value_delimiter = ',', default_value = "restic,borg")]
    pub peers: Vec<String>,
    /// Work folder (default: a temporary folder).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Time the Backup Browser instead: folder listing and name search on
    /// a restore point of many small files.
    #[arg(long)]
    pub browse: bool,
    /// Files of the browse data set.
    #[arg(long, default_value_t = 1_000_000)]
    pub files: u64,
    /// Folders of the browse data set.
    #[arg(long, default_value_t = 50_000)]
    pub folders: u64,
    /// With --browse: also back up to this S3 service point and time the
    /// cold first listing of the root (needs the system keyring).
    #[arg(long, requires = "bucket")]
    pub s3_endpoint: Option<String>,
    /// With --s3-endpoint: an existing bucket (a new folder is used in it).
    #[arg(long)]
    pub bucket: Option<String>,
}
