//! Tests of the bag module: n-grams, counts and bags against Keras' examples,
//! and the packed paths against the string paths.

use super::*;
use crate::text::{Scratch, TextPipeline};
use crate::text::{Splitter, Standardizer};
use crate::vocab::VocabConfig;
use crate::vocab::Vocabulary;

fn strings(tokens: &DocTokens, widths: &[usize]) -> Vec<String> {
    let mut out = Vec::new();
    tokens.for_each_ngram(widths, |g| {
        out.push(String::from_utf8_lossy(g).into_owned())
    });
    out
}

#[test]
fn ngrams_are_space_joined_width_by_width() {
    let p = TextPipeline::default();
    let mut t = DocTokens::default();
    t.read(&p, "The cat, sat!", &mut Scratch::default());
    assert_eq!(
        strings(&t, &[1, 2, 3, 4]),
        ["the", "cat", "sat", "the cat", "cat sat", "the cat sat"]
    );
    assert_eq!(strings(&t, &[2]), ["the cat", "cat sat"]);
    t.read(&p, "", &mut Scratch::default());
    assert!(strings(&t, &[1, 2]).is_empty() && !t.is_empty_text());
    let none = TextPipeline::new(
        Standardizer::default(),
        Splitter::None,
        std::iter::empty::<&str>(),
    );
    t.read(&none, "!!", &mut Scratch::default());
    assert!(t.is_empty() && t.is_empty_text());
    assert!(check_widths(&[]).is_err() && check_widths(&[1, 0]).is_err());
}

fn fitted(docs: &[&str], widths: &[usize], max_tokens: usize) -> (Vocabulary, NgramCounts) {
    let p = TextPipeline::default();
    let counts = count_ngrams(&p, docs, widths, &[], None, 1).unwrap_or_else(|e| panic!("{e}"));
    let config = VocabConfig {
        max_tokens: Some(max_tokens),
        ..VocabConfig::default()
    };
    let vocab = Vocabulary::build(counts.counts.clone(), &config).unwrap_or_else(|e| panic!("{e}"));
    (vocab, counts)
}

/// The example checked against TextVectorization(output_mode="count",
/// ngrams=2) on ["The cat sat", "", "the the dog!", "!!!"].
#[test]
fn count_and_tf_idf_like_keras() {
    let docs = ["The cat sat", "", "the the dog!", "!!!"];
    let (vocab, counts) = fitted(&docs, &[1, 2], 100);
    let words: Vec<String> = (2..vocab.len())
        .filter_map(|id| vocab.token(id).map(|t| t.to_string()))
        .collect();
    assert_eq!(
        words,
        ["the", "the the", "the dog", "the cat", "sat", "dog", "cat sat", "cat"]
    );
    assert_eq!(counts.documents, 4);
    let p = TextPipeline::default();
    let depth = vocab.len() - 1;
    let config = BagConfig {
        mode: BagMode::Count,
        widths: &[1, 2],
        depth,
        column_offset: 1,
        idf: None,
    };
    let dense = bag_dense(&vocab, &p, &docs, &config).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        dense[..2 * depth],
        [
            0., 1., 0., 0., 1., 1., 0., 1., 1., //
            0., 0., 0., 0., 0., 0., 0., 0., 0.
        ]
    );
    assert_eq!(
        dense[2 * depth..3 * depth],
        [0., 2., 1., 1., 0., 0., 1., 0., 0.]
    );
    let csr = bag_csr(&vocab, &p, &docs, &config).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(csr.indptr, [0, 5, 5, 9, 9]);
    let mut back = vec![0f32; docs.len() * depth];
    for row in 0..docs.len() {
        for k in csr.indptr[row] as usize..csr.indptr[row + 1] as usize {
            back[row * depth + csr.indices[k] as usize] = csr.data[k];
        }
    }
    assert_eq!(back, dense);

    let (vocab, counts) = fitted(&docs, &[1], 100);
    let idf = idf_weights(&vocab, &counts, 2, 1, vocab.len() - 1).unwrap_or_default();
    // "the" is in 2 of 4 documents: ln(1 + 4 / 3).
    assert_eq!(idf[1], (1.0f64 + 4.0 / 3.0).ln() as f32);
    let mean = idf[1..].iter().map(|&w| f64::from(w)).sum::<f64>() / 4.0;
    assert_eq!(idf[0], mean as f32);
    // Nothing learned (an empty corpus): the OOV weight is 0, not NaN.
    let (empty, none) = fitted(&[], &[1], 100);
    let nothing = idf_weights(&empty, &none, 2, 1, 0).unwrap_or_default();
    assert_eq!(nothing, [0.0]);
    let config = BagConfig {
        mode: BagMode::TfIdf,
        widths: &[1],
        depth: vocab.len() - 1 + 3,
        column_offset: 1,
        idf: Some(&idf),
    };
    assert!(bag_dense(&vocab, &p, &docs, &config).is_err());
    let padded = idf_weights(&vocab, &counts, 2, 1, vocab.len() - 1 + 3).unwrap_or_default();
    let config = BagConfig {
        idf: Some(&padded),
        ..config
    };
    let dense =
        bag_dense(&vocab, &p, &["the the zebra"], &config).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dense[0], idf[0]);
    assert_eq!(dense[1], 2.0 * idf[1]);
    assert_eq!(dense[5..], [0.0; 3]);
}

