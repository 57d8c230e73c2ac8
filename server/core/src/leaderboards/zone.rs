//! The time zone board periods turn over in: an IANA zone (`Europe/Berlin`, with its daylight saving) or a
//! fixed offset from UTC. Zones come from the IANA database compiled into the binary (jiff's bundled
//! tzdb, version in Cargo.lock), never from the host: every node of one build agrees on every boundary,
//! and a slim container without `/usr/share/zoneinfo` works.

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use jiff::tz::{Offset, TimeZone, TimeZoneDatabase};
use thiserror::Error;

/// The bundled database, opened once.
static TZDB: LazyLock<TimeZoneDatabase> = LazyLock::new(TimeZoneDatabase::bundled);

/// Farthest a fixed offset may be from UTC, in minutes: the real offsets run from UTC−12 to UTC+14.
pub const MAX_OFFSET_MINUTES: i32 = 14 * 60;

/// The zone the reset hour is read in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetZone(TimeZone);

/// A zone that cannot be used.
#[derive(Debug, Error)]
pub enum ZoneError {
    /// The name is in no IANA database this build knows.
    #[error(
        "unknown IANA time zone {name:?}: give a name such as Europe/Berlin, America/New_York or UTC"
    )]
    UnknownName {
        /// The name given.
        name: String,
    },
    /// The offset is farther from UTC than any real zone.
    #[error(
        "must be within -{MAX_OFFSET_MINUTES} to {MAX_OFFSET_MINUTES} minutes (UTC-14:00 to UTC+14:00), not {minutes}"
    )]
    OffsetOutOfRange {
        /// The offset given, in minutes east of UTC.
        minutes: i32,
    },
}

impl ResetZone {
    /// UTC: no offset, no daylight saving.
    pub const UTC: ResetZone = ResetZone(TimeZone::UTC);

    /// The IANA zone `name` (`Europe/Berlin`; case does not matter), daylight saving included.
    pub fn named(name: &str) -> Result<ResetZone, ZoneError> {
        TZDB.get(name)
            .map(ResetZone)
            .map_err(|_| ZoneError::UnknownName { name: name.into() })
    }

    /// A fixed offset of `minutes` east of UTC (China: 480), with no daylight saving.
    pub fn fixed_minutes(minutes: i32) -> Result<ResetZone, ZoneError> {
        if minutes.unsigned_abs() > MAX_OFFSET_MINUTES.unsigned_abs() {
            return Err(ZoneError::OffsetOutOfRange { minutes });
        }
        Offset::from_seconds(minutes * 60)
            .map(|offset| ResetZone(TimeZone::fixed(offset)))
            .map_err(|_| ZoneError::OffsetOutOfRange { minutes })
    }

    /// The zone, for the period arithmetic.
    pub(crate) fn time_zone(&self) -> &TimeZone {
        &self.0
    }
}

impl Default for ResetZone {
    /// UTC.
    fn default() -> Self {
        ResetZone::UTC
    }
}

/// The IANA name, so `"Europe/Berlin".parse()` reads a configured zone.
impl FromStr for ResetZone {
    type Err = ZoneError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ResetZone::named(name)
    }
}

/// The IANA name (`Europe/Berlin`, `UTC`), or `UTC+08:00` for a fixed offset.
impl fmt::Display for ResetZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0.iana_name(), self.0.to_fixed_offset()) {
            (Some(name), _) => f.write_str(name),
            (None, Ok(offset)) => {
                let minutes = offset.seconds() / 60;
                let sign = if minutes < 0 { '-' } else { '+' };
                let (hours, minutes) = (minutes.abs() / 60, minutes.abs() % 60);
                write!(f, "UTC{sign}{hours:02}:{minutes:02}")
            }
            (None, Err(_)) => f.write_str("(unnamed zone)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_bundled_database() {
        let berlin = ResetZone::named("europe/berlin").expect("bundled");
        assert_eq!(berlin.to_string(), "Europe/Berlin");
        assert_eq!("UTC".parse::<ResetZone>().expect("UTC"), ResetZone::UTC);
        assert_eq!(ResetZone::default().to_string(), "UTC");
        let error = ResetZone::named("Europe/Berln").unwrap_err();
        assert!(error.to_string().contains("Europe/Berln"), "{error}");
    }

    #[test]
    fn fixed_offsets_stay_within_real_ones() {
        assert_eq!(
            ResetZone::fixed_minutes(480).unwrap().to_string(),
            "UTC+08:00"
        );
        assert_eq!(
            ResetZone::fixed_minutes(-570).unwrap().to_string(),
            "UTC-09:30"
        );
        assert!(ResetZone::fixed_minutes(840).is_ok());
        assert!(ResetZone::fixed_minutes(-840).is_ok());
        for minutes in [841, -841, i32::MAX, i32::MIN] {
            let error = ResetZone::fixed_minutes(minutes).unwrap_err();
            assert!(error.to_string().contains("-840 to 840"), "{error}");
        }
    }
}
