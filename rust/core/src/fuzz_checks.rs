//! The checks behind the fuzz targets (`fuzz/`, cargo-fuzz) and their
//! replay as ordinary tests (`tests/fuzz_corpus.rs` runs every file of
//! `fuzz/corpus/<target>/` through the same function): one copy for both.
//!
//! Each check takes arbitrary bytes and panics on a finding: a panic of the
//! code under test, a fast path that disagrees with its reference, a result
//! that breaks an invariant. An error that the input deserves (a malformed
//! file, an impossible size) is not a finding; it must only be an error
//! rather than a crash.
//!
//! - [`glove`]: the parser in both modes against a plain reference reader,
//!   and the streaming reader (tiny blocks, a small line limit) against the
//!   in-memory parse;
//! - [`tar`]: the aclImdb tar reader against the `tar` crate's own reading
//!   of the same bytes (safety refusals, sizes, texts);
//! - [`tokenize`]: every scanner level against the general path, and the
//!   padded, truncated and ragged encodings against plain padding of the
//!   unlimited encoding;
//! - [`pad`]: `pad_ragged_matrix` against Keras' algorithm written out, and
//!   huge lengths as errors.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Component, Path};

use crate::archive::{read_imdb_tar_from, ReadOptions, CLASSES, SPLITS};
use crate::count::count_tokens;
use crate::error::CoreError;
use crate::glove::{align_glove, parse_glove, stream_glove, Glove, GloveOptions};
use crate::pad::{pad_ragged_matrix, PadConfig, Side};
use crate::simd::Level;
use crate::text::{tokens_by, Scratch, Splitter, Standardizer, TextPipeline};
use crate::vocab::{VocabConfig, VocabOrder, Vocabulary};

/// Byte `i` of `data`, or 0.
fn byte(data: &[u8], i: usize) -> u8 {
    data.get(i).copied().unwrap_or(0)
}

// ------------------------------------------------------------------ GloVe

/// A plain GloVe reader written from the format policy (`glove` module
/// docs): the table's words, values, dimension and duplicates, or the
/// 1-based line of the first error (0: no vectors at all).
struct Reference {
    words: Vec<String>,
    values: Vec<f32>,
    duplicates: usize,
}

fn reference_glove(data: &[u8]) -> Result<Reference, u64> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    if data.is_empty() {
        return Err(0);
    }
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if data.ends_with(b"\n") {
        lines.pop();
    }
    let mut dim = None;
    let mut seen = HashSet::new();
    let mut out = Reference {
        words: Vec::new(),
        values: Vec::new(),
        duplicates: 0,
    };
    for (i, raw) in lines.iter().enumerate() {
        let at = i as u64 + 1;
        let mut line = *raw;
        while let [rest @ .., b'\r' | b' '] = line {
            line = rest;
        }
        let space = line.iter().position(|&b| b == b' ').ok_or(at)?;
        if space == 0 {
            return Err(at);
        }
        let fields: Vec<&[u8]> = line[space + 1..].split(|&b| b == b' ').collect();
        if fields.len() != *dim.get_or_insert(fields.len()) {
            return Err(at);
        }
        let mut row = Vec::with_capacity(fields.len()); // bounded: fields of a line held
        for field in fields {
            let value = fast_float2::parse::<f64, _>(field).map_err(|_| at)?;
            row.push(value as f32);
        }
        let word = std::str::from_utf8(&line[..space]).map_err(|_| at)?;
        if seen.insert(word.to_string()) {
            out.words.push(word.to_string());
            out.values.extend(row);
        } else {
            out.duplicates += 1;
        }
    }
    Ok(out)
}

fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

/// The 1-based line of a malformed-file error (0 when none is named).
fn error_line(err: &CoreError) -> Option<u64> {
    match err {
        CoreError::Malformed { line, .. } => Some(*line),
        _ => None,
    }
}