#[test]
fn document_counts_count_each_document_once() {
    let p = TextPipeline::default();
    let docs: Vec<String> = (0..1000)
        .map(|i| {
            if i % 3 == 0 {
                "a a a b".into()
            } else {
                "b".into()
            }
        })
        .collect();
    let counts = count_ngrams(&p, &docs, &[1], &[b"b"], None, 1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts.counts.get(b"a").copied(), Some(334 * 3));
    assert_eq!(counts.document_counts.get(b"a").copied(), Some(334));
    assert_eq!(counts.document_counts.get(b"b").copied(), Some(1000));
    assert_eq!(counts.counts.get(b"b").copied(), Some(0));
}

/// Keeping only the candidates of a bounded vocabulary builds the same
/// vocabulary as all counts, ties at the last kept rank included.
#[test]
fn candidates_give_the_same_vocabulary() {
    let p = TextPipeline::default();
    let docs: Vec<String> = (0..300)
        .map(|i| format!("w{} w{} w{} x y", i % 7, i % 11, i % 13))
        .collect();
    for max in [2, 3, 5, 8, 12, 40, 500] {
        for min_freq in [1, 30] {
            let config = VocabConfig {
                max_tokens: Some(max),
                min_freq,
                ..VocabConfig::default()
            };
            let all = count_ngrams(&p, &docs, &[1, 2], &[b"x"], None, min_freq)
                .unwrap_or_else(|e| panic!("{e}"));
            let some = count_ngrams(&p, &docs, &[1, 2], &[b"x"], Some(max), min_freq)
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(some.counts.len() <= all.counts.len());
            let a = Vocabulary::build(all.counts, &config).unwrap_or_else(|e| panic!("{e}"));
            let b = Vocabulary::build(some.counts, &config).unwrap_or_else(|e| panic!("{e}"));
            let listed = |v: &Vocabulary| -> Vec<String> {
                (0..v.len())
                    .filter_map(|id| v.token(id).map(|t| t.to_string()))
                    .collect()
            };
            assert_eq!(
                listed(&a),
                listed(&b),
                "max_tokens={max} min_freq={min_freq}"
            );
        }
    }
}

