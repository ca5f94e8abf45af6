//! Texts held in Arrow's string layout (`StringArray`, `LargeStringArray`):
//! one UTF-8 value buffer and `n + 1` offsets, text `i` being
//! `data[offsets[i]..offsets[i + 1]]`, plus an optional null mask. The
//! binding layer hands over the buffers of a `pyarrow` array; this module
//! checks them and borrows each text as a `&str`, with no copy and no Python
//! string.

use crate::error::{CoreError, Result};

/// The offsets of an Arrow string array: `int32` (`string`) or `int64`
/// (`large_string`).
#[derive(Debug, Clone, Copy)]
pub enum Offsets<'a> {
    I32(&'a [i32]),
    I64(&'a [i64]),
}

impl Offsets<'_> {
    fn len(&self) -> usize {
        match self {
            Offsets::I32(o) => o.len(),
            Offsets::I64(o) => o.len(),
        }
    }

    /// Offset `i` as an index (`None` when negative or too large).
    fn at(&self, i: usize) -> Option<usize> {
        match self {
            Offsets::I32(o) => usize::try_from(*o.get(i)?).ok(),
            Offsets::I64(o) => usize::try_from(*o.get(i)?).ok(),
        }
    }
}

/// Append to `out` the texts of one Arrow string array: `data` (its value
/// buffer), `offsets` (`n + 1` of them, already shifted by the array's
/// offset) and `nulls` (`n` flags; a null is the empty text).
///
/// Errors: offsets that are empty, negative, decreasing or past the end of
/// `data`, a null mask of the wrong length, bytes that are not UTF-8 or an
/// offset inside a character.
pub fn string_slices<'a>(
    data: &'a [u8],
    offsets: Offsets<'_>,
    nulls: Option<&[bool]>,
    out: &mut Vec<&'a str>,
) -> Result<()> {
    let bad = |what: String| CoreError::invalid(format!("Invalid Arrow string array: {what}"));
    let Some(n) = offsets.len().checked_sub(1) else {
        return Err(bad("no offsets (an array of n strings has n + 1)".into()));
    };
    if let Some(nulls) = nulls {
        if nulls.len() != n {
            return Err(bad(format!("{} null flags for {n} strings", nulls.len())));
        }
    }
    let (first, last) = match (offsets.at(0), offsets.at(n)) {
        (Some(a), Some(b)) if a <= b && b <= data.len() => (a, b),
        (a, b) => {
            return Err(bad(format!(
                "offsets {a:?}..{b:?} out of the {} bytes of data",
                data.len()
            )))
        }
    };
    let text = std::str::from_utf8(&data[first..last])
        .map_err(|e| bad(format!("the data is not UTF-8 ({e})")))?;
    out.reserve(n); // bounded: n + 1 offsets exist in memory
    let mut start = first;
    for i in 0..n {
        let end = offsets.at(i + 1).filter(|&e| e >= start && e <= last);
        let Some(end) = end else {
            return Err(bad(format!(
                "offsets {i} and {} decrease or overflow",
                i + 1
            )));
        };
        if nulls.is_some_and(|m| m[i]) {
            out.push("");
        } else {
            let Some(s) = text.get(start - first..end - first) else {
                return Err(bad(format!(
                    "string {i} does not start and end on characters"
                )));
            };
            out.push(s);
        }
        start = end;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_sliced_arrays_nulls_and_refuses_bad_buffers() {
        let data = "xxhello wörldyy".as_bytes();
        let mut out = Vec::new();
        string_slices(data, Offsets::I32(&[2, 7, 8, 14]), None, &mut out)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out, ["hello", " ", "wörld"]);
        out.clear();
        let nulls = [false, true, false];
        string_slices(data, Offsets::I64(&[2, 7, 8, 14]), Some(&nulls), &mut out)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out, ["hello", "", "wörld"]);
        out.clear();
        string_slices(data, Offsets::I64(&[5]), None, &mut out).unwrap_or_else(|e| panic!("{e}"));
        assert!(out.is_empty());
        for offsets in [
            &[][..],
            &[0, 99][..],
            &[3, 2][..],
            &[-1, 2][..],
            &[0, 10, 12][..],
            &[0, 5, 3, 6][..],
        ] {
            assert!(
                string_slices(data, Offsets::I32(offsets), None, &mut out).is_err(),
                "{offsets:?}"
            );
        }
        assert!(string_slices(data, Offsets::I32(&[0, 1]), Some(&[]), &mut out).is_err());
        assert!(string_slices(&[0xff, b'a'], Offsets::I32(&[0, 2]), None, &mut out).is_err());
    }
}
