//! Bag rows of texts, built as sorted `(column, count)` runs and written
//! into a dense row-major matrix ([`bag_dense`]) or straight into CSR
//! arrays ([`bag_csr`]). The vocabulary's packed entries and column
//! counters come from its [`crate::bag::BagCache`], so a call costs time in proportion
//! to its texts, not to the vocabulary.

use rayon::prelude::*;

use crate::bag::cache::{Lent, PackedVocab};
use crate::bag::modes::BagConfig;
use crate::bag::ngrams::{packable, DocTokens};
use crate::buffer::{try_reserve, try_zeroed, try_zeroed_matrix};
use crate::error::Result;
use crate::text::{Scratch, TextPipeline};
use crate::vocab::Vocabulary;

/// Per-job buffers of the bag builders: the text's tokens (or part ids)
/// and its column counters, lent by the vocabulary's [`crate::bag::BagCache`].
struct BagScratch<'a> {
    scratch: Scratch,
    tokens: DocTokens,
    /// Part ids of the tokens (with a [`PackedVocab`]).
    parts: Vec<u32>,
    counts: Lent<'a>,
}

impl<'a> BagScratch<'a> {
    fn new(vocab: &'a Vocabulary, config: &BagConfig<'_>) -> Self {
        // Columns past the vocabulary's (pad_to_max_tokens) never count.
        let columns = config.depth.min(vocab.len());
        BagScratch {
            scratch: Scratch::default(),
            tokens: DocTokens::default(),
            parts: Vec::new(),
            counts: vocab.bag.lend(columns),
        }
    }

    /// Count the columns of `text`; [`BagScratch::drain`] hands them out.
    fn read(
        &mut self,
        vocab: &Vocabulary,
        packed: Option<&PackedVocab>,
        pipeline: &TextPipeline,
        text: &str,
        config: &BagConfig<'_>,
    ) {
        match packed {
            Some(packed) => packed
                .parts
                .read(pipeline, text, &mut self.scratch, &mut self.parts),
            None => self.tokens.read(pipeline, text, &mut self.scratch),
        }
        let counts = &mut self.counts.counts;
        let (offset, depth) = (config.column_offset, config.depth);
        let mut count = |id: i32| {
            if let Some(column) = usize::try_from(id)
                .ok()
                .and_then(|id| id.checked_sub(offset))
                .filter(|&c| c < depth)
            {
                counts.add(column);
            }
        };
        match packed {
            Some(packed) => {
                for &width in config.widths {
                    for window in self.parts.windows(width) {
                        count(packed.id(window));
                    }
                }
            }
            None => self
                .tokens
                .for_each_ngram_at(config.widths, |window, len| count(vocab.id_at(window, len))),
        }
    }

    /// Call `f(column, occurrences)` for the text read last, columns
    /// ascending; the counters are reset on the way.
    #[inline]
    fn drain(&mut self, f: impl FnMut(u32, u32)) {
        self.counts.counts.drain(f);
    }
}

/// A bag in compressed sparse row form (`scipy.sparse.csr_matrix`'s
/// `(data, indices, indptr)`): row `i`'s columns, ascending, are
/// `indices[indptr[i]..indptr[i + 1]]` with values `data[...]`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Csr {
    pub data: Vec<f32>,
    pub indices: Vec<i32>,
    pub indptr: Vec<i64>,
}

/// Bag rows of `docs` as a CSR matrix of `docs.len()` rows and
/// `config.depth` columns (in parallel).
pub fn bag_csr<S: AsRef<str> + Sync>(
    vocab: &Vocabulary,
    pipeline: &TextPipeline,
    docs: &[S],
    config: &BagConfig<'_>,
) -> Result<Csr> {
    config.check()?;
    let packed = packable(pipeline, config.widths).then(|| vocab.bag.packed(vocab));
    const CHUNK: usize = 256;
    let parts: Vec<(Vec<f32>, Vec<i32>, Vec<usize>)> = docs
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut scratch = BagScratch::new(vocab, config);
            let (mut data, mut indices) = (Vec::new(), Vec::new());
            let mut lens = Vec::with_capacity(chunk.len()); // bounded: CHUNK
            for doc in chunk {
                let before = data.len();
                scratch.read(vocab, packed, pipeline, doc.as_ref(), config);
                scratch.drain(|column, count| {
                    data.push(config.value(column, count));
                    indices.push(column as i32);
                });
                lens.push(data.len() - before);
            }
            (data, indices, lens)
        })
        .collect();
    let nnz: usize = parts.iter().map(|(d, _, _)| d.len()).sum();
    let what = || format!("a bag of {nnz} values");
    let mut csr = Csr {
        // Zero pages, filled in parallel below (no serial first touch).
        data: try_zeroed(nnz, what)?,
        indices: try_zeroed(nnz, what)?,
        indptr: Vec::new(),
    };
    try_reserve(&mut csr.indptr, docs.len() + 1, what)?;
    csr.indptr.push(0);
    let mut at = 0i64;
    for (_, _, lens) in &parts {
        for &len in lens {
            at += len as i64;
            csr.indptr.push(at);
        }
    }
    // Each chunk's values to their place, chunks in parallel.
    let (mut data, mut indices) = (&mut csr.data[..], &mut csr.indices[..]);
    let mut places = Vec::with_capacity(parts.len()); // bounded: the chunks, held
    for (chunk_data, chunk_indices, _) in &parts {
        let (d, rest) = std::mem::take(&mut data).split_at_mut(chunk_data.len());
        data = rest;
        let (i, rest) = std::mem::take(&mut indices).split_at_mut(chunk_indices.len());
        indices = rest;
        places.push((d, i, chunk_data, chunk_indices));
    }
    places
        .into_par_iter()
        .for_each(|(d, i, chunk_data, chunk_indices)| {
            d.copy_from_slice(chunk_data);
            i.copy_from_slice(chunk_indices);
        });
    Ok(csr)
}

/// Bag rows of `docs` as a row-major `docs.len() x config.depth` matrix (in
/// parallel). The matrix starts zero-filled ([`try_zeroed_matrix`]: pages
/// no row writes to are never touched); a size this machine cannot hold is
/// [`CoreError::OutOfMemory`].
pub fn bag_dense<S: AsRef<str> + Sync>(
    vocab: &Vocabulary,
    pipeline: &TextPipeline,
    docs: &[S],
    config: &BagConfig<'_>,
) -> Result<Vec<f32>> {
    config.check()?;
    let mut out: Vec<f32> = try_zeroed_matrix(docs.len(), config.depth, || {
        format!(
            "a dense bag of {} texts x {} columns (sparse=True needs far less)",
            docs.len(),
            config.depth
        )
    })?;
    if config.depth == 0 {
        return Ok(out);
    }
    let packed = packable(pipeline, config.widths).then(|| vocab.bag.packed(vocab));
    out.par_chunks_mut(config.depth)
        .zip(docs.par_iter())
        .with_min_len(8)
        .for_each_init(
            || BagScratch::new(vocab, config),
            |scratch, (row, doc)| {
                scratch.read(vocab, packed, pipeline, doc.as_ref(), config);
                scratch.drain(|column, count| row[column as usize] = config.value(column, count));
            },
        );
    Ok(out)
}
