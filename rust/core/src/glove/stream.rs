//! Reading a source in blocks of whole lines, with bounded memory.
//!
//! A reader thread fills blocks of about [`BLOCK_BYTES`] (decompressing
//! `.gz` and `.zip` sources as it goes) while the calling thread parses the
//! previous block on all cores, so reading or decompressing overlaps with
//! parsing. At most three blocks exist at a time (one parsed, one queued,
//! one being filled), whatever the size of the file: memory is the output
//! matrix plus a few blocks. A block ends after its last `\n` (the rest is
//! carried into the next one); a line longer than a block grows the block,
//! up to [`MAX_LINE_BYTES`], beyond which the source is refused (a file of
//! NULs, say, is not read to its end).

use std::io::Read;
use std::sync::mpsc;

use super::source::Source;
use crate::error::{CoreError, Result};

/// Bytes read per block (whole lines are handed on, the rest is carried).
pub(super) const BLOCK_BYTES: usize = 4 << 20;

/// The longest line accepted: a GloVe line of 300 values is about 3 KB.
pub(super) const MAX_LINE_BYTES: usize = 16 << 20;

/// What the reader thread hands on.
enum Block {
    /// Whole lines in `.0[..len]` (the last block may end without a `\n`);
    /// the rest of the buffer is initialized bytes left from earlier use.
    Lines(Vec<u8>, usize),
    /// The source could not be read further.
    Failed(std::io::Error),
    /// A line longer than the limit.
    LineTooLong,
}

/// Read `source` in blocks of whole lines of about `block` bytes and hand
/// each to `consume`, in order, while the next one is read. `consume`
/// receives a block and the number of lines before it (for error
/// messages), and returns the number of lines of the block.
pub(super) fn for_each_block(
    source: &Source,
    block: usize,
    max_line: usize,
    mut consume: impl FnMut(&[u8], u64) -> Result<u64>,
) -> Result<()> {
    let block = block.max(1);
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = mpsc::sync_channel::<Block>(1);
        let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
        let reader = scope
            .spawn(move || source.with_reader(|r| produce(r, block, max_line, &full_tx, &free_rx)));
        let consumed = (|| {
            let mut lines = 0u64;
            for item in full_rx.iter() {
                match item {
                    Block::Lines(data, len) => {
                        lines += consume(&data[..len], lines)?;
                        // The reader may have stopped already: then the buffer is dropped.
                        let _ = free_tx.send(data);
                    }
                    Block::Failed(e) => return Err(source.read_error(e)),
                    Block::LineTooLong => {
                        return Err(CoreError::malformed(
                            source.label(),
                            lines + 1,
                            format!("a line longer than {max_line} bytes (not a GloVe text file?)"),
                        ))
                    }
                }
            }
            Ok(())
        })();
        // Stop the reader (its sends and receives now fail) and wait for its
        // thread to end, on every path: an explicit join also waits for the
        // thread's own teardown, which the end of the scope does not.
        drop(full_rx);
        drop(free_tx);
        let read = reader
            .join()
            .map_err(|_| CoreError::invalid("the GloVe reader thread panicked"))?;
        consumed.and(read)
    })
}

