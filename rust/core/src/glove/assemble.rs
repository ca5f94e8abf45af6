//! Building the matrix from parsed lines: every line in file order (full
//! mode), or the rows of a vocabulary ([`Alignment`], shared by the
//! vocabulary mode of the parser and by [`align_glove`] for vectors already
//! in memory).

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::ops::Range;
use std::path::Path;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use super::scan::{count_lines, line_values, line_word, locate, next_line, LocalError};
use super::Glove;
use crate::buffer::zeroed_buffer;
use crate::error::{CoreError, Result};

/// The words of one chunk and their hashes (for the duplicate check).
type ChunkWords = (Vec<String>, Vec<u64>);

/// Full mode: every line of `data` (cut into `parts`) is a row, in file
/// order; a word seen before is dropped (the first line wins).
pub(super) fn full(data: &[u8], parts: &[Range<usize>], label: &Path, dim: usize) -> Result<Glove> {
    let counts: Vec<usize> = parts
        .par_iter()
        .map(|r| count_lines(&data[r.clone()]))
        .collect();
    let rows: usize = counts.iter().sum();
    // calloc'd (fresh zero pages, no fill pass) and backed by huge pages where
    // the kernel allows: every element is then written exactly once.
    let mut matrix: Vec<f32> = zeroed_buffer(rows * dim);
    // Give each chunk its own slice of the output.
    let mut slices = Vec::with_capacity(parts.len());
    let mut rest = matrix.as_mut_slice();
    for &n in &counts {
        let (head, tail) = rest.split_at_mut(n * dim);
        slices.push(head);
        rest = tail;
    }
    let hasher = foldhash::fast::FixedState::with_seed(0x9e37_79b9);
    let results: Vec<std::result::Result<ChunkWords, LocalError>> = parts
        .par_iter()
        .zip(slices.into_par_iter())
        .map(|(range, out)| full_chunk(data, range.clone(), dim, out, &hasher))
        .collect();
    let mut words: Vec<String> = Vec::with_capacity(rows);
    let mut hashes: Vec<u64> = Vec::with_capacity(rows);
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok((w, h)) => {
                words.extend(w);
                hashes.extend(h);
            }
            Err(e) => return Err(locate(label, data, parts, i, e)),
        }
    }
    // Duplicates: keep the first line of each word. Cheap check first: sort
    // the word hashes in parallel; only equal hashes need the exact pass.
    hashes.par_sort_unstable();
    let maybe_duplicates = hashes.windows(2).any(|w| w[0] == w[1]);
    drop(hashes);
    let mut duplicates = 0usize;
    let (matrix, words) = if !maybe_duplicates {
        (matrix, words)
    } else {
        let mut seen: HashMap<&str, ()> = HashMap::with_capacity(words.len());
        let mut keep = Vec::new();
        for (i, w) in words.iter().enumerate() {
            if seen.insert(w, ()).is_some() {
                duplicates += 1;
            } else {
                keep.push(i);
            }
        }
        drop(seen);
        let mut m = Vec::with_capacity(keep.len() * dim);
        for &i in &keep {
            m.extend_from_slice(&matrix[i * dim..(i + 1) * dim]);
        }
        let mut kept = vec![false; words.len()];
        for &i in &keep {
            kept[i] = true;
        }
        let words = words
            .into_iter()
            .zip(kept)
            .filter_map(|(w, k)| k.then_some(w))
            .collect();
        (m, words)
    };
    let rows = words.len();
    Ok(Glove {
        matrix,
        rows,
        dim,
        words,
        hits: rows,
        misses: 0,
        missing: Vec::new(),
        duplicates,
        lowercased: 0,
    })
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
    let mut words = Vec::with_capacity(capacity);
    let mut hashes = Vec::with_capacity(capacity);
    let (mut p, stop) = (range.start, range.end);
    // `out` has exactly one row per line of the chunk (see `count_lines`).
    for (index, row) in out.chunks_exact_mut(dim).enumerate() {
        if p >= stop {
            break;
        }
        let (word, v) = line_word(data, p, stop).map_err(|m| (index, m))?;
        p = line_values(data, v, stop, row).map_err(|m| (index, m))?;
        let word = std::str::from_utf8(word)
            .map_err(|_| (index, "the word is not valid UTF-8".to_string()))?;
        // Copied and hashed now, while the line is still in cache.
        hashes.push(hasher.hash_one(word));
        words.push(word.to_owned());
    }
    Ok((words, hashes))
}

/// Vocabulary mode: row `i` is the vector of `vocab[i]` (see
/// [`Alignment`]). Lines of other words are skipped after their word.
pub(super) fn filtered(
    data: &[u8],
    parts: &[Range<usize>],
    label: &Path,
    dim: usize,
    vocab: &[String],
    lowercase_fallback: bool,
) -> Result<Glove> {
    let mut alignment = Alignment::new(vocab, lowercase_fallback, dim)?;
    // Per chunk, the targets of the wanted lines and their values.
    type Hits = (Vec<usize>, Vec<f32>);
    let results: Vec<std::result::Result<Hits, LocalError>> = parts
        .par_iter()
        .map(|range| {
            let (mut targets, mut values) = (Vec::new(), Vec::new());
            let (mut p, stop) = (range.start, range.end);
            let mut index = 0usize;
            while p < stop {
                let (word, v) = line_word(data, p, stop).map_err(|m| (index, m))?;
                p = match alignment.target(word) {
                    Some(t) => {
                        let at = values.len();
                        values.resize(at + dim, 0f32);
                        targets.push(t);
                        line_values(data, v, stop, &mut values[at..]).map_err(|m| (index, m))?
                    }
                    None => next_line(data, v, stop),
                };
                index += 1;
            }
            Ok((targets, values))
        })
        .collect();
    for (ci, r) in results.into_iter().enumerate() {
        let (targets, values) = r.map_err(|e| locate(label, data, parts, ci, e))?;
        for (&t, row) in targets.iter().zip(values.chunks_exact(dim)) {
            alignment.fill(t, row);
        }
    }
    Ok(alignment.finish())
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
    let mut alignment = Alignment::new(vocabulary, lowercase_fallback, dim)?;
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
    /// The wanted words of `vocab`, and a zero matrix of its rows.
    pub(super) fn new(vocab: &'v [String], lowercase_fallback: bool, dim: usize) -> Result<Self> {
        let size = vocab.len().checked_mul(dim).ok_or_else(|| {
            CoreError::invalid(format!(
                "the GloVe matrix is too large. Received: {} words x dim={dim}",
                vocab.len()
            ))
        })?;
        let mut index: HashMap<Cow<'v, [u8]>, usize> = HashMap::with_capacity(vocab.len() * 2);
        let mut targets: Vec<Target> = Vec::new();
        let mut target_of = |key: Cow<'v, [u8]>| {
            *index.entry(key).or_insert_with(|| {
                targets.push(Target::default());
                targets.len() - 1
            })
        };
        // (target, row, exact) in vocabulary order.
        let mut wants = Vec::with_capacity(vocab.len());
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
        let seen = vec![false; targets.len()];
        Ok(Alignment {
            vocab,
            dim,
            index,
            targets,
            matrix: zeroed_buffer(size),
            filled: vec![0u8; vocab.len()],
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
