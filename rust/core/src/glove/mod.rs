//! Parsing GloVe text files (`word v1 v2 ... vD` per line) into a row-major
//! float32 matrix, in parallel.
//!
//! - `source`: a plain `.txt`, a `.gz`, or one member of a `.zip` such as
//!   `glove.6B.zip`, read with plain reads (never memory-mapped, so a file
//!   truncated while it is read is an error, not a `SIGBUS`);
//! - `stream`: the source read in blocks of whole lines by a reader thread
//!   while the previous block is parsed, so memory is the output matrix
//!   plus a few blocks, whatever the size of the file or its compression;
//! - `scan`: chunks of a block cut at newlines (parsed on all cores with
//!   [`rayon`]), lines, and the one field scanner;
//! - `number`: the short-decimal parser and the general one;
//! - `assemble`: the matrix, in file order or aligned with a vocabulary
//!   (also for vectors already in memory: [`align_glove`]).
//!
//! Two modes:
//! - **full**: every line becomes one row; `words` are the file's words in order.
//! - **vocabulary**: row `i` belongs to `vocabulary[i]`. Lines whose word is not
//!   wanted are skipped without parsing their numbers. Reserved rows (`""` or
//!   `"<pad>"` at index 0, `"[UNK]"` or `"<unk>"` at index 1) and words that are
//!   not in the file stay zero.
//!
//! Format policy (each case has a test):
//! - a UTF-8 byte order mark at the start of the file is skipped;
//! - `\r\n` line ends are accepted, and so are trailing spaces;
//! - the dimension is the number of values on the first line (or `dim` when
//!   given, which must then agree with the first line);
//! - a line with a different number of values, a value that is not a number, a
//!   line without values, an empty word, a blank line, or a word that is not
//!   valid UTF-8 is an error naming the file and the 1-based line (in vocabulary
//!   mode only lines of wanted words are checked beyond their word);
//! - a word that occurs twice: the first line wins, later ones are counted in
//!   [`Glove::duplicates`] and otherwise ignored;
//! - a file with no vectors is an error, and so is a line longer than
//!   16 MiB (the source is then not read further).

mod assemble;
mod number;
mod scan;
mod source;
mod stream;

use std::path::Path;

use crate::error::Result;

pub use assemble::align_glove;
pub use source::{choose_zip_member, zip_members};

/// UTF-8 byte order mark.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A parsed embedding table.
#[derive(Debug, Clone, PartialEq)]
pub struct Glove {
    /// Row-major `rows x dim` values.
    pub matrix: Vec<f32>,
    /// Number of rows.
    pub rows: usize,
    /// Number of values per row.
    pub dim: usize,
    /// Row labels: the file's words (full mode) or the vocabulary (vocabulary mode).
    pub words: Vec<String>,
    /// Rows filled from the file (vocabulary mode; all rows in full mode).
    pub hits: usize,
    /// Vocabulary words (reserved rows excluded) not found in the file.
    pub misses: usize,
    /// The missed words, in vocabulary order.
    pub missing: Vec<String>,
    /// Later lines of a word already seen (ignored; the first line wins).
    pub duplicates: usize,
    /// Vocabulary rows filled from their lowercase form (with `lowercase_fallback`).
    pub lowercased: usize,
}

/// Options for [`parse_glove`] and [`load_glove`].
#[derive(Debug, Clone, Default)]
pub struct GloveOptions {
    /// Expected number of values per word (checked against the file).
    pub dim: Option<usize>,
    /// Align rows with these words instead of reading every line.
    pub vocabulary: Option<Vec<String>>,
    /// A vocabulary word with no exact match takes the vector of its lowercase form.
    pub lowercase_fallback: bool,
}

/// Load a GloVe file (`.txt`, `.gz`, or `.zip` with an optional member name),
/// streaming it in blocks (see the module docs).
pub fn load_glove(path: &Path, member: Option<&str>, options: &GloveOptions) -> Result<Glove> {
    load_glove_blocks(path, member, options, stream::BLOCK_BYTES)
}

/// [`load_glove`] with blocks of `block` bytes (small ones in tests, to put
/// many block edges in a small file).
fn load_glove_blocks(
    path: &Path,
    member: Option<&str>,
    options: &GloveOptions,
    block: usize,
) -> Result<Glove> {
    let source = source::Source::resolve(path, member, options.dim)?;
    let mut builder = assemble::Builder::new(source.label(), options, source.size());
    stream::for_each_block(&source, block, stream::MAX_LINE_BYTES, |data, lines| {
        builder.block(data, lines)
    })?;
    builder.finish()
}

