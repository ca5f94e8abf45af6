//! Building the matrix from parsed lines, block by block (see `stream`):
//! every line in file order (full mode, [`FullRows`]), or the rows of a
//! vocabulary ([`Alignment`], shared by the vocabulary mode of the parser
//! and by [`align_glove`] for vectors already in memory). [`Builder`] takes
//! the blocks and picks the mode.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::ops::Range;
use std::path::{Path, PathBuf};

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use super::scan::{
    chunks, count_lines, count_values, line_end, line_values, line_word, locate, next_line,
    split_word, LocalError,
};
use super::{Glove, GloveOptions, BOM};
use crate::buffer::{matrix_len, try_reserve, try_zeroed_matrix};
use crate::error::{CoreError, Result};

/// Takes a GloVe text block by block (each block whole lines, in file
/// order) and builds the table of `options`' mode.
pub(super) struct Builder<'o> {
    label: PathBuf,
    options: &'o GloveOptions,
    /// Whether a block has been seen (the BOM is only skipped in the first).
    started: bool,
    /// Set by the first line (the dimension is its number of values).
    state: Option<State<'o>>,
}

enum State<'o> {
    Full(FullRows),
    Filtered(Alignment<'o>),
}

impl<'o> Builder<'o> {
    pub(super) fn new(label: PathBuf, options: &'o GloveOptions) -> Self {
        Builder {
            label,
            options,
            started: false,
            state: None,
        }
    }

    /// Parse one block of whole lines (`lines_before` lines precede it) and
    /// return its number of lines.
    pub(super) fn block(&mut self, data: &[u8], lines_before: u64) -> Result<u64> {
        let data = if std::mem::replace(&mut self.started, true) {
            data
        } else {
            data.strip_prefix(BOM).unwrap_or(data)
        };
        if data.is_empty() {
            return Ok(0);
        }
        if self.state.is_none() {
            self.state = Some(self.first_line(data)?);
        }
        // Chunks of about 2 MB: many more than threads, so no core idles at the end.
        let parts = chunks(
            data,
            (data.len() >> 21).max(rayon::current_num_threads() * 8),
        );
        let label = self.label.as_path();
        match &mut self.state {
            Some(State::Full(rows)) => rows.block(data, &parts, label, lines_before),
            Some(State::Filtered(alignment)) => {
                filtered_block(alignment, data, &parts, label, lines_before)
            }
            None => Ok(0),
        }
    }

    /// The mode's state, with the dimension read from the first line.
    fn first_line(&self, data: &[u8]) -> Result<State<'o>> {
        let label = &self.label;
        let (end, _) = line_end(data, 0, data.len());
        let (_, values) =
            split_word(&data[..end]).map_err(|m| CoreError::malformed(label, 1, m))?;
        let dim = count_values(values);
        if let Some(want) = self.options.dim {
            if want != dim {
                return Err(CoreError::malformed(
                    label,
                    1,
                    format!("the file has {dim} values per word but dim={want} was requested"),
                ));
            }
        }
        Ok(match &self.options.vocabulary {
            None => State::Full(FullRows::new(dim)),
            Some(vocab) => State::Filtered(Alignment::new(
                vocab,
                self.options.lowercase_fallback,
                dim,
                label,
            )?),
        })
    }

    /// The table, once every block is in.
    pub(super) fn finish(self) -> Result<Glove> {
        match self.state {
            None => Err(CoreError::malformed(
                &self.label,
                0,
                "empty file: no vectors",
            )),
            Some(State::Full(rows)) => Ok(rows.finish()),
            Some(State::Filtered(alignment)) => Ok(alignment.finish()),
        }
    }
}

/// Where a line's word sits in its block, and the word's hash.
struct WordAt {
    range: Range<usize>,
    hash: u64,
}

/// Full mode: every line is a row, in file order; a word seen before is
/// dropped (the first line wins). Duplicates are found block by block, so
/// memory holds the distinct words, not every line.
pub(super) struct FullRows {
    dim: usize,
    matrix: Vec<f32>,
    words: Vec<String>,
    /// The hash of each kept word -> the first kept row with that hash.
    first_of_hash: HashMap<u64, usize>,
    /// Kept words whose hash is also another kept word's (rare).
    collided: HashMap<String, ()>,
    duplicates: usize,
    hasher: foldhash::fast::FixedState,
}

