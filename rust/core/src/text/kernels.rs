//! The tokenizer's SIMD kernels, each beside its scalar twin (written the
//! crate's one way, see `crate::simd`):
//!
//! - [`block_masks`]: which bytes of a 64-byte block separate tokens and
//!   which need rewriting. Scalar twin [`block_masks_scalar`] ([`classify`]
//!   byte by byte); SSE2 version [`block_masks_sse2`].
//! - [`standardize_ssse3`]: branch-free standardization of one short token.
//!   Most tokens are at most 16 bytes long. For those, the scanner loads the
//!   16 bytes that start at the token into a vector register, lowercases
//!   ASCII letters, and deletes ASCII punctuation by shuffling the kept bytes
//!   to the front (`pshufb` with a precomputed index table), all without a
//!   branch that depends on the token's contents. Branching per token on
//!   "does this token need rewriting" and looping over its bytes mispredicts
//!   on about one token in four of an English review, which cost more than
//!   the rest of the work. Its scalar twin is the scanner's byte-table
//!   rewrite (`rewrite`, what the other levels run); a test checks both for
//!   every byte and for random tokens.

#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

#[cfg(target_arch = "x86_64")]
use crate::simd::SSE2;
#[cfg(target_arch = "x86_64")]
use crate::simd::SSSE3;

/// Which bytes separate tokens and which need rewriting, for the fast path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ByteRules {
    /// Word-character splitting (ASCII text) instead of whitespace splitting.
    pub(super) word: bool,
    /// ASCII uppercase letters must be lowercased.
    pub(super) lower: bool,
    /// ASCII punctuation must be deleted.
    pub(super) strip: bool,
}

/// One of the 32 ASCII punctuation characters: 33-47, 58-64, 91-96, 123-126.
#[inline(always)]
fn is_ascii_punct(b: u8) -> bool {
    b.wrapping_sub(33) < 15
        || b.wrapping_sub(58) < 7
        || b.wrapping_sub(91) < 6
        || b.wrapping_sub(123) < 4
}

/// (separator, needs-rewriting) for one byte; written with comparisons only
/// so that the 64-byte loop of [`block_masks_scalar`] compiles to SIMD
/// compares and bit masks.
#[inline(always)]
pub(super) fn classify(b: u8, rules: ByteRules) -> (bool, bool) {
    let punct = rules.strip && is_ascii_punct(b);
    // In word mode a non-ASCII byte is part of a region that the Unicode
    // path splits; it marks the region for it.
    let high = rules.word && b >= 0x80;
    let sep = if rules.word {
        let wordch = b.wrapping_sub(b'a') < 26
            || b.wrapping_sub(b'A') < 26
            || b.wrapping_sub(b'0') < 10
            || b == b'_';
        !wordch && !punct && !high
    } else {
        b == b' ' || b.wrapping_sub(9) < 5
    };
    let dirty = punct || high || (rules.lower && b.wrapping_sub(b'A') < 26);
    (sep && !punct, dirty && !sep)
}

/// Separator and needs-rewriting bit masks of a 64-byte block, with the
/// instructions of `LEVEL` (a [`crate::simd::Level`]).
#[inline(always)]
pub(super) fn block_masks<const LEVEL: u8>(block: &[u8; 64], rules: ByteRules) -> (u64, u64) {
    #[cfg(target_arch = "x86_64")]
    if LEVEL == SSSE3 && !rules.word && !rules.lower {
        // SAFETY: the SSSE3 level only runs where the CPU has SSSE3 (see
        // `crate::simd::Level::detect`).
        return unsafe { block_masks_ssse3_whitespace(block, rules.strip) };
    }
    #[cfg(target_arch = "x86_64")]
    if LEVEL >= SSE2 {
        return block_masks_sse2(block, rules);
    }
    block_masks_scalar(block, rules)
}

/// [`block_masks`], portable: [`classify`] byte by byte (the scalar twin).
#[inline(always)]
pub(super) fn block_masks_scalar(block: &[u8; 64], rules: ByteRules) -> (u64, u64) {
    let mut sep = 0u64;
    let mut dirty = 0u64;
    for (j, &b) in block.iter().enumerate() {
        let (s, d) = classify(b, rules);
        sep |= u64::from(s) << j;
        dirty |= u64::from(d) << j;
    }
    (sep, dirty)
}

