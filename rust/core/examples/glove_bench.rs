//! Parse a GloVe file N times and print the time per parse (profiling aid).
//!
//! `cargo run --release -p imdbfast-core --example glove_bench -- FILE [N]`
use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: glove_bench FILE [N]")?;
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1);
    let opts = imdbfast_core::glove::GloveOptions::default();
    for _ in 0..n {
        let t = Instant::now();
        let g = imdbfast_core::glove::load_glove(Path::new(&path), None, &opts)?;
        println!(
            "{} x {} in {:.3} s",
            g.rows,
            g.dim,
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
