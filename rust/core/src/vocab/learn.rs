//! Learning a vocabulary: from token counts ([`Vocabulary::build`], Keras'
//! orders), from texts with the counting that the order asks for
//! ([`learn_vocabulary`]), and of n-grams with their idf weights
//! ([`learn_ngram_vocabulary`]); and how many candidates a bounded
//! vocabulary needs counted ([`VocabConfig::candidates`]).

use rayon::prelude::*;

use crate::bag::{count_ngrams, idf_weights};
use crate::count::{count_tokens, Counts};
use crate::error::{CoreError, Result};
use crate::first_seen::build_vocabulary;
use crate::text::TextPipeline;
use crate::token_map::TokenBytes;
use crate::vocab::{VocabConfig, VocabOrder, Vocabulary};

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
}

impl VocabConfig {
    /// How many of the most frequent tokens (n-grams) a vocabulary of these
    /// settings can be picked from (`None`: no bound, all of them): its
    /// learned ids, plus a margin for the special tokens, which may take
    /// ranks among the counts. Counting only those is enough for
    /// [`Vocabulary::build`] to pick what it would pick from all counts
    /// (see [`crate::bag::count_ngrams`]).
    pub fn candidates(&self) -> Option<usize> {
        self.max_tokens
            .map(|max| max.saturating_sub(self.first_word_id()) + self.specials().len())
    }
}

/// The vocabulary of `docs` through `pipeline` following `config`, counted
/// the way its order needs: `"frequency_first_seen"` ranks words by where
/// they were first met ([`build_vocabulary`]), the other orders by their
/// counts ([`count_tokens`], [`Vocabulary::build`]).
///
/// Errors: inconsistent settings.
pub fn learn_vocabulary<S: AsRef<str> + Sync>(
    pipeline: &TextPipeline,
    docs: &[S],
    config: &VocabConfig,
) -> Result<Vocabulary> {
    config.validate()?;
    match config.order {
        VocabOrder::FrequencyFirstSeen => build_vocabulary(pipeline, docs, config),
        _ => Vocabulary::build(count_tokens(pipeline, docs), config),
    }
}

/// The vocabulary of the n-grams of `widths` of `docs` (ranked as
/// [`Vocabulary::build`] ranks tokens, `exclude`d n-grams left out), and,
/// with `idf_columns = Some((column_offset, depth))`, the idf weight of
/// each of `depth` bag columns (see [`idf_weights`]). A bounded vocabulary
/// counts its [`VocabConfig::candidates`] only.
///
/// Errors: a width < 1, inconsistent settings, or weights that cannot be
/// allocated.
pub fn learn_ngram_vocabulary<S: AsRef<str> + Sync>(
    pipeline: &TextPipeline,
    docs: &[S],
    widths: &[usize],
    exclude: &[&[u8]],
    config: &VocabConfig,
    idf_columns: Option<(usize, usize)>,
) -> Result<(Vocabulary, Option<Vec<f32>>)> {
    config.validate()?;
    let counts = count_ngrams(
        pipeline,
        docs,
        widths,
        exclude,
        config.candidates(),
        config.min_freq,
    )?;
    let vocab = Vocabulary::build(counts.counts.clone(), config)?;
    let idf = idf_columns
        .map(|(offset, depth)| idf_weights(&vocab, &counts, config.first_word_id(), offset, depth))
        .transpose()?;
    Ok((vocab, idf))
}