impl FullRows {
    fn new(dim: usize) -> Self {
        FullRows {
            dim,
            matrix: Vec::new(),
            words: Vec::new(),
            first_of_hash: HashMap::new(),
            collided: HashMap::new(),
            duplicates: 0,
            hasher: foldhash::fast::FixedState::with_seed(0x9e37_79b9),
        }
    }

    /// Parse the lines of `data` (cut into `parts`) and append their rows.
    fn block(
        &mut self,
        data: &[u8],
        parts: &[Range<usize>],
        label: &Path,
        lines_before: u64,
    ) -> Result<u64> {
        let dim = self.dim;
        let counts: Vec<usize> = parts
            .par_iter()
            .map(|r| count_lines(&data[r.clone()]))
            .collect();
        let rows: usize = counts.iter().sum();
        let base = self.matrix.len();
        let what = || format!("{}: the GloVe matrix", label.display());
        let values = matrix_len::<f32>(rows, dim, what)?;
        try_reserve(&mut self.matrix, values, what)?;
        self.matrix.resize(base + values, 0.0);
        // Give each chunk its own slice of the new rows.
        let mut slices = Vec::with_capacity(parts.len()); // bounded: one per chunk
        let mut rest = &mut self.matrix[base..];
        for &n in &counts {
            let (head, tail) = rest.split_at_mut(n * dim);
            slices.push(head);
            rest = tail;
        }
        let hasher = &self.hasher;
        let results: Vec<std::result::Result<Vec<WordAt>, LocalError>> = parts
            .par_iter()
            .zip(slices.into_par_iter())
            .map(|(range, out)| full_chunk(data, range.clone(), dim, out, hasher))
            .collect();
        let mut chunk_words = Vec::with_capacity(parts.len()); // bounded: one per chunk
        for (i, r) in results.into_iter().enumerate() {
            match r {
                Ok(words) => chunk_words.push(words),
                Err(e) => {
                    self.matrix.truncate(base);
                    return Err(locate(label, lines_before, data, parts, i, e));
                }
            }
        }
        // Keep the first line of each word: rows of new words move down
        // over those of duplicates.
        let (mut read, mut write) = (base / dim, base / dim);
        for words in chunk_words {
            for WordAt { range, hash } in words {
                // Checked to be UTF-8 by `full_chunk`.
                let word = String::from_utf8_lossy(&data[range]);
                if self.is_new(&word, hash, write) {
                    if read != write {
                        self.matrix
                            .copy_within(read * dim..(read + 1) * dim, write * dim);
                    }
                    self.words.push(word.into_owned());
                    write += 1;
                } else {
                    self.duplicates += 1;
                }
                read += 1;
            }
        }
        self.matrix.truncate(write * dim);
        Ok(rows as u64)
    }

    /// Whether `word` (of hash `hash`) is seen for the first time; if so it
    /// is recorded as the word of row `row`.
    fn is_new(&mut self, word: &str, hash: u64, row: usize) -> bool {
        match self.first_of_hash.entry(hash) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(row);
                true
            }
            std::collections::hash_map::Entry::Occupied(first) => {
                self.words[*first.get()] != word
                    && self.collided.insert(word.to_owned(), ()).is_none()
            }
        }
    }

    fn finish(mut self) -> Glove {
        self.matrix.shrink_to_fit();
        let rows = self.words.len();
        Glove {
            matrix: self.matrix,
            rows,
            dim: self.dim,
            words: self.words,
            hits: rows,
            misses: 0,
            missing: Vec::new(),
            duplicates: self.duplicates,
            lowercased: 0,
        }
    }
}

/// Parse the lines of `data[range]` (whole lines) into `out` (one row of
/// `dim` values per line), returning where the chunk's words are and their
/// hashes.
fn full_chunk(
    data: &[u8],
    range: Range<usize>,
    dim: usize,
    out: &mut [f32],
    hasher: &foldhash::fast::FixedState,
) -> std::result::Result<Vec<WordAt>, LocalError> {
    // bounded: one per line of the chunk (`out` holds a row per line).
    let mut words = Vec::with_capacity(out.len() / dim.max(1));
    let (mut p, stop) = (range.start, range.end);
    // `out` has exactly one row per line of the chunk (see `count_lines`).
    for (index, row) in out.chunks_exact_mut(dim).enumerate() {
        if p >= stop {
            break;
        }
        let at = p;
        let (word, v) = line_word(data, p, stop).map_err(|m| (index, m))?;
        p = line_values(data, v, stop, row).map_err(|m| (index, m))?;
        if std::str::from_utf8(word).is_err() {
            return Err((index, "the word is not valid UTF-8".to_string()));
        }
        // Hashed now, while the line is still in cache.
        words.push(WordAt {
            range: at..at + word.len(),
            hash: hasher.hash_one(word),
        });
    }
    Ok(words)
}

