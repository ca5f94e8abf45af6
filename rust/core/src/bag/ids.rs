//! The ids of each text's n-grams (`output_mode="int"` with `ngrams`):
//! ragged ([`ngram_ids`]) or padded into a matrix ([`ngram_ids_padded`]).

use rayon::prelude::*;

use crate::bag::ngrams::{check_widths, DocTokens};

use crate::error::Result;
use crate::pad::PadConfig;
use crate::text::{Scratch, TextPipeline};
use crate::vocab::{join_ragged, Vocabulary};

/// Append the ids of the n-grams of `text` to `values`, width by width. A
/// text that is empty after standardization with
/// [`crate::text::Splitter::None`] is the padding id 0 when width 1 is
/// asked for (Keras' mask token); unknown n-grams without an OOV token are
/// left out.
#[inline]
fn push_ids(
    vocab: &Vocabulary,
    pipeline: &TextPipeline,
    text: &str,
    widths: &[usize],
    (scratch, tokens): (&mut Scratch, &mut DocTokens),
    values: &mut Vec<i32>,
) {
    tokens.read(pipeline, text, scratch);
    if tokens.is_empty_text() && widths.contains(&1) {
        values.push(0);
    }
    tokens.for_each_ngram_at(widths, |window, len| {
        // -1: unknown, without an OOV token (left out).
        let id = vocab.id_at(window, len);
        if id >= 0 {
            values.push(id);
        }
    });
}

/// The ids of each text's n-grams (see `push_ids`): one flat buffer plus
/// `row_splits` (length `docs.len() + 1`).
pub fn ngram_ids<S: AsRef<str> + Sync>(
    vocab: &Vocabulary,
    pipeline: &TextPipeline,
    docs: &[S],
    widths: &[usize],
) -> Result<(Vec<i32>, Vec<i64>)> {
    check_widths(widths)?;
    const CHUNK: usize = 256;
    let parts: Vec<(Vec<i32>, Vec<usize>)> = docs
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut scratch = Scratch::default();
            let mut tokens = DocTokens::default();
            let mut values = Vec::new();
            let mut lens = Vec::with_capacity(chunk.len()); // bounded: CHUNK
            for doc in chunk {
                let before = values.len();
                let buffers = (&mut scratch, &mut tokens);
                push_ids(vocab, pipeline, doc.as_ref(), widths, buffers, &mut values);
                lens.push(values.len() - before);
            }
            (values, lens)
        })
        .collect();
    Ok(join_ragged(parts, docs.len()))
}

/// The ids of each text's n-grams (see `push_ids`) in a row-major
/// `docs.len() x pad.length` matrix, padded with 0 and truncated as `pad`
/// says (in parallel): what `keras.utils.pad_sequences` makes of
/// [`ngram_ids`]' rows.
///
/// Errors: a width < 1; [`crate::CoreError::OutOfMemory`] (naming
/// `output_sequence_length`) when the matrix cannot be allocated.
pub fn ngram_ids_padded<S: AsRef<str> + Sync>(
    vocab: &Vocabulary,
    pipeline: &TextPipeline,
    docs: &[S],
    widths: &[usize],
    pad: &PadConfig,
) -> Result<Vec<i32>> {
    check_widths(widths)?;
    let mut out = pad.id_matrix(docs.len())?;
    if pad.length == 0 {
        return Ok(out);
    }
    out.par_chunks_mut(pad.length)
        .zip(docs.par_iter())
        .with_min_len(8)
        .for_each_init(
            || (Scratch::default(), DocTokens::default(), Vec::new()),
            |(scratch, tokens, ids), (row, doc)| {
                ids.clear();
                push_ids(
                    vocab,
                    pipeline,
                    doc.as_ref(),
                    widths,
                    (scratch, tokens),
                    ids,
                );
                // The row is all zeros (the padding): write the kept ids.
                pad.write_kept(ids, row);
            },
        );
    Ok(out)
}
