//! Bindings for n-grams and bag-of-n-gram outputs (`imdbfast_core::bag`):
//! the engine of `imdbfast.Tokenizer`'s `ngrams` and `output_mode="multi_hot"
//! | "one_hot" | "count" | "tf_idf"`.
//!
//! As in `text.rs`: texts are borrowed from the Python strings, the work runs
//! with the GIL released, and results become NumPy arrays without a copy (a
//! sparse bag as the three CSR arrays that `scipy.sparse.csr_matrix` takes).

use imdbfast_core::bag::{
    bag_csr, bag_dense, ngram_ids, ngram_ids_padded as padded_ids, BagConfig, BagMode,
};
use imdbfast_core::pad::PadConfig;
use imdbfast_core::vocab::learn_ngram_vocabulary;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};

use pyo3::prelude::*;

use crate::py::buffer::into_matrix;
use crate::py::errors::IntoPyResult;
use crate::py::fork;
use crate::py::text::{PyTextPipeline, Texts};
use crate::py::vocab::{padded_matrix, PyVocabConfig, PyVocabulary};

/// Count the n-grams of `texts` and build a vocabulary of them (ranked as
/// `Vocabulary.build` ranks tokens).
///
/// Args:
///     pipeline: the text pipeline.
///     texts: list or tuple of str.
///     widths: n-gram widths, each >= 1.
///     config: the vocabulary's settings.
///     exclude: n-grams left out of the vocabulary (stopwords).
///     idf_columns: None, or `(column_offset, depth)`: also return the idf
///         weight of each of `depth` bag columns (column `c` is id
///         `c + column_offset`).
///
/// Returns:
///     `(vocabulary, idf)`: idf is a float32 array, or None.
///
/// Raises:
///     TypeError: an item of `texts` is not a str.
///     ValueError: a width < 1.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (pipeline, texts, widths, config, *, exclude, idf_columns, num_threads=None))]
fn ngram_vocabulary<'py>(
    py: Python<'py>,
    pipeline: &PyTextPipeline,
    texts: &Bound<'py, PyAny>,
    widths: Vec<usize>,
    config: &PyVocabConfig,
    exclude: Vec<String>,
    idf_columns: Option<(usize, usize)>,
    num_threads: Option<usize>,
) -> PyResult<(PyVocabulary, Option<Bound<'py, PyArray1<f32>>>)> {
    let config = &config.inner.config;
    let threads = fork::threads(num_threads)?;
    let texts = Texts::extract(texts)?;
    let docs = texts.strs()?;
    let pipeline = &pipeline.inner;
    let exclude: Vec<&[u8]> = exclude.iter().map(|w| w.as_bytes()).collect();
    let (inner, idf) = py
        .detach(|| {
            fork::install(threads, || {
                learn_ngram_vocabulary(pipeline, &docs, &widths, &exclude, config, idf_columns)
            })
        })
        .py_err()?;
    Ok((PyVocabulary { inner }, idf.map(|w| w.into_pyarray(py))))
}

fn bag_config<'a>(
    widths: &'a [usize],
    mode: &str,
    depth: usize,
    column_offset: usize,
    idf: Option<&'a [f32]>,
) -> PyResult<BagConfig<'a>> {
    Ok(BagConfig {
        mode: BagMode::parse(mode).py_err()?,
        widths,
        depth,
        column_offset,
        idf,
    })
}

/// `(data float32, indices int32, indptr int64)` of a CSR matrix.
type CsrArrays<'py> = (
    Bound<'py, PyArray1<f32>>,
    Bound<'py, PyArray1<i32>>,
    Bound<'py, PyArray1<i64>>,
);

/// Bag rows of `texts` as the arrays of a CSR matrix with `depth` columns.
///
/// Args:
///     vocabulary, pipeline, texts: as for `Vocabulary.encode`.
///     widths: n-gram widths.
///     mode: "multi_hot", "one_hot", "count" or "tf_idf".
///     depth: number of columns (column `c` counts id `c + column_offset`).
///     idf: one float32 weight per column ("tf_idf" only).
///
/// Returns:
///     `(data, indices, indptr)`; each row's columns ascending.
///
/// Raises:
///     TypeError: an item of `texts` is not a str.
///     ValueError: a bad mode, width or idf length.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (vocabulary, pipeline, texts, widths, mode, depth, column_offset, idf, *, num_threads=None))]
fn bag_sparse<'py>(
    py: Python<'py>,
    vocabulary: &PyVocabulary,
    pipeline: &PyTextPipeline,
    texts: &Bound<'py, PyAny>,
    widths: Vec<usize>,
    mode: &str,
    depth: usize,
    column_offset: usize,
    idf: Option<PyReadonlyArray1<'py, f32>>,
    num_threads: Option<usize>,
) -> PyResult<CsrArrays<'py>> {
    let idf = idf.as_ref().map(|w| w.as_slice()).transpose()?;
    let config = bag_config(&widths, mode, depth, column_offset, idf)?;
    let threads = fork::threads(num_threads)?;
    let texts = Texts::extract(texts)?;
    let docs = texts.strs()?;
    let (vocab, pipeline) = (&vocabulary.inner, &pipeline.inner);
    let csr = py
        .detach(|| fork::install(threads, || bag_csr(vocab, pipeline, &docs, &config)))
        .py_err()?;
    Ok((
        csr.data.into_pyarray(py),
        csr.indices.into_pyarray(py),
        csr.indptr.into_pyarray(py),
    ))
}

