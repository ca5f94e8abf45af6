//! N-grams and bag-of-n-gram outputs: Keras `TextVectorization`'s `ngrams`
//! and its `multi_hot`, `count` and `tf_idf` output modes.
//!
//! An n-gram is `n` consecutive tokens joined with one space, as
//! `tf.strings.ngrams(tokens, ngram_width, separator=" ")` joins them; with
//! several widths, a text's n-grams are all those of the first width, then
//! all those of the next. A text shorter than a width has no n-gram of that
//! width. N-grams are looked up and counted as byte slices: the tokens of a
//! text are laid out once with one space between them ([`DocTokens`]), so an
//! n-gram is a slice of that buffer and no string is built for it.
//!
//! A bag row has one column per vocabulary entry (an id minus a column
//! offset: Keras' bag modes have no padding column, so column 0 is the OOV
//! token); `multi_hot` writes 1 where an n-gram occurs, `count` the number of
//! occurrences, `tf_idf` the count times the column's idf weight, all in
//! `f32`. Rows are built as sorted `(column, count)` runs, written either
//! into a dense row-major matrix or straight into CSR arrays (never a dense
//! intermediate).
//!
//! Document frequencies for `tf_idf` are counted with the n-grams: an entry
//! remembers the last document that counted it, so each document adds 1 to
//! an n-gram's document count at most once, without a per-document set.
//! Keras' inverse document frequency is `ln(1 + documents / (1 + df))` (see
//! [`inverse_document_frequency`]).

use std::ops::ControlFlow;

use rayon::prelude::*;

use crate::buffer::{try_reserve, try_zeroed_matrix};
use crate::error::{CoreError, Result};
use crate::text::{Scratch, Splitter, TextPipeline, TokenSink};
use crate::token_map::{TokenBytes, TokenKey, TokenMap};
use crate::vocab::{count_tokens, Counts, Vocabulary};

/// The tokens of one text, stored with one space between them so that the
/// n-gram of tokens `i..i + n` is the slice `bytes[starts[i]..ends[i + n - 1]]`.
/// [`SLACK`] zero bytes follow the last token, so that every n-gram can be
/// looked up as a 16-byte window ([`TokenMap::get_at`]).
#[derive(Debug, Default)]
pub struct DocTokens {
    bytes: Vec<u8>,
    starts: Vec<usize>,
    ends: Vec<usize>,
    /// The text was empty after standardization ([`TokenSink::empty_text`]).
    empty: bool,
}

impl TokenSink for DocTokens {
    #[inline(always)]
    fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
        if !self.starts.is_empty() {
            self.bytes.push(b' ');
        }
        self.starts.push(self.bytes.len());
        self.bytes.extend_from_slice(&window[..len]);
        self.ends.push(self.bytes.len());
        ControlFlow::Continue(())
    }

    fn empty_text(&mut self) -> ControlFlow<()> {
        self.empty = true;
        ControlFlow::Continue(())
    }
}

/// Zero bytes kept after the tokens of a [`DocTokens`].
const SLACK: usize = 16;

