//! Bindings for reading aclImdb (`imdbfast_core::archive`). The public wrapper is
//! `imdbfast.datasets.load_imdb` in `python/imdbfast/datasets.py`.

use std::path::PathBuf;

use imdbfast_core::archive::{self, ImdbFiles, ReadOptions};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;

use super::errors::IntoPyResult;
use super::fork;

/// One split as handed to Python: (texts, labels, ids, ratings, file names).
type SplitParts<'py> = (
    Vec<String>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Vec<String>,
);

/// Columns of one split while it is being assembled.
type SplitColumns = (Vec<String>, Vec<i64>, Vec<i64>, Vec<i64>, Vec<String>);

fn to_python(py: Python<'_>, files: ImdbFiles) -> (SplitParts<'_>, SplitParts<'_>, Vec<String>) {
    let mut splits: Vec<SplitColumns> = vec![Default::default(), Default::default()];
    for r in files.reviews {
        if let Some(s) = splits.get_mut(r.split) {
            s.0.push(r.text);
            s.1.push(i64::from(r.label));
            s.2.push(r.id);
            s.3.push(r.rating);
            s.4.push(r.name);
        }
    }
    let mut it = splits.into_iter().map(|(t, l, i, r, n)| {
        (
            t,
            l.into_pyarray(py),
            i.into_pyarray(py),
            r.into_pyarray(py),
            n,
        )
    });
    let empty = || {
        (
            Vec::new(),
            Vec::<i64>::new().into_pyarray(py),
            Vec::<i64>::new().into_pyarray(py),
            Vec::<i64>::new().into_pyarray(py),
            Vec::new(),
        )
    };
    let train = it.next().unwrap_or_else(empty);
    let test = it.next().unwrap_or_else(empty);
    (train, test, files.replaced)
}

/// Read the labeled aclImdb reviews from a `.tar.gz`/`.tar` without extracting it.
///
/// Args:
///     path: the archive.
///     replace_invalid: decode invalid UTF-8 with U+FFFD instead of raising.
///     max_review_bytes: the largest review accepted; checked against each
///         member's declared size before it is read.
///
/// Returns:
///     (train, test, replaced): each split is (texts, labels int64 1=pos,
///     ids int64, ratings int64, file names), ordered neg then pos, then file
///     name; replaced lists the files decoded with replacement.
///
/// Raises:
///     ValueError: corrupt archive, unsafe member, empty class, invalid UTF-8,
///         a review over the size limit.
///     OSError: the file cannot be read.
#[pyfunction]
#[pyo3(signature = (path, replace_invalid=false, max_review_bytes=archive::DEFAULT_MAX_REVIEW_BYTES, *, num_threads=None))]
fn imdb_read_tar(
    py: Python<'_>,
    path: PathBuf,
    replace_invalid: bool,
    max_review_bytes: u64,
    num_threads: Option<usize>,
) -> PyResult<(SplitParts<'_>, SplitParts<'_>, Vec<String>)> {
    let threads = fork::threads(num_threads)?;
    let options = ReadOptions {
        replace_invalid,
        max_review_bytes,
        io_threads: threads,
        ..ReadOptions::default()
    };
    let files = py
        .detach(|| fork::install(threads, || archive::read_imdb_tar(&path, &options)))
        .py_err()?;
    Ok(to_python(py, files))
}

/// Read the labeled aclImdb reviews from an extracted directory (`aclImdb/` or
/// its parent). Same result layout and arguments as `imdb_read_tar`, plus
/// `follow_symlinks`: read class folders and review files that are symbolic
/// links (refused by default, as archives refuse links).
///
/// Raises:
///     ValueError: a missing class folder, an empty class, invalid UTF-8, a
///         review over the size limit, a symbolic link without `follow_symlinks`.
///     OSError: a file cannot be read.
#[pyfunction]
#[pyo3(signature = (
    path,
    replace_invalid=false,
    max_review_bytes=archive::DEFAULT_MAX_REVIEW_BYTES,
    follow_symlinks=false,
    *,
    num_threads=None,
))]
fn imdb_read_dir(
    py: Python<'_>,
    path: PathBuf,
    replace_invalid: bool,
    max_review_bytes: u64,
    follow_symlinks: bool,
    num_threads: Option<usize>,
) -> PyResult<(SplitParts<'_>, SplitParts<'_>, Vec<String>)> {
    let threads = fork::threads(num_threads)?;
    let options = ReadOptions {
        replace_invalid,
        max_review_bytes,
        follow_symlinks,
        io_threads: threads,
    };
    let files = py
        .detach(|| fork::install(threads, || archive::read_imdb_dir(&path, &options)))
        .py_err()?;
    Ok(to_python(py, files))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(imdb_read_tar, m)?)?;
    m.add_function(wrap_pyfunction!(imdb_read_dir, m)?)?;
    Ok(())
}
