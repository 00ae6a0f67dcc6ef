//! The array `sum-array-bugs` sums, in a mapping of its own that ends
//! exactly where a page with no access rights (PROT_NONE) begins. Reading
//! one element past the end is then sure to fault with SIGSEGV; past the
//! end of a `Vec` lies whatever the allocator put there, and the lab's
//! off-by-one bug would quietly read it.
//!
//! ```text
//!   map                       data                  guard
//!   |<- padding (< 1 page) ->|<- len ints ------->|<- 1 page, PROT_NONE ->|
//! ```
//!
//! The sizes are computed with checked arithmetic: an array too large to
//! describe in bytes is refused with EINVAL, never mapped smaller than the
//! slice that is made of it.

use std::num::NonZeroUsize;
use std::ops::Range;
use std::ptr::NonNull;

use nix::sys::mman::{MapFlags, ProtFlags, mmap_anonymous, mprotect, munmap};
use nix::unistd::{SysconfVar, sysconf};

use super::array::fill_random;

/// `len` ints followed by a guard page; see the module doc.
pub struct GuardedArray {
    map: NonNull<libc::c_void>,
    map_len: usize,
    data: NonNull<i32>,
    len: usize,
}

// SAFETY: threads only read the array through `part` and `all`; the one
// write, by the buggy worker of `sum-array-bugs` through `as_ptr`, is
// ordered before their reads by a barrier.
unsafe impl Sync for GuardedArray {}

impl GuardedArray {
    /// `len` of the lab's random ints from `seed`, generated straight into
    /// the mapping. EINVAL when `len` ints do not fit in the address
    /// space; ENOMEM (from mmap) when they do but the kernel refuses.
    pub fn random(len: usize, seed: u64) -> nix::Result<GuardedArray> {
        let page = match sysconf(SysconfVar::PAGE_SIZE) {
            Ok(Some(size)) if size > 0 => size as usize,
            _ => 4096,
        };
        let (bytes, readable, map_len) = layout(len, page).ok_or(nix::Error::EINVAL)?;
        // SAFETY: a fresh private anonymous mapping at an address the
        // kernel picks overlaps nothing of the program's.
        let map = unsafe {
            mmap_anonymous(
                None,
                map_len,
                ProtFlags::PROT_READ | ProtFlags::PROT_WRITE,
                MapFlags::MAP_PRIVATE,
            )
        }?;
        // SAFETY: `readable` is less than the mapping's length, and page
        // aligned; `readable - bytes` is a multiple of 4, so `data` is
        // aligned for i32.
        let (guard, data) = unsafe { (map.byte_add(readable), map.byte_add(readable - bytes)) };
        let array = GuardedArray {
            map,
            map_len: map_len.get(),
            data: data.cast(),
            len,
        };
        // SAFETY: the last page of the mapping just made; nothing uses it.
        unsafe { mprotect(guard, page, ProtFlags::PROT_NONE) }?;
        // SAFETY: `data` has room for `len` ints (`bytes`, at most
        // isize::MAX, computed without overflow) before the guard page;
        // the mapping is new and zero-filled, and nothing else refers to it.
        let ints = unsafe { std::slice::from_raw_parts_mut(array.as_ptr(), len) };
        fill_random(ints, seed);
        Ok(array)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first int, for the one worker that reads and writes without
    /// bounds, on purpose.
    pub fn as_ptr(&self) -> *mut i32 {
        self.data.as_ptr()
    }

    pub fn all(&self) -> &[i32] {
        // SAFETY: `len` ints, initialized by `random`, live as long as
        // self. Writes through `as_ptr` never happen while a reader holds
        // the slice (see the Sync impl).
        unsafe { std::slice::from_raw_parts(self.data.as_ptr(), self.len) }
    }

    pub fn part(&self, range: Range<usize>) -> &[i32] {
        &self.all()[range]
    }
}

impl Drop for GuardedArray {
    fn drop(&mut self) {
        // SAFETY: the mapping was made by `random` with this length, and no
        // slice of it outlives self.
        let _ = unsafe { munmap(self.map, self.map_len) };
    }
}

/// For `len` ints and pages of `page` bytes: the ints' size in bytes, the
/// readable pages' size, and the whole mapping's (one page more, the
/// guard). `None` when any of them overflows, or the ints would exceed
/// isize::MAX bytes, the most a slice may span.
fn layout(len: usize, page: usize) -> Option<(usize, usize, NonZeroUsize)> {
    let bytes = len.checked_mul(std::mem::size_of::<i32>())?;
    if bytes > isize::MAX as usize {
        return None;
    }
    let readable = bytes.div_ceil(page).checked_mul(page)?;
    let map_len = NonZeroUsize::new(readable.checked_add(page)?)?;
    Some((bytes, readable, map_len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ints_end_where_the_guard_page_begins() {
        assert_eq!(
            layout(1000, 4096).map(|(b, r, m)| (b, r, m.get())),
            Some((4000, 4096, 8192))
        );
        assert_eq!(
            layout(1024, 4096).map(|(b, r, m)| (b, r, m.get())),
            Some((4096, 4096, 8192))
        );
        assert_eq!(
            layout(0, 4096).map(|(b, r, m)| (b, r, m.get())),
            Some((0, 0, 4096))
        );
    }

    #[test]
    fn sizes_that_overflow_are_refused_not_wrapped() {
        // 2^62 + 1 ints: 4 times that wraps to 4 bytes, one page.
        assert_eq!(layout((1 << 62) + 1, 4096), None);
        assert_eq!(layout(usize::MAX / 4, 4096), None);
        assert_eq!(layout(usize::MAX, 4096), None);
        assert!(matches!(
            GuardedArray::random((1 << 62) + 1, 42),
            Err(nix::Error::EINVAL)
        ));
    }

    #[test]
    fn a_small_array_holds_the_labs_ints() {
        let array = GuardedArray::random(1000, 42).unwrap();
        assert_eq!(array.len(), 1000);
        assert_eq!(array.all(), super::super::array::random_ints(1000, 42));
        assert_eq!(array.part(10..20).len(), 10);
    }
}
