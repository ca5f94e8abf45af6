//! Token counting, vocabulary construction and encoding of texts into ids.
//!
//! Counting runs in parallel (one hash map per chunk of documents, merged at
//! the end). [`Vocabulary::build`] orders tokens like Keras' `IndexLookup`
//! (`np.lexsort((tokens, counts))[::-1]`: count descending, ties broken by the
//! token's UTF-8 bytes, descending) or alphabetically, and lays out the ids:
//!
//! | id | token |
//! |----|-------|
//! | 0 | pad token (`""`) |
//! | 1 | start token, only when one is configured |
//! | next | OOV token (`"[UNK]"`) |
//! | ... | reserved placeholders `"[UNUSED<id>]"`, only with `index_from` |
//! | first word id.. | learned tokens |
//!
//! The first learned token has id `index_from + 1` when `index_from` is set
//! (the `keras.datasets.imdb` arithmetic: the word of rank `r >= 1` gets id
//! `r + index_from`), else the id right after the special tokens.
//! `max_tokens` bounds the total number of ids, special ones included, and
//! every id must fit in an `i32` ([`MAX_IDS`]).
//!
//! Reserved ids cost nothing: a [`Vocabulary`] keeps their count, not their
//! placeholders, which only [`Vocabulary::tokens`] writes out (so
//! `index_from=10**9` is as cheap as `index_from=3` until the whole token
//! list is asked for).
//!
//! - [`config`]: the settings and the id layout ([`VocabConfig`]), as a user
//!   gives and sees them ([`VocabSettings`], [`Layout`]).
//! - [`learn`]: learning a vocabulary from texts or counts.
//! - [`vocabulary`]: the [`Vocabulary`] type and its lookups.
//! - [`encode`]: texts into ids (padded matrices, ragged rows).
//!
//! Counting itself lives in [`crate::count`].

pub mod config;
pub mod encode;
pub mod learn;
pub mod vocabulary;

#[cfg(test)]
mod tests;

pub use config::{Layout, VocabConfig, VocabOrder, VocabSettings};
pub use encode::join_ragged;
pub use learn::{learn_ngram_vocabulary, learn_vocabulary};
pub use vocabulary::Vocabulary;

/// The most ids a vocabulary can have: ids are `i32`s, from 0 to
/// `i32::MAX`.
pub const MAX_IDS: usize = i32::MAX as usize;

/// The most reserved ids whose placeholders [`Vocabulary::tokens`] writes
/// out: more would take gigabytes for a list of identical strings.
pub const MAX_LISTED_RESERVED: usize = 1 << 20;

/// The placeholder shown for reserved id `id`.
pub fn reserved_token(id: usize) -> String {
    format!("[UNUSED{id}]")
}
