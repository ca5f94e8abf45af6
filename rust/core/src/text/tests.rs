//! Tests of the text module: Keras' standardization and splitting, and
//! the fused scanner at every SIMD level against the general path.

use super::*;

fn pipeline(standardize: Option<&str>, split: Option<&str>, html: bool) -> TextPipeline {
    let st = Standardizer::from_name(standardize, html).unwrap_or_else(|e| panic!("{e}"));
    let sp = Splitter::from_spec(split).unwrap_or_else(|e| panic!("{e}"));
    TextPipeline::new(st, sp, std::iter::empty::<&str>())
}

#[test]
fn empty_text_has_no_tokens() {
    assert!(TextPipeline::default().tokens("").is_empty());
    assert!(TextPipeline::default().tokens(" \t\n!!! ").is_empty());
}

#[test]
fn keras_default() {
    let p = TextPipeline::default();
    assert_eq!(
        p.tokens("Hello, World!  It's\tA.B"),
        ["hello", "world", "its", "ab"]
    );
    // Only ASCII is lowercased; NBSP and U+2000 do not split; \x1c does not split.
    assert_eq!(
        p.tokens("ÉCOLE a\u{a0}b c\u{2000}d e\u{1c}f"),
        ["École", "a\u{a0}b", "c\u{2000}d", "e\u{1c}f"]
    );
    assert_eq!(p.tokens("x\x0by\x0cz\rw"), ["x", "y", "z", "w"]);
}

#[test]
fn html_breaks() {
    let p = pipeline(
        Some("lower_and_strip_punctuation"),
        Some("whitespace"),
        true,
    );
    assert_eq!(
        p.tokens("a<br />b<BR/>c<br>d<bR  />e<b>f<br"),
        ["a", "b", "c", "d", "ebfbr"]
    );
    assert_eq!(strip_html_breaks("x<br />y"), "x y");
    assert_eq!(strip_html_breaks("no breaks <b>"), "no breaks <b>");
}

#[test]
fn word_split_matches_python_semantics() {
    let p = pipeline(Some("lower_unicode"), Some("word"), false);
    assert_eq!(
        p.tokens("It's a_b, 3.5 ÉCOLE naïve"),
        ["it", "s", "a_b", "3", "5", "école", "naïve"]
    );
    assert!(is_word_char('é') && is_word_char('_') && is_word_char('²'));
    assert!(!is_word_char('\u{301}') && !is_word_char('-'));
}

#[test]
fn regex_split_and_errors() {
    let p = pipeline(None, Some(r"[a-z]+|\d"), false);
    assert_eq!(p.tokens("ab12 Cd"), ["ab", "1", "2", "d"]);
    assert!(Splitter::from_spec(Some("(")).is_err());
    assert!(Standardizer::from_name(Some("upper"), false).is_err());
}

#[test]
fn word_split_of_mixed_text_matches_the_general_path() {
    let texts = [
        "Ça VA? L'ÉCOLE naïve… x²+y_1 ÀB-ÇD  Kelvin:\u{212a}K İstanbul",
        "ΑΣ.Α ΟΔΟΣ σοφός", // capital sigma: the general path
        "mixed ascii/ünïcödé, 123abc—déf ghi\u{301}jkl",
        "",
        "é",
    ];
    for standardize in [
        None,
        Some("lower"),
        Some("lower_unicode"),
        Some("strip_punctuation"),
        Some("lower_unicode_and_strip_punctuation"),
    ] {
        let fast = pipeline(standardize, Some("word"), false);
        for text in texts {
            let st = Standardizer::from_name(standardize, false).unwrap_or_else(|e| panic!("{e}"));
            let mut expected = Vec::new();
            let _ = split_words(&st.apply(text), &mut |t: &[u8]| {
                expected.push(String::from_utf8_lossy(t).into_owned());
                ControlFlow::Continue(())
            });
            assert_eq!(fast.tokens(text), expected, "{standardize:?} {text:?}");
        }
    }
}

#[test]
fn character_split_is_every_code_point() {
    let p = pipeline(Some("lower"), Some("character"), false);
    assert_eq!(p.tokens("Aé b!"), ["a", "é", " ", "b", "!"]);
    assert!(p.tokens("").is_empty());
}

#[test]
fn split_none_reports_the_empty_text() {
    struct Probe(Vec<String>);
    impl TokenSink for Probe {
        fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
            self.0
                .push(String::from_utf8_lossy(&window[..len]).into_owned());
            ControlFlow::Continue(())
        }
        fn empty_text(&mut self) -> ControlFlow<()> {
            self.0.push("<empty>".into());
            ControlFlow::Continue(())
        }
    }
    let none = pipeline(Some("lower_and_strip_punctuation"), None, false);
    let whitespace = TextPipeline::default();
    for (text, want_none, want_ws) in [
        ("", &["<empty>"][..], &[][..]),
        ("?!", &["<empty>"][..], &[][..]),
        (" ", &[" "][..], &[][..]),
        ("A b", &["a b"][..], &["a", "b"][..]),
    ] {
        for (p, want) in [(&none, want_none), (&whitespace, want_ws)] {
            let mut probe = Probe(Vec::new());
            p.tokens_into(text, &mut Scratch::default(), &mut probe);
            assert_eq!(probe.0, want, "{text:?}");
        }
    }
}

