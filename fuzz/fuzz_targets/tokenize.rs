//! Fuzz target `tokenize`: see `imdbfast_core::fuzz_checks::tokenize`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| imdbfast_core::fuzz_checks::tokenize(data));
