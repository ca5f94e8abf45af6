//! Bindings for vocabularies (`imdbfast_core::vocab`): learning one from
//! texts, rebuilding one from its tokens, and encoding texts into ids,
//! written straight into the buffers that become the returned NumPy arrays.

use imdbfast_core::pad::{PadConfig, Side};
use imdbfast_core::vocab::{learn_vocabulary, VocabConfig, VocabOrder, Vocabulary};
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::prelude::*;

use crate::py::errors::IntoPyResult;
use crate::py::fork;
use crate::py::text::{PyTextPipeline, Texts};

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
            .detach(|| fork::install(threads, || learn_vocabulary(pipeline, &docs, &config)))
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

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyVocabulary>()?;
    Ok(())
}
