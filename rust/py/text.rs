//! Bindings for tokenization (`imdbfast_core::text`): the text pipeline
//! and the `texts` argument that every binding call takes. The public
//! Python API is `imdbfast.Tokenizer`; these are its engine.
//!
//! Texts are borrowed from the Python `str` objects (their UTF-8 form, no
//! copy), then the GIL is released and the work runs on all cores.

use imdbfast_core::text::{word_char_ranges, Splitter, Standardizer, TextPipeline};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

use crate::py::arrow::{self, ChunkCopy, PyArrowStrings};
use crate::py::errors::IntoPyResult;

/// The `texts` argument of a binding call: a list or tuple of `str`, or
/// Arrow strings (`ArrowStrings`).
pub(crate) enum Texts<'py> {
    Strings(Vec<Bound<'py, PyString>>),
    Arrow(Vec<ChunkCopy>),
}

impl<'py> Texts<'py> {
    /// Take `texts`, or raise `TypeError` naming the first item that is not
    /// a `str`.
    pub(crate) fn extract(texts: &Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(arrow) = texts.cast::<PyArrowStrings>() {
            return Ok(Texts::Arrow(arrow::copies(arrow)?));
        }
        let items: Vec<Bound<'py, PyAny>> = if let Ok(list) = texts.cast::<PyList>() {
            list.iter().collect()
        } else if let Ok(tuple) = texts.cast::<PyTuple>() {
            tuple.iter().collect()
        } else {
            return Err(PyTypeError::new_err(format!(
                "texts must be a list or tuple of str. Received: {}",
                texts.get_type().name()?
            )));
        };
        let strings = items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item.cast_into::<PyString>() {
                Ok(s) => Ok(s),
                Err(e) => Err(PyTypeError::new_err(format!(
                    "texts must contain only str, but item {i} is of type {}",
                    e.into_inner().get_type().name()?
                ))),
            })
            .collect::<PyResult<_>>()?;
        Ok(Texts::Strings(strings))
    }

    /// Borrow each text's UTF-8 bytes (no copy for ASCII strings, Python
    /// caches the UTF-8 form of the others; Arrow texts from the copy of
    /// their bytes that `extract` made).
    pub(crate) fn strs(&self) -> PyResult<Vec<&str>> {
        match self {
            Texts::Strings(strings) => strings.iter().map(|s| s.to_str()).collect(),
            Texts::Arrow(chunks) => arrow::strs(chunks),
        }
    }
}

/// A text pipeline: standardization, splitting and stopword removal.
#[pyclass(module = "imdbfast._native", name = "TextPipeline", frozen)]
pub struct PyTextPipeline {
    pub(crate) inner: TextPipeline,
}

#[pymethods]
impl PyTextPipeline {
    /// Build a pipeline.
    ///
    /// Args:
    ///     standardize: "lower_and_strip_punctuation", "lower", "strip_punctuation",
    ///         "lower_unicode", "lower_unicode_and_strip_punctuation" or None.
    ///     split: "whitespace", "word", None, or a regular expression whose
    ///         matches are the tokens.
    ///     strip_html: replace HTML line breaks by a space first.
    ///     stopwords: tokens to drop after splitting.
    ///
    /// Raises:
    ///     ValueError: unknown standardize name or invalid regex.
    #[new]
    #[pyo3(signature = (standardize, split, strip_html, stopwords))]
    fn new(
        standardize: Option<&str>,
        split: Option<&str>,
        strip_html: bool,
        stopwords: Vec<String>,
    ) -> PyResult<Self> {
        let standardizer = Standardizer::from_name(standardize, strip_html).py_err()?;
        let splitter = Splitter::from_spec(split).py_err()?;
        Ok(PyTextPipeline {
            inner: TextPipeline::new(standardizer, splitter, stopwords),
        })
    }

    /// The tokens of one text, as a list of str.
    fn tokenize(&self, text: &str) -> Vec<String> {
        self.inner.tokens(text)
    }
}

/// The inclusive code point ranges of Python's `\w` used by `split="word"`.
#[pyfunction]
fn word_char_table() -> Vec<(u32, u32)> {
    word_char_ranges().to_vec()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTextPipeline>()?;
    m.add_function(wrap_pyfunction!(word_char_table, m)?)?;
    Ok(())
}
