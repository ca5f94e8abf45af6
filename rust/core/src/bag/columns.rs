//! The per-column counters of one bag row ([`ColumnCounts`]): occurrences
//! counted in an array indexed by column, the columns handed out in
//! ascending order by a scan of a bit per column or, when the row holds few
//! columns of many, by sorting them.

/// Occurrences per column of one text at a time. All counters are zero
/// between texts ([`ColumnCounts::drain`] resets what a text set), so the
/// arrays, as long as the bag has columns, are allocated once and reused
/// (see [`crate::bag::cache::BagCache`]).
#[derive(Debug, Default)]
pub(crate) struct ColumnCounts {
    /// Occurrences per column.
    counts: Vec<u32>,
    /// Bit `c % 64` of word `c / 64` is set where `counts[c]` is not 0.
    bits: Vec<u64>,
    /// The columns of the current text, each once, in the order first met.
    columns: Vec<u32>,
    /// The largest column of the current text.
    top: usize,
}

/// A scan costs a few instructions per 64 columns, a sort some tens per
/// column of the row: scan when the words below the row's largest column
/// are at most this many per column of the row.
const SCAN_WORDS_PER_COLUMN: usize = 8;

impl ColumnCounts {
    /// Make room for columns `0..columns`.
    pub(crate) fn reserve(&mut self, columns: usize) {
        if self.counts.len() < columns {
            self.counts.resize(columns, 0); // bounded: the vocabulary's entries, held
            self.bits.resize(columns.div_ceil(64), 0); // bounded: as above
        }
    }

    /// Count one occurrence of `column` (ignored beyond the reserved ones).
    #[inline(always)]
    pub(crate) fn add(&mut self, column: usize) {
        if let Some(count) = self.counts.get_mut(column) {
            if *count == 0 {
                // Below the reserved columns, which fit in a u32 (bag depths
                // fit in an i32, checked).
                self.columns.push(column as u32);
                self.top = self.top.max(column);
                if let Some(word) = self.bits.get_mut(column / 64) {
                    *word |= 1 << (column % 64);
                }
            }
            *count += 1;
        }
    }

    /// Call `f(column, occurrences)` for each column of the current text,
    /// columns ascending, resetting the counters on the way.
    #[inline]
    pub(crate) fn drain(&mut self, mut f: impl FnMut(u32, u32)) {
        let ColumnCounts {
            counts,
            bits,
            columns,
            top,
        } = self;
        if columns.is_empty() {
            return;
        }
        let words = *top / 64 + 1;
        if words <= SCAN_WORDS_PER_COLUMN * columns.len() {
            for (at, word) in bits.iter_mut().take(words).enumerate() {
                let mut set = std::mem::take(word);
                while set != 0 {
                    let column = at * 64 + set.trailing_zeros() as usize;
                    set &= set - 1;
                    let count = counts.get_mut(column).map_or(0, std::mem::take);
                    f(column as u32, count);
                }
            }
        } else {
            columns.sort_unstable();
            for &column in columns.iter() {
                let column_index = column as usize;
                if let Some(word) = bits.get_mut(column_index / 64) {
                    *word = 0;
                }
                let count = counts.get_mut(column_index).map_or(0, std::mem::take);
                f(column, count);
            }
        }
        columns.clear();
        *top = 0;
    }

    /// Whether no text is being counted (every counter zero).
    pub(crate) fn is_clear(&self) -> bool {
        self.columns.is_empty()
    }
}
