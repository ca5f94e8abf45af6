//! Fuzz target `tar`: see `imdbfast_core::fuzz_checks::tar`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| imdbfast_core::fuzz_checks::tar(data));
