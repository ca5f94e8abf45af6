//! What a bag row holds ([`BagMode`]) and how texts become bag rows
//! ([`BagConfig`]).

use crate::bag::ngrams::check_widths;
use crate::error::{CoreError, Result};

/// What a bag row holds in each column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BagMode {
    /// 1 where the n-gram occurs (`multi_hot`, and `one_hot` for one token
    /// per text).
    MultiHot,
    /// Number of occurrences (`count`).
    Count,
    /// Occurrences times the column's idf weight (`tf_idf`).
    TfIdf,
}

impl BagMode {
    /// Parse `"multi_hot"`, `"one_hot"`, `"count"` or `"tf_idf"`.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "multi_hot" | "one_hot" => Ok(BagMode::MultiHot),
            "count" => Ok(BagMode::Count),
            "tf_idf" => Ok(BagMode::TfIdf),
            other => Err(CoreError::invalid(format!(
                "`output_mode` of a bag must be \"multi_hot\", \"one_hot\", \"count\" or \
                 \"tf_idf\". Received: output_mode={other:?}"
            ))),
        }
    }
}

/// How texts become bag rows.
#[derive(Debug, Clone, Copy)]
pub struct BagConfig<'a> {
    /// What the columns hold.
    pub mode: BagMode,
    /// N-gram widths (`[1]` for plain tokens).
    pub widths: &'a [usize],
    /// Number of columns; ids whose column falls outside are ignored.
    pub depth: usize,
    /// Column `c` counts id `c + column_offset`; lower ids are ignored.
    pub column_offset: usize,
    /// One weight per column, for [`BagMode::TfIdf`].
    pub idf: Option<&'a [f32]>,
}

impl BagConfig<'_> {
    /// Check the widths, the depth and the idf weights.
    pub(crate) fn check(&self) -> Result<()> {
        check_widths(self.widths)?;
        if i32::try_from(self.depth).is_err() {
            return Err(CoreError::invalid(format!(
                "a bag has at most {} columns. Received: {}",
                i32::MAX,
                self.depth
            )));
        }
        match (self.mode, self.idf) {
            (BagMode::TfIdf, None) => Err(CoreError::invalid(
                "`idf_weights` must be set when `output_mode` is \"tf_idf\"",
            )),
            (BagMode::TfIdf, Some(idf)) if idf.len() < self.depth => {
                Err(CoreError::invalid(format!(
                    "`idf_weights` must have one weight per column ({}). Received: {} weights",
                    self.depth,
                    idf.len()
                )))
            }
            _ => Ok(()),
        }
    }

    /// The value of a column that counted `count` occurrences.
    #[inline(always)]
    pub(crate) fn value(&self, column: u32, count: u32) -> f32 {
        match self.mode {
            BagMode::MultiHot => 1.0,
            BagMode::Count => count as f32,
            BagMode::TfIdf => {
                let weight = self
                    .idf
                    .and_then(|w| w.get(column as usize))
                    .copied()
                    .unwrap_or(0.0);
                count as f32 * weight
            }
        }
    }
}