/// Fill blocks from `reader` and send them on `full`, taking emptied
/// buffers back from `free`; stops at the end, at an error, or when the
/// receiving side is gone.
///
/// Buffers keep their length (their bytes stay initialized) and are read
/// into with plain `read` calls: a recycled buffer is neither cleared nor
/// zeroed again (`read_to_end` would zero its spare capacity before every
/// read of a reader without `read_buf`), and the carried start of a line is
/// copied straight into the next buffer.
fn produce(
    reader: &mut dyn Read,
    block: usize,
    max_line: usize,
    full: &mpsc::SyncSender<Block>,
    free: &mpsc::Receiver<Vec<u8>>,
) {
    // The carried start of a line (no `\n`) is `buf[..len]`.
    let mut buf: Vec<u8> = Vec::new();
    let mut len: usize = 0;
    loop {
        loop {
            // Read one more block's worth after what the buffer holds.
            let before = len;
            let want = before.saturating_add(block);
            // bounded: a block past the carried part, which is at most
            // `max_line` (checked below before it grows again).
            grow(&mut buf, want);
            while len < want {
                match reader.read(&mut buf[len..want]) {
                    Ok(0) => break,
                    Ok(n) => len += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        let _ = full.send(Block::Failed(e));
                        return;
                    }
                }
            }
            if len < want {
                // The end of the source: the rest is the last block.
                if len > 0 {
                    let _ = full.send(Block::Lines(buf, len));
                }
                return;
            }
            match memchr::memrchr(b'\n', &buf[before..len]) {
                Some(i) => {
                    let end = before + i + 1;
                    let mut next = free.try_recv().unwrap_or_default();
                    let rest = len - end;
                    // bounded: the carried start of a line (under `max_line`)
                    // and the block read after it next.
                    grow(&mut next, rest.saturating_add(block));
                    next[..rest].copy_from_slice(&buf[end..len]);
                    let lines = std::mem::replace(&mut buf, next);
                    if full.send(Block::Lines(lines, end)).is_err() {
                        return;
                    }
                    len = rest;
                    break;
                }
                None if len > max_line => {
                    let _ = full.send(Block::LineTooLong);
                    return;
                }
                None => {}
            }
        }
    }
}

/// Make `buf` at least `len` bytes long, all initialized: a new buffer is
/// allocated zeroed (fresh zero pages, nothing written), a used one is
/// extended with zeros.
fn grow(buf: &mut Vec<u8>, len: usize) {
    if buf.len() >= len {
        return;
    }
    if buf.is_empty() {
        // bounded: `len`, as the caller says.
        *buf = vec![0; len];
    } else {
        // bounded: `len`, as the caller says.
        buf.resize(len, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks of whole lines, in order, for every block size; the carry
    /// across blocks and lines longer than a block are handled.
    #[test]
    fn blocks_are_whole_lines() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("imdbfast-stream-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| CoreError::io(&dir, e))?;
        let path = dir.join("lines.txt");
        let text: String = (0..500)
            .map(|i| format!("w{i} {}\n", "x".repeat(i % 37)))
            .collect::<String>()
            + "last line";
        std::fs::write(&path, &text).map_err(|e| CoreError::io(&path, e))?;
        let source = Source::Plain(path.clone());
        for block in [1usize, 2, 7, 64, 1000, 1 << 20] {
            let mut seen = Vec::new();
            let mut blocks = 0u64;
            for_each_block(&source, block, 1 << 20, |data, lines| {
                assert_eq!(lines, memchr::memchr_iter(b'\n', &seen).count() as u64);
                assert!(data.ends_with(b"\n") || data.ends_with(b"last line"));
                seen.extend_from_slice(data);
                blocks += 1;
                Ok(memchr::memchr_iter(b'\n', data).count() as u64)
            })?;
            assert_eq!(seen, text.as_bytes(), "block {block}");
            assert!(blocks >= 1);
        }
        // A line longer than the limit is refused with its line number.
        let long = dir.join("long.txt");
        let text = format!("short\n{}\nz\n", "y".repeat(100));
        std::fs::write(&long, text).map_err(|e| CoreError::io(&long, e))?;
        let mut lines = 0;
        let err = for_each_block(&Source::Plain(long), 4, 20, |data, _| {
            lines += memchr::memchr_iter(b'\n', data).count() as u64;
            Ok(memchr::memchr_iter(b'\n', data).count() as u64)
        })
        .err()
        .map(|e| e.to_string());
        assert!(err.is_some_and(
            |m| m.ends_with("long.txt:2: a line longer than 20 bytes (not a GloVe text file?)")
        ));
        assert_eq!(lines, 1);
        let err = for_each_block(&source, 8, 50, |_, _| Err(CoreError::invalid("stop")));
        assert_eq!(err.err().map(|e| e.to_string()), Some("stop".into()));
        std::fs::remove_dir_all(&dir).map_err(|e| CoreError::io(&dir, e))?;
        Ok(())
    }
}
