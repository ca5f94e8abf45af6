//! The [`Vocabulary`] type: the special tokens, the reserved ids (a count),
//! the learned tokens, and a byte-keyed lookup.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::bag::BagCache;
use crate::buffer::try_reserve;
use crate::error::{CoreError, Result};
use crate::token_map::TokenMap;
use crate::vocab::encode::STOPWORD;
use crate::vocab::{reserved_token, VocabConfig, MAX_IDS, MAX_LISTED_RESERVED};

/// An ordered vocabulary: the special tokens, the reserved ids (a count),
/// then the learned tokens; plus a byte-keyed lookup.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    /// Ids `0..specials.len()`.
    specials: Vec<String>,
    /// Id of the first learned token; the ids between the specials and it
    /// are reserved (shown as [`reserved_token`]).
    first: usize,
    /// Ids `first..`.
    words: Vec<String>,
    /// Token -> id (specials and learned tokens).
    pub(super) lookup: TokenMap<i32>,
    /// Id of the OOV token, or [`STOPWORD`] when there is none.
    pub(super) oov_id: i32,
    pub(super) start_id: Option<i32>,
    /// What bag rows over this vocabulary reuse from call to call.
    pub(crate) bag: BagCache,
}

impl Vocabulary {
    /// Rebuild from a full token list (as returned by [`Vocabulary::tokens`]),
    /// checking that the special tokens and the reserved placeholders sit at
    /// their ids.
    pub fn from_tokens(mut tokens: Vec<String>, config: &VocabConfig) -> Result<Self> {
        config.validate()?;
        let specials = config.specials();
        let first = config.first_word_id();
        if tokens.len() < first || tokens.iter().zip(&specials).any(|(t, s)| t != s) {
            return Err(CoreError::invalid(format!(
                "the vocabulary must start with the special tokens {specials:?} and have at \
                 least {first} entries. Received: {} entries, starting {:?}",
                tokens.len(),
                tokens
                    .iter()
                    .take(specials.len().max(3))
                    .collect::<Vec<_>>()
            )));
        }
        let mut want = String::new();
        for (id, tok) in tokens.iter().enumerate().take(first).skip(specials.len()) {
            want.clear();
            let _ = write!(want, "[UNUSED{id}]");
            if *tok != want {
                return Err(CoreError::invalid(format!(
                    "the reserved ids {}..{first} of the vocabulary must hold their \
                     placeholders \"[UNUSED<id>]\". Received: {tok:?} at id {id}",
                    specials.len()
                )));
            }
        }
        let words = tokens.split_off(first);
        Self::from_parts(words, config)
    }

    /// The vocabulary of `config`'s layout with these learned tokens.
    pub(super) fn from_parts(words: Vec<String>, config: &VocabConfig) -> Result<Self> {
        config.validate()?;
        let specials = config.specials();
        let first = config.first_word_id();
        let len = first.saturating_add(words.len());
        if let Some(max) = config.max_tokens {
            if len > max {
                return Err(CoreError::invalid(format!(
                    "the vocabulary has {len} entries, more than max_tokens={max}"
                )));
            }
        }
        if len > MAX_IDS {
            return Err(CoreError::invalid(format!(
                "the vocabulary is too large for int32 ids: {len} ids ({} learned tokens \
                 from id {first}), at most {MAX_IDS}",
                words.len()
            )));
        }
        // bounded: one slot per existing token (fewer than MAX_IDS).
        let mut lookup = TokenMap::with_capacity(specials.len() + words.len());
        // Words first, then specials, so a special token always maps to its own id.
        for (i, tok) in words.iter().enumerate() {
            // Below MAX_IDS (checked above), so the id fits in an i32.
            let id = (first + i) as i32;
            if lookup.insert(tok.as_bytes(), id).is_some() {
                return Err(CoreError::invalid(format!(
                    "the vocabulary contains {tok:?} more than once"
                )));
            }
        }
        for (id, tok) in specials.iter().enumerate() {
            lookup.insert(tok.as_bytes(), id as i32);
        }
        let start_id = config.start_token.as_ref().map(|_| 1);
        let oov_id = match config.oov_token {
            Some(_) => specials.len() as i32 - 1,
            None => STOPWORD,
        };
        Ok(Vocabulary {
            specials: specials.iter().map(|s| (*s).to_owned()).collect(),
            first,
            words,
            lookup,
            oov_id,
            start_id,
            bag: BagCache::default(),
        })
    }

    /// All tokens in id order, reserved placeholders included.
    ///
    /// Errors: [`CoreError::OutOfMemory`] when there are more than
    /// [`MAX_LISTED_RESERVED`] reserved ids (a huge `index_from`), or the
    /// list cannot be allocated.
    pub fn tokens(&self) -> Result<Vec<String>> {
        let reserved = self.reserved();
        if reserved > MAX_LISTED_RESERVED {
            return Err(CoreError::out_of_memory(format!(
                "the vocabulary has {reserved} reserved ids (index_from={}): too many \
                 \"[UNUSED<id>]\" placeholders to list (at most {MAX_LISTED_RESERVED}); \
                 look tokens up by id instead",
                self.first - 1
            )));
        }
        let mut out = Vec::new();
        try_reserve(&mut out, self.len(), || {
            "the vocabulary's token list".into()
        })?;
        out.extend(self.specials.iter().cloned());
        out.extend((self.specials.len()..self.first).map(reserved_token));
        out.extend(self.words.iter().cloned());
        Ok(out)
    }

    /// The learned tokens, in id order from [`Vocabulary::first_word_id`].
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Number of reserved ids (between the special tokens and the first
    /// learned token).
    pub fn reserved(&self) -> usize {
        self.first - self.specials.len()
    }

    /// Id of the first learned token.
    pub fn first_word_id(&self) -> usize {
        self.first
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.first + self.words.len()
    }

    /// True if there are no ids at all (never for a built vocabulary).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Id of a token: the OOV id if unknown, or -1 when there is no OOV
    /// token.
    #[inline(always)]
    pub fn id(&self, token: &[u8]) -> i32 {
        self.lookup.get(token).copied().unwrap_or(self.oov_id)
    }

    /// [`Vocabulary::id`] of the token `window[..len]`, reading the bytes
    /// after it too when there are at least 16 (see [`TokenMap::get_at`]).
    #[inline(always)]
    pub fn id_at(&self, window: &[u8], len: usize) -> i32 {
        self.lookup
            .get_at(window, len)
            .copied()
            .unwrap_or(self.oov_id)
    }

    /// Id of the OOV token, if there is one.
    pub fn oov_id(&self) -> Option<i32> {
        (self.oov_id != STOPWORD).then_some(self.oov_id)
    }

    /// Id of the start token, if any.
    pub fn start_id(&self) -> Option<i32> {
        self.start_id
    }

    /// Token of an id, if in range (a reserved id's placeholder is written
    /// out).
    pub fn token(&self, id: usize) -> Option<Cow<'_, str>> {
        if let Some(special) = self.specials.get(id) {
            Some(Cow::Borrowed(special))
        } else if id < self.first {
            Some(Cow::Owned(reserved_token(id)))
        } else {
            self.words
                .get(id - self.first)
                .map(|w| Cow::Borrowed(w.as_str()))
        }
    }
}
