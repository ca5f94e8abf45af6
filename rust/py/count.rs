//! Bindings for mergeable token counts (`imdbfast_core::count`): the
//! engine of `imdbfast.Tokenizer.count`, `fit_counts`, `partial_fit` and of
//! `fit` over a stream of texts.

use imdbfast_core::bag::idf_weights;
use imdbfast_core::count::TokenCounts;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::py::errors::IntoPyResult;
use crate::py::fork;
use crate::py::text::{PyTextPipeline, Texts};
use crate::py::vocab::{PyVocabConfig, PyVocabulary};

/// Token (or n-gram) counts of some texts: occurrences, document
/// frequencies, first positions and the number of texts. `a + b` (and
/// `TokenCounts.merge([a, b, ...])`) are the counts of `a`'s texts followed
/// by `b`'s; counts pickle.
#[pyclass(module = "imdbfast._native", name = "TokenCounts")]
#[derive(Clone, Default)]
pub struct PyTokenCounts {
    pub(crate) inner: TokenCounts,
}

#[pymethods]
impl PyTokenCounts {
    /// Empty counts (of no text), which merge with any.
    #[new]
    fn new() -> Self {
        PyTokenCounts::default()
    }

    /// Count the n-grams of `widths` of `texts` through `pipeline` and add
    /// them after the texts already counted.
    ///
    /// Args:
    ///     pipeline: the text pipeline.
    ///     texts: list or tuple of str, or Arrow strings.
    ///     widths: n-gram widths (`[1]`: tokens).
    ///     source: label of the settings (counts of other labels do not merge).
    ///     num_threads: threads to use (None: `IMDBFAST_NUM_THREADS` or all cores).
    ///
    /// Raises:
    ///     TypeError: an item of `texts` is not a str.
    ///     ValueError: a width < 1, or counts of other settings.
    #[pyo3(signature = (pipeline, texts, widths, source, *, num_threads=None))]
    fn add_texts(
        &mut self,
        py: Python<'_>,
        pipeline: &PyTextPipeline,
        texts: &Bound<'_, PyAny>,
        widths: Vec<usize>,
        source: &str,
        num_threads: Option<usize>,
    ) -> PyResult<()> {
        let threads = fork::threads(num_threads)?;
        let texts = Texts::extract(texts)?;
        let docs = texts.strs()?;
        let pipeline = &pipeline.inner;
        let inner = &mut self.inner;
        py.detach(|| fork::install(threads, || inner.add(pipeline, &docs, &widths, source)))
            .py_err()
    }

    /// The counts of all `counts`, in order (each one's texts after the
    /// previous one's).
    ///
    /// Raises:
    ///     ValueError: counts made with different tokenizer settings.
    #[staticmethod]
    fn merge(py: Python<'_>, counts: Vec<PyRef<'_, PyTokenCounts>>) -> PyResult<Self> {
        let parts: Vec<TokenCounts> = counts.iter().map(|c| c.inner.clone()).collect();
        // Merging is parallel: on this process's pool (see `fork`).
        let threads = fork::threads(None)?;
        let inner = py
            .detach(|| {
                fork::install(threads, || {
                    let mut total = TokenCounts::default();
                    for part in parts {
                        total.append(part)?;
                    }
                    Ok(total)
                })
            })
            .py_err()?;
        Ok(PyTokenCounts { inner })
    }

    fn __add__(&self, py: Python<'_>, other: PyRef<'_, PyTokenCounts>) -> PyResult<Self> {
        let (mut total, part) = (self.inner.clone(), other.inner.clone());
        let threads = fork::threads(None)?;
        py.detach(|| fork::install(threads, || total.append(part)))
            .py_err()?;
        Ok(PyTokenCounts { inner: total })
    }

    fn __iadd__(slf: &Bound<'_, Self>, other: &Bound<'_, Self>) -> PyResult<()> {
        let part = other.borrow().inner.clone();
        let threads = fork::threads(None)?;
        let mut this = slf.borrow_mut();
        let inner = &mut this.inner;
        slf.py()
            .detach(|| fork::install(threads, || inner.append(part)))
            .py_err()
    }

    /// Number of texts counted.
    #[getter]
    fn documents(&self) -> u64 {
        self.inner.documents
    }

    /// The n-gram widths counted (empty for empty counts).
    #[getter]
    fn ngrams(&self) -> Vec<usize> {
        self.inner.widths.clone()
    }

    /// Label of the tokenizer settings the counts come from.
    #[getter]
    fn source(&self) -> String {
        self.inner.source.clone()
    }

    /// Occurrences of `token` (0 if never counted).
    fn count(&self, token: &str) -> u64 {
        self.inner.get(token.as_bytes()).map_or(0, |t| t.count)
    }

    /// Number of texts `token` occurs in (0 if never counted).
    fn document_count(&self, token: &str) -> u64 {
        self.inner.get(token.as_bytes()).map_or(0, |t| t.documents)
    }

    /// Approximate bytes of memory the counts hold.
    #[getter]
    fn nbytes(&self) -> usize {
        self.inner.heap_bytes()
    }

    /// Number of distinct tokens (n-grams) counted.
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "TokenCounts(documents={}, distinct={}, ngrams={:?})",
            self.inner.documents,
            self.inner.len(),
            self.inner.widths
        )
    }

    fn __getstate__<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.to_bytes())
    }

    /// Raises:
    ///     ValueError: not the bytes of `__getstate__`.
    fn __setstate__(&mut self, state: &[u8]) -> PyResult<()> {
        self.inner = TokenCounts::from_bytes(state).py_err()?;
        Ok(())
    }
}

/// The vocabulary (and, with `idf_columns`, the idf weights) learned from
/// `counts`, as `Vocabulary.build` / `ngram_vocabulary` learn them from the
/// texts.
///
/// Args:
///     counts: the token counts.
///     config: the vocabulary's settings.
///     exclude: tokens left out of the vocabulary (stopwords).
///     idf_columns: None, or `(column_offset, depth)` as for `ngram_vocabulary`.
///
/// Returns:
///     `(vocabulary, idf)`: idf is a float32 array, or None.
///
/// Raises:
///     ValueError: "frequency_first_seen" of n-gram counts.
#[pyfunction]
#[pyo3(signature = (counts, config, *, exclude, idf_columns, num_threads=None))]
fn vocabulary_from_counts<'py>(
    py: Python<'py>,
    counts: PyRef<'py, PyTokenCounts>,
    config: &PyVocabConfig,
    exclude: Vec<String>,
    idf_columns: Option<(usize, usize)>,
    num_threads: Option<usize>,
) -> PyResult<(PyVocabulary, Option<Bound<'py, PyArray1<f32>>>)> {
    let threads = fork::threads(num_threads)?;
    let config = &config.inner.config;
    let exclude: Vec<&[u8]> = exclude.iter().map(|w| w.as_bytes()).collect();
    let counts = &counts.inner;
    let (inner, idf) = py
        .detach(|| {
            fork::install(threads, || {
                let vocab = counts.vocabulary(config, &exclude)?;
                let idf = idf_columns
                    .map(|(offset, depth)| {
                        let tallies = counts.document_counts(&vocab);
                        idf_weights(&vocab, &tallies, config.first_word_id(), offset, depth)
                    })
                    .transpose()?;
                Ok::<_, imdbfast_core::CoreError>((vocab, idf))
            })
        })
        .py_err()?;
    Ok((PyVocabulary { inner }, idf.map(|w| w.into_pyarray(py))))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTokenCounts>()?;
    m.add_function(wrap_pyfunction!(vocabulary_from_counts, m)?)?;
    Ok(())
}