/// [`load_glove`]'s streaming path over bytes in memory, in blocks of
/// `block` bytes and lines of at most `max_line` (the fuzz checks compare it
/// with [`parse_glove`]).
pub(crate) fn stream_glove(
    data: &[u8],
    label: &Path,
    options: &GloveOptions,
    block: usize,
    max_line: usize,
) -> Result<Glove> {
    let source = source::Source::Memory {
        bytes: data.to_vec(),
        label: label.to_path_buf(),
    };
    let mut builder = assemble::Builder::new(source.label(), options, source.size());
    stream::for_each_block(&source, block, max_line, |data, lines| {
        builder.block(data, lines)
    })?;
    builder.finish()
}

/// Parse GloVe text held in memory. `label` names the source in errors.
pub fn parse_glove(data: &[u8], label: &Path, options: &GloveOptions) -> Result<Glove> {
    let mut builder = assemble::Builder::new(label.to_path_buf(), options, None);
    builder.block(data, 0)?;
    builder.finish()
}

/// Test inputs shared by the GloVe modules' tests.
#[cfg(test)]
mod test_forms {
    /// A reproducible xorshift sequence.
    pub(crate) struct Rng(pub(crate) u64);

    impl Rng {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        pub(crate) fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        pub(crate) fn digits(&mut self, n: u64) -> String {
            (0..n)
                .map(|_| char::from(b'0' + self.below(10) as u8))
                .collect()
        }
    }

    /// Every decimal form a GloVe file may hold: the short `[-]ddd.ddd` of
    /// every length around the fast path's limits, leading and trailing
    /// points, leading zeros, `+` signs, exponents of both cases and signs,
    /// long mantissas, NaN and infinities, and random mixes of those.
    pub(crate) fn decimal_forms() -> Vec<String> {
        let mut forms: Vec<String> = [
            "0",
            "-0",
            "0.0",
            "-0.0",
            ".5",
            "5.",
            "-.5",
            "-5.",
            "+5",
            "+.5",
            "00000001",
            "0.00000001",
            "123456789",
            "12345678",
            "-12345678",
            "1234567.8",
            "-1234567.8",
            "12345678.9",
            "0.41800001",
            "-0.41242",
            "0.0095095",
            "1e-05",
            "-3.5E+2",
            "1E5",
            "2.5e0",
            "7e22",
            "7e23",
            "1e-22",
            "1e-23",
            "1.5e-45",
            "3.4028236e38",
            "nan",
            "NaN",
            "inf",
            "-inf",
            "infinity",
            "1.7976931348623157e308",
            "4.9e-324",
            "0.000001234567891234",
            "12345678901234567890",
            "123456789012345678901234567",
            "9007199254740993",
            "0.30000000000000004",
            "-0.1000000000000000055511151231257827",
        ]
        .iter()
        .map(|f| (*f).to_string())
        .collect();
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..6000 {
            let mut f = String::new();
            match rng.below(8) {
                0 => f.push('-'),
                1 if rng.below(4) == 0 => f.push('+'),
                _ => {}
            }
            let most = if rng.below(8) == 0 { 22 } else { 4 };
            let int_digits = rng.below(most);
            f.push_str(&rng.digits(int_digits));
            if int_digits == 0 || rng.below(4) != 0 {
                f.push('.');
                let most = if rng.below(8) == 0 { 22 } else { 10 };
                let n = rng.below(most);
                f.push_str(&rng.digits(n));
            }
            if f.trim_start_matches(['-', '+'])
                .trim_start_matches('.')
                .is_empty()
            {
                f.push('7');
            }
            if rng.below(10) == 0 {
                f.push(if rng.below(2) == 0 { 'e' } else { 'E' });
                match rng.below(3) {
                    0 => f.push('-'),
                    1 => f.push('+'),
                    _ => {}
                }
                f.push_str(&(1 + rng.below(40)).to_string());
            }
            forms.push(f);
        }
        forms
    }

    /// The reference value of a field: the general parser's f64, rounded to
    /// f32 (what NumPy and pandas do for a float32 column).
    pub(crate) fn reference(field: &str) -> f32 {
        fast_float2::parse::<f64, _>(field.as_bytes())
            .unwrap_or_else(|_| panic!("not a number: {field:?}")) as f32
    }

