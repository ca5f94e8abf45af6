//! Profiling driver for bags of n-grams without Python: fit a bigram tf-idf
//! vocabulary (max_tokens 20000) on the first half of the texts, then build
//! the CSR bag of all of them; prints timings (`ROUNDS=n` repeats it).
//!
//! ```text
//! cargo run --release -p imdbfast-core --example bag_bench -- TEXTS [WIDTHS]
//! ```
//!
//! TEXTS is one file of UTF-8 reviews separated by NUL bytes (train first);
//! WIDTHS is the largest n-gram width (default 2).

use std::time::Instant;

use imdbfast_core::bag::{bag_csr, count_ngrams, idf_weights, BagConfig, BagMode};
use imdbfast_core::text::TextPipeline;
use imdbfast_core::vocab::{VocabConfig, Vocabulary};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: bag_bench TEXTS [WIDTHS]")?;
    let n: usize = args.get(2).map_or(Ok(2), |w| w.parse())?;
    let widths: Vec<usize> = (1..=n).collect();
    let raw = std::fs::read_to_string(path)?;
    let all: Vec<&str> = raw.split('\0').collect();
    let train = &all[..all.len() / 2];
    let pipeline = TextPipeline::default();
    // Keras' bag layout on the core's: max_tokens 20000 columns, OOV first.
    let config = VocabConfig {
        max_tokens: Some(20001),
        ..VocabConfig::default()
    };
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    for _ in 0..rounds {
        let t0 = Instant::now();
        let counts = count_ngrams(&pipeline, train, &widths, &[], Some(20001), 1)?;
        let t_count = t0.elapsed();
        let vocab = Vocabulary::build(counts.counts.clone(), &config)?;
        let idf = idf_weights(&vocab, &counts, config.first_word_id(), 1, 0)?;
        let t_fit = t0.elapsed();
        let bag = BagConfig {
            mode: BagMode::TfIdf,
            widths: &widths,
            depth: vocab.len() - 1,
            column_offset: 1,
            idf: Some(&idf),
        };
        let csr = bag_csr(&vocab, &pipeline, &all, &bag)?;
        let total = t0.elapsed();
        println!(
            "count {:.3}s fit {:.3}s transform {:.3}s total {:.3}s columns {} nnz {}",
            t_count.as_secs_f64(),
            t_fit.as_secs_f64(),
            (total - t_fit).as_secs_f64(),
            total.as_secs_f64(),
            bag.depth,
            csr.data.len()
        );
    }
    Ok(())
}