impl DocTokens {
    /// Replace the contents by the tokens of `text` through `pipeline`.
    pub fn read(&mut self, pipeline: &TextPipeline, text: &str, scratch: &mut Scratch) {
        self.bytes.clear();
        self.starts.clear();
        self.ends.clear();
        self.empty = false;
        pipeline.tokens_into(text, scratch, self);
        self.bytes.extend_from_slice(&[0; SLACK]);
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when the text has no token.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Whether the text was empty after standardization, with
    /// [`crate::text::Splitter::None`] (Keras' mask token).
    pub fn is_empty_text(&self) -> bool {
        self.empty
    }

    /// Call `f` with each n-gram, width by width in the order given.
    #[inline]
    pub fn for_each_ngram(&self, widths: &[usize], mut f: impl FnMut(&[u8])) {
        self.for_each_ngram_at(widths, |window, len| f(&window[..len]));
    }

    /// Set `rare` to the prefix counts of the tokens not in `frequent`:
    /// `rare[i]` of them come before token `i` (`rare.len() == len() + 1`).
    fn mark_rare(&self, frequent: &TokenMap<u32>, rare: &mut Vec<u32>) {
        rare.clear();
        rare.push(0);
        let mut seen = 0u32;
        for (&start, &end) in self.starts.iter().zip(&self.ends) {
            seen += u32::from(frequent.get_at(&self.bytes[start..], end - start).is_none());
            rare.push(seen);
        }
    }

    /// [`DocTokens::for_each_ngram_at`] of the n-grams without a rare token
    /// (see [`DocTokens::mark_rare`]), or of all n-grams for `None`.
    #[inline(always)]
    fn for_each_ngram_within(
        &self,
        widths: &[usize],
        rare: Option<&[u32]>,
        mut f: impl FnMut(&[u8], usize),
    ) {
        let Some(rare) = rare else {
            return self.for_each_ngram_at(widths, f);
        };
        let n = self.len();
        for &width in widths {
            if width == 0 || width > n {
                continue;
            }
            for i in 0..=n - width {
                if rare[i + width] != rare[i] {
                    continue;
                }
                let (start, end) = (self.starts[i], self.ends[i + width - 1]);
                f(&self.bytes[start..], end - start);
            }
        }
    }

    /// Call `f(window, len)` with each n-gram `window[..len]`, width by
    /// width; at least 16 bytes of `window` are readable.
    #[inline(always)]
    fn for_each_ngram_at(&self, widths: &[usize], mut f: impl FnMut(&[u8], usize)) {
        let n = self.len();
        for &width in widths {
            if width == 0 || width > n {
                continue;
            }
            for i in 0..=n - width {
                let (start, end) = (self.starts[i], self.ends[i + width - 1]);
                f(&self.bytes[start..], end - start);
            }
        }
    }
}

/// Check n-gram widths: at least one, each at least 1.
pub fn check_widths(widths: &[usize]) -> Result<()> {
    if widths.is_empty() || widths.contains(&0) {
        return Err(CoreError::invalid(format!(
            "`ngrams` must be None, an int >= 1 or a tuple of ints >= 1. Received: {widths:?}"
        )));
    }
    Ok(())
}

/// Per-n-gram statistics while counting.
#[derive(Debug, Clone, Copy, Default)]
struct Stat {
    count: u64,
    /// Documents are fewer than `u32::MAX` ([`count_ngrams`] checks).
    documents: u32,
    /// Index + 1 of the last document that counted this n-gram (0: none).
    last: u32,
}

impl Stat {
    /// Count one occurrence in document `doc_id` (index + 1).
    #[inline(always)]
    fn add(&mut self, doc_id: u32) {
        self.count += 1;
        if self.last != doc_id {
            self.last = doc_id;
            self.documents += 1;
        }
    }
}

/// Number of n-gram keys whose lookups are batched while counting.
const BATCH: usize = 16;

/// N-gram counts of a corpus: occurrences, document frequencies and the
/// number of documents.
#[derive(Debug, Default)]
pub struct NgramCounts {
    /// Occurrences of each n-gram (the input of [`Vocabulary::build`]).
    pub counts: Counts,
    /// Number of documents each n-gram occurs in.
    pub document_counts: TokenMap<u64>,
    /// Number of documents counted (empty ones included, as Keras counts them).
    pub documents: u64,
}

/// Count the n-grams of `docs` (in parallel) and the documents they occur
/// in. `exclude` lists n-grams set to a count of 0 (stopwords), which
/// [`Vocabulary::build`] then leaves out.
///
/// With `candidates = Some(k)`, only the n-grams that a vocabulary of the
/// `k` most frequent ones could hold are returned: those counted at least
/// `min_freq` times and at least as often as the `k`-th most frequent
/// (excluded ones aside), ties included, so that [`Vocabulary::build`] picks
/// exactly what it would pick from all counts (bigram corpora have millions
/// of distinct n-grams, of which a vocabulary keeps thousands).
///
/// When the widths include 1 and a larger one, the unigrams are counted
/// first: the `k`-th largest unigram count `u` bounds the `k`-th largest
/// count of all n-grams from below, and an n-gram occurs at most as often
/// as its rarest token, so n-grams with a token seen fewer than `u` times
/// are never counted (they cannot be candidates). Most distinct bigrams
/// hold a rare word, so the count maps stay small.
pub fn count_ngrams<S: AsRef<str> + Sync>(
    pipeline: &TextPipeline,
    docs: &[S],
    widths: &[usize],
    exclude: &[&[u8]],
    candidates: Option<usize>,
    min_freq: u64,
) -> Result<NgramCounts> {
    check_widths(widths)?;
    if u32::try_from(docs.len()).map_or(true, |n| n == u32::MAX) {
        return Err(CoreError::invalid(format!(
            "n-grams are counted over fewer than {} texts. Received: {}",
            u32::MAX,
            docs.len()
        )));
    }
    let frequent = match candidates {
        Some(k) if widths.contains(&1) && widths.iter().any(|&w| w > 1) => {
            let frequent = frequent_tokens(pipeline, docs, exclude, k, min_freq);
            if packable(pipeline, widths) {
                return Ok(count_packed(
                    pipeline, docs, widths, exclude, k, min_freq, &frequent,
                ));
            }
            Some(frequent)
        }
        _ => None,
    };
    const CHUNK: usize = 64;
    let chunks = docs.len().div_ceil(CHUNK);
    let min_len = chunks.div_ceil(2 * rayon::current_num_threads()).max(1);
    let capacity = (docs.len() * 64).clamp(1 << 8, 1 << 18);
    let maps: Vec<TokenMap<Stat>> = docs
        .par_chunks(CHUNK)
        .enumerate()
        .with_min_len(min_len)
        .fold(
            || TokenMap::<Stat>::with_capacity(capacity), // bounded: clamped above
            |mut map, (chunk_index, chunk)| {
                let mut scratch = Scratch::default();
                let mut tokens = DocTokens::default();
                // Keys wait in a batch with their slot prefetched, so that
                // the cache misses of a batch overlap (the map of a bigram
                // corpus is far larger than the caches).
                let mut batch = [TokenKey::default(); BATCH];
                let mut waiting = 0;
                // rare[i]: tokens before i that no counted n-gram may hold.
                let mut rare: Vec<u32> = Vec::new();
                for (i, doc) in chunk.iter().enumerate() {
                    let doc_id = (chunk_index * CHUNK + i) as u32 + 1;
                    tokens.read(pipeline, doc.as_ref(), &mut scratch);
                    if let Some(frequent) = &frequent {
                        tokens.mark_rare(&frequent.ids, &mut rare);
                    }
                    let rare = frequent.as_ref().map(|_| &rare[..]);
                    tokens.for_each_ngram_within(widths, rare, |window, len| {
                        match TokenMap::<Stat>::key_at(window, len) {
                            Some(key) => {
                                map.prefetch(key);
                                if let Some(slot) = batch.get_mut(waiting) {
                                    *slot = key;
                                    waiting += 1;
                                }
                                if waiting == BATCH {
                                    for &key in &batch {
                                        map.entry_key(key).add(doc_id);
                                    }
                                    waiting = 0;
                                }
                            }
                            None => map.entry_or_default(&window[..len]).add(doc_id),
                        }
                    });
                    for &key in &batch[..waiting] {
                        map.entry_key(key).add(doc_id);
                    }
                    waiting = 0;
                }
                map
            },
        )
        .collect();
    let merged = maps.into_par_iter().reduce(TokenMap::default, |a, b| {
        let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
        big.merge_from(small, |s, t| {
            s.count += t.count;
            s.documents += t.documents;
        });
        big
    });
    let mut merged = merged;
    for gram in exclude {
        if merged.get(gram).is_some() {
            merged.entry_or_default(gram).count = 0;
        }
    }
    let mut least = 0;
    if let Some(k) = candidates {
        let mut values: Vec<u64> = merged
            .values()
            .map(|s| s.count)
            .filter(|&c| c >= min_freq.max(1))
            .collect();
        least = if k == 0 {
            u64::MAX
        } else if values.len() > k {
            let (_, kth, _) = values.select_nth_unstable_by(k - 1, |a, b| b.cmp(a));
            *kth
        } else {
            0
        };
        least = least.max(min_freq);
    }
    let kept = if least == 0 { merged.len() } else { 1 << 10 };
    // bounded: the n-grams held in `merged`, or a constant.
    let mut counts = Counts::with_capacity(kept);
    let mut document_counts = TokenMap::with_capacity(kept); // bounded: as above
    for (gram, stat) in merged.into_entries() {
        if stat.count >= least {
            counts.insert(gram.as_bytes(), stat.count);
            document_counts.insert(gram.as_bytes(), u64::from(stat.documents));
        }
    }
    Ok(NgramCounts {
        counts,
        document_counts,
        documents: docs.len() as u64,
    })
}

/// The tokens that an n-gram among the `k` most frequent can hold (see
/// [`count_ngrams`]): those counted at least as often as the `k`-th most
/// frequent unigram (`exclude`d ones aside) and at least `min_freq` times.
fn frequent_tokens<S: AsRef<str> + Sync>(
    pipeline: &TextPipeline,
    docs: &[S],
    exclude: &[&[u8]],
    k: usize,
    min_freq: u64,
) -> Parts {
    let counts: Vec<(TokenBytes, u64)> = count_tokens(pipeline, docs).into_entries().collect();
    let mut values: Vec<u64> = counts
        .iter()
        .filter(|(token, _)| !exclude.contains(&token.as_bytes()))
        .map(|&(_, count)| count)
        .collect();
    let mut least = min_freq.max(1);
    if k > 0 && values.len() > k {
        let (_, kth, _) = values.select_nth_unstable_by(k - 1, |a, b| b.cmp(a));
        least = least.max(*kth);
    }
    let mut frequent = Parts::default();
    for (token, count) in &counts {
        if *count >= least {
            frequent.add(token.as_bytes());
        }
    }
    frequent
}

/// Tokens with dense ids (0, 1, ...): the frequent tokens while counting,
/// the pieces of the vocabulary's entries while building bags.
#[derive(Debug, Default)]
struct Parts {
    ids: TokenMap<u32>,
    tokens: Vec<Box<[u8]>>,
}

/// Id of "no part" in a sequence of part ids.
const NO_PART: u32 = u32::MAX;

/// Widths up to this are looked up as packed part ids ([`pack`]).
const MAX_PACKED: usize = 4;

impl Parts {
    /// The id of `token`, added if new.
    fn add(&mut self, token: &[u8]) -> u32 {
        if let Some(&id) = self.ids.get(token) {
            return id;
        }
        let id = self.tokens.len() as u32;
        self.ids.insert(token, id);
        self.tokens.push(token.into());
        id
    }

