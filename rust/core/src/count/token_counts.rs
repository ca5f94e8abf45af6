//! Token counts that can be merged: what a vocabulary is learned from,
//! counted piece by piece (chunks of a stream, files, workers) and added up.
//!
//! A [`TokenCounts`] holds, for each token (or n-gram), its number of
//! occurrences, the number of documents it occurs in (tf-idf's document
//! frequency) and the position where it was first met, `(document, n-gram
//! index in that document)` (the legacy Keras `Tokenizer`'s tie order), plus
//! the number of documents counted. Appending counts `b` to counts `a` means
//! "the documents of `b` come after those of `a`": `b`'s first positions are
//! shifted by `a`'s document count, so counts merged in corpus order hold
//! exactly what one count of the whole corpus would. Every vocabulary order
//! can then be built from them ([`TokenCounts::vocabulary`]), with the same
//! result as [`crate::vocab::Vocabulary::build`] and
//! [`crate::first_seen::build_vocabulary`] on the whole corpus.
//!
//! Counts travel between processes as bytes ([`TokenCounts::to_bytes`],
//! [`TokenCounts::from_bytes`]); `source` is an opaque label of the settings
//! that produced them (the binding's caller sets it) that merging checks.
//!
//! Counts read from bytes may have been tampered with: reading checks what
//! holds of every count made here (each tally counts at least one document,
//! no more documents than occurrences nor than the counts hold, and was
//! first met in one of them), and adding up counts uses checked arithmetic,
//! so a sum that does not fit in 64 bits is an error, never a wrapped count.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::bag::{check_widths, DocTokens, NgramCounts};
use crate::count::{fold_chunks, map_capacity, Counts, KeyBatch};
use crate::error::{CoreError, Result};
use crate::first_seen::{build_ranked, rank_seen};
use crate::text::{Scratch, TextPipeline, TokenSink};
use crate::token_map::{ShardedMap, TokenMap};
use crate::vocab::{VocabConfig, VocabOrder, Vocabulary};

/// What is known of one token.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Occurrences.
    pub count: u64,
    /// Documents it occurs in.
    pub documents: u64,
    /// `(document, n-gram index)` of its first occurrence.
    pub first: (u64, u64),
    /// While counting: index + 1 of the last document that counted it.
    last: u64,
}

/// Mergeable counts of the tokens (or n-grams) of some documents.
#[derive(Debug, Clone, Default)]
pub struct TokenCounts {
    /// Label of the settings the counts come from (`""`: empty counts,
    /// which merge with any).
    pub source: String,
    /// The n-gram widths counted (empty for empty counts).
    pub widths: Vec<usize>,
    /// Number of documents counted (empty ones included).
    pub documents: u64,
    tallies: ShardedMap<Tally>,
    /// At least the largest `count` of any tally (an upper bound, kept
    /// without a scan): while two bounds add up without overflow, so do the
    /// counts they bound, and merging needs no check token by token.
    count_bound: u64,
}

/// A counting thread moves its tallies into the counts once it holds this
/// many distinct tokens (n-grams), so that what counting holds besides the
/// counts stays small whatever the number of documents.
const FLUSH_AT: usize = 1 << 15;

impl TokenCounts {
    /// Count the n-grams of `widths` (`[1]`: plain tokens) of `docs` through
    /// `pipeline`, in parallel.
    ///
    /// Errors: a width < 1, or no width.
    pub fn count<S: AsRef<str> + Sync>(
        pipeline: &TextPipeline,
        docs: &[S],
        widths: &[usize],
        source: &str,
    ) -> Result<Self> {
        let mut counts = TokenCounts::default();
        counts.add(pipeline, docs, widths, source)?;
        Ok(counts)
    }

