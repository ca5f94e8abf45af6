//! Parsing GloVe text files (`word v1 v2 ... vD` per line) into a row-major
//! float32 matrix, in parallel.
//!
//! Sources: a plain `.txt` (memory-mapped), a `.gz` (decompressed into memory),
//! or one member of a `.zip` such as `glove.6B.zip` (decompressed into memory).
//! The bytes are cut into chunks at newlines and the chunks are parsed on all
//! cores with [`rayon`].
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
//! - a file with no vectors is an error.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use std::hash::BuildHasher;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use crate::error::{CoreError, Result};

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

/// Bytes of a GloVe file, memory-mapped or decompressed.
enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

/// The members of a zip archive, in archive order.
pub fn zip_members(path: &Path) -> Result<Vec<String>> {
    let file = File::open(path).map_err(|e| CoreError::io(path, e))?;
    let archive = zip::ZipArchive::new(file)
        .map_err(|e| CoreError::malformed(path, 0, format!("not a readable zip archive ({e})")))?;
    archive
        .file_names()
        .map(|name| {
            name.map(|n| n.into_owned())
                .map_err(|e| CoreError::malformed(path, 0, format!("bad zip member name ({e})")))
        })
        .collect()
}

/// Pick the GloVe member of a zip: the one named, else the `*.{dim}d.txt` one,
/// else the only `.txt` member.
pub fn choose_zip_member(
    path: &Path,
    members: &[String],
    member: Option<&str>,
    dim: Option<usize>,
) -> Result<String> {
    if let Some(name) = member {
        return if members.iter().any(|m| m == name) {
            Ok(name.to_owned())
        } else {
            Err(CoreError::invalid(format!(
                "{} has no member {name:?}. Members: {members:?}",
                path.display()
            )))
        };
    }
    let txt: Vec<&String> = members.iter().filter(|m| m.ends_with(".txt")).collect();
    if let Some(d) = dim {
        let suffix = format!(".{d}d.txt");
        let hits: Vec<&&String> = txt.iter().filter(|m| m.ends_with(&suffix)).collect();
        if let [one] = hits.as_slice() {
            return Ok((**one).clone());
        }
    }
    match txt.as_slice() {
        [one] => Ok((*one).clone()),
        _ => Err(CoreError::invalid(format!(
            "{} holds several GloVe files; pass dim= or name the member as 'archive.zip::member'. \
             Received: dim={dim:?}, members={members:?}",
            path.display()
        ))),
    }
}

/// Read the bytes of a GloVe source: a `.zip` member, a `.gz`, or a plain file
/// (memory-mapped). `label` is the name used in error messages.
fn read_source(path: &Path, member: Option<&str>, dim: Option<usize>) -> Result<(Bytes, PathBuf)> {
    let name = path.to_string_lossy().to_lowercase();
    if name.ends_with(".zip") || member.is_some() {
        let members = zip_members(path)?;
        let chosen = choose_zip_member(path, &members, member, dim)?;
        let file = File::open(path).map_err(|e| CoreError::io(path, e))?;
        let mut archive = zip::ZipArchive::new(file).map_err(|e| {
            CoreError::malformed(path, 0, format!("not a readable zip archive ({e})"))
        })?;
        let label = PathBuf::from(format!("{}::{chosen}", path.display()));
        let mut entry = archive
            .by_name(&chosen)
            .map_err(|e| CoreError::malformed(&label, 0, format!("cannot open member ({e})")))?;
        let mut out = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
        entry
            .read_to_end(&mut out)
            .map_err(|e| CoreError::malformed(&label, 0, format!("corrupt zip member ({e})")))?;
        return Ok((Bytes::Owned(out), label));
    }
    let file = File::open(path).map_err(|e| CoreError::io(path, e))?;
    if name.ends_with(".gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(1 << 20, file))
            .read_to_end(&mut out)
            .map_err(|e| {
                CoreError::malformed(path, 0, format!("corrupt or truncated gzip data ({e})"))
            })?;
        return Ok((Bytes::Owned(out), path.to_path_buf()));
    }
    let meta = file.metadata().map_err(|e| CoreError::io(path, e))?;
    if meta.len() == 0 {
        return Ok((Bytes::Owned(Vec::new()), path.to_path_buf()));
    }
    // `populate` pre-faults the pages in one kernel call (much cheaper than a
    // page fault per 4 KiB while parsing).
    // SAFETY: the map is read-only and lives only for this call; a file changed
    // underneath us by another process could give wrong numbers, never UB in
    // safe code that only reads bytes.
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }
        .map_err(|e| CoreError::io(path, e))?;
    Ok((Bytes::Mapped(map), path.to_path_buf()))
}

/// Load a GloVe file (`.txt`, `.gz`, or `.zip` with an optional member name).
pub fn load_glove(path: &Path, member: Option<&str>, options: &GloveOptions) -> Result<Glove> {
    let (bytes, label) = read_source(path, member, options.dim)?;
    parse_glove(&bytes, &label, options)
}

/// One line's bounds inside a chunk.
struct Line<'a> {
    bytes: &'a [u8],
    /// 0-based line index within its chunk.
    index: usize,
}

/// Iterate over the lines of `chunk`, without line ends, trailing `\r` and spaces.
fn lines(chunk: &[u8]) -> impl Iterator<Item = Line<'_>> {
    let mut rest = chunk;
    let mut index = 0usize;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (line, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        let mut end = line.len();
        while end > 0 && matches!(line[end - 1], b'\r' | b' ') {
            end -= 1;
        }
        let out = Line {
            bytes: &line[..end],
            index,
        };
        index += 1;
        Some(out)
    })
}

