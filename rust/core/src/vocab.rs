//! Token counting, vocabulary construction and encoding of texts into ids.
//!
//! Counting runs in parallel (one hash map per chunk of documents, merged at
//! the end). [`Vocabulary::build`] orders tokens like Keras' `IndexLookup`
//! (`np.lexsort((tokens, counts))[::-1]`: count descending, ties broken by the
//! token's UTF-8 bytes, descending) or alphabetically, and lays out the ids:
//!
//! | id | token |
//! |----|-------|
//! | 0 | pad token (`""`) |
//! | 1 | start token, only when one is configured |
//! | next | OOV token (`"[UNK]"`) |
//! | ... | reserved placeholders `"[UNUSED<id>]"`, only with `index_from` |
//! | first word id.. | learned tokens |
//!
//! The first learned token has id `index_from + 1` when `index_from` is set
//! (the `keras.datasets.imdb` arithmetic: the word of rank `r >= 1` gets id
//! `r + index_from`), else the id right after the special tokens.
//! `max_tokens` bounds the total number of ids, special ones included, and
//! every id must fit in an `i32` ([`MAX_IDS`]).
//!
//! Reserved ids cost nothing: a [`Vocabulary`] keeps their count, not their
//! placeholders, which only [`Vocabulary::tokens`] writes out (so
//! `index_from=10**9` is as cheap as `index_from=3` until the whole token
//! list is asked for).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::ops::ControlFlow;

use rayon::prelude::*;

use crate::buffer::{try_reserve, try_zeroed_matrix};
use crate::error::{CoreError, Result};
use crate::pad::{PadConfig, Side};
use crate::text::{Scratch, TextPipeline, TokenSink};
use crate::token_map::{TokenBytes, TokenKey, TokenMap};

/// Token counts.
pub type Counts = TokenMap<u64>;

/// Count the tokens of all `docs` (in parallel). Stopwords are counted while
/// scanning (one hash lookup per token instead of two) and set to 0 at the
/// end, so that [`Vocabulary::build`] leaves them out.
pub fn count_tokens<S: AsRef<str> + Sync>(pipeline: &TextPipeline, docs: &[S]) -> Counts {
    if docs.is_empty() {
        return Counts::default();
    }
    // One map per Rayon job (a run of contiguous chunks), not per chunk, and
    // at most about two jobs per thread: every extra map is megabytes to
    // allocate, grow and merge, and holds the same frequent words again.
    const CHUNK: usize = 64;
    let chunks = docs.len().div_ceil(CHUNK);
    let min_len = chunks.div_ceil(2 * rayon::current_num_threads()).max(1);
    // Sized for IMDB-like corpora (~50k distinct tokens per job), smaller
    // for small inputs: a map that has to grow rehashes everything.
    let capacity = (docs.len() * 32).clamp(1 << 8, 1 << 16);
    let maps: Vec<Counts> = docs
        .par_chunks(CHUNK)
        .with_min_len(min_len)
        .fold(
            || Counts::with_capacity(capacity), // bounded: clamped above
            |mut counts, chunk| {
                let mut scratch = Scratch::default();
                let mut sink = CountSink {
                    counts: &mut counts,
                    batch: KeyBatch::default(),
                };
                for doc in chunk {
                    pipeline.tokens_with_stopwords_into(doc.as_ref(), &mut scratch, &mut sink);
                }
                sink.flush();
                counts
            },
        )
        .collect();
    let mut counts = merge_counts(maps);
    for word in pipeline.stopwords() {
        if counts.get(word).is_some() {
            *counts.entry_or_default(word) = 0;
        }
    }
    counts
}

/// Number of tokens whose lookups are batched (see [`KeyBatch`]).
const BATCH: usize = 16;

/// Tokens waiting for their hash-table lookup. A sink prefetches each
/// token's slot as soon as the scanner emits it and looks the batch up once
/// it is full (or the text ends): the cache misses of a batch then overlap
/// instead of following one another, which matters because the count map
/// (about 100k tokens) is far larger than the CPU's caches.
#[derive(Default)]
struct KeyBatch {
    keys: [TokenKey; BATCH],
    len: usize,
}

impl KeyBatch {
    /// Add a key; true when the batch is then full.
    #[inline(always)]
    fn push(&mut self, key: TokenKey) -> bool {
        if let Some(slot) = self.keys.get_mut(self.len) {
            *slot = key;
            self.len += 1;
        }
        self.len >= BATCH
    }

    /// The waiting keys, leaving the batch empty.
    #[inline(always)]
    fn take(&mut self) -> &[TokenKey] {
        let len = std::mem::take(&mut self.len);
        &self.keys[..len]
    }
}

/// Counts every token it is given. Call [`CountSink::flush`] at the end.
struct CountSink<'a> {
    counts: &'a mut Counts,
    batch: KeyBatch,
}

impl CountSink<'_> {
    fn flush(&mut self) {
        for &key in self.batch.take() {
            *self.counts.entry_key(key) += 1;
        }
    }
}

