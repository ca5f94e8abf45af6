//! `imdbfast._native`: the PyO3 binding layer. Each `py/*.rs` module converts
//! Python inputs, releases the GIL, calls into `imdbfast_core`, and hands
//! results back as NumPy arrays without copying.

use pyo3::prelude::*;

mod py;

#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    py::fork::register_fork_guard();
    py::text::register(m)?;
    py::vocab::register(m)?;
    py::pad::register(m)?;
    py::bag::register(m)?;
    py::count::register(m)?;
    py::arrow::register(m)?;
    py::glove::register(m)?;
    py::archive::register(m)?;
    Ok(())
}
