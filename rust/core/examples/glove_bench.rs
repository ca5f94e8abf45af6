//! Parse a GloVe file N times and print the time per parse (profiling aid);
//! with VOCAB (one word per line), in vocabulary mode aligned with those words.
//!
//! `cargo run --release -p imdbfast-core --example glove_bench -- FILE [N] [VOCAB]`
use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: glove_bench FILE [N] [VOCAB]")?;
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1);
    let vocabulary = match args.next() {
        Some(p) => Some(
            std::fs::read_to_string(p)?
                .lines()
                .map(String::from)
                .collect(),
        ),
        None => None,
    };
    let opts = imdbfast_core::glove::GloveOptions {
        vocabulary,
        ..Default::default()
    };
    for _ in 0..n {
        let t = Instant::now();
        let g = imdbfast_core::glove::load_glove(Path::new(&path), None, &opts)?;
        println!(
            "{} x {} ({} hits) in {:.3} s",
            g.rows,
            g.dim,
            g.hits,
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