/// Cut `data` into about `parts` chunks that end just after a newline.
fn chunks(data: &[u8], parts: usize) -> Vec<&[u8]> {
    let target = (data.len() / parts.max(1)).max(1 << 16);
    let mut out = Vec::new();
    let mut start = 0;
    while start < data.len() {
        let tentative = (start + target).min(data.len());
        let end = if tentative == data.len() {
            tentative
        } else {
            match memchr::memchr(b'\n', &data[tentative..]) {
                Some(i) => tentative + i + 1,
                None => data.len(),
            }
        };
        out.push(&data[start..end]);
        start = end;
    }
    out
}

/// An error found inside a chunk: (chunk-local 0-based line, message).
type LocalError = (usize, String);

/// The words of one chunk and their hashes (for the duplicate check).
type ChunkWords = (Vec<String>, Vec<u64>);

/// Split a line into its word and the text of its values.
fn split_word(line: &[u8]) -> std::result::Result<(&[u8], &[u8]), String> {
    if line.is_empty() {
        return Err("empty line".into());
    }
    match memchr::memchr(b' ', line) {
        Some(0) => Err("empty word (the line starts with a space)".into()),
        Some(i) => Ok((&line[..i], &line[i + 1..])),
        None => Err("a word without values".into()),
    }
}

/// Powers of ten that are exact in f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Skip an optional sign at `b[*p]`; true when it was `-`.
#[inline]
fn take_sign(b: &[u8], p: &mut usize) -> bool {
    match b.get(*p) {
        Some(b'-') => {
            *p += 1;
            true
        }
        Some(b'+') => {
            *p += 1;
            false
        }
        _ => false,
    }
}

/// Append the run of decimal digits at `b[*p]` to `mantissa` (wrapping; the
/// caller bounds the digit count) and return how many there were.
#[inline]
fn take_digits(b: &[u8], p: &mut usize, mantissa: &mut u64) -> u32 {
    let mut count = 0;
    while let Some(&c) = b.get(*p) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        count += 1;
        *p += 1;
    }
    count
}

/// Parse one decimal number starting at `b[p]` (`-0.1234`, `12`, `3.5e-05`).
///
/// Returns the value and the position after it, or None when the text is not
/// in this simple form or the exact fast path does not apply (the caller then
/// falls back to the general parser). The fast path is Clinger's: a mantissa of
/// at most 2^53 and a power of ten of at most 22 are exact in f64, so one
/// multiplication or division gives the correctly rounded f64.
#[inline]
fn parse_simple(b: &[u8], mut p: usize) -> Option<(f64, usize)> {
    let neg = take_sign(b, &mut p);
    let mut mantissa: u64 = 0;
    let mut digits = take_digits(b, &mut p, &mut mantissa);
    let mut exp: i32 = 0;
    if b.get(p) == Some(&b'.') {
        p += 1;
        let fraction = take_digits(b, &mut p, &mut mantissa);
        digits += fraction;
        exp -= fraction as i32;
    }
    if digits == 0 || digits > 19 {
        return None;
    }
    if matches!(b.get(p), Some(b'e' | b'E')) {
        p += 1;
        let eneg = take_sign(b, &mut p);
        let mut e: i32 = 0;
        let mut edigits = 0;
        while let Some(&c) = b.get(p) {
            let d = c.wrapping_sub(b'0');
            if d > 9 || edigits >= 4 {
                break;
            }
            e = e * 10 + i32::from(d);
            edigits += 1;
            p += 1;
        }
        if edigits == 0 {
            return None;
        }
        exp += if eneg { -e } else { e };
    }
    if mantissa > (1u64 << 53) || !(-22..=22).contains(&exp) {
        return None;
    }
    let m = mantissa as f64;
    let v = if exp < 0 {
        m / POW10[exp.unsigned_abs() as usize]
    } else {
        m * POW10[exp as usize]
    };
    Some((if neg { -v } else { v }, p))
}

/// Load 8 bytes at `p` (little-endian), padding past the end with spaces.
#[inline(always)]
fn load8(b: &[u8], p: usize) -> u64 {
    match b.get(p..p + 8) {
        Some(w) => {
            let mut a = [0u8; 8];
            a.copy_from_slice(w);
            u64::from_le_bytes(a)
        }
        None => {
            let mut a = [b' '; 8];
            let rest = b.get(p..).unwrap_or_default();
            a[..rest.len()].copy_from_slice(rest);
            u64::from_le_bytes(a)
        }
    }
}