    pub(crate) fn same(a: f32, b: f32) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    /// A GloVe text of `rows` lines of `dim` decimal forms each, with the
    /// line ends and trailing spaces of `style`, and the words; the values
    /// of line `i` are `forms[(i * dim + j) % forms.len()]`.
    pub(crate) fn glove_text(
        forms: &[String],
        rows: usize,
        dim: usize,
        style: usize,
        final_newline: bool,
    ) -> String {
        let mut text = String::new();
        for i in 0..rows {
            text.push_str(&format!("w{i}"));
            for j in 0..dim {
                text.push(' ');
                text.push_str(&forms[(i * dim + j) % forms.len()]);
            }
            let end = match style {
                0 => "\n",
                1 => "\r\n",
                2 => " \n",
                _ => ["\n", "\r\n", " \n", "  \r\n", "\n"][i % 5],
            };
            if i + 1 < rows || final_newline {
                text.push_str(end);
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::test_forms::{decimal_forms, glove_text, reference, same};
    use super::*;
    use crate::error::CoreError;

    fn parse(text: &str, opts: &GloveOptions) -> Result<Glove> {
        parse_glove(text.as_bytes(), Path::new("g.txt"), opts)
    }

    fn full(text: &str) -> Result<Glove> {
        parse(text, &GloveOptions::default())
    }

    fn vocab(words: &[&str]) -> GloveOptions {
        GloveOptions {
            vocabulary: Some(words.iter().map(|w| (*w).to_string()).collect()),
            ..GloveOptions::default()
        }
    }

    fn err(r: Result<Glove>) -> String {
        match r {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parses_full_file() -> Result<()> {
        let g = full("the 0.5 -1\nnull 1e-3 2\n")?;
        assert_eq!(g.dim, 2);
        assert_eq!(g.words, vec!["the", "null"]);
        assert_eq!(g.matrix, vec![0.5, -1.0, 0.001, 2.0]);
        Ok(())
    }

    #[test]
    fn bom_crlf_trailing_space_and_no_final_newline() -> Result<()> {
        let g = full("\u{feff}a 1 2 \r\nb 3 4")?;
        assert_eq!(g.words, vec!["a", "b"]);
        assert_eq!(g.matrix, vec![1.0, 2.0, 3.0, 4.0]);
        Ok(())
    }

    #[test]
    fn errors_name_file_and_line() {
        assert_eq!(
            err(full("a 1 2\nb 1\n")),
            "g.txt:2: expected 2 values, found 1"
        );
        assert_eq!(
            err(full("a 1 2\nb 1 x\n")),
            "g.txt:2: value 2 is not a number: \"x\""
        );
        assert_eq!(err(full("a 1 2\n\nb 1 2\n")), "g.txt:2: empty line");
        assert_eq!(err(full("a 1 2\nb\n")), "g.txt:2: a word without values");
        assert_eq!(err(full("")), "g.txt: empty file: no vectors");
        assert_eq!(err(full("\u{feff}")), "g.txt: empty file: no vectors");
        assert!(err(parse_glove(
            b"a 1\n\xff 2\n",
            Path::new("g.txt"),
            &GloveOptions::default()
        ))
        .starts_with("g.txt:2: the word is not valid UTF-8"));
        let opts = GloveOptions {
            dim: Some(3),
            ..GloveOptions::default()
        };
        assert!(err(parse("a 1 2\n", &opts)).contains("dim=3"));
    }

    #[test]
    fn number_forms_match_the_general_parser() -> Result<()> {
        let fields = [
            "0.418",
            "-0.41242",
            "1e-05",
            "-3.5E+2",
            "+7",
            "12345678901234567890",
            "0.1",
            "nan",
            "-inf",
            "1.7976931348623157e308",
            "4.9e-324",
            "0.000001234567891234",
            ".5",
            "5.",
        ];
        let line = format!("w {}\n", fields.join(" "));
        let g = full(&line)?;
        for (f, v) in fields.iter().zip(&g.matrix) {
            let want = fast_float2::parse::<f64, _>(f.as_bytes())
                .map_err(|_| CoreError::invalid(*f))? as f32;
            assert!(
                want.to_bits() == v.to_bits() || (want.is_nan() && v.is_nan()),
                "{f}"
            );
        }
        assert!(err(full("a 1.2.3\n")).contains("value 1 is not a number: \"1.2.3\""));
        assert!(err(full("a 1 -\n")).contains("value 2 is not a number: \"-\""));
        assert!(err(full("a 1  2\n")).contains("value 2 is not a number: \"\""));
        Ok(())
    }

    #[test]
    fn fast_paths_agree_with_the_general_parser_on_many_numbers() -> Result<()> {
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut fields = Vec::new();
        for _ in 0..20_000 {
            let r = next();
            let int_digits = (r % 10) as usize;
            let frac_digits = ((r >> 8) % 11) as usize;
            let mut f = String::new();
            if r & (1 << 20) != 0 {
                f.push('-');
            }
            for k in 0..int_digits.max(1) {
                f.push(char::from(b'0' + ((r >> (24 + k)) % 10) as u8));
            }
            if frac_digits > 0 || r & (1 << 21) != 0 {
                f.push('.');
                let digits = next();
                for k in 0..frac_digits {
                    f.push(char::from(b'0' + ((digits >> (k * 5)) % 10) as u8));
                }
            }
            if r & (0xF << 40) == 0 {
                f.push_str(&format!("e-{}", (r >> 50) % 30));
            }
            fields.push(f);
        }
        let line = format!("w {}", fields.join(" "));
        let g = full(&line)?;
        for (f, v) in fields.iter().zip(&g.matrix) {
            let want = fast_float2::parse::<f64, _>(f.as_bytes())
                .map_err(|_| CoreError::invalid(f.clone()))? as f32;
            assert_eq!(want.to_bits(), v.to_bits(), "{f}");
        }
        Ok(())
    }

    /// Both modes give the reference value of every decimal form, with LF
    /// or CRLF line ends, trailing spaces, and with or without a final
    /// newline, over files cut into several chunks.
    #[test]
    fn both_modes_parse_every_decimal_form() -> Result<()> {
        let forms = decimal_forms();
        for dim in [1usize, 8, 50] {
            let rows = 20_000 / dim;
            for style in 0..4 {
                for final_newline in [true, false] {
                    let text = glove_text(&forms, rows, dim, style, final_newline);
                    let want = |i: usize, j: usize| reference(&forms[(i * dim + j) % forms.len()]);
                    let g = full(&text)?;
                    assert_eq!((g.rows, g.dim), (rows, dim));
                    let words: Vec<String> = (0..rows).rev().map(|i| format!("w{i}")).collect();
                    let v = parse(
                        &text,
                        &vocab(&words.iter().map(String::as_str).collect::<Vec<_>>()),
                    )?;
                    assert_eq!(v.hits, rows);
                    for i in 0..rows {
                        for j in 0..dim {
                            let w = want(i, j);
                            let at = format!("dim {dim} style {style} line {i} value {j}");
                            assert!(same(g.matrix[i * dim + j], w), "full, {at}");
                            assert!(
                                same(v.matrix[(rows - 1 - i) * dim + j], w),
                                "vocabulary, {at}"
                            );
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Vectors in memory are aligned exactly as the vocabulary mode aligns
    /// the lines of a file.
    #[test]
    fn align_glove_matches_the_vocabulary_mode() -> Result<()> {
        let text = "apple 1 1\nApple 2 2\nbanana 3 3\n[UNK] 9 9\napple 4 4\nthe 5 5\n";
        let g = full(text)?;
        // The file's lines as they are, duplicates included.
        let words = ["apple", "Apple", "banana", "[UNK]", "apple", "the"].map(String::from);
        let matrix = [1., 1., 2., 2., 3., 3., 9., 9., 4., 4., 5., 5.];
        for lowercase_fallback in [false, true] {
            for v in [
                &["", "[UNK]", "Apple", "Banana", "APPLE", "the", "dog", "the"][..],
                &["<pad>", "apple", "[UNK]"][..],
                &[][..],
            ] {
                let mut opts = vocab(v);
                opts.lowercase_fallback = lowercase_fallback;
                let parsed = parse(text, &opts)?;
                let aligned = align_glove(
                    &words,
                    &matrix,
                    2,
                    opts.vocabulary.as_deref().unwrap_or_default(),
                    lowercase_fallback,
                )?;
                assert_eq!(aligned, parsed, "{v:?} {lowercase_fallback}");
            }
        }
        assert_eq!(g.duplicates, 1);
        assert!(align_glove(&words, &matrix[1..], 2, &[], false).is_err());
        Ok(())
    }

    /// A scratch directory for files written by a test.
    fn scratch_dir(name: &str) -> Result<std::path::PathBuf> {
        let dir =
            std::env::temp_dir().join(format!("imdbfast-glove-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| CoreError::io(&dir, e))?;
        Ok(dir)
    }

    fn bits(g: &Glove) -> Vec<u32> {
        g.matrix.iter().map(|v| v.to_bits()).collect()
    }

    /// The same text as a plain file, a `.gz` and a `.zip` member, read in
    /// blocks of every size (so block edges fall everywhere: inside words,
    /// numbers, CRLF pairs and the BOM), gives the in-memory parse in both
    /// modes, duplicates across blocks included.
    #[test]
    fn streamed_sources_match_the_in_memory_parse() -> Result<()> {
        use std::io::Write as _;
        let forms = decimal_forms();
        let mut text = String::from("\u{feff}");
        text.push_str(&glove_text(&forms, 400, 3, 3, true));
        text.push_str("w7 1 2 3\r\nw399 4 5 6\nw0 7 8 9");
        let dir = scratch_dir("streamed")?;
        fn io(p: &Path) -> impl Fn(std::io::Error) -> CoreError + '_ {
            move |e| CoreError::io(p, e)
        }
        let plain = dir.join("g.txt");
        std::fs::write(&plain, &text).map_err(io(&plain))?;
        let gz = dir.join("g.txt.gz");
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).map_err(io(&gz))?,
            flate2::Compression::fast(),
        );
        enc.write_all(text.as_bytes()).map_err(io(&gz))?;
        enc.finish().map_err(io(&gz))?;
        let zip_path = dir.join("g.zip");
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).map_err(io(&zip_path))?);
        let deflated = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("glove.6B.3d.txt", deflated)
            .map_err(|e| CoreError::invalid(e.to_string()))?;
        zip.write_all(text.as_bytes()).map_err(io(&zip_path))?;
        zip.finish()
            .map_err(|e| CoreError::invalid(e.to_string()))?;
        let words: Vec<String> = ["", "[UNK]", "w7", "w399", "w0", "nope", "W12"]
            .map(String::from)
            .to_vec();
        for options in [
            GloveOptions::default(),
            GloveOptions {
                vocabulary: Some(words),
                lowercase_fallback: true,
                dim: Some(3),
            },
        ] {
            let want = parse_glove(text.as_bytes(), Path::new("g.txt"), &options)?;
            assert_eq!(want.duplicates, 3);
            for path in [&plain, &gz, &zip_path] {
                for block in [1usize, 2, 3, 5, 64, 1000, 1 << 20] {
                    let got = load_glove_blocks(path, None, &options, block)?;
                    let at = format!("{} block {block}", path.display());
                    assert_eq!(bits(&got), bits(&want), "{at}");
                    assert_eq!(
                        (
                            &got.words,
                            got.rows,
                            got.dim,
                            got.hits,
                            got.misses,
                            &got.missing
                        ),
                        (
                            &want.words,
                            want.rows,
                            want.dim,
                            want.hits,
                            want.misses,
                            &want.missing
                        ),
                        "{at}"
                    );
                    assert_eq!(
                        (got.duplicates, got.lowercased),
                        (want.duplicates, want.lowercased)
                    );
                }
            }
        }
        // Errors name the line, counted across blocks, and the member.
        let bad = dir.join("bad.txt");
        std::fs::write(&bad, text.replace("w300 ", "w300 x ")).map_err(io(&bad))?;
        for block in [7usize, 1 << 20] {
            let err = load_glove_blocks(&bad, None, &GloveOptions::default(), block)
                .err()
                .map(|e| e.to_string());
            assert!(
                err.as_ref()
                    .is_some_and(|m| m.ends_with("bad.txt:301: value 1 is not a number: \"x\"")),
                "{err:?}"
            );
        }
        assert_eq!(
            load_glove(&zip_path, Some("nope.txt"), &GloveOptions::default())
                .err()
                .map(|e| e.to_string()),
            Some(format!(
                "{} has no member \"nope.txt\". Members: [\"glove.6B.3d.txt\"]",
                zip_path.display()
            ))
        );
        std::fs::remove_dir_all(&dir).map_err(io(&dir))?;
        Ok(())
    }

    /// A file that shrinks while it is read is an error naming it, never a
    /// signal or a silently shorter table.
    #[test]
    fn a_file_truncated_while_read_is_an_error() -> Result<()> {
        let dir = scratch_dir("truncated")?;
        let path = dir.join("g.txt");
        let text: String = (0..20_000).map(|i| format!("w{i} 0.5 -1\n")).collect();
        std::fs::write(&path, &text).map_err(|e| CoreError::io(&path, e))?;
        let source = source::Source::resolve(&path, None, None)?;
        let mut cut = false;
        let result = stream::for_each_block(&source, 4096, 1 << 20, |data, _| {
            if !cut {
                cut = true;
                let file = std::fs::OpenOptions::new().write(true).open(&path);
                file.and_then(|f| f.set_len(10_000))
                    .map_err(|e| CoreError::io(&path, e))?;
            }
            Ok(count_newlines(data))
        });
        let message = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains("g.txt: the file changed while it was read"),
            "{message}"
        );
        std::fs::remove_dir_all(&dir).map_err(|e| CoreError::io(&dir, e))?;
        Ok(())
    }

    fn count_newlines(data: &[u8]) -> u64 {
        memchr::memchr_iter(b'\n', data).count() as u64
    }

    /// A file of NULs (a zip bomb's favourite) is refused after one
    /// over-long line, not read to its end.
    #[test]
    fn an_endless_line_is_refused_early() -> Result<()> {
        let dir = scratch_dir("nuls")?;
        let path = dir.join("nuls.txt");
        std::fs::write(&path, vec![0u8; 3 << 20]).map_err(|e| CoreError::io(&path, e))?;
        let source = source::Source::resolve(&path, None, None)?;
        let mut blocks = 0;
        let err = stream::for_each_block(&source, 1 << 16, 1 << 20, |_, _| {
            blocks += 1;
            Ok(0)
        });
        assert_eq!(blocks, 0);
        assert!(err.is_err_and(|e| e
            .to_string()
            .ends_with(":1: a line longer than 1048576 bytes (not a GloVe text file?)")));
        std::fs::remove_dir_all(&dir).map_err(|e| CoreError::io(&dir, e))?;
        Ok(())
    }

    #[test]
    fn line_numbers_across_chunks() {
        let mut text = String::new();
        for i in 0..50_000 {
            text.push_str(&format!("w{i} 1 2 3\n"));
        }
        text.push_str("bad 1 2\n");
        assert_eq!(err(full(&text)), "g.txt:50001: expected 3 values, found 2");
    }

    #[test]
    fn duplicates_first_wins() -> Result<()> {
        let g = full("a 1\nb 2\na 3\n")?;
        assert_eq!(g.words, vec!["a", "b"]);
        assert_eq!(g.matrix, vec![1.0, 2.0]);
        assert_eq!(g.duplicates, 1);
        let v = parse("a 1\nb 2\na 3\n", &vocab(&["", "[UNK]", "a"]))?;
        assert_eq!(v.matrix, vec![0.0, 0.0, 1.0]);
        assert_eq!(v.duplicates, 1);
        Ok(())
    }

    #[test]
    fn vocabulary_alignment() -> Result<()> {
        let text = "the 1 1\n[UNK] 9 9\ncat 2 2\nbroken x\n";
        let g = parse(text, &vocab(&["", "[UNK]", "cat", "dog", "the"]))?;
        assert_eq!(g.matrix, vec![0., 0., 0., 0., 2., 2., 0., 0., 1., 1.]);
        assert_eq!((g.hits, g.misses), (2, 1));
        assert_eq!(g.missing, vec!["dog"]);
        // A wanted word's malformed line is still an error.
        assert_eq!(
            err(parse(text, &vocab(&["", "[UNK]", "broken"]))),
            "g.txt:4: value 1 is not a number: \"x\""
        );
        Ok(())
    }

    #[test]
    fn lowercase_fallback() -> Result<()> {
        let text = "apple 1\nApple 2\nbanana 3\n";
        let mut opts = vocab(&["<pad>", "Apple", "Banana", "APPLE"]);
        let g = parse(text, &opts)?;
        assert_eq!(g.matrix, vec![0., 2., 0., 0.]);
        assert_eq!(g.missing, vec!["Banana", "APPLE"]);
        opts.lowercase_fallback = true;
        let g = parse(text, &opts)?;
        // Exact match beats the lowercase form; index 1 is not reserved here.
        assert_eq!(g.matrix, vec![0., 2., 3., 1.]);
        assert_eq!((g.hits, g.misses, g.lowercased), (3, 0, 2));
        Ok(())
    }
}