    /// Count `docs` as [`TokenCounts::count`] does and add them after the
    /// documents already counted, straight into these counts: each thread
    /// tallies its documents in a small map of its own and moves it into the
    /// counts shard by shard (one lock per shard) whenever it holds
    /// [`FLUSH_AT`] tokens, so no second table as large as the counts is ever
    /// built.
    ///
    /// Errors: a width < 1, or no width; counts of other settings.
    pub fn add<S: AsRef<str> + Sync>(
        &mut self,
        pipeline: &TextPipeline,
        docs: &[S],
        widths: &[usize],
        source: &str,
    ) -> Result<()> {
        check_widths(widths)?;
        if self.is_blank() {
            self.source = source.to_owned();
            self.widths = widths.to_vec();
        }
        self.check_settings(source, widths)?;
        let documents = self
            .documents
            .checked_add(docs.len() as u64)
            .ok_or_else(|| overflow("the number of documents", self.documents))?;
        // No token occurs more often than the n-grams of `docs`: at most
        // one per byte (case mapping grows a text less than 4 times) and
        // width.
        let added = docs
            .iter()
            .fold(docs.len() as u64, |n, d| {
                n.saturating_add(d.as_ref().len() as u64)
            })
            .saturating_mul(4 * widths.len() as u64);
        let Some(bound) = self.count_bound.checked_add(added) else {
            // Counts near the limit (only tampered ones come close): count
            // apart, then add with a check token by token.
            let counted = TokenCounts::count(pipeline, docs, widths, source)?;
            return self.append(counted);
        };
        let base = self.documents;
        let capacity = map_capacity(docs.len(), 32, 1 << 16);
        let shards: Vec<Mutex<TokenMap<Tally>>> = self
            .tallies
            .shards_mut()
            .iter_mut()
            .map(|shard| Mutex::new(std::mem::take(shard)))
            .collect();
        fold_chunks(
            docs,
            || ShardedMap::<Tally>::with_capacity(capacity), // bounded: clamped by map_capacity
            |mut map, first, chunk| {
                let mut scratch = Scratch::default();
                let mut tokens = DocTokens::default();
                for (i, doc) in chunk.iter().enumerate() {
                    let doc_index = base + (first + i) as u64;
                    let mut sink = TallySink::new(&mut map, doc_index);
                    if widths == [1] {
                        // Plain tokens straight from the scanner.
                        pipeline.tokens_into(doc.as_ref(), &mut scratch, &mut sink);
                        sink.flush();
                    } else {
                        tokens.read(pipeline, doc.as_ref(), &mut scratch);
                        tokens.for_each_ngram(widths, |gram| sink.add(gram));
                    }
                    if map.len() >= FLUSH_AT {
                        move_into(&shards, &mut map);
                    }
                }
                map
            },
        )
        .for_each(|mut map| move_into(&shards, &mut map));
        for (shard, counted) in self.tallies.shards_mut().iter_mut().zip(shards) {
            // A poisoned lock means a counting thread panicked; Rayon has
            // already passed that panic on, so the map is whole here.
            *shard = counted.into_inner().unwrap_or_else(|e| e.into_inner());
        }
        self.documents = documents;
        self.count_bound = bound;
        Ok(())
    }

    /// Refuse to add counts of other settings.
    fn check_settings(&self, source: &str, widths: &[usize]) -> Result<()> {
        if self.source != source || self.widths != widths {
            return Err(CoreError::invalid(format!(
                "Counts made with different tokenizer settings cannot be merged: count \
                 all parts with the same settings. Received: {:?} (ngram widths {:?}) and \
                 {:?} (ngram widths {:?})",
                self.source, self.widths, source, widths
            )));
        }
        Ok(())
    }

    /// Number of distinct tokens (n-grams) counted.
    pub fn len(&self) -> usize {
        self.tallies.len()
    }

    /// True when no token was counted.
    pub fn is_empty(&self) -> bool {
        self.tallies.is_empty()
    }

    /// What is known of `token`.
    pub fn get(&self, token: &[u8]) -> Option<Tally> {
        self.tallies.get(token).copied()
    }

    /// True for the counts of no document with no settings (`TokenCounts::default()`).
    fn is_blank(&self) -> bool {
        self.source.is_empty() && self.widths.is_empty() && self.documents == 0
    }