/// Value of eight decimal digits (0..=9 each, the most significant in the
/// lowest byte): SWAR, three multiplications.
#[inline(always)]
fn swar8(v: u64) -> u64 {
    let v = (v.wrapping_mul(10) + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    ((v & 0x0000_00FF_0000_00FF).wrapping_mul(100 + (1_000_000 << 32))
        + ((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32)))
        >> 32
}

/// Fast path for the usual GloVe number `[-]digits[.digits]` of at most 8
/// bytes after the sign (`-0.41242`), spanning exactly `b[start..end]`; None
/// otherwise (the caller falls back to the general parsers).
///
/// The field is read as one 8-byte word: the non-digits are found with
/// byte-parallel arithmetic, the decimal point is squeezed out and the digits
/// are converted at once, without a loop. At most 8 digits and 10^7, so the
/// mantissa and the power of ten are exact (see [`decimal_to_f32`]).
#[inline(always)]
fn parse_decimal(b: &[u8], start: usize, end: usize) -> Option<f32> {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let neg = b.get(start) == Some(&b'-');
    let s = start + usize::from(neg);
    let len = end.checked_sub(s)?;
    if len == 0 || len > 8 {
        return None;
    }
    // Digits become 0..=9, any other byte a value above 9; bytes past the
    // field become 0 (not flagged).
    let t = (load8(b, s) ^ 0x3030_3030_3030_3030) & (u64::MAX >> (64 - 8 * len));
    let nondigit = (((t & LOW7) + 0x7676_7676_7676_7676) | t) & !LOW7;
    let (digits, count, frac) = if nondigit == 0 {
        (t, len, 0)
    } else {
        // Exactly one non-digit, and it must be the decimal point.
        let d = (nondigit.trailing_zeros() / 8) as usize;
        if nondigit & (nondigit - 1) != 0 || (t >> (8 * d)) as u8 != b'.' ^ b'0' || len == 1 {
            return None;
        }
        let before = (1u64 << (8 * d)) - 1;
        ((t & before) | ((t >> 8) & !before), len - 1, len - 1 - d)
    };
    // Right-align: the digits fill the top `count` bytes, zeros lead.
    let mantissa = swar8(digits << (8 * (8 - count)));
    Some(decimal_to_f32(mantissa, frac, neg))
}

/// `mantissa / 10^frac` (mantissa < 2^53, frac <= 7) rounded to f64 and then
/// to f32, negated when `neg` — bit for bit what the general parsers give.
#[inline(always)]
fn decimal_to_f32(mantissa: u64, frac: usize, neg: bool) -> f32 {
    #[allow(clippy::cast_possible_wrap)]
    let m = (mantissa as i64) as f64;
    let k = frac.min(INV_POW10.len() - 1);
    // Multiplying by the rounded 1/10^k is within 2 ulp of the exact quotient.
    // Unless that lands near the middle between two f32 values (the low 29 bits
    // of the f64 mantissa close to 0x1000_0000), it rounds to the same f32 as the
    // correctly rounded f64 quotient; otherwise divide (rare). Both operands of
    // the division are exact, so it is correctly rounded.
    let r = m * INV_POW10[k];
    let low = r.to_bits() & ((1 << 29) - 1);
    let v = if low.abs_diff(1 << 28) <= 16 {
        m / POW10[k]
    } else {
        r
    };
    let v = v as f32;
    if neg {
        -v
    } else {
        v
    }
}

/// 1/10^k rounded to f64.
const INV_POW10: [f64; 8] = [1.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7];

/// Bit 7 set in every byte of `w` equal to `byte`, and only there (no false
/// positives from borrows, unlike the shorter "has zero byte" trick).
#[inline(always)]
fn byte_mask(w: u64, byte: u8) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let t = w ^ (u64::from(byte) * 0x0101_0101_0101_0101);
    !(((t & LOW7) + LOW7) | t) & !LOW7
}

/// Parse one field, `values[start..end]`: the exact fast path for the usual
/// form, else the general parsers. None when it is not a number.
#[inline(always)]
fn parse_field(values: &[u8], start: usize, end: usize) -> Option<f32> {
    match parse_decimal(values, start, end) {
        Some(v) => Some(v),
        None => parse_field_general(values.get(start..end).unwrap_or_default()),
    }
}

/// The general parsers for a field the fast path does not take (exponents,
/// long mantissas, `nan`, `inf`, a leading `+`), or None when it is not a number.
#[cold]
#[inline(never)]
fn parse_field_general(field: &[u8]) -> Option<f32> {
    let general = match parse_simple(field, 0) {
        Some((v, q)) if q == field.len() => Ok(v),
        _ => fast_float2::parse::<f64, _>(field),
    };
    // f64 then round to f32, as NumPy/pandas do for float32 columns.
    general.ok().map(|v| v as f32)
}

/// Parse the space-separated values into `row` (length `dim`).
///
/// The spaces are found eight bytes at a time ([`byte_mask`]), so the bounds
/// of every field are known before its digits are read and the CPU overlaps
/// the parsing of consecutive fields.
fn parse_values(values: &[u8], row: &mut [f32]) -> std::result::Result<(), String> {
    let mut n = 0usize;
    let mut start = 0usize;
    let blocks = values.chunks_exact(8);
    let tail = blocks.remainder();
    let tail_base = values.len() - tail.len();
    let masks = blocks.map(|w| u64::from_le_bytes(w.try_into().unwrap_or_default()));
    // The tail loads as spaces past the end; keep only its real bytes.
    let tail_mask = byte_mask(load8(values, tail_base), b' ') & !(u64::MAX << (8 * tail.len()));
    let words = masks
        .map(|w| byte_mask(w, b' '))
        .chain(std::iter::once(tail_mask));
    for (i, mut spaces) in words.enumerate() {
        let base = 8 * i;
        while spaces != 0 {
            let end = base + (spaces.trailing_zeros() / 8) as usize;
            spaces &= spaces - 1;
            store_field(values, start, end, row, n)?;
            n += 1;
            start = end + 1;
        }
    }
    store_field(values, start, values.len(), row, n)?;
    n += 1;
    if n != row.len() {
        return Err(format!("expected {} values, found {n}", row.len()));
    }
    Ok(())
}

/// Parse field `n` (`values[start..end]`) into `row[n]` (kept only for the
/// count when the row is already full).
#[inline(always)]
fn store_field(
    values: &[u8],
    start: usize,
    end: usize,
    row: &mut [f32],
    n: usize,
) -> std::result::Result<(), String> {
    let Some(v) = parse_field(values, start, end) else {
        return Err(not_a_number(values, start, end, n));
    };
    if let Some(slot) = row.get_mut(n) {
        *slot = v;
    }
    Ok(())
}

