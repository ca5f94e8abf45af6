//! The settings of a vocabulary ([`VocabConfig`]) and the id layout they
//! give: the special tokens, the reserved ids, the first learned id, and a
//! bag's columns.

use crate::error::{CoreError, Result};
use crate::vocab::MAX_IDS;

/// Order of the learned tokens in the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VocabOrder {
    /// Count descending, ties by token bytes descending (Keras' order).
    #[default]
    Frequency,
    /// Lexicographic by code point (Python's `sorted`). With `max_tokens`, the
    /// most frequent tokens are kept first, then sorted.
    Alphabetical,
    /// Count descending, ties in the order the tokens were first met (the
    /// legacy Keras `Tokenizer`'s). Counts alone do not tell that order:
    /// such vocabularies are built from the texts by
    /// [`crate::first_seen::build_vocabulary`].
    FrequencyFirstSeen,
}

impl VocabOrder {
    /// The name [`VocabOrder::parse`] reads.
    pub fn as_str(self) -> &'static str {
        match self {
            VocabOrder::Frequency => "frequency",
            VocabOrder::Alphabetical => "alphabetical",
            VocabOrder::FrequencyFirstSeen => "frequency_first_seen",
        }
    }

    /// Parse `"frequency"`, `"alphabetical"` or `"frequency_first_seen"`.
    pub fn parse(value: &str) -> Result<Self> {
        match value {
            "frequency" => Ok(VocabOrder::Frequency),
            "alphabetical" => Ok(VocabOrder::Alphabetical),
            "frequency_first_seen" => Ok(VocabOrder::FrequencyFirstSeen),
            other => Err(CoreError::invalid(format!(
                "`vocab_order` must be \"frequency\", \"alphabetical\" or \
                 \"frequency_first_seen\". Received: vocab_order={other:?}"
            ))),
        }
    }
}

/// How a vocabulary is built and laid out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabConfig {
    /// Maximum number of ids, special tokens included (`None`: no limit).
    pub max_tokens: Option<usize>,
    /// Tokens seen fewer times than this are left out.
    pub min_freq: u64,
    /// Order of the learned tokens.
    pub order: VocabOrder,
    /// Token at id 0.
    pub pad_token: String,
    /// Token of the out-of-vocabulary id; `None`: no such id, unknown tokens
    /// are left out of encodings (the legacy Keras `Tokenizer` without an
    /// `oov_token`).
    pub oov_token: Option<String>,
    /// Optional token at id 1, prepended to every encoded text.
    pub start_token: Option<String>,
    /// Learned token of rank `r >= 1` gets id `r + index_from` (Keras imdb).
    pub index_from: Option<usize>,
}

impl Default for VocabConfig {
    /// `TextVectorization`'s layout: `""` at 0, `"[UNK]"` at 1, no limit.
    fn default() -> Self {
        VocabConfig {
            max_tokens: None,
            min_freq: 1,
            order: VocabOrder::Frequency,
            pad_token: String::new(),
            oov_token: Some("[UNK]".to_owned()),
            start_token: None,
            index_from: None,
        }
    }
}

impl VocabConfig {
    /// The special tokens in id order (pad, start?, oov?).
    pub fn specials(&self) -> Vec<&str> {
        let mut out = vec![self.pad_token.as_str()];
        if let Some(start) = &self.start_token {
            out.push(start.as_str());
        }
        if let Some(oov) = &self.oov_token {
            out.push(oov.as_str());
        }
        out
    }

    /// Id of the first learned token (saturating: [`VocabConfig::validate`]
    /// refuses an `index_from` whose ids do not fit in an `i32`).
    pub fn first_word_id(&self) -> usize {
        let n = self.specials().len();
        self.index_from.map_or(n, |i| i.saturating_add(1).max(n))
    }

