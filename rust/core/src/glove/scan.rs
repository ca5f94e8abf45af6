//! Cutting GloVe text into chunks and lines, and scanning the fields of a
//! line: one field scanner ([`fill_values`]) serves both modes and both
//! line readers.
//!
//! A line is read in two steps, [`line_word`] then [`line_values`] (the
//! vocabulary mode skips the values of words it does not want), each with a
//! fast and a general reader:
//!
//! - **fast**: the usual line (`word v1 ... vD\n`, single spaces) is read in
//!   one pass, without first looking for the line's end: the separators are
//!   found 64 bytes at a time and the last value must end at a `\n`;
//! - **general**: any other line (CRLF, trailing spaces, the last line of
//!   the file without a `\n`, malformed text) is first bounded (its end
//!   found, `\r` and trailing spaces trimmed), then scanned by the same
//!   scanner within those bounds; a line it rejects is an error, worded by
//!   [`diagnose`].
//!
//! Every line the fast reader takes, the general one reads the same way (a
//! test compares both on every decimal form).

use std::ops::Range;
use std::path::Path;

use super::number::{general, parse_number, short_decimal};
use crate::error::CoreError;

/// An error found inside a chunk: (chunk-local 0-based line, message).
pub(super) type LocalError = (usize, String);

/// Cut `data` into about `parts` chunks that end just after a newline.
pub(super) fn chunks(data: &[u8], parts: usize) -> Vec<Range<usize>> {
    let target = (data.len() / parts.max(1)).max(1 << 16);
    let mut out = Vec::new();
    let mut start = 0;
    while start < data.len() {
        let tentative = (start + target).min(data.len());
        let end = if tentative == data.len() {
            tentative
        } else {
            match memchr::memchr(b'\n', &data[tentative..]) {
                Some(i) => tentative + i + 1,
                None => data.len(),
            }
        };
        out.push(start..end);
        start = end;
    }
    out
}

/// Number of lines in a chunk (a last line without `\n` counts).
pub(super) fn count_lines(chunk: &[u8]) -> usize {
    let n = memchr::memchr_iter(b'\n', chunk).count();
    if chunk.last().is_some_and(|&b| b != b'\n') {
        n + 1
    } else {
        n
    }
}

/// Turn an error in chunk `chunk` of `parts` (a block of `data` that
/// `lines_before` lines precede) into a file-level error with a 1-based
/// line number.
pub(super) fn locate(
    label: &Path,
    lines_before: u64,
    data: &[u8],
    parts: &[Range<usize>],
    chunk: usize,
    err: LocalError,
) -> CoreError {
    let before: usize = parts[..chunk]
        .iter()
        .map(|r| count_lines(&data[r.clone()]))
        .sum();
    CoreError::malformed(label, lines_before + 1 + (before + err.0) as u64, err.1)
}

/// The line at `data[p..]` (ending at the next `\n` or at `stop`): the end
/// of its text with trailing `\r` and spaces removed, and the position after
/// the line.
pub(super) fn line_end(data: &[u8], p: usize, stop: usize) -> (usize, usize) {
    let rest = data.get(p..stop).unwrap_or_default();
    let (mut end, next) = match memchr::memchr(b'\n', rest) {
        Some(i) => (p + i, p + i + 1),
        None => (stop, stop),
    };
    while end > p && matches!(data[end - 1], b'\r' | b' ') {
        end -= 1;
    }
    (end, next)
}

/// Split a line (trimmed, see [`line_end`]) into its word and the text of
/// its values.
pub(super) fn split_word(line: &[u8]) -> Result<(&[u8], &[u8]), String> {
    if line.is_empty() {
        return Err("empty line".into());
    }
    match memchr::memchr(b' ', line) {
        Some(0) => Err("empty word (the line starts with a space)".into()),
        Some(i) => Ok((&line[..i], &line[i + 1..])),
        None => Err("a word without values".into()),
    }
}

/// Count the values on a line (fields after the word).
pub(super) fn count_values(values: &[u8]) -> usize {
    memchr::memchr_iter(b' ', values).count() + 1
}

/// The word of the line at `data[p..]` (ending at the next `\n` or at
/// `stop`) and the position of its first value, or the error message.
#[inline(always)]
pub(super) fn line_word(data: &[u8], p: usize, stop: usize) -> Result<(&[u8], usize), String> {
    match fast_word(data, p, stop) {
        Some(found) => Ok(found),
        None => slow_word(data, p, stop),
    }
}

