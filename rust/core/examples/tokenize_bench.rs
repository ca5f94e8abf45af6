//! Profiling driver for the tokenizer without Python: fit on the first half of
//! the texts, encode all of them to a padded id matrix, print timings
//! (`ROUNDS=n` repeats it n times in one process).
//!
//! ```text
//! cargo run --release -p imdbfast-core --example tokenize_bench -- \
//!     TEXTS [keras|seed004] [PHASE] [STOPWORDS_FILE]
//! ```
//!
//! TEXTS is one file of UTF-8 reviews separated by NUL bytes (train first);
//! STOPWORDS_FILE has one stopword per line (seed004 only).
//!
//! PHASE is `both` (fit + transform, the default), `fit`, `load` (only read
//! the file), or one of the stages that split the work for profiles, each
//! over all texts (`SCOPE=train`: the train half only), each a floor of the
//! one after it:
//!
//! - `setup`: nothing (the set-up every stage shares: reading the texts and
//!   building the vocabulary; subtract its instruction count);
//! - `bytes`: walk every byte and count whitespace bytes (a plain byte scan);
//!   `memchr`: count the spaces with `memchr` (a SIMD scan);
//! - `tokens`: the tokenizer with a sink that only sums token lengths
//!   (scan + standardize + split);
//! - `keys`: plus packing each token into its lookup key;
//! - `hashes`: plus hashing the key into the vocabulary's table (a prefetch
//!   of its slot);
//! - `lookups`: plus the id lookup itself (the transform without writes);
//! - `zeroed`: allocate the zeroed (50000, 600) id matrix and touch one
//!   value per 4 KiB page; `fill`: allocate it and write every value (the
//!   output-write floors).

use std::ops::ControlFlow;
use std::time::Instant;

use imdbfast_core::count::count_tokens;
use imdbfast_core::pad::{PadConfig, Side};
use imdbfast_core::text::{Scratch, Splitter, Standardizer, TextPipeline, TokenSink};
use imdbfast_core::token_map::TokenMap;
use imdbfast_core::vocab::{VocabConfig, VocabOrder, Vocabulary};

/// What a profiling stage does with each token (see the module docs).
#[derive(Clone, Copy, PartialEq)]
enum Stage {
    Tokens,
    Keys,
    Hashes,
    Lookups,
}

/// The sink of the profiling stages: folds each token into `acc` so that
/// nothing is optimized away.
struct StageSink<'a> {
    stage: Stage,
    map: &'a TokenMap<i32>,
    acc: u64,
}

impl TokenSink for StageSink<'_> {
    #[inline(always)]
    fn token_at(&mut self, window: &[u8], len: usize) -> ControlFlow<()> {
        match self.stage {
            Stage::Tokens => self.acc += len as u64,
            Stage::Keys => {
                self.acc += u64::from(TokenMap::<i32>::key_at(window, len).is_some());
            }
            Stage::Hashes => {
                if let Some(key) = TokenMap::<i32>::key_at(window, len) {
                    self.map.prefetch(key);
                }
                self.acc += 1;
            }
            Stage::Lookups => {
                let id = self.map.get_at(window, len).copied().unwrap_or(1);
                self.acc += id as u64;
            }
        }
        ControlFlow::Continue(())
    }
}

