//! Panics logged and counted. A panic is a bug: tokio ends the task it happened in and the node goes on,
//! so without this hook it shows only as a line on standard error, outside the structured log, and no
//! alert could see it. The hook logs it as an error event (message, place, thread) and counts it for
//! `leapfrog_panics_total` (alert `LeapfrogPanics`), then runs the hook before it (the standard one
//! prints the message and, with `RUST_BACKTRACE`, a backtrace).

use std::sync::atomic::{AtomicU64, Ordering};

/// Panics since the process started, across every thread.
static PANICS: AtomicU64 = AtomicU64::new(0);

/// Installs the hook for the whole process: the binary calls it once, before it starts the node.
pub fn install_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::Relaxed);
        let thread = std::thread::current();
        tracing::error!(
            panic = %info,
            thread = thread.name().unwrap_or("unnamed"),
            "panic: a bug; the task it happened in has ended"
        );
        previous(info);
    }));
}

/// Panics counted by the hook so far (none if it is not installed).
pub(crate) fn count() -> u64 {
    PANICS.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every panic is counted once, on any thread, and the process goes on.
    #[test]
    fn a_panic_is_counted_and_the_process_goes_on() {
        install_hook();
        let before = count();
        let ended = std::thread::spawn(|| panic!("a test panic")).join();
        assert!(ended.is_err(), "the thread panicked");
        // Other tests of this binary may panic at the same time (their own assertions): at least one.
        assert!(count() > before);
    }
}
