//! Rayon's global thread pool does not survive `fork()`: a child process that
//! used it would wait forever on threads that no longer exist. The binding
//! layer therefore runs core calls on the global pool only in the process that
//! imported the module; any other process (a forked child, a grandchild, a
//! `forkserver` worker) gets a private pool built inside that very process, so
//! every depth of fork works.
//!
//! It is also where a call's thread count is decided (`threads`): the
//! `num_threads` argument, else the `IMDBFAST_NUM_THREADS` environment
//! variable, else all cores; never more than the cap (`max_threads`: the
//! number of cores this process may use, unless the `IMDBFAST_MAX_THREADS`
//! environment variable asks for another), so that no argument and no saved
//! file can start more threads than that. One thread means no pool at all:
//! the work runs on the calling thread (registered once as the only worker
//! of a pool of its own, so that Rayon's parallel iterators run inline there
//! and spawn nothing). Other counts run on a pool of that many threads, kept
//! per process in a small cache of at most [`MAX_POOLS`] pools (the least
//! recently used one is dropped, its threads ending once its last call
//! returns), so that the threads alive stay bounded whatever counts are
//! asked for.

use std::cell::OnceCell;
use std::sync::{Arc, Mutex, OnceLock};

use pyo3::exceptions::PyValueError;
use pyo3::PyResult;

/// The environment variable that caps the threads of every call that does
/// not pass `num_threads`.
pub const THREADS_ENV: &str = "IMDBFAST_NUM_THREADS";

/// The environment variable that sets the most threads of any call (default:
/// the number of cores this process may use).
pub const MAX_THREADS_ENV: &str = "IMDBFAST_MAX_THREADS";

/// The thread count of a call: `num_threads` if given (at least 1), else
/// [`THREADS_ENV`] if set and not empty, else `None` (all cores); at most
/// [`max_threads`]. Read with the GIL held, so that Python's `os.environ`
/// writes do not race it.
///
/// Raises:
///     ValueError: `num_threads` is 0, or a variable is not an integer >= 1.
pub fn threads(num_threads: Option<usize>) -> PyResult<Option<usize>> {
    let cap = max_threads()?;
    if let Some(n) = num_threads {
        if n == 0 {
            return Err(PyValueError::new_err(
                "`num_threads` must be an integer >= 1. Received: num_threads=0",
            ));
        }
        return Ok(Some(n.min(cap)));
    }
    Ok(env_count(THREADS_ENV)?.map(|n| n.min(cap)))
}

/// The most threads a call may use: [`MAX_THREADS_ENV`] if set and not
/// empty, else the number of cores this process may use.
///
/// Raises:
///     ValueError: the variable is not an integer >= 1.
pub fn max_threads() -> PyResult<usize> {
    match env_count(MAX_THREADS_ENV)? {
        Some(n) => Ok(n),
        None => {
            Ok(*CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get())))
        }
    }
}

/// The number of cores this process may use, found once (finding it reads
/// files under /sys on Linux).
static CORES: OnceLock<usize> = OnceLock::new();

/// The integer >= 1 in the environment variable `name`, or `None` when it is
/// unset or blank.
fn env_count(name: &str) -> PyResult<Option<usize>> {
    let Some(value) = std::env::var_os(name) else {
        return Ok(None);
    };
    let text = value.to_string_lossy();
    if text.trim().is_empty() {
        return Ok(None);
    }
    match text.trim().parse::<usize>() {
        Ok(n) if n >= 1 => Ok(Some(n)),
        _ => Err(PyValueError::new_err(format!(
            "The environment variable {name} must be an integer >= 1. \
             Received: {name}='{text}'"
        ))),
    }
}

/// The process that imported the module: the only one whose global pool is
/// known to have live threads.
static ORIGIN_PID: OnceLock<u32> = OnceLock::new();

/// The pools of the current process, `(process id, width, pool)`, tagged
/// with the process id that built them, the most recently used last. A
/// child inherits its parent's entries and sees a different id.
type Pools = Vec<(u32, usize, Arc<rayon::ThreadPool>)>;
static PROCESS_POOLS: Mutex<Pools> = Mutex::new(Vec::new());

/// The most pools a process keeps (besides Rayon's global pool and the
/// one-thread pools of inline work, which start no thread).
pub const MAX_POOLS: usize = 4;

/// Remember the importing process, once, when the module is imported.
pub fn register_fork_guard() {
    ORIGIN_PID.get_or_init(std::process::id);
}

/// Run `f` with `threads` threads (see [`threads`]): inline on the calling
/// thread for `Some(1)`, on a pool of `n` threads for `Some(n)`; for `None`,
/// on the global pool in the importing process and on a pool of this
/// process's own in any forked descendant (sequential if even that cannot
/// be built).
pub fn install<R: Send>(threads: Option<usize>, f: impl FnOnce() -> R + Send) -> R {
    let pid = std::process::id();
    match threads {
        Some(1) => inline(f),
        Some(n) => match process_pool(pid, n) {
            Some(pool) => pool.install(f),
            None => inline(f),
        },
        // A thread that ran inline work is a worker of its own one-thread
        // pool, where `f` would stay: it takes this process's wide pool.
        None if ORIGIN_PID.get() == Some(&pid) && rayon::current_thread_index().is_none() => f(),
        None => match process_pool(pid, 0) {
            Some(pool) => pool.install(f),
            None => f(),
        },
    }
}

thread_local! {
    /// The one-thread pool whose only worker is this thread (never dropped:
    /// Rayon leaks a pool that adopts its caller's thread anyway).
    static INLINE_POOL: OnceCell<Option<&'static rayon::ThreadPool>> = const { OnceCell::new() };
}

/// Run `f` on the calling thread, parallel iterators included.
fn inline<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    let pool = INLINE_POOL.with(|cell| {
        *cell.get_or_init(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .use_current_thread()
                .build()
                .ok()
                .map(|pool| &*Box::leak(Box::new(pool)))
        })
    });
    match pool {
        // This thread is the pool's worker: `install` runs `f` right here.
        Some(pool) => pool.install(f),
        // The thread already works for another pool (a Rayon worker):
        // stay there.
        None => f(),
    }
}

/// The pool of `width` threads (0: one per core) built by process `pid`,
/// building it on first use.
fn process_pool(pid: u32, width: usize) -> Option<Arc<rayon::ThreadPool>> {
    let build = || {
        rayon::ThreadPoolBuilder::new()
            .num_threads(width)
            .build()
            .ok()
            .map(Arc::new)
    };
    // A fork taken while another thread held the lock leaves it held for good
    // in the child: never wait on it there, use a pool that is not cached.
    let mut pools = match PROCESS_POOLS.try_lock() {
        Ok(pools) => pools,
        Err(_) => return build(),
    };
    if pools.first().is_some_and(|(owner, _, _)| *owner != pid) {
        // The entries belong to an ancestor: their threads do not exist
        // here, so they must never be dropped (dropping wakes those threads
        // through locks they may have held at the fork).
        std::mem::forget(std::mem::take(&mut *pools));
    }
    if let Some(at) = pools.iter().position(|(_, w, _)| *w == width) {
        let entry = pools.remove(at);
        let pool = Arc::clone(&entry.2);
        pools.push(entry);
        return Some(pool);
    }
    let pool = build()?;
    if pools.len() >= MAX_POOLS {
        // The least recently used pool: its threads end once the calls
        // running on it (which hold it) return.
        pools.remove(0);
    }
    pools.push((pid, width, Arc::clone(&pool)));
    Some(pool)
}
