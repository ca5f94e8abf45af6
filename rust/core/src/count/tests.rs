//! Tests of the counting module: merged counts against one count of the
//! whole corpus, their bytes, and counts that cannot be.

use super::token_counts::{put_bytes, put_u64, MAGIC};
use super::*;
use crate::first_seen::build_vocabulary;
use crate::text::TextPipeline;
use crate::vocab::{VocabConfig, VocabOrder, Vocabulary};

fn words(v: &Vocabulary) -> Vec<String> {
    v.tokens().unwrap_or_else(|e| panic!("{e}"))
}

fn merged(p: &TextPipeline, docs: &[&str], cut: usize, widths: &[usize]) -> TokenCounts {
    let mut a = TokenCounts::count(p, &docs[..cut], widths, "s").unwrap_or_else(|e| panic!("{e}"));
    let b = TokenCounts::count(p, &docs[cut..], widths, "s").unwrap_or_else(|e| panic!("{e}"));
    a.append(b).unwrap_or_else(|e| panic!("{e}"));
    a
}

#[test]
fn merged_counts_give_the_one_shot_vocabulary() {
    let p = TextPipeline::default();
    let docs = ["b c a", "a b", "c d b a", "e e d", "", "f a"];
    for order in [
        VocabOrder::Frequency,
        VocabOrder::Alphabetical,
        VocabOrder::FrequencyFirstSeen,
    ] {
        let config = VocabConfig {
            order,
            max_tokens: Some(6),
            ..VocabConfig::default()
        };
        let one_shot = match order {
            VocabOrder::FrequencyFirstSeen => build_vocabulary(&p, &docs, &config),
            _ => Vocabulary::build(count_tokens(&p, &docs), &config),
        }
        .unwrap_or_else(|e| panic!("{e}"));
        for cut in 0..=docs.len() {
            let counts = merged(&p, &docs, cut, &[1]);
            assert_eq!(counts.documents, docs.len() as u64);
            let v = counts
                .vocabulary(&config, &[])
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(words(&v), words(&one_shot), "{order:?} cut {cut}");
        }
    }
}

#[test]
fn documents_and_first_positions_survive_merging() {
    let p = TextPipeline::default();
    let docs = ["x y x", "y z", "z z w"];
    let c = merged(&p, &docs, 1, &[1, 2]);
    let get = |t: &str| c.get(t.as_bytes()).unwrap_or_default();
    assert_eq!(
        (get("x").count, get("x").documents, get("x").first),
        (2, 1, (0, 0))
    );
    assert_eq!(
        (get("z").count, get("z").documents, get("z").first),
        (3, 2, (1, 1))
    );
    assert_eq!((get("z z").count, get("z z").first), (1, (2, 3)));
    assert_eq!(get("w").first, (2, 2));
}

#[test]
fn bytes_round_trip_and_mismatch_is_refused() {
    let p = TextPipeline::default();
    let c = merged(&p, &["a b", "b c d", "a a"], 2, &[1, 2]);
    let back = TokenCounts::from_bytes(&c.to_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.to_bytes().len(), c.to_bytes().len());
    assert_eq!(back.get(b"a"), c.get(b"a"));
    assert_eq!(back.documents, 3);
    let bytes = c.to_bytes();
    for n in 0..bytes.len() {
        assert!(TokenCounts::from_bytes(&bytes[..n]).is_err());
    }
    let mut other = TokenCounts::count(&p, &["a"], &[1], "s").unwrap_or_else(|e| panic!("{e}"));
    assert!(other.append(c.clone()).is_err());
    let mut blank = TokenCounts::default();
    blank.append(c).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(blank.documents, 3);
}

/// The bytes of counts of `documents` documents holding one token, "a",
/// with the given tally `[count, documents, first document, first index]`.
fn one_token_bytes(documents: u64, tally: [u64; 4]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    put_bytes(&mut out, b"s");
    put_u64(&mut out, 1);
    put_u64(&mut out, 1);
    put_u64(&mut out, documents);
    put_u64(&mut out, 1);
    put_bytes(&mut out, b"a");
    for v in tally {
        put_u64(&mut out, v);
    }
    out
}

#[test]
fn sums_that_overflow_are_errors_and_change_nothing() {
    let p = TextPipeline::default();
    let mut huge = TokenCounts::from_bytes(&one_token_bytes(1, [u64::MAX, 1, 0, 0]))
        .unwrap_or_else(|e| panic!("{e}"));
    let two = TokenCounts::count(&p, &["a a"], &[1], "s").unwrap_or_else(|e| panic!("{e}"));
    let err = huge.append(two.clone()).err().map(|e| e.to_string());
    assert!(err.is_some_and(|e| e.contains("do not fit in 64 bits")));
    assert_eq!(huge.get(b"a").map(|t| t.count), Some(u64::MAX));
    assert_eq!(huge.documents, 1);
    // Counting more texts straight into the counts is checked too.
    assert!(huge.add(&p, &["a a"], &[1], "s").is_err());
    assert_eq!(huge.get(b"a").map(|t| t.count), Some(u64::MAX));
    assert_eq!(huge.documents, 1);
    // Other tokens add up as usual, and the bound follows the counts.
    let mut fine = TokenCounts::from_bytes(&one_token_bytes(1, [u64::MAX - 5, 1, 0, 0]))
        .unwrap_or_else(|e| panic!("{e}"));
    fine.append(two).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fine.get(b"a").map(|t| t.count), Some(u64::MAX - 3));
    fine.add(&p, &["b b b", "a"], &[1], "s")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fine.get(b"a").map(|t| t.count), Some(u64::MAX - 2));
    assert_eq!(
        fine.get(b"b").map(|t| (t.count, t.first)),
        Some((3, (2, 0)))
    );
    assert_eq!(fine.documents, 4);
    // The number of documents.
    let mut many = TokenCounts::from_bytes(&one_token_bytes(u64::MAX, [1, 1, 0, 0]))
        .unwrap_or_else(|e| panic!("{e}"));
    let one = TokenCounts::count(&p, &["b"], &[1], "s").unwrap_or_else(|e| panic!("{e}"));
    assert!(many.append(one).is_err());
    assert!(many.add(&p, &["b"], &[1], "s").is_err());
    assert_eq!(many.documents, u64::MAX);
}

#[test]
fn tallies_that_cannot_be_counts_are_refused() {
    for (documents, tally) in [
        (1, [1, 0, 0, 0]), // in no document
        (2, [1, 2, 0, 0]), // in more documents than occurrences
        (1, [3, 2, 0, 0]), // in more documents than counted
        (2, [1, 1, 2, 0]), // first met after the last document
        (2, [1, 1, u64::MAX, 0]),
    ] {
        let err = TokenCounts::from_bytes(&one_token_bytes(documents, tally)).err();
        assert!(
            err.is_some_and(|e| e.to_string().contains("do not agree")),
            "{tally:?}"
        );
    }
    assert!(TokenCounts::from_bytes(&one_token_bytes(2, [5, 2, 1, 7])).is_ok());
}
