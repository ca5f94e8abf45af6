//! Bindings for GloVe parsing (`imdbfast_core::glove`). The public wrapper is
//! `imdbfast.load_glove` in `python/imdbfast/embeddings.py`.

use std::path::PathBuf;

use imdbfast_core::glove::{self, GloveOptions};
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

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

/// Parse a GloVe text file (`.txt` memory-mapped, `.gz`, or a `.zip` member).
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
///     OSError: the file cannot be read.
#[pyfunction]
#[pyo3(signature = (path, member=None, vocabulary=None, dim=None, lowercase_fallback=false))]
fn glove_load<'py>(
    py: Python<'py>,
    path: PathBuf,
    member: Option<String>,
    vocabulary: Option<Vec<String>>,
    dim: Option<usize>,
    lowercase_fallback: bool,
) -> PyResult<GloveParts<'py>> {
    let options = GloveOptions {
        dim,
        vocabulary,
        lowercase_fallback,
    };
    let g = py
        .detach(|| fork::install(|| glove::load_glove(&path, member.as_deref(), &options)))
        .py_err()?;
    let matrix = Array2::from_shape_vec((g.rows, g.dim), g.matrix)
        .map_err(|e| PyValueError::new_err(format!("internal shape error: {e}")))?;
    Ok((
        matrix.into_pyarray(py),
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
    m.add_function(wrap_pyfunction!(zip_members, m)?)?;
    Ok(())
}
