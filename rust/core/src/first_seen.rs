//! Words ranked like the legacy Keras `Tokenizer`
//! (`keras.preprocessing.text.Tokenizer.fit_on_texts`): by count,
//! descending, with ties in the order the words were first met (a stable
//! sort of an `OrderedDict` filled text by text, word by word).
//!
//! Counting runs in parallel over contiguous chunks of texts
//! ([`crate::count::fold_chunks`]); each entry
//! keeps the position `(text, token)` where it was first met, the smallest
//! position wins when chunks merge, so the order is the sequential one.

use std::ops::ControlFlow;

use rayon::prelude::*;

use crate::count::{fold_chunks, merge_maps};
use crate::error::{CoreError, Result};
use crate::text::{Scratch, TextPipeline, TokenSink};
use crate::token_map::{TokenBytes, TokenMap};
use crate::vocab::{reserved_token, VocabConfig, Vocabulary, MAX_LISTED_RESERVED};

/// Count and first position of a word.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    count: u64,
    /// `(text index, token index)` of the first occurrence (valid once
    /// `count > 0`).
    first: (u64, u64),
}

/// Counts the tokens of one text, noting where each was first met.
struct SeenSink<'a> {
    map: &'a mut TokenMap<Seen>,
    doc: u64,
    position: u64,
}

impl TokenSink for SeenSink<'_> {
    #[inline(always)]
    fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
        let seen = self.map.entry_or_default(&window[..len]);
        if seen.count == 0 {
            seen.first = (self.doc, self.position);
        }
        seen.count += 1;
        self.position += 1;
        ControlFlow::Continue(())
    }
}

/// The words of `docs` through `pipeline`, ranked by count (descending)
/// with ties in first-seen order; words seen fewer than `min_freq` times
/// or listed in `exclude` (the special tokens) are left out, and at most
/// `max_words` are returned.
pub fn rank_first_seen<S: AsRef<str> + Sync>(
    pipeline: &TextPipeline,
    docs: &[S],
    min_freq: u64,
    exclude: &[&str],
    max_words: Option<usize>,
) -> Vec<String> {
    let maps: Vec<TokenMap<Seen>> = fold_chunks(
        docs,
        || TokenMap::<Seen>::with_capacity(1 << 12), // bounded: a constant
        |mut map, first, chunk| {
            let mut scratch = Scratch::default();
            for (i, doc) in chunk.iter().enumerate() {
                let mut sink = SeenSink {
                    map: &mut map,
                    doc: (first + i) as u64,
                    position: 0,
                };
                pipeline.tokens_into(doc.as_ref(), &mut scratch, &mut sink);
            }
            map
        },
    )
    .collect();
    let merged = merge_maps(maps, |s, t| {
        if s.count == 0 || (t.count > 0 && t.first < s.first) {
            s.first = t.first;
        }
        s.count += t.count;
    });
    let entries = merged
        .into_entries()
        .map(|(word, seen)| (word, seen.count, seen.first));
    rank_seen(entries, min_freq, exclude, max_words)
}

/// The words of `entries` (`(word, count, first position)`, in any order)
/// ranked by count (descending) with ties by first position (ascending):
/// the one home of the legacy Keras `Tokenizer`'s order. Words counted
/// fewer than `min_freq` times or listed in `exclude` are left out, and at
/// most `max_words` are returned.
pub fn rank_seen(
    entries: impl Iterator<Item = (TokenBytes, u64, (u64, u64))>,
    min_freq: u64,
    exclude: &[&str],
    max_words: Option<usize>,
) -> Vec<String> {
    let mut words: Vec<(TokenBytes, u64, (u64, u64))> = entries
        .filter(|(word, count, _)| {
            *count >= min_freq.max(1) && !exclude.iter().any(|e| e.as_bytes() == word.as_bytes())
        })
        .collect();
    words.par_sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    words.truncate(max_words.unwrap_or(usize::MAX));
    words
        .into_iter()
        .map(|(w, _, _)| String::from_utf8_lossy(w.as_bytes()).into_owned())
        .collect()
}

/// The vocabulary of `docs` with `config`'s layout, its learned tokens
/// ranked by [`rank_first_seen`] (whatever `config.order` says): at most
/// `max_tokens` ids, tokens seen at least `min_freq` times, the special
/// tokens left out.
///
/// Errors: inconsistent settings, or more reserved ids (`index_from`) than
/// [`MAX_LISTED_RESERVED`].
pub fn build_vocabulary<S: AsRef<str> + Sync>(
    pipeline: &TextPipeline,
    docs: &[S],
    config: &VocabConfig,
) -> Result<Vocabulary> {
    build_ranked(config, |specials, max_words| {
        rank_first_seen(pipeline, docs, config.min_freq, specials, max_words)
    })
}

/// The vocabulary with `config`'s layout whose learned tokens are
/// `rank(specials, max_words)`: the special tokens, the reserved
/// placeholders, then the ranked words (see [`build_vocabulary`]).
///
/// Errors: as [`build_vocabulary`].
pub fn build_ranked(
    config: &VocabConfig,
    rank: impl FnOnce(&[&str], Option<usize>) -> Vec<String>,
) -> Result<Vocabulary> {
    config.validate()?;
    let specials = config.specials();
    let first = config.first_word_id();
    if first - specials.len() > MAX_LISTED_RESERVED {
        return Err(CoreError::invalid(format!(
            "`vocab_order=\"frequency_first_seen\"` takes at most {MAX_LISTED_RESERVED} \
             reserved ids. Received: index_from={:?}",
            config.index_from
        )));
    }
    let max_words = config.max_tokens.map(|max| max.saturating_sub(first));
    let words = rank(&specials, max_words);
    let mut tokens: Vec<String> = specials.iter().map(|s| (*s).to_owned()).collect();
    tokens.extend((specials.len()..first).map(reserved_token));
    tokens.extend(words);
    Vocabulary::from_tokens(tokens, config)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Tokenizer().fit_on_texts(docs)`'s word_index order, by hand: counts
    /// b 3, a 3, c 2, d 1; b is met before a.
    #[test]
    fn ties_keep_first_seen_order() {
        let p = TextPipeline::default();
        let docs = ["b c a", "a b", "c d b a"];
        assert_eq!(
            rank_first_seen(&p, &docs, 1, &[], None),
            ["b", "a", "c", "d"]
        );
        assert_eq!(rank_first_seen(&p, &docs, 2, &["a"], Some(2)), ["b", "c"]);
        // Across many chunks (and threads), the sequential order.
        let many: Vec<String> = (0..5000).map(|i| format!("w{} common", 4999 - i)).collect();
        let ranked = rank_first_seen(&p, &many, 1, &[], None);
        assert_eq!(ranked[0], "common");
        assert_eq!(ranked[1], "w4999");
        assert_eq!(ranked[5000], "w0");
    }

    #[test]
    fn vocabulary_layout() {
        let p = TextPipeline::default();
        let config = VocabConfig {
            max_tokens: Some(5),
            oov_token: Some("<OOV>".into()),
            start_token: Some("<S>".into()),
            index_from: Some(3),
            ..VocabConfig::default()
        };
        let v = build_vocabulary(&p, &["b c a", "a b", "c d b a"], &config)
            .unwrap_or_else(|e| panic!("{e}"));
        let listed: Vec<String> = (0..v.len())
            .filter_map(|id| v.token(id).map(|t| t.to_string()))
            .collect();
        assert_eq!(listed, ["", "<S>", "<OOV>", "[UNUSED3]", "b"]);
    }
}
