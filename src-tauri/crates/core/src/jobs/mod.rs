//! Jobs: file-level backup, retention and pruning.

pub mod backup;
pub mod copy;
pub mod filter;
pub mod image;
pub mod prune;
pub mod retention;
mod walk;

/// Runs `f` on the pool that walks folder trees (backups, copies): its
/// threads have stacks deep enough for trees [`crate::format::tree::MAX_DEPTH`]
/// levels deep, where each level nests a parallel step. Falls back to the
/// global pool if the threads cannot be started.
pub fn on_tree_pool<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("cairn-tree-{i}"))
            .stack_size(TREE_STACK)
            .build()
            .ok()
    });
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// Stack of a tree-walking thread: address space only, the pages a walk
/// does not reach are never touched.
const TREE_STACK: usize = 128 << 20;

/// The id of the backup a job writes for a machine.
pub fn backup_id(job_uid: &str, machine: &str) -> String {
    let h = blake3::hash(format!("{job_uid}\0{machine}").as_bytes());
    hex::encode(&h.as_bytes()[..16])
}