/// Run one profiling stage over `texts` (one thread); its checksum.
fn run_stage(
    phase: &str,
    texts: &[&str],
    pipeline: &TextPipeline,
    map: &TokenMap<i32>,
    rows: usize,
    length: usize,
) -> Option<u64> {
    let stage = match phase {
        "bytes" => {
            let ws: usize = texts
                .iter()
                .map(|t| {
                    let ws = t
                        .as_bytes()
                        .iter()
                        .map(|&b| u32::from(b == b' ') + u32::from(b.wrapping_sub(b'\t') < 5));
                    ws.sum::<u32>() as usize
                })
                .sum();
            return Some(ws as u64);
        }
        "memchr" => {
            let n: usize = texts
                .iter()
                .map(|t| memchr::memchr_iter(b' ', t.as_bytes()).count())
                .sum();
            return Some(n as u64);
        }
        "zeroed" | "fill" => {
            let pad = PadConfig {
                length,
                padding: Side::Post,
                truncating: Side::Post,
            };
            let mut out = pad.id_matrix(rows).ok()?;
            if phase == "zeroed" {
                for page in out.chunks_mut(1024) {
                    page[0] = 1;
                }
            } else {
                out.fill(1);
            }
            return Some(out.iter().step_by(1024).map(|&v| v as u64).sum());
        }
        "setup" => return Some(0),
        "tokens" => Stage::Tokens,
        "keys" => Stage::Keys,
        "hashes" => Stage::Hashes,
        "lookups" => Stage::Lookups,
        _ => return None,
    };
    let mut scratch = Scratch::default();
    let mut sink = StageSink { stage, map, acc: 0 };
    for text in texts {
        pipeline.tokens_with_stopwords_into(text, &mut scratch, &mut sink);
    }
    Some(sink.acc)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .ok_or("usage: tokenize_bench TEXTS [keras|seed004] [load|fit|both] [STOPWORDS]")?;
    let mode = args.get(2).map_or("keras", String::as_str);
    let phase = args.get(3).map_or("both", String::as_str);
    let raw = std::fs::read_to_string(path)?;
    let all: Vec<&str> = raw.split('\0').collect();
    let train = &all[..all.len() / 2];
    if phase == "load" {
        println!("{} texts", all.len());
        return Ok(());
    }

    let (pipeline, config, length) = match mode {
        "seed004" => {
            let stop = match args.get(4) {
                Some(p) => std::fs::read_to_string(p)?,
                None => String::new(),
            };
            let pipeline = TextPipeline::new(
                Standardizer::from_name(Some("lower_unicode"), false)?,
                Splitter::Word,
                stop.lines().filter(|l| !l.is_empty()),
            );
            let config = VocabConfig {
                min_freq: 5,
                order: VocabOrder::Alphabetical,
                pad_token: "<pad>".into(),
                oov_token: Some("<unk>".into()),
                ..VocabConfig::default()
            };
            (pipeline, config, 256)
        }
        _ => {
            let config = VocabConfig {
                max_tokens: Some(20000),
                ..VocabConfig::default()
            };
            (TextPipeline::default(), config, 600)
        }
    };
    let pad = PadConfig {
        length,
        padding: Side::Post,
        truncating: Side::Post,
    };

    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    if !matches!(phase, "fit" | "both") {
        let vocab = Vocabulary::build(count_tokens(&pipeline, train), &config)?;
        // The same table as the vocabulary's (its words at their ids).
        let words = vocab.words();
        let mut map = TokenMap::with_capacity(vocab.len());
        for (i, word) in words.iter().enumerate() {
            map.insert(word.as_bytes(), (vocab.first_word_id() + i) as i32);
        }
        let texts = if std::env::var("SCOPE").is_ok_and(|s| s == "train") {
            train
        } else {
            &all[..]
        };
        let bytes: usize = texts.iter().map(|t| t.len()).sum();
        for _ in 0..rounds {
            let t0 = Instant::now();
            let check = run_stage(phase, texts, &pipeline, &map, all.len(), length)
                .ok_or("unknown phase")?;
            let secs = t0.elapsed().as_secs_f64();
            println!(
                "{phase} {secs:.4}s {:.0} MB/s checksum {check}",
                bytes as f64 / secs / 1e6
            );
        }
        return Ok(());
    }
    for _ in 0..rounds {
        let t0 = Instant::now();
        let counts = count_tokens(&pipeline, train);
        let t_count = t0.elapsed();
        let vocab = Vocabulary::build(counts, &config)?;
        let t_fit = t0.elapsed();
        if phase == "fit" {
            println!(
                "count {:.3}s fit {:.3}s vocab {}",
                t_count.as_secs_f64(),
                t_fit.as_secs_f64(),
                vocab.len()
            );
            continue;
        }
        let t1 = Instant::now();
        let out = vocab.encode_padded(&pipeline, &all, &pad)?;
        let t_tr = t1.elapsed();
        let checksum: i64 = out.iter().map(|&v| i64::from(v)).sum();
        println!(
            "count {:.3}s fit {:.3}s transform {:.3}s total {:.3}s vocab {} checksum {checksum}",
            t_count.as_secs_f64(),
            t_fit.as_secs_f64(),
            t_tr.as_secs_f64(),
            t0.elapsed().as_secs_f64(),
            vocab.len()
        );
    }
    Ok(())
}
