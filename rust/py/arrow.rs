//! Arrow strings handed to Rust without Python `str` objects
//! (`imdbfast_core::arrow`): `imdbfast._arrow` wraps the value buffer,
//! offsets and null mask of each chunk of a `pyarrow` string array as NumPy
//! views (no copy) in an `ArrowStrings`, which every function that takes
//! `texts` accepts in place of a list of str. Each call copies the bytes of
//! its texts before it checks and reads them (`ChunkCopy`).

use imdbfast_core::arrow::{string_slices, Offsets};
use numpy::{PyArray1, PyArrayMethods, PyUntypedArrayMethods};
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

/// One chunk's texts, copied out of its buffers while the call extracts
/// its arguments: the bytes of its texts (only those, for a slice of a
/// larger array), its offsets rebased onto them, its null flags. The Rust
/// core reads this copy, checked as UTF-8 once, never memory that a Python
/// thread can still write while the GIL is released (every pyarrow buffer,
/// a `bytearray` behind one, is writable through NumPy): a concurrent
/// writer cannot hand it bytes that are not the text that was checked.
pub(crate) struct ChunkCopy {
    data: Vec<u8>,
    offsets: Vec<i64>,
    nulls: Option<Vec<bool>>,
}

/// Copy the texts of `strings` (see `ChunkCopy`).
///
/// Raises:
///     ValueError: non-contiguous buffers, or offsets out of the data (see
///         `imdbfast_core::arrow::string_slices`).
pub(crate) fn copies(strings: &Bound<'_, PyArrowStrings>) -> PyResult<Vec<ChunkCopy>> {
    let py = strings.py();
    let not_contiguous = |_| PyValueError::new_err("Arrow buffers must be contiguous arrays");
    let mut out = Vec::with_capacity(strings.get().chunks.len()); // bounded: one per chunk held
    for c in &strings.get().chunks {
        let offsets = c.offsets.bind(py);
        let offsets: Vec<i64> = if let Ok(o) = offsets.cast::<PyArray1<i32>>() {
            let o = o.try_readonly()?;
            o.as_slice()
                .map_err(not_contiguous)?
                .iter()
                .map(|&x| i64::from(x))
                .collect()
        } else {
            let o = offsets.cast::<PyArray1<i64>>()?.try_readonly()?;
            o.as_slice().map_err(not_contiguous)?.to_vec()
        };
        let data = c.data.bind(py).try_readonly()?;
        let data = data.as_slice().map_err(not_contiguous)?;
        let span = match (offsets.first(), offsets.last()) {
            (Some(&a), Some(&b)) => usize::try_from(a)
                .ok()
                .zip(usize::try_from(b).ok())
                .filter(|&(a, b)| a <= b && b <= data.len()),
            _ => None,
        };
        let Some((first, last)) = span else {
            // Offsets out of the data: the core's check says how.
            string_slices(data, Offsets::I64(&offsets), None, &mut Vec::new())
                .map_err(crate::py::errors::to_py)?;
            return Err(PyValueError::new_err("Invalid Arrow string array offsets"));
        };
        let base = offsets[0];
        let nulls = match &c.nulls {
            Some(m) => Some(
                m.bind(py)
                    .try_readonly()?
                    .as_slice()
                    .map_err(not_contiguous)?
                    .to_vec(),
            ),
            None => None,
        };
        out.push(ChunkCopy {
            data: data[first..last].to_vec(),
            // Later offsets out of range stay out of range (saturating):
            // the core refuses them.
            offsets: offsets.iter().map(|&o| o.saturating_sub(base)).collect(),
            nulls,
        });
    }
    Ok(out)
}

/// The texts of `chunks`, borrowed from their copies.
///
/// Raises:
///     ValueError: invalid offsets or non-UTF-8 data (see
///         `imdbfast_core::arrow::string_slices`).
pub(crate) fn strs(chunks: &[ChunkCopy]) -> PyResult<Vec<&str>> {
    let mut out = Vec::new();
    for chunk in chunks {
        string_slices(
            &chunk.data,
            Offsets::I64(&chunk.offsets),
            chunk.nulls.as_deref(),
            &mut out,
        )
        .map_err(crate::py::errors::to_py)?;
    }
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyArrowStrings>()
}
