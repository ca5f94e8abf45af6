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
    /// The size of the text in bytes, when known (a plain file's): the
    /// matrix of full mode is then reserved at once.
    size: Option<u64>,
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
    pub(super) fn new(label: PathBuf, options: &'o GloveOptions, size: Option<u64>) -> Self {
        Builder {
            label,
            options,
            size,
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
            Some(State::Full(rows)) => {
                if lines_before == 0 {
                    rows.reserve_for(data, self.size);
                }
                rows.block(data, &parts, label, lines_before)
            }
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

/// Words end to end in one buffer: no allocation per word while parsing
/// and checking (a block of short duplicate lines costs a few bytes a line).
#[derive(Debug, Default)]
struct WordList {
    bytes: Vec<u8>,
    /// Where each word ends in `bytes`.
    ends: Vec<usize>,
}

impl WordList {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.bytes[start..self.ends[i]]
    }

    fn push(&mut self, word: &[u8]) {
        self.bytes.extend_from_slice(word);
        self.ends.push(self.bytes.len());
    }

    /// The words as strings (made on all cores; each was checked to be
    /// UTF-8 when it was parsed).
    fn into_strings(self) -> Vec<String> {
        (0..self.len())
            .into_par_iter()
            .map(|i| String::from_utf8_lossy(self.get(i)).into_owned())
            .collect()
    }
}

/// The words of one chunk and their hashes (for the duplicate check).
type ChunkWords = (WordList, Vec<u64>);

/// Full mode: every line is a row, in file order; a word seen before is
/// dropped (the first line wins). Duplicates are found block by block, so
/// memory holds the distinct words, not every line.
///
/// The duplicate check is the one step that must follow file order, so it
/// runs on one thread: for block `n`, while block `n + 1` is parsed on the
/// other cores ([`rayon::join`]). Rows are parsed after those of the block
/// being checked; once checked, a block's rows move down over the rows of
/// its duplicates (nothing moves while there are none).
pub(super) struct FullRows {
    dim: usize,
    /// Zeros or rows: `..kept * dim` are the table so far, then the rows of
    /// the pending block, then room for the next block (so the parser writes
    /// into initialized memory, zeroed by the allocator where it can).
    matrix: Vec<f32>,
    /// Rows of the table so far.
    kept: usize,
    /// The block parsed last, whose words are not checked yet.
    pending: Option<Pending>,
    words: WordList,
    /// The hash of each kept word -> its row.
    first_of_hash: HashMap<u64, usize>,
    /// Kept words whose hash is also another kept word's (rare).
    collided: HashMap<Vec<u8>, ()>,
    duplicates: usize,
    hasher: foldhash::fast::FixedState,
}

/// A parsed block whose words are not checked for duplicates yet.
struct Pending {
    /// Its first row in the matrix (at or after `kept`).
    first_row: usize,
    /// Its number of rows.
    rows: usize,
    /// Its words and their hashes, chunk by chunk, in file order.
    words: Vec<ChunkWords>,
}

/// The words a checked block keeps: which lines (None: all of them).
type Kept = Option<Vec<bool>>;

impl FullRows {
    fn new(dim: usize) -> Self {
        FullRows {
            dim,
            matrix: Vec::new(),
            kept: 0,
            pending: None,
            words: WordList::default(),
            first_of_hash: HashMap::new(),
            collided: HashMap::new(),
            duplicates: 0,
            hasher: foldhash::fast::FixedState::with_seed(0x9e37_79b9),
        }
    }

    /// Reserve the matrix for a text of `size` bytes that starts with the
    /// block `first` (its lines per byte give the estimate), so that it is
    /// allocated once, as fresh zero pages (backed by huge pages where the
    /// kernel allows). Only a hint: nothing happens without a size or if
    /// the allocation fails.
    fn reserve_for(&mut self, first: &[u8], size: Option<u64>) {
        let Some(size) = size.and_then(|s| usize::try_from(s).ok()) else {
            return;
        };
        if first.is_empty() || size <= first.len() {
            return;
        }
        let lines = count_lines(first);
        // 1/32 more than the first block's density says, as a margin.
        let rows = (size / first.len()).saturating_mul(lines) + lines;
        let rows = rows.saturating_add(rows / 32);
        if let Ok(matrix) = try_zeroed_matrix::<f32>(rows, self.dim, String::new) {
            self.matrix = matrix;
            // bounded: capped (an estimate; beyond it the map grows as words come).
            self.first_of_hash.reserve(rows.min(1 << 20));
        }
    }

    /// Parse the lines of `data` (cut into `parts`) after the pending
    /// block's rows, while the pending block's words are checked; the new
    /// block is then the pending one.
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
        let what = || format!("{}: the GloVe matrix", label.display());
        let values = matrix_len::<f32>(rows, dim, what)?;
        let first_row = self
            .pending
            .as_ref()
            .map_or(self.kept, |p| p.first_row + p.rows);
        let base = first_row * dim;
        let need = base.checked_add(values).ok_or_else(|| {
            CoreError::out_of_memory(format!("{}: {first_row} rows do not fit in memory", what()))
        })?;
        if need > self.matrix.len() {
            // Grow by half at least (not row by row).
            let grown = need.max(self.matrix.len().saturating_add(self.matrix.len() / 2));
            let more = grown - self.matrix.len();
            try_reserve(&mut self.matrix, more, what)?;
            self.matrix.resize(grown, 0.0); // bounded: reserved just above
        }
        // Give each chunk its own slice of the new rows.
        let mut slices = Vec::with_capacity(parts.len()); // bounded: one per chunk
        let mut rest = &mut self.matrix[base..need];
        for &n in &counts {
            let (head, tail) = rest.split_at_mut(n * dim);
            slices.push(head);
            rest = tail;
        }
        let hasher = &self.hasher;
        let pending = self.pending.take();
        let (words, first_of_hash, collided) =
            (&mut self.words, &mut self.first_of_hash, &mut self.collided);
        let (results, checked) = rayon::join(
            || {
                parts
                    .par_iter()
                    .zip(slices.into_par_iter())
                    .map(|(range, out)| full_chunk(data, range.clone(), dim, out, hasher))
                    .collect::<Vec<_>>()
            },
            || {
                pending.map(|p| {
                    (
                        p.first_row,
                        check_words(words, first_of_hash, collided, p.words),
                    )
                })
            },
        );
        if let Some((pending_row, (lines, kept, duplicates))) = checked {
            self.duplicates += duplicates;
            self.keep_rows(pending_row, lines, kept.as_deref());
        }
        let mut chunk_words = Vec::with_capacity(parts.len()); // bounded: one per chunk
        for (i, r) in results.into_iter().enumerate() {
            match r {
                Ok(words) => chunk_words.push(words),
                Err(e) => return Err(locate(label, lines_before, data, parts, i, e)),
            }
        }
        // The new block follows the table directly (if the pending block had
        // duplicates, its rows move down into their room).
        if self.kept != first_row {
            self.matrix.copy_within(base..need, self.kept * dim);
        }
        self.pending = Some(Pending {
            first_row: self.kept,
            rows,
            words: chunk_words,
        });
        Ok(rows as u64)
    }

    /// Move the kept rows of a checked block (`lines` rows from
    /// `first_row`) down to the end of the table.
    fn keep_rows(&mut self, first_row: usize, lines: usize, kept: Option<&[bool]>) {
        let dim = self.dim;
        for line in 0..lines {
            if kept.is_some_and(|k| !k[line]) {
                continue;
            }
            let read = first_row + line;
            if read != self.kept {
                self.matrix
                    .copy_within(read * dim..(read + 1) * dim, self.kept * dim);
            }
            self.kept += 1;
        }
    }

    fn finish(mut self) -> Glove {
        if let Some(p) = self.pending.take() {
            let (lines, kept, duplicates) = check_words(
                &mut self.words,
                &mut self.first_of_hash,
                &mut self.collided,
                p.words,
            );
            self.duplicates += duplicates;
            self.keep_rows(p.first_row, lines, kept.as_deref());
        }
        self.matrix.truncate(self.kept * self.dim);
        self.matrix.shrink_to_fit();
        let rows = self.words.len();
        Glove {
            matrix: self.matrix,
            rows,
            dim: self.dim,
            words: self.words.into_strings(),
            hits: rows,
            misses: 0,
            missing: Vec::new(),
            duplicates: self.duplicates,
            lowercased: 0,
        }
    }
}

