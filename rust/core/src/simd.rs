//! The instruction-set levels of the crate's SIMD kernels, and the one way
//! those kernels are written.
//!
//! Every kernel follows the same pattern:
//!
//! - a portable **scalar twin** (`*_scalar`) with the same signature: the
//!   definition the SIMD versions must match, and the code used off x86-64;
//! - each SIMD version is a safe `#[target_feature(enable = "...")]`
//!   function for `x86_64`, named after its feature (`*_sse2`, `*_ssse3`),
//!   and so are the helpers it calls and the code compiled for a level
//!   (`fused_split_ssse3`). Intrinsics that only take values are safe to
//!   call inside them; each load or store through a pointer sits in an
//!   `unsafe` block with a `// SAFETY:` note;
//! - **one dispatch function** per kernel picks the version for a [`Level`]
//!   and calls it in an `unsafe` block whose `// SAFETY:` note says why the
//!   feature is present (SSE2 is part of the x86-64 baseline; SSSE3 was found
//!   by [`Level::detect`]);
//! - tests run every level the CPU has (`Level::available`) against the
//!   scalar twin, on inputs that include the boundary cases (tokens longer
//!   than a vector register, blocks that end inside a token).
//!
//! The kernels: `text::kernels` (byte classes of a block, short-token
//! standardization) and `glove::scan` (separators of a block). A prefetch
//! hint (`token_map`) is not a kernel: it changes no result.

/// A set of instructions a kernel may use, from the most portable up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Level {
    /// Portable code (the scalar twins).
    Scalar = 0,
    /// SSE2: part of the x86-64 baseline, present on every x86-64 CPU.
    #[cfg(target_arch = "x86_64")]
    Sse2 = 1,
    /// SSSE3 (`pshufb`): nearly every x86-64 CPU, checked at run time.
    #[cfg(target_arch = "x86_64")]
    Ssse3 = 2,
}

/// [`Level::Scalar`] as a const generic argument.
pub(crate) const SCALAR: u8 = Level::Scalar as u8;
/// [`Level::Sse2`] as a const generic argument.
#[cfg(target_arch = "x86_64")]
pub(crate) const SSE2: u8 = Level::Sse2 as u8;
/// [`Level::Ssse3`] as a const generic argument.
#[cfg(target_arch = "x86_64")]
pub(crate) const SSSE3: u8 = Level::Ssse3 as u8;

impl Level {
    /// The best level this CPU runs (never [`Level::Scalar`] on x86-64).
    #[inline]
    pub(crate) fn detect() -> Level {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("ssse3") {
                Level::Ssse3
            } else {
                Level::Sse2
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Level::Scalar
        }
    }

    /// Every level this CPU runs, the scalar one first (for the tests and
    /// fuzz checks that compare each level with the scalar twins).
    pub(crate) fn available() -> Vec<Level> {
        #[cfg(target_arch = "x86_64")]
        {
            let mut levels = vec![Level::Scalar, Level::Sse2];
            if Level::detect() == Level::Ssse3 {
                levels.push(Level::Ssse3);
            }
            levels
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            vec![Level::Scalar]
        }
    }
}
