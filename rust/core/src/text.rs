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

use std::borrow::Cow;
use std::ops::ControlFlow;

use regex::Regex;

use crate::error::{CoreError, Result};
use crate::simd::{Level, SCALAR};
#[cfg(target_arch = "x86_64")]
use crate::simd::{SSE2, SSSE3};
use crate::token_map::TokenMap;

mod kernels;
mod tables;

use kernels::{block_masks, ByteRules};

/// The 32 ASCII punctuation characters, exactly the class
/// `[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']` that `TextVectorization` strips.
pub const ASCII_PUNCTUATION: &[u8] = b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/// ASCII whitespace as `tf.strings.split` understands it.
fn is_tf_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Python's `\w` for one character: `str.isalnum()` or `_` (Unicode 14 tables).
pub fn is_word_char(c: char) -> bool {
    let cp = u32::from(c);
    if cp < 0x80 {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    tables::WORD_RANGES
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The word-character ranges used by [`is_word_char`] (for tests and tools).
pub fn word_char_ranges() -> &'static [(u32, u32)] {
    tables::WORD_RANGES
}

/// How text is lowercased before splitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lowercase {
    /// Keep the case.
    None,
    /// ASCII letters only, like `tf.strings.lower` (the Keras default).
    #[default]
    Ascii,
    /// Full Unicode lowercasing, like Python's `str.lower()`.
    Unicode,
}

/// Text clean-up applied before splitting, in this order: HTML line breaks,
/// lowercasing, punctuation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standardizer {
    /// Replace HTML line breaks (`<br />`, `<br/>`, `<br>`, any case, ASCII
    /// whitespace allowed before the `/`) by a space.
    pub strip_html: bool,
    /// Lowercasing mode.
    pub lowercase: Lowercase,
    /// Delete the 32 ASCII punctuation characters.
    pub strip_punctuation: bool,
}

impl Default for Standardizer {
    /// `TextVectorization`'s `"lower_and_strip_punctuation"`.
    fn default() -> Self {
        Standardizer {
            strip_html: false,
            lowercase: Lowercase::Ascii,
            strip_punctuation: true,
        }
    }
}

impl Standardizer {
    /// Parse a Keras-style standardize name: `"lower_and_strip_punctuation"`,
    /// `"lower"`, `"strip_punctuation"`, `"lower_unicode"`,
    /// `"lower_unicode_and_strip_punctuation"` or `None`.
    pub fn from_name(name: Option<&str>, strip_html: bool) -> Result<Self> {
        let (lowercase, strip_punctuation) = match name {
            None => (Lowercase::None, false),
            Some("lower_and_strip_punctuation") => (Lowercase::Ascii, true),
            Some("lower") => (Lowercase::Ascii, false),
            Some("strip_punctuation") => (Lowercase::None, true),
            Some("lower_unicode") => (Lowercase::Unicode, false),
            Some("lower_unicode_and_strip_punctuation") => (Lowercase::Unicode, true),
            Some(other) => {
                return Err(CoreError::invalid(format!(
                    "`standardize` must be one of None, \"lower_and_strip_punctuation\", \
                     \"lower\", \"strip_punctuation\", \"lower_unicode\", \
                     \"lower_unicode_and_strip_punctuation\". Received: standardize={other:?}"
                )))
            }
        };
        Ok(Standardizer {
            strip_html,
            lowercase,
            strip_punctuation,
        })
    }

    /// Apply the standardization to a whole text (general path).
    pub fn apply<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut s = if self.strip_html {
            strip_html_breaks(text)
        } else {
            Cow::Borrowed(text)
        };
        match self.lowercase {
            Lowercase::None => {}
            Lowercase::Ascii => {
                if s.bytes().any(|b| b.is_ascii_uppercase()) {
                    s = Cow::Owned(s.to_ascii_lowercase());
                }
            }
            Lowercase::Unicode => s = Cow::Owned(s.to_lowercase()),
        }
        if self.strip_punctuation && s.bytes().any(|b| ASCII_PUNCTUATION.contains(&b)) {
            s = Cow::Owned(
                s.chars()
                    .filter(|c| !(c.is_ascii() && ASCII_PUNCTUATION.contains(&(*c as u8))))
                    .collect(),
            );
        }
        s
    }
}

