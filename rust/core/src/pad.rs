//! Padding and truncation of variable-length sequences into fixed-length,
//! row-major matrices, with the semantics of `keras.utils.pad_sequences`.
//!
//! The settings are a [`PadConfig`] (a plain struct with a [`Default`] that
//! matches Keras: `padding="pre"`, `truncating="pre"`). Rows are written into a
//! caller-provided buffer (typically the memory of a NumPy array), in parallel.

use rayon::prelude::*;

use crate::buffer::{try_zeroed_matrix, Zeroable};
use crate::error::{CoreError, Result};

/// Which end of a sequence padding is added to, or values are removed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Side {
    /// The beginning of the sequence (Keras `"pre"`).
    #[default]
    Pre,
    /// The end of the sequence (Keras `"post"`).
    Post,
}

impl Side {
    /// Parse `"pre"` / `"post"`; `what` names the argument in the error message.
    pub fn parse(value: &str, what: &str) -> Result<Self> {
        match value {
            "pre" => Ok(Side::Pre),
            "post" => Ok(Side::Post),
            other => Err(CoreError::invalid(format!(
                "`{what}` must be \"pre\" or \"post\". Received: {what}={other:?}"
            ))),
        }
    }

    /// The Keras spelling, `"pre"` or `"post"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Pre => "pre",
            Side::Post => "post",
        }
    }
}

/// How to fit sequences into rows of a fixed length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PadConfig {
    /// Row length; every output row has exactly this many values.
    pub length: usize,
    /// Where padding goes when a sequence is shorter than `length`.
    pub padding: Side,
    /// Which values are dropped when a sequence is longer than `length`.
    pub truncating: Side,
}

impl Default for PadConfig {
    /// Keras' `pad_sequences` defaults (`"pre"` / `"pre"`) with length 0.
    fn default() -> Self {
        PadConfig {
            length: 0,
            padding: Side::Pre,
            truncating: Side::Pre,
        }
    }
}

impl PadConfig {
    /// The settings as Keras spells them (`padding`/`truncating`: `"pre"` or
    /// `"post"`), checked.
    pub fn parse(length: usize, padding: &str, truncating: &str) -> Result<Self> {
        Ok(PadConfig {
            length,
            padding: Side::parse(padding, "padding")?,
            truncating: Side::parse(truncating, "truncating")?,
        })
    }

    /// A zero-filled matrix of `rows` id rows of this length, or
    /// [`CoreError::OutOfMemory`] naming `output_sequence_length`.
    pub fn id_matrix(&self, rows: usize) -> Result<Vec<i32>> {
        try_zeroed_matrix(rows, self.length, || {
            format!(
                "the id matrix ({rows} texts x output_sequence_length={})",
                self.length
            )
        })
    }

    /// The indices of the values of a sequence of `len` values that are
    /// kept after truncation to `length`.
    #[inline]
    pub fn kept_range(&self, len: usize) -> std::ops::Range<usize> {
        if len <= self.length {
            return 0..len;
        }
        match self.truncating {
            Side::Pre => len - self.length..len,
            Side::Post => 0..self.length,
        }
    }

    /// The part of `seq` that is kept after truncation to `length`.
    #[inline]
    pub fn kept<'a, T>(&self, seq: &'a [T]) -> &'a [T] {
        &seq[self.kept_range(seq.len())]
    }

    /// Write the kept part of `seq` into `row` (of length `self.length`),
    /// which already holds the padding (a zero-filled matrix's row): only the
    /// kept values are written.
    #[inline]
    pub fn write_kept<T: Copy>(&self, seq: &[T], row: &mut [T]) {
        let kept = self.kept(seq);
        let at = match self.padding {
            Side::Post => 0,
            Side::Pre => row.len() - kept.len(),
        };
        row[at..at + kept.len()].copy_from_slice(kept);
    }

    /// Write `seq` (truncated) into `row` (of length `self.length`), filling
    /// the rest with `value`.
    pub fn write_row<T: Copy>(&self, seq: &[T], row: &mut [T], value: T) {
        let kept = self.kept(seq);
        let n = kept.len().min(row.len());
        let kept = &kept[..n];
        let (data, pad) = match self.padding {
            Side::Post => {
                let (data, pad) = row.split_at_mut(n);
                (data, pad)
            }
            Side::Pre => {
                let at = row.len() - n;
                let (pad, data) = row.split_at_mut(at);
                (data, pad)
            }
        };
        data.copy_from_slice(kept);
        pad.fill(value);
    }
}

/// Pad a ragged collection given as one flat `values` buffer and `row_splits`
/// (row `i` is `values[row_splits[i]..row_splits[i + 1]]`) into `out`, a
/// row-major `(row_splits.len() - 1) x config.length` buffer.
///
/// Errors if `row_splits` is not non-decreasing, does not fit `values`, or if
/// `out` has the wrong size.
pub fn pad_ragged<T: Copy + Send + Sync>(
    values: &[T],
    row_splits: &[usize],
    config: &PadConfig,
    value: T,
    out: &mut [T],
) -> Result<()> {
    let rows = row_splits.len().saturating_sub(1);
    if rows.checked_mul(config.length) != Some(out.len()) {
        return Err(CoreError::invalid(format!(
            "output buffer has {} values, expected {rows} x {}",
            out.len(),
            config.length
        )));
    }
    if row_splits.first().is_some_and(|&s| s != 0)
        || row_splits.windows(2).any(|w| w[0] > w[1])
        || row_splits.last().is_some_and(|&s| s > values.len())
    {
        return Err(CoreError::invalid(
            "row_splits must start at 0, be non-decreasing and end within values",
        ));
    }
    if config.length == 0 {
        return Ok(());
    }
    out.par_chunks_mut(config.length)
        .zip(row_splits.par_windows(2))
        .with_min_len(256)
        .for_each(|(row, w)| config.write_row(&values[w[0]..w[1]], row, value));
    Ok(())
}