    /// The n-gram of these parts, joined with spaces.
    fn join(&self, key: u128) -> Vec<u8> {
        let mut out = Vec::new();
        for lane in 0..MAX_PACKED {
            let part = (key >> (32 * lane)) as u32;
            if part == 0 {
                break;
            }
            if lane > 0 {
                out.push(b' ');
            }
            if let Some(token) = self.tokens.get(part as usize - 1) {
                out.extend_from_slice(token);
            }
        }
        out
    }
}

/// Appends the part id of each token it is given ([`NO_PART`] for tokens
/// that are not parts): a text's part ids straight from the scanner, with no
/// copy of its tokens.
struct PartSink<'a> {
    ids: &'a TokenMap<u32>,
    out: &'a mut Vec<u32>,
}

impl TokenSink for PartSink<'_> {
    #[inline(always)]
    fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
        self.out
            .push(self.ids.get_at(window, len).copied().unwrap_or(NO_PART));
        ControlFlow::Continue(())
    }
}

impl Parts {
    /// The part ids of the tokens of `text` through `pipeline`, into `out`.
    fn read(&self, pipeline: &TextPipeline, text: &str, scratch: &mut Scratch, out: &mut Vec<u32>) {
        out.clear();
        let mut sink = PartSink {
            ids: &self.ids,
            out,
        };
        pipeline.tokens_into(text, scratch, &mut sink);
    }
}

/// The part ids `ids` (at most [`MAX_PACKED`], none [`NO_PART`]) as one
/// key: id + 1 in each 32-bit lane, so that n-grams of different widths
/// never share a key.
#[inline(always)]
fn pack(ids: &[u32]) -> u128 {
    ids.iter().enumerate().fold(0u128, |key, (lane, &id)| {
        key | (u128::from(id) + 1) << (32 * lane)
    })
}

/// Whether the n-grams of `pipeline`'s tokens can be counted and looked up
/// as packed part ids: its tokens never hold a space (so an n-gram's string
/// tells its tokens) and no width is above [`MAX_PACKED`].
fn packable(pipeline: &TextPipeline, widths: &[usize]) -> bool {
    matches!(pipeline.splitter(), Splitter::Whitespace | Splitter::Word)
        && widths.iter().all(|&w| w <= MAX_PACKED)
}

/// Per-job counts of [`count_packed`]: unigrams by part id, bigrams and
/// longer n-grams by packed key (bigrams in a table of 64-bit keys: half the
/// memory per entry, and they are most of the entries).
#[derive(Default)]
struct PackedCounts {
    unigrams: Vec<Stat>,
    bigrams: foldhash::HashMap<u64, Stat>,
    grams: foldhash::HashMap<u128, Stat>,
}

