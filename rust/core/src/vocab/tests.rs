//! Tests of the vocabulary module: Keras' orders and id layout, settings
//! that are refused, reserved ids, stopwords and encodings.

use super::*;
use crate::count::count_tokens;
use crate::error::{CoreError, Result};
use crate::pad::{PadConfig, Side};
use crate::text::{Scratch, TextPipeline};

fn tokens(v: &Vocabulary) -> Vec<String> {
    v.tokens().unwrap_or_else(|e| panic!("{e}"))
}

fn build(docs: &[&str], config: &VocabConfig) -> Vocabulary {
    let p = TextPipeline::default();
    Vocabulary::build(count_tokens(&p, docs), config).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn empty_corpus_has_only_specials() {
    let v = build(&[], &VocabConfig::default());
    assert_eq!(tokens(&v), ["", "[UNK]"]);
}

#[test]
fn keras_tie_order() {
    // Same corpus as a TextVectorization check: unk, b, a have count 2; x, c count 1.
    let v = build(&["b a c a b [UNK] unk", "", "x"], &VocabConfig::default());
    assert_eq!(tokens(&v), ["", "[UNK]", "unk", "b", "a", "x", "c"]);
    let limited = build(
        &["b a c a b [UNK] unk", "", "x"],
        &VocabConfig {
            max_tokens: Some(4),
            ..VocabConfig::default()
        },
    );
    assert_eq!(tokens(&limited), ["", "[UNK]", "unk", "b"]);
}

#[test]
fn special_tokens_met_in_the_text_do_not_take_a_kept_rank() {
    let p = TextPipeline::new(
        crate::text::Standardizer::from_name(None, false).unwrap_or_else(|e| panic!("{e}")),
        crate::text::Splitter::default(),
        std::iter::empty::<&str>(),
    );
    let docs = ["[UNK] [UNK] [UNK] [UNK] a a a b b c"];
    for (max, expected) in [
        (3, &["", "[UNK]", "a"][..]),
        (4, &["", "[UNK]", "a", "b"][..]),
        (9, &["", "[UNK]", "a", "b", "c"][..]),
    ] {
        let config = VocabConfig {
            max_tokens: Some(max),
            ..VocabConfig::default()
        };
        let v =
            Vocabulary::build(count_tokens(&p, &docs), &config).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(tokens(&v), expected, "max_tokens={max}");
    }
}

#[test]
fn min_freq_alphabetical_and_index_from() {
    let config = VocabConfig {
        min_freq: 2,
        order: VocabOrder::Alphabetical,
        start_token: Some("[START]".into()),
        index_from: Some(3),
        ..VocabConfig::default()
    };
    let v = build(&["b a c a b z z"], &config);
    assert_eq!(
        tokens(&v),
        ["", "[START]", "[UNK]", "[UNUSED3]", "a", "b", "z"]
    );
    let p = TextPipeline::default();
    let mut ids = Vec::new();
    v.encode_into(&p, "a q z", &mut Scratch::default(), None, &mut ids);
    assert_eq!(ids, [1, 4, 2, 6]);
}

#[test]
fn bad_configs() {
    let bad = [
        VocabConfig {
            max_tokens: Some(1),
            ..VocabConfig::default()
        },
        VocabConfig {
            min_freq: 0,
            ..VocabConfig::default()
        },
        VocabConfig {
            oov_token: Some(String::new()),
            ..VocabConfig::default()
        },
        VocabConfig {
            start_token: Some("s".into()),
            index_from: Some(1),
            ..VocabConfig::default()
        },
    ];
    for config in bad {
        assert!(config.validate().is_err(), "{config:?}");
    }
    assert!(Vocabulary::from_tokens(vec!["x".into()], &VocabConfig::default()).is_err());
    assert!(Vocabulary::from_tokens(
        vec!["".into(), "[UNK]".into(), "a".into(), "a".into()],
        &VocabConfig::default()
    )
    .is_err());
}

/// A huge `index_from` costs a count, not a billion placeholders; ids
/// must fit in an i32.
#[test]
fn reserved_ids_are_a_count() -> Result<()> {
    let config = VocabConfig {
        index_from: Some(1_000_000_000),
        ..VocabConfig::default()
    };
    let v = build(&["b a b"], &config);
    assert_eq!(v.len(), 1_000_000_003);
    assert_eq!(v.reserved(), 999_999_999);
    assert_eq!(v.token(7).as_deref(), Some("[UNUSED7]"));
    assert_eq!(v.token(1_000_000_001).as_deref(), Some("b"));
    assert_eq!(v.token(1_000_000_003), None);
    assert!(matches!(v.tokens(), Err(CoreError::OutOfMemory(_))));
    let mut ids = Vec::new();
    v.encode_into(
        &TextPipeline::default(),
        "a q b",
        &mut Scratch::default(),
        None,
        &mut ids,
    );
    assert_eq!(ids, [1_000_000_002, 1, 1_000_000_001]);
    // Words past i32::MAX, and an index_from that leaves no id for words.
    let near = VocabConfig {
        index_from: Some(MAX_IDS - 2),
        ..VocabConfig::default()
    };
    let err = Vocabulary::build(count_tokens(&TextPipeline::default(), &["a b c"]), &near);
    assert!(err.is_err_and(|e| e.to_string().contains("too large for int32 ids")));
    for index_from in [MAX_IDS, usize::MAX] {
        let bad = VocabConfig {
            index_from: Some(index_from),
            ..VocabConfig::default()
        };
        assert!(bad
            .validate()
            .is_err_and(|e| e.to_string().contains("below 2147483647")));
    }
    // The placeholders of a given token list are checked, and kept as a count.
    let config = VocabConfig {
        index_from: Some(3),
        ..VocabConfig::default()
    };
    let list = |third: &str| {
        ["", "[UNK]", "[UNUSED2]", third, "w"]
            .map(String::from)
            .to_vec()
    };
    let v = Vocabulary::from_tokens(list("[UNUSED3]"), &config)?;
    assert_eq!((v.reserved(), v.words()), (2, &["w".to_string()][..]));
    assert_eq!(v.tokens()?, list("[UNUSED3]"));
    let err = Vocabulary::from_tokens(list("x"), &config)
        .err()
        .map(|e| e.to_string());
    assert!(err.is_some_and(|m| m.contains("Received: \"x\" at id 3")));
    Ok(())
}

#[test]
fn stopwords_are_not_counted_and_win_over_the_vocabulary() {
    let p = TextPipeline::new(
        crate::text::Standardizer::default(),
        crate::text::Splitter::Whitespace,
        ["the", "a"],
    );
    let counts = count_tokens(&p, &["the cat the a hat", "cat"]);
    let v = Vocabulary::build(counts, &VocabConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tokens(&v), ["", "[UNK]", "cat", "hat"]);
    // A given vocabulary that contains a stopword: the stopword is still dropped.
    let tokens = ["", "[UNK]", "the", "cat"].map(String::from).to_vec();
    let v =
        Vocabulary::from_tokens(tokens, &VocabConfig::default()).unwrap_or_else(|e| panic!("{e}"));
    let mut ids = Vec::new();
    v.encode_into(&p, "The cat sat", &mut Scratch::default(), None, &mut ids);
    assert_eq!(ids, [3, 1]);
}

/// Every token, id by id.
fn listed(v: &Vocabulary) -> Vec<String> {
    (0..v.len())
        .filter_map(|id| v.token(id).map(|t| t.to_string()))
        .collect()
}

#[test]
fn without_an_oov_token_unknown_tokens_are_left_out() {
    let config = VocabConfig {
        oov_token: None,
        ..VocabConfig::default()
    };
    let v = build(&["a a b"], &config);
    assert_eq!(listed(&v), ["", "a", "b"]);
    assert_eq!(v.oov_id(), None);
    assert_eq!(v.id(b"zzz"), -1);
    let p = TextPipeline::default();
    let docs = ["a q b", "q", "b b b q a"];
    let pad = PadConfig {
        length: 3,
        padding: Side::Post,
        truncating: Side::Post,
    };
    assert_eq!(
        v.encode_padded(&p, &docs, &pad).unwrap_or_default(),
        [1, 2, 0, 0, 0, 0, 2, 2, 2]
    );
    let (values, splits) = v.encode_ragged(&p, &docs, None);
    assert_eq!(values, [1, 2, 2, 2, 2, 1]);
    assert_eq!(splits, [0, 2, 2, 6]);
    assert_eq!(build(&["a"], &VocabConfig::default()).oov_id(), Some(1));
}

#[test]
fn split_none_encodes_the_empty_text_as_padding() {
    let p = TextPipeline::new(
        crate::text::Standardizer::default(),
        crate::text::Splitter::None,
        std::iter::empty::<&str>(),
    );
    let docs = ["A b", "", "?!", "c"];
    let v = Vocabulary::build(count_tokens(&p, &docs), &VocabConfig::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(listed(&v), ["", "[UNK]", "c", "a b"]);
    let (values, splits) = v.encode_ragged(&p, &docs, None);
    assert_eq!(values, [3, 0, 0, 2]);
    assert_eq!(splits, [0, 1, 2, 3, 4]);
    let pad = PadConfig {
        length: 2,
        padding: Side::Pre,
        truncating: Side::Post,
    };
    assert_eq!(
        v.encode_padded(&p, &docs, &pad).unwrap_or_default(),
        [0, 3, 0, 0, 0, 0, 0, 2]
    );
    let post = PadConfig {
        padding: Side::Post,
        ..pad
    };
    assert_eq!(
        v.encode_padded(&p, &docs, &post).unwrap_or_default(),
        [3, 0, 0, 0, 0, 0, 2, 0]
    );
}

#[test]
fn padded_and_ragged() {
    let v = build(&["a a a b b c"], &VocabConfig::default());
    let p = TextPipeline::default();
    let docs = ["a b c d", "", "c"];
    let pad = PadConfig {
        length: 3,
        padding: Side::Post,
        truncating: Side::Post,
    };
    let out = v.encode_padded(&p, &docs, &pad).unwrap_or_default();
    assert_eq!(out, [2, 3, 4, 0, 0, 0, 4, 0, 0]);
    let pre = PadConfig {
        padding: Side::Pre,
        truncating: Side::Pre,
        ..pad
    };
    let out = v.encode_padded(&p, &docs, &pre).unwrap_or_default();
    assert_eq!(out, [3, 4, 1, 0, 0, 0, 0, 0, 4]);
    for (padding, truncating, expected) in [
        (Side::Post, Side::Pre, [3, 4, 1, 0, 0, 0, 4, 0, 0]),
        (Side::Pre, Side::Post, [2, 3, 4, 0, 0, 0, 0, 0, 4]),
    ] {
        let config = PadConfig {
            padding,
            truncating,
            ..pad
        };
        assert_eq!(
            v.encode_padded(&p, &docs, &config).ok(),
            Some(expected.to_vec())
        );
    }
    let short = PadConfig { length: 2, ..pad };
    assert_eq!(
        v.encode_padded(&p, &docs, &short).ok(),
        Some(vec![2, 3, 0, 0, 4, 0])
    );
    let (values, splits) = v.encode_ragged(&p, &docs, None);
    assert_eq!(values, [2, 3, 4, 1, 4]);
    assert_eq!(splits, [0, 4, 4, 5]);
    let (values, splits) = v.encode_ragged(&p, &docs, Some((2, Side::Pre)));
    assert_eq!(values, [4, 1, 4]);
    assert_eq!(splits, [0, 2, 2, 3]);
}