/// Bytes `b` with `lo <= b < lo + n` (unsigned), as 0xff lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn in_range(v: __m128i, lo: u8, n: u8) -> __m128i {
    // (v - lo) as unsigned < n  <=>  min(v - lo, n - 1) == v - lo
    let d = _mm_sub_epi8(v, _mm_set1_epi8(lo as i8));
    _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8((n - 1) as i8)), d)
}

/// The 32 ASCII punctuation characters ([`is_ascii_punct`]), as 0xff lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn ascii_punct(v: __m128i) -> __m128i {
    _mm_or_si128(
        _mm_or_si128(in_range(v, 33, 15), in_range(v, 58, 7)),
        _mm_or_si128(in_range(v, 91, 6), in_range(v, 123, 4)),
    )
}

/// Classes of a byte for [`block_masks_ssse3_whitespace`], as bits that
/// are set in both `NIBBLE_LO[b & 15]` and `NIBBLE_HI[b >> 4]`: bits 0-4
/// the 32 ASCII punctuation characters (one bit per run of them that shares
/// a high nibble, 0x21-0x2f, 0x3a-0x3f, 0x40 and 0x60, 0x5b-0x5f,
/// 0x7b-0x7e), bits 5-6 the whitespace of `tf.strings.split` (0x09-0x0d,
/// 0x20). Bytes from 0x80 have no class.
const PUNCT_BITS: i8 = 0x1f;
const SPACE_BITS: i8 = 0x60;

/// The low-nibble half of the byte classes (see [`PUNCT_BITS`]).
const NIBBLE_LO: [u8; 16] = {
    let mut t = [0u8; 16];
    let mut lo = 0;
    while lo < 16 {
        let mut bits = 0u8;
        if lo >= 1 {
            bits |= 1; // 0x21-0x2f
        }
        if lo >= 0xa {
            bits |= 2; // 0x3a-0x3f
        }
        if lo == 0 {
            bits |= 4 | 0x40; // 0x40, 0x60; 0x20
        }
        if lo >= 0xb {
            bits |= 8; // 0x5b-0x5f
        }
        if lo >= 0xb && lo <= 0xe {
            bits |= 0x10; // 0x7b-0x7e
        }
        if lo >= 9 && lo <= 0xd {
            bits |= 0x20; // 0x09-0x0d
        }
        t[lo] = bits;
        lo += 1;
    }
    t
};

/// The high-nibble half of the byte classes (see [`PUNCT_BITS`]).
const NIBBLE_HI: [u8; 16] = [
    0x20,
    0,
    0x01 | 0x40,
    0x02,
    0x04,
    0x08,
    0x04,
    0x10,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
];

/// [`block_masks`] at the SSSE3 level for whitespace splitting of text that
/// needs no lowercasing (the Keras default once the text is lowercased as a
/// whole, see `scan::fused_split_ssse3`): each byte's class from two
/// `pshufb` nibble lookups instead of a dozen range compares.
///
/// # Safety
/// The CPU must have SSSE3. (No target feature on the function, so that it
/// is always inlined into the scanner, which is compiled for SSSE3.)
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn block_masks_ssse3_whitespace(block: &[u8; 64], strip: bool) -> (u64, u64) {
    // SAFETY: SSSE3 per the caller; each `chunk` is 16 readable bytes, and
    // loadu has no alignment requirement.
    unsafe {
        let lo_table = _mm_loadu_si128(NIBBLE_LO.as_ptr().cast::<__m128i>());
        let hi_table = _mm_loadu_si128(NIBBLE_HI.as_ptr().cast::<__m128i>());
        let nibble = _mm_set1_epi8(0x0f);
        let zero = _mm_setzero_si128();
        let mut not_sep = 0u64;
        let mut not_punct = 0u64;
        for (k, chunk) in block.chunks_exact(16).enumerate() {
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let lo = _mm_and_si128(v, nibble);
            let hi = _mm_and_si128(_mm_srli_epi16::<4>(v), nibble);
            let class = _mm_and_si128(
                _mm_shuffle_epi8(lo_table, lo),
                _mm_shuffle_epi8(hi_table, hi),
            );
            let space = _mm_and_si128(class, _mm_set1_epi8(SPACE_BITS));
            not_sep |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(space, zero)) as u16) << (16 * k);
            if strip {
                let punct = _mm_and_si128(class, _mm_set1_epi8(PUNCT_BITS));
                not_punct |=
                    u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(punct, zero)) as u16) << (16 * k);
            }
        }
        // Punctuation is never whitespace, so it is dirty wherever it is.
        let dirty = if strip { !not_punct } else { 0 };
        (!not_sep, dirty)
    }
}

