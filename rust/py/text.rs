//! Bindings for tokenization, vocabularies and padding (`imdbfast_core::{text,
//! vocab, pad}`). The public Python API is `imdbfast.Tokenizer` and
//! `imdbfast.pad_sequences`; these classes and functions are its engine.
//!
//! Texts are borrowed from the Python `str` objects (their UTF-8 form, no
//! copy), then the GIL is released and the work runs on all cores; ids are
//! written straight into the buffers that become the returned NumPy arrays.

use imdbfast_core::buffer::Zeroable;
use imdbfast_core::first_seen::build_vocabulary;
use imdbfast_core::pad::{pad_ragged_matrix, PadConfig, Side};
use imdbfast_core::text::{word_char_ranges, Splitter, Standardizer, TextPipeline};
use imdbfast_core::vocab::{count_tokens, VocabConfig, VocabOrder, Vocabulary};
use numpy::ndarray::Array2;
use numpy::{Element, IntoPyArray, PyArray1, PyArray2, PyArrayMethods};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

use crate::py::arrow::{self, ChunkCopy, PyArrowStrings};
use crate::py::errors::IntoPyResult;
use crate::py::fork;

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

/// An ordered vocabulary with a byte-keyed lookup; encodes texts into ids.
#[pyclass(module = "imdbfast._native", name = "Vocabulary", frozen)]
pub struct PyVocabulary {
    pub(crate) inner: Vocabulary,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn vocab_config(
    max_tokens: Option<usize>,
    min_freq: u64,
    order: &str,
    pad_token: String,
    oov_token: Option<String>,
    start_token: Option<String>,
    index_from: Option<usize>,
) -> PyResult<VocabConfig> {
    Ok(VocabConfig {
        max_tokens,
        min_freq,
        order: VocabOrder::parse(order).py_err()?,
        pad_token,
        oov_token,
        start_token,
        index_from,
    })
}

#[pymethods]
impl PyVocabulary {
    /// Rebuild a vocabulary from its full token list (special tokens first).
    ///
    /// Raises:
    ///     ValueError: the special tokens are not in place, or a token repeats.
    #[new]
    #[pyo3(signature = (tokens, *, max_tokens, pad_token, oov_token, start_token, index_from))]
    fn new(
        tokens: Vec<String>,
        max_tokens: Option<usize>,
        pad_token: String,
        oov_token: Option<String>,
        start_token: Option<String>,
        index_from: Option<usize>,
    ) -> PyResult<Self> {
        let config = vocab_config(
            max_tokens,
            1,
            "frequency",
            pad_token,
            oov_token,
            start_token,
            index_from,
        )?;
        Ok(PyVocabulary {
            inner: Vocabulary::from_tokens(tokens, &config).py_err()?,
        })
    }

    /// Check vocabulary settings without building a vocabulary: the order,
    /// `min_freq` and the id layout (special tokens, `index_from`,
    /// `max_tokens`), exactly as `build` and the constructor check them.
    ///
    /// Raises:
    ///     ValueError: inconsistent settings.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (*, max_tokens, min_freq, order, pad_token, oov_token, start_token, index_from))]
    fn check_config(
        max_tokens: Option<usize>,
        min_freq: u64,
        order: &str,
        pad_token: String,
        oov_token: Option<String>,
        start_token: Option<String>,
        index_from: Option<usize>,
    ) -> PyResult<()> {
        vocab_config(
            max_tokens,
            min_freq,
            order,
            pad_token,
            oov_token,
            start_token,
            index_from,
        )?
        .validate()
        .py_err()
    }

    /// Count the tokens of `texts` (a list or tuple of str) in parallel and
    /// build a vocabulary.
    ///
    /// Raises:
    ///     TypeError: an item of `texts` is not a str (its index is named).
    ///     ValueError: inconsistent settings.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (pipeline, texts, *, max_tokens, min_freq, order, pad_token, oov_token, start_token, index_from, num_threads=None))]
    fn build(
        py: Python<'_>,
        pipeline: &PyTextPipeline,
        texts: &Bound<'_, PyAny>,
        max_tokens: Option<usize>,
        min_freq: u64,
        order: &str,
        pad_token: String,
        oov_token: Option<String>,
        start_token: Option<String>,
        index_from: Option<usize>,
        num_threads: Option<usize>,
    ) -> PyResult<Self> {
        let threads = fork::threads(num_threads)?;
        let config = vocab_config(
            max_tokens,
            min_freq,
            order,
            pad_token,
            oov_token,
            start_token,
            index_from,
        )?;
        config.validate().py_err()?;
        let texts = Texts::extract(texts)?;
        let docs = texts.strs()?;
        let pipeline = &pipeline.inner;
        let inner = py
            .detach(|| {
                fork::install(threads, || match config.order {
                    VocabOrder::FrequencyFirstSeen => build_vocabulary(pipeline, &docs, &config),
                    _ => Vocabulary::build(count_tokens(pipeline, &docs), &config),
                })
            })
            .py_err()?;
        Ok(PyVocabulary { inner })
    }

