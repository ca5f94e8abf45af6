//! Binding modules, one per core module (`py/x.rs` binds
//! `imdbfast_core::x`). Each exposes `register(m)`.

pub mod archive;
pub mod arrow;
pub mod bag;
pub mod buffer;
pub mod count;
pub mod errors;
pub mod fork;
pub mod glove;
pub mod pad;
pub mod text;
pub mod vocab;
