//! Output buffers shared by the modules that fill large matrices (the id
//! matrices of [`crate::vocab`], the padded matrices of [`crate::pad`]'s
//! callers, the GloVe matrix of [`crate::glove`]).
//!
//! Their sizes come from the input or the caller's arguments
//! (`output_sequence_length`, `maxlen`, a vocabulary's length times a
//! dimension), so they are never allocated unchecked: the element count is
//! multiplied with `checked_mul`, and an allocation that fails becomes
//! [`CoreError::OutOfMemory`] (Python's `MemoryError`) naming what was asked
//! for, instead of aborting the process.

use std::alloc::Layout;

use crate::error::{CoreError, Result};

/// Plain numbers whose all-zero bytes are the value zero, so that a
/// zero-filled allocation is a valid buffer of them.
///
/// # Safety
///
/// Implementors must be valid for every bit pattern of all-zero bytes (no
/// references, no niches, no padding requirements beyond `Copy` data).
pub unsafe trait Zeroable: Copy + Default + Send + Sync + 'static {}

// SAFETY: for each of these number types, all-zero bytes are the value 0.
unsafe impl Zeroable for u8 {}
// SAFETY: as above.
unsafe impl Zeroable for i32 {}
// SAFETY: as above.
unsafe impl Zeroable for i64 {}
// SAFETY: as above.
unsafe impl Zeroable for u64 {}
// SAFETY: as above.
unsafe impl Zeroable for f32 {}
// SAFETY: as above.
unsafe impl Zeroable for f64 {}

/// The number of values of a `rows x cols` matrix of `T`, or
/// [`CoreError::OutOfMemory`] when it overflows or exceeds what an
/// allocation can hold. `what` describes the matrix for the message
/// (e.g. `"the id matrix (3 texts x output_sequence_length=...)"`).
pub fn matrix_len<T>(rows: usize, cols: usize, what: impl FnOnce() -> String) -> Result<usize> {
    rows.checked_mul(cols)
        .filter(|&n| Layout::array::<T>(n).is_ok())
        .ok_or_else(|| {
            CoreError::out_of_memory(format!(
                "{}: {rows} x {cols} values of {} bytes do not fit in memory",
                what(),
                std::mem::size_of::<T>()
            ))
        })
}

/// A zero-filled buffer of `len` values, or [`CoreError::OutOfMemory`] when
/// the allocation fails (`what` describes it for the message).
///
/// The memory comes from the allocator untouched (zero pages are mapped on
/// first write), so filling it costs one page fault per page; on Linux the
/// kernel is asked to back it with transparent huge pages, which turns
/// ~30,000 faults for a 50,000 x 600 int32 matrix into ~60.
pub fn try_zeroed<T: Zeroable>(len: usize, what: impl FnOnce() -> String) -> Result<Vec<T>> {
    let size = std::mem::size_of::<T>();
    let fail = |what: String| {
        CoreError::out_of_memory(format!(
            "{what}: cannot allocate {len} values of {size} bytes"
        ))
    };
    if len == 0 || size == 0 {
        return Ok(Vec::new());
    }
    let Ok(layout) = Layout::array::<T>(len) else {
        return Err(fail(what()));
    };
    // SAFETY: `layout` has a non-zero size (len > 0 and size > 0).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<T>();
    if ptr.is_null() {
        return Err(fail(what()));
    }
    // SAFETY: `ptr` was allocated by the global allocator with the layout of
    // `[T; len]` (exactly what a `Vec<T>` of capacity `len` uses), and its
    // `len` values are initialized: all-zero bytes are valid `T`s
    // (`Zeroable`).
    let buffer = unsafe { Vec::from_raw_parts(ptr, len, len) };
    advise_huge_pages(&buffer);
    Ok(buffer)
}

/// [`try_zeroed`] for a `rows x cols` matrix (see [`matrix_len`]).
pub fn try_zeroed_matrix<T: Zeroable>(
    rows: usize,
    cols: usize,
    what: impl Fn() -> String,
) -> Result<Vec<T>> {
    let len = matrix_len::<T>(rows, cols, &what)?;
    try_zeroed(len, what)
}

/// Reserve room for `additional` more values in `vec`, or
/// [`CoreError::OutOfMemory`] (`what` describes it for the message).
pub fn try_reserve<T>(
    vec: &mut Vec<T>,
    additional: usize,
    what: impl FnOnce() -> String,
) -> Result<()> {
    vec.try_reserve(additional).map_err(|_| {
        CoreError::out_of_memory(format!(
            "{}: cannot allocate {additional} more values of {} bytes",
            what(),
            std::mem::size_of::<T>()
        ))
    })
}

/// Ask the kernel to back `buffer`'s memory with transparent huge pages
/// (the whole 2 MiB pages inside it; a hint, harmless if refused). Also for
/// the spare capacity of a vector about to be filled.
#[cfg(target_os = "linux")]
pub fn advise_huge_pages<T>(buffer: &[T]) {
    const HUGE: usize = 2 << 20;
    let start = buffer.as_ptr() as usize;
    let end = start + std::mem::size_of_val(buffer);
    // Only whole 2 MiB pages inside the buffer can be huge pages.
    let first = start.next_multiple_of(HUGE);
    let last = end - end % HUGE;
    if last > first {
        // SAFETY: madvise only gives the kernel a hint about how to back this
        // range, which lies inside `buffer`'s allocation; it never changes the
        // memory's contents or validity. A failure (e.g. THP disabled) is
        // harmless and ignored.
        unsafe {
            libc::madvise(
                first as *mut libc::c_void,
                last - first,
                libc::MADV_HUGEPAGE,
            );
        }
    }
}

/// See the Linux version: elsewhere, nothing.
#[cfg(not(target_os = "linux"))]
pub fn advise_huge_pages<T>(_buffer: &[T]) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zeroed_buffers_are_zero_and_sized() -> Result<()> {
        let v: Vec<f32> = try_zeroed_matrix(3, 5, || "m".into())?;
        assert_eq!(v, vec![0.0; 15]);
        assert!(try_zeroed::<i32>(0, || "m".into())?.is_empty());
        Ok(())
    }

    #[test]
    fn impossible_sizes_are_out_of_memory_errors() {
        let wraps = (1usize << 63) / 3 + 1;
        for (rows, cols) in [(3, wraps), (usize::MAX, 2), (1, usize::MAX / 2)] {
            match try_zeroed_matrix::<i32>(rows, cols, || "the id matrix".into()) {
                Err(CoreError::OutOfMemory(m)) => assert!(m.starts_with("the id matrix: "), "{m}"),
                other => panic!("{rows} x {cols}: {other:?}"),
            }
        }
        let mut v: Vec<u64> = Vec::new();
        assert!(matches!(
            try_reserve(&mut v, usize::MAX / 4, || "ids".into()),
            Err(CoreError::OutOfMemory(_))
        ));
    }
}