/// The message for field `n` that is not a number.
#[cold]
#[inline(never)]
fn not_a_number(values: &[u8], start: usize, end: usize, n: usize) -> String {
    let shown = String::from_utf8_lossy(values.get(start..end).unwrap_or_default());
    format!("value {} is not a number: {shown:?}", n + 1)
}

/// Count the values on a line (fields after the word).
fn count_values(values: &[u8]) -> usize {
    memchr::memchr_iter(b' ', values).count() + 1
}

/// Number of lines in a chunk (a last line without `\n` counts).
fn count_lines(chunk: &[u8]) -> usize {
    let n = memchr::memchr_iter(b'\n', chunk).count();
    if chunk.last().is_some_and(|&b| b != b'\n') {
        n + 1
    } else {
        n
    }
}

/// Turn a chunk-local error into a file-level error with a 1-based line number.
fn locate(
    label: &Path,
    parts: &[&[u8]],
    chunk: usize,
    err: LocalError,
    first_line: u64,
) -> CoreError {
    let before: usize = parts[..chunk].iter().map(|c| count_lines(c)).sum();
    let line = first_line + (before + err.0) as u64;
    CoreError::malformed(label, line, err.1)
}

/// Parse GloVe text held in memory. `label` names the source in errors.
pub fn parse_glove(data: &[u8], label: &Path, options: &GloveOptions) -> Result<Glove> {
    let data = data.strip_prefix(BOM).unwrap_or(data);
    // The dimension comes from the first line.
    let first = lines(data).next();
    let Some(first) = first else {
        return Err(CoreError::malformed(label, 0, "empty file: no vectors"));
    };
    let (_, values) = split_word(first.bytes).map_err(|m| CoreError::malformed(label, 1, m))?;
    let dim = count_values(values);
    if let Some(want) = options.dim {
        if want != dim {
            return Err(CoreError::malformed(
                label,
                1,
                format!("the file has {dim} values per word but dim={want} was requested"),
            ));
        }
    }
    // Chunks of about 2 MB: many more than threads, so no core idles at the end.
    let parts = chunks(
        data,
        (data.len() >> 21).max(rayon::current_num_threads() * 8),
    );
    match &options.vocabulary {
        None => parse_full(data, &parts, label, dim),
        Some(vocab) => parse_filtered(&parts, label, dim, vocab, options.lowercase_fallback),
    }
}

/// Parse the lines of `chunk` (a part of `data` made of whole lines) into
/// `out` (one row of `dim` values per line), returning the chunk's words and
/// their hashes (for the duplicate check).
///
/// Each line first goes through [`fast_line`]; a line it does not take (CRLF,
/// trailing spaces, exponents, long numbers, malformed text, the last line of
/// the file) is parsed again by [`slow_line`], which accepts everything the
/// format policy allows and words the errors.
fn parse_chunk(
    data: &[u8],
    chunk: &[u8],
    dim: usize,
    out: &mut [f32],
    hasher: &foldhash::fast::FixedState,
) -> std::result::Result<ChunkWords, LocalError> {
    let capacity = out.len() / dim.max(1);
    let mut words = Vec::with_capacity(capacity);
    let mut hashes = Vec::with_capacity(capacity);
    // The chunk's place in `data`: the fast path reads 8-byte words that may
    // run past the chunk's end (never past a line end that it accepts).
    let start = chunk.as_ptr() as usize - data.as_ptr() as usize;
    let stop = start + chunk.len();
    let mut p = start;
    // `out` has exactly one row per line of the chunk (see `count_lines`).
    for (index, row) in out.chunks_exact_mut(dim).enumerate() {
        if p >= stop {
            break;
        }
        let (word, next) = match fast_line(data, p, stop, row) {
            Some(found) => found,
            None => slow_line(data, p, stop, row).map_err(|m| (index, m))?,
        };
        let word = std::str::from_utf8(word)
            .map_err(|_| (index, "the word is not valid UTF-8".to_string()))?;
        // Copied and hashed now, while the line is still in cache.
        hashes.push(hasher.hash_one(word));
        words.push(word.to_owned());
        p = next;
    }
    Ok((words, hashes))
}

/// The fast path for one line at `data[p..]` (see [`fast_values`]): the word
/// and the position after the line, or None for the general path.
#[inline(always)]
fn fast_line<'a>(
    data: &'a [u8],
    p: usize,
    stop: usize,
    row: &mut [f32],
) -> Option<(&'a [u8], usize)> {
    let line = data.get(p..stop)?;
    let w = memchr::memchr2(b' ', b'\n', line)?;
    // Not an empty word, nor a word without values.
    if w == 0 || line[w] != b' ' {
        return None;
    }
    match fast_values(data, p + w + 1, row) {
        0 => None,
        next => Some((&line[..w], next)),
    }
}

/// The general line parser: the line at `data[p..]` (ending at the next `\n`
/// or at `stop`), its trailing `\r` and spaces removed, into `row`. Returns
/// the word and the position after the line, or the error message.
#[cold]
#[inline(never)]
fn slow_line<'a>(
    data: &'a [u8],
    p: usize,
    stop: usize,
    row: &mut [f32],
) -> std::result::Result<(&'a [u8], usize), String> {
    let rest = data.get(p..stop).unwrap_or_default();
    let (line, next) = match memchr::memchr(b'\n', rest) {
        Some(i) => (&rest[..i], p + i + 1),
        None => (rest, stop),
    };
    let mut end = line.len();
    while end > 0 && matches!(line[end - 1], b'\r' | b' ') {
        end -= 1;
    }
    let (word, values) = split_word(&line[..end])?;
    parse_values(values, row)?;
    Ok((word, next))
}

