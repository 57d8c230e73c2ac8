//! The global allocator of the node and of the load tool: mimalloc, asked for memory the fast way.
//!
//! The `mimalloc` crate's wrapper sends every allocation through `mi_malloc_aligned`, whatever its
//! alignment. mimalloc v3 serves that from its fast path only while the size class's current page
//! has a free block at hand. Otherwise it takes its generic aligned path: unless the block size is a
//! power of two, that path allocates `size + align - 1` bytes and offsets into them. So a request for
//! 48 or 80 bytes can land in the next size class, and costs a few hundred instructions. Under a jump
//! load a quarter of the node's allocations took that path (callgrind, BENCHMARKS.md "The allocator's
//! aligned path"). Upstream: purpleprotocol/mimalloc_rust pull request 170, still open when this was
//! written; drop this module for the crate once a release routes small alignments to `mi_malloc`.
//!
//! [`Allocator`] calls plain `mi_malloc` when its blocks already have the alignment asked for (see
//! [`plain_blocks_suffice`]) and the aligned functions otherwise (tokio's 128-byte-aligned task cells,
//! for one). Freeing is `mi_free` either way: it finds the block of any pointer mimalloc gave out.
//!
//! Besides `fd_limit`, the only unsafe code in the workspace: a global allocator is an unsafe trait.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// The alignment every mimalloc block of 16 bytes or more has (`MI_MAX_ALIGN_SIZE`).
///
/// Why it holds for the pinned version (0.1.49, mimalloc v3): a page's first block starts at a
/// multiple of 16 (`MI_PAGE_MIN_START_BLOCK_ALIGN`), and every size class from 16 bytes up is a
/// multiple of 16 bytes (8-byte blocks are the only smaller class). Blocks too big for a size class
/// start at an OS page. The tests below check it over every size up to 8 KiB.
const PLAIN_ALIGN: usize = 16;

/// Whether plain `mi_malloc(size)` already returns memory aligned to `align`.
///
/// It does when `align` is at most 16 and `size` is a multiple of it: the size class is then at
/// least `align` bytes and a multiple of it (or of 16), so each of its blocks is aligned. Every Rust
/// type's layout has a size that is a multiple of its alignment, so nearly every allocation qualifies.
#[inline]
pub const fn plain_blocks_suffice(size: usize, align: usize) -> bool {
    align <= PLAIN_ALIGN && size.is_multiple_of(align)
}

/// mimalloc as the global allocator, with plain calls where they suffice (see the module's doc).
///
/// Used by the node's binary and the load tool's, so the echo baseline pays what the node pays:
/// `#[global_allocator] static ALLOCATOR: Allocator = Allocator;`
#[derive(Debug, Clone, Copy, Default)]
pub struct Allocator;

// SAFETY: every function returns memory from mimalloc of at least the size asked for, aligned to the
// layout's alignment (plainly where `plain_blocks_suffice` says mimalloc's blocks already are, through
// the aligned functions otherwise), or null when mimalloc has none; `mi_free` and `mi_realloc*` accept
// any pointer mimalloc returned, whichever function returned it.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain FFI calls; mimalloc handles any size (null when out of memory).
        unsafe {
            if plain_blocks_suffice(layout.size(), layout.align()) {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        unsafe {
            if plain_blocks_suffice(layout.size(), layout.align()) {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: the caller passes a pointer this allocator returned; mimalloc frees any of its own.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator. A block kept in place was aligned already; a new one
        // comes from `mi_malloc(new_size)`, aligned when `plain_blocks_suffice(new_size, align)`.
        unsafe {
            if plain_blocks_suffice(new_size, layout.align()) {
                mi::mi_realloc(ptr.cast(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALIGNS: [usize; 8] = [1, 2, 4, 8, 16, 32, 64, 128];

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).expect("a valid layout")
    }

    /// Allocates `layout` a few times over, holding every block (so they are not all the same
    /// reused block at a page's start), checks each pointer's alignment, writes every byte, and frees
    /// them all.
    fn check_blocks(layout: Layout, count: usize) {
        let blocks: Vec<*mut u8> = (0..count)
            .map(|_| {
                // SAFETY: the test's layouts are not zero-sized.
                let p = unsafe { Allocator.alloc(layout) };
                assert!(!p.is_null(), "no memory for {layout:?}");
                assert_eq!(
                    p as usize % layout.align(),
                    0,
                    "{layout:?} misaligned at {p:p}"
                );
                // SAFETY: `p` holds `layout.size()` bytes.
                unsafe { std::ptr::write_bytes(p, 0xA5, layout.size()) };
                p
            })
            .collect();
        for p in blocks {
            // SAFETY: each block is freed once, with its layout.
            unsafe { Allocator.dealloc(p, layout) };
        }
    }

    #[test]
    fn every_small_size_and_alignment_is_aligned() {
        for size in 1..=8192 {
            for align in ALIGNS {
                check_blocks(layout(size, align), 9);
            }
        }
    }

    #[test]
    fn large_blocks_are_aligned() {
        for size in [16 << 10, 100_000, 1 << 20, (4 << 20) + 24, 40 << 20] {
            for align in ALIGNS.into_iter().chain([4096, 1 << 16]) {
                check_blocks(layout(size, align), 2);
            }
        }
    }

    #[test]
    fn zeroed_memory_is_zero_and_aligned() {
        for size in (1..=4096).step_by(7) {
            for align in ALIGNS {
                let l = layout(size, align);
                // SAFETY: the layout's size is not zero; the block is read within its size and freed once.
                unsafe {
                    let p = Allocator.alloc_zeroed(l);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "{l:?} misaligned");
                    assert!(std::slice::from_raw_parts(p, size).iter().all(|&b| b == 0));
                    Allocator.dealloc(p, l);
                }
            }
        }
    }

    #[test]
    fn a_reallocated_block_keeps_its_bytes_and_alignment() {
        for align in ALIGNS {
            for (from, to) in [
                (8, 24),
                (24, 8),
                (48, 4000),
                (4000, 48),
                (100, 100_000),
                (13, 130),
            ] {
                let from = from.max(align);
                let to = to.max(align);
                let old = layout(from, align);
                // SAFETY: sizes are not zero; the block is resized with its own layout, read within
                // its sizes and freed once with its last layout.
                unsafe {
                    let p = Allocator.alloc(old);
                    assert!(!p.is_null());
                    for i in 0..from {
                        p.add(i).write(i as u8);
                    }
                    let q = Allocator.realloc(p, old, to);
                    assert!(!q.is_null());
                    assert_eq!(q as usize % align, 0, "{old:?} resized to {to} misaligned");
                    for i in 0..from.min(to) {
                        assert_eq!(
                            q.add(i).read(),
                            i as u8,
                            "byte {i} lost resizing {old:?} to {to}"
                        );
                    }
                    Allocator.dealloc(q, layout(to, align));
                }
            }
        }
    }

    #[test]
    fn only_small_alignments_of_whole_sizes_go_plain() {
        assert!(plain_blocks_suffice(48, 8));
        assert!(plain_blocks_suffice(16, 16));
        assert!(plain_blocks_suffice(3, 1));
        assert!(
            !plain_blocks_suffice(8, 16),
            "an 8-byte block is only 8-aligned"
        );
        assert!(!plain_blocks_suffice(12, 8), "not a whole multiple");
        assert!(
            !plain_blocks_suffice(1024, 128),
            "tokio's task cells take the aligned call"
        );
    }
}
