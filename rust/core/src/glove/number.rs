//! Decimal parsing for GloVe values: one short-decimal parser for the usual
//! form ([`short_decimal`]) and the general parser for everything else
//! ([`general`]). Both give the correctly rounded f64 of the text, rounded
//! to f32 — what NumPy and pandas give for a float32 column.

/// Powers of ten that are exact in f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Parse the field `data[start..end]`: the short-decimal parser for the
/// usual form, else the general parser. None when it is not a number.
#[inline(always)]
pub(super) fn parse_number(data: &[u8], start: usize, end: usize) -> Option<f32> {
    match short_decimal(data, start, end) {
        Some(v) => Some(v),
        None => general(data.get(start..end)?),
    }
}

/// The general parser, for a field [`short_decimal`] does not take
/// (exponents, long mantissas, `nan`, `inf`, a leading `+`, a field too near
/// the start of the data); None when it is not a number.
#[cold]
#[inline(never)]
pub(super) fn general(field: &[u8]) -> Option<f32> {
    let value = match clinger(field, 0) {
        Some((v, q)) if q == field.len() => Ok(v),
        _ => fast_float2::parse::<f64, _>(field),
    };
    // f64 then round to f32, as NumPy/pandas do for float32 columns.
    value.ok().map(|v| v as f32)
}

/// Skip an optional sign at `b[*p]`; true when it was `-`.
#[inline]
fn take_sign(b: &[u8], p: &mut usize) -> bool {
    match b.get(*p) {
        Some(b'-') => {
            *p += 1;
            true
        }
        Some(b'+') => {
            *p += 1;
            false
        }
        _ => false,
    }
}

/// Append the run of decimal digits at `b[*p]` to `mantissa` (wrapping; the
/// caller bounds the digit count) and return how many there were.
#[inline]
fn take_digits(b: &[u8], p: &mut usize, mantissa: &mut u64) -> u32 {
    let mut count = 0;
    while let Some(&c) = b.get(*p) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        count += 1;
        *p += 1;
    }
    count
}

/// Parse one decimal number starting at `b[p]` (`-0.1234`, `12`, `3.5e-05`)
/// by Clinger's fast path: a mantissa of at most 2^53 and a power of ten of
/// at most 22 are exact in f64, so one multiplication or division gives the
/// correctly rounded f64.
///
/// Returns the value and the position after it, or None when the text is not
/// in this form or the fast path does not apply ([`general`] then falls back
/// to `fast_float2`).
#[inline]
fn clinger(b: &[u8], mut p: usize) -> Option<(f64, usize)> {
    let neg = take_sign(b, &mut p);
    let mut mantissa: u64 = 0;
    let mut digits = take_digits(b, &mut p, &mut mantissa);
    let mut exp: i32 = 0;
    if b.get(p) == Some(&b'.') {
        p += 1;
        let fraction = take_digits(b, &mut p, &mut mantissa);
        digits += fraction;
        exp -= fraction as i32;
    }
    if digits == 0 || digits > 19 {
        return None;
    }
    if matches!(b.get(p), Some(b'e' | b'E')) {
        p += 1;
        let eneg = take_sign(b, &mut p);
        let mut e: i32 = 0;
        let mut edigits = 0;
        while let Some(&c) = b.get(p) {
            let d = c.wrapping_sub(b'0');
            if d > 9 || edigits >= 4 {
                break;
            }
            e = e * 10 + i32::from(d);
            edigits += 1;
            p += 1;
        }
        if edigits == 0 {
            return None;
        }
        exp += if eneg { -e } else { e };
    }
    if mantissa > (1u64 << 53) || !(-22..=22).contains(&exp) {
        return None;
    }
    let m = mantissa as f64;
    let v = if exp < 0 {
        m / POW10[exp.unsigned_abs() as usize]
    } else {
        m * POW10[exp as usize]
    };
    Some((if neg { -v } else { v }, p))
}

/// Value of eight decimal digits (0..=9 each, the most significant in the
/// lowest byte): SWAR, three multiplications.
#[inline(always)]
fn swar8(v: u64) -> u64 {
    let v = (v.wrapping_mul(10) + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    ((v & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32))
        + ((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32)))
        >> 32
}

