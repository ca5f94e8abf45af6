//! Counting the n-grams of a corpus and the documents they occur in, with
//! the pruning of a bounded vocabulary's candidates (see [`count_ngrams`]).
//! Both paths run on [`crate::count::fold_chunks`] (the packed one's second
//! pass on the jobs of its first, whose recorded token ids it counts: see
//! `bag/record.rs`); the general one looks keys up through a
//! [`crate::count::KeyBatch`].

use rayon::prelude::*;

use crate::bag::ngrams::{check_widths, pack, packable, DocTokens, Parts, NO_PART};
use crate::bag::record::{record_tokens, RECORD_BUDGET, STOPWORD};
use crate::count::{count_tokens, fold_chunks, map_capacity, merge_maps, Counts, KeyBatch};
use crate::error::{CoreError, Result};
use crate::text::{Scratch, TextPipeline};
use crate::token_map::{FlatTable, PackedKey, TokenBytes, TokenMap};

/// Per-n-gram statistics while counting.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stat {
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

/// N-gram counts of a corpus: occurrences, document frequencies and the
/// number of documents.
#[derive(Debug, Default)]
pub struct NgramCounts {
    /// Occurrences of each n-gram (the input of [`crate::vocab::Vocabulary::build`]).
    pub counts: Counts,
    /// Number of documents each n-gram occurs in.
    pub document_counts: TokenMap<u64>,
    /// Number of documents counted (empty ones included, as Keras counts them).
    pub documents: u64,
}

