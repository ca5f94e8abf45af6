//! The one error type of the core. The binding layer maps each variant to a
//! Python exception class (`ValueError`, `OSError`, `TypeError`, ...).

use std::path::PathBuf;

/// Result alias used across the core.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// Everything that can go wrong in the core, with enough context for a
/// one-line, user-facing message.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// A caller passed an argument that cannot be used (maps to `ValueError`).
    #[error("{0}")]
    InvalidArgument(String),
    /// An input file is malformed (maps to `ValueError`); `line` is 1-based, 0 if unknown.
    #[error("{}{}: {message}", path.display(), if *line > 0 { format!(":{line}") } else { String::new() })]
    Malformed {
        path: PathBuf,
        line: u64,
        message: String,
    },
    /// A size computed from the input or the arguments that this machine
    /// cannot hold: the allocation failed or the size overflows (maps to
    /// `MemoryError`). The message names the argument or file.
    #[error("{0}")]
    OutOfMemory(String),
    /// Reading a file failed (maps to `OSError`).
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl CoreError {
    /// Shorthand for [`CoreError::InvalidArgument`].
    pub fn invalid(message: impl Into<String>) -> Self {
        CoreError::InvalidArgument(message.into())
    }

    /// Shorthand for [`CoreError::Malformed`].
    pub fn malformed(path: impl Into<PathBuf>, line: u64, message: impl Into<String>) -> Self {
        CoreError::Malformed {
            path: path.into(),
            line,
            message: message.into(),
        }
    }

    /// Shorthand for [`CoreError::OutOfMemory`].
    pub fn out_of_memory(message: impl Into<String>) -> Self {
        CoreError::OutOfMemory(message.into())
    }

    /// Shorthand for [`CoreError::Io`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CoreError::Io {
            path: path.into(),
            source,
        }
    }
}