impl TokenSink for CountSink<'_> {
    #[inline(always)]
    fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
        match Counts::key_at(window, len) {
            Some(key) => {
                self.counts.prefetch(key);
                if self.batch.push(key) {
                    self.flush();
                }
            }
            None => *self.counts.entry_or_default(&window[..len]) += 1,
        }
        ControlFlow::Continue(())
    }
}

/// The most ids a vocabulary can have: ids are `i32`s, from 0 to
/// `i32::MAX`.
pub const MAX_IDS: usize = i32::MAX as usize;

/// The most reserved ids whose placeholders [`Vocabulary::tokens`] writes
/// out: more would take gigabytes for a list of identical strings.
pub const MAX_LISTED_RESERVED: usize = 1 << 20;

/// The placeholder shown for reserved id `id`.
pub fn reserved_token(id: usize) -> String {
    format!("[UNUSED{id}]")
}

/// Id given to stopwords in an encoding lookup, and to unknown tokens when
/// there is no OOV token: such tokens are skipped.
const STOPWORD: i32 = -1;

/// Token -> id for encoding: unknown tokens get the OOV id, stopwords none.
#[derive(Clone, Copy)]
struct Ids<'a> {
    lookup: &'a TokenMap<i32>,
    oov_id: i32,
}

impl Ids<'_> {
    /// The id of the token `window[..len]`, or [`STOPWORD`].
    #[inline(always)]
    fn raw(self, window: &[u8], len: usize) -> i32 {
        self.lookup
            .get_at(window, len)
            .copied()
            .unwrap_or(self.oov_id)
    }

    /// The id of the token `window[..len]`, or None for a stopword.
    #[inline(always)]
    fn get(self, window: &[u8], len: usize) -> Option<i32> {
        let id = self.raw(window, len);
        (id != STOPWORD).then_some(id)
    }
}

/// Appends the id of every token it is given (skipping stopwords), up to
/// `limit` ids.
struct EncodeSink<'a> {
    ids: Ids<'a>,
    out: &'a mut Vec<i32>,
    limit: usize,
}

impl TokenSink for EncodeSink<'_> {
    #[inline(always)]
    fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
        if let Some(id) = self.ids.get(window, len) {
            self.out.push(id);
            if self.out.len() >= self.limit {
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }

    /// The empty text of `split=None` is the padding id 0 (Keras' mask).
    fn empty_text(&mut self) -> ControlFlow<()> {
        self.out.push(0);
        if self.out.len() >= self.limit {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }
}

/// Writes the id of every token it is given (skipping stopwords) into a
/// row, until the row is full; call [`RowSink::finish`] at the end. (Unlike
/// counting, lookups are not batched: the vocabulary's table is small enough
/// to stay in the CPU's caches.)
struct RowSink<'a> {
    ids: Ids<'a>,
    row: &'a mut [i32],
    len: usize,
}

impl RowSink<'_> {
    /// Write `id` into the next slot; the row advances past it only if
    /// `keep`. Breaks once the row is full.
    #[inline(always)]
    fn put(&mut self, id: i32, keep: bool) -> ControlFlow<()> {
        if let Some(slot) = self.row.get_mut(self.len) {
            *slot = id;
        }
        self.len += usize::from(keep);
        if self.len >= self.row.len() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    /// Reset the slot after the last id, which a skipped stopword may have
    /// written (the rest of the row is untouched padding).
    fn finish(self) {
        if let Some(slot) = self.row.get_mut(self.len) {
            *slot = 0;
        }
    }
}

impl TokenSink for RowSink<'_> {
    #[inline(always)]
    fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
        // Branch-free on stopwords (about half of English tokens, so a branch
        // would mispredict often): a stopword's id is written into the next
        // slot but the row does not advance, so the next id overwrites it.
        let id = self.ids.raw(window, len);
        self.put(id, id != STOPWORD)
    }

    /// The empty text of `split=None` is the padding id 0 (Keras' mask).
    fn empty_text(&mut self) -> ControlFlow<()> {
        self.put(0, true)
    }
}

/// Merge count maps pairwise (in parallel) into one.
fn merge_counts(maps: Vec<Counts>) -> Counts {
    maps.into_par_iter().reduce(Counts::default, |a, b| {
        let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
        big.merge_from(small, |c, n| *c += n);
        big
    })
}

/// Order of the learned tokens in the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VocabOrder {
    /// Count descending, ties by token bytes descending (Keras' order).
    #[default]
    Frequency,
    /// Lexicographic by code point (Python's `sorted`). With `max_tokens`, the
    /// most frequent tokens are kept first, then sorted.
    Alphabetical,
    /// Count descending, ties in the order the tokens were first met (the
    /// legacy Keras `Tokenizer`'s). Counts alone do not tell that order:
    /// such vocabularies are built from the texts by
    /// [`crate::first_seen::build_vocabulary`].
    FrequencyFirstSeen,
}

impl VocabOrder {
    /// Parse `"frequency"`, `"alphabetical"` or `"frequency_first_seen"`.
    pub fn parse(value: &str) -> Result<Self> {
        match value {
            "frequency" => Ok(VocabOrder::Frequency),
            "alphabetical" => Ok(VocabOrder::Alphabetical),
            "frequency_first_seen" => Ok(VocabOrder::FrequencyFirstSeen),
            other => Err(CoreError::invalid(format!(
                "`vocab_order` must be \"frequency\", \"alphabetical\" or \
                 \"frequency_first_seen\". Received: vocab_order={other:?}"
            ))),
        }
    }
}