/// [`count_ngrams`] with pruning, for [`packable`] pipelines: tokens become
/// part ids of `frequent` (the tokens a candidate can hold), unigrams are
/// counted in an array and longer n-grams under their packed ids, so no
/// n-gram string is hashed; the candidates are written out as strings at
/// the end.
fn count_packed<S: AsRef<str> + Sync>(
    pipeline: &TextPipeline,
    docs: &[S],
    widths: &[usize],
    exclude: &[&[u8]],
    k: usize,
    min_freq: u64,
    frequent: &Parts,
) -> NgramCounts {
    const CHUNK: usize = 64;
    let chunks = docs.len().div_ceil(CHUNK);
    let min_len = chunks.div_ceil(2 * rayon::current_num_threads()).max(1);
    let n_parts = frequent.tokens.len();
    let jobs: Vec<PackedCounts> = docs
        .par_chunks(CHUNK)
        .enumerate()
        .with_min_len(min_len)
        .fold(
            || PackedCounts {
                // bounded: one per frequent token, held.
                unigrams: vec![Stat::default(); n_parts],
                ..PackedCounts::default()
            },
            |mut counts, (chunk_index, chunk)| {
                let mut scratch = Scratch::default();
                let mut ids = Vec::new();
                for (i, doc) in chunk.iter().enumerate() {
                    let doc_id = (chunk_index * CHUNK + i) as u32 + 1;
                    frequent.read(pipeline, doc.as_ref(), &mut scratch, &mut ids);
                    for &width in widths {
                        for window in ids.windows(width) {
                            if window.contains(&NO_PART) {
                                continue;
                            }
                            let stat = match window {
                                [id] => counts.unigrams.get_mut(*id as usize),
                                // Two 32-bit lanes: the low half of pack().
                                [_, _] => {
                                    Some(counts.bigrams.entry(pack(window) as u64).or_default())
                                }
                                _ => Some(counts.grams.entry(pack(window)).or_default()),
                            };
                            if let Some(stat) = stat {
                                stat.add(doc_id);
                            }
                        }
                    }
                }
                counts
            },
        )
        .collect();
    let mut merged = PackedCounts {
        // bounded: one per frequent token, held.
        unigrams: vec![Stat::default(); n_parts],
        ..PackedCounts::default()
    };
    for job in jobs {
        for (total, stat) in merged.unigrams.iter_mut().zip(job.unigrams) {
            total.count += stat.count;
            total.documents += stat.documents;
        }
        merge_grams(&mut merged.bigrams, job.bigrams);
        merge_grams(&mut merged.grams, job.grams);
    }
    for token in exclude {
        if let Some(&id) = frequent.ids.get(token) {
            if let Some(stat) = merged.unigrams.get_mut(id as usize) {
                stat.count = 0;
            }
        }
    }
    let mut values: Vec<u64> = merged
        .unigrams
        .iter()
        .chain(merged.bigrams.values())
        .chain(merged.grams.values())
        .map(|s| s.count)
        .filter(|&c| c >= min_freq.max(1))
        .collect();
    let mut least = min_freq.max(1);
    if k == 0 {
        least = u64::MAX;
    } else if values.len() > k {
        let (_, kth, _) = values.select_nth_unstable_by(k - 1, |a, b| b.cmp(a));
        least = least.max(*kth);
    }
    let mut counts = Counts::with_capacity(1 << 10); // bounded: a constant
    let mut document_counts = TokenMap::with_capacity(1 << 10); // bounded: a constant
    for (token, stat) in frequent.tokens.iter().zip(&merged.unigrams) {
        if stat.count >= least {
            counts.insert(token, stat.count);
            document_counts.insert(token, u64::from(stat.documents));
        }
    }
    let bigrams = merged
        .bigrams
        .iter()
        .map(|(&key, stat)| (u128::from(key), stat));
    for (key, stat) in bigrams.chain(merged.grams.iter().map(|(&key, stat)| (key, stat))) {
        if stat.count >= least {
            let gram = frequent.join(key);
            counts.insert(&gram, stat.count);
            document_counts.insert(&gram, u64::from(stat.documents));
        }
    }
    NgramCounts {
        counts,
        document_counts,
        documents: docs.len() as u64,
    }
}

/// Add the counts of `from` to `into` (the larger map is kept).
fn merge_grams<K: std::hash::Hash + Eq>(
    into: &mut foldhash::HashMap<K, Stat>,
    mut from: foldhash::HashMap<K, Stat>,
) {
    if into.len() < from.len() {
        std::mem::swap(into, &mut from);
    }
    for (key, stat) in from {
        let total = into.entry(key).or_default();
        total.count += stat.count;
        total.documents += stat.documents;
    }
}

/// Keras' inverse document frequency: `ln(1 + documents / (1 + df))`,
/// computed in `f64` (TensorFlow divides the two int64 counts into a
/// float64) and rounded to `f32`.
pub fn inverse_document_frequency(document_count: u64, documents: u64) -> f32 {
    (1.0 + documents as f64 / (1.0 + document_count as f64)).ln() as f32
}

/// The idf weight of each column of a bag over `vocab`: column `c` is id
/// `c + column_offset`; learned tokens (ids from `first_word_id`) get
/// [`inverse_document_frequency`], the special columns before them the mean
/// of those weights (Keras pads the weights of the OOV column with their
/// mean), and `depth` beyond the vocabulary pads with 0
/// (`pad_to_max_tokens`).
///
/// Errors: [`CoreError::OutOfMemory`] when `depth` weights cannot be
/// allocated.
pub fn idf_weights(
    vocab: &Vocabulary,
    counts: &NgramCounts,
    first_word_id: usize,
    column_offset: usize,
    depth: usize,
) -> Result<Vec<f32>> {
    let learned: Vec<f32> = (first_word_id..vocab.len())
        .map(|id| {
            let df = vocab
                .token(id)
                .and_then(|t| counts.document_counts.get(t.as_bytes()).copied())
                .unwrap_or(0);
            inverse_document_frequency(df, counts.documents)
        })
        .collect();
    // No learned column: 0, as `set_vocabulary` gives an empty list (the mean
    // of nothing would make every OOV weight, and so every row, NaN).
    let mean = if learned.is_empty() {
        0.0
    } else {
        (learned.iter().map(|&w| f64::from(w)).sum::<f64>() / learned.len() as f64) as f32
    };
    let special_columns = first_word_id.saturating_sub(column_offset);
    let columns = depth.max(special_columns + learned.len());
    let mut weights = Vec::new();
    try_reserve(&mut weights, columns, || {
        format!("the idf weights of {columns} columns (max_tokens)")
    })?;
    weights.extend(std::iter::repeat_n(mean, special_columns));
    weights.extend_from_slice(&learned);
    weights.resize(columns, 0.0); // bounded: reserved above
    Ok(weights)
}

