//! Fuzz target `glove`: see `imdbfast_core::fuzz_checks::glove`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| imdbfast_core::fuzz_checks::glove(data));
