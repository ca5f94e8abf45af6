//! Conversion of core errors into Python exceptions. Never a bare `Exception`:
//! bad arguments and malformed files are `ValueError`, I/O is `OSError`, and a
//! size this machine cannot hold is `MemoryError` (as NumPy raises it).

use imdbfast_core::CoreError;
use pyo3::exceptions::{PyMemoryError, PyOSError, PyValueError};
use pyo3::prelude::*;

/// Map a core error to the matching Python exception.
pub fn to_py(err: CoreError) -> PyErr {
    match err {
        CoreError::InvalidArgument(_) | CoreError::Malformed { .. } => {
            PyValueError::new_err(err.to_string())
        }
        CoreError::OutOfMemory(message) => PyMemoryError::new_err(message),
        CoreError::Io { ref source, .. } => {
            PyOSError::new_err((source.raw_os_error().unwrap_or(0), err.to_string()))
        }
    }
}

/// Extension trait: `core_call().py_err()?` inside binding functions.
pub trait IntoPyResult<T> {
    fn py_err(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for imdbfast_core::Result<T> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}