/// Replace every HTML line break (`<br>`, `<br/>`, `<br />`, case-insensitive,
/// ASCII whitespace allowed between `br` and `/` or `>`) by one space.
pub fn strip_html_breaks(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut pos = 0;
    while let Some(off) = memchr::memchr(b'<', &bytes[pos..]) {
        let start = pos + off;
        pos = start + 1;
        let Some(end) = html_break_end(bytes, start) else {
            continue;
        };
        // bounded: the length of a text in memory.
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(&text[copied..start]);
        buf.push(' ');
        copied = end;
        pos = end;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut buf) => {
            buf.push_str(&text[copied..]);
            Cow::Owned(buf)
        }
    }
}

/// If an HTML line break starts at `start` (a `<`), the index just past it.
fn html_break_end(bytes: &[u8], start: usize) -> Option<usize> {
    let rest = bytes.get(start + 1..)?;
    if rest.len() < 3
        || !rest[0].eq_ignore_ascii_case(&b'b')
        || !rest[1].eq_ignore_ascii_case(&b'r')
    {
        return None;
    }
    let mut i = 2;
    while rest.get(i).is_some_and(|&b| is_tf_whitespace(b)) {
        i += 1;
    }
    if rest.get(i) == Some(&b'/') {
        i += 1;
    }
    (rest.get(i) == Some(&b'>')).then_some(start + 1 + i + 1)
}

/// How standardized text is cut into tokens. Empty tokens are always dropped.
#[derive(Debug, Clone, Default)]
pub enum Splitter {
    /// Runs of ASCII whitespace separate tokens (`tf.strings.split`).
    #[default]
    Whitespace,
    /// Tokens are maximal runs of Python `\w` characters, i.e. the matches of
    /// `re.findall(r"\b\w+\b", text)`.
    Word,
    /// Tokens are the non-overlapping matches of a regular expression
    /// (`re.findall` semantics for a pattern without groups).
    Pattern(Regex),
    /// Every Unicode scalar value is a token (`tf.strings.unicode_split`):
    /// spaces and punctuation left by the standardization included.
    Character,
    /// The whole standardized text is one token. A text that is empty after
    /// standardization is the empty token, which sinks receive through
    /// [`TokenSink::empty_text`] (Keras looks it up as the mask token, id 0).
    None,
}

impl Splitter {
    /// Parse `"whitespace"`, `"word"`, `"character"`, `None`, or any other
    /// string as a regex (Rust `regex` syntax).
    pub fn from_spec(spec: Option<&str>) -> Result<Self> {
        Ok(match spec {
            None => Splitter::None,
            Some("whitespace") => Splitter::Whitespace,
            Some("word") => Splitter::Word,
            Some("character") => Splitter::Character,
            Some(pattern) => Splitter::Pattern(Regex::new(pattern).map_err(|e| {
                CoreError::invalid(format!(
                    "`split` must be \"whitespace\", \"word\", \"character\", None or a valid \
                     regular expression. Received: split={pattern:?} ({e})"
                ))
            })?),
        })
    }
}

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

/// Byte classes of the fused fast path.
const DROP: u16 = 256;
const SEP: u16 = 257;

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

/// Monomorphized scanner for each combination of rules, over the text
/// `bytes[..n]` (`bytes` may go on past it: readable bytes that let tokens
/// near the end be loaded as 16-byte windows too), with the instructions of
/// `LEVEL` (a [`Level`]). At the SSSE3 level (only inside
/// [`fused_split_ssse3`]), tokens of up to 16 bytes that need rewriting are
/// standardized by [`kernels::standardize_ssse3`] ([`rewrite_short`]).
#[inline(always)]
fn fused_split_rules<
    S: TokenSink,
    const LEVEL: u8,
    const WORD: bool,
    const LOWER: bool,
    const STRIP: bool,
