//! The decoders' allocation bound: decoding one frame holds at most [`CLAIM_FACTOR`] times its
//! direction's frame limit on the heap at once, whatever the frame claims (bincode's claim limit,
//! `protocol/src/codec/mod.rs`; lists are capped before allocating). Measured by a global allocator that
//! counts live bytes and their peak; libFuzzer runs one input at a time on one thread.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use protocol::limits::{MAX_CLIENT_FRAME_BYTES, MAX_SERVER_FRAME_BYTES};
use protocol::{Codec, WireFrame};

/// The decoders' claim limit, in frame limits.
pub const CLAIM_FACTOR: usize = 8;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting.
struct Counting;

// SAFETY: every call is forwarded unchanged to the system allocator; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            // Counted as the new block allocated before the old one is freed, as a move does.
            grew(new_size);
            LIVE.fetch_sub(layout.size(), Relaxed);
        }
        moved
    }
}

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Relaxed) + bytes;
    PEAK.fetch_max(live, Relaxed);
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most heap bytes held at once while `f` ran (its result included), beyond those live before.
fn peak_during<T>(f: impl FnOnce() -> T) -> usize {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let result = f();
    let peak = PEAK.load(Relaxed) - before;
    drop(result);
    peak
}

/// Decodes `data` with every decoder (as a binary frame, and as a text frame when it is UTF-8) and
/// panics if one of them held more than its bound.
pub fn check(data: &[u8]) {
    let binary = WireFrame::Binary(data.to_vec());
    check_frame(Codec::Bincode, &binary);
    if let Ok(text) = std::str::from_utf8(data) {
        check_frame(Codec::Json, &WireFrame::Text(text.to_owned()));
    }
}

/// [`check`] for the JSON decoders alone.
pub fn check_json(text: &str) {
    check_frame(Codec::Json, &WireFrame::Text(text.to_owned()));
}

fn check_frame(codec: Codec, frame: &WireFrame) {
    let client = peak_during(|| codec.decode_client(frame));
    assert!(
        client <= CLAIM_FACTOR * MAX_CLIENT_FRAME_BYTES,
        "{codec:?} client decoder held {client} bytes for a frame of {} bytes",
        frame.len()
    );
    let server = peak_during(|| codec.decode_server(frame));
    assert!(
        server <= CLAIM_FACTOR * MAX_SERVER_FRAME_BYTES,
        "{codec:?} server decoder held {server} bytes for a frame of {} bytes",
        frame.len()
    );
}
