//! Wall-clock time, in one place.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch (0 if the clock is before it).
pub fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            // Seconds and milliseconds apart: `as_millis` is a 128-bit product, on every jump.
            elapsed
                .as_secs()
                .saturating_mul(1000)
                .saturating_add(u64::from(elapsed.subsec_millis()))
        })
}

/// Both clocks read once for one event, a message's arrival: the monotonic instant for durations and
/// rate limits, the wall clock's milliseconds for what is stored and compared across nodes (a jump's
/// time, a budget's window). Read once, every part of the message's handling sees the same time, and
/// a jump reads the wall clock once, not once per part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// The monotonic clock.
    pub instant: Instant,
    /// Milliseconds since the Unix epoch ([`unix_ms`]).
    pub unix_ms: u64,
}

impl Moment {
    /// Now, on both clocks.
    pub fn now() -> Moment {
        Moment {
            instant: Instant::now(),
            unix_ms: unix_ms(),
        }
    }
}

/// Seconds since the Unix epoch.
pub fn unix_seconds() -> u64 {
    unix_ms() / 1000
}
