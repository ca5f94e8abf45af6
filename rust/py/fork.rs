//! Rayon's global thread pool does not survive `fork()`: a child process that
//! used it would wait forever on threads that no longer exist. The binding
//! layer therefore runs core calls on the global pool only in the process that
//! imported the module; any other process (a forked child, a grandchild, a
//! `forkserver` worker) gets a private pool built inside that very process, so
//! every depth of fork works.

use std::sync::{Arc, Mutex, OnceLock};

/// The process that imported the module: the only one whose global pool is
/// known to have live threads.
static ORIGIN_PID: OnceLock<u32> = OnceLock::new();

/// The private pool of the current process, tagged with the process id that
/// built it. A child inherits its parent's entry and sees a different id.
static PROCESS_POOL: Mutex<Option<(u32, Arc<rayon::ThreadPool>)>> = Mutex::new(None);

/// Remember the importing process, once, when the module is imported.
pub fn register_fork_guard() {
    ORIGIN_PID.get_or_init(std::process::id);
}

/// Run `f` on a usable Rayon pool: the global one in the importing process, a
/// pool of this process's own in any forked descendant (sequential if even that
/// cannot be built).
pub fn install<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let pid = std::process::id();
    if ORIGIN_PID.get() == Some(&pid) {
        return f();
    }
    match process_pool(pid) {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// The pool built by process `pid`, building it on first use.
fn process_pool(pid: u32) -> Option<Arc<rayon::ThreadPool>> {
    let build = || rayon::ThreadPoolBuilder::new().build().ok().map(Arc::new);
    // A fork taken while another thread held the lock leaves it held for good
    // in the child: never wait on it there, use a pool that is not cached.
    let mut slot = match PROCESS_POOL.try_lock() {
        Ok(slot) => slot,
        Err(_) => return build(),
    };
    if let Some((owner, pool)) = slot.as_ref() {
        if *owner == pid {
            return Some(Arc::clone(pool));
        }
    }
    // The entry, if any, belongs to an ancestor: its threads do not exist here,
    // so it must never be dropped (dropping wakes those threads through locks
    // they may have held at the fork).
    if let Some(inherited) = slot.take() {
        std::mem::forget(inherited);
    }
    let pool = build()?;
    *slot = Some((pid, Arc::clone(&pool)));
    Some(pool)
}