/// [`block_masks`] with SSE2 (same results as [`block_masks_scalar`]).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block_masks_sse2(block: &[u8; 64], rules: ByteRules) -> (u64, u64) {
    // SAFETY: SSE2 is part of the x86-64 baseline, always available (no
    // target feature on this function, so that it is always inlined); each
    // `chunk` is 16 readable bytes, and loadu has no alignment requirement.
    unsafe {
        let mut sep = 0u64;
        let mut dirty = 0u64;
        for (k, chunk) in block.chunks_exact(16).enumerate() {
            // `chunk` is 16 readable bytes; loadu has no alignment requirement.
            let v = _mm_loadu_si128(chunk.as_ptr().cast::<__m128i>());
            let zero = _mm_setzero_si128();
            let punct = if rules.strip { ascii_punct(v) } else { zero };
            let upper = in_range(v, b'A', 26);
            let s = if rules.word {
                let wordch = _mm_or_si128(
                    _mm_or_si128(upper, in_range(v, b'a', 26)),
                    _mm_or_si128(
                        in_range(v, b'0', 10),
                        _mm_cmpeq_epi8(v, _mm_set1_epi8(b'_' as i8)),
                    ),
                );
                // not a word char, not deleted punctuation, not a non-ASCII byte
                let high = _mm_cmplt_epi8(v, zero);
                _mm_andnot_si128(
                    _mm_or_si128(_mm_or_si128(wordch, punct), high),
                    _mm_set1_epi8(-1),
                )
            } else {
                _mm_andnot_si128(
                    punct,
                    _mm_or_si128(
                        _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8)),
                        in_range(v, 9, 5),
                    ),
                )
            };
            let d = if rules.lower {
                _mm_or_si128(punct, upper)
            } else {
                punct
            };
            let d = if rules.word {
                _mm_or_si128(d, _mm_cmplt_epi8(v, zero))
            } else {
                d
            };
            let d = _mm_andnot_si128(s, d);
            sep |= u64::from(_mm_movemask_epi8(s) as u16) << (16 * k);
            dirty |= u64::from(_mm_movemask_epi8(d) as u16) << (16 * k);
        }
        (sep, dirty)
    }
}

/// `COMPRESS[m]`: eight shuffle indices that move the bytes of an 8-byte lane
/// whose bits are set in `m` to the front, in order (the rest 0x80: zero).
#[cfg(target_arch = "x86_64")]
static COMPRESS: [u64; 256] = compress_table();

/// `SHIFT[k]`: shuffle indices that move bytes 8.. of a vector to position
/// `k`, keeping bytes ..k in place.
#[cfg(target_arch = "x86_64")]
static SHIFT: [[u8; 16]; 9] = shift_table();

#[cfg(target_arch = "x86_64")]
const fn compress_table() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut mask = 0;
    while mask < 256 {
        let mut value = 0u64;
        let mut k = 0;
        let mut j = 0;
        while j < 8 {
            if (mask >> j) & 1 == 1 {
                value |= (j as u64) << (8 * k);
                k += 1;
            }
            j += 1;
        }
        while k < 8 {
            value |= 0x80 << (8 * k);
            k += 1;
        }
        table[mask] = value;
        mask += 1;
    }
    table
}

#[cfg(target_arch = "x86_64")]
const fn shift_table() -> [[u8; 16]; 9] {
    let mut table = [[0u8; 16]; 9];
    let mut k = 0;
    while k <= 8 {
        let mut j = 0;
        while j < 16 {
            table[k][j] = if j < k {
                j as u8
            } else if j - k + 8 < 16 {
                (j - k + 8) as u8
            } else {
                0x80
            };
            j += 1;
        }
        k += 1;
    }
    table
}

