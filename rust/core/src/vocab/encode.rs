//! Encoding texts into ids: the token sinks of the hot loops and the
//! padded and ragged encodings of a [`Vocabulary`].

use std::borrow::Cow;
use std::ops::ControlFlow;

use rayon::prelude::*;

use crate::error::Result;
use crate::pad::{PadConfig, Side};
use crate::text::{Scratch, TextPipeline, TokenSink};
use crate::token_map::TokenMap;
use crate::vocab::Vocabulary;

/// Id given to stopwords in an encoding lookup, and to unknown tokens when
/// there is no OOV token: such tokens are skipped.
pub(crate) const STOPWORD: i32 = -1;

/// Token -> id for encoding: unknown tokens get the OOV id, stopwords none.
#[derive(Clone, Copy)]
struct Ids<'a> {
    lookup: &'a TokenMap<i32>,
    oov_id: i32,
}

impl Ids<'_> {
    /// The id of the token `window[..len]`, or [`STOPWORD`].
    #[inline(always)]
    fn raw(self, window: &[u8], len: usize) -> i32 {
        self.lookup
            .get_at(window, len)
            .copied()
            .unwrap_or(self.oov_id)
    }

    /// The id of the token `window[..len]`, or None for a stopword.
    #[inline(always)]
    fn get(self, window: &[u8], len: usize) -> Option<i32> {
        let id = self.raw(window, len);
        (id != STOPWORD).then_some(id)
    }
}

/// Appends the id of every token it is given (skipping stopwords), up to
/// `limit` ids.
struct EncodeSink<'a> {
    ids: Ids<'a>,
    out: &'a mut Vec<i32>,
    limit: usize,
}

impl TokenSink for EncodeSink<'_> {
    #[inline(always)]
    fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
        if let Some(id) = self.ids.get(window, len) {
            self.out.push(id);
            if self.out.len() >= self.limit {
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }

    /// The empty text of `split=None` is the padding id 0 (Keras' mask).
    fn empty_text(&mut self) -> ControlFlow<()> {
        self.out.push(0);
        if self.out.len() >= self.limit {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }
}

/// Writes the id of every token it is given (skipping stopwords) into a
/// row, until the row is full; call [`RowSink::finish`] at the end. (Unlike
/// counting, lookups are not batched: the vocabulary's table is small enough
/// to stay in the CPU's caches.)
struct RowSink<'a> {
    ids: Ids<'a>,
    row: &'a mut [i32],
    len: usize,
}

impl RowSink<'_> {
    /// Write `id` into the next slot; the row advances past it only if
    /// `keep`. Breaks once the row is full.
    #[inline(always)]
    fn put(&mut self, id: i32, keep: bool) -> ControlFlow<()> {
        if let Some(slot) = self.row.get_mut(self.len) {
            *slot = id;
        }
        self.len += usize::from(keep);
        if self.len >= self.row.len() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    /// Reset the slot after the last id, which a skipped stopword may have
    /// written (the rest of the row is untouched padding).
    fn finish(self) {
        if let Some(slot) = self.row.get_mut(self.len) {
            *slot = 0;
        }
    }
}

impl TokenSink for RowSink<'_> {
    #[inline(always)]
    fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
        // Branch-free on stopwords (about half of English tokens, so a branch
        // would mispredict often): a stopword's id is written into the next
        // slot but the row does not advance, so the next id overwrites it.
        let id = self.ids.raw(window, len);
        self.put(id, id != STOPWORD)
    }

    /// The empty text of `split=None` is the padding id 0 (Keras' mask).
    fn empty_text(&mut self) -> ControlFlow<()> {
        self.put(0, true)
    }
}