/// How a vocabulary is built and laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabConfig {
    /// Maximum number of ids, special tokens included (`None`: no limit).
    pub max_tokens: Option<usize>,
    /// Tokens seen fewer times than this are left out.
    pub min_freq: u64,
    /// Order of the learned tokens.
    pub order: VocabOrder,
    /// Token at id 0.
    pub pad_token: String,
    /// Token of the out-of-vocabulary id; `None`: no such id, unknown tokens
    /// are left out of encodings (the legacy Keras `Tokenizer` without an
    /// `oov_token`).
    pub oov_token: Option<String>,
    /// Optional token at id 1, prepended to every encoded text.
    pub start_token: Option<String>,
    /// Learned token of rank `r >= 1` gets id `r + index_from` (Keras imdb).
    pub index_from: Option<usize>,
}

impl Default for VocabConfig {
    /// `TextVectorization`'s layout: `""` at 0, `"[UNK]"` at 1, no limit.
    fn default() -> Self {
        VocabConfig {
            max_tokens: None,
            min_freq: 1,
            order: VocabOrder::Frequency,
            pad_token: String::new(),
            oov_token: Some("[UNK]".to_owned()),
            start_token: None,
            index_from: None,
        }
    }
}

impl VocabConfig {
    /// The special tokens in id order (pad, start?, oov?).
    pub fn specials(&self) -> Vec<&str> {
        let mut out = vec![self.pad_token.as_str()];
        if let Some(start) = &self.start_token {
            out.push(start.as_str());
        }
        if let Some(oov) = &self.oov_token {
            out.push(oov.as_str());
        }
        out
    }

    /// Id of the first learned token (saturating: [`VocabConfig::validate`]
    /// refuses an `index_from` whose ids do not fit in an `i32`).
    pub fn first_word_id(&self) -> usize {
        let n = self.specials().len();
        self.index_from.map_or(n, |i| i.saturating_add(1).max(n))
    }

    /// Check the settings for consistency.
    pub fn validate(&self) -> Result<()> {
        let specials = self.specials();
        for (i, a) in specials.iter().enumerate() {
            if specials[i + 1..].contains(a) {
                return Err(CoreError::invalid(format!(
                    "pad_token, start_token and oov_token must all differ. Received: {specials:?}"
                )));
            }
        }
        if let Some(index_from) = self.index_from {
            if index_from >= MAX_IDS {
                return Err(CoreError::invalid(format!(
                    "`index_from` must be below {MAX_IDS} so that word ids fit in int32. \
                     Received: index_from={index_from}"
                )));
            }
            if index_from + 1 < specials.len() {
                return Err(CoreError::invalid(format!(
                    "`index_from` must be at least {} so that words come after the {} special \
                     tokens. Received: index_from={index_from}",
                    specials.len() - 1,
                    specials.len()
                )));
            }
        }
        if let Some(max) = self.max_tokens {
            if max < self.first_word_id() {
                return Err(CoreError::invalid(format!(
                    "`max_tokens` must be at least {} (the special and reserved ids). \
                     Received: max_tokens={max}",
                    self.first_word_id()
                )));
            }
        }
        if self.min_freq == 0 {
            return Err(CoreError::invalid(
                "`min_freq` must be at least 1. Received: min_freq=0",
            ));
        }
        Ok(())
    }
}

/// An ordered vocabulary: the special tokens, the reserved ids (a count),
/// then the learned tokens; plus a byte-keyed lookup.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Ids `0..specials.len()`.
    specials: Vec<String>,
    /// Id of the first learned token; the ids between the specials and it
    /// are reserved (shown as [`reserved_token`]).
    first: usize,
    /// Ids `first..`.
    words: Vec<String>,
    lookup: TokenMap<i32>,
    oov_id: i32,
    start_id: Option<i32>,
}

