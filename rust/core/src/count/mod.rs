//! Counting tokens and n-grams over many texts: the one parallel fold and
//! the one batch of prefetched keys that every count in the core shares.
//!
//! - [`fold_chunks`]: texts cut into chunks of [`CHUNK`], folded in
//!   parallel into one accumulator per Rayon job (a run of contiguous
//!   chunks, about two jobs per thread), with [`map_capacity`] sizing each
//!   job's map and [`merge_maps`] adding the maps of the jobs up.
//! - [`KeyBatch`]: token keys waiting for their hash-table lookup, their
//!   slots prefetched, so that the cache misses of a batch overlap.
//!
//! Users: token counts ([`count_tokens`], [`TokenCounts`]), n-gram counts
//! ([`crate::bag::count_ngrams`], both the general and the packed path)
//! and first-seen ranks ([`crate::first_seen::rank_first_seen`]).
//!
//! - [`tokens`]: plain token counts ([`Counts`]), a vocabulary's input.
//! - [`token_counts`]: mergeable counts ([`TokenCounts`]) of streaming and
//!   distributed fits.

use rayon::prelude::*;

use crate::token_map::{TokenKey, TokenMap};

pub mod token_counts;
pub mod tokens;

#[cfg(test)]
mod tests;

pub use token_counts::{Tally, TokenCounts};
pub(crate) use tokens::merge_token_counts;
pub use tokens::{count_tokens, Counts};

/// Texts per chunk of the parallel fold.
pub const CHUNK: usize = 64;

/// Fold `docs` in parallel, chunk by chunk: each Rayon job starts from
/// `init()` and folds the chunks of its run with `fold(acc, first, chunk)`,
/// `first` being the index in `docs` of the chunk's first text. One
/// accumulator per job, not per chunk, and at most about two jobs per
/// thread: every extra map is megabytes to allocate, grow and merge, and
/// holds the same frequent words again. The jobs' accumulators come out
/// (in no particular order) as a parallel iterator.
#[inline]
pub fn fold_chunks<'a, S, T, I, F>(
    docs: &'a [S],
    init: I,
    fold: F,
) -> impl ParallelIterator<Item = T> + 'a
where
    S: Sync,
    T: Send + 'a,
    I: Fn() -> T + Sync + Send + 'a,
    F: Fn(T, usize, &'a [S]) -> T + Sync + Send + 'a,
{
    let chunks = docs.len().div_ceil(CHUNK);
    let min_len = chunks.div_ceil(2 * rayon::current_num_threads()).max(1);
    docs.par_chunks(CHUNK)
        .enumerate()
        .with_min_len(min_len)
        .fold(init, move |acc, (chunk_index, chunk)| {
            fold(acc, chunk_index * CHUNK, chunk)
        })
}

/// The capacity of one job's map for `docs` texts: `per_doc` distinct keys
/// a text, at least 256 and at most `max` (a map that has to grow rehashes
/// everything; one sized for IMDB-like corpora holds about 50k tokens a
/// job). A hint, never larger than `max`.
#[inline]
pub fn map_capacity(docs: usize, per_doc: usize, max: usize) -> usize {
    docs.saturating_mul(per_doc).clamp(1 << 8, max.max(1 << 8))
}

/// The maps of the jobs of [`fold_chunks`] added up pairwise (in
/// parallel), each pair into the larger map, combining values with `merge`.
pub fn merge_maps<V, M>(maps: Vec<TokenMap<V>>, merge: M) -> TokenMap<V>
where
    V: Copy + Default + Send,
    M: Fn(&mut V, V) + Sync + Send,
{
    maps.into_par_iter().reduce(TokenMap::default, |a, b| {
        let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
        big.merge_from(small, &merge);
        big
    })
}

/// Number of token keys whose lookups are batched (see [`KeyBatch`]).
pub const BATCH: usize = 16;

/// Token keys waiting for their hash-table lookup, each with `E` (what the
/// lookup records, e.g. a position). A sink prefetches each key's slot as
/// soon as the scanner emits the token and looks the batch up once it is
/// full (or the text ends): the cache misses of a batch then overlap
/// instead of following one another, which matters because count maps
/// (about 100k tokens, millions of bigrams) are far larger than the CPU's
/// caches.
#[derive(Default)]
pub struct KeyBatch<E = ()> {
    keys: [(TokenKey, E); BATCH],
    len: usize,
}

impl<E: Copy> KeyBatch<E> {
    /// Add a key; true when the batch is then full.
    #[inline(always)]
    pub fn push(&mut self, key: TokenKey, extra: E) -> bool {
        if let Some(slot) = self.keys.get_mut(self.len) {
            *slot = (key, extra);
            self.len += 1;
        }
        self.len >= BATCH
    }

    /// The waiting keys, leaving the batch empty.
    #[inline(always)]
    pub fn take(&mut self) -> &[(TokenKey, E)] {
        let len = std::mem::take(&mut self.len);
        &self.keys[..len]
    }
}