/// The packed paths (whitespace splitting: counting and lookups by part
/// ids) against the string paths (a regex with the same tokens), on
/// random texts: the same vocabulary, idf weights and bag rows.
#[test]
fn packed_paths_match_the_string_paths() {
    let words = [
        "a", "b", "film", "the", "[UNK]", "x", "bad", "good", "it", "of", "ab", "ba",
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let docs: Vec<String> = (0..400)
        .map(|_| {
            (0..next() % 30)
                .map(|_| words[(next() % words.len() as u64) as usize])
                .collect::<Vec<_>>()
                .join(if next() % 5 == 0 { "  " } else { " " })
        })
        .collect();
    let standardizer = Standardizer::from_name(None, false).unwrap_or_else(|e| panic!("{e}"));
    let packed = TextPipeline::new(
        standardizer,
        Splitter::Whitespace,
        std::iter::empty::<&str>(),
    );
    let strings = TextPipeline::new(
        standardizer,
        Splitter::from_spec(Some(r"[^ \t\n\x0B\x0C\r]+")).unwrap_or_else(|e| panic!("{e}")),
        std::iter::empty::<&str>(),
    );
    for widths in [&[1, 2][..], &[1, 2, 3], &[1, 3, 4]] {
        for max in [5, 12, 40, 1000] {
            let config = VocabConfig {
                max_tokens: Some(max + 1),
                ..VocabConfig::default()
            };
            let fit = |p: &TextPipeline| {
                let counts = count_ngrams(p, &docs, widths, &[b"it"], Some(max), 2)
                    .unwrap_or_else(|e| panic!("{e}"));
                let vocab = Vocabulary::build(counts.counts.clone(), &config)
                    .unwrap_or_else(|e| panic!("{e}"));
                let idf = idf_weights(&vocab, &counts, 2, 1, 0).unwrap_or_default();
                (vocab, idf)
            };
            let (va, ia) = fit(&packed);
            let (vb, ib) = fit(&strings);
            let listed = |v: &Vocabulary| -> Vec<String> {
                (0..v.len())
                    .filter_map(|id| v.token(id).map(|t| t.to_string()))
                    .collect()
            };
            assert_eq!(listed(&va), listed(&vb), "{widths:?} {max}");
            assert_eq!(ia, ib);
            let bag = BagConfig {
                mode: BagMode::TfIdf,
                widths,
                depth: va.len() - 1,
                column_offset: 1,
                idf: Some(&ia),
            };
            let a = bag_csr(&va, &packed, &docs, &bag).unwrap_or_else(|e| panic!("{e}"));
            let b = bag_csr(&va, &strings, &docs, &bag).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(a, b, "{widths:?} {max}");
            assert!(a.data.len() > 100);
        }
    }
}

#[test]
fn ngram_ids_and_the_empty_text() {
    let docs = ["a b a", "", "b"];
    let (vocab, _) = fitted(&docs, &[1, 2], 100);
    let p = TextPipeline::default();
    let (values, splits) = ngram_ids(&vocab, &p, &docs, &[1, 2]).unwrap_or_else(|e| panic!("{e}"));
    let id = |t: &str| vocab.id(t.as_bytes());
    assert_eq!(
        values,
        [id("a"), id("b"), id("a"), id("a b"), id("b a"), id("b")]
    );
    assert_eq!(splits, [0, 5, 5, 6]);
    let none = TextPipeline::new(
        Standardizer::default(),
        Splitter::None,
        std::iter::empty::<&str>(),
    );
    let (values, splits) =
        ngram_ids(&vocab, &none, &["", "b", "?"], &[1]).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(values, [0, id("b"), 0]);
    assert_eq!(splits, [0, 1, 2, 3]);
}

/// The padded n-gram ids are the ragged ones padded row by row as
/// `pad_sequences` pads them (`PadConfig::write_row` with 0), for every
/// side and for rows shorter and longer than the length.
#[test]
fn padded_ngram_ids_are_the_ragged_ones_padded() {
    use crate::pad::{PadConfig, Side};
    let docs = ["a b a c", "", "b", "c c a b a b", "z"];
    let (vocab, _) = fitted(&docs, &[1, 2], 6);
    let p = TextPipeline::default();
    for widths in [&[1][..], &[2], &[1, 2]] {
        let (values, splits) =
            ngram_ids(&vocab, &p, &docs, widths).unwrap_or_else(|e| panic!("{e}"));
        for length in [0, 1, 3, 12] {
            for padding in [Side::Pre, Side::Post] {
                for truncating in [Side::Pre, Side::Post] {
                    let pad = PadConfig {
                        length,
                        padding,
                        truncating,
                    };
                    let got = ngram_ids_padded(&vocab, &p, &docs, widths, &pad)
                        .unwrap_or_else(|e| panic!("{e}"));
                    let mut want = vec![0; docs.len() * length];
                    for (i, row) in want.chunks_mut(length.max(1)).enumerate() {
                        if length > 0 {
                            let seq = &values[splits[i] as usize..splits[i + 1] as usize];
                            pad.write_row(seq, row, 0);
                        }
                    }
                    assert_eq!(got, want, "{widths:?} {pad:?}");
                }
            }
        }
    }
    assert!(ngram_ids_padded(&vocab, &p, &docs, &[0], &PadConfig::default()).is_err());
}

/// Both ways of handing out a row's columns (a scan of the column bits, a
/// sort of the row's columns) give them ascending with their counts, and
/// leave every counter at zero.
#[test]
fn column_counts_come_out_ascending_either_way() {
    let mut counts = columns::ColumnCounts::default();
    counts.reserve(1 << 20);
    // Few columns of many (sorted), then many close together (scanned).
    let rows: [&[usize]; 3] = [
        &[900_000, 3, 70_000, 3, 900_000, 3],
        &[5, 64, 63, 0, 127, 5, 128, 1000, 64],
        &[],
    ];
    for _ in 0..2 {
        for row in rows {
            for &column in row {
                counts.add(column);
            }
            counts.add(1 << 20); // beyond the reserved columns: ignored
            let mut out = Vec::new();
            counts.drain(|column, count| out.push((column as usize, count)));
            let mut want: Vec<(usize, u32)> = Vec::new();
            let mut sorted = row.to_vec();
            sorted.sort_unstable();
            for column in sorted {
                match want.last_mut() {
                    Some((c, n)) if *c == column => *n += 1,
                    _ => want.push((column, 1)),
                }
            }
            assert_eq!(out, want);
            assert!(counts.is_clear());
        }
    }
}

/// One vocabulary's bag rows, from its cache, are those of a fresh copy of
/// it, text by text or all at once, from several threads at a time.
#[test]
fn cached_bag_rows_are_the_same_from_every_call_and_thread() {
    let docs = [
        "the cat sat on the mat",
        "",
        "the dog sat",
        "a cat and a dog and a cat",
    ];
    let (vocab, counts) = fitted(&docs, &[1, 2], 100);
    let idf = idf_weights(&vocab, &counts, 2, 1, 0).unwrap_or_default();
    let p = TextPipeline::default();
    let config = BagConfig {
        mode: BagMode::TfIdf,
        widths: &[1, 2],
        depth: vocab.len() - 1,
        column_offset: 1,
        idf: Some(&idf),
    };
    let want = bag_csr(&vocab.clone(), &p, &docs, &config).unwrap_or_else(|e| panic!("{e}"));
    let dense = bag_dense(&vocab.clone(), &p, &docs, &config).unwrap_or_else(|e| panic!("{e}"));
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                for _ in 0..20 {
                    let all = bag_csr(&vocab, &p, &docs, &config).unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(all, want);
                    let rows =
                        bag_dense(&vocab, &p, &docs, &config).unwrap_or_else(|e| panic!("{e}"));
                    assert_eq!(rows, dense);
                    for (i, doc) in docs.iter().enumerate() {
                        let one =
                            bag_csr(&vocab, &p, &[doc], &config).unwrap_or_else(|e| panic!("{e}"));
                        let (a, b) = (want.indptr[i] as usize, want.indptr[i + 1] as usize);
                        assert_eq!(one.data, want.data[a..b]);
                        assert_eq!(one.indices, want.indices[a..b]);
                    }
                }
            });
        }
    });
}

