//! The fuzz targets' corpora replayed as ordinary tests: every file of
//! `fuzz/corpus/<target>/` (the seeds, the inputs the fuzzing runs kept, and
//! the reproducers of past findings) goes through the same check as the
//! target (`imdbfast_core::fuzz_checks`), so CI needs no fuzzing engine.

use std::fs;
use std::path::PathBuf;

/// Run `check` on every file of `fuzz/corpus/<target>/`.
fn replay(target: &str, check: fn(&[u8])) -> std::io::Result<()> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    files.sort();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    for file in files {
        let data = fs::read(&file)?;
        let outcome = std::panic::catch_unwind(|| check(&data));
        assert!(outcome.is_ok(), "{target}: finding on {}", file.display());
    }
    Ok(())
}

#[test]
fn glove_corpus() -> std::io::Result<()> {
    replay("glove", imdbfast_core::fuzz_checks::glove)
}

#[test]
fn tar_corpus() -> std::io::Result<()> {
    replay("tar", imdbfast_core::fuzz_checks::tar)
}

#[test]
fn tokenize_corpus() -> std::io::Result<()> {
    replay("tokenize", imdbfast_core::fuzz_checks::tokenize)
}

#[test]
fn pad_corpus() -> std::io::Result<()> {
    replay("pad", imdbfast_core::fuzz_checks::pad)
}

/// The seeds reach the success paths the checks compare (a check that
/// only ever saw errors would prove little).
#[test]
fn seeds_reach_the_success_paths() -> Result<(), Box<dyn std::error::Error>> {
    use imdbfast_core::archive::{read_imdb_tar_from, ReadOptions};
    use imdbfast_core::glove::{parse_glove, GloveOptions};
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let tar = fs::read(corpus.join("tar/valid"))?;
    let files = read_imdb_tar_from(
        std::path::Path::new("valid"),
        &tar[2..],
        &ReadOptions::default(),
    )?;
    assert_eq!(files.reviews.len(), 4);
    let glove = fs::read(corpus.join("glove/basic"))?;
    let g = parse_glove(
        &glove,
        std::path::Path::new("basic"),
        &GloveOptions::default(),
    )?;
    assert_eq!((g.rows, g.dim), (3, 3));
    Ok(())
}
