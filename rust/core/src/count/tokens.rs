//! Plain token counts of a corpus: what [`crate::vocab::Vocabulary::build`]
//! learns a vocabulary from.

use std::ops::ControlFlow;

use rayon::prelude::*;

use crate::count::{fold_chunks, map_capacity, merge_maps, KeyBatch};
use crate::text::{Scratch, TextPipeline, TokenSink};
use crate::token_map::TokenMap;

/// Token counts.
pub type Counts = TokenMap<u64>;

/// Count the tokens of all `docs` (in parallel). Stopwords are counted while
/// scanning (one hash lookup per token instead of two) and set to 0 at the
/// end, so that [`crate::vocab::Vocabulary::build`] leaves them out.
pub fn count_tokens<S: AsRef<str> + Sync>(pipeline: &TextPipeline, docs: &[S]) -> Counts {
    if docs.is_empty() {
        return Counts::default();
    }
    let capacity = map_capacity(docs.len(), 32, 1 << 16);
    let maps: Vec<Counts> = fold_chunks(
        docs,
        || Counts::with_capacity(capacity), // bounded: clamped by map_capacity
        |mut counts, _, chunk| {
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
    merge_token_counts(pipeline, maps)
}

/// The total of the jobs' token counts, stopwords (counted while scanning)
/// set to 0, so that [`crate::vocab::Vocabulary::build`] leaves them out.
pub(crate) fn merge_token_counts(pipeline: &TextPipeline, maps: Vec<Counts>) -> Counts {
    let mut counts = merge_maps(maps, |c, n| *c += n);
    for word in pipeline.stopwords() {
        if counts.get(word).is_some() {
            *counts.entry_or_default(word) = 0;
        }
    }
    counts
}

/// Counts every token it is given. Call [`CountSink::flush`] at the end.
struct CountSink<'a> {
    counts: &'a mut Counts,
    batch: KeyBatch,
}

impl CountSink<'_> {
    fn flush(&mut self) {
        for &(key, ()) in self.batch.take() {
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
                if self.batch.push(key, ()) {
                    self.flush();
                }
            }
            None => *self.counts.entry_or_default(&window[..len]) += 1,
        }
        ControlFlow::Continue(())
    }
}
