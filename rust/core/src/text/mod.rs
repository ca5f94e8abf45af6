//! Standardization and splitting of raw text into tokens.
//!
//! A [`TextPipeline`] is a [`Standardizer`] (optional HTML line-break removal,
//! lowercasing, ASCII punctuation stripping), a [`Splitter`] and an optional
//! stopword set. Its defaults are those of Keras' `TextVectorization`:
//! `tf.strings.lower` (ASCII-only lowercasing), removal of the 32 ASCII
//! punctuation characters, then `tf.strings.split` (runs of the ASCII
//! whitespace `" \t\n\v\f\r"`; nothing else splits, not even NBSP).
//!
//! Lowercasing ASCII and deleting ASCII bytes never touch the bytes of a
//! multi-byte UTF-8 character, so the common configurations run as one fused
//! pass over the bytes with a 256-entry table; the others (Unicode lowercasing
//! of non-ASCII text, regex splitting) go through a general path.
//!
//! Tokens are handed to a callback as byte slices, borrowed from a per-thread
//! scratch buffer, so tokenizing allocates nothing per token.

//!
//! - [`standardize`]: the character classes, [`Standardizer`] and [`Splitter`].
//! - `scan` (private): the fused scanner of the common configurations.
//! - `kernels` (private): its SIMD kernels; `tables` (private): Unicode tables.

use std::borrow::Cow;
use std::ops::ControlFlow;

use crate::simd::Level;
use crate::token_map::TokenMap;

mod kernels;
mod scan;
pub mod standardize;
mod tables;

#[cfg(test)]
mod tests;

use scan::{fused_split, split_words, DROP, SEP};
use standardize::is_tf_whitespace;
pub use standardize::{
    is_word_char, strip_html_breaks, word_char_ranges, Lowercase, Splitter, Standardizer,
    ASCII_PUNCTUATION,
};

/// Receives the tokens of a text, one at a time, and may stop the stream.
///
/// The per-token work of the hot loops (counting, id lookup) is written as
/// sinks whose `token_at` method is `#[inline(always)]`, so that it is
/// compiled into the byte scanner instead of being called once per token.
pub trait TokenSink {
    /// Take the token `window[..len]` (non-empty, standardized, not a
    /// stopword); the bytes after it in `window` are readable too, which lets
    /// a lookup load fixed-size words instead of branching on the token's
    /// length (see [`TokenMap::get_at`]).
    fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()>;

    /// Take one token, with nothing readable after it.
    #[inline(always)]
    fn token(&mut self, token: &[u8]) -> ControlFlow<()> {
        self.token_at(token, token.len())
    }

    /// Told that the text is empty after standardization, with
    /// [`Splitter::None`] only (the empty token, which other splitters
    /// drop). Ignored unless a sink encodes it (as the padding id 0, like
    /// Keras' mask token).
    #[inline(always)]
    fn empty_text(&mut self) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// A closure as a [`TokenSink`].
struct FnSink<F>(F);

impl<F: FnMut(&[u8]) -> ControlFlow<()>> TokenSink for FnSink<F> {
    #[inline(always)]
    fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
        (self.0)(&window[..len])
    }
}

/// Drops empty tokens and (if given) stopwords, passes the others on.
struct StopFilter<'a, S> {
    stopwords: Option<&'a TokenMap<()>>,
    sink: &'a mut S,
}

impl<S: TokenSink> TokenSink for StopFilter<'_, S> {
    #[inline(always)]
    fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
        if len == 0
            || self
                .stopwords
                .is_some_and(|s| s.get_at(window, len).is_some())
        {
            ControlFlow::Continue(())
        } else {
            self.sink.token_at(window, len)
        }
    }

    #[inline(always)]
    fn empty_text(&mut self) -> ControlFlow<()> {
        self.sink.empty_text()
    }
}

/// Per-thread reusable buffers for [`TextPipeline::for_each_token`].
#[derive(Debug, Default)]
pub struct Scratch {
    token: Vec<u8>,
    lowered: Vec<u8>,
}

