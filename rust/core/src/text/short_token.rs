//! Branch-free standardization of one short token (SSSE3).
//!
//! Most tokens are at most 16 bytes long. For those, the scanner loads the 16
//! bytes that start at the token into a vector register, lowercases ASCII
//! letters, and deletes ASCII punctuation by shuffling the kept bytes to the
//! front (`pshufb` with a precomputed index table), all without a branch that
//! depends on the token's contents. Branching per token on "does this token
//! need rewriting" and looping over its bytes mispredicts on about one token
//! in four of an English review, which cost more than the rest of the work.
//!
//! The result equals mapping every byte through the scanner's byte table
//! (lowercase, or DROP for punctuation); a test checks it for every byte and
//! for random tokens.

use std::arch::x86_64::*;

/// `COMPRESS[m]`: eight shuffle indices that move the bytes of an 8-byte lane
/// whose bits are set in `m` to the front, in order (the rest 0x80: zero).
static COMPRESS: [u64; 256] = compress_table();

/// `SHIFT[k]`: shuffle indices that move bytes 8.. of a vector to position
/// `k`, keeping bytes ..k in place.
static SHIFT: [[u8; 16]; 9] = shift_table();

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

/// Bytes `b` with `lo <= b < lo + n` (unsigned), as 0xff lanes.
#[inline(always)]
unsafe fn in_range(v: __m128i, lo: u8, n: u8) -> __m128i {
    let d = _mm_sub_epi8(v, _mm_set1_epi8(lo as i8));
    _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8((n - 1) as i8)), d)
}

/// Standardize the token `window[..len]` (`1 <= len <= 16`, `window` at
/// least 16 bytes) into `out`: ASCII letters lowercased if `LOWER`, ASCII
/// punctuation deleted if `STRIP`. Returns the new length, or None when
/// `WORD` is set and the token holds a non-ASCII byte (the caller's Unicode
/// path handles those).
///
/// # Safety
/// The CPU must support SSSE3; the caller is compiled with it enabled.
#[inline(always)]
pub(super) unsafe fn standardize<const WORD: bool, const LOWER: bool, const STRIP: bool>(
    window: &[u8],
    len: usize,
    out: &mut [u8; 16],
) -> Option<usize> {
    debug_assert!(window.len() >= 16 && (1..=16).contains(&len));
    let mut head = [0u8; 16];
    head.copy_from_slice(&window[..16]);
    let v = _mm_loadu_si128(head.as_ptr().cast());
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
        _mm_storeu_si128(out.as_mut_ptr().cast(), v);
        return Some(len);
    }
    // The 32 ASCII punctuation characters: 33-47, 58-64, 91-96, 123-126.
    let punct = _mm_or_si128(
        _mm_or_si128(in_range(v, 33, 15), in_range(v, 58, 7)),
        _mm_or_si128(in_range(v, 91, 6), in_range(v, 123, 4)),
    );
    let keep = !(_mm_movemask_epi8(punct) as u32) & live;
    let lo = (keep & 0xff) as usize;
    let hi = ((keep >> 8) & 0xff) as usize;
    // Indices of the high lane are 8.. (bit 3 set; 0x80 entries stay 0x8x).
    let index = _mm_set_epi64x(
        (COMPRESS[hi] | 0x0808_0808_0808_0808) as i64,
        COMPRESS[lo] as i64,
    );
    let packed = _mm_shuffle_epi8(v, index);
    let shift = _mm_loadu_si128(SHIFT[lo.count_ones() as usize].as_ptr().cast());
    _mm_storeu_si128(out.as_mut_ptr().cast(), _mm_shuffle_epi8(packed, shift));
    Some(keep.count_ones() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::ASCII_PUNCTUATION;

    /// The scalar definition: what the byte table does to a token.
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

    #[target_feature(enable = "ssse3")]
    unsafe fn run(token: &[u8], word: bool, lower: bool, strip: bool) -> Option<Vec<u8>> {
        // The window continues with bytes that are not part of the token.
        let mut window = token.to_vec();
        window.extend_from_slice(b"XY,.zz\xff\x00AAAAAAAAAAAAAAAA");
        let mut out = [0u8; 16];
        let len = token.len();
        let kept = match (word, lower, strip) {
            (false, false, false) => standardize::<false, false, false>(&window, len, &mut out),
            (false, false, true) => standardize::<false, false, true>(&window, len, &mut out),
            (false, true, false) => standardize::<false, true, false>(&window, len, &mut out),
            (false, true, true) => standardize::<false, true, true>(&window, len, &mut out),
            (true, false, false) => standardize::<true, false, false>(&window, len, &mut out),
            (true, false, true) => standardize::<true, false, true>(&window, len, &mut out),
            (true, true, false) => standardize::<true, true, false>(&window, len, &mut out),
            (true, true, true) => standardize::<true, true, true>(&window, len, &mut out),
        };
        kept.map(|n| out[..n].to_vec())
    }

    #[test]
    fn equals_the_byte_table_for_every_byte_and_random_tokens() {
        if !std::arch::is_x86_feature_detected!("ssse3") {
            return;
        }
        let mut tokens: Vec<Vec<u8>> = (0..=255u8).map(|b| vec![b]).collect();
        tokens.push(b"Don't!".to_vec());
        tokens.push(b"...,,,!!!???---".to_vec());
        tokens.push(b"ABCDEFGHIJKLMNOP".to_vec());
        tokens.push(b"a.b.c.d.e.f.g.h.".to_vec());
        // Random tokens of every length up to 16 over letters, digits,
        // punctuation, NUL and non-ASCII bytes (a fixed linear congruential
        // sequence, so the test is reproducible).
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
        for token in &tokens {
            for rules in 0..8 {
                let (word, lower, strip) = (rules & 4 != 0, rules & 2 != 0, rules & 1 != 0);
                // SAFETY: SSSE3 is available (checked above).
                let got = unsafe { run(token, word, lower, strip) };
                assert_eq!(
                    got,
                    reference(token, word, lower, strip),
                    "{token:?} word={word} lower={lower} strip={strip}"
                );
            }
        }
    }
}