>(
    bytes: &[u8],
    n: usize,
    table: &[u16; 256],
    st: &Standardizer,
    buf: &mut Vec<u8>,
    sink: &mut S,
) -> ControlFlow<()> {
    let mut short = [0u8; 16];
    let rules = ByteRules {
        word: WORD,
        lower: LOWER,
        strip: STRIP,
    };
    let mut tok_start = 0usize;
    let mut dirty = false;
    let mut base = 0usize;
    // Blocks of 64 bytes; the last one (possibly empty) is padded with spaces,
    // which separate in every mode, so the final token is cut inside the loop
    // too and `sink.token` has a single call site.
    loop {
        let len = (n - base).min(64);
        let mut block = [b' '; 64];
        block[..len].copy_from_slice(&bytes[base..base + len]);
        let (mut sep, dmask) = block_masks::<LEVEL>(&block, rules);
        let mut pos = 0u32;
        while sep != 0 {
            let i = sep.trailing_zeros();
            let below_i = (1u64 << i) - 1;
            let from_pos = !0u64 << pos;
            dirty |= dmask & below_i & from_pos != 0;
            // At most `n`: the first padding separator sits at `n`.
            let end = base + i as usize;
            if end > tok_start {
                let region = &bytes[tok_start..end];
                if WORD && dirty && !region.is_ascii() {
                    unicode_words(region, st, sink)?;
                } else if dirty {
                    match rewrite_short::<LEVEL, WORD, LOWER, STRIP>(
                        bytes, tok_start, end, &mut short,
                    ) {
                        Some(len) => sink.token_at(&short, len)?,
                        None => {
                            let len = rewrite(region, table, buf);
                            sink.token_at(buf, len)?;
                        }
                    }
                } else {
                    sink.token_at(&bytes[tok_start..], region.len())?;
                }
            }
            tok_start = end + 1;
            dirty = false;
            pos = i + 1;
            sep &= sep - 1;
        }
        if len < 64 {
            return ControlFlow::Continue(());
        }
        if pos < 64 {
            dirty |= dmask & (!0u64 << pos) != 0;
        }
        base += 64;
    }
}

/// One pass over the bytes: cut at separators; a token whose bytes all map to
/// themselves is emitted as a slice of the input (no copy), any other is
/// mapped through `table` (DROP bytes skipped) into a buffer first. On CPUs
/// with SSSE3 (nearly all x86-64 ones) short tokens take the branch-free path.
/// `level` picks the instructions (the CPU must have them, see
/// [`Level::detect`]).
fn fused_split<S: TokenSink>(
    level: Level,
    bytes: &[u8],
    table: &[u16; 256],
    word: bool,
    st: &Standardizer,
    scratch: &mut Scratch,
    sink: &mut S,
) -> ControlFlow<()> {
    let lower = st.lowercase != Lowercase::None;
    let strip = st.strip_punctuation;
    match level {
        // SAFETY: `Level::Ssse3` is only chosen when the CPU has SSSE3.
        #[cfg(target_arch = "x86_64")]
        Level::Ssse3 => unsafe { fused_split_ssse3(bytes, table, word, st, scratch, sink) },
        #[cfg(target_arch = "x86_64")]
        Level::Sse2 => {
            let args = (bytes, bytes.len(), table, st, &mut scratch.token, sink);
            fused_split_dispatch::<S, SSE2>(word, lower, strip, args)
        }
        Level::Scalar => {
            let args = (bytes, bytes.len(), table, st, &mut scratch.token, sink);
            fused_split_dispatch::<S, SCALAR>(word, lower, strip, args)
        }
    }
}

