//! Bindings for vocabularies (`imdbfast_core::vocab`): learning one from
//! texts, rebuilding one from its tokens, and encoding texts into ids,
//! written straight into the buffers that become the returned NumPy arrays.

use imdbfast_core::pad::{PadConfig, Side};
use imdbfast_core::vocab::{
    learn_vocabulary, Layout, VocabConfig, VocabOrder, VocabSettings, Vocabulary,
};
use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::py::buffer::into_matrix;
use crate::py::errors::IntoPyResult;
use crate::py::fork;
use crate::py::text::{PyTextPipeline, Texts};

/// An ordered vocabulary with a byte-keyed lookup; encodes texts into ids.
#[pyclass(module = "imdbfast._native", name = "Vocabulary", frozen)]
pub struct PyVocabulary {
    pub(crate) inner: Vocabulary,
}

/// A vocabulary's settings, checked once by the core when built: the size
/// limit, `min_freq`, the order, the special tokens and `index_from`, and
/// the layout its ids are seen in (`bag`: the columns of a bag, Keras' bag
/// modes, where the padding id has no column and `max_tokens` counts
/// columns). Every binding that learns or rebuilds a vocabulary takes one;
/// the id and bag layouts are read from it. Pickles.
#[pyclass(module = "imdbfast._native", name = "VocabConfig", frozen, eq)]
#[derive(PartialEq)]
pub struct PyVocabConfig {
    pub(crate) inner: VocabSettings,
}

#[pymethods]
impl PyVocabConfig {
    /// Check and build the settings.
    ///
    /// Raises:
    ///     ValueError: an unknown order, or inconsistent settings (special
    ///         tokens that do not all differ, `index_from` or `max_tokens` too
    ///         small for the special ids, `min_freq` of 0).
    #[new]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (max_tokens=None, min_freq=1, order="frequency", pad_token=String::new(), oov_token=Some("[UNK]".to_owned()), start_token=None, index_from=None, bag=false))]
    #[pyo3(
        text_signature = "(max_tokens=None, min_freq=1, order='frequency', pad_token='', oov_token='[UNK]', start_token=None, index_from=None, bag=False)"
    )]
    fn new(
        max_tokens: Option<usize>,
        min_freq: u64,
        order: &str,
        pad_token: String,
        oov_token: Option<String>,
        start_token: Option<String>,
        index_from: Option<usize>,
        bag: bool,
    ) -> PyResult<Self> {
        let config = VocabConfig {
            max_tokens,
            min_freq,
            order: VocabOrder::parse(order).py_err()?,
            pad_token,
            oov_token,
            start_token,
            index_from,
        };
        let layout = if bag { Layout::Bag } else { Layout::Ids };
        Ok(PyVocabConfig {
            inner: VocabSettings::new(config, layout).py_err()?,
        })
    }

    /// The most entries (ids, or columns of a bag), or None.
    #[getter]
    fn max_tokens(&self) -> Option<usize> {
        self.inner.max_tokens
    }

    #[getter]
    fn min_freq(&self) -> u64 {
        self.inner.config.min_freq
    }

    #[getter]
    fn order(&self) -> &'static str {
        self.inner.config.order.as_str()
    }

    #[getter]
    fn pad_token(&self) -> &str {
        &self.inner.config.pad_token
    }

    #[getter]
    fn oov_token(&self) -> Option<&str> {
        self.inner.config.oov_token.as_deref()
    }

    #[getter]
    fn start_token(&self) -> Option<&str> {
        self.inner.config.start_token.as_deref()
    }

    #[getter]
    fn index_from(&self) -> Option<usize> {
        self.inner.config.index_from
    }

    /// Whether the ids are seen as the columns of a bag.
    #[getter]
    fn bag(&self) -> bool {
        self.inner.layout == Layout::Bag
    }

    /// The special tokens that lead the vocabulary as seen (those with a
    /// column, for a bag), in order.
    #[getter]
    fn specials(&self) -> Vec<String> {
        self.inner
            .specials()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// Index of the first learned entry in the vocabulary as seen (after
    /// the special tokens and the reserved ids).
    #[getter]
    fn first_word_index(&self) -> usize {
        self.inner.first_word_index()
    }

    /// The id of a bag's column 0 (0 for ids): column `c` is id
    /// `c + column_offset`.
    #[getter]
    fn column_offset(&self) -> usize {
        self.inner.column_offset()
    }

    /// The number of columns of a bag over a vocabulary of `vocabulary_size`
    /// ids: `max_tokens` with `pad_to_max_tokens` (when set), else one per id
    /// that has a column.
    fn bag_columns(&self, vocabulary_size: usize, pad_to_max_tokens: bool) -> usize {
        self.inner.bag_columns(vocabulary_size, pad_to_max_tokens)
    }

    /// `(column_offset, depth)` of the idf weights to learn, as
    /// `ngram_vocabulary` and `vocabulary_from_counts` take them.
    fn idf_columns(&self, pad_to_max_tokens: bool) -> (usize, usize) {
        self.inner.idf_columns(pad_to_max_tokens)
    }

    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let this = slf.get();
        let c = &this.inner.config;
        let args = (
            this.inner.max_tokens,
            c.min_freq,
            c.order.as_str(),
            c.pad_token.as_str(),
            c.oov_token.as_deref(),
            c.start_token.as_deref(),
            c.index_from,
            this.inner.layout == Layout::Bag,
        )
            .into_pyobject(slf.py())?;
        Ok((slf.get_type().into_any(), args))
    }

    fn __repr__(&self) -> String {
        let c = &self.inner.config;
        let py_str = |s: Option<&str>| s.map_or("None".to_owned(), |s| format!("{s:?}"));
        let py_int = |n: Option<usize>| n.map_or("None".to_owned(), |n| n.to_string());
        format!(
            "VocabConfig(max_tokens={}, min_freq={}, order={:?}, pad_token={:?}, \
             oov_token={}, start_token={}, index_from={}, bag={})",
            py_int(self.inner.max_tokens),
            c.min_freq,
            c.order.as_str(),
            c.pad_token,
            py_str(c.oov_token.as_deref()),
            py_str(c.start_token.as_deref()),
            py_int(c.index_from),
            if self.inner.layout == Layout::Bag {
                "True"
            } else {
                "False"
            },
        )
    }
}