/// Standardize the token `window[..len]` (`1 <= len <= 16`, `window` at
/// least 16 bytes) into `out`: ASCII letters lowercased if `LOWER`, ASCII
/// punctuation deleted if `STRIP`. Returns the new length, or None when
/// `WORD` is set and the token holds a non-ASCII byte (the caller's Unicode
/// path handles those).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "ssse3")]
#[inline]
pub(super) fn standardize_ssse3<const WORD: bool, const LOWER: bool, const STRIP: bool>(
    window: &[u8],
    len: usize,
    out: &mut [u8; 16],
) -> Option<usize> {
    debug_assert!(window.len() >= 16 && (1..=16).contains(&len));
    let mut head = [0u8; 16];
    head.copy_from_slice(&window[..16]);
    // SAFETY: `head` is 16 readable bytes; loadu has no alignment requirement.
    let v = unsafe { _mm_loadu_si128(head.as_ptr().cast::<__m128i>()) };
    let live = (1u32 << len) - 1;
    if WORD && (_mm_movemask_epi8(v) as u32) & live != 0 {
        return None;
    }
    let v = if LOWER {
        _mm_add_epi8(v, _mm_and_si128(in_range(v, b'A', 26), _mm_set1_epi8(32)))
    } else {
        v
    };
    if !STRIP {
        // SAFETY: `out` is 16 writable bytes; storeu has no alignment
        // requirement.
        unsafe { _mm_storeu_si128(out.as_mut_ptr().cast::<__m128i>(), v) };
        return Some(len);
    }
    let keep = !(_mm_movemask_epi8(ascii_punct(v)) as u32) & live;
    let lo = (keep & 0xff) as usize;
    let hi = ((keep >> 8) & 0xff) as usize;
    // Indices of the high lane are 8.. (bit 3 set; 0x80 entries stay 0x8x).
    let index = _mm_set_epi64x(
        (COMPRESS[hi] | 0x0808_0808_0808_0808) as i64,
        COMPRESS[lo] as i64,
    );
    let packed = _mm_shuffle_epi8(v, index);
    let shift: &[u8; 16] = &SHIFT[lo.count_ones() as usize];
    // SAFETY: `shift` is 16 readable bytes; loadu has no alignment
    // requirement.
    let shift = unsafe { _mm_loadu_si128(shift.as_ptr().cast::<__m128i>()) };
    // SAFETY: `out` is 16 writable bytes; storeu has no alignment requirement.
    unsafe {
        _mm_storeu_si128(
            out.as_mut_ptr().cast::<__m128i>(),
            _mm_shuffle_epi8(packed, shift),
        )
    };
    Some(keep.count_ones() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simd::{Level, SCALAR};

    /// [`block_masks`] at every level against [`classify`], byte by byte.
    #[test]
    fn block_masks_match_classify() {
        let mut block = [0u8; 64];
        for start in (0..256).step_by(64) {
            for (j, b) in block.iter_mut().enumerate() {
                *b = (start + j) as u8;
            }
            for bits in 0..8u8 {
                let rules = ByteRules {
                    word: bits & 1 != 0,
                    lower: bits & 2 != 0,
                    strip: bits & 4 != 0,
                };
                for level in Level::available() {
                    let (sep, dirty) = match level {
                        Level::Scalar => block_masks::<SCALAR>(&block, rules),
                        #[cfg(target_arch = "x86_64")]
                        Level::Sse2 => block_masks::<SSE2>(&block, rules),
                        #[cfg(target_arch = "x86_64")]
                        Level::Ssse3 => block_masks::<{ crate::simd::SSSE3 }>(&block, rules),
                    };
                    for (j, &b) in block.iter().enumerate() {
                        let (s, d) = classify(b, rules);
                        assert_eq!(
                            (sep >> j & 1 == 1, dirty >> j & 1 == 1),
                            (s, d),
                            "byte {b} {rules:?} {level:?}"
                        );
                    }
                }
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    mod ssse3 {
        use super::*;
        use crate::text::scan::{rewrite, SEP};
        use crate::text::ASCII_PUNCTUATION;
        use crate::text::{Splitter, Standardizer, TextPipeline};

        /// The definition: what standardizing does to a token.
        fn reference(token: &[u8], word: bool, lower: bool, strip: bool) -> Option<Vec<u8>> {
            if word && !token.is_ascii() {
                return None;
            }
            Some(
                token
                    .iter()
                    .filter(|b| !(strip && ASCII_PUNCTUATION.contains(b)))
                    .map(|b| if lower { b.to_ascii_lowercase() } else { *b })
                    .collect(),
            )
        }

        /// The scalar twin: the scanner's byte-table rewrite, with the
        /// table of a pipeline of these rules; None for a token that the
        /// scanner never forms (it holds a separator), or that goes to the
        /// Unicode path.
        fn scalar_twin(token: &[u8], word: bool, lower: bool, strip: bool) -> Option<Vec<u8>> {
            if word && !token.is_ascii() {
                // The Unicode path's, as for the kernel.
                return None;
            }
            let standardize = match (lower, strip) {
                (false, false) => None,
                (true, false) => Some("lower"),
                (false, true) => Some("strip_punctuation"),
                (true, true) => Some("lower_and_strip_punctuation"),
            };
            let st = Standardizer::from_name(standardize, false).unwrap_or_else(|e| panic!("{e}"));
            let sp = if word {
                Splitter::Word
            } else {
                Splitter::Whitespace
            };
            let p = TextPipeline::new(st, sp, std::iter::empty::<&str>());
            let table = if word {
                &p.word_table
            } else {
                &p.whitespace_table
            };
            if token.iter().any(|&b| table[usize::from(b)] == SEP) {
                return None;
            }
            let mut buf = Vec::new();
            let len = rewrite(token, table, &mut buf);
            Some(buf[..len].to_vec())
        }

        #[target_feature(enable = "ssse3")]
        fn run(token: &[u8], word: bool, lower: bool, strip: bool) -> Option<Vec<u8>> {
            // The window continues with bytes that are not part of the token.
            let mut window = token.to_vec();
            window.extend_from_slice(b"XY,.zz\xff\x00AAAAAAAAAAAAAAAA");
            let mut out = [0u8; 16];
            let len = token.len();
            let w = &window;
            let o = &mut out;
            let kept = match (word, lower, strip) {
                (false, false, false) => standardize_ssse3::<false, false, false>(w, len, o),
                (false, false, true) => standardize_ssse3::<false, false, true>(w, len, o),
                (false, true, false) => standardize_ssse3::<false, true, false>(w, len, o),
                (false, true, true) => standardize_ssse3::<false, true, true>(w, len, o),
                (true, false, false) => standardize_ssse3::<true, false, false>(w, len, o),
                (true, false, true) => standardize_ssse3::<true, false, true>(w, len, o),
                (true, true, false) => standardize_ssse3::<true, true, false>(w, len, o),
                (true, true, true) => standardize_ssse3::<true, true, true>(w, len, o),
            };
            kept.map(|n| out[..n].to_vec())
        }

        /// The SSSE3 kernel, its scalar twin and the definition agree for
        /// every byte and for random tokens of every length up to 16, under
        /// every rule.
        #[test]
        fn standardize_matches_the_scalar_twin_for_every_byte_and_random_tokens() {
            if Level::detect() != Level::Ssse3 {
                return;
            }
            let mut tokens: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
            tokens.push(b"Don't!".to_vec());
            tokens.push(b"...,,,!!!???---".to_vec());
            tokens.push(b"ABCDEFGHIJKLMNOP".to_vec());
            tokens.push(b"a.b.c.d.e.f.g.h.".to_vec());
            // Random tokens of every length up to 16 over letters, digits,
            // punctuation, NUL and non-ASCII bytes (a fixed linear
            // congruential sequence, so the test is reproducible).
            let alphabet: Vec<u8> = (b'A'..=b'Z')
                .chain(b'a'..=b'z')
                .chain(b'0'..=b'9')
                .chain(ASCII_PUNCTUATION.iter().copied())
                .chain([0u8, 0x7f, 0x80, 0xc3, 0xa9, 0xff])
                .collect();
            let mut state = 0x2545_f491_4f6c_dd1du64;
            for len in 1..=16 {
                for _ in 0..2000 {
                    let token = (0..len)
                        .map(|_| {
                            state = state
                                .wrapping_mul(6_364_136_223_846_793_005)
                                .wrapping_add(1);
                            alphabet[(state >> 33) as usize % alphabet.len()]
                        })
                        .collect();
                    tokens.push(token);
                }
            }
            let mut twins = 0usize;
            for token in &tokens {
                for rules in 0..8 {
                    let (word, lower, strip) = (rules & 4 != 0, rules & 2 != 0, rules & 1 != 0);
                    // SAFETY: the CPU has SSSE3 (checked above).
                    let got = unsafe { run(token, word, lower, strip) };
                    let at = format!("{token:?} word={word} lower={lower} strip={strip}");
                    assert_eq!(got, reference(token, word, lower, strip), "{at}");
                    if let Some(twin) = scalar_twin(token, word, lower, strip) {
                        assert_eq!(got, Some(twin), "{at}");
                        twins += 1;
                    }
                }
            }
            assert!(twins > tokens.len(), "{twins}");
        }
    }
}