/// [`line_word`] for the usual line: a word, one space, then a byte that
/// starts a value (not a space, `\r` or the line end). None for anything
/// else.
#[inline(always)]
fn fast_word(data: &[u8], p: usize, stop: usize) -> Option<(&[u8], usize)> {
    let line = data.get(p..stop)?;
    let w = memchr::memchr2(b' ', b'\n', line)?;
    // Not an empty word, nor a word without values.
    let value_start = line.get(w + 1);
    if w == 0 || line[w] != b' ' || value_start.is_none_or(|&b| matches!(b, b' ' | b'\r' | b'\n')) {
        return None;
    }
    Some((&line[..w], p + w + 1))
}

/// [`line_word`] for any line: split after trimming (see [`split_word`]).
#[cold]
#[inline(never)]
fn slow_word(data: &[u8], p: usize, stop: usize) -> Result<(&[u8], usize), String> {
    let (end, _) = line_end(data, p, stop);
    let (word, _) = split_word(&data[p..end])?;
    Ok((word, p + word.len() + 1))
}

/// The position after the line whose text goes on at `data[v]`.
#[inline(always)]
pub(super) fn next_line(data: &[u8], v: usize, stop: usize) -> usize {
    match memchr::memchr(b'\n', data.get(v..stop).unwrap_or_default()) {
        Some(i) => v + i + 1,
        None => stop,
    }
}

/// Parse the values of a line, from `data[v]` (see [`line_word`]) into
/// `row` (length `dim`), and return the position after the line, or the
/// error message.
#[inline(always)]
pub(super) fn line_values(
    data: &[u8],
    v: usize,
    stop: usize,
    row: &mut [f32],
) -> Result<usize, String> {
    match fast_values(data, v, row) {
        0 => slow_values(data, v, stop, row),
        next => Ok(next),
    }
}

/// The fast reader of a line's values (`v1 ... vD\n` from `data[start]`):
/// fills `row` and returns the position after the `\n`, or 0 when the line
/// is anything else (`row` may then be partly written).
///
/// Not inlined, so that its loop gets the registers to itself; for the same
/// reason the loop holds no call: at the first number that is not in the
/// short form, the rest of the line goes to [`values_general`].
#[inline(never)]
fn fast_values(data: &[u8], start: usize, row: &mut [f32]) -> usize {
    match separators(data, start) {
        Some(mask) => fill_values::<false, false>(data, start, mask, start, usize::MAX, row, 0),
        None => 0,
    }
}

/// [`fill_values`] of the fast reader with the general parser, from field
/// `from` on.
#[cold]
#[inline(never)]
fn values_general(
    data: &[u8],
    base: usize,
    mask: u64,
    start: usize,
    row: &mut [f32],
    from: usize,
) -> usize {
    fill_values::<true, false>(data, base, mask, start, usize::MAX, row, from)
}

/// The general reader of a line's values, from `data[v]`: bounds the line
/// (see [`line_end`]) and scans the values within those bounds. Returns the
/// position after the line, or the error message.
#[cold]
#[inline(never)]
fn slow_values(data: &[u8], v: usize, stop: usize, row: &mut [f32]) -> Result<usize, String> {
    // `end >= v`: trimming stops at `v`.
    let (end, next) = line_end(data, v, stop);
    let mask = separators_within(data, v, end);
    match fill_values::<true, true>(data, v, mask, v, end, row, 0) {
        0 => Err(diagnose(&data[v..end], row.len())),
        _ => Ok(next),
    }
}

/// The field scanner: fields `from..` of `row`, the next one starting at
/// `start`, with `mask` the separators (bytes `<= b' '`) of the 64 bytes at
/// `base` not yet consumed. Returns the position after the last value's
/// terminator, or 0 when the line does not have exactly `row.len()` values
/// separated by single spaces, or a value is not a number.
///
/// `BOUNDED`: the values end at `limit` (the general reader); else at the
/// first `\n` (the fast reader, which needs 64 readable bytes at every block
/// it loads). `GENERAL`: numbers the short-decimal parser does not take go
/// to the general parser; else the rest of the line goes to
/// [`values_general`].
#[inline(always)]
fn fill_values<const GENERAL: bool, const BOUNDED: bool>(
    data: &[u8],
    mut base: usize,
    mut mask: u64,
    mut start: usize,
    limit: usize,
    row: &mut [f32],
    from: usize,
) -> usize {
    let dim = row.len();
    for (i, slot) in row.iter_mut().enumerate().skip(from) {
        while mask == 0 {
            base += 64;
            mask = if BOUNDED {
                separators_within(data, base, limit)
            } else {
                match separators(data, base) {
                    Some(m) => m,
                    None => return 0,
                }
            };
        }
        let end = base + mask.trailing_zeros() as usize;
        // Every value but the last ends at a space, the last at the line's
        // end: a line with more or fewer values fails here.
        let terminated = if BOUNDED {
            if i + 1 == dim {
                end == limit
            } else {
                end < limit && data[end] == b' '
            }
        } else {
            data.get(end) == Some(if i + 1 == dim { &b'\n' } else { &b' ' })
        };
        if !terminated {
            return 0;
        }
        let value = if GENERAL {
            parse_number(data, start, end)
        } else {
            short_decimal(data, start, end)
        };
        match value {
            Some(v) => *slot = v,
            None if GENERAL => return 0,
            None => return values_general(data, base, mask, start, row, i),
        }
        mask &= mask - 1;
        start = end + 1;
    }
    start
}