/// The packed count scans each text once, counting n-grams from the token
/// ids it recorded: with stopwords, and with the recording budget spent
/// (every text scanned again), it counts exactly the same n-grams and
/// documents, and builds the vocabulary of the string path.
#[test]
fn recorded_ids_count_what_a_second_scan_counts() {
    let words = [
        "a", "b", "the", "of", "film", "bad", "good", "it", "x", "ab",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let docs: Vec<String> = (0..700)
        .map(|_| {
            (0..next() % 25)
                .map(|_| words[(next() % words.len() as u64) as usize])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let standardizer = Standardizer::from_name(None, false).unwrap_or_else(|e| panic!("{e}"));
    let stopwords = ["the", "of"];
    let packed = TextPipeline::new(standardizer, Splitter::Whitespace, stopwords);
    let strings = TextPipeline::new(
        standardizer,
        Splitter::from_spec(Some(r"[^ \t\n\x0B\x0C\r]+")).unwrap_or_else(|e| panic!("{e}")),
        stopwords,
    );
    let sorted = |c: &crate::count::Counts| {
        let mut all: Vec<(Vec<u8>, u64)> = c
            .entries()
            .map(|(t, n)| (t.as_bytes().to_vec(), n))
            .collect();
        all.sort();
        all
    };
    for widths in [&[1, 2][..], &[1, 2, 3]] {
        for max in [4, 15, 60] {
            let run =
                |budget| count::count_packed(&packed, &docs, widths, &[b"it"], max, 2, budget);
            let (once, again, half) = (run(usize::MAX), run(0), run(2000));
            for other in [&again, &half] {
                assert_eq!(sorted(&once.counts), sorted(&other.counts));
                let (a, b) = (&once.document_counts, &other.document_counts);
                assert_eq!(sorted(a), sorted(b), "{widths:?} {max}");
                assert_eq!(once.documents, other.documents);
            }
            let config = VocabConfig {
                max_tokens: Some(max + 1),
                ..VocabConfig::default()
            };
            let by_strings = count_ngrams(&strings, &docs, widths, &[b"it"], Some(max), 2)
                .unwrap_or_else(|e| panic!("{e}"));
            let listed = |counts: NgramCounts| -> Vec<String> {
                let v = Vocabulary::build(counts.counts, &config).unwrap_or_else(|e| panic!("{e}"));
                (0..v.len())
                    .filter_map(|id| v.token(id).map(|t| t.to_string()))
                    .collect()
            };
            assert!(once.counts.len() > 3);
            assert_eq!(listed(once), listed(by_strings), "{widths:?} {max}");
        }
    }
}