/// The fast path for the values of a well-formed line (`v1 ... vD\n`, from
/// `data[start]`): fills `row` and returns the position after the `\n`, or 0
/// when the line is anything else (the caller then uses [`slow_line`]; `row`
/// may have been partly written and is overwritten there).
///
/// The separators (bytes <= b' ') are found 64 bytes at a time as a bit mask
/// ([`separators`]), so the bounds of every field are known without reading
/// the field: the fields do not depend on one another and the CPU parses
/// several at once (walking the text number by number instead makes every
/// field wait for the previous one's end, a chain of dependent loads).
///
/// Not inlined, so that its loop gets the registers to itself; for the same
/// reason the loop holds no call: at the first number that is not in the
/// short form, the rest of the line goes to [`values_general`].
#[inline(never)]
fn fast_values(data: &[u8], start: usize, row: &mut [f32]) -> usize {
    match separators(data, start) {
        Some(mask) => fill_values::<false>(data, start, mask, start, row, 0),
        None => 0,
    }
}

/// [`fill_values`] with the general number parsers, from field `from` on.
#[cold]
#[inline(never)]
fn values_general(
    data: &[u8],
    base: usize,
    mask: u64,
    start: usize,
    row: &mut [f32],
    from: usize,
) -> usize {
    fill_values::<true>(data, base, mask, start, row, from)
}

/// The loop of [`fast_values`]: fields `from..` of `row`, the next one
/// starting at `start`, with `mask` the separators of the 64 bytes at `base`
/// not yet consumed. `GENERAL`: numbers the fast path does not take go to the
/// general parsers (else the rest of the line goes to [`values_general`]).
#[inline(always)]
fn fill_values<const GENERAL: bool>(
    data: &[u8],
    mut base: usize,
    mut mask: u64,
    mut start: usize,
    row: &mut [f32],
    from: usize,
) -> usize {
    let dim = row.len();
    for (i, slot) in row.iter_mut().enumerate().skip(from) {
        while mask == 0 {
            base += 64;
            mask = match separators(data, base) {
                Some(m) => m,
                None => return 0,
            };
        }
        let end = base + mask.trailing_zeros() as usize;
        // Every value but the last ends at a space, the last at the line end:
        // a line with more or fewer values fails here and is reported by
        // the general line parser.
        let want = if i + 1 == dim { b'\n' } else { b' ' };
        if data.get(end) != Some(&want) {
            return 0;
        }
        let value = if GENERAL {
            parse_number(data, start, end)
        } else {
            fast_decimal(data, start, end)
        };
        match value {
            Some(v) => *slot = v,
            None if GENERAL => return 0,
            None => return values_general(data, base, mask, start, row, i),
        }
        mask &= mask - 1;
        start = end + 1;
    }
    start
}

/// Bit `i` set where `data[base + i]` is a space, a control byte or NUL
/// (`<= b' '`), for the 64 bytes from `base`; None past the end of `data`.
#[inline(always)]
fn separators(data: &[u8], base: usize) -> Option<u64> {
    let block: &[u8; 64] = data.get(base..base.checked_add(64)?)?.try_into().ok()?;
    Some(separator_mask(block))
}

/// [`separators`] for one block, with SSE2 (16 bytes per compare).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn separator_mask(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86_64 baseline, so these instructions exist
    // on every x86_64 CPU. The unaligned loads read bytes o..o + 16 of the
    // 64-byte `block` for o in {0, 16, 32, 48}, all inside it.
    unsafe {
        let limit = _mm_set1_epi8(b' ' as i8);
        let lane = |o: usize| {
            let v = _mm_loadu_si128(block.as_ptr().add(o).cast());
            // min(b, ' ') == b  <=>  b <= ' ' (unsigned).
            let m = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, limit), v));
            u64::from(m as u16)
        };
        lane(0) | lane(16) << 16 | lane(32) << 32 | lane(48) << 48
    }
}

/// [`separators`] for one block, portable.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn separator_mask(block: &[u8; 64]) -> u64 {
    let mut mask = 0u64;
    for (i, &b) in block.iter().enumerate() {
        mask |= u64::from(b <= b' ') << i;
    }
    mask
}

/// Parse the field `data[start..end]` (`end` is its separator): the exact
/// fast path for the usual form, else the general parsers. None when it is
/// not a number.
#[inline(always)]
fn parse_number(data: &[u8], start: usize, end: usize) -> Option<f32> {
    match fast_decimal(data, start, end) {
        Some(v) => Some(v),
        None => parse_field_general(data.get(start..end)?),
    }
}

/// Eight bytes of `data` at `p` (little-endian), None past the end.
#[inline(always)]
fn word_at(data: &[u8], p: usize) -> Option<u64> {
    let bytes: [u8; 8] = data.get(p..p.checked_add(8)?)?.try_into().ok()?;
    Some(u64::from_le_bytes(bytes))
}

