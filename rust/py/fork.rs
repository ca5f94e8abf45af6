//! Rayon's global thread pool does not survive `fork()`: a child process that
//! used it would wait forever on threads that no longer exist. After a fork the
//! binding layer runs core calls in a fresh pool built inside the child.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static FORKED: AtomicBool = AtomicBool::new(false);
static CHILD_POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();

extern "C" fn child_after_fork() {
    FORKED.store(true, Ordering::Relaxed);
}

extern "C" {
    fn pthread_atfork(
        prepare: Option<extern "C" fn()>,
        parent: Option<extern "C" fn()>,
        child: Option<extern "C" fn()>,
    ) -> i32;
}

/// Install the hook once, when the module is imported.
pub fn register_fork_guard() {
    // SAFETY: registers a plain `extern "C"` callback that only stores an atomic.
    unsafe {
        pthread_atfork(None, None, Some(child_after_fork));
    }
}

/// Run `f` on a usable Rayon pool: the global one normally, a private pool in
/// a forked child (sequential if even that cannot be built).
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if !FORKED.load(Ordering::Relaxed) {
        return f();
    }
    let pool = CHILD_POOL.get_or_init(|| rayon::ThreadPoolBuilder::new().build().ok());
    match pool {
        Some(pool) => pool.install(f),
        None => f(),
    }
}