/// Two outcomes of parsing the same text: the same table, or the same error.
fn assert_same(a: &crate::Result<Glove>, b: &crate::Result<Glove>, what: &str) {
    match (a, b) {
        (Ok(a), Ok(b)) => {
            assert_eq!(bits(&a.matrix), bits(&b.matrix), "{what}: values");
            assert_eq!(
                (&a.words, a.rows, a.dim, a.hits, a.misses, &a.missing),
                (&b.words, b.rows, b.dim, b.hits, b.misses, &b.missing),
                "{what}"
            );
            assert_eq!(
                (a.duplicates, a.lowercased),
                (b.duplicates, b.lowercased),
                "{what}"
            );
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{what}"),
        _ => panic!("{what}: {:?} vs {:?}", a.as_ref().err(), b.as_ref().err()),
    }
}

/// The GloVe parser (`data` is the text of a GloVe file):
///
/// - full mode agrees with [`reference_glove`]: the same words, values
///   (bit for bit) and duplicates, or an error on the same line;
/// - the streaming reader, in blocks of 1, 5 and 64 bytes, gives exactly the
///   in-memory result (or error), for both modes; with a line limit of 40
///   bytes it may refuse the text only if a line is longer than that;
/// - vocabulary mode (a vocabulary made of the file's words, some
///   lowercased or absent, with reserved rows) gives the full table aligned
///   by [`align_glove`].
pub fn glove(data: &[u8]) {
    let label = Path::new("fuzz.txt");
    let full_options = GloveOptions::default();
    let full = parse_glove(data, label, &full_options);
    match (&full, reference_glove(data)) {
        (Ok(g), Ok(r)) => {
            assert_eq!(g.words, r.words, "words");
            assert_eq!(bits(&g.matrix), bits(&r.values), "values");
            assert_eq!(g.duplicates, r.duplicates, "duplicates");
            assert_eq!(g.rows * g.dim, g.matrix.len());
        }
        (Err(e), Err(line)) => assert_eq!(error_line(e), Some(line), "{e}"),
        (got, want) => panic!(
            "parser {:?} vs reference {:?}",
            got.as_ref().map(|g| g.rows).map_err(ToString::to_string),
            want.map(|r| r.words.len())
        ),
    }
    let lowercase_fallback = byte(data, 0) & 1 == 1;
    let mut vocabulary = vec![String::new(), "[UNK]".to_string()];
    if let Ok(g) = &full {
        for (i, w) in g.words.iter().enumerate() {
            match i % 3 {
                0 => vocabulary.push(w.clone()),
                1 => vocabulary.push(w.to_uppercase()),
                _ => {}
            }
        }
    }
    vocabulary.push("absent-word".to_string());
    let vocab_options = GloveOptions {
        dim: full.as_ref().ok().map(|g| g.dim),
        vocabulary: Some(vocabulary.clone()),
        lowercase_fallback,
    };
    let filtered = parse_glove(data, label, &vocab_options);
    if let Ok(g) = &full {
        let mut want = align_glove(&g.words, &g.matrix, g.dim, &vocabulary, lowercase_fallback);
        // The aligned table counts no duplicates: those are the parser's.
        if let (Ok(w), Ok(f)) = (&mut want, &filtered) {
            w.duplicates = f.duplicates;
        }
        assert_same(&filtered, &want, "vocabulary mode vs align_glove");
    }
    for block in [1usize, 5, 64] {
        for (options, in_memory) in [(&full_options, &full), (&vocab_options, &filtered)] {
            let streamed = stream_glove(data, label, options, block, 1 << 20);
            assert_same(
                &streamed,
                in_memory,
                &format!("streamed in blocks of {block}"),
            );
        }
    }
    let limited = stream_glove(data, label, &full_options, 3, 40);
    match &limited {
        Err(e) if e.to_string().contains("a line longer than 40 bytes") => {
            assert!(data.split(|&b| b == b'\n').any(|l| l.len() > 40), "{e}");
        }
        _ => assert_same(&limited, &full, "streamed with a 40-byte line limit"),
    }
}

// ------------------------------------------------------------------ tar

/// One member of a tar as the `tar` crate reads it.
struct Member {
    components: Vec<String>,
    unsafe_path: bool,
    link_or_device: bool,
    is_file: bool,
    bytes: Vec<u8>,
}

/// The members of a tar, read with the `tar` crate alone (at most `limit`
/// bytes of each kept); None if the crate meets an error.
fn reference_members(data: &[u8], limit: u64) -> Option<Vec<Member>> {
    let mut archive = tar::Archive::new(data);
    let mut out = Vec::new();
    for entry in archive.entries().ok()? {
        let mut entry = entry.ok()?;
        let path = entry.path().ok()?.into_owned();
        let kind = entry.header().entry_type();
        let unsafe_path = path.components().any(|c| {
            matches!(
                c,
                Component::RootDir | Component::Prefix(_) | Component::ParentDir
            )
        });
        let components = path
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect();
        let mut bytes = Vec::new();
        if kind.is_file() && entry.size() <= limit {
            entry.read_to_end(&mut bytes).ok()?;
        }
        out.push(Member {
            components,
            unsafe_path,
            link_or_device: kind.is_symlink()
                || kind.is_hard_link()
                || kind.is_character_special()
                || kind.is_block_special()
                || kind.is_fifo(),
            is_file: kind.is_file(),
            bytes,
        });
    }
    Some(out)
}

/// The aclImdb tar reader (`data` is a tar stream after two option bytes):
/// it never panics nor allocates what a header declares; an archive the
/// `tar` crate reads with an unsafe member (absolute path, `..`, a link, a
/// device) is refused; an accepted one gives, sorted, exactly the review
/// members (`{train,test}/{neg,pos}/*.txt`), with their bytes, each within
/// `max_review_bytes`.
pub fn tar(data: &[u8]) {
    let options = ReadOptions {
        replace_invalid: byte(data, 0) & 1 == 1,
        max_review_bytes: [0u64, 16, 512, 1 << 20][usize::from(byte(data, 1) & 3)],
        follow_symlinks: false,
        io_threads: None,
    };
    let tar_bytes = data.get(2..).unwrap_or_default();
    let read = read_imdb_tar_from(Path::new("fuzz.tar"), tar_bytes, &options);
    let Some(members) = reference_members(tar_bytes, options.max_review_bytes) else {
        return;
    };
    if members.iter().any(|m| m.unsafe_path || m.link_or_device) {
        assert!(read.is_err(), "an unsafe member was accepted");
        return;
    }
    let Ok(files) = read else {
        return;
    };
    let mut want: Vec<(usize, u8, String, Vec<u8>)> = members
        .into_iter()
        .filter(|m| m.is_file)
        .filter_map(|m| {
            let [.., split, class, name] = &m.components[..] else {
                return None;
            };
            let s = SPLITS.iter().position(|x| x == split)?;
            let c = CLASSES.iter().position(|x| x == class)?;
            name.ends_with(".txt")
                .then(|| (s, c as u8, name.clone(), m.bytes))
        })
        .collect();
    want.sort();
    let got: Vec<(usize, u8, String, Vec<u8>)> = files
        .reviews
        .iter()
        .map(|r| (r.split, r.label, r.name.clone(), r.text.as_bytes().to_vec()))
        .collect();
    assert_eq!(got.len(), want.len(), "review count");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!((g.0, g.1, &g.2), (w.0, w.1, &w.2), "review order");
        assert!(w.3.len() as u64 <= options.max_review_bytes);
        if options.replace_invalid {
            assert_eq!(g.3, String::from_utf8_lossy(&w.3).as_bytes(), "{}", g.2);
        } else {
            assert_eq!(g.3, w.3, "{}", g.2);
        }
    }
    assert!(got
        .windows(2)
        .all(|p| (p[0].0, p[0].1, &p[0].2) < (p[1].0, p[1].1, &p[1].2)));
}