/// [`fused_split`] compiled for SSSE3. A text to lowercase is lowercased
/// (ASCII letters) as a whole first, into a buffer with 16 bytes of slack:
/// capitalized words then need no rewriting, and every token can be loaded
/// as a 16-byte window. Callers check that the CPU has SSSE3
/// ([`Level::detect`]).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
fn fused_split_ssse3<S: TokenSink>(
    bytes: &[u8],
    table: &[u16; 256],
    word: bool,
    st: &Standardizer,
    scratch: &mut Scratch,
    sink: &mut S,
) -> ControlFlow<()> {
    let Scratch { token, lowered } = scratch;
    if st.lowercase == Lowercase::None {
        let args = (bytes, bytes.len(), table, st, token, sink);
        return fused_split_dispatch::<S, SSSE3>(word, false, st.strip_punctuation, args);
    }
    lowered.clear();
    lowered.extend(bytes.iter().map(u8::to_ascii_lowercase));
    lowered.extend_from_slice(&[b' '; 16]);
    // ASCII lowercasing is idempotent and commutes with the rest (the table,
    // punctuation stripping, and the Unicode path for non-ASCII regions), so
    // the scan itself no longer needs to lowercase.
    let args = (&lowered[..], bytes.len(), table, st, token, sink);
    fused_split_dispatch::<S, SSSE3>(word, false, st.strip_punctuation, args)
}

type ScanArgs<'a, 'b, S> = (
    &'a [u8],
    usize,
    &'a [u16; 256],
    &'a Standardizer,
    &'b mut Vec<u8>,
    &'b mut S,
);

/// Picks the scanner monomorphized for the rules.
#[inline(always)]
fn fused_split_dispatch<S: TokenSink, const LEVEL: u8>(
    word: bool,
    lower: bool,
    strip: bool,
    args: ScanArgs<'_, '_, S>,
) -> ControlFlow<()> {
    match (word, lower, strip) {
        (false, false, false) => call::<S, LEVEL, false, false, false>(args),
        (false, false, true) => call::<S, LEVEL, false, false, true>(args),
        (false, true, false) => call::<S, LEVEL, false, true, false>(args),
        (false, true, true) => call::<S, LEVEL, false, true, true>(args),
        (true, false, false) => call::<S, LEVEL, true, false, false>(args),
        (true, false, true) => call::<S, LEVEL, true, false, true>(args),
        (true, true, false) => call::<S, LEVEL, true, true, false>(args),
        (true, true, true) => call::<S, LEVEL, true, true, true>(args),
    }
}

#[inline(always)]
fn call<S: TokenSink, const LEVEL: u8, const WORD: bool, const LOWER: bool, const STRIP: bool>(
    (bytes, n, table, st, buf, sink): ScanArgs<'_, '_, S>,
) -> ControlFlow<()> {
    fused_split_rules::<S, LEVEL, WORD, LOWER, STRIP>(bytes, n, table, st, buf, sink)
}

/// Word splitting of a region (between ASCII separators) that holds non-ASCII
/// characters: standardize it as the general path does the whole text, then
/// emit its runs of word characters. Cutting at ASCII separators first gives
/// the same tokens, because lowercasing never turns a character into, or out
/// of, an ASCII separator; the one context-dependent mapping (final sigma) is
/// kept off this path by the caller.
#[cold]
fn unicode_words<S: TokenSink>(region: &[u8], st: &Standardizer, sink: &mut S) -> ControlFlow<()> {
    // The region is cut from a `str` at ASCII bytes, so it is valid UTF-8.
    let Ok(text) = std::str::from_utf8(region) else {
        return ControlFlow::Continue(());
    };
    let standardizer = Standardizer {
        strip_html: false,
        ..*st
    };
    split_words(&standardizer.apply(text), &mut |t: &[u8]| sink.token(t))
}

