//! Range checks. Every numeric option has an allowed range, given where [`Options::resolve`] reads it,
//! and a value outside it is a [`ConfigError::Invalid`] naming the option and the range, never a panic or
//! a wrapped number further on (`Duration` and `Instant` arithmetic panics on overflow). Durations are
//! built with checked arithmetic.
//!
//! [`Options::resolve`]: super::Options::resolve

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::time::Duration;

use super::ConfigError;

/// Longest duration in ms any option takes: about 11.5 days, far past any sensible timeout yet
/// comfortably above the machine-speed timing tolerance the tests and the load tests use (10^8 ms).
pub(super) const MAX_MS: u64 = 1_000_000_000;

/// Longest duration in days any option takes: ten years.
pub(super) const MAX_DAYS: u64 = 3_650;

const SECONDS_PER_DAY: u64 = 24 * 60 * 60;

/// `value` of `option`, if within `range`.
pub(super) fn within<T: PartialOrd + Display>(
    option: &'static str,
    value: T,
    range: RangeInclusive<T>,
) -> Result<T, ConfigError> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(ConfigError::Invalid {
            option,
            reason: format!("must be {} to {}, not {value}", range.start(), range.end()),
        })
    }
}

/// `value` ms of `option`, if within `range`.
pub(super) fn millis(
    option: &'static str,
    value: u64,
    range: RangeInclusive<u64>,
) -> Result<Duration, ConfigError> {
    within(option, value, range).map(Duration::from_millis)
}

/// `value` days of `option`, if within `range` and representable.
pub(super) fn days(
    option: &'static str,
    value: u64,
    range: RangeInclusive<u64>,
) -> Result<Duration, ConfigError> {
    let (low, high) = (*range.start(), *range.end());
    within(option, value, range)?
        .checked_mul(SECONDS_PER_DAY)
        .map(Duration::from_secs)
        .ok_or_else(|| ConfigError::Invalid {
            option,
            reason: format!("must be {low} to {high}, not {value}: too many seconds"),
        })
}
