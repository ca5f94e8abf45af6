//! imdbfast-core: the text work behind the `imdbfast` Python package.
//!
//! Everything here is plain Rust (no PyO3): the Python binding layer in
//! `rust/py/` only converts types and releases the GIL around these calls.
//!
//! - [`text`]: standardization and splitting of reviews into tokens.
//! - [`bag`]: n-grams and bag-of-n-gram outputs (multi-hot, count, tf-idf).
//! - [`first_seen`]: words ranked like the legacy Keras `Tokenizer` (ties in
//!   first-seen order).
//! - [`token_map`]: the token -> value map behind stopwords, counting and
//!   vocabulary lookup (used by both `text` and `vocab`).
//! - [`count`]: the one parallel counting fold and key batch; token counts
//!   and mergeable counts (streaming and distributed fits).
//! - [`vocab`]: vocabulary settings, learning, the type and encoding.
//! - [`pad`]: padding and truncation into row-major id matrices.
//! - [`buffer`]: zero-filled output buffers for large matrices.
//! - [`glove`]: parsing GloVe text files into an aligned float32 matrix.
//! - [`arrow`]: texts borrowed from Arrow string buffers (value bytes + offsets).
//! - [`archive`]: reading the aclImdb review files from a directory or a tar.gz.
//!
//! `fuzz_checks` (hidden) holds the checks of the fuzz targets in `fuzz/`,
//! replayed on their corpus by `tests/fuzz_corpus.rs`.
//!
//! SIMD kernels are all written one way; `simd` (private) describes it.

pub mod archive;
pub mod arrow;
pub mod bag;
pub mod buffer;
pub mod count;
pub mod error;
pub mod first_seen;
#[doc(hidden)]
pub mod fuzz_checks;
pub mod glove;
pub mod pad;
mod simd;
pub mod text;
pub mod token_map;
pub mod vocab;

pub use error::{CoreError, Result};