// ------------------------------------------------------------------ text

/// The standardize modes, split modes and stopword lists a check picks from.
const STANDARDIZE: [Option<&str>; 6] = [
    None,
    Some("lower"),
    Some("strip_punctuation"),
    Some("lower_and_strip_punctuation"),
    Some("lower_unicode"),
    Some("lower_unicode_and_strip_punctuation"),
];
const STOPWORDS: [&str; 5] = ["the", "a", "it's", "Don't", "é"];

/// The padding of `ids` to `pad.length` as Keras writes it: keep the last
/// (pre) or first (post) `length` values, pad with `value` before (pre) or
/// after (post).
fn keras_pad(ids: &[i32], pad: &PadConfig, value: i32) -> Vec<i32> {
    let kept = if ids.len() <= pad.length {
        ids
    } else if pad.truncating == Side::Pre {
        &ids[ids.len() - pad.length..]
    } else {
        &ids[..pad.length]
    };
    let fill = std::iter::repeat_n(value, pad.length - kept.len());
    match pad.padding {
        Side::Pre => fill.chain(kept.iter().copied()).collect(),
        Side::Post => kept.iter().copied().chain(fill).collect(),
    }
}

/// The tokenizer (`data`: two option bytes, then text; invalid UTF-8 is
/// replaced):
///
/// - every scanner level this CPU runs (scalar, SSE2, SSSE3) gives the
///   general path's tokens, for the standardize, split, HTML and stopword
///   options picked by the first byte;
/// - a vocabulary built from the text (layout picked by the second byte)
///   encodes each line, padded and truncated every way, as Keras' padding
///   of the unlimited encoding; ragged truncation agrees too.
pub fn tokenize(data: &[u8]) {
    let (b0, b1) = (byte(data, 0), byte(data, 1));
    let text = String::from_utf8_lossy(data.get(2..).unwrap_or_default());
    let standardize = STANDARDIZE[usize::from(b0) % STANDARDIZE.len()];
    let split = if b0 & 0x08 == 0 { "whitespace" } else { "word" };
    let html = b0 & 0x10 != 0;
    let stopwords: &[&str] = if b0 & 0x20 != 0 { &STOPWORDS } else { &[] };
    let (Ok(st), Ok(sp)) = (
        Standardizer::from_name(standardize, html),
        Splitter::from_spec(Some(split)),
    ) else {
        panic!("the options must be valid");
    };
    let pipeline = TextPipeline::new(st, sp, stopwords.iter());
    let want = tokens_by(&pipeline, &text, None);
    for level in Level::available() {
        assert_eq!(
            tokens_by(&pipeline, &text, Some(level)),
            want,
            "{level:?} standardize={standardize:?} split={split} html={html}"
        );
    }
    // Encodings.
    let docs: Vec<&str> = text.split('\n').collect();
    let mut config = VocabConfig {
        max_tokens: (b1 & 0x03 != 0).then(|| usize::from(b1 & 0x03) * 3 - 3),
        min_freq: 1 + u64::from((b1 >> 2) & 1),
        order: if b1 & 0x08 == 0 {
            VocabOrder::Frequency
        } else {
            VocabOrder::Alphabetical
        },
        start_token: (b1 & 0x10 != 0).then(|| "[START]".to_string()),
        index_from: (b1 & 0x20 != 0).then_some(5),
        ..VocabConfig::default()
    };
    // At least the special and reserved ids, plus 0, 3 or 6 words.
    config.max_tokens = config.max_tokens.map(|m| m + config.first_word_id());
    let vocab = match Vocabulary::build(count_tokens(&pipeline, &docs), &config) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    let mut scratch = Scratch::default();
    let mut full: Vec<Vec<i32>> = Vec::new();
    for doc in &docs {
        let mut ids = Vec::new();
        vocab.encode_into(&pipeline, doc, &mut scratch, None, &mut ids);
        assert!(ids.iter().all(|&id| id >= 0 && (id as usize) < vocab.len()));
        full.push(ids);
    }
    for length in [0usize, 1, 3, 8, 64] {
        for padding in [Side::Pre, Side::Post] {
            for truncating in [Side::Pre, Side::Post] {
                let pad = PadConfig {
                    length,
                    padding,
                    truncating,
                };
                let want: Vec<i32> = full
                    .iter()
                    .flat_map(|ids| keras_pad(ids, &pad, 0))
                    .collect();
                let got = vocab.encode_padded(&pipeline, &docs, &pad);
                assert_eq!(got.ok(), Some(want), "{pad:?}");
                let (values, splits) =
                    vocab.encode_ragged(&pipeline, &docs, Some((length, truncating)));
                let kept: Vec<i32> = full.iter().flat_map(|ids| pad.kept(ids).to_vec()).collect();
                assert_eq!(values, kept, "ragged {pad:?}");
                assert_eq!(splits.len(), docs.len() + 1);
            }
        }
    }
}