#[test]
fn stopwords_are_dropped() {
    let p = TextPipeline::new(Standardizer::default(), Splitter::Whitespace, ["the", "a"]);
    assert_eq!(p.tokens("The cat, a hat"), ["cat", "hat"]);
}

#[test]
fn early_stop() {
    let p = TextPipeline::default();
    let mut seen = Vec::new();
    let mut scratch = Scratch::default();
    p.for_each_token("a b c d", &mut scratch, |t| {
        seen.push(t.to_vec());
        if seen.len() == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    assert_eq!(seen.len(), 2);
}

/// Pieces of random texts: every byte class the scanners treat apart
/// (letters of both cases, digits, `_`, each ASCII punctuation character,
/// each ASCII whitespace, other control bytes, multi-byte characters with
/// and without a lowercase form, a capital sigma, HTML breaks).
const PIECES: &[&str] = &[
    "a", "Z", "q", "M", "7", "0", "_", "!", "\"", "#", "$", "%", "&", "'", "(", ")", "*", "+", ",",
    "-", ".", "/", ":", ";", "<", "=", ">", "?", "@", "[", "\\", "]", "^", "`", "{", "|", "}", "~",
    " ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x00", "\x7f", "é", "É", "ß", "İ", "Σ",
    "\u{212a}", "\u{a0}", "\u{2000}", "\u{301}", "²", "😀", "<br />", "<BR/>", "<br>",
];

/// A reproducible xorshift sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A random text of words separated by ASCII whitespace. Words are 1 to
/// 40 pieces long (many longer than a 16-byte register), mostly letters
/// with capitals and punctuation mixed in, so that tokens need
/// rewriting; `ascii` keeps the pieces to ASCII.
fn random_text(rng: &mut Rng, ascii: bool) -> String {
    let letters = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut text = String::new();
    for _ in 0..rng.below(40) {
        let longest = if rng.below(4) == 0 { 40 } else { 12 };
        for _ in 0..1 + rng.below(longest) {
            if rng.below(3) != 0 {
                text.push(char::from(letters[rng.below(letters.len())]));
            } else {
                let piece = PIECES[rng.below(PIECES.len())];
                if !ascii || piece.is_ascii() {
                    text.push_str(piece);
                }
            }
        }
        text.push_str([" ", " ", " ", "  ", "\t", "\n", "\r\n"][rng.below(7)]);
    }
    text
}

/// Every scanner level (the scalar one, SSE2, SSSE3 where the CPU has
/// it) gives the general path's tokens, for every standardize and split
/// mode, with and without HTML stripping and stopwords, on random texts
/// with long tokens that need rewriting. A scanner that keeps a byte it
/// should drop, or loses one, fails here.
#[test]
fn every_scanner_level_matches_the_general_path() {
    let levels = Level::available();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let texts: Vec<String> = (0..400)
        .map(|i| random_text(&mut rng, i % 2 == 0))
        .collect();
    let mut fused = 0usize;
    for standardize in [
        None,
        Some("lower"),
        Some("strip_punctuation"),
        Some("lower_and_strip_punctuation"),
        Some("lower_unicode"),
        Some("lower_unicode_and_strip_punctuation"),
    ] {
        for split in ["whitespace", "word"] {
            for html in [false, true] {
                for stopwords in [&[][..], &["the", "a", "it's", "Don't", "é"][..]] {
                    let st = Standardizer::from_name(standardize, html)
                        .unwrap_or_else(|e| panic!("{e}"));
                    let sp = Splitter::from_spec(Some(split)).unwrap_or_else(|e| panic!("{e}"));
                    let p = TextPipeline::new(st, sp, stopwords.iter());
                    for text in &texts {
                        let want = tokens_by(&p, text, None);
                        for &level in &levels {
                            assert_eq!(
                                tokens_by(&p, text, Some(level)),
                                want,
                                "{level:?} standardize={standardize:?} split={split} \
                                 html={html} text={text:?}"
                            );
                        }
                        fused += usize::from(text.is_ascii());
                    }
                }
            }
        }
    }
    assert!(fused > 0);
}

/// The scanners see long tokens that need rewriting at each end of a
/// text and across 64-byte blocks.
#[test]
fn long_dirty_tokens_at_block_edges() {
    let levels = Level::available();
    let long = "Don't-STOP-believing!!!...(Journey,1981)";
    let mut texts = vec![
        long.to_string(),
        format!(" {long} "),
        format!("{long}\t{long}"),
    ];
    for pad in [1usize, 15, 16, 17, 40, 47, 48, 49, 63, 64, 65] {
        texts.push(format!("{}{long}", "x".repeat(pad)));
        texts.push(format!("{} {long} {}", "y".repeat(pad), "Z!".repeat(pad)));
    }
    for standardize in [
        None,
        Some("lower"),
        Some("strip_punctuation"),
        Some("lower_and_strip_punctuation"),
    ] {
        for split in ["whitespace", "word"] {
            let st = Standardizer::from_name(standardize, false).unwrap_or_else(|e| panic!("{e}"));
            let sp = Splitter::from_spec(Some(split)).unwrap_or_else(|e| panic!("{e}"));
            let p = TextPipeline::new(st, sp, std::iter::empty::<&str>());
            for text in &texts {
                let want = tokens_by(&p, text, None);
                for &level in &levels {
                    assert_eq!(
                        tokens_by(&p, text, Some(level)),
                        want,
                        "{level:?} {standardize:?} {split} {text:?}"
                    );
                }
            }
        }
    }
}