    /// Check the settings for consistency.
    pub fn validate(&self) -> Result<()> {
        let specials = self.specials();
        for (i, a) in specials.iter().enumerate() {
            if specials[i + 1..].contains(a) {
                return Err(CoreError::invalid(format!(
                    "pad_token, start_token and oov_token must all differ. Received: {specials:?}"
                )));
            }
        }
        if let Some(index_from) = self.index_from {
            if index_from >= MAX_IDS {
                return Err(CoreError::invalid(format!(
                    "`index_from` must be below {MAX_IDS} so that word ids fit in int32. \
                     Received: index_from={index_from}"
                )));
            }
            if index_from + 1 < specials.len() {
                return Err(CoreError::invalid(format!(
                    "`index_from` must be at least {} so that words come after the {} special \
                     tokens. Received: index_from={index_from}",
                    specials.len() - 1,
                    specials.len()
                )));
            }
        }
        if let Some(max) = self.max_tokens {
            if max < self.first_word_id() {
                return Err(CoreError::invalid(format!(
                    "`max_tokens` must be at least {} (the special and reserved ids). \
                     Received: max_tokens={max}",
                    self.first_word_id()
                )));
            }
        }
        if self.min_freq == 0 {
            return Err(CoreError::invalid(
                "`min_freq` must be at least 1. Received: min_freq=0",
            ));
        }
        Ok(())
    }
}

/// How the ids of a vocabulary are seen by its user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Layout {
    /// As ids, the padding id 0 included (`output_mode="int"`).
    #[default]
    Ids,
    /// As the columns of a bag (Keras' bag modes): the padding id 0 has no
    /// column, column `c` is id `c + 1`, and `max_tokens` counts columns
    /// (`max_tokens + 1` ids).
    Bag,
}

impl Layout {
    /// The id of column 0 (ids below it have no column).
    pub fn column_offset(self) -> usize {
        match self {
            Layout::Ids => 0,
            Layout::Bag => 1,
        }
    }
}

/// A vocabulary's settings as a user gives them, checked once: the core's
/// [`VocabConfig`] (which counts ids) and the [`Layout`] its ids are seen
/// in. Every id and bag layout a user sees comes from here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VocabSettings {
    /// `max_tokens` as given: ids, or columns of a bag.
    pub max_tokens: Option<usize>,
    /// How the ids are seen.
    pub layout: Layout,
    /// The settings in ids (`max_tokens` plus the column offset).
    pub config: VocabConfig,
}

impl VocabSettings {
    /// The settings `config` (its `max_tokens` as the user gives it, in the
    /// units of `layout`), checked.
    ///
    /// Errors: inconsistent settings (see [`VocabConfig::validate`]).
    pub fn new(config: VocabConfig, layout: Layout) -> Result<Self> {
        let max_tokens = config.max_tokens;
        let config = VocabConfig {
            max_tokens: max_tokens.map(|max| max.saturating_add(layout.column_offset())),
            ..config
        };
        config.validate()?;
        Ok(VocabSettings {
            max_tokens,
            layout,
            config,
        })
    }

    /// The id of a bag's column 0 (0 for ids).
    pub fn column_offset(&self) -> usize {
        self.layout.column_offset()
    }

    /// The special tokens the user sees first, in order (those with a
    /// column, for a bag).
    pub fn specials(&self) -> Vec<&str> {
        let mut specials = self.config.specials();
        specials.drain(..self.column_offset().min(specials.len()));
        specials
    }

    /// The index of the first learned token among the entries the user
    /// sees (the reserved ids before it included).
    pub fn first_word_index(&self) -> usize {
        self.config
            .first_word_id()
            .saturating_sub(self.column_offset())
    }

    /// The number of columns of a bag over a vocabulary of `vocab_len` ids:
    /// `max_tokens` with `pad_to_max_tokens` (when set), else one per id
    /// that has a column.
    pub fn bag_columns(&self, vocab_len: usize, pad_to_max_tokens: bool) -> usize {
        match self.max_tokens {
            Some(max) if pad_to_max_tokens => max,
            _ => vocab_len.saturating_sub(self.column_offset()),
        }
    }

    /// `(column_offset, depth)` of the idf weights to learn: `depth` is
    /// `max_tokens` with `pad_to_max_tokens`, else 0 (one per column of
    /// the vocabulary learned, see [`crate::bag::idf_weights`]).
    pub fn idf_columns(&self, pad_to_max_tokens: bool) -> (usize, usize) {
        let depth = match self.max_tokens {
            Some(max) if pad_to_max_tokens => max,
            _ => 0,
        };
        (self.column_offset(), depth)
    }
}