/// [`rewrite`] of the token `bytes[start..end]` into `out` by
/// [`kernels::standardize_ssse3`], at the SSSE3 level (code compiled for
/// SSSE3, see [`fused_split_ssse3`]), when the token has at most 16 bytes
/// and 16 bytes from its start are readable; None otherwise (and for a
/// word-mode token with non-ASCII bytes).
#[inline(always)]
fn rewrite_short<const LEVEL: u8, const WORD: bool, const LOWER: bool, const STRIP: bool>(
    bytes: &[u8],
    start: usize,
    end: usize,
    out: &mut [u8; 16],
) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    if LEVEL == SSSE3 && end - start <= 16 && start + 16 <= bytes.len() {
        // SAFETY: the SSSE3 level only runs inside `fused_split_ssse3`,
        // reached after `Level::detect` found SSSE3.
        return unsafe {
            kernels::standardize_ssse3::<WORD, LOWER, STRIP>(&bytes[start..], end - start, out)
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (bytes, start, end, out);
    None
}

/// Map `region` through `table` into the front of `buf` (DROP bytes left
/// out) and return the result's length. `buf` keeps at least
/// [`WINDOW_SLACK`] bytes after it.
#[inline]
fn rewrite(region: &[u8], table: &[u16; 256], buf: &mut Vec<u8>) -> usize {
    if buf.len() < region.len() + WINDOW_SLACK {
        buf.resize(region.len() + WINDOW_SLACK, 0); // bounded: a region of a text held
    }
    // Branch-free: every byte is stored, and the write position only advances
    // past the bytes that are kept (a DROP byte is overwritten by the next).
    let mut kept = 0;
    for &b in region {
        let c = table[usize::from(b)];
        if let Some(slot) = buf.get_mut(kept) {
            *slot = c as u8;
        }
        kept += usize::from(c < DROP);
    }
    kept
}

/// Readable bytes kept after a rewritten token (enough for the 16-byte loads
/// of [`TokenMap::get_at`]).
const WINDOW_SLACK: usize = 16;

/// Emit the maximal runs of word characters of `s`.
fn split_words<F>(s: &str, emit: &mut F) -> ControlFlow<()>
where
    F: FnMut(&[u8]) -> ControlFlow<()>,
{
    let mut start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(st)) => {
                emit(&s.as_bytes()[st..i])?;
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        emit(&s.as_bytes()[st..])?;
    }
    ControlFlow::Continue(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn pipeline(standardize: Option<&str>, split: Option<&str>, html: bool) -> TextPipeline {
        let st = Standardizer::from_name(standardize, html).unwrap_or_else(|e| panic!("{e}"));
        let sp = Splitter::from_spec(split).unwrap_or_else(|e| panic!("{e}"));
        TextPipeline::new(st, sp, std::iter::empty::<&str>())
    }

    #[test]
    fn empty_text_has_no_tokens() {
        assert!(TextPipeline::default().tokens("").is_empty());
        assert!(TextPipeline::default().tokens(" \t\n!!! ").is_empty());
    }

    #[test]
    fn keras_default() {
        let p = TextPipeline::default();
        assert_eq!(
            p.tokens("Hello, World!  It's\tA.B"),
            ["hello", "world", "its", "ab"]
        );
        // Only ASCII is lowercased; NBSP and U+2000 do not split; \x1c does not split.
        assert_eq!(
            p.tokens("ÉCOLE a\u{a0}b c\u{2000}d e\u{1c}f"),
            ["École", "a\u{a0}b", "c\u{2000}d", "e\u{1c}f"]
        );
        assert_eq!(p.tokens("x\x0by\x0cz\rw"), ["x", "y", "z", "w"]);
    }

    #[test]
    fn html_breaks() {
        let p = pipeline(
            Some("lower_and_strip_punctuation"),
            Some("whitespace"),
            true,
        );
        assert_eq!(
            p.tokens("a<br />b<BR/>c<br>d<bR  />e<b>f<br"),
            ["a", "b", "c", "d", "ebfbr"]
        );
        assert_eq!(strip_html_breaks("x<br />y"), "x y");
        assert_eq!(strip_html_breaks("no breaks <b>"), "no breaks <b>");
    }

    #[test]
    fn word_split_matches_python_semantics() {
        let p = pipeline(Some("lower_unicode"), Some("word"), false);
        assert_eq!(
            p.tokens("It's a_b, 3.5 ÉCOLE naïve"),
            ["it", "s", "a_b", "3", "5", "école", "naïve"]
        );
        assert!(is_word_char('é') && is_word_char('_') && is_word_char('²'));
        assert!(!is_word_char('\u{301}') && !is_word_char('-'));
    }

    #[test]
    fn regex_split_and_errors() {
        let p = pipeline(None, Some(r"[a-z]+|\d"), false);
        assert_eq!(p.tokens("ab12 Cd"), ["ab", "1", "2", "d"]);
        assert!(Splitter::from_spec(Some("(")).is_err());
        assert!(Standardizer::from_name(Some("upper"), false).is_err());
    }

    #[test]
    fn word_split_of_mixed_text_matches_the_general_path() {
        let texts = [
            "Ça VA? L'ÉCOLE naïve… x²+y_1 ÀB-ÇD  Kelvin:\u{212a}K İstanbul",
            "ΑΣ.Α ΟΔΟΣ σοφός", // capital sigma: the general path
            "mixed ascii/ünïcödé, 123abc—déf ghi\u{301}jkl",
            "",
            "é",
        ];
        for standardize in [
            None,
            Some("lower"),
            Some("lower_unicode"),
            Some("strip_punctuation"),
            Some("lower_unicode_and_strip_punctuation"),
        ] {
            let fast = pipeline(standardize, Some("word"), false);
            for text in texts {
                let st =
                    Standardizer::from_name(standardize, false).unwrap_or_else(|e| panic!("{e}"));
                let mut expected = Vec::new();
                let _ = split_words(&st.apply(text), &mut |t: &[u8]| {
                    expected.push(String::from_utf8_lossy(t).into_owned());
                    ControlFlow::Continue(())
                });
                assert_eq!(fast.tokens(text), expected, "{standardize:?} {text:?}");
            }
        }
    }

    #[test]
    fn character_split_is_every_code_point() {
        let p = pipeline(Some("lower"), Some("character"), false);
        assert_eq!(p.tokens("Aé b!"), ["a", "é", " ", "b", "!"]);
        assert!(p.tokens("").is_empty());
    }

    #[test]
    fn split_none_reports_the_empty_text() {
        struct Probe(Vec<String>);
        impl TokenSink for Probe {
            fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
                self.0
                    .push(String::from_utf8_lossy(&window[..len]).into_owned());
                ControlFlow::Continue(())
            }
            fn empty_text(&mut self) -> ControlFlow<()> {
                self.0.push("<empty>".into());
                ControlFlow::Continue(())
            }
        }
        let none = pipeline(Some("lower_and_strip_punctuation"), None, false);
        let whitespace = TextPipeline::default();
        for (text, want_none, want_ws) in [
            ("", &["<empty>"][..], &[][..]),
            ("?!", &["<empty>"][..], &[][..]),
            (" ", &[" "][..], &[][..]),
            ("A b", &["a b"][..], &["a", "b"][..]),
        ] {
            for (p, want) in [(&none, want_none), (&whitespace, want_ws)] {
                let mut probe = Probe(Vec::new());
                p.tokens_into(text, &mut Scratch::default(), &mut probe);
                assert_eq!(probe.0, want, "{text:?}");
            }
        }
    }

    #[test]
    fn stopwords_are_dropped() {
        let p = TextPipeline::new(Standardizer::default(), Splitter::Whitespace, ["the", "a"]);
        assert_eq!(p.tokens("The cat, a hat"), ["cat", "hat"]);
    }

    #[test]
    fn early_stop() {
        let p = TextPipeline::default();
        let mut seen = Vec::new();
        let mut scratch = Scratch::default();
        p.for_each_token("a b c d", &mut scratch, |t| {
            seen.push(t.to_vec());
            if seen.len() == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!(seen.len(), 2);
    }

    /// Pieces of random texts: every byte class the scanners treat apart
    /// (letters of both cases, digits, `_`, each ASCII punctuation character,
    /// each ASCII whitespace, other control bytes, multi-byte characters with
    /// and without a lowercase form, a capital sigma, HTML breaks).
    const PIECES: &[&str] = &[
        "a", "Z", "q", "M", "7", "0", "_", "!", "\"", "#", "$", "%", "&", "'", "(", ")", "*", "+",
        ",", "-", ".", "/", ":", ";", "<", "=", ">", "?", "@", "[", "\\", "]", "^", "`", "{", "|",
        "}", "~", " ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x00", "\x7f", "é", "É", "ß",
        "İ", "Σ", "\u{212a}", "\u{a0}", "\u{2000}", "\u{301}", "²", "😀", "<br />", "<BR/>",
        "<br>",
    ];

    /// A reproducible xorshift sequence.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// A random text of words separated by ASCII whitespace. Words are 1 to
    /// 40 pieces long (many longer than a 16-byte register), mostly letters
    /// with capitals and punctuation mixed in, so that tokens need
    /// rewriting; `ascii` keeps the pieces to ASCII.
    fn random_text(rng: &mut Rng, ascii: bool) -> String {
        let letters = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut text = String::new();
        for _ in 0..rng.below(40) {
            let longest = if rng.below(4) == 0 { 40 } else { 12 };
            for _ in 0..1 + rng.below(longest) {
                if rng.below(3) != 0 {
                    text.push(char::from(letters[rng.below(letters.len())]));
                } else {
                    let piece = PIECES[rng.below(PIECES.len())];
                    if !ascii || piece.is_ascii() {
                        text.push_str(piece);
                    }
                }
            }
            text.push_str([" ", " ", " ", "  ", "\t", "\n", "\r\n"][rng.below(7)]);
        }
        text
    }

    /// Every scanner level (the scalar one, SSE2, SSSE3 where the CPU has
    /// it) gives the general path's tokens, for every standardize and split
    /// mode, with and without HTML stripping and stopwords, on random texts
    /// with long tokens that need rewriting. A scanner that keeps a byte it
    /// should drop, or loses one, fails here.
    #[test]
    fn every_scanner_level_matches_the_general_path() {
        let levels = Level::available();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let texts: Vec<String> = (0..400)
            .map(|i| random_text(&mut rng, i % 2 == 0))
            .collect();
        let mut fused = 0usize;
        for standardize in [
            None,
            Some("lower"),
            Some("strip_punctuation"),
            Some("lower_and_strip_punctuation"),
            Some("lower_unicode"),
            Some("lower_unicode_and_strip_punctuation"),
        ] {
            for split in ["whitespace", "word"] {
                for html in [false, true] {
                    for stopwords in [&[][..], &["the", "a", "it's", "Don't", "é"][..]] {
                        let st = Standardizer::from_name(standardize, html)
                            .unwrap_or_else(|e| panic!("{e}"));
                        let sp = Splitter::from_spec(Some(split)).unwrap_or_else(|e| panic!("{e}"));
                        let p = TextPipeline::new(st, sp, stopwords.iter());
                        for text in &texts {
                            let want = tokens_by(&p, text, None);
                            for &level in &levels {
                                assert_eq!(
                                    tokens_by(&p, text, Some(level)),
                                    want,
                                    "{level:?} standardize={standardize:?} split={split} \
                                     html={html} text={text:?}"
                                );
                            }
                            fused += usize::from(text.is_ascii());
                        }
                    }
                }
            }
        }
        assert!(fused > 0);
    }

    /// The scanners see long tokens that need rewriting at each end of a
    /// text and across 64-byte blocks.
    #[test]
    fn long_dirty_tokens_at_block_edges() {
        let levels = Level::available();
        let long = "Don't-STOP-believing!!!...(Journey,1981)";
        let mut texts = vec![
            long.to_string(),
            format!(" {long} "),
            format!("{long}\t{long}"),
        ];
        for pad in [1usize, 15, 16, 17, 40, 47, 48, 49, 63, 64, 65] {
            texts.push(format!("{}{long}", "x".repeat(pad)));
            texts.push(format!("{} {long} {}", "y".repeat(pad), "Z!".repeat(pad)));
        }
        for standardize in [
            None,
            Some("lower"),
            Some("strip_punctuation"),
            Some("lower_and_strip_punctuation"),
        ] {
            for split in ["whitespace", "word"] {
                let st =
                    Standardizer::from_name(standardize, false).unwrap_or_else(|e| panic!("{e}"));
                let sp = Splitter::from_spec(Some(split)).unwrap_or_else(|e| panic!("{e}"));
                let p = TextPipeline::new(st, sp, std::iter::empty::<&str>());
                for text in &texts {
                    let want = tokens_by(&p, text, None);
                    for &level in &levels {
                        assert_eq!(
                            tokens_by(&p, text, Some(level)),
                            want,
                            "{level:?} {standardize:?} {split} {text:?}"
                        );
                    }
                }
            }
        }
    }
}