/// Count the n-grams of `docs` (in parallel) and the documents they occur
/// in. `exclude` lists n-grams set to a count of 0 (stopwords), which
/// [`crate::vocab::Vocabulary::build`] then leaves out.
///
/// With `candidates = Some(k)`, only the n-grams that a vocabulary of the
/// `k` most frequent ones could hold are returned: those counted at least
/// `min_freq` times and at least as often as the `k`-th most frequent
/// (excluded ones aside), ties included, so that [`crate::vocab::Vocabulary::build`] picks
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
            if packable(pipeline, widths) {
                return Ok(count_packed(
                    pipeline,
                    docs,
                    widths,
                    exclude,
                    k,
                    min_freq,
                    RECORD_BUDGET,
                ));
            }
            let counts = count_tokens(pipeline, docs);
            Some(frequent_tokens(counts, exclude, k, min_freq))
        }
        _ => None,
    };
    let capacity = map_capacity(docs.len(), 64, 1 << 18);
    let maps: Vec<TokenMap<Stat>> = fold_chunks(
        docs,
        || TokenMap::<Stat>::with_capacity(capacity), // bounded: clamped by map_capacity
        |mut map, first, chunk| {
            let mut scratch = Scratch::default();
            let mut tokens = DocTokens::default();
            // Keys wait in a batch with their slot prefetched (the map of a
            // bigram corpus is far larger than the caches).
            // (A batch holds the keys of one document: flushed at its end.)
            let mut batch = KeyBatch::default();
            // rare[i]: tokens before i that no counted n-gram may hold.
            let mut rare: Vec<u32> = Vec::new();
            for (i, doc) in chunk.iter().enumerate() {
                let doc_id = (first + i) as u32 + 1;
                tokens.read(pipeline, doc.as_ref(), &mut scratch);
                if let Some(frequent) = &frequent {
                    tokens.mark_rare(&frequent.ids, &mut rare);
                }
                let rare = frequent.as_ref().map(|_| &rare[..]);
                tokens.for_each_ngram_within(widths, rare, |window, len| {
                    match TokenMap::<Stat>::key_at(window, len) {
                        Some(key) => {
                            map.prefetch(key);
                            if batch.push(key, ()) {
                                for &(key, ()) in batch.take() {
                                    map.entry_key(key).add(doc_id);
                                }
                            }
                        }
                        None => map.entry_or_default(&window[..len]).add(doc_id),
                    }
                });
                for &(key, ()) in batch.take() {
                    map.entry_key(key).add(doc_id);
                }
            }
            map
        },
    )
    .collect();
    let merged = merge_maps(maps, |s, t| {
        s.count += t.count;
        s.documents += t.documents;
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
/// [`count_ngrams`]), of the token counts `counts`: those counted at least
/// as often as the `k`-th most frequent unigram (`exclude`d ones aside) and
/// at least `min_freq` times.
fn frequent_tokens(counts: Counts, exclude: &[&[u8]], k: usize, min_freq: u64) -> Parts {
    let counts: Vec<(TokenBytes, u64)> = counts.into_entries().collect();
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

/// Per-job counts of [`count_packed`]: unigrams by part id, bigrams and
/// longer n-grams by packed key (bigrams in a table of 64-bit keys: half the
/// memory per entry, and they are most of the entries).
struct PackedCounts {
    unigrams: Vec<Stat>,
    bigrams: FlatTable<u64, Stat>,
    grams: FlatTable<u128, Stat>,
}

impl PackedCounts {
    /// Counts of `parts` unigrams, with maps of about `capacity` bigrams.
    fn new(parts: usize, capacity: usize) -> Self {
        PackedCounts {
            // bounded: one per frequent token, held.
            unigrams: vec![Stat::default(); parts],
            bigrams: FlatTable::new(capacity), // bounded: clamped by map_capacity
            grams: FlatTable::new(capacity / 8), // bounded: as above
        }
    }

    /// Count the n-grams of one text, its tokens' part ids `ids`
    /// ([`NO_PART`] for the others), as document `doc_id` (index + 1);
    /// `keys` is scratch space.
    fn add_text(&mut self, widths: &[usize], ids: &[u32], doc_id: u32, keys: &mut Vec<u64>) {
        for &width in widths {
            match width {
                1 => {
                    for &id in ids {
                        if let Some(stat) = self.unigrams.get_mut(id as usize) {
                            stat.add(doc_id);
                        }
                    }
                }
                2 => {
                    // Two 32-bit lanes: the low half of pack().
                    keys.clear();
                    keys.extend(
                        ids.windows(2)
                            .filter(|w| !w.contains(&NO_PART))
                            .map(|w| pack(w) as u64),
                    );
                    for &key in keys.iter().take(AHEAD) {
                        self.bigrams.prefetch(key);
                    }
                    for (at, &key) in keys.iter().enumerate() {
                        if let Some(&next) = keys.get(at + AHEAD) {
                            self.bigrams.prefetch(next);
                        }
                        self.bigrams.get_or_insert(key).add(doc_id);
                    }
                }
                _ => {
                    for window in ids.windows(width) {
                        if !window.contains(&NO_PART) {
                            self.grams.get_or_insert(pack(window)).add(doc_id);
                        }
                    }
                }
            }
        }
    }
}

/// How far ahead of its update a bigram's slot is prefetched: the count map
/// of a bigram corpus is far larger than the caches, so the misses of the
/// next few updates overlap.
const AHEAD: usize = 16;

/// [`count_ngrams`] with pruning, for [`packable`] pipelines: tokens become
/// part ids of the frequent tokens (those a candidate can hold), unigrams
/// are counted in an array and longer n-grams under their packed ids, so no
/// n-gram string is hashed; the candidates are written out as strings at
/// the end. Each text is scanned once: the first pass records its tokens'
/// ids ([`record_tokens`]), the second counts n-grams from them (the texts
/// past `budget` recorded ids are scanned again).
pub(crate) fn count_packed<S: AsRef<str> + Sync>(
    pipeline: &TextPipeline,
    docs: &[S],
    widths: &[usize],
    exclude: &[&[u8]],
    k: usize,
    min_freq: u64,
    budget: usize,
) -> NgramCounts {
    let (recorded, token_counts) = record_tokens(pipeline, docs, budget);
    let frequent = frequent_tokens(token_counts, exclude, k, min_freq);
    let frequent = &frequent;
    let n_parts = frequent.tokens.len();
    // IMDB's 25k train reviews: 0.4-0.7M bigrams of frequent tokens a job.
    let capacity = map_capacity(docs.len(), 16, 1 << 19);
    let jobs: Vec<PackedCounts> = recorded
        .into_par_iter()
        .map(|job| {
            let table = job.translation(pipeline, frequent);
            let mut counts = PackedCounts::new(n_parts, capacity);
            let mut scratch = Scratch::default();
            let mut ids = Vec::new();
            let mut keys = Vec::new();
            let (mut text, mut start) = (0, 0);
            for chunk in &job.chunks {
                for (i, doc) in docs[chunk.first..chunk.first + chunk.len]
                    .iter()
                    .enumerate()
                {
                    let doc_id = (chunk.first + i) as u32 + 1;
                    if chunk.recorded {
                        let end = job.ends[text];
                        ids.clear();
                        ids.extend(
                            job.ids[start..end]
                                .iter()
                                .map(|&id| table[id as usize])
                                .filter(|&part| part != STOPWORD),
                        );
                        (text, start) = (text + 1, end);
                    } else {
                        frequent.read(pipeline, doc.as_ref(), &mut scratch, &mut ids);
                    }
                    counts.add_text(widths, &ids, doc_id, &mut keys);
                }
            }
            counts
        })
        .collect();
    let mut merged = PackedCounts::new(n_parts, 0);
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
        .copied()
        .chain(merged.bigrams.iter().map(|(_, s)| s))
        .chain(merged.grams.iter().map(|(_, s)| s))
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
        .map(|(key, stat)| (u128::from(key), stat));
    for (key, stat) in bigrams.chain(merged.grams.iter()) {
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
fn merge_grams<K: PackedKey>(into: &mut FlatTable<K, Stat>, mut from: FlatTable<K, Stat>) {
    if into.len() < from.len() {
        std::mem::swap(into, &mut from);
    }
    for (key, stat) in from.into_iter() {
        let total = into.get_or_insert(key);
        total.count += stat.count;
        total.documents += stat.documents;
    }
}
