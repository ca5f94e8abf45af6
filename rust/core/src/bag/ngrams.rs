//! The n-grams of a text: its tokens laid out once with one space between
//! them ([`DocTokens`], an n-gram is a slice of that buffer), or, for
//! pipelines whose tokens hold no space, the tokens' ids among known
//! `Parts` with an n-gram packed into one integer key (`pack`).

use std::ops::ControlFlow;

use crate::error::{CoreError, Result};
use crate::text::{Scratch, Splitter, TextPipeline, TokenSink};
use crate::token_map::TokenMap;

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
    pub(crate) fn mark_rare(&self, frequent: &TokenMap<u32>, rare: &mut Vec<u32>) {
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
    pub(crate) fn for_each_ngram_within(
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
    pub(crate) fn for_each_ngram_at(&self, widths: &[usize], mut f: impl FnMut(&[u8], usize)) {
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

/// Tokens with dense ids (0, 1, ...): the frequent tokens while counting,
/// the pieces of the vocabulary's entries while building bags.
#[derive(Debug, Default)]
pub(crate) struct Parts {
    pub(crate) ids: TokenMap<u32>,
    pub(crate) tokens: Vec<Box<[u8]>>,
}

/// Id of "no part" in a sequence of part ids.
pub(crate) const NO_PART: u32 = u32::MAX;

/// Widths up to this are looked up as packed part ids ([`pack`]).
pub(crate) const MAX_PACKED: usize = 4;

impl Parts {
    /// The id of `token`, added if new.
    pub(crate) fn add(&mut self, token: &[u8]) -> u32 {
        if let Some(&id) = self.ids.get(token) {
            return id;
        }
        let id = self.tokens.len() as u32;
        self.ids.insert(token, id);
        self.tokens.push(token.into());
        id
    }

    /// The n-gram of these parts, joined with spaces.
    pub(crate) fn join(&self, key: u128) -> Vec<u8> {
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
    pub(crate) fn read(
        &self,
        pipeline: &TextPipeline,
        text: &str,
        scratch: &mut Scratch,
        out: &mut Vec<u32>,
    ) {
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
pub(crate) fn pack(ids: &[u32]) -> u128 {
    ids.iter().enumerate().fold(0u128, |key, (lane, &id)| {
        key | (u128::from(id) + 1) << (32 * lane)
    })
}

/// Whether the n-grams of `pipeline`'s tokens can be counted and looked up
/// as packed part ids: its tokens never hold a space (so an n-gram's string
/// tells its tokens) and no width is above [`MAX_PACKED`].
pub(crate) fn packable(pipeline: &TextPipeline, widths: &[usize]) -> bool {
    matches!(pipeline.splitter(), Splitter::Whitespace | Splitter::Word)
        && widths.iter().all(|&w| w <= MAX_PACKED)
}
