//! The async runtime behind the object-storage backends. The storage trait
//! is blocking (the engine's workers are threads); backends run their
//! requests on this shared runtime.

use std::sync::OnceLock;

static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();

/// The shared runtime (two worker threads; requests are I/O-bound).
pub fn get() -> &'static tokio::runtime::Runtime {
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("cairn-io")
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start the I/O runtime: {e}"))
    })
}

/// Runs a future to completion from a blocking thread.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    get().block_on(f)
}
