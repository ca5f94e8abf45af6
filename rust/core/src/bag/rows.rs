//! Bag rows of texts, built as sorted `(column, count)` runs and written
//! into a dense row-major matrix ([`bag_dense`]) or straight into CSR
//! arrays ([`bag_csr`]).

use rayon::prelude::*;

use crate::bag::modes::BagConfig;
use crate::bag::ngrams::{pack, packable, DocTokens, Parts, MAX_PACKED, NO_PART};
use crate::buffer::try_zeroed_matrix;
use crate::error::{CoreError, Result};
use crate::text::{Scratch, TextPipeline};
use crate::vocab::Vocabulary;

/// A vocabulary's entries as packed part ids, for [`packable`] pipelines:
/// an n-gram of text tokens is an entry exactly when its tokens are the
/// entry's space-separated pieces, so it is looked up by the part ids of its
/// tokens (one small-table lookup per token, one integer key per n-gram)
/// instead of by its string.
struct PackedVocab {
    parts: Parts,
    /// Id of the one-piece entry of each part (the OOV id if none).
    unigram: Vec<i32>,
    /// Id of each entry of 2 to [`MAX_PACKED`] pieces.
    grams: foldhash::HashMap<u128, i32>,
    oov: i32,
}

impl PackedVocab {
    fn new(vocab: &Vocabulary) -> Self {
        let oov = vocab.oov_id().unwrap_or(-1);
        let mut parts = Parts::default();
        let mut unigram = Vec::new();
        let mut grams = foldhash::HashMap::default();
        let first = vocab.first_word_id();
        let specials = first - vocab.reserved();
        let mut ids = Vec::new();
        // Special tokens first, words after: a word equal to a special token
        // cannot be (the vocabulary refuses it).
        for id in (0..specials).chain(first..vocab.len()) {
            let Some(entry) = vocab.token(id) else {
                continue;
            };
            // An entry with an empty piece (or empty) never equals an
            // n-gram of tokens, nor does one of more pieces than a width.
            let pieces: Vec<&[u8]> = entry.as_bytes().split(|&b| b == b' ').collect();
            if pieces.iter().any(|p| p.is_empty()) || pieces.len() > MAX_PACKED {
                continue;
            }
            ids.clear();
            ids.extend(pieces.iter().map(|piece| parts.add(piece)));
            if unigram.len() < parts.tokens.len() {
                unigram.resize(parts.tokens.len(), oov); // bounded: the parts, held
            }
            match ids[..] {
                [part] => {
                    if let Some(slot) = unigram.get_mut(part as usize) {
                        *slot = id as i32;
                    }
                }
                _ => {
                    grams.insert(pack(&ids), id as i32);
                }
            }
        }
        PackedVocab {
            parts,
            unigram,
            grams,
            oov,
        }
    }

    /// The id of the n-gram of these part ids.
    #[inline(always)]
    fn id(&self, ids: &[u32]) -> i32 {
        match ids {
            [part] => self
                .unigram
                .get(*part as usize)
                .copied()
                .unwrap_or(self.oov),
            _ if ids.contains(&NO_PART) => self.oov,
            _ => self.grams.get(&pack(ids)).copied().unwrap_or(self.oov),
        }
    }
}

/// Per-thread buffers of the bag builders.
#[derive(Default)]
struct BagScratch {
    scratch: Scratch,
    tokens: DocTokens,
    /// Part ids of the tokens (with a [`PackedVocab`]).
    parts: Vec<u32>,
    /// Occurrences per column of the current text (all 0 between texts).
    counts: Vec<u32>,
    /// The columns of the current text, each once.
    columns: Vec<u32>,
}

impl BagScratch {
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
        // Columns past the vocabulary's (pad_to_max_tokens) never count.
        let columns = config.depth.min(vocab.len());
        if self.counts.len() < columns {
            self.counts.resize(columns, 0); // bounded: the vocabulary's entries, held
        }
        self.columns.clear();
        let (counts, columns) = (&mut self.counts, &mut self.columns);
        let (offset, depth) = (config.column_offset, config.depth);
        let mut count = |id: i32| {
            if let Some(column) = usize::try_from(id)
                .ok()
                .and_then(|id| id.checked_sub(offset))
                .filter(|&c| c < depth)
            {
                if let Some(count) = counts.get_mut(column) {
                    if *count == 0 {
                        // Below depth, which fits in an i32 (checked).
                        columns.push(column as u32);
                    }
                    *count += 1;
                }
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
        self.columns.sort_unstable();
    }

    /// The `(column, occurrences)` of the text read last, columns
    /// ascending; the counters are reset on the way.
    fn drain(&mut self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let counts = &mut self.counts;
        self.columns.iter().map(move |&column| {
            let count = counts.get_mut(column as usize).map_or(0, std::mem::take);
            (column, count)
        })
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
    let packed = packable(pipeline, config.widths).then(|| PackedVocab::new(vocab));
    let packed = packed.as_ref();
    const CHUNK: usize = 256;
    let parts: Vec<(Vec<f32>, Vec<i32>, Vec<usize>)> = docs
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut scratch = BagScratch::default();
            let (mut data, mut indices) = (Vec::new(), Vec::new());
            let mut lens = Vec::with_capacity(chunk.len()); // bounded: CHUNK
            for doc in chunk {
                let before = data.len();
                scratch.read(vocab, packed, pipeline, doc.as_ref(), config);
                for (column, count) in scratch.drain() {
                    data.push(config.value(column, count));
                    indices.push(column as i32);
                }
                lens.push(data.len() - before);
            }
            (data, indices, lens)
        })
        .collect();
    let nnz: usize = parts.iter().map(|(d, _, _)| d.len()).sum();
    let mut csr = Csr::default();
    let what = |e| CoreError::out_of_memory(format!("a bag of {nnz} values: {e}"));
    csr.data.try_reserve_exact(nnz).map_err(what)?;
    csr.indices.try_reserve_exact(nnz).map_err(what)?;
    csr.indptr.try_reserve_exact(docs.len() + 1).map_err(what)?;
    csr.indptr.push(0);
    let mut at = 0i64;
    for (data, indices, lens) in parts {
        csr.data.extend_from_slice(&data);
        csr.indices.extend_from_slice(&indices);
        for len in lens {
            at += len as i64;
            csr.indptr.push(at);
        }
    }
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
    let packed = packable(pipeline, config.widths).then(|| PackedVocab::new(vocab));
    let packed = packed.as_ref();
    out.par_chunks_mut(config.depth)
        .zip(docs.par_iter())
        .with_min_len(8)
        .for_each_init(BagScratch::default, |scratch, (row, doc)| {
            scratch.read(vocab, packed, pipeline, doc.as_ref(), config);
            for (column, count) in scratch.drain() {
                row[column as usize] = config.value(column, count);
            }
        });
    Ok(out)
}
