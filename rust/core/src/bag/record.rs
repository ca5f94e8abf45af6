//! The first pass of a pruned count of packable n-grams
//! ([`crate::bag::count_ngrams`]): the tokens of the texts are counted and,
//! at the same time, recorded as dense ids ([`Recorded`]), so that the
//! second pass counts the n-grams of the frequent tokens from these ids
//! instead of scanning the texts again.
//!
//! Memory: 4 bytes per token (IMDB's 25k training reviews: about 5.8M
//! tokens, 23 MB) plus one offset per text, at most [`RECORD_BUDGET`] ids in
//! all; the chunks past the budget are not recorded and the second pass
//! scans them again.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::bag::ngrams::{Parts, NO_PART};
use crate::count::{fold_chunks, map_capacity, merge_token_counts, Counts, KeyBatch};
use crate::text::{Scratch, TextPipeline, TokenSink};
use crate::token_map::TokenMap;

/// Most token ids recorded over all jobs (4 bytes each: 256 MiB), plus at
/// most one chunk per job that starts below it (the `budget` of
/// [`record_tokens`]).
pub(crate) const RECORD_BUDGET: usize = 1 << 26;

/// The translation of a stopword's id: the scanner drops stopwords from the
/// tokens of the n-gram count, so the second pass drops these ids.
pub(crate) const STOPWORD: u32 = u32::MAX - 1;

/// A chunk of texts that one job of the first pass read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Chunk {
    /// Index in the corpus of its first text.
    pub(crate) first: usize,
    /// Number of texts.
    pub(crate) len: usize,
    /// Whether its texts' ids are in [`Recorded::ids`] (false: the budget
    /// was spent, they are scanned again).
    pub(crate) recorded: bool,
}

/// The tokens of the texts of one job of the first pass: their counts and,
/// for the recorded chunks, each text's ids of a first-seen token table.
#[derive(Debug, Default)]
pub(crate) struct Recorded {
    /// Id + 1 of each token seen by the job (0: not yet).
    local: TokenMap<u32>,
    /// Occurrences of each id.
    counts: Vec<u64>,
    /// Ids of the tokens of the recorded texts, text after text (stopwords
    /// included).
    pub(crate) ids: Vec<u32>,
    /// End in `ids` of each recorded text, in order.
    pub(crate) ends: Vec<usize>,
    /// The chunks read, in order.
    pub(crate) chunks: Vec<Chunk>,
}

impl Recorded {
    /// The job's token counts as a [`Counts`] map.
    fn counts(&self) -> Counts {
        let mut counts = Counts::with_capacity(self.counts.len()); // bounded: tokens held
        for (token, id) in self.local.entries() {
            if let Some(&count) = self.counts.get(id as usize - 1) {
                counts.insert(token.as_bytes(), count);
            }
        }
        counts
    }

    /// For each id of this job, its part id in `frequent`, [`NO_PART`] or
    /// [`STOPWORD`] (a stopword of `pipeline`).
    pub(crate) fn translation(&self, pipeline: &TextPipeline, frequent: &Parts) -> Vec<u32> {
        let mut table = vec![NO_PART; self.counts.len()]; // bounded: one per token held
        for (token, id) in self.local.entries() {
            if let (Some(&part), Some(slot)) = (
                frequent.ids.get(token.as_bytes()),
                table.get_mut(id as usize - 1),
            ) {
                *slot = part;
            }
        }
        for word in pipeline.stopwords() {
            if let Some(&id) = self.local.get(word) {
                if let Some(slot) = table.get_mut(id as usize - 1) {
                    *slot = STOPWORD;
                }
            }
        }
        table
    }
}

/// Counts and records every token it is given (stopwords included). Call
/// [`RecordSink::flush`] at the end of each text: ids are recorded in the
/// tokens' order, so a batch is flushed before any token outside it.
struct RecordSink<'a> {
    job: &'a mut Recorded,
    batch: KeyBatch,
    record: bool,
}

impl RecordSink<'_> {
    /// Count (and record) `id + 1`, the value of the token's slot: 0 gives
    /// the token the next id.
    #[inline(always)]
    fn add(slot: &mut u32, counts: &mut Vec<u64>, ids: &mut Vec<u32>, record: bool) {
        if *slot == 0 {
            counts.push(0);
            // Fewer than u32::MAX - 1 distinct tokens a job: each holds a
            // table slot of 16 bytes or more.
            *slot = counts.len() as u32;
        }
        let id = *slot - 1;
        if let Some(count) = counts.get_mut(id as usize) {
            *count += 1;
        }
        if record {
            ids.push(id);
        }
    }

    fn flush(&mut self) {
        let Recorded {
            local, counts, ids, ..
        } = &mut *self.job;
        for &(key, ()) in self.batch.take() {
            Self::add(local.entry_key(key), counts, ids, self.record);
        }
    }
}

impl TokenSink for RecordSink<'_> {
    #[inline(always)]
    fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
        match TokenMap::<u32>::key_at(window, len) {
            Some(key) => {
                self.job.local.prefetch(key);
                if self.batch.push(key, ()) {
                    self.flush();
                }
            }
            None => {
                self.flush();
                let Recorded {
                    local, counts, ids, ..
                } = &mut *self.job;
                Self::add(
                    local.entry_or_default(&window[..len]),
                    counts,
                    ids,
                    self.record,
                );
            }
        }
        ControlFlow::Continue(())
    }
}

/// The first pass: the jobs' recorded tokens and the token counts of all
/// `docs` (the same as [`crate::count::count_tokens`]: stopwords counted,
/// then set to 0). Chunks are recorded while fewer than `budget` ids are.
pub(crate) fn record_tokens<S: AsRef<str> + Sync>(
    pipeline: &TextPipeline,
    docs: &[S],
    budget: usize,
) -> (Vec<Recorded>, Counts) {
    let capacity = map_capacity(docs.len(), 32, 1 << 16);
    let spent = AtomicUsize::new(0);
    let jobs: Vec<Recorded> = fold_chunks(
        docs,
        || Recorded {
            local: TokenMap::with_capacity(capacity), // bounded: clamped by map_capacity
            ..Recorded::default()
        },
        |mut job, first, chunk| {
            let record = spent.load(Ordering::Relaxed) < budget;
            let start = job.ids.len();
            let mut scratch = Scratch::default();
            let mut sink = RecordSink {
                job: &mut job,
                batch: KeyBatch::default(),
                record,
            };
            for doc in chunk {
                pipeline.tokens_with_stopwords_into(doc.as_ref(), &mut scratch, &mut sink);
                sink.flush();
                if record {
                    let end = sink.job.ids.len();
                    sink.job.ends.push(end);
                }
            }
            if record {
                spent.fetch_add(job.ids.len() - start, Ordering::Relaxed);
            }
            job.chunks.push(Chunk {
                first,
                len: chunk.len(),
                recorded: record,
            });
            job
        },
    )
    .collect();
    let maps: Vec<Counts> = jobs.par_iter().map(Recorded::counts).collect();
    (jobs, merge_token_counts(pipeline, maps))
}
