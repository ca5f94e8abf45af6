//! N-grams and bag-of-n-gram outputs: Keras `TextVectorization`'s `ngrams`
//! and its `multi_hot`, `count` and `tf_idf` output modes.
//!
//! An n-gram is `n` consecutive tokens joined with one space, as
//! `tf.strings.ngrams(tokens, ngram_width, separator=" ")` joins them; with
//! several widths, a text's n-grams are all those of the first width, then
//! all those of the next. A text shorter than a width has no n-gram of that
//! width. N-grams are looked up and counted as byte slices: the tokens of a
//! text are laid out once with one space between them ([`DocTokens`]), so an
//! n-gram is a slice of that buffer and no string is built for it.
//!
//! A bag row has one column per vocabulary entry (an id minus a column
//! offset, see [`crate::vocab::Layout::Bag`]: Keras' bag modes have no
//! padding column, so column 0 is the OOV token); `multi_hot` writes 1
//! where an n-gram occurs, `count` the number of occurrences, `tf_idf` the count times the column's idf weight, all in
//! `f32`. Rows are built as sorted `(column, count)` runs, written either
//! into a dense row-major matrix or straight into CSR arrays (never a dense
//! intermediate).
//!
//! Document frequencies for `tf_idf` are counted with the n-grams: an entry
//! remembers the last document that counted it, so each document adds 1 to
//! an n-gram's document count at most once, without a per-document set.
//! Keras' inverse document frequency is `ln(1 + documents / (1 + df))` (see
//! [`inverse_document_frequency`]).
//!
//! - [`ngrams`]: a text's n-grams ([`DocTokens`]) and packed part ids.
//! - [`count`]: n-gram and document counts ([`count_ngrams`]).
//! - `record`: the first pass of the pruned count, which records each
//!   text's token ids so that the texts are scanned once.
//! - [`idf`]: inverse document frequencies ([`idf_weights`]).
//! - [`modes`]: the bag modes and settings ([`BagMode`], [`BagConfig`]).
//! - [`rows`]: bag rows, dense or CSR.
//! - [`cache`]: what bag rows over one vocabulary reuse ([`BagCache`]).
//! - `columns`: the per-column counters of one bag row.
//! - [`ids`]: the ids of each text's n-grams, ragged or padded.

pub mod cache;
mod columns;
pub mod count;
pub mod idf;
pub mod ids;
pub mod modes;
pub mod ngrams;
mod record;
pub mod rows;

#[cfg(test)]
mod tests;

pub use cache::BagCache;
pub use count::{count_ngrams, NgramCounts};
pub use idf::{idf_weights, inverse_document_frequency};
pub use ids::{ngram_ids, ngram_ids_padded};
pub use modes::{BagConfig, BagMode};
pub use ngrams::{check_widths, DocTokens};
pub use rows::{bag_csr, bag_dense, Csr};