    /// Add the counts of `other`, whose documents come after those of
    /// `self`. On error, `self` is left as it was.
    ///
    /// Errors: the two come from different settings, or a sum (of documents,
    /// or of a token's occurrences) does not fit in 64 bits.
    pub fn append(&mut self, other: TokenCounts) -> Result<()> {
        if other.is_blank() {
            return Ok(());
        }
        if self.is_blank() {
            *self = other;
            return Ok(());
        }
        self.check_settings(&other.source, &other.widths)?;
        let documents = self
            .documents
            .checked_add(other.documents)
            .ok_or_else(|| overflow("the number of documents", self.documents))?;
        let bound = self.count_bound.checked_add(other.count_bound);
        if bound.is_none() {
            self.check_sums(&other)?;
        }
        // `other`'s documents come after `self`'s: its first positions move
        // (each below `other.documents`, so the sum fits: checked above).
        let shift = self.documents;
        self.tallies.merge_from(other.tallies, |into, from| {
            let moved = Tally {
                first: (from.first.0.saturating_add(shift), from.first.1),
                ..from
            };
            merge_tally(into, moved);
        });
        self.documents = documents;
        self.count_bound = bound.unwrap_or_else(|| self.max_count());
        Ok(())
    }

    /// Checks, token by token, that adding `other` overflows no count.
    fn check_sums(&self, other: &TokenCounts) -> Result<()> {
        for (token, from) in other.tallies.entries() {
            let Some(into) = self.tallies.get(token.as_bytes()) else {
                continue;
            };
            if into.count.checked_add(from.count).is_none()
                || into.documents.checked_add(from.documents).is_none()
            {
                return Err(CoreError::invalid(format!(
                    "Counts cannot be merged: the occurrences of token {:?} do not fit \
                     in 64 bits. Received: {} + {} (counts that were tampered with?)",
                    String::from_utf8_lossy(token.as_bytes()),
                    into.count,
                    from.count
                )));
            }
        }
        Ok(())
    }

    /// The largest count of any token (0 for no token).
    fn max_count(&self) -> u64 {
        self.tallies
            .entries()
            .map(|(_, t)| t.count)
            .max()
            .unwrap_or(0)
    }

    /// Approximate heap bytes held by the counts.
    pub fn heap_bytes(&self) -> usize {
        self.tallies.heap_bytes()
    }

    /// The occurrence counts, `exclude`d tokens left out; with `candidates
    /// = Some(k)`, only the tokens a vocabulary of the `k` most frequent
    /// could hold: those counted at least `min_freq` times and at least as
    /// often as the `k`-th most frequent, ties included (what
    /// [`crate::bag::count_ngrams`] keeps, so that [`Vocabulary::build`]
    /// picks the same tokens from far fewer).
    pub fn counts(&self, exclude: &[&[u8]], candidates: Option<usize>, min_freq: u64) -> Counts {
        let kept = |token: &[u8]| !exclude.contains(&token);
        let mut least = 0;
        if let Some(k) = candidates {
            // The k-th largest count, from how many tokens have each count
            // (a few thousand distinct counts, not millions of values).
            let mut tokens_per_count: BTreeMap<u64, usize> = BTreeMap::new();
            for (token, tally) in self.tallies.entries() {
                if tally.count >= min_freq.max(1) && kept(token.as_bytes()) {
                    *tokens_per_count.entry(tally.count).or_default() += 1;
                }
            }
            let total: usize = tokens_per_count.values().sum();
            let mut seen = 0;
            let kth = tokens_per_count.iter().rev().find_map(|(&count, &n)| {
                seen += n;
                (seen >= k).then_some(count)
            });
            least = match kth {
                _ if k == 0 => u64::MAX,
                Some(kth) if total > k => kth,
                _ => 0,
            };
            least = least.max(min_freq);
        }
        let mut counts = Counts::default();
        for (token, tally) in self.tallies.entries() {
            if tally.count >= least && kept(token.as_bytes()) {
                counts.insert(token.as_bytes(), tally.count);
            }
        }
        counts
    }

    /// The document frequencies of `vocab`'s tokens and the number of
    /// documents, as [`crate::bag::idf_weights`] takes them.
    pub fn document_counts(&self, vocab: &Vocabulary) -> NgramCounts {
        let mut document_counts = TokenMap::with_capacity(vocab.len()); // bounded: entries held
        for token in vocab.words() {
            if let Some(tally) = self.tallies.get(token.as_bytes()) {
                document_counts.insert(token.as_bytes(), tally.documents);
            }
        }
        NgramCounts {
            counts: Counts::default(),
            document_counts,
            documents: self.documents,
        }
    }