/// Check a block's words (chunk by chunk, in file order) against the words
/// kept so far and each other: a word seen before is a duplicate, a new one
/// joins `words` (and `first_of_hash`, or `collided` when another word has
/// its hash). Returns the block's number of lines, which of them are kept
/// (None: all), and the number of duplicates.
fn check_words(
    words: &mut WordList,
    first_of_hash: &mut HashMap<u64, usize>,
    collided: &mut HashMap<Vec<u8>, ()>,
    block: Vec<ChunkWords>,
) -> (usize, Kept, usize) {
    let (mut lines, mut kept, mut duplicates): (usize, Kept, usize) = (0, None, 0);
    for (chunk_words, hashes) in block {
        for (i, hash) in hashes.into_iter().enumerate() {
            let word = chunk_words.get(i);
            let new = match first_of_hash.entry(hash) {
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(words.len());
                    true
                }
                std::collections::hash_map::Entry::Occupied(first) => {
                    words.get(*first.get()) != word && collided.insert(word.to_vec(), ()).is_none()
                }
            };
            match (&mut kept, new) {
                (Some(k), _) => k.push(new),
                (None, false) => {
                    let mut k = vec![true; lines]; // bounded: the lines of a block
                    k.push(false);
                    kept = Some(k);
                }
                (None, true) => {}
            }
            if new {
                words.push(word);
            } else {
                duplicates += 1;
            }
            lines += 1;
        }
    }
    (lines, kept, duplicates)
}

/// Parse the lines of `data[range]` (whole lines) into `out` (one row of
/// `dim` values per line), returning the chunk's words and their hashes.
fn full_chunk(
    data: &[u8],
    range: Range<usize>,
    dim: usize,
    out: &mut [f32],
    hasher: &foldhash::fast::FixedState,
) -> std::result::Result<ChunkWords, LocalError> {
    let capacity = out.len() / dim.max(1);
    let mut words = WordList {
        bytes: Vec::new(),
        ends: Vec::with_capacity(capacity), // bounded: one per line of the chunk
    };
    let mut hashes = Vec::with_capacity(capacity); // bounded: one per line of the chunk
    let (mut p, stop) = (range.start, range.end);
    // `out` has exactly one row per line of the chunk (see `count_lines`).
    for (index, row) in out.chunks_exact_mut(dim).enumerate() {
        if p >= stop {
            break;
        }
        let (word, v) = line_word(data, p, stop).map_err(|m| (index, m))?;
        p = line_values(data, v, stop, row).map_err(|m| (index, m))?;
        if std::str::from_utf8(word).is_err() {
            return Err((index, "the word is not valid UTF-8".to_string()));
        }
        // Copied and hashed now, while the line is still in cache.
        hashes.push(hasher.hash_one(word));
        words.push(word);
    }
    Ok((words, hashes))
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