/// Byte masks of an 8-byte word, by byte index: `TOP[k]` keeps the top `k`
/// bytes, `ABOVE[k]` the bytes after byte `k`, `BELOW[k]` the bytes before
/// it, `AT[k]` byte `k` (tables, not shifts: x86 shifts by a variable take
/// the `cl` register, which costs moves and spills in the hot loop).
const TOP: [u64; 9] = {
    let mut t = [0u64; 9];
    let mut k = 1;
    while k <= 8 {
        t[k] = u64::MAX << (8 * (8 - k));
        k += 1;
    }
    t
};
const ABOVE: [u64; 8] = {
    let mut t = [0u64; 8];
    let mut k = 0;
    while k < 7 {
        t[k] = u64::MAX << (8 * (k + 1));
        k += 1;
    }
    t
};
const BELOW: [u64; 8] = {
    let mut t = [0u64; 8];
    let mut k = 1;
    while k < 8 {
        t[k] = u64::MAX >> (8 * (8 - k));
        k += 1;
    }
    t
};
const AT: [u64; 8] = {
    let mut t = [0u64; 8];
    let mut k = 0;
    while k < 8 {
        t[k] = 0xFF << (8 * k);
        k += 1;
    }
    t
};

/// `b'0'` in every byte: XOR maps the digits to 0..=9.
const ZEROS: u64 = 0x3030_3030_3030_3030;

/// The field `data[start..end]` if it is `[-]ddd[.ddd]` of at most 8 bytes
/// after the sign, or 9 with a point (the usual GloVe numbers, `-0.41242`,
/// `0.0095095`); None otherwise (the caller falls back to the general
/// parsers).
///
/// No loop: the 8 bytes that end at `end` are read as one word, so the field
/// is right-aligned in it (the bytes before the field are masked off). The
/// non-digits are flagged byte-parallel; the only one allowed is a decimal
/// point, which is squeezed out by moving the integer digits up one byte.
/// The digits are then converted at once by [`swar8`]. The mantissa
/// (< 10^8) and 10^frac are exact in f64, so the division is the correctly
/// rounded f64 of the decimal, which is then rounded to f32 — exactly what
/// the general parsers (and pandas) do.
#[inline(always)]
fn fast_decimal(data: &[u8], start: usize, end: usize) -> Option<f32> {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let neg = *data.get(start)? == b'-';
    let len = end.checked_sub(start + usize::from(neg))?;
    if len == 0 || len > 9 {
        return None;
    }
    let u = word_at(data, end.checked_sub(8)?)? ^ ZEROS;
    let field = TOP[len.min(8)];
    // Bit 7 of every field byte that is not a digit: (b & 0x7F) + 0x76 reaches
    // bit 7 exactly when b & 0x7F >= 10 (no carry between bytes), `| u` flags
    // bytes >= 0x80.
    let flags = (((u & LOW7) + 0x7676_7676_7676_7676) | u) & !LOW7 & field;
    let (digits, frac) = if flags == 0 {
        if len > 8 {
            return None;
        }
        (u & field, 0)
    } else {
        // One non-digit, at byte k: it must be the point, with a digit next
        // to it on at least one side.
        let k = (flags.trailing_zeros() / 8) as usize;
        if flags & (flags - 1) != 0 || (u ^ 0x1E1E_1E1E_1E1E_1E1E) & AT[k] != 0 || len == 1 {
            return None;
        }
        // Squeezing the point out frees byte 0: a 9-byte field's first
        // digit (outside the word) goes there.
        let first = if len == 9 {
            let d = data.get(end - 9)? ^ b'0';
            if d > 9 {
                return None;
            }
            u64::from(d)
        } else {
            0
        };
        (
            (u & ABOVE[k]) | ((u & field & BELOW[k]) << 8) | first,
            7 - k,
        )
    };
    #[allow(clippy::cast_precision_loss)] // < 10^8: exact
    let v = (swar8(digits) as f64 / POW10[frac]) as f32;
    // The sign as a bit, not a branch (it is unpredictable).
    Some(f32::from_bits(v.to_bits() ^ (u32::from(neg) << 31)))
}

fn parse_full(data: &[u8], parts: &[&[u8]], label: &Path, dim: usize) -> Result<Glove> {
    let counts: Vec<usize> = parts.par_iter().map(|c| count_lines(c)).collect();
    let rows: usize = counts.iter().sum();
    // calloc'd (fresh zero pages, no fill pass) and backed by huge pages where
    // the kernel allows: every element is then written exactly once.
    let mut matrix: Vec<f32> = crate::buffer::zeroed_buffer(rows * dim);
    // Give each chunk its own slice of the output.
    let mut slices = Vec::with_capacity(parts.len());
    let mut rest = matrix.as_mut_slice();
    for &n in &counts {
        let (head, tail) = rest.split_at_mut(n * dim);
        slices.push(head);
        rest = tail;
    }
    let hasher = foldhash::fast::FixedState::with_seed(0x9e37_79b9);
    let results: Vec<std::result::Result<ChunkWords, LocalError>> = parts
        .par_iter()
        .zip(slices.into_par_iter())
        .map(|(chunk, out)| parse_chunk(data, chunk, dim, out, &hasher))
        .collect();
    let mut words: Vec<String> = Vec::with_capacity(rows);
    let mut hashes: Vec<u64> = Vec::with_capacity(rows);
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Ok((w, h)) => {
                words.extend(w);
                hashes.extend(h);
            }
            Err(e) => return Err(locate(label, parts, i, e, 1)),
        }
    }
    // Duplicates: keep the first line of each word. Cheap check first: sort
    // the word hashes in parallel; only equal hashes need the exact pass.
    hashes.par_sort_unstable();
    let maybe_duplicates = hashes.windows(2).any(|w| w[0] == w[1]);
    drop(hashes);
    let mut duplicates = 0usize;
    let (matrix, words) = if !maybe_duplicates {
        (matrix, words)
    } else {
        let mut seen: HashMap<&str, ()> = HashMap::with_capacity(words.len());
        let mut keep = Vec::new();
        for (i, w) in words.iter().enumerate() {
            if seen.insert(w, ()).is_some() {
                duplicates += 1;
            } else {
                keep.push(i);
            }
        }
        drop(seen);
        let mut m = Vec::with_capacity(keep.len() * dim);
        for &i in &keep {
            m.extend_from_slice(&matrix[i * dim..(i + 1) * dim]);
        }
        let mut kept = vec![false; words.len()];
        for &i in &keep {
            kept[i] = true;
        }
        let words = words
            .into_iter()
            .zip(kept)
            .filter_map(|(w, k)| k.then_some(w))
            .collect();
        (m, words)
    };
    let rows = words.len();
    Ok(Glove {
        matrix,
        rows,
        dim,
        words,
        hits: rows,
        misses: 0,
        missing: Vec::new(),
        duplicates,
        lowercased: 0,
    })
}