impl Vocabulary {
    /// Build from token counts, following `config` (see the module docs).
    pub fn build(counts: Counts, config: &VocabConfig) -> Result<Self> {
        config.validate()?;
        if config.order == VocabOrder::FrequencyFirstSeen {
            return Err(CoreError::invalid(
                "`vocab_order=\"frequency_first_seen\"` ranks tokens by where they were \
                 first met, which counts do not tell: build it from the texts \
                 (first_seen::build_vocabulary)",
            ));
        }
        let specials = config.specials();
        let first = config.first_word_id();
        // With max_tokens, only tokens counted at least as often as the one
        // of the last kept rank can be kept: find that count on the bare
        // counts first, so that only those tokens are taken out of the map.
        let mut least = config.min_freq;
        if let Some(max) = config.max_tokens {
            let keep = max.saturating_sub(first);
            let mut values: Vec<u64> = counts.values().filter(|&c| c >= least).collect();
            for special in &specials {
                if let Some(c) = counts.get(special.as_bytes()) {
                    if let Some(at) = values.iter().position(|v| v == c) {
                        values.swap_remove(at);
                    }
                }
            }
            if keep > 0 && values.len() > keep {
                let (_, kth, _) = values.select_nth_unstable_by(keep - 1, |a, b| b.cmp(a));
                least = least.max(*kth);
            }
        }
        let mut entries: Vec<(TokenBytes, u64)> = counts
            .into_entries()
            .filter(|(tok, c)| {
                *c >= least && !specials.iter().any(|s| s.as_bytes() == tok.as_bytes())
            })
            .collect();
        let by_frequency = |a: &(TokenBytes, u64), b: &(TokenBytes, u64)| {
            b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0))
        };
        if let Some(max) = config.max_tokens {
            // Only the kept tokens need sorting: select them first.
            let keep = max.saturating_sub(first);
            if keep == 0 {
                entries.clear();
            } else if entries.len() > keep {
                entries.select_nth_unstable_by(keep - 1, by_frequency);
                entries.truncate(keep);
            }
        }
        match config.order {
            VocabOrder::Frequency => entries.par_sort_unstable_by(by_frequency),
            VocabOrder::Alphabetical => entries.par_sort_unstable_by(|a, b| a.0.cmp(&b.0)),
            // Refused at the top.
            VocabOrder::FrequencyFirstSeen => {}
        }
        let words = entries
            .into_iter()
            .map(|(tok, _)| String::from_utf8_lossy(tok.as_bytes()).into_owned())
            .collect();
        Self::from_parts(words, config)
    }

    /// Rebuild from a full token list (as returned by [`Vocabulary::tokens`]),
    /// checking that the special tokens and the reserved placeholders sit at
    /// their ids.
    pub fn from_tokens(mut tokens: Vec<String>, config: &VocabConfig) -> Result<Self> {
        config.validate()?;
        let specials = config.specials();
        let first = config.first_word_id();
        if tokens.len() < first || tokens.iter().zip(&specials).any(|(t, s)| t != s) {
            return Err(CoreError::invalid(format!(
                "the vocabulary must start with the special tokens {specials:?} and have at \
                 least {first} entries. Received: {} entries, starting {:?}",
                tokens.len(),
                tokens
                    .iter()
                    .take(specials.len().max(3))
                    .collect::<Vec<_>>()
            )));
        }
        let mut want = String::new();
        for (id, tok) in tokens.iter().enumerate().take(first).skip(specials.len()) {
            want.clear();
            let _ = write!(want, "[UNUSED{id}]");
            if *tok != want {
                return Err(CoreError::invalid(format!(
                    "the reserved ids {}..{first} of the vocabulary must hold their \
                     placeholders \"[UNUSED<id>]\". Received: {tok:?} at id {id}",
                    specials.len()
                )));
            }
        }
        let words = tokens.split_off(first);
        Self::from_parts(words, config)
    }

    /// The vocabulary of `config`'s layout with these learned tokens.
    fn from_parts(words: Vec<String>, config: &VocabConfig) -> Result<Self> {
        config.validate()?;
        let specials = config.specials();
        let first = config.first_word_id();
        let len = first.saturating_add(words.len());
        if let Some(max) = config.max_tokens {
            if len > max {
                return Err(CoreError::invalid(format!(
                    "the vocabulary has {len} entries, more than max_tokens={max}"
                )));
            }
        }
        if len > MAX_IDS {
            return Err(CoreError::invalid(format!(
                "the vocabulary is too large for int32 ids: {len} ids ({} learned tokens \
                 from id {first}), at most {MAX_IDS}",
                words.len()
            )));
        }
        // bounded: one slot per existing token (fewer than MAX_IDS).
        let mut lookup = TokenMap::with_capacity(specials.len() + words.len());
        // Words first, then specials, so a special token always maps to its own id.
        for (i, tok) in words.iter().enumerate() {
            // Below MAX_IDS (checked above), so the id fits in an i32.
            let id = (first + i) as i32;
            if lookup.insert(tok.as_bytes(), id).is_some() {
                return Err(CoreError::invalid(format!(
                    "the vocabulary contains {tok:?} more than once"
                )));
            }
        }
        for (id, tok) in specials.iter().enumerate() {
            lookup.insert(tok.as_bytes(), id as i32);
        }
        let start_id = config.start_token.as_ref().map(|_| 1);
        let oov_id = match config.oov_token {
            Some(_) => specials.len() as i32 - 1,
            None => STOPWORD,
        };
        Ok(Vocabulary {
            specials: specials.iter().map(|s| (*s).to_owned()).collect(),
            first,
            words,
            lookup,
            oov_id,
            start_id,
        })
    }

    /// All tokens in id order, reserved placeholders included.
    ///
    /// Errors: [`CoreError::OutOfMemory`] when there are more than
    /// [`MAX_LISTED_RESERVED`] reserved ids (a huge `index_from`), or the
    /// list cannot be allocated.
    pub fn tokens(&self) -> Result<Vec<String>> {
        let reserved = self.reserved();
        if reserved > MAX_LISTED_RESERVED {
            return Err(CoreError::out_of_memory(format!(
                "the vocabulary has {reserved} reserved ids (index_from={}): too many \
                 \"[UNUSED<id>]\" placeholders to list (at most {MAX_LISTED_RESERVED}); \
                 look tokens up by id instead",
                self.first - 1
            )));
        }
        let mut out = Vec::new();
        try_reserve(&mut out, self.len(), || {
            "the vocabulary's token list".into()
        })?;
        out.extend(self.specials.iter().cloned());
        out.extend((self.specials.len()..self.first).map(reserved_token));
        out.extend(self.words.iter().cloned());
        Ok(out)
    }

    /// The learned tokens, in id order from [`Vocabulary::first_word_id`].
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Number of reserved ids (between the special tokens and the first
    /// learned token).
    pub fn reserved(&self) -> usize {
        self.first - self.specials.len()
    }

    /// Id of the first learned token.
    pub fn first_word_id(&self) -> usize {
        self.first
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.first + self.words.len()
    }

    /// True if there are no ids at all (never for a built vocabulary).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Id of a token: the OOV id if unknown, or -1 when there is no OOV
    /// token.
    #[inline(always)]
    pub fn id(&self, token: &[u8]) -> i32 {
        self.lookup.get(token).copied().unwrap_or(self.oov_id)
    }

    /// [`Vocabulary::id`] of the token `window[..len]`, reading the bytes
    /// after it too when there are at least 16 (see [`TokenMap::get_at`]).
    #[inline(always)]
    pub fn id_at(&self, window: &[u8], len: usize) -> i32 {
        self.lookup
            .get_at(window, len)
            .copied()
            .unwrap_or(self.oov_id)
    }

    /// Id of the OOV token, if there is one.
    pub fn oov_id(&self) -> Option<i32> {
        (self.oov_id != STOPWORD).then_some(self.oov_id)
    }

    /// Id of the start token, if any.
    pub fn start_id(&self) -> Option<i32> {
        self.start_id
    }

    /// Token of an id, if in range (a reserved id's placeholder is written
    /// out).
    pub fn token(&self, id: usize) -> Option<Cow<'_, str>> {
        if let Some(special) = self.specials.get(id) {
            Some(Cow::Borrowed(special))
        } else if id < self.first {
            Some(Cow::Owned(reserved_token(id)))
        } else {
            self.words
                .get(id - self.first)
                .map(|w| Cow::Borrowed(w.as_str()))
        }
    }

    /// The id lookup to encode with `pipeline`: the vocabulary's own, or, if
    /// the pipeline has stopwords, a copy in which they map to [`STOPWORD`]
    /// (overriding any vocabulary entry, as the pipeline drops them first).
    fn lookup_for(&self, pipeline: &TextPipeline) -> Cow<'_, TokenMap<i32>> {
        if pipeline.stopwords().len() == 0 {
            return Cow::Borrowed(&self.lookup);
        }
        let mut lookup = self.lookup.clone();
        for word in pipeline.stopwords() {
            lookup.insert(word, STOPWORD);
        }
        Cow::Owned(lookup)
    }

    /// Encode one text into `ids` (cleared first). With `limit`, stops after
    /// that many ids (used for post-truncation).
    pub fn encode_into(
        &self,
        pipeline: &TextPipeline,
        text: &str,
        scratch: &mut Scratch,
        limit: Option<usize>,
        ids: &mut Vec<i32>,
    ) {
        let lookup = self.lookup_for(pipeline);
        self.encode_with(&lookup, pipeline, text, scratch, limit, ids);
    }

    /// [`Vocabulary::encode_into`] with the lookup from
    /// [`Vocabulary::lookup_for`] (made once per batch).
    fn encode_with(
        &self,
        lookup: &TokenMap<i32>,
        pipeline: &TextPipeline,
        text: &str,
        scratch: &mut Scratch,
        limit: Option<usize>,
        ids: &mut Vec<i32>,
    ) {
        ids.clear();
        let limit = limit.unwrap_or(usize::MAX);
        if limit == 0 {
            return;
        }
        if let Some(start) = self.start_id {
            ids.push(start);
            if ids.len() >= limit {
                return;
            }
        }
        let mut sink = EncodeSink {
            ids: Ids {
                lookup,
                oov_id: self.oov_id,
            },
            out: ids,
            limit,
        };
        pipeline.tokens_with_stopwords_into(text, scratch, &mut sink);
    }

    /// Encode `docs` into a row-major `docs.len() x pad.length` matrix,
    /// padded with 0 and truncated as `pad` says (in parallel).
    ///
    /// The matrix starts zero-filled (see [`try_zeroed_matrix`]), so only
    /// ids are written; with post-padding and post-truncation they go
    /// straight into their row and tokenizing stops once the row is full.
    ///
    /// Errors: [`CoreError::OutOfMemory`] (naming `output_sequence_length`)
    /// when the matrix cannot be allocated.
    pub fn encode_padded<S: AsRef<str> + Sync>(
        &self,
        pipeline: &TextPipeline,
        docs: &[S],
        pad: &PadConfig,
    ) -> Result<Vec<i32>> {
        let mut out = try_zeroed_matrix(docs.len(), pad.length, || {
            format!(
                "the id matrix ({} texts x output_sequence_length={})",
                docs.len(),
                pad.length
            )
        })?;
        if pad.length == 0 {
            return Ok(out);
        }
        let lookup = self.lookup_for(pipeline);
        let lookup = &*lookup;
        let direct = pad.padding == Side::Post && pad.truncating == Side::Post;
        let limit = (pad.truncating == Side::Post).then_some(pad.length);
        out.par_chunks_mut(pad.length)
            .zip(docs.par_iter())
            .with_min_len(8)
            .for_each_init(
                || (Scratch::default(), Vec::with_capacity(1024)), // bounded: a constant
                |(scratch, ids), (row, doc)| {
                    if direct {
                        self.encode_row(lookup, pipeline, doc.as_ref(), scratch, row);
                        return;
                    }
                    self.encode_with(lookup, pipeline, doc.as_ref(), scratch, limit, ids);
                    let kept = pad.kept(ids);
                    let at = match pad.padding {
                        Side::Post => 0,
                        Side::Pre => row.len() - kept.len(),
                    };
                    row[at..at + kept.len()].copy_from_slice(kept);
                },
            );
        Ok(out)
    }

    /// Write the first `row.len()` ids of `text` to the front of `row`,
    /// which must be all zeros (the padding); the rest of it stays zeros.
    fn encode_row(
        &self,
        lookup: &TokenMap<i32>,
        pipeline: &TextPipeline,
        text: &str,
        scratch: &mut Scratch,
        row: &mut [i32],
    ) {
        let mut sink = RowSink {
            ids: Ids {
                lookup,
                oov_id: self.oov_id,
            },
            row,
            len: 0,
        };
        if let Some(start) = self.start_id {
            if sink.put(start, true).is_break() {
                return;
            }
        }
        pipeline.tokens_with_stopwords_into(text, scratch, &mut sink);
        sink.finish();
    }

    /// Encode `docs` into one flat id buffer plus `row_splits` (length
    /// `docs.len() + 1`). With `truncate`, each row keeps at most that many ids
    /// (from the side it names); rows are never padded.
    pub fn encode_ragged<S: AsRef<str> + Sync>(
        &self,
        pipeline: &TextPipeline,
        docs: &[S],
        truncate: Option<(usize, Side)>,
    ) -> (Vec<i32>, Vec<i64>) {
        const CHUNK: usize = 256;
        let pad = truncate.map(|(length, truncating)| PadConfig {
            length,
            padding: Side::Post,
            truncating,
        });
        let limit = pad.filter(|p| p.truncating == Side::Post).map(|p| p.length);
        let lookup = self.lookup_for(pipeline);
        let lookup = &*lookup;
        let parts: Vec<(Vec<i32>, Vec<usize>)> = docs
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut scratch = Scratch::default();
                let mut ids = Vec::with_capacity(1024); // bounded: a constant
                let mut values = Vec::new();
                let mut lens = Vec::with_capacity(chunk.len()); // bounded: CHUNK
                for doc in chunk {
                    self.encode_with(
                        lookup,
                        pipeline,
                        doc.as_ref(),
                        &mut scratch,
                        limit,
                        &mut ids,
                    );
                    let kept = match &pad {
                        Some(p) => p.kept(&ids),
                        None => &ids[..],
                    };
                    values.extend_from_slice(kept);
                    lens.push(kept.len());
                }
                (values, lens)
            })
            .collect();
        join_ragged(parts, docs.len())
    }
}