/// Eight bytes of `data` at `p` (little-endian), None past the end.
#[inline(always)]
fn word_at(data: &[u8], p: usize) -> Option<u64> {
    let bytes: [u8; 8] = data.get(p..p.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

/// Byte masks of an 8-byte word, by byte index: `TOP[k]` keeps the top `k`
/// bytes, `ABOVE[k]` the bytes after byte `k`, `BELOW[k]` the bytes before
/// it, `AT[k]` byte `k` (tables, not shifts: x86 shifts by a variable take
/// the `cl` register, which costs moves and spills in the hot loop).
const TOP: [u64; 9] = {
    let mut t = [0u64; 9];
    let mut k = 1;
    while k <= 8 {
        t[k] = u64::MAX << (8 * (8 - k));
        k += 1;
    }
    t
};
const ABOVE: [u64; 8] = {
    let mut t = [0u64; 8];
    let mut k = 0;
    while k < 7 {
        t[k] = u64::MAX << (8 * (k + 1));
        k += 1;
    }
    t
};
const BELOW: [u64; 8] = {
    let mut t = [0u64; 8];
    let mut k = 1;
    while k < 8 {
        t[k] = u64::MAX >> (8 * (8 - k));
        k += 1;
    }
    t
};
const AT: [u64; 8] = {
    let mut t = [0u64; 8];
    let mut k = 0;
    while k < 8 {
        t[k] = 0xFF << (8 * k);
        k += 1;
    }
    t
};

/// `b'0'` in every byte: XOR maps the digits to 0..=9.
const ZEROS: u64 = 0x3030_3030_3030_3030;

/// The field `data[start..end]` if it is `[-]ddd[.ddd]` of at most 8 bytes
/// after the sign, or 9 with a point (the usual GloVe numbers, `-0.41242`,
/// `0.0095095`), and at least 8 bytes of `data` end at `end`; None otherwise
/// (the caller falls back to [`general`]).
///
/// No loop: the 8 bytes that end at `end` are read as one word, so the field
/// is right-aligned in it (the bytes before the field are masked off). The
/// non-digits are flagged byte-parallel; the only one allowed is a decimal
/// point, which is squeezed out by moving the integer digits up one byte.
/// The digits are then converted at once by [`swar8`]. The mantissa
/// (< 10^8) and 10^frac are exact in f64, so the division is the correctly
/// rounded f64 of the decimal, which is then rounded to f32 — exactly what
/// the general parser (and pandas) do.
#[inline(always)]
pub(super) fn short_decimal(data: &[u8], start: usize, end: usize) -> Option<f32> {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let neg = *data.get(start)? == b'-';
    let len = end.checked_sub(start + usize::from(neg))?;
    if len == 0 || len > 9 {
        return None;
    }
    let u = word_at(data, end.checked_sub(8)?)? ^ ZEROS;
    let field = TOP[len.min(8)];
    // Bit 7 of every field byte that is not a digit: (b & 0x7F) + 0x76 reaches
    // bit 7 exactly when b & 0x7F >= 10 (no carry between bytes), `| u` flags
    // bytes >= 0x80.
    let flags = (((u & LOW7) + 0x7676_7676_7676_7676) | u) & !LOW7 & field;
    let (digits, frac) = if flags == 0 {
        if len > 8 {
            return None;
        }
        (u & field, 0)
    } else {
        // One non-digit, at byte k: it must be the point, with a digit next
        // to it on at least one side.
        let k = (flags.trailing_zeros() / 8) as usize;
        if flags & (flags - 1) != 0 || (u ^ 0x1E1E_1E1E_1E1E_1E1E) & AT[k] != 0 || len == 1 {
            return None;
        }
        // Squeezing the point out frees byte 0: a 9-byte field's first
        // digit (outside the word) goes there.
        let first = if len == 9 {
            let d = data.get(end - 9)? ^ b'0';
            if d > 9 {
                return None;
            }
            u64::from(d)
        } else {
            0
        };
        (
            (u & ABOVE[k]) | ((u & field & BELOW[k]) << 8) | first,
            7 - k,
        )
    };
    #[allow(clippy::cast_precision_loss)] // < 10^8: exact
    let v = (swar8(digits) as f64 / POW10[frac]) as f32;
    // The sign as a bit, not a branch (it is unpredictable).
    Some(f32::from_bits(v.to_bits() ^ (u32::from(neg) << 31)))
}

#[cfg(test)]
mod tests {
    use super::super::test_forms::{decimal_forms, reference, same, Rng};
    use super::*;

    /// Whether [`short_decimal`] must take `field` (when 8 bytes end at its
    /// end): `[-]` then digits with at most one point, at most 8 bytes, or 9
    /// with a point that is not the first byte.
    fn is_short(field: &str) -> bool {
        let body = field.strip_prefix('-').unwrap_or(field);
        let points = body.bytes().filter(|&b| b == b'.').count();
        let digits = body.bytes().filter(u8::is_ascii_digit).count();
        let form = digits > 0 && digits + points == body.len() && points <= 1;
        let nine = points == 1 && body.len() == 9 && !body.starts_with('.');
        form && (body.len() <= 8 || nine)
    }

    /// The short-decimal parser gives the general parser's value for every
    /// decimal form, whatever bytes come before and after the field, and it
    /// does take the short forms; the general parser takes them all.
    #[test]
    fn short_decimal_matches_the_general_parser() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let mut taken = 0usize;
        for field in decimal_forms() {
            let want = reference(&field);
            let general_value = general(field.as_bytes());
            assert!(
                general_value.is_some_and(|v| same(v, want)),
                "general {field:?}: {general_value:?} != {want}"
            );
            for _ in 0..4 {
                let before: String = (0..rng.below(17))
                    .map(|_| char::from(b"0123456789 -.x\n"[rng.below(15) as usize]))
                    .collect();
                let after = [" ", "\n", "\r\n", " 1.5 2.5 3.5 4.5 5.5", ""][rng.below(5) as usize];
                let data = format!("{before} {field}{after}");
                let (start, end) = (before.len() + 1, before.len() + 1 + field.len());
                let data = data.as_bytes();
                let short = short_decimal(data, start, end);
                if let Some(v) = short {
                    assert!(same(v, want), "short_decimal {field:?}: {v} != {want}");
                }
                if is_short(&field) && end >= 8 {
                    assert!(
                        short.is_some(),
                        "short_decimal skipped {field:?} in {data:?}"
                    );
                    taken += 1;
                }
                let both = parse_number(data, start, end);
                assert!(both.is_some_and(|v| same(v, want)), "{field:?}");
            }
        }
        assert!(taken > 10_000, "{taken}");
    }

    #[test]
    fn not_numbers() {
        for field in [
            "", "-", "+", ".", "-.", "1.2.3", "1e", "1e+", "x", "1 2", "1\t", "--1",
        ] {
            let data = format!("padding {field} ");
            let start = "padding ".len();
            let end = start + field.len();
            assert_eq!(
                short_decimal(data.as_bytes(), start, end),
                None,
                "{field:?}"
            );
            assert_eq!(general(field.as_bytes()), None, "{field:?}");
        }
    }
}
