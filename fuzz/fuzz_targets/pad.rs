//! Fuzz target `pad`: see `imdbfast_core::fuzz_checks::pad`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| imdbfast_core::fuzz_checks::pad(data));