/// [`pad_ragged`] into a new row-major `(row_splits.len() - 1) x
/// config.length` matrix.
///
/// Errors: [`CoreError::OutOfMemory`] (naming `length_name`, the argument
/// that set the length) when the matrix cannot be allocated, and
/// [`pad_ragged`]'s errors.
pub fn pad_ragged_matrix<T: Zeroable>(
    values: &[T],
    row_splits: &[usize],
    config: &PadConfig,
    value: T,
    length_name: &str,
) -> Result<Vec<T>> {
    let rows = row_splits.len().saturating_sub(1);
    // Every value is written by `pad_ragged` (data or padding), so the zeros
    // are never read: they only make the buffer's memory lazily mapped.
    let mut out = try_zeroed_matrix(rows, config.length, || {
        format!(
            "the padded matrix ({rows} sequences x {length_name}={})",
            config.length
        )
    })?;
    pad_ragged(values, row_splits, config, value, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pad(
        seqs: &[&[i32]],
        length: usize,
        padding: Side,
        truncating: Side,
        value: i32,
    ) -> Vec<i32> {
        let mut values = Vec::new();
        let mut splits = vec![0];
        for s in seqs {
            values.extend_from_slice(s);
            splits.push(values.len());
        }
        let config = PadConfig {
            length,
            padding,
            truncating,
        };
        let mut out = vec![-9; seqs.len() * length];
        pad_ragged(&values, &splits, &config, value, &mut out).unwrap_or_else(|e| panic!("{e}"));
        out
    }

    #[test]
    fn empty_input_gives_empty_output() {
        assert!(pad(&[], 3, Side::Pre, Side::Pre, 0).is_empty());
        assert_eq!(pad(&[&[]], 2, Side::Pre, Side::Pre, 7), vec![7, 7]);
    }

    #[test]
    fn pre_and_post() {
        let seqs: &[&[i32]] = &[&[1, 2, 3, 4], &[5]];
        assert_eq!(
            pad(seqs, 3, Side::Pre, Side::Pre, 0),
            vec![2, 3, 4, 0, 0, 5]
        );
        assert_eq!(
            pad(seqs, 3, Side::Post, Side::Pre, 0),
            vec![2, 3, 4, 5, 0, 0]
        );
        assert_eq!(
            pad(seqs, 3, Side::Pre, Side::Post, 0),
            vec![1, 2, 3, 0, 0, 5]
        );
        assert_eq!(
            pad(seqs, 3, Side::Post, Side::Post, -1),
            vec![1, 2, 3, 5, -1, -1]
        );
        assert_eq!(pad(seqs, 0, Side::Post, Side::Post, -1), Vec::<i32>::new());
    }

    #[test]
    fn bad_splits_are_errors() {
        let config = PadConfig {
            length: 2,
            ..PadConfig::default()
        };
        let mut out = vec![0; 2];
        assert!(pad_ragged(&[1, 2], &[0, 3], &config, 0, &mut out).is_err());
        assert!(pad_ragged(&[1, 2], &[1, 2], &config, 0, &mut out).is_err());
        let mut short = vec![0; 1];
        assert!(pad_ragged(&[1, 2], &[0, 2], &config, 0, &mut short).is_err());
    }

    #[test]
    fn sizes_that_overflow_are_errors_not_wraps() {
        // 3 x ((2^64 + 2) / 3) wraps to 2 in usize arithmetic.
        let length = usize::MAX / 3 + 1;
        let config = PadConfig {
            length,
            ..PadConfig::default()
        };
        let splits = [0, 1, 2, 3];
        let mut out = vec![0; 2];
        assert!(pad_ragged(&[1, 2, 3], &splits, &config, 0, &mut out).is_err());
        match pad_ragged_matrix(&[1i32, 2, 3], &splits, &config, 0, "maxlen") {
            Err(CoreError::OutOfMemory(m)) => {
                assert!(
                    m.contains("3 sequences x maxlen=6148914691236517206"),
                    "{m}"
                )
            }
            other => panic!("{other:?}"),
        }
        let ok = pad_ragged_matrix(
            &[1i32, 2, 3],
            &splits,
            &PadConfig {
                length: 2,
                ..config
            },
            9,
            "maxlen",
        );
        assert_eq!(ok.ok(), Some(vec![9, 1, 9, 2, 9, 3]));
    }

    #[test]
    fn side_parse() {
        assert_eq!(Side::parse("post", "padding").ok(), Some(Side::Post));
        let err = Side::parse("middle", "padding")
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|m| m.contains("Received: padding=\"middle\"")));
    }
}
