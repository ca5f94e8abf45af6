//! The rules of standardization and splitting: which characters are
//! punctuation, whitespace and word characters, the [`Standardizer`] (HTML
//! line breaks, lowercasing, punctuation) and the [`Splitter`].

use std::borrow::Cow;

use regex::Regex;

use crate::error::{CoreError, Result};

use super::tables;

/// The 32 ASCII punctuation characters, exactly the class
/// `[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']` that `TextVectorization` strips.
pub const ASCII_PUNCTUATION: &[u8] = b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/// ASCII whitespace as `tf.strings.split` understands it.
pub(super) fn is_tf_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Python's `\w` for one character: `str.isalnum()` or `_` (Unicode 14 tables).
pub fn is_word_char(c: char) -> bool {
    let cp = u32::from(c);
    if cp < 0x80 {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    tables::WORD_RANGES
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The word-character ranges used by [`is_word_char`] (for tests and tools).
pub fn word_char_ranges() -> &'static [(u32, u32)] {
    tables::WORD_RANGES
}

/// How text is lowercased before splitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lowercase {
    /// Keep the case.
    None,
    /// ASCII letters only, like `tf.strings.lower` (the Keras default).
    #[default]
    Ascii,
    /// Full Unicode lowercasing, like Python's `str.lower()`.
    Unicode,
}

/// Text clean-up applied before splitting, in this order: HTML line breaks,
/// lowercasing, punctuation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standardizer {
    /// Replace HTML line breaks (`<br />`, `<br/>`, `<br>`, any case, ASCII
    /// whitespace allowed before the `/`) by a space.
    pub strip_html: bool,
    /// Lowercasing mode.
    pub lowercase: Lowercase,
    /// Delete the 32 ASCII punctuation characters.
    pub strip_punctuation: bool,
}

impl Default for Standardizer {
    /// `TextVectorization`'s `"lower_and_strip_punctuation"`.
    fn default() -> Self {
        Standardizer {
            strip_html: false,
            lowercase: Lowercase::Ascii,
            strip_punctuation: true,
        }
    }
}

impl Standardizer {
    /// Parse a Keras-style standardize name: `"lower_and_strip_punctuation"`,
    /// `"lower"`, `"strip_punctuation"`, `"lower_unicode"`,
    /// `"lower_unicode_and_strip_punctuation"` or `None`.
    pub fn from_name(name: Option<&str>, strip_html: bool) -> Result<Self> {
        let (lowercase, strip_punctuation) = match name {
            None => (Lowercase::None, false),
            Some("lower_and_strip_punctuation") => (Lowercase::Ascii, true),
            Some("lower") => (Lowercase::Ascii, false),
            Some("strip_punctuation") => (Lowercase::None, true),
            Some("lower_unicode") => (Lowercase::Unicode, false),
            Some("lower_unicode_and_strip_punctuation") => (Lowercase::Unicode, true),
            Some(other) => {
                return Err(CoreError::invalid(format!(
                    "`standardize` must be one of None, \"lower_and_strip_punctuation\", \
                     \"lower\", \"strip_punctuation\", \"lower_unicode\", \
                     \"lower_unicode_and_strip_punctuation\". Received: standardize={other:?}"
                )))
            }
        };
        Ok(Standardizer {
            strip_html,
            lowercase,
            strip_punctuation,
        })
    }

    /// Apply the standardization to a whole text (general path).
    pub fn apply<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut s = if self.strip_html {
            strip_html_breaks(text)
        } else {
            Cow::Borrowed(text)
        };
        match self.lowercase {
            Lowercase::None => {}
            Lowercase::Ascii => {
                if s.bytes().any(|b| b.is_ascii_uppercase()) {
                    s = Cow::Owned(s.to_ascii_lowercase());
                }
            }
            Lowercase::Unicode => s = Cow::Owned(s.to_lowercase()),
        }
        if self.strip_punctuation && s.bytes().any(|b| ASCII_PUNCTUATION.contains(&b)) {
            s = Cow::Owned(
                s.chars()
                    .filter(|c| !(c.is_ascii() && ASCII_PUNCTUATION.contains(&(*c as u8))))
                    .collect(),
            );
        }
        s
    }
}

/// Replace every HTML line break (`<br>`, `<br/>`, `<br />`, case-insensitive,
/// ASCII whitespace allowed between `br` and `/` or `>`) by one space.
pub fn strip_html_breaks(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut pos = 0;
    while let Some(off) = memchr::memchr(b'<', &bytes[pos..]) {
        let start = pos + off;
        pos = start + 1;
        let Some(end) = html_break_end(bytes, start) else {
            continue;
        };
        // bounded: the length of a text in memory.
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(&text[copied..start]);
        buf.push(' ');
        copied = end;
        pos = end;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut buf) => {
            buf.push_str(&text[copied..]);
            Cow::Owned(buf)
        }
    }
}

/// If an HTML line break starts at `start` (a `<`), the index just past it.
fn html_break_end(bytes: &[u8], start: usize) -> Option<usize> {
    let rest = bytes.get(start + 1..)?;
    if rest.len() < 3
        || !rest[0].eq_ignore_ascii_case(&b'b')
        || !rest[1].eq_ignore_ascii_case(&b'r')
    {
        return None;
    }
    let mut i = 2;
    while rest.get(i).is_some_and(|&b| is_tf_whitespace(b)) {
        i += 1;
    }
    if rest.get(i) == Some(&b'/') {
        i += 1;
    }
    (rest.get(i) == Some(&b'>')).then_some(start + 1 + i + 1)
}

/// How standardized text is cut into tokens. Empty tokens are always dropped.
#[derive(Debug, Clone, Default)]
pub enum Splitter {
    /// Runs of ASCII whitespace separate tokens (`tf.strings.split`).
    #[default]
    Whitespace,
    /// Tokens are maximal runs of Python `\w` characters, i.e. the matches of
    /// `re.findall(r"\b\w+\b", text)`.
    Word,
    /// Tokens are the non-overlapping matches of a regular expression
    /// (`re.findall` semantics for a pattern without groups).
    Pattern(Regex),
    /// Every Unicode scalar value is a token (`tf.strings.unicode_split`):
    /// spaces and punctuation left by the standardization included.
    Character,
    /// The whole standardized text is one token. A text that is empty after
    /// standardization is the empty token, which sinks receive through
    /// [`crate::text::TokenSink::empty_text`] (Keras looks it up as the mask token, id 0).
    None,
}

impl Splitter {
    /// Parse `"whitespace"`, `"word"`, `"character"`, `None`, or any other
    /// string as a regex (Rust `regex` syntax).
    pub fn from_spec(spec: Option<&str>) -> Result<Self> {
        Ok(match spec {
            None => Splitter::None,
            Some("whitespace") => Splitter::Whitespace,
            Some("word") => Splitter::Word,
            Some("character") => Splitter::Character,
            Some(pattern) => Splitter::Pattern(Regex::new(pattern).map_err(|e| {
                CoreError::invalid(format!(
                    "`split` must be \"whitespace\", \"word\", \"character\", None or a valid \
                     regular expression. Received: split={pattern:?} ({e})"
                ))
            })?),
        })
    }
}
