//! Output buffers shared by the modules that fill large matrices (the id
//! matrices of [`crate::vocab`], the GloVe matrix of [`crate::glove`]).

/// A zero-filled buffer of `len` values for a large output matrix.
///
/// The memory comes from the allocator untouched (zero pages are mapped on
/// first write), so filling it costs one page fault per page; on Linux the
/// kernel is asked to back it with transparent huge pages, which turns
/// ~30,000 faults for a 50,000 x 600 int32 matrix into ~60.
pub fn zeroed_buffer<T: Default + Clone>(len: usize) -> Vec<T> {
    let buffer = vec![T::default(); len];
    advise_huge_pages(&buffer);
    buffer
}

#[cfg(target_os = "linux")]
fn advise_huge_pages<T>(buffer: &[T]) {
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

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages<T>(_buffer: &[T]) {}