    /// The vocabulary that `config` learns from these counts, `exclude`d
    /// tokens (stopwords) left out: the same as from one count of all the
    /// documents, for every order.
    ///
    /// Errors: inconsistent settings; `"frequency_first_seen"` of n-grams.
    pub fn vocabulary(&self, config: &VocabConfig, exclude: &[&[u8]]) -> Result<Vocabulary> {
        if config.order != VocabOrder::FrequencyFirstSeen {
            let counts = self.counts(exclude, config.candidates(), config.min_freq);
            return Vocabulary::build(counts, config);
        }
        if self.widths.iter().any(|&w| w != 1) {
            return Err(CoreError::invalid(format!(
                "`vocab_order=\"frequency_first_seen\"` ranks plain tokens, not n-grams. \
                 Received: counts of ngram widths {:?}",
                self.widths
            )));
        }
        build_ranked(config, |specials, max_words| {
            let entries = self
                .tallies
                .entries()
                .filter(|(token, _)| !exclude.contains(&token.as_bytes()))
                .map(|(token, tally)| (token, tally.count, tally.first));
            rank_seen(entries, config.min_freq, specials, max_words)
        })
    }

    /// The counts as bytes ([`TokenCounts::from_bytes`] reads them back).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        put_bytes(&mut out, self.source.as_bytes());
        put_u64(&mut out, self.widths.len() as u64);
        for &w in &self.widths {
            put_u64(&mut out, w as u64);
        }
        put_u64(&mut out, self.documents);
        put_u64(&mut out, self.tallies.len() as u64);
        for (token, tally) in self.tallies.entries() {
            put_bytes(&mut out, token.as_bytes());
            for v in [tally.count, tally.documents, tally.first.0, tally.first.1] {
                put_u64(&mut out, v);
            }
        }
        out
    }

    /// Read counts written by [`TokenCounts::to_bytes`].
    ///
    /// Errors: not such bytes (truncated, a bad header or widths).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let bad = |what: &str| {
            CoreError::invalid(format!(
                "Not the bytes of imdbfast TokenCounts ({what}). Received: {} bytes",
                bytes.len()
            ))
        };
        let mut reader = Reader(bytes);
        if reader.take(MAGIC.len()).ok_or_else(|| bad("header"))? != MAGIC {
            return Err(bad("header"));
        }
        let source = reader.bytes().ok_or_else(|| bad("source"))?;
        let source = String::from_utf8(source.to_vec()).map_err(|_| bad("source"))?;
        let n_widths = reader.u64().ok_or_else(|| bad("widths"))?;
        let mut widths = Vec::new();
        for _ in 0..n_widths {
            let w = reader.u64().ok_or_else(|| bad("widths"))?;
            widths.push(usize::try_from(w).map_err(|_| bad("widths"))?);
        }
        if !widths.is_empty() {
            check_widths(&widths).map_err(|_| bad("widths"))?;
        }
        let documents = reader.u64().ok_or_else(|| bad("documents"))?;
        let entries = reader.u64().ok_or_else(|| bad("entries"))?;
        // A capacity hint only: each entry takes at least 36 bytes.
        let hint = usize::try_from(entries)
            .unwrap_or(usize::MAX)
            .min(reader.0.len() / 36);
        let mut tallies = ShardedMap::with_capacity(hint); // bounded: by the bytes given
        let mut count_bound = 0;
        for _ in 0..entries {
            let token = reader.bytes().ok_or_else(|| bad("entries"))?;
            let mut v = [0u64; 4];
            for slot in &mut v {
                *slot = reader.u64().ok_or_else(|| bad("entries"))?;
            }
            let tally = Tally {
                count: v[0],
                documents: v[1],
                first: (v[2], v[3]),
                last: 0,
            };
            // What holds of every tally counted here.
            if tally.documents == 0
                || tally.documents > tally.count
                || tally.documents > documents
                || tally.first.0 >= documents
            {
                return Err(bad("an entry's counts do not agree"));
            }
            count_bound = count_bound.max(tally.count);
            if tallies.insert(token, tally).is_some() {
                return Err(bad("a repeated entry"));
            }
        }
        if !reader.0.is_empty() {
            return Err(bad("trailing bytes"));
        }
        Ok(TokenCounts {
            source,
            widths,
            documents,
            tallies,
            count_bound,
        })
    }
}