/// What a bag row holds in each column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BagMode {
    /// 1 where the n-gram occurs (`multi_hot`, and `one_hot` for one token
    /// per text).
    MultiHot,
    /// Number of occurrences (`count`).
    Count,
    /// Occurrences times the column's idf weight (`tf_idf`).
    TfIdf,
}

impl BagMode {
    /// Parse `"multi_hot"`, `"one_hot"`, `"count"` or `"tf_idf"`.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "multi_hot" | "one_hot" => Ok(BagMode::MultiHot),
            "count" => Ok(BagMode::Count),
            "tf_idf" => Ok(BagMode::TfIdf),
            other => Err(CoreError::invalid(format!(
                "`output_mode` of a bag must be \"multi_hot\", \"one_hot\", \"count\" or \
                 \"tf_idf\". Received: output_mode={other:?}"
            ))),
        }
    }
}

/// How texts become bag rows.
#[derive(Debug, Clone, Copy)]
pub struct BagConfig<'a> {
    /// What the columns hold.
    pub mode: BagMode,
    /// N-gram widths (`[1]` for plain tokens).
    pub widths: &'a [usize],
    /// Number of columns; ids whose column falls outside are ignored.
    pub depth: usize,
    /// Column `c` counts id `c + column_offset`; lower ids are ignored.
    pub column_offset: usize,
    /// One weight per column, for [`BagMode::TfIdf`].
    pub idf: Option<&'a [f32]>,
}

impl BagConfig<'_> {
    fn check(&self) -> Result<()> {
        check_widths(self.widths)?;
        if i32::try_from(self.depth).is_err() {
            return Err(CoreError::invalid(format!(
                "a bag has at most {} columns. Received: {}",
                i32::MAX,
                self.depth
            )));
        }
        match (self.mode, self.idf) {
            (BagMode::TfIdf, None) => Err(CoreError::invalid(
                "`idf_weights` must be set when `output_mode` is \"tf_idf\"",
            )),
            (BagMode::TfIdf, Some(idf)) if idf.len() < self.depth => {
                Err(CoreError::invalid(format!(
                    "`idf_weights` must have one weight per column ({}). Received: {} weights",
                    self.depth,
                    idf.len()
                )))
            }
            _ => Ok(()),
        }
    }

    /// The value of a column that counted `count` occurrences.
    #[inline(always)]
    fn value(&self, column: u32, count: u32) -> f32 {
        match self.mode {
            BagMode::MultiHot => 1.0,
            BagMode::Count => count as f32,
            BagMode::TfIdf => {
                let weight = self
                    .idf
                    .and_then(|w| w.get(column as usize))
                    .copied()
                    .unwrap_or(0.0);
                count as f32 * weight
            }
        }
    }
}

/// A vocabulary's entries as packed part ids, for [`packable`] pipelines:
/// an n-gram of text tokens is an entry exactly when its tokens are the
/// entry's space-separated pieces, so it is looked up by the part ids of its
/// tokens (one small-table lookup per token, one integer key per n-gram)
/// instead of by its string.
struct PackedVocab {
    parts: Parts,
    /// Id of the one-piece entry of each part (the OOV id if none).
    unigram: Vec<i32>,
    /// Id of each entry of 2 to [`MAX_PACKED`] pieces.
    grams: foldhash::HashMap<u128, i32>,
    oov: i32,
}

impl PackedVocab {
    fn new(vocab: &Vocabulary) -> Self {
        let oov = vocab.oov_id().unwrap_or(-1);
        let mut parts = Parts::default();
        let mut unigram = Vec::new();
        let mut grams = foldhash::HashMap::default();
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
                _ => {
                    grams.insert(pack(&ids), id as i32);
                }
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
    fn id(&self, ids: &[u32]) -> i32 {
        match ids {
            [part] => self
                .unigram
                .get(*part as usize)
                .copied()
                .unwrap_or(self.oov),
            _ if ids.contains(&NO_PART) => self.oov,
            _ => self.grams.get(&pack(ids)).copied().unwrap_or(self.oov),
        }
    }
}

/// Per-thread buffers of the bag builders.
#[derive(Default)]
struct BagScratch {
    scratch: Scratch,
    tokens: DocTokens,
    /// Part ids of the tokens (with a [`PackedVocab`]).
    parts: Vec<u32>,
    /// Occurrences per column of the current text (all 0 between texts).
    counts: Vec<u32>,
    /// The columns of the current text, each once.
    columns: Vec<u32>,
}

impl BagScratch {
    /// Count the columns of `text`; [`BagScratch::drain`] hands them out.
    fn read(
        &mut self,
        vocab: &Vocabulary,
        packed: Option<&PackedVocab>,
        pipeline: &TextPipeline,
        text: &str,
        config: &BagConfig<'_>,
    ) {
        match packed {
            Some(packed) => packed
                .parts
                .read(pipeline, text, &mut self.scratch, &mut self.parts),
            None => self.tokens.read(pipeline, text, &mut self.scratch),
        }
        // Columns past the vocabulary's (pad_to_max_tokens) never count.
        let columns = config.depth.min(vocab.len());
        if self.counts.len() < columns {
            self.counts.resize(columns, 0); // bounded: the vocabulary's entries, held
        }
        self.columns.clear();
        let (counts, columns) = (&mut self.counts, &mut self.columns);
        let (offset, depth) = (config.column_offset, config.depth);
        let mut count = |id: i32| {
            if let Some(column) = usize::try_from(id)
                .ok()
                .and_then(|id| id.checked_sub(offset))
                .filter(|&c| c < depth)
            {
                if let Some(count) = counts.get_mut(column) {
                    if *count == 0 {
                        // Below depth, which fits in an i32 (checked).
                        columns.push(column as u32);
                    }
                    *count += 1;
                }
            }
        };
        match packed {
            Some(packed) => {
                for &width in config.widths {
                    for window in self.parts.windows(width) {
                        count(packed.id(window));
                    }
                }
            }
            None => self
                .tokens
                .for_each_ngram_at(config.widths, |window, len| count(vocab.id_at(window, len))),
        }
        self.columns.sort_unstable();
    }