/// Whether vocabulary row `i` is reserved (padding or out-of-vocabulary).
fn is_reserved(i: usize, word: &str) -> bool {
    (i == 0 && (word.is_empty() || word == "<pad>"))
        || (i == 1 && (word == "[UNK]" || word == "<unk>"))
}

/// Which vocabulary rows a file word fills.
#[derive(Default)]
struct Target {
    exact: Vec<usize>,
    lower: Vec<usize>,
}

fn parse_filtered(
    parts: &[&[u8]],
    label: &Path,
    dim: usize,
    vocab: &[String],
    lowercase_fallback: bool,
) -> Result<Glove> {
    let mut targets: Vec<Target> = Vec::new();
    let mut index: HashMap<&[u8], usize> = HashMap::with_capacity(vocab.len() * 2);
    let lowered: Vec<String> = if lowercase_fallback {
        vocab.iter().map(|w| w.to_lowercase()).collect()
    } else {
        Vec::new()
    };
    for (i, w) in vocab.iter().enumerate() {
        if is_reserved(i, w) {
            continue;
        }
        let t = *index.entry(w.as_bytes()).or_insert_with(|| {
            targets.push(Target::default());
            targets.len() - 1
        });
        targets[t].exact.push(i);
    }
    if lowercase_fallback {
        for (i, w) in lowered.iter().enumerate() {
            if is_reserved(i, &vocab[i]) || *w == vocab[i] {
                continue;
            }
            let t = *index.entry(w.as_bytes()).or_insert_with(|| {
                targets.push(Target::default());
                targets.len() - 1
            });
            targets[t].lower.push(i);
        }
    }
    // Parse the wanted lines: (target, chunk-local line, values).
    type Hit = (usize, Vec<f32>);
    let results: Vec<std::result::Result<Vec<Hit>, LocalError>> = parts
        .par_iter()
        .map(|chunk| {
            let mut hits = Vec::new();
            for line in lines(chunk) {
                let (word, values) = split_word(line.bytes).map_err(|m| (line.index, m))?;
                let Some(&t) = index.get(word) else { continue };
                let mut row = vec![0f32; dim];
                parse_values(values, &mut row).map_err(|m| (line.index, m))?;
                hits.push((t, row));
            }
            Ok(hits)
        })
        .collect();
    let rows = vocab.len();
    let mut matrix = vec![0f32; rows * dim];
    // 0 = not filled, 1 = filled from the lowercase form, 2 = exact.
    let mut filled = vec![0u8; rows];
    let mut seen = vec![false; targets.len()];
    let mut duplicates = 0usize;
    for (ci, r) in results.into_iter().enumerate() {
        let hits = r.map_err(|e| locate(label, parts, ci, e, 1))?;
        for (t, row) in hits {
            if std::mem::replace(&mut seen[t], true) {
                duplicates += 1;
                continue;
            }
            for &i in &targets[t].exact {
                matrix[i * dim..(i + 1) * dim].copy_from_slice(&row);
                filled[i] = 2;
            }
            for &i in &targets[t].lower {
                if filled[i] == 0 {
                    matrix[i * dim..(i + 1) * dim].copy_from_slice(&row);
                    filled[i] = 1;
                }
            }
        }
    }
    let mut hits = 0usize;
    let mut lowercased = 0usize;
    let mut missing = Vec::new();
    for (i, w) in vocab.iter().enumerate() {
        if is_reserved(i, w) {
            continue;
        }
        match filled[i] {
            0 => missing.push(w.clone()),
            1 => {
                hits += 1;
                lowercased += 1;
            }
            _ => hits += 1,
        }
    }
    Ok(Glove {
        matrix,
        rows,
        dim,
        words: vocab.to_vec(),
        hits,
        misses: missing.len(),
        missing,
        duplicates,
        lowercased,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// A reproducible xorshift sequence.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn digits(&mut self, n: u64) -> String {
            (0..n)
                .map(|_| char::from(b'0' + self.below(10) as u8))
                .collect()
        }
    }

    /// Every decimal form a GloVe file may hold: the short `[-]ddd.ddd` of
    /// every length around the fast path's limits, leading and trailing
    /// points, leading zeros, `+` signs, exponents of both cases and signs,
    /// long mantissas, NaN and infinities, and random mixes of those.
    fn decimal_forms() -> Vec<String> {
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
    fn reference(field: &str) -> f32 {
        fast_float2::parse::<f64, _>(field.as_bytes())
            .unwrap_or_else(|_| panic!("not a number: {field:?}")) as f32
    }

    fn same(a: f32, b: f32) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    /// Whether the short-decimal parsers must take `field`: `[-]` then
    /// digits with at most one point, of at most 8 bytes (the left-aligned
    /// parser), or 9 with a point that is not the first byte (the
    /// right-aligned one): (left, right).
    fn is_short(field: &str) -> (bool, bool) {
        let body = field.strip_prefix('-').unwrap_or(field);
        let points = body.bytes().filter(|&b| b == b'.').count();
        let digits = body.bytes().filter(u8::is_ascii_digit).count();
        let form = digits > 0 && digits + points == body.len() && points <= 1;
        let nine = points == 1 && body.len() == 9 && !body.starts_with('.');
        (form && body.len() <= 8, form && (body.len() <= 8 || nine))
    }

    /// Both short-decimal parsers (the right-aligned one of the fast line
    /// reader, the left-aligned one of the general line reader) give the
    /// general parser's value for every decimal form, whatever bytes come
    /// before and after the field; and they do take the short forms.
    #[test]
    fn short_decimal_parsers_match_the_general_parser() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        let mut taken = 0usize;
        for field in decimal_forms() {
            let want = reference(&field);
            for _ in 0..4 {
                let before: String = (0..rng.below(17))
                    .map(|_| char::from(b"0123456789 -.x\n"[rng.below(15) as usize]))
                    .collect();
                let after = [" ", "\n", "\r\n", " 1.5 2.5 3.5 4.5 5.5", ""][rng.below(5) as usize];
                let data = format!("{before} {field}{after}");
                let (start, end) = (before.len() + 1, before.len() + 1 + field.len());
                let data = data.as_bytes();
                let fast = fast_decimal(data, start, end);
                let slow = parse_decimal(data, start, end);
                for (name, got) in [("fast_decimal", fast), ("parse_decimal", slow)] {
                    if let Some(v) = got {
                        assert!(same(v, want), "{name} {field:?}: {v} != {want}");
                    }
                }
                let (left, right) = is_short(&field);
                if left {
                    assert!(slow.is_some(), "parse_decimal skipped {field:?}");
                }
                if right && end >= 8 {
                    assert!(fast.is_some(), "fast_decimal skipped {field:?} in {data:?}");
                    taken += 1;
                }
            }
        }
        assert!(taken > 10_000, "{taken}");
    }

    /// A GloVe text of `rows` lines of `dim` decimal forms each, with the
    /// line ends and trailing spaces of `style`, and the words; the values
    /// of line `i` are `forms[(i * dim + j) % forms.len()]`.
    fn glove_text(
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

    /// Both line readers of the full mode, and the vocabulary mode, give the
    /// reference value of every decimal form, with LF or CRLF line ends,
    /// trailing spaces, and with or without a final newline; the fast line
    /// reader does take the well-formed lines.
    #[test]
    fn line_readers_agree_on_every_decimal_form() -> Result<()> {
        let forms = decimal_forms();
        for dim in [1usize, 3, 8, 50] {
            let rows = 20_000 / dim;
            for style in 0..4 {
                for final_newline in [true, false] {
                    let text = glove_text(&forms, rows, dim, style, final_newline);
                    let data = text.as_bytes();
                    let want = |i: usize, j: usize| reference(&forms[(i * dim + j) % forms.len()]);
                    let g = full(&text)?;
                    assert_eq!((g.rows, g.dim), (rows, dim));
                    let words: Vec<String> = (0..rows).rev().map(|i| format!("w{i}")).collect();
                    let v = parse_glove(
                        data,
                        Path::new("g.txt"),
                        &GloveOptions {
                            vocabulary: Some(words),
                            ..GloveOptions::default()
                        },
                    )?;
                    // Each line through each reader on its own.
                    let (mut p, mut fast_lines) = (0usize, 0usize);
                    let mut row = vec![0f32; dim];
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
                        if let Some((word, next)) = fast_line(data, p, data.len(), &mut row) {
                            fast_lines += 1;
                            assert_eq!(word, format!("w{i}").as_bytes());
                            for (j, &x) in row.iter().enumerate() {
                                assert!(same(x, want(i, j)), "fast line {i} value {j}");
                            }
                            assert_eq!(
                                slow_line(data, p, data.len(), &mut row).map(|r| r.1),
                                Ok(next)
                            );
                        }
                        let (word, next) = slow_line(data, p, data.len(), &mut row)
                            .unwrap_or_else(|e| panic!("line {i}: {e}"));
                        assert_eq!(word, format!("w{i}").as_bytes());
                        for (j, &x) in row.iter().enumerate() {
                            assert!(same(x, want(i, j)), "slow line {i} value {j}");
                        }
                        p = next;
                    }
                    assert_eq!(p, data.len());
                    // LF lines of 64 bytes and more go through the fast reader.
                    if style == 0 && dim >= 8 {
                        assert!(fast_lines + 2 >= rows, "{fast_lines} of {rows}");
                    }
                }
            }
        }
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

    #[test]
    fn zip_member_choice() -> Result<()> {
        let m: Vec<String> = ["glove.6B.50d.txt", "glove.6B.100d.txt"]
            .iter()
            .map(|s| (*s).to_string())
            .collect();
        let p = Path::new("g.zip");
        assert_eq!(
            choose_zip_member(p, &m, None, Some(100))?,
            "glove.6B.100d.txt"
        );
        assert_eq!(
            choose_zip_member(p, &m, Some("glove.6B.50d.txt"), None)?,
            "glove.6B.50d.txt"
        );
        assert!(choose_zip_member(p, &m, None, None).is_err());
        assert!(choose_zip_member(p, &m, Some("nope.txt"), None).is_err());
        Ok(())
    }
}