/// Tallies the tokens (n-grams) of one document. Plain tokens wait in a
/// batch with their slot prefetched, so that the cache misses of a batch
/// overlap (a [`KeyBatch`], as [`crate::count::count_tokens`] does); call
/// [`TallySink::flush`] at the end of the document.
struct TallySink<'a> {
    map: &'a mut ShardedMap<Tally>,
    /// Index of the document.
    doc: u64,
    /// Index of the next token (n-gram) in the document.
    position: u64,
    /// Keys waiting for their lookup, with their positions.
    batch: KeyBatch<u64>,
}

impl<'a> TallySink<'a> {
    fn new(map: &'a mut ShardedMap<Tally>, doc: u64) -> Self {
        TallySink {
            map,
            doc,
            position: 0,
            batch: KeyBatch::default(),
        }
    }

    /// Tally `gram` at the next position, now.
    #[inline(always)]
    fn add(&mut self, gram: &[u8]) {
        let position = self.position;
        self.position += 1;
        let tally = self.map.entry_or_default(gram);
        record(tally, self.doc, position);
    }

    /// Tally the waiting keys.
    fn flush(&mut self) {
        for &(key, position) in self.batch.take() {
            record(self.map.entry_key(key), self.doc, position);
        }
    }
}

/// One occurrence of a token at `(doc, position)`. Positions may come out
/// of order within a document (batched keys): the first one is the least.
#[inline(always)]
fn record(tally: &mut Tally, doc: u64, position: u64) {
    if tally.count == 0 || (doc, position) < tally.first {
        tally.first = (doc, position);
    }
    tally.count += 1;
    if tally.last != doc + 1 {
        tally.last = doc + 1;
        tally.documents += 1;
    }
}

impl TokenSink for TallySink<'_> {
    #[inline(always)]
    fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
        match TokenMap::<Tally>::key_at(window, len) {
            Some(key) => {
                self.map.prefetch(key);
                let full = self.batch.push(key, self.position);
                self.position += 1;
                if full {
                    self.flush();
                }
            }
            None => self.add(&window[..len]),
        }
        ControlFlow::Continue(())
    }
}

/// Move a counting thread's tallies into the counts, one locked shard at a
/// time, and leave its map empty (its memory kept for the next documents).
fn move_into(shards: &[Mutex<TokenMap<Tally>>], map: &mut ShardedMap<Tally>) {
    for (shard, tallies) in shards.iter().zip(map.shards_mut()) {
        if !tallies.is_empty() {
            // Poisoned only if a thread panicked while merging; Rayon passes
            // that panic on, so going on with the map is harmless.
            let mut shard = shard.lock().unwrap_or_else(|e| e.into_inner());
            shard.move_from(tallies, merge_tally);
        }
    }
}

/// Merge the tally of a token counted in two sets of documents. The sums
/// fit (the callers check the counts' bounds first); they saturate rather
/// than wrap all the same.
fn merge_tally(into: &mut Tally, from: Tally) {
    if into.count == 0 || (from.count > 0 && from.first < into.first) {
        into.first = from.first;
    }
    into.count = into.count.saturating_add(from.count);
    into.documents = into.documents.saturating_add(from.documents);
    into.last = 0;
}

/// The error of a sum of counts that does not fit in 64 bits.
fn overflow(what: &str, value: u64) -> CoreError {
    CoreError::invalid(format!(
        "Counts cannot be merged: {what} does not fit in 64 bits. Received: {value} \
         and more (counts that were tampered with?)"
    ))
}

pub(super) const MAGIC: &[u8] = b"imdbfast.TokenCounts.1\n";

pub(super) fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

pub(super) fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u64(out, b.len() as u64);
    out.extend_from_slice(b);
}

/// Reads little-endian fields off a byte slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u64(&mut self) -> Option<u64> {
        let b = self.take(8)?;
        Some(u64::from_le_bytes(b.try_into().ok()?))
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.u64()?).ok()?;
        self.take(n)
    }
}