/// Standardizer + splitter + stopwords: turns a text into a stream of tokens.
#[derive(Debug, Clone)]
pub struct TextPipeline {
    standardizer: Standardizer,
    splitter: Splitter,
    stopwords: TokenMap<()>,
    /// The same stopwords as a list, in the order given.
    stopword_list: Vec<Box<[u8]>>,
    /// Fast-path table for whitespace splitting: output byte, DROP or SEP.
    whitespace_table: [u16; 256],
    /// Fast-path table for word splitting of ASCII text.
    word_table: [u16; 256],
}

impl Default for TextPipeline {
    fn default() -> Self {
        TextPipeline::new(
            Standardizer::default(),
            Splitter::default(),
            std::iter::empty::<&str>(),
        )
    }
}

impl TextPipeline {
    /// Build a pipeline. Stopwords are compared with the tokens after
    /// standardization and splitting; matching tokens are dropped.
    pub fn new<S: AsRef<str>>(
        standardizer: Standardizer,
        splitter: Splitter,
        stopwords: impl IntoIterator<Item = S>,
    ) -> Self {
        let stopword_list: Vec<Box<[u8]>> = stopwords
            .into_iter()
            .map(|s| Box::<[u8]>::from(s.as_ref().as_bytes()))
            .collect();
        let mut stopwords = TokenMap::with_capacity(stopword_list.len()); // bounded: words held
        for word in &stopword_list {
            stopwords.insert(word, ());
        }
        let class = |b: u8, word: bool| -> u16 {
            if standardizer.strip_punctuation && ASCII_PUNCTUATION.contains(&b) {
                DROP
            } else if (!word && is_tf_whitespace(b))
                || (word && b < 0x80 && !(b.is_ascii_alphanumeric() || b == b'_'))
            {
                SEP
            } else if standardizer.lowercase != Lowercase::None {
                u16::from(b.to_ascii_lowercase())
            } else {
                u16::from(b)
            }
        };
        let mut whitespace_table = [0u16; 256];
        let mut word_table = [0u16; 256];
        for b in 0..=255u8 {
            whitespace_table[usize::from(b)] = class(b, false);
            word_table[usize::from(b)] = class(b, true);
        }
        TextPipeline {
            standardizer,
            splitter,
            stopwords,
            stopword_list,
            whitespace_table,
            word_table,
        }
    }

    /// The standardizer.
    pub fn standardizer(&self) -> &Standardizer {
        &self.standardizer
    }

    /// The splitter.
    pub fn splitter(&self) -> &Splitter {
        &self.splitter
    }

    /// Call `emit` with each token of `text` (non-empty, not a stopword), in
    /// order, until it returns `ControlFlow::Break`.
    pub fn for_each_token<F>(&self, text: &str, scratch: &mut Scratch, emit: F)
    where
        F: FnMut(&[u8]) -> ControlFlow<()>,
    {
        self.tokens_into(text, scratch, &mut FnSink(emit));
    }

    /// The stopwords (as given to [`TextPipeline::new`]).
    pub fn stopwords(&self) -> impl ExactSizeIterator<Item = &[u8]> {
        self.stopword_list.iter().map(|w| &w[..])
    }

    /// Hand each token of `text` (non-empty, not a stopword), in order, to
    /// `sink`, until it returns `ControlFlow::Break`.
    pub fn tokens_into<S: TokenSink>(&self, text: &str, scratch: &mut Scratch, sink: &mut S) {
        let stopwords = (!self.stopwords.is_empty()).then_some(&self.stopwords);
        self.run(
            text,
            scratch,
            StopFilter { stopwords, sink },
            Level::detect(),
        );
    }

    /// Like [`TextPipeline::tokens_into`], but stopwords are passed on too
    /// (for callers that handle them in their own lookup, saving one hash
    /// lookup per token).
    pub fn tokens_with_stopwords_into<S: TokenSink>(
        &self,
        text: &str,
        scratch: &mut Scratch,
        sink: &mut S,
    ) {
        self.run(
            text,
            scratch,
            StopFilter {
                stopwords: None,
                sink,
            },
            Level::detect(),
        );
    }