/// The message for values the general reader rejected: the first field
/// that is not a number, else the count.
#[cold]
#[inline(never)]
fn diagnose(values: &[u8], dim: usize) -> String {
    let mut n = 0usize;
    for field in values.split(|&b| b == b' ') {
        if general(field).is_none() {
            let shown = String::from_utf8_lossy(field);
            return format!("value {} is not a number: {shown:?}", n + 1);
        }
        n += 1;
    }
    if n != dim {
        return format!("expected {dim} values, found {n}");
    }
    format!("malformed values: {:?}", String::from_utf8_lossy(values))
}

/// Bit `i` set where `data[base + i]` is a separator, for the 64 bytes from
/// `base`; None past the end of `data`.
#[inline(always)]
fn separators(data: &[u8], base: usize) -> Option<u64> {
    let block: &[u8; 64] = data.get(base..base.checked_add(64)?)?.try_into().ok()?;
    Some(separator_mask(block))
}

/// [`separators`] for text that ends at `limit` (`base <= limit <=
/// data.len()`): bytes from `limit` on are ignored, and `limit` itself is a
/// separator.
#[inline(always)]
fn separators_within(data: &[u8], base: usize, limit: usize) -> u64 {
    let mask = match separators(data, base) {
        Some(m) => m,
        None => {
            let rest = data.get(base..limit).unwrap_or_default();
            let mut block = [b'\n'; 64];
            block[..rest.len()].copy_from_slice(rest);
            separator_mask(&block)
        }
    };
    match limit - base {
        k @ 0..=63 => (mask & ((1u64 << k) - 1)) | (1u64 << k),
        _ => mask,
    }
}

/// Bit `i` set where `block[i] <= b' '` (a space, a control byte or NUL).
#[inline(always)]
fn separator_mask(block: &[u8; 64]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86-64 baseline, always available.
        unsafe { separator_mask_sse2(block) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    separator_mask_scalar(block)
}

/// [`separator_mask`], portable (the scalar twin).
#[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
#[inline(always)]
fn separator_mask_scalar(block: &[u8; 64]) -> u64 {
    let mut mask = 0u64;
    for (i, &b) in block.iter().enumerate() {
        mask |= u64::from(b <= b' ') << i;
    }
    mask
}

/// [`separator_mask`] with SSE2 (16 bytes per compare).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
#[inline]
fn separator_mask_sse2(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let limit = _mm_set1_epi8(b' ' as i8);
    let mut mask = 0u64;
    for (k, lane) in block.chunks_exact(16).enumerate() {
        // SAFETY: `lane` is 16 readable bytes; loadu has no alignment
        // requirement.
        let v = unsafe { _mm_loadu_si128(lane.as_ptr().cast::<__m128i>()) };
        // min(b, ' ') == b  <=>  b <= ' ' (unsigned).
        let m = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, limit), v));
        mask |= u64::from(m as u16) << (16 * k);
    }
    mask
}

#[cfg(test)]
mod tests {
    use super::super::test_forms::{decimal_forms, glove_text, reference, same};
    use super::*;

