//! Arrow strings handed to Rust without Python `str` objects
//! (`imdbfast_core::arrow`): `imdbfast._arrow` wraps the value buffer,
//! offsets and null mask of each chunk of a `pyarrow` string array as NumPy
//! views (no copy) in an `ArrowStrings`, which every function that takes
//! `texts` accepts in place of a list of str.

use imdbfast_core::arrow::{string_slices, Offsets};
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

/// One chunk: value bytes, `n + 1` offsets (int32 or int64), `n` null flags.
struct Chunk {
    data: Py<PyArray1<u8>>,
    offsets: Py<PyAny>,
    nulls: Option<Py<PyArray1<bool>>>,
    len: usize,
}

/// The texts of an Arrow string array (or of the chunks of a chunked one),
/// as NumPy views of its buffers. A null is the empty text.
#[pyclass(module = "imdbfast._native", name = "ArrowStrings", frozen)]
pub struct PyArrowStrings {
    chunks: Vec<Chunk>,
}

#[pymethods]
impl PyArrowStrings {
    /// Args:
    ///     chunks: list of `(data, offsets, nulls)`: data a 1-D uint8 array
    ///         (the value buffer), offsets a 1-D int32 or int64 array of
    ///         `n + 1` offsets into it, nulls None or a 1-D bool array of `n`
    ///         flags.
    ///
    /// Raises:
    ///     TypeError: an item of the wrong type or dtype.
    ///     ValueError: offsets or flags of the wrong length.
    #[new]
    fn new(chunks: &Bound<'_, PyList>) -> PyResult<Self> {
        let mut out = Vec::with_capacity(chunks.len()); // bounded: one per list item
        for (i, item) in chunks.iter().enumerate() {
            let tuple = item.cast::<PyTuple>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "ArrowStrings takes (data, offsets, nulls) tuples. Received chunk {i}: {}",
                    item.get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ))
            })?;
            let (data, offsets, nulls): (Bound<'_, PyAny>, Bound<'_, PyAny>, Bound<'_, PyAny>) =
                tuple.extract()?;
            let data = data.cast_into::<PyArray1<u8>>().map_err(|_| {
                PyTypeError::new_err(format!("chunk {i}: data must be a 1-D uint8 array"))
            })?;
            let len = if let Ok(o) = offsets.cast::<PyArray1<i32>>() {
                o.len()
            } else if let Ok(o) = offsets.cast::<PyArray1<i64>>() {
                o.len()
            } else {
                return Err(PyTypeError::new_err(format!(
                    "chunk {i}: offsets must be a 1-D int32 or int64 array"
                )));
            };
            let Some(len) = len.checked_sub(1) else {
                return Err(PyValueError::new_err(format!(
                    "chunk {i}: an array of n strings has n + 1 offsets. Received: 0"
                )));
            };
            let nulls = if nulls.is_none() {
                None
            } else {
                let mask = nulls.cast_into::<PyArray1<bool>>().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "chunk {i}: nulls must be None or a 1-D bool array"
                    ))
                })?;
                if mask.len() != len {
                    return Err(PyValueError::new_err(format!(
                        "chunk {i}: {} null flags for {len} strings",
                        mask.len()
                    )));
                }
                Some(mask.unbind())
            };
            out.push(Chunk {
                data: data.unbind(),
                offsets: offsets.unbind(),
                nulls,
                len,
            });
        }
        Ok(PyArrowStrings { chunks: out })
    }

    /// Number of texts.
    fn __len__(&self) -> usize {
        self.chunks.iter().map(|c| c.len).sum()
    }
}

/// Read-only views of one chunk's buffers, held while its texts are borrowed.
pub(crate) struct ChunkView<'py> {
    data: PyReadonlyArray1<'py, u8>,
    offsets: OffsetsView<'py>,
    nulls: Option<PyReadonlyArray1<'py, bool>>,
}

enum OffsetsView<'py> {
    I32(PyReadonlyArray1<'py, i32>),
    I64(PyReadonlyArray1<'py, i64>),
}

/// Borrow the buffers of `strings`.
pub(crate) fn views<'py>(strings: &Bound<'py, PyArrowStrings>) -> PyResult<Vec<ChunkView<'py>>> {
    let py = strings.py();
    strings
        .get()
        .chunks
        .iter()
        .map(|c| {
            let offsets = c.offsets.bind(py);
            let offsets = if let Ok(o) = offsets.cast::<PyArray1<i32>>() {
                OffsetsView::I32(o.try_readonly()?)
            } else {
                OffsetsView::I64(offsets.cast::<PyArray1<i64>>()?.try_readonly()?)
            };
            Ok(ChunkView {
                data: c.data.bind(py).try_readonly()?,
                offsets,
                nulls: c
                    .nulls
                    .as_ref()
                    .map(|m| m.bind(py).try_readonly())
                    .transpose()?,
            })
        })
        .collect()
}

/// The texts of `chunks`, borrowed from their buffers.
///
/// Raises:
///     ValueError: invalid offsets or non-UTF-8 data (see
///         `imdbfast_core::arrow::string_slices`).
pub(crate) fn strs<'a>(chunks: &'a [ChunkView<'_>]) -> PyResult<Vec<&'a str>> {
    let not_contiguous = |_| PyValueError::new_err("Arrow buffers must be contiguous arrays");
    let mut out = Vec::new();
    for chunk in chunks {
        let data = chunk.data.as_slice().map_err(not_contiguous)?;
        let nulls = match &chunk.nulls {
            Some(m) => Some(m.as_slice().map_err(not_contiguous)?),
            None => None,
        };
        let offsets = match &chunk.offsets {
            OffsetsView::I32(o) => Offsets::I32(o.as_slice().map_err(not_contiguous)?),
            OffsetsView::I64(o) => Offsets::I64(o.as_slice().map_err(not_contiguous)?),
        };
        string_slices(data, offsets, nulls, &mut out).map_err(crate::py::errors::to_py)?;
    }
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyArrowStrings>()
}