    /// Tokenize `text` into `filter`: through the fused scanner compiled for
    /// `level` where the rules allow it, else through [`TextPipeline::general`].
    fn run<S: TokenSink>(
        &self,
        text: &str,
        scratch: &mut Scratch,
        mut filter: StopFilter<'_, S>,
        level: Level,
    ) {
        let html = self.standardizer.strip_html && memchr::memchr(b'<', text.as_bytes()).is_some();
        let text: Cow<'_, str> = if html {
            strip_html_breaks(text)
        } else {
            Cow::Borrowed(text)
        };
        let table = match self.splitter {
            Splitter::Whitespace
                if self.standardizer.lowercase != Lowercase::Unicode || text.is_ascii() =>
            {
                Some((&self.whitespace_table, false))
            }
            // Non-ASCII text too, unless Unicode lowercasing meets a capital
            // sigma, whose lowercase depends on the characters around it.
            Splitter::Word
                if text.is_ascii()
                    || self.standardizer.lowercase != Lowercase::Unicode
                    || !text.contains('\u{3a3}') =>
            {
                Some((&self.word_table, true))
            }
            _ => None,
        };
        if let Some((table, word)) = table {
            let _ = fused_split(
                level,
                text.as_bytes(),
                table,
                word,
                &self.standardizer,
                scratch,
                &mut filter,
            );
            return;
        }
        self.general(&text, &mut filter);
    }

    /// The general path, for every configuration: [`Standardizer::apply`] on
    /// the whole text, then the splitter (the reference the fused scanner is
    /// tested against). HTML breaks are already gone from `text`.
    fn general<S: TokenSink>(&self, text: &str, filter: &mut StopFilter<'_, S>) {
        let standardizer = Standardizer {
            strip_html: false,
            ..self.standardizer
        };
        let standardized = standardizer.apply(text);
        let s: &str = &standardized;
        let mut emit = |tok: &[u8]| filter.token(tok);
        let _ = match &self.splitter {
            Splitter::Whitespace => s
                .as_bytes()
                .split(|&b| is_tf_whitespace(b))
                .try_for_each(&mut emit),
            Splitter::Word => split_words(s, &mut emit),
            Splitter::Pattern(re) => re
                .find_iter(s)
                .try_for_each(|m| emit(m.as_str().as_bytes())),
            Splitter::Character => s
                .char_indices()
                .try_for_each(|(i, c)| emit(&s.as_bytes()[i..i + c.len_utf8()])),
            Splitter::None if s.is_empty() => filter.empty_text(),
            Splitter::None => emit(s.as_bytes()),
        };
    }

    /// All tokens of `text` as owned strings (convenience for tests and tools).
    pub fn tokens(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut scratch = Scratch::default();
        self.for_each_token(text, &mut scratch, |t| {
            out.push(String::from_utf8_lossy(t).into_owned());
            ControlFlow::Continue(())
        });
        out
    }
}

/// The tokens of `text` through the fused scanner compiled for `level` (if
/// the pipeline's rules allow it), or through the general path (`None`):
/// the two sides of the differential tests and of the tokenizer fuzz target.
pub(crate) fn tokens_by(p: &TextPipeline, text: &str, level: Option<Level>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut sink = FnSink(|t: &[u8]| {
        out.push(t.to_vec());
        ControlFlow::Continue(())
    });
    let stopwords = (!p.stopwords.is_empty()).then_some(&p.stopwords);
    let filter = StopFilter {
        stopwords,
        sink: &mut sink,
    };
    match level {
        Some(level) => p.run(text, &mut Scratch::default(), filter, level),
        None => {
            let text = if p.standardizer.strip_html {
                strip_html_breaks(text)
            } else {
                Cow::Borrowed(text)
            };
            let mut filter = filter;
            p.general(&text, &mut filter);
        }
    }
    out
}
