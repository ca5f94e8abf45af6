//! Row-major buffers of the core (`imdbfast_core::buffer`) handed to NumPy as
//! 2-D arrays without copying.

use numpy::ndarray::Array2;
use numpy::{Element, IntoPyArray, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// `data` (`rows * cols` values, row-major) as a `(rows, cols)` NumPy array
/// that owns the buffer.
pub fn into_matrix<T: Element>(
    py: Python<'_>,
    rows: usize,
    cols: usize,
    data: Vec<T>,
) -> PyResult<Bound<'_, PyArray2<T>>> {
    let array = Array2::from_shape_vec((rows, cols), data)
        .map_err(|e| PyValueError::new_err(format!("internal shape error: {e}")))?;
    Ok(array.into_pyarray(py))
}
