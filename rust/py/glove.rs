//! Bindings for GloVe parsing (`imdbfast_core::glove`). The public wrapper is
//! `imdbfast.load_glove` in `python/imdbfast/embeddings.py`.

use std::path::PathBuf;

use imdbfast_core::glove::{self, Glove, GloveOptions};
use numpy::{PyArray2, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use super::buffer::into_matrix;
use super::errors::IntoPyResult;
use super::fork;

/// The parts of a parsed GloVe file, handed to the Python wrapper.
type GloveParts<'py> = (
    Bound<'py, PyArray2<f32>>,
    Vec<String>,
    usize,
    usize,
    Vec<String>,
    usize,
    usize,
);

/// Parse a GloVe text file (`.txt`, `.gz`, or a `.zip` member), streamed in
/// blocks of whole lines.
///
/// Args:
///     path: the file.
///     member: the zip member to read (None: chosen by `dim`, or the only `.txt`).
///     vocabulary: align rows with these words (None: every line is a row).
///     dim: expected number of values per word.
///     lowercase_fallback: a vocabulary word without an exact match takes the
///         vector of its lowercase form.
///
/// Returns:
///     (matrix float32 (rows, dim), words, hits, misses, missing, duplicates,
///     lowercased).
///
/// Raises:
///     ValueError: malformed file (the message names the file and line).
///     OSError: the file cannot be read, or changed while it was read.
///     MemoryError: the matrix cannot be allocated.
#[pyfunction]
#[pyo3(signature = (path, member=None, vocabulary=None, dim=None, lowercase_fallback=false, *, num_threads=None))]
fn glove_load<'py>(
    py: Python<'py>,
    path: PathBuf,
    member: Option<String>,
    vocabulary: Option<Vec<String>>,
    dim: Option<usize>,
    lowercase_fallback: bool,
    num_threads: Option<usize>,
) -> PyResult<GloveParts<'py>> {
    let threads = fork::threads(num_threads)?;
    let options = GloveOptions {
        dim,
        vocabulary,
        lowercase_fallback,
    };
    let g = py
        .detach(|| {
            fork::install(threads, || {
                glove::load_glove(&path, member.as_deref(), &options)
            })
        })
        .py_err()?;
    glove_parts(py, g)
}

/// Align vectors already in memory with a vocabulary, by the rules of
/// `glove_load`'s vocabulary mode (reserved rows, first vector of a word
/// wins, lowercase fallback).
///
/// Args:
///     words: the row labels of `matrix`.
///     matrix: float32 (len(words), dim), C-contiguous (a read-only or
///         memory-mapped array is fine).
///     vocabulary: row `i` of the result is the vector of `vocabulary[i]`.
///     lowercase_fallback: a vocabulary word without an exact match takes
///         the vector of its lowercase form.
///
/// Returns:
///     (matrix float32 (len(vocabulary), dim), vocabulary, hits, misses,
///     missing, duplicates, lowercased), as `glove_load`.
///
/// Raises:
///     ValueError: `matrix` is not C-contiguous or has not one row per word.
#[pyfunction]
#[pyo3(signature = (words, matrix, vocabulary, lowercase_fallback=false, *, num_threads=None))]
fn glove_align<'py>(
    py: Python<'py>,
    words: Vec<String>,
    matrix: PyReadonlyArray2<'py, f32>,
    vocabulary: Vec<String>,
    lowercase_fallback: bool,
    num_threads: Option<usize>,
) -> PyResult<GloveParts<'py>> {
    let threads = fork::threads(num_threads)?;
    let dim = matrix.shape()[1];
    // `as_slice` also takes Fortran-ordered arrays, whose rows are not runs.
    let values = match matrix.as_slice() {
        Ok(values) if matrix.is_c_contiguous() => values,
        _ => {
            return Err(PyValueError::new_err(format!(
                "matrix must be a C-contiguous float32 array. Received: strides {:?}",
                matrix.strides()
            )))
        }
    };
    let g = py
        .detach(|| {
            fork::install(threads, || {
                glove::align_glove(&words, values, dim, &vocabulary, lowercase_fallback)
            })
        })
        .py_err()?;
    glove_parts(py, g)
}

/// A parsed or aligned table as the tuple the Python wrapper unpacks.
fn glove_parts(py: Python<'_>, g: Glove) -> PyResult<GloveParts<'_>> {
    Ok((
        into_matrix(py, g.rows, g.dim, g.matrix)?,
        g.words,
        g.hits,
        g.misses,
        g.missing,
        g.duplicates,
        g.lowercased,
    ))
}

/// The member names of a zip archive, in archive order.
///
/// Raises:
///     ValueError: the file is not a readable zip archive.
///     OSError: the file cannot be opened.
#[pyfunction]
fn zip_members(py: Python<'_>, path: PathBuf) -> PyResult<Vec<String>> {
    py.detach(|| glove::zip_members(&path)).py_err()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(glove_load, m)?)?;
    m.add_function(wrap_pyfunction!(glove_align, m)?)?;
    m.add_function(wrap_pyfunction!(zip_members, m)?)?;
    Ok(())
}