/// Vocabulary mode, one block: row `i` is the vector of `vocab[i]` (see
/// [`Alignment`]). Lines of other words are skipped after their word.
fn filtered_block(
    alignment: &mut Alignment<'_>,
    data: &[u8],
    parts: &[Range<usize>],
    label: &Path,
    lines_before: u64,
) -> Result<u64> {
    let dim = alignment.dim;
    let shared = &*alignment;
    // Per chunk, the targets of the wanted lines, their values, and the
    // number of lines.
    type Hits = (Vec<usize>, Vec<f32>, usize);
    let results: Vec<std::result::Result<Hits, LocalError>> = parts
        .par_iter()
        .map(|range| {
            let (mut targets, mut values) = (Vec::new(), Vec::new());
            let (mut p, stop) = (range.start, range.end);
            let mut index = 0usize;
            while p < stop {
                let (word, v) = line_word(data, p, stop).map_err(|m| (index, m))?;
                p = match shared.target(word) {
                    Some(t) => {
                        let at = values.len();
                        // bounded: one row per line of the chunk.
                        values.resize(at + dim, 0f32);
                        targets.push(t);
                        line_values(data, v, stop, &mut values[at..]).map_err(|m| (index, m))?
                    }
                    None => next_line(data, v, stop),
                };
                index += 1;
            }
            Ok((targets, values, index))
        })
        .collect();
    let mut lines = 0u64;
    for (ci, r) in results.into_iter().enumerate() {
        let (targets, values, n) =
            r.map_err(|e| locate(label, lines_before, data, parts, ci, e))?;
        for (&t, row) in targets.iter().zip(values.chunks_exact(dim)) {
            alignment.fill(t, row);
        }
        lines += n as u64;
    }
    Ok(lines)
}

/// Vectors already in memory (`words[i]` has `matrix[i * dim..(i + 1) *
/// dim]`, e.g. from a NumPy file) aligned with `vocabulary` by the rules of
/// the parser's vocabulary mode: row `i` takes the vector of
/// `vocabulary[i]`; reserved rows (`""` or `"<pad>"` at 0, `"[UNK]"` or
/// `"<unk>"` at 1) and words not in `words` stay zero; the first vector of a
/// word wins; with `lowercase_fallback`, a row without an exact match takes
/// the vector of its word's lowercase form.
///
/// Errors if `matrix` does not hold `dim` values per word.
pub fn align_glove(
    words: &[String],
    matrix: &[f32],
    dim: usize,
    vocabulary: &[String],
    lowercase_fallback: bool,
) -> Result<Glove> {
    if words.len().checked_mul(dim) != Some(matrix.len()) {
        return Err(CoreError::invalid(format!(
            "the matrix must hold `dim` values per word. Received: {} values for {} words \
             and dim={dim}",
            matrix.len(),
            words.len()
        )));
    }
    let mut alignment = Alignment::new(vocabulary, lowercase_fallback, dim, Path::new("vectors"))?;
    for (word, row) in words.iter().zip(matrix.chunks_exact(dim.max(1))) {
        if let Some(t) = alignment.target(word.as_bytes()) {
            alignment.fill(t, row);
        }
    }
    Ok(alignment.finish())
}

/// Whether vocabulary row `i` is reserved (padding or out-of-vocabulary).
fn is_reserved(i: usize, word: &str) -> bool {
    (i == 0 && (word.is_empty() || word == "<pad>"))
        || (i == 1 && (word == "[UNK]" || word == "<unk>"))
}

/// Which vocabulary rows a wanted word fills.
#[derive(Default)]
struct Target {
    exact: Vec<usize>,
    lower: Vec<usize>,
}