/// Ragged rows encoded chunk by chunk (each chunk: its ids end to end and the
/// length of each of its rows) joined into one flat `values` array and the
/// `n_rows + 1` row offsets of Arrow's list layout.
pub(crate) fn join_ragged(
    parts: Vec<(Vec<i32>, Vec<usize>)>,
    n_rows: usize,
) -> (Vec<i32>, Vec<i64>) {
    let total = parts.iter().map(|(v, _)| v.len()).sum();
    let mut values = Vec::with_capacity(total); // bounded: ids already held
    let mut splits = Vec::with_capacity(n_rows + 1); // bounded: one per row
    splits.push(0i64);
    let mut at = 0i64;
    for (v, lens) in parts {
        values.extend_from_slice(&v);
        for len in lens {
            at += len as i64;
            splits.push(at);
        }
    }
    (values, splits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(v: &Vocabulary) -> Vec<String> {
        v.tokens().unwrap_or_else(|e| panic!("{e}"))
    }

    fn build(docs: &[&str], config: &VocabConfig) -> Vocabulary {
        let p = TextPipeline::default();
        Vocabulary::build(count_tokens(&p, docs), config).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn empty_corpus_has_only_specials() {
        let v = build(&[], &VocabConfig::default());
        assert_eq!(tokens(&v), ["", "[UNK]"]);
    }

    #[test]
    fn keras_tie_order() {
        // Same corpus as a TextVectorization check: unk, b, a have count 2; x, c count 1.
        let v = build(&["b a c a b [UNK] unk", "", "x"], &VocabConfig::default());
        assert_eq!(tokens(&v), ["", "[UNK]", "unk", "b", "a", "x", "c"]);
        let limited = build(
            &["b a c a b [UNK] unk", "", "x"],
            &VocabConfig {
                max_tokens: Some(4),
                ..VocabConfig::default()
            },
        );
        assert_eq!(tokens(&limited), ["", "[UNK]", "unk", "b"]);
    }

    #[test]
    fn special_tokens_met_in_the_text_do_not_take_a_kept_rank() {
        let p = TextPipeline::new(
            crate::text::Standardizer::from_name(None, false).unwrap_or_else(|e| panic!("{e}")),
            crate::text::Splitter::default(),
            std::iter::empty::<&str>(),
        );
        let docs = ["[UNK] [UNK] [UNK] [UNK] a a a b b c"];
        for (max, expected) in [
            (3, &["", "[UNK]", "a"][..]),
            (4, &["", "[UNK]", "a", "b"][..]),
            (9, &["", "[UNK]", "a", "b", "c"][..]),
        ] {
            let config = VocabConfig {
                max_tokens: Some(max),
                ..VocabConfig::default()
            };
            let v = Vocabulary::build(count_tokens(&p, &docs), &config)
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(tokens(&v), expected, "max_tokens={max}");
        }
    }

    #[test]
    fn min_freq_alphabetical_and_index_from() {
        let config = VocabConfig {
            min_freq: 2,
            order: VocabOrder::Alphabetical,
            start_token: Some("[START]".into()),
            index_from: Some(3),
            ..VocabConfig::default()
        };
        let v = build(&["b a c a b z z"], &config);
        assert_eq!(
            tokens(&v),
            ["", "[START]", "[UNK]", "[UNUSED3]", "a", "b", "z"]
        );
        let p = TextPipeline::default();
        let mut ids = Vec::new();
        v.encode_into(&p, "a q z", &mut Scratch::default(), None, &mut ids);
        assert_eq!(ids, [1, 4, 2, 6]);
    }

    #[test]
    fn bad_configs() {
        let bad = [
            VocabConfig {
                max_tokens: Some(1),
                ..VocabConfig::default()
            },
            VocabConfig {
                min_freq: 0,
                ..VocabConfig::default()
            },
            VocabConfig {
                oov_token: Some(String::new()),
                ..VocabConfig::default()
            },
            VocabConfig {
                start_token: Some("s".into()),
                index_from: Some(1),
                ..VocabConfig::default()
            },
        ];
        for config in bad {
            assert!(config.validate().is_err(), "{config:?}");
        }
        assert!(Vocabulary::from_tokens(vec!["x".into()], &VocabConfig::default()).is_err());
        assert!(Vocabulary::from_tokens(
            vec!["".into(), "[UNK]".into(), "a".into(), "a".into()],
            &VocabConfig::default()
        )
        .is_err());
    }

    /// A huge `index_from` costs a count, not a billion placeholders; ids
    /// must fit in an i32.
    #[test]
    fn reserved_ids_are_a_count() -> Result<()> {
        let config = VocabConfig {
            index_from: Some(1_000_000_000),
            ..VocabConfig::default()
        };
        let v = build(&["b a b"], &config);
        assert_eq!(v.len(), 1_000_000_003);
        assert_eq!(v.reserved(), 999_999_999);
        assert_eq!(v.token(7).as_deref(), Some("[UNUSED7]"));
        assert_eq!(v.token(1_000_000_001).as_deref(), Some("b"));
        assert_eq!(v.token(1_000_000_003), None);
        assert!(matches!(v.tokens(), Err(CoreError::OutOfMemory(_))));
        let mut ids = Vec::new();
        v.encode_into(
            &TextPipeline::default(),
            "a q b",
            &mut Scratch::default(),
            None,
            &mut ids,
        );
        assert_eq!(ids, [1_000_000_002, 1, 1_000_000_001]);
        // Words past i32::MAX, and an index_from that leaves no id for words.
        let near = VocabConfig {
            index_from: Some(MAX_IDS - 2),
            ..VocabConfig::default()
        };
        let err = Vocabulary::build(count_tokens(&TextPipeline::default(), &["a b c"]), &near);
        assert!(err.is_err_and(|e| e.to_string().contains("too large for int32 ids")));
        for index_from in [MAX_IDS, usize::MAX] {
            let bad = VocabConfig {
                index_from: Some(index_from),
                ..VocabConfig::default()
            };
            assert!(bad
                .validate()
                .is_err_and(|e| e.to_string().contains("below 2147483647")));
        }
        // The placeholders of a given token list are checked, and kept as a count.
        let config = VocabConfig {
            index_from: Some(3),
            ..VocabConfig::default()
        };
        let list = |third: &str| {
            ["", "[UNK]", "[UNUSED2]", third, "w"]
                .map(String::from)
                .to_vec()
        };
        let v = Vocabulary::from_tokens(list("[UNUSED3]"), &config)?;
        assert_eq!((v.reserved(), v.words()), (2, &["w".to_string()][..]));
        assert_eq!(v.tokens()?, list("[UNUSED3]"));
        let err = Vocabulary::from_tokens(list("x"), &config)
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|m| m.contains("Received: \"x\" at id 3")));
        Ok(())
    }

    #[test]
    fn stopwords_are_not_counted_and_win_over_the_vocabulary() {
        let p = TextPipeline::new(
            crate::text::Standardizer::default(),
            crate::text::Splitter::Whitespace,
            ["the", "a"],
        );
        let counts = count_tokens(&p, &["the cat the a hat", "cat"]);
        let v =
            Vocabulary::build(counts, &VocabConfig::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tokens(&v), ["", "[UNK]", "cat", "hat"]);
        // A given vocabulary that contains a stopword: the stopword is still dropped.
        let tokens = ["", "[UNK]", "the", "cat"].map(String::from).to_vec();
        let v = Vocabulary::from_tokens(tokens, &VocabConfig::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut ids = Vec::new();
        v.encode_into(&p, "The cat sat", &mut Scratch::default(), None, &mut ids);
        assert_eq!(ids, [3, 1]);
    }

    /// Every token, id by id.
    fn listed(v: &Vocabulary) -> Vec<String> {
        (0..v.len())
            .filter_map(|id| v.token(id).map(|t| t.to_string()))
            .collect()
    }

    #[test]
    fn without_an_oov_token_unknown_tokens_are_left_out() {
        let config = VocabConfig {
            oov_token: None,
            ..VocabConfig::default()
        };
        let v = build(&["a a b"], &config);
        assert_eq!(listed(&v), ["", "a", "b"]);
        assert_eq!(v.oov_id(), None);
        assert_eq!(v.id(b"zzz"), -1);
        let p = TextPipeline::default();
        let docs = ["a q b", "q", "b b b q a"];
        let pad = PadConfig {
            length: 3,
            padding: Side::Post,
            truncating: Side::Post,
        };
        assert_eq!(
            v.encode_padded(&p, &docs, &pad).unwrap_or_default(),
            [1, 2, 0, 0, 0, 0, 2, 2, 2]
        );
        let (values, splits) = v.encode_ragged(&p, &docs, None);
        assert_eq!(values, [1, 2, 2, 2, 2, 1]);
        assert_eq!(splits, [0, 2, 2, 6]);
        assert_eq!(build(&["a"], &VocabConfig::default()).oov_id(), Some(1));
    }

    #[test]
    fn split_none_encodes_the_empty_text_as_padding() {
        let p = TextPipeline::new(
            crate::text::Standardizer::default(),
            crate::text::Splitter::None,
            std::iter::empty::<&str>(),
        );
        let docs = ["A b", "", "?!", "c"];
        let v = Vocabulary::build(count_tokens(&p, &docs), &VocabConfig::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(listed(&v), ["", "[UNK]", "c", "a b"]);
        let (values, splits) = v.encode_ragged(&p, &docs, None);
        assert_eq!(values, [3, 0, 0, 2]);
        assert_eq!(splits, [0, 1, 2, 3, 4]);
        let pad = PadConfig {
            length: 2,
            padding: Side::Pre,
            truncating: Side::Post,
        };
        assert_eq!(
            v.encode_padded(&p, &docs, &pad).unwrap_or_default(),
            [0, 3, 0, 0, 0, 0, 0, 2]
        );
        let post = PadConfig {
            padding: Side::Post,
            ..pad
        };
        assert_eq!(
            v.encode_padded(&p, &docs, &post).unwrap_or_default(),
            [3, 0, 0, 0, 0, 0, 2, 0]
        );
    }

    #[test]
    fn padded_and_ragged() {
        let v = build(&["a a a b b c"], &VocabConfig::default());
        let p = TextPipeline::default();
        let docs = ["a b c d", "", "c"];
        let pad = PadConfig {
            length: 3,
            padding: Side::Post,
            truncating: Side::Post,
        };
        let out = v.encode_padded(&p, &docs, &pad).unwrap_or_default();
        assert_eq!(out, [2, 3, 4, 0, 0, 0, 4, 0, 0]);
        let pre = PadConfig {
            padding: Side::Pre,
            truncating: Side::Pre,
            ..pad
        };
        let out = v.encode_padded(&p, &docs, &pre).unwrap_or_default();
        assert_eq!(out, [3, 4, 1, 0, 0, 0, 0, 0, 4]);
        for (padding, truncating, expected) in [
            (Side::Post, Side::Pre, [3, 4, 1, 0, 0, 0, 4, 0, 0]),
            (Side::Pre, Side::Post, [2, 3, 4, 0, 0, 0, 0, 0, 4]),
        ] {
            let config = PadConfig {
                padding,
                truncating,
                ..pad
            };
            assert_eq!(
                v.encode_padded(&p, &docs, &config).ok(),
                Some(expected.to_vec())
            );
        }
        let short = PadConfig { length: 2, ..pad };
        assert_eq!(
            v.encode_padded(&p, &docs, &short).ok(),
            Some(vec![2, 3, 0, 0, 4, 0])
        );
        let (values, splits) = v.encode_ragged(&p, &docs, None);
        assert_eq!(values, [2, 3, 4, 1, 4]);
        assert_eq!(splits, [0, 4, 4, 5]);
        let (values, splits) = v.encode_ragged(&p, &docs, Some((2, Side::Pre)));
        assert_eq!(values, [4, 1, 4]);
        assert_eq!(splits, [0, 2, 2, 3]);
    }
}
