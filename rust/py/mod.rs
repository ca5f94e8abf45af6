//! Binding modules, one per core area. Each exposes `register(m)`.

pub mod arrow;
pub mod bag;
pub mod counts;
pub mod datasets;
pub mod errors;
pub mod fork;
pub mod glove;
pub mod text;