    /// The `(column, occurrences)` of the text read last, columns
    /// ascending; the counters are reset on the way.
    fn drain(&mut self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let counts = &mut self.counts;
        self.columns.iter().map(move |&column| {
            let count = counts.get_mut(column as usize).map_or(0, std::mem::take);
            (column, count)
        })
    }
}

/// A bag in compressed sparse row form (`scipy.sparse.csr_matrix`'s
/// `(data, indices, indptr)`): row `i`'s columns, ascending, are
/// `indices[indptr[i]..indptr[i + 1]]` with values `data[...]`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Csr {
    pub data: Vec<f32>,
    pub indices: Vec<i32>,
    pub indptr: Vec<i64>,
}

/// Bag rows of `docs` as a CSR matrix of `docs.len()` rows and
/// `config.depth` columns (in parallel).
pub fn bag_csr<S: AsRef<str> + Sync>(
    vocab: &Vocabulary,
    pipeline: &TextPipeline,
    docs: &[S],
    config: &BagConfig<'_>,
) -> Result<Csr> {
    config.check()?;
    let packed = packable(pipeline, config.widths).then(|| PackedVocab::new(vocab));
    let packed = packed.as_ref();
    const CHUNK: usize = 256;
    let parts: Vec<(Vec<f32>, Vec<i32>, Vec<usize>)> = docs
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut scratch = BagScratch::default();
            let (mut data, mut indices) = (Vec::new(), Vec::new());
            let mut lens = Vec::with_capacity(chunk.len()); // bounded: CHUNK
            for doc in chunk {
                let before = data.len();
                scratch.read(vocab, packed, pipeline, doc.as_ref(), config);
                for (column, count) in scratch.drain() {
                    data.push(config.value(column, count));
                    indices.push(column as i32);
                }
                lens.push(data.len() - before);
            }
            (data, indices, lens)
        })
        .collect();
    let nnz: usize = parts.iter().map(|(d, _, _)| d.len()).sum();
    let mut csr = Csr::default();
    let what = |e| CoreError::out_of_memory(format!("a bag of {nnz} values: {e}"));
    csr.data.try_reserve_exact(nnz).map_err(what)?;
    csr.indices.try_reserve_exact(nnz).map_err(what)?;
    csr.indptr.try_reserve_exact(docs.len() + 1).map_err(what)?;
    csr.indptr.push(0);
    let mut at = 0i64;
    for (data, indices, lens) in parts {
        csr.data.extend_from_slice(&data);
        csr.indices.extend_from_slice(&indices);
        for len in lens {
            at += len as i64;
            csr.indptr.push(at);
        }
    }
    Ok(csr)
}

/// Bag rows of `docs` as a row-major `docs.len() x config.depth` matrix (in
/// parallel). The matrix starts zero-filled ([`try_zeroed_matrix`]: pages
/// no row writes to are never touched); a size this machine cannot hold is
/// [`CoreError::OutOfMemory`].
pub fn bag_dense<S: AsRef<str> + Sync>(
    vocab: &Vocabulary,
    pipeline: &TextPipeline,
    docs: &[S],
    config: &BagConfig<'_>,
) -> Result<Vec<f32>> {
    config.check()?;
    let mut out: Vec<f32> = try_zeroed_matrix(docs.len(), config.depth, || {
        format!(
            "a dense bag of {} texts x {} columns (sparse=True needs far less)",
            docs.len(),
            config.depth
        )
    })?;
    if config.depth == 0 {
        return Ok(out);
    }
    let packed = packable(pipeline, config.widths).then(|| PackedVocab::new(vocab));
    let packed = packed.as_ref();
    out.par_chunks_mut(config.depth)
        .zip(docs.par_iter())
        .with_min_len(8)
        .for_each_init(BagScratch::default, |scratch, (row, doc)| {
            scratch.read(vocab, packed, pipeline, doc.as_ref(), config);
            for (column, count) in scratch.drain() {
                row[column as usize] = config.value(column, count);
            }
        });
    Ok(out)
}

