//! The fused scanner: one pass over a text's bytes that standardizes and
//! splits at once through a 256-entry table, monomorphized for each
//! combination of rules and SIMD level (see `crate::simd`); and the
//! splitting of word characters that the general path shares with it.

use std::ops::ControlFlow;

use crate::simd::{Level, SCALAR};
#[cfg(target_arch = "x86_64")]
use crate::simd::{SSE2, SSSE3};

use super::kernels::{self, block_masks, ByteRules};
use super::{is_word_char, Lowercase, Scratch, Standardizer, TokenSink};

/// Byte classes of the fused fast path.
pub(super) const DROP: u16 = 256;
pub(super) const SEP: u16 = 257;

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
        // A full block is read in place; only the last one is copied.
        let mut padded = [b' '; 64];
        let block: &[u8; 64] = match bytes[base..n].first_chunk::<64>() {
            Some(full) => full,
            None => {
                padded[..len].copy_from_slice(&bytes[base..n]);
                &padded
            }
        };
        let (mut sep, mut dmask) = block_masks::<LEVEL>(block, rules);
        while sep != 0 {
            let i = sep.trailing_zeros();
            // The dirty bits up to this separator (those of earlier tokens
            // are already cleared; a separator's own bit is never set).
            let upto = dmask & (sep ^ (sep - 1));
            dirty |= upto != 0;
            dmask ^= upto;
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
            sep &= sep - 1;
        }
        if len < 64 {
            return ControlFlow::Continue(());
        }
        // The token running on into the next block.
        dirty |= dmask != 0;
        base += 64;
    }
}

/// One pass over the bytes: cut at separators; a token whose bytes all map to
/// themselves is emitted as a slice of the input (no copy), any other is
/// mapped through `table` (DROP bytes skipped) into a buffer first. On CPUs
/// with SSSE3 (nearly all x86-64 ones) short tokens take the branch-free path.
/// `level` picks the instructions (the CPU must have them, see
/// [`Level::detect`]).
pub(super) fn fused_split<S: TokenSink>(
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
pub(super) fn rewrite(region: &[u8], table: &[u16; 256], buf: &mut Vec<u8>) -> usize {
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
pub(super) fn split_words<F>(s: &str, emit: &mut F) -> ControlFlow<()>
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
