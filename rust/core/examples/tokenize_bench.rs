//! Profiling driver for the tokenizer without Python: fit on the first half of
//! the texts, encode all of them to a padded id matrix, print timings
//! (`ROUNDS=n` repeats it n times in one process).
//!
//! ```text
//! cargo run --release -p imdbfast-core --example tokenize_bench -- \
//!     TEXTS [keras|seed004] [load|fit|both] [STOPWORDS_FILE]
//! ```
//!
//! TEXTS is one file of UTF-8 reviews separated by NUL bytes (train first);
//! STOPWORDS_FILE has one stopword per line (seed004 only).

use std::time::Instant;

use imdbfast_core::count::count_tokens;
use imdbfast_core::pad::{PadConfig, Side};
use imdbfast_core::text::{Splitter, Standardizer, TextPipeline};
use imdbfast_core::vocab::{VocabConfig, VocabOrder, Vocabulary};

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