// ------------------------------------------------------------------ padding

/// Padding (`data`: an option byte, a length byte, then sequences of byte
/// values separated by 0xFF): `pad_ragged_matrix` gives Keras' padding for
/// every side, and a length whose matrix cannot exist is an
/// [`CoreError::OutOfMemory`] error (no wrap, no abort).
pub fn pad(data: &[u8]) {
    let options = byte(data, 0);
    let sequences: Vec<Vec<i32>> = data
        .get(2..)
        .unwrap_or_default()
        .split(|&b| b == 0xFF)
        .map(|s| s.iter().map(|&b| i32::from(b) - 100).collect())
        .collect();
    let mut values = Vec::new();
    let mut splits = vec![0usize];
    for s in &sequences {
        values.extend_from_slice(s);
        splits.push(values.len());
    }
    let value = i32::from(options >> 4) - 8;
    let huge = options & 0x04 != 0;
    let length = if huge {
        usize::MAX / [2usize, 3, 4, 5][usize::from(byte(data, 1) & 3)] + 1
    } else {
        usize::from(byte(data, 1))
    };
    let pad = PadConfig {
        length,
        padding: if options & 1 == 0 {
            Side::Pre
        } else {
            Side::Post
        },
        truncating: if options & 2 == 0 {
            Side::Pre
        } else {
            Side::Post
        },
    };
    let got = pad_ragged_matrix(&values, &splits, &pad, value, "maxlen");
    if huge {
        assert!(
            matches!(got, Err(CoreError::OutOfMemory(_))),
            "{:?}",
            got.map(|v| v.len())
        );
        return;
    }
    let want: Vec<i32> = sequences
        .iter()
        .flat_map(|s| keras_pad(s, &pad, value))
        .collect();
    match got {
        Ok(got) => assert_eq!(got, want, "{pad:?}"),
        Err(e) => panic!("{e}"),
    }
}