    /// All tokens in id order, reserved placeholders included.
    ///
    /// Raises:
    ///     MemoryError: too many reserved ids to list (a huge `index_from`).
    fn tokens(&self) -> PyResult<Vec<String>> {
        self.inner.tokens().py_err()
    }

    /// The token of one id (a reserved id's placeholder is written out), or
    /// None when the id is out of range.
    fn token(&self, id: usize) -> Option<String> {
        self.inner.token(id).map(|t| t.into_owned())
    }

    /// The tokens of `ids` (each checked to be in range).
    ///
    /// Raises:
    ///     ValueError: an id is not in `[0, len(self))`.
    fn decode_ids(&self, ids: Vec<i64>) -> PyResult<Vec<String>> {
        ids.iter()
            .map(|&id| {
                usize::try_from(id)
                    .ok()
                    .and_then(|i| self.inner.token(i))
                    .map(|t| t.into_owned())
                    .ok_or_else(|| {
                        pyo3::exceptions::PyValueError::new_err(format!(
                            "ids must be in [0, {}). Received: {id}",
                            self.inner.len()
                        ))
                    })
            })
            .collect()
    }

    /// Number of reserved ids (between the special tokens and the first
    /// learned token), which are not stored.
    #[getter]
    fn reserved(&self) -> usize {
        self.inner.reserved()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Id of `token` (the OOV id if unknown).
    fn token_to_id(&self, token: &str) -> i32 {
        self.inner.id(token.as_bytes())
    }

    /// Encode `texts` into an `(len(texts), length)` int32 array, padded with 0.
    ///
    /// Raises:
    ///     TypeError: an item of `texts` is not a str (its index is named).
    ///     ValueError: `padding`/`truncating` not "pre" or "post".
    ///     MemoryError: the matrix cannot be allocated.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (pipeline, texts, length, padding, truncating, *, num_threads=None))]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        pipeline: &PyTextPipeline,
        texts: &Bound<'py, PyAny>,
        length: usize,
        padding: &str,
        truncating: &str,
        num_threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyArray2<i32>>> {
        let threads = fork::threads(num_threads)?;
        let pad = PadConfig {
            length,
            padding: Side::parse(padding, "padding").py_err()?,
            truncating: Side::parse(truncating, "truncating").py_err()?,
        };
        let texts = Texts::extract(texts)?;
        let docs = texts.strs()?;
        let (vocab, pipeline) = (&self.inner, &pipeline.inner);
        let n = docs.len();
        let out = py
            .detach(|| fork::install(threads, || vocab.encode_padded(pipeline, &docs, &pad)))
            .py_err()?;
        let array = Array2::from_shape_vec((n, length), out)
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        Ok(array.into_pyarray(py))
    }

    /// Encode `texts` into `(values int32, row_splits int64)`, each row
    /// truncated to `length` (if given) from the `truncating` side, never padded.
    #[pyo3(signature = (pipeline, texts, length, truncating, *, num_threads=None))]
    fn encode_ragged<'py>(
        &self,
        py: Python<'py>,
        pipeline: &PyTextPipeline,
        texts: &Bound<'py, PyAny>,
        length: Option<usize>,
        truncating: &str,
        num_threads: Option<usize>,
    ) -> PyResult<RaggedIds<'py>> {
        let threads = fork::threads(num_threads)?;
        let truncating = Side::parse(truncating, "truncating").py_err()?;
        let texts = Texts::extract(texts)?;
        let docs = texts.strs()?;
        let (vocab, pipeline) = (&self.inner, &pipeline.inner);
        let (values, splits) = py.detach(|| {
            fork::install(threads, || {
                vocab.encode_ragged(pipeline, &docs, length.map(|l| (l, truncating)))
            })
        });
        Ok((values.into_pyarray(py), splits.into_pyarray(py)))
    }
}

/// `(values, row_splits)` of a ragged encoding.
type RaggedIds<'py> = (Bound<'py, PyArray1<i32>>, Bound<'py, PyArray1<i64>>);

/// The kept part of one sequence converted to `T`, or `None` when it is not a
/// plain list/tuple of Python numbers or a 1-D array of dtype `T` (the caller
/// then uses the NumPy path, which reproduces Keras' conversions and errors).
fn extract_kept<T: Element + Copy + for<'a, 'py> FromPyObject<'a, 'py>>(
    item: &Bound<'_, PyAny>,
    config: &PadConfig,
    out: &mut Vec<T>,
) -> Option<()> {
    if let Ok(array) = item.cast::<PyArray1<T>>() {
        let ro = array.try_readonly().ok()?;
        let view = ro.as_array();
        let len = view.len();
        let (lo, hi) = kept_range(len, config);
        out.extend(view.iter().skip(lo).take(hi - lo).copied());
        return Some(());
    }
    let seq: Vec<Bound<'_, PyAny>> = if let Ok(list) = item.cast::<PyList>() {
        let len = list.len();
        let (lo, hi) = kept_range(len, config);
        (lo..hi)
            .map(|i| list.get_item(i))
            .collect::<PyResult<_>>()
            .ok()?
    } else if let Ok(tuple) = item.cast::<PyTuple>() {
        let len = tuple.len();
        let (lo, hi) = kept_range(len, config);
        (lo..hi)
            .map(|i| tuple.get_item(i))
            .collect::<PyResult<_>>()
            .ok()?
    } else {
        return None;
    };
    for v in seq {
        if v.cast::<PyList>().is_ok() || v.cast::<PyTuple>().is_ok() {
            return None;
        }
        out.push(v.extract::<T>().ok()?);
    }
    Some(())
}

