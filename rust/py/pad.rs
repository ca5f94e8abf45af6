//! Bindings for padding (`imdbfast_core::pad`): the fast path of
//! `imdbfast.pad_sequences` for lists and tuples of plain numbers or 1-D
//! arrays (anything else takes the NumPy path in Python).

use imdbfast_core::buffer::Zeroable;
use imdbfast_core::pad::{pad_ragged_matrix, PadConfig, Side};
use numpy::{Element, PyArray1, PyArray2, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::py::buffer::into_matrix;
use crate::py::errors::IntoPyResult;
use crate::py::fork;

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
        let kept = config.kept_range(len);
        out.extend(view.iter().skip(kept.start).take(kept.len()).copied());
        return Some(());
    }
    let seq: Vec<Bound<'_, PyAny>> = if let Ok(list) = item.cast::<PyList>() {
        let len = list.len();
        config
            .kept_range(len)
            .map(|i| list.get_item(i))
            .collect::<PyResult<_>>()
            .ok()?
    } else if let Ok(tuple) = item.cast::<PyTuple>() {
        let len = tuple.len();
        config
            .kept_range(len)
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
    into_matrix(py, rows, length, out).map(Some)
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

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(pad_sequences_int32, m)?)?;
    m.add_function(wrap_pyfunction!(pad_sequences_int64, m)?)?;
    m.add_function(wrap_pyfunction!(pad_sequences_float32, m)?)?;
    m.add_function(wrap_pyfunction!(pad_sequences_float64, m)?)?;
    Ok(())
}
