//! What bag rows over one vocabulary reuse from call to call
//! ([`BagCache`], held by the [`Vocabulary`]): its entries as packed part
//! ids ([`PackedVocab`], built on first use) and the per-column counters of
//! finished calls ([`ColumnCounts`]). Building either costs time in
//! proportion to the vocabulary, so a call that encodes one text would
//! otherwise spend nearly all its time on them.

use std::sync::{Mutex, OnceLock};

use crate::bag::columns::ColumnCounts;
use crate::bag::ngrams::{pack, Parts, MAX_PACKED, NO_PART};
use crate::token_map::FlatTable;
use crate::vocab::Vocabulary;

/// A vocabulary's entries as packed part ids, for
/// [`crate::bag::ngrams::packable`] pipelines: an n-gram of text tokens is
/// an entry exactly when its tokens are the entry's space-separated pieces,
/// so it is looked up by the part ids of its tokens (one small-table lookup
/// per token, one integer key per n-gram) instead of by its string.
#[derive(Debug)]
pub(crate) struct PackedVocab {
    pub(crate) parts: Parts,
    /// Id of the one-piece entry of each part (the OOV id if none).
    unigram: Vec<i32>,
    /// Id of each entry of 2 to [`MAX_PACKED`] pieces, by [`pack`]ed key.
    grams: FlatTable<u128, i32>,
    oov: i32,
}

impl PackedVocab {
    fn new(vocab: &Vocabulary) -> Self {
        let oov = vocab.oov_id().unwrap_or(-1);
        let mut parts = Parts::default();
        let mut unigram = Vec::new();
        let mut grams = FlatTable::new(vocab.words().len()); // bounded: the entries, held
        let first = vocab.first_word_id();
        let specials = first - vocab.reserved();
        let mut ids = Vec::new();
        // Special tokens first, words after: a word equal to a special token
        // cannot be (the vocabulary refuses it).
        for id in (0..specials).chain(first..vocab.len()) {
            let Some(entry) = vocab.token(id) else {
                continue;
            };
            // An entry with an empty piece (or empty) never equals an
            // n-gram of tokens, nor does one of more pieces than a width.
            let pieces: Vec<&[u8]> = entry.as_bytes().split(|&b| b == b' ').collect();
            if pieces.iter().any(|p| p.is_empty()) || pieces.len() > MAX_PACKED {
                continue;
            }
            ids.clear();
            ids.extend(pieces.iter().map(|piece| parts.add(piece)));
            if unigram.len() < parts.tokens.len() {
                unigram.resize(parts.tokens.len(), oov); // bounded: the parts, held
            }
            match ids[..] {
                [part] => {
                    if let Some(slot) = unigram.get_mut(part as usize) {
                        *slot = id as i32;
                    }
                }
                _ => *grams.get_or_insert(pack(&ids)) = id as i32,
            }
        }
        PackedVocab {
            parts,
            unigram,
            grams,
            oov,
        }
    }

    /// The id of the n-gram of these part ids.
    #[inline(always)]
    pub(crate) fn id(&self, ids: &[u32]) -> i32 {
        match ids {
            [part] => self
                .unigram
                .get(*part as usize)
                .copied()
                .unwrap_or(self.oov),
            _ if ids.contains(&NO_PART) => self.oov,
            _ => self.grams.get(pack(ids)).copied().unwrap_or(self.oov),
        }
    }
}

/// Counters kept for the next call: more would only be garbage.
const KEPT_COUNTERS: usize = 64;

/// What bag rows over one vocabulary reuse from call to call (see the
/// module docs). Safe to share between threads: the packed entries are
/// built once ([`OnceLock`]), and counters are lent out one per job and
/// returned to a pool that is never waited on (a busy pool lends fresh
/// counters and drops returned ones). A clone starts empty.
#[derive(Default)]
pub struct BagCache {
    packed: OnceLock<PackedVocab>,
    counters: Mutex<Vec<ColumnCounts>>,
}

impl BagCache {
    /// The entries of `vocab` (the vocabulary holding this cache) as packed
    /// part ids, built by the first caller.
    pub(crate) fn packed(&self, vocab: &Vocabulary) -> &PackedVocab {
        self.packed.get_or_init(|| PackedVocab::new(vocab))
    }

    /// Counters of `columns` columns, all zero: returned ones if the pool
    /// has some.
    pub(crate) fn lend(&self, columns: usize) -> Lent<'_> {
        let kept = self
            .counters
            .try_lock()
            .ok()
            .and_then(|mut pool| pool.pop());
        let mut counts = kept.unwrap_or_default();
        counts.reserve(columns); // bounded: the vocabulary's columns, held
        Lent {
            cache: self,
            counts,
        }
    }
}

impl Clone for BagCache {
    fn clone(&self) -> Self {
        BagCache::default()
    }
}

impl std::fmt::Debug for BagCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BagCache")
            .field("packed", &self.packed.get().is_some())
            .finish_non_exhaustive()
    }
}

/// Counters lent by a [`BagCache`], returned to it when dropped.
pub(crate) struct Lent<'a> {
    cache: &'a BagCache,
    pub(crate) counts: ColumnCounts,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        let counts = std::mem::take(&mut self.counts);
        // Left all zero by every completed text; a text cut short by a
        // panic leaves them dirty, so they are dropped.
        if !counts.is_clear() {
            return;
        }
        if let Ok(mut pool) = self.cache.counters.try_lock() {
            if pool.len() < KEPT_COUNTERS {
                pool.push(counts);
            }
        }
    }
}