fn kept_range(len: usize, config: &PadConfig) -> (usize, usize) {
    if len <= config.length {
        (0, len)
    } else if config.truncating == Side::Pre {
        (len - config.length, len)
    } else {
        (0, config.length)
    }
}

fn pad_impl<'py, T>(
    py: Python<'py>,
    sequences: &Bound<'py, PyAny>,
    maxlen: Option<usize>,
    padding: &str,
    truncating: &str,
    value: T,
) -> PyResult<Option<Bound<'py, PyArray2<T>>>>
where
    T: Element + Zeroable + for<'a, 'b> FromPyObject<'a, 'b>,
{
    let threads = fork::threads(None)?;
    let padding = Side::parse(padding, "padding").py_err()?;
    let truncating = Side::parse(truncating, "truncating").py_err()?;
    let items: Vec<Bound<'py, PyAny>> = if let Ok(list) = sequences.cast::<PyList>() {
        list.iter().collect()
    } else if let Ok(tuple) = sequences.cast::<PyTuple>() {
        tuple.iter().collect()
    } else {
        return Ok(None);
    };
    // Lengths of lists, tuples and arrays of `T` only: those are real
    // sequences in memory (any other item, whose `__len__` could claim
    // anything, takes the NumPy path).
    let mut lengths = Vec::with_capacity(items.len()); // bounded: one per existing item
    for item in &items {
        let real = item.cast::<PyList>().is_ok()
            || item.cast::<PyTuple>().is_ok()
            || item.cast::<PyArray1<T>>().is_ok();
        match item.len() {
            Ok(n) if real => lengths.push(n),
            _ => return Ok(None),
        }
    }
    let length = maxlen.unwrap_or_else(|| lengths.iter().copied().max().unwrap_or(0));
    let config = PadConfig {
        length,
        padding,
        truncating,
    };
    // A capacity hint only: the kept values of sequences that exist.
    let kept: usize = lengths
        .iter()
        .fold(0usize, |sum, &n| sum.saturating_add(n.min(length)));
    let mut values: Vec<T> = Vec::new();
    let _ = values.try_reserve(kept);
    let mut splits = Vec::with_capacity(items.len() + 1); // bounded: one per existing item
    splits.push(0usize);
    for item in &items {
        if extract_kept(item, &config, &mut values).is_none() {
            return Ok(None);
        }
        splits.push(values.len());
    }
    let rows = items.len();
    let out = py
        .detach(|| {
            fork::install(threads, || {
                pad_ragged_matrix(&values, &splits, &config, value, "maxlen")
            })
        })
        .py_err()?;
    let array = Array2::from_shape_vec((rows, length), out)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    Ok(Some(array.into_pyarray(py)))
}

macro_rules! pad_fn {
    ($name:ident, $t:ty) => {
        /// Pad a list/tuple of sequences of plain numbers (or 1-D arrays of
        /// this dtype) into a 2-D array; `None` if an item needs the NumPy path.
        #[pyfunction]
        #[pyo3(signature = (sequences, maxlen, padding, truncating, value))]
        fn $name<'py>(
            py: Python<'py>,
            sequences: &Bound<'py, PyAny>,
            maxlen: Option<usize>,
            padding: &str,
            truncating: &str,
            value: $t,
        ) -> PyResult<Option<Bound<'py, PyArray2<$t>>>> {
            pad_impl(py, sequences, maxlen, padding, truncating, value)
        }
    };
}

pad_fn!(pad_sequences_int32, i32);
pad_fn!(pad_sequences_int64, i64);
pad_fn!(pad_sequences_float32, f32);
pad_fn!(pad_sequences_float64, f64);

/// The inclusive code point ranges of Python's `\w` used by `split="word"`.
#[pyfunction]
fn word_char_table() -> Vec<(u32, u32)> {
    word_char_ranges().to_vec()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTextPipeline>()?;
    m.add_class::<PyVocabulary>()?;
    m.add_function(wrap_pyfunction!(pad_sequences_int32, m)?)?;
    m.add_function(wrap_pyfunction!(pad_sequences_int64, m)?)?;
    m.add_function(wrap_pyfunction!(pad_sequences_float32, m)?)?;
    m.add_function(wrap_pyfunction!(pad_sequences_float64, m)?)?;
    m.add_function(wrap_pyfunction!(word_char_table, m)?)?;
    Ok(())
}