/// The ids of each text's n-grams (`output_mode="int"` with `ngrams`): one
/// flat buffer plus `row_splits` (length `docs.len() + 1`). A text that is
/// empty after standardization with [`crate::text::Splitter::None`] is the
/// padding id 0 when width 1 is asked for (Keras' mask token).
pub fn ngram_ids<S: AsRef<str> + Sync>(
    vocab: &Vocabulary,
    pipeline: &TextPipeline,
    docs: &[S],
    widths: &[usize],
) -> Result<(Vec<i32>, Vec<i64>)> {
    check_widths(widths)?;
    const CHUNK: usize = 256;
    let parts: Vec<(Vec<i32>, Vec<usize>)> = docs
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut scratch = Scratch::default();
            let mut tokens = DocTokens::default();
            let mut values = Vec::new();
            let mut lens = Vec::with_capacity(chunk.len()); // bounded: CHUNK
            for doc in chunk {
                let before = values.len();
                tokens.read(pipeline, doc.as_ref(), &mut scratch);
                if tokens.is_empty_text() && widths.contains(&1) {
                    values.push(0);
                }
                tokens.for_each_ngram_at(widths, |window, len| {
                    // -1: unknown, without an OOV token (left out).
                    let id = vocab.id_at(window, len);
                    if id >= 0 {
                        values.push(id);
                    }
                });
                lens.push(values.len() - before);
            }
            (values, lens)
        })
        .collect();
    Ok(crate::vocab::join_ragged(parts, docs.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Splitter, Standardizer};
    use crate::vocab::VocabConfig;

    fn strings(tokens: &DocTokens, widths: &[usize]) -> Vec<String> {
        let mut out = Vec::new();
        tokens.for_each_ngram(widths, |g| {
            out.push(String::from_utf8_lossy(g).into_owned())
        });
        out
    }

    #[test]
    fn ngrams_are_space_joined_width_by_width() {
        let p = TextPipeline::default();
        let mut t = DocTokens::default();
        t.read(&p, "The cat, sat!", &mut Scratch::default());
        assert_eq!(
            strings(&t, &[1, 2, 3, 4]),
            ["the", "cat", "sat", "the cat", "cat sat", "the cat sat"]
        );
        assert_eq!(strings(&t, &[2]), ["the cat", "cat sat"]);
        t.read(&p, "", &mut Scratch::default());
        assert!(strings(&t, &[1, 2]).is_empty() && !t.is_empty_text());
        let none = TextPipeline::new(
            Standardizer::default(),
            Splitter::None,
            std::iter::empty::<&str>(),
        );
        t.read(&none, "!!", &mut Scratch::default());
        assert!(t.is_empty() && t.is_empty_text());
        assert!(check_widths(&[]).is_err() && check_widths(&[1, 0]).is_err());
    }

    fn fitted(docs: &[&str], widths: &[usize], max_tokens: usize) -> (Vocabulary, NgramCounts) {
        let p = TextPipeline::default();
        let counts = count_ngrams(&p, docs, widths, &[], None, 1).unwrap_or_else(|e| panic!("{e}"));
        let config = VocabConfig {
            max_tokens: Some(max_tokens),
            ..VocabConfig::default()
        };
        let vocab =
            Vocabulary::build(counts.counts.clone(), &config).unwrap_or_else(|e| panic!("{e}"));
        (vocab, counts)
    }

    /// The example checked against TextVectorization(output_mode="count",
    /// ngrams=2) on ["The cat sat", "", "the the dog!", "!!!"].
    #[test]
    fn count_and_tf_idf_like_keras() {
        let docs = ["The cat sat", "", "the the dog!", "!!!"];
        let (vocab, counts) = fitted(&docs, &[1, 2], 100);
        let words: Vec<String> = (2..vocab.len())
            .filter_map(|id| vocab.token(id).map(|t| t.to_string()))
            .collect();
        assert_eq!(
            words,
            ["the", "the the", "the dog", "the cat", "sat", "dog", "cat sat", "cat"]
        );
        assert_eq!(counts.documents, 4);
        let p = TextPipeline::default();
        let depth = vocab.len() - 1;
        let config = BagConfig {
            mode: BagMode::Count,
            widths: &[1, 2],
            depth,
            column_offset: 1,
            idf: None,
        };
        let dense = bag_dense(&vocab, &p, &docs, &config).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            dense[..2 * depth],
            [
                0., 1., 0., 0., 1., 1., 0., 1., 1., //
                0., 0., 0., 0., 0., 0., 0., 0., 0.
            ]
        );
        assert_eq!(
            dense[2 * depth..3 * depth],
            [0., 2., 1., 1., 0., 0., 1., 0., 0.]
        );
        let csr = bag_csr(&vocab, &p, &docs, &config).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(csr.indptr, [0, 5, 5, 9, 9]);
        let mut back = vec![0f32; docs.len() * depth];
        for row in 0..docs.len() {
            for k in csr.indptr[row] as usize..csr.indptr[row + 1] as usize {
                back[row * depth + csr.indices[k] as usize] = csr.data[k];
            }
        }
        assert_eq!(back, dense);

        let (vocab, counts) = fitted(&docs, &[1], 100);
        let idf = idf_weights(&vocab, &counts, 2, 1, vocab.len() - 1).unwrap_or_default();
        // "the" is in 2 of 4 documents: ln(1 + 4 / 3).
        assert_eq!(idf[1], (1.0f64 + 4.0 / 3.0).ln() as f32);
        let mean = idf[1..].iter().map(|&w| f64::from(w)).sum::<f64>() / 4.0;
        assert_eq!(idf[0], mean as f32);
        // Nothing learned (an empty corpus): the OOV weight is 0, not NaN.
        let (empty, none) = fitted(&[], &[1], 100);
        let nothing = idf_weights(&empty, &none, 2, 1, 0).unwrap_or_default();
        assert_eq!(nothing, [0.0]);
        let config = BagConfig {
            mode: BagMode::TfIdf,
            widths: &[1],
            depth: vocab.len() - 1 + 3,
            column_offset: 1,
            idf: Some(&idf),
        };
        assert!(bag_dense(&vocab, &p, &docs, &config).is_err());
        let padded = idf_weights(&vocab, &counts, 2, 1, vocab.len() - 1 + 3).unwrap_or_default();
        let config = BagConfig {
            idf: Some(&padded),
            ..config
        };
        let dense =
            bag_dense(&vocab, &p, &["the the zebra"], &config).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(dense[0], idf[0]);
        assert_eq!(dense[1], 2.0 * idf[1]);
        assert_eq!(dense[5..], [0.0; 3]);
    }

    #[test]
    fn document_counts_count_each_document_once() {
        let p = TextPipeline::default();
        let docs: Vec<String> = (0..1000)
            .map(|i| {
                if i % 3 == 0 {
                    "a a a b".into()
                } else {
                    "b".into()
                }
            })
            .collect();
        let counts =
            count_ngrams(&p, &docs, &[1], &[b"b"], None, 1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(counts.counts.get(b"a").copied(), Some(334 * 3));
        assert_eq!(counts.document_counts.get(b"a").copied(), Some(334));
        assert_eq!(counts.document_counts.get(b"b").copied(), Some(1000));
        assert_eq!(counts.counts.get(b"b").copied(), Some(0));
    }

    /// Keeping only the candidates of a bounded vocabulary builds the same
    /// vocabulary as all counts, ties at the last kept rank included.
    #[test]
    fn candidates_give_the_same_vocabulary() {
        let p = TextPipeline::default();
        let docs: Vec<String> = (0..300)
            .map(|i| format!("w{} w{} w{} x y", i % 7, i % 11, i % 13))
            .collect();
        for max in [2, 3, 5, 8, 12, 40, 500] {
            for min_freq in [1, 30] {
                let config = VocabConfig {
                    max_tokens: Some(max),
                    min_freq,
                    ..VocabConfig::default()
                };
                let all = count_ngrams(&p, &docs, &[1, 2], &[b"x"], None, min_freq)
                    .unwrap_or_else(|e| panic!("{e}"));
                let some = count_ngrams(&p, &docs, &[1, 2], &[b"x"], Some(max), min_freq)
                    .unwrap_or_else(|e| panic!("{e}"));
                assert!(some.counts.len() <= all.counts.len());
                let a = Vocabulary::build(all.counts, &config).unwrap_or_else(|e| panic!("{e}"));
                let b = Vocabulary::build(some.counts, &config).unwrap_or_else(|e| panic!("{e}"));
                let listed = |v: &Vocabulary| -> Vec<String> {
                    (0..v.len())
                        .filter_map(|id| v.token(id).map(|t| t.to_string()))
                        .collect()
                };
                assert_eq!(
                    listed(&a),
                    listed(&b),
                    "max_tokens={max} min_freq={min_freq}"
                );
            }
        }
    }

    /// The packed paths (whitespace splitting: counting and lookups by part
    /// ids) against the string paths (a regex with the same tokens), on
    /// random texts: the same vocabulary, idf weights and bag rows.
    #[test]
    fn packed_paths_match_the_string_paths() {
        let words = [
            "a", "b", "film", "the", "[UNK]", "x", "bad", "good", "it", "of", "ab", "ba",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let docs: Vec<String> = (0..400)
            .map(|_| {
                (0..next() % 30)
                    .map(|_| words[(next() % words.len() as u64) as usize])
                    .collect::<Vec<_>>()
                    .join(if next() % 5 == 0 { "  " } else { " " })
            })
            .collect();
        let standardizer = Standardizer::from_name(None, false).unwrap_or_else(|e| panic!("{e}"));
        let packed = TextPipeline::new(
            standardizer,
            Splitter::Whitespace,
            std::iter::empty::<&str>(),
        );
        let strings = TextPipeline::new(
            standardizer,
            Splitter::from_spec(Some(r"[^ \t\n\x0B\x0C\r]+")).unwrap_or_else(|e| panic!("{e}")),
            std::iter::empty::<&str>(),
        );
        for widths in [&[1, 2][..], &[1, 2, 3], &[1, 3, 4]] {
            for max in [5, 12, 40, 1000] {
                let config = VocabConfig {
                    max_tokens: Some(max + 1),
                    ..VocabConfig::default()
                };
                let fit = |p: &TextPipeline| {
                    let counts = count_ngrams(p, &docs, widths, &[b"it"], Some(max), 2)
                        .unwrap_or_else(|e| panic!("{e}"));
                    let vocab = Vocabulary::build(counts.counts.clone(), &config)
                        .unwrap_or_else(|e| panic!("{e}"));
                    let idf = idf_weights(&vocab, &counts, 2, 1, 0).unwrap_or_default();
                    (vocab, idf)
                };
                let (va, ia) = fit(&packed);
                let (vb, ib) = fit(&strings);
                let listed = |v: &Vocabulary| -> Vec<String> {
                    (0..v.len())
                        .filter_map(|id| v.token(id).map(|t| t.to_string()))
                        .collect()
                };
                assert_eq!(listed(&va), listed(&vb), "{widths:?} {max}");
                assert_eq!(ia, ib);
                let bag = BagConfig {
                    mode: BagMode::TfIdf,
                    widths,
                    depth: va.len() - 1,
                    column_offset: 1,
                    idf: Some(&ia),
                };
                let a = bag_csr(&va, &packed, &docs, &bag).unwrap_or_else(|e| panic!("{e}"));
                let b = bag_csr(&va, &strings, &docs, &bag).unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(a, b, "{widths:?} {max}");
                assert!(a.data.len() > 100);
            }
        }
    }

    #[test]
    fn ngram_ids_and_the_empty_text() {
        let docs = ["a b a", "", "b"];
        let (vocab, _) = fitted(&docs, &[1, 2], 100);
        let p = TextPipeline::default();
        let (values, splits) =
            ngram_ids(&vocab, &p, &docs, &[1, 2]).unwrap_or_else(|e| panic!("{e}"));
        let id = |t: &str| vocab.id(t.as_bytes());
        assert_eq!(
            values,
            [id("a"), id("b"), id("a"), id("a b"), id("b a"), id("b")]
        );
        assert_eq!(splits, [0, 5, 5, 6]);
        let none = TextPipeline::new(
            Standardizer::default(),
            Splitter::None,
            std::iter::empty::<&str>(),
        );
        let (values, splits) =
            ngram_ids(&vocab, &none, &["", "b", "?"], &[1]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(values, [0, id("b"), 0]);
        assert_eq!(splits, [0, 1, 2, 3]);
    }
}