impl Vocabulary {
    /// The id lookup to encode with `pipeline`: the vocabulary's own, or, if
    /// the pipeline has stopwords, a copy in which they map to [`STOPWORD`]
    /// (overriding any vocabulary entry, as the pipeline drops them first).
    fn lookup_for(&self, pipeline: &TextPipeline) -> Cow<'_, TokenMap<i32>> {
        if pipeline.stopwords().len() == 0 {
            return Cow::Borrowed(&self.lookup);
        }
        let mut lookup = self.lookup.clone();
        for word in pipeline.stopwords() {
            lookup.insert(word, STOPWORD);
        }
        Cow::Owned(lookup)
    }

    /// Encode one text into `ids` (cleared first). With `limit`, stops after
    /// that many ids (used for post-truncation).
    pub fn encode_into(
        &self,
        pipeline: &TextPipeline,
        text: &str,
        scratch: &mut Scratch,
        limit: Option<usize>,
        ids: &mut Vec<i32>,
    ) {
        let lookup = self.lookup_for(pipeline);
        self.encode_with(&lookup, pipeline, text, scratch, limit, ids);
    }

    /// [`Vocabulary::encode_into`] with the lookup from
    /// [`Vocabulary::lookup_for`] (made once per batch).
    fn encode_with(
        &self,
        lookup: &TokenMap<i32>,
        pipeline: &TextPipeline,
        text: &str,
        scratch: &mut Scratch,
        limit: Option<usize>,
        ids: &mut Vec<i32>,
    ) {
        ids.clear();
        let limit = limit.unwrap_or(usize::MAX);
        if limit == 0 {
            return;
        }
        if let Some(start) = self.start_id {
            ids.push(start);
            if ids.len() >= limit {
                return;
            }
        }
        let mut sink = EncodeSink {
            ids: Ids {
                lookup,
                oov_id: self.oov_id,
            },
            out: ids,
            limit,
        };
        pipeline.tokens_with_stopwords_into(text, scratch, &mut sink);
    }

    /// Encode `docs` into a row-major `docs.len() x pad.length` matrix,
    /// padded with 0 and truncated as `pad` says (in parallel).
    ///
    /// The matrix starts zero-filled (see [`PadConfig::id_matrix`]), so only
    /// ids are written; with post-padding and post-truncation they go
    /// straight into their row and tokenizing stops once the row is full.
    ///
    /// Errors: [`crate::CoreError::OutOfMemory`] (naming `output_sequence_length`)
    /// when the matrix cannot be allocated.
    pub fn encode_padded<S: AsRef<str> + Sync>(
        &self,
        pipeline: &TextPipeline,
        docs: &[S],
        pad: &PadConfig,
    ) -> Result<Vec<i32>> {
        let mut out = pad.id_matrix(docs.len())?;
        if pad.length == 0 {
            return Ok(out);
        }
        let lookup = self.lookup_for(pipeline);
        let lookup = &*lookup;
        let direct = pad.padding == Side::Post && pad.truncating == Side::Post;
        let limit = (pad.truncating == Side::Post).then_some(pad.length);
        out.par_chunks_mut(pad.length)
            .zip(docs.par_iter())
            .with_min_len(8)
            .for_each_init(
                || (Scratch::default(), Vec::with_capacity(1024)), // bounded: a constant
                |(scratch, ids), (row, doc)| {
                    if direct {
                        self.encode_row(lookup, pipeline, doc.as_ref(), scratch, row);
                        return;
                    }
                    self.encode_with(lookup, pipeline, doc.as_ref(), scratch, limit, ids);
                    pad.write_kept(ids, row);
                },
            );
        Ok(out)
    }

    /// Write the first `row.len()` ids of `text` to the front of `row`,
    /// which must be all zeros (the padding); the rest of it stays zeros.
    fn encode_row(
        &self,
        lookup: &TokenMap<i32>,
        pipeline: &TextPipeline,
        text: &str,
        scratch: &mut Scratch,
        row: &mut [i32],
    ) {
        let mut sink = RowSink {
            ids: Ids {
                lookup,
                oov_id: self.oov_id,
            },
            row,
            len: 0,
        };
        if let Some(start) = self.start_id {
            if sink.put(start, true).is_break() {
                return;
            }
        }
        pipeline.tokens_with_stopwords_into(text, scratch, &mut sink);
        sink.finish();
    }

    /// Encode `docs` into one flat id buffer plus `row_splits` (length
    /// `docs.len() + 1`). With `truncate`, each row keeps at most that many ids
    /// (from the side it names); rows are never padded.
    pub fn encode_ragged<S: AsRef<str> + Sync>(
        &self,
        pipeline: &TextPipeline,
        docs: &[S],
        truncate: Option<(usize, Side)>,
    ) -> (Vec<i32>, Vec<i64>) {
        const CHUNK: usize = 256;
        let pad = truncate.map(|(length, truncating)| PadConfig {
            length,
            padding: Side::Post,
            truncating,
        });
        let limit = pad.filter(|p| p.truncating == Side::Post).map(|p| p.length);
        let lookup = self.lookup_for(pipeline);
        let lookup = &*lookup;
        let parts: Vec<(Vec<i32>, Vec<usize>)> = docs
            .par_chunks(CHUNK)
            .map(|chunk| {
                let mut scratch = Scratch::default();
                let mut ids = Vec::with_capacity(1024); // bounded: a constant
                let mut values = Vec::new();
                let mut lens = Vec::with_capacity(chunk.len()); // bounded: CHUNK
                for doc in chunk {
                    self.encode_with(
                        lookup,
                        pipeline,
                        doc.as_ref(),
                        &mut scratch,
                        limit,
                        &mut ids,
                    );
                    let kept = match &pad {
                        Some(p) => p.kept(&ids),
                        None => &ids[..],
                    };
                    values.extend_from_slice(kept);
                    lens.push(kept.len());
                }
                (values, lens)
            })
            .collect();
        join_ragged(parts, docs.len())
    }
}

/// Ragged rows encoded chunk by chunk (each chunk: its ids end to end and the
/// length of each of its rows) joined into one flat `values` array and the
/// `n_rows + 1` row offsets of Arrow's list layout.
pub fn join_ragged(parts: Vec<(Vec<i32>, Vec<usize>)>, n_rows: usize) -> (Vec<i32>, Vec<i64>) {
    let total = parts.iter().map(|(v, _)| v.len()).sum();
    let mut values = Vec::with_capacity(total); // bounded: ids already held
    let mut splits = Vec::with_capacity(n_rows + 1); // bounded: one per row
    splits.push(0i64);
    let mut at = 0i64;
    for (v, lens) in parts {
        values.extend_from_slice(&v);
        for len in lens {
            at += len as i64;
            splits.push(at);
        }
    }
    (values, splits)
}