/// The rows of a vocabulary filled from (word, vector) pairs met in file
/// order, with the rules of both GloVe sources:
///
/// - row `i` takes the vector of `vocabulary[i]`; reserved rows (`""` or
///   `"<pad>"` at 0, `"[UNK]"` or `"<unk>"` at 1) and words never met stay
///   zero and the latter are listed as missing;
/// - the first vector of a word wins; later ones are counted as duplicates;
/// - with `lowercase_fallback`, a row without an exact match takes the
///   vector of its word's lowercase form (counted as lowercased).
pub(super) struct Alignment<'v> {
    vocab: &'v [String],
    dim: usize,
    /// Wanted word (exact or lowercase form) -> its entry in `targets`.
    index: HashMap<Cow<'v, [u8]>, usize>,
    targets: Vec<Target>,
    matrix: Vec<f32>,
    /// Per row: 0 = not filled, 1 = filled from the lowercase form, 2 = exact.
    filled: Vec<u8>,
    /// Per target: a vector was already taken.
    seen: Vec<bool>,
    duplicates: usize,
}

impl<'v> Alignment<'v> {
    /// The wanted words of `vocab`, and a zero matrix of its rows (`label`
    /// names the source in the error when it cannot be allocated).
    pub(super) fn new(
        vocab: &'v [String],
        lowercase_fallback: bool,
        dim: usize,
        label: &Path,
    ) -> Result<Self> {
        let matrix = try_zeroed_matrix(vocab.len(), dim, || {
            format!(
                "{}: the GloVe matrix ({} vocabulary words x dim={dim})",
                label.display(),
                vocab.len()
            )
        })?;
        // bounded: two entries per word of the vocabulary, which exists.
        let mut index: HashMap<Cow<'v, [u8]>, usize> = HashMap::with_capacity(vocab.len() * 2);
        let mut targets: Vec<Target> = Vec::new();
        let mut target_of = |key: Cow<'v, [u8]>| {
            *index.entry(key).or_insert_with(|| {
                targets.push(Target::default());
                targets.len() - 1
            })
        };
        // (target, row, exact) in vocabulary order.
        let mut wants = Vec::with_capacity(vocab.len()); // bounded: one per existing word
        for (i, w) in vocab.iter().enumerate() {
            if !is_reserved(i, w) {
                wants.push((target_of(Cow::Borrowed(w.as_bytes())), i, true));
            }
        }
        if lowercase_fallback {
            for (i, w) in vocab.iter().enumerate() {
                let lowered = w.to_lowercase();
                if !is_reserved(i, w) && lowered != *w {
                    wants.push((target_of(Cow::Owned(lowered.into_bytes())), i, false));
                }
            }
        }
        for (t, i, exact) in wants {
            let target = &mut targets[t];
            if exact {
                target.exact.push(i);
            } else {
                target.lower.push(i);
            }
        }
        let seen = vec![false; targets.len()]; // bounded: at most two per existing word
        Ok(Alignment {
            vocab,
            dim,
            index,
            targets,
            matrix,
            filled: vec![0u8; vocab.len()], // bounded: one per existing word
            seen,
            duplicates: 0,
        })
    }

    /// The target of a file word, None when no row wants it.
    #[inline]
    pub(super) fn target(&self, word: &[u8]) -> Option<usize> {
        self.index.get(word).copied()
    }

    /// Take `row` as the vector of target `t` (the next one in file order).
    pub(super) fn fill(&mut self, t: usize, row: &[f32]) {
        if std::mem::replace(&mut self.seen[t], true) {
            self.duplicates += 1;
            return;
        }
        let dim = self.dim;
        for &i in &self.targets[t].exact {
            self.matrix[i * dim..(i + 1) * dim].copy_from_slice(row);
            self.filled[i] = 2;
        }
        for &i in &self.targets[t].lower {
            if self.filled[i] == 0 {
                self.matrix[i * dim..(i + 1) * dim].copy_from_slice(row);
                self.filled[i] = 1;
            }
        }
    }

    /// The aligned table, with its hits and misses.
    pub(super) fn finish(self) -> Glove {
        let mut hits = 0usize;
        let mut lowercased = 0usize;
        let mut missing = Vec::new();
        for (i, w) in self.vocab.iter().enumerate() {
            if is_reserved(i, w) {
                continue;
            }
            match self.filled[i] {
                0 => missing.push(w.clone()),
                1 => {
                    hits += 1;
                    lowercased += 1;
                }
                _ => hits += 1,
            }
        }
        Glove {
            matrix: self.matrix,
            rows: self.vocab.len(),
            dim: self.dim,
            words: self.vocab.to_vec(),
            hits,
            misses: missing.len(),
            missing,
            duplicates: self.duplicates,
            lowercased,
        }
    }
}