#[pymethods]
impl PyVocabulary {
    /// Rebuild a vocabulary from its full token list (special tokens first).
    ///
    /// Raises:
    ///     ValueError: the special tokens are not in place, or a token repeats.
    #[new]
    fn new(tokens: Vec<String>, config: &PyVocabConfig) -> PyResult<Self> {
        Ok(PyVocabulary {
            inner: Vocabulary::from_tokens(tokens, &config.inner.config).py_err()?,
        })
    }

    /// Count the tokens of `texts` (a list or tuple of str) in parallel and
    /// build a vocabulary.
    ///
    /// Raises:
    ///     TypeError: an item of `texts` is not a str (its index is named).
    ///     ValueError: inconsistent settings.
    #[staticmethod]
    #[pyo3(signature = (pipeline, texts, config, *, num_threads=None))]
    fn build(
        py: Python<'_>,
        pipeline: &PyTextPipeline,
        texts: &Bound<'_, PyAny>,
        config: &PyVocabConfig,
        num_threads: Option<usize>,
    ) -> PyResult<Self> {
        let threads = fork::threads(num_threads)?;
        let config = &config.inner.config;
        let texts = Texts::extract(texts)?;
        let docs = texts.strs()?;
        let pipeline = &pipeline.inner;
        let inner = py
            .detach(|| fork::install(threads, || learn_vocabulary(pipeline, &docs, config)))
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
        let (vocab, pipeline) = (&self.inner, &pipeline.inner);
        let pad = PadConfig::parse(length, padding, truncating).py_err()?;
        padded_matrix(py, texts, pad, num_threads, |docs, pad| {
            vocab.encode_padded(pipeline, docs, pad)
        })
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

/// The recipe every padded encoding shares: borrow the texts, run `encode`
/// on the thread pool without the GIL, and hand its `(texts, pad.length)`
/// matrix to NumPy.
pub(crate) fn padded_matrix<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    pad: PadConfig,
    num_threads: Option<usize>,
    encode: impl Fn(&[&str], &PadConfig) -> imdbfast_core::Result<Vec<i32>> + Send + Sync,
) -> PyResult<Bound<'py, PyArray2<i32>>> {
    let threads = fork::threads(num_threads)?;
    let texts = Texts::extract(texts)?;
    let docs = texts.strs()?;
    let out = py
        .detach(|| fork::install(threads, || encode(&docs, &pad)))
        .py_err()?;
    into_matrix(py, docs.len(), pad.length, out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyVocabConfig>()?;
    m.add_class::<PyVocabulary>()?;
    Ok(())
}