    /// The fast line reader: None where it does not take the line.
    fn fast_line<'a>(
        data: &'a [u8],
        p: usize,
        stop: usize,
        row: &mut [f32],
    ) -> Option<(&'a [u8], usize)> {
        let (word, v) = fast_word(data, p, stop)?;
        match fast_values(data, v, row) {
            0 => None,
            next => Some((word, next)),
        }
    }

    /// The general line reader.
    fn slow_line<'a>(
        data: &'a [u8],
        p: usize,
        stop: usize,
        row: &mut [f32],
    ) -> Result<(&'a [u8], usize), String> {
        let (word, v) = slow_word(data, p, stop)?;
        Ok((word, slow_values(data, v, stop, row)?))
    }

    /// Both line readers give the reference value of every decimal form,
    /// with LF or CRLF line ends, trailing spaces, and with or without a
    /// final newline; the fast reader does take the well-formed lines.
    #[test]
    fn line_readers_agree_on_every_decimal_form() {
        let forms = decimal_forms();
        for dim in [1usize, 3, 8, 50] {
            let rows = 20_000 / dim;
            for style in 0..4 {
                for final_newline in [true, false] {
                    let text = glove_text(&forms, rows, dim, style, final_newline);
                    let data = text.as_bytes();
                    let want = |i: usize, j: usize| reference(&forms[(i * dim + j) % forms.len()]);
                    let (mut p, mut fast_lines) = (0usize, 0usize);
                    let mut row = vec![0f32; dim];
                    for i in 0..rows {
                        let at = format!("dim {dim} style {style} line {i}");
                        if let Some((word, next)) = fast_line(data, p, data.len(), &mut row) {
                            fast_lines += 1;
                            assert_eq!(word, format!("w{i}").as_bytes(), "{at}");
                            for (j, &x) in row.iter().enumerate() {
                                assert!(same(x, want(i, j)), "fast reader, {at} value {j}");
                            }
                            let slow = slow_line(data, p, data.len(), &mut row).map(|r| r.1);
                            assert_eq!(slow, Ok(next), "{at}");
                        }
                        let (word, next) = slow_line(data, p, data.len(), &mut row)
                            .unwrap_or_else(|e| panic!("{at}: {e}"));
                        assert_eq!(word, format!("w{i}").as_bytes(), "{at}");
                        for (j, &x) in row.iter().enumerate() {
                            assert!(same(x, want(i, j)), "general reader, {at} value {j}");
                        }
                        // The two steps as the modes run them.
                        let (word, v) = line_word(data, p, data.len()).unwrap_or_default();
                        assert_eq!(word, format!("w{i}").as_bytes(), "{at}");
                        assert_eq!(line_values(data, v, data.len(), &mut row), Ok(next));
                        assert_eq!(next_line(data, v, data.len()), next, "{at}");
                        p = next;
                    }
                    assert_eq!(p, data.len());
                    // LF lines of 64 bytes and more go through the fast reader.
                    if style == 0 && dim >= 8 {
                        assert!(fast_lines + 2 >= rows, "{fast_lines} of {rows}");
                    }
                }
            }
        }
    }

    /// Lines the general reader rejects, with the message of each.
    #[test]
    fn general_reader_errors() {
        let cases: [(&str, usize, &str); 8] = [
            ("w 1 2\n", 3, "expected 3 values, found 2"),
            ("w 1 2 3 4\n", 3, "expected 3 values, found 4"),
            ("w 1  2\n", 2, "value 2 is not a number: \"\""),
            ("w 1\t2\n", 2, "value 1 is not a number: \"1\\t2\""),
            ("w 1 x 3 4\n", 3, "value 2 is not a number: \"x\""),
            ("w 1 2 \r\n", 3, "expected 3 values, found 2"),
            ("w 1\r2\r\n", 2, "value 1 is not a number: \"1\\r2\""),
            ("w 1.2.3", 1, "value 1 is not a number: \"1.2.3\""),
        ];
        for (line, dim, message) in cases {
            let data = line.as_bytes();
            let mut row = vec![0f32; dim];
            assert_eq!(fast_line(data, 0, data.len(), &mut row), None, "{line:?}");
            assert_eq!(
                slow_line(data, 0, data.len(), &mut row),
                Err(message.to_string()),
                "{line:?}"
            );
        }
        for (line, message) in [
            ("\n", "empty line"),
            (" \r\n", "empty line"),
            (" w 1\n", "empty word (the line starts with a space)"),
            ("w\n", "a word without values"),
            ("w \r\n", "a word without values"),
            ("w", "a word without values"),
        ] {
            let data = line.as_bytes();
            assert_eq!(
                line_word(data, 0, data.len()),
                Err(message.to_string()),
                "{line:?}"
            );
        }
    }

    /// The separator kernel at every level against its scalar twin, on
    /// every byte value at every position of a block.
    #[test]
    fn separator_mask_matches_the_scalar_twin() {
        for shift in 0..64usize {
            let mut block = [0u8; 64];
            for (i, b) in block.iter_mut().enumerate() {
                *b = ((i * 4 + shift) % 256) as u8;
            }
            for b in 0..=255u8 {
                block[shift] = b;
                assert_eq!(separator_mask(&block), separator_mask_scalar(&block));
            }
        }
    }

    /// The bounded scan stops at its limit, wherever the limit falls in a
    /// block and however many bytes follow it.
    #[test]
    fn separators_within_bounds() {
        let data = [b'7'; 200];
        for base in [0usize, 5, 100, 136, 140] {
            for limit in base..=200 {
                let mask = separators_within(&data, base, limit);
                let want = if limit - base < 64 {
                    1u64 << (limit - base)
                } else {
                    0
                };
                assert_eq!(mask, want, "{base} {limit}");
            }
        }
    }
}