/// Bag rows of `texts` as a dense `(len(texts), depth)` float32 array;
/// arguments as for `bag_sparse`.
///
/// Raises:
///     TypeError: an item of `texts` is not a str.
///     ValueError: a bad mode, width or idf length, or a matrix too large.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (vocabulary, pipeline, texts, widths, mode, depth, column_offset, idf, *, num_threads=None))]
fn bag_matrix<'py>(
    py: Python<'py>,
    vocabulary: &PyVocabulary,
    pipeline: &PyTextPipeline,
    texts: &Bound<'py, PyAny>,
    widths: Vec<usize>,
    mode: &str,
    depth: usize,
    column_offset: usize,
    idf: Option<PyReadonlyArray1<'py, f32>>,
    num_threads: Option<usize>,
) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let idf = idf.as_ref().map(|w| w.as_slice()).transpose()?;
    let config = bag_config(&widths, mode, depth, column_offset, idf)?;
    let threads = fork::threads(num_threads)?;
    let texts = Texts::extract(texts)?;
    let docs = texts.strs()?;
    let (vocab, pipeline) = (&vocabulary.inner, &pipeline.inner);
    let n = docs.len();
    let out = py
        .detach(|| fork::install(threads, || bag_dense(vocab, pipeline, &docs, &config)))
        .py_err()?;
    into_matrix(py, n, depth, out)
}

/// `(values, row_splits)` of a ragged encoding.
type RaggedIds<'py> = (Bound<'py, PyArray1<i32>>, Bound<'py, PyArray1<i64>>);

/// The ids of each text's n-grams, width by width, as `(values int32,
/// row_splits int64)`.
///
/// Raises:
///     TypeError: an item of `texts` is not a str.
///     ValueError: a width < 1.
#[pyfunction]
#[pyo3(signature = (vocabulary, pipeline, texts, widths, *, num_threads=None))]
fn ngram_ids_ragged<'py>(
    py: Python<'py>,
    vocabulary: &PyVocabulary,
    pipeline: &PyTextPipeline,
    texts: &Bound<'py, PyAny>,
    widths: Vec<usize>,
    num_threads: Option<usize>,
) -> PyResult<RaggedIds<'py>> {
    let threads = fork::threads(num_threads)?;
    let texts = Texts::extract(texts)?;
    let docs = texts.strs()?;
    let (vocab, pipeline) = (&vocabulary.inner, &pipeline.inner);
    let (values, splits) = py
        .detach(|| fork::install(threads, || ngram_ids(vocab, pipeline, &docs, &widths)))
        .py_err()?;
    Ok((values.into_pyarray(py), splits.into_pyarray(py)))
}

/// The ids of each text's n-grams, width by width, in an `(len(texts),
/// length)` int32 array padded with 0 and truncated as `pad_sequences`
/// pads and truncates the rows of `ngram_ids_ragged`.
///
/// Raises:
///     TypeError: an item of `texts` is not a str.
///     ValueError: a width < 1, `padding`/`truncating` not "pre" or "post".
///     MemoryError: the matrix cannot be allocated.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (vocabulary, pipeline, texts, widths, length, padding, truncating, *, num_threads=None))]
fn ngram_ids_padded<'py>(
    py: Python<'py>,
    vocabulary: &PyVocabulary,
    pipeline: &PyTextPipeline,
    texts: &Bound<'py, PyAny>,
    widths: Vec<usize>,
    length: usize,
    padding: &str,
    truncating: &str,
    num_threads: Option<usize>,
) -> PyResult<Bound<'py, PyArray2<i32>>> {
    let (vocab, pipeline) = (&vocabulary.inner, &pipeline.inner);
    let pad = PadConfig::parse(length, padding, truncating).py_err()?;
    padded_matrix(py, texts, pad, num_threads, |docs, pad| {
        padded_ids(vocab, pipeline, docs, &widths, pad)
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ngram_vocabulary, m)?)?;
    m.add_function(wrap_pyfunction!(bag_sparse, m)?)?;
    m.add_function(wrap_pyfunction!(bag_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(ngram_ids_ragged, m)?)?;
    m.add_function(wrap_pyfunction!(ngram_ids_padded, m)?)?;
    Ok(())
}
