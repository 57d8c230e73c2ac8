//! Board periods: which daily and weekly period a moment falls in, under the configured reset weekday,
//! hour and UTC offset. Pure functions of the time given, so the clock is injected by the caller.

use protocol::Period;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
const HOUR_MS: i64 = 60 * 60 * 1000;

/// When periods turn over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodRules {
    /// Weekday the weekly board resets on, 0 = Monday .. 6 = Sunday.
    pub weekly_reset_weekday: u8,
    /// Local hour (0..24) both the daily and the weekly board reset at.
    pub reset_hour: u8,
    /// The time zone, as a fixed offset from UTC in minutes (China: +480).
    pub utc_offset_minutes: i32,
}

impl Default for PeriodRules {
    /// Monday 00:00 UTC.
    fn default() -> Self {
        PeriodRules {
            weekly_reset_weekday: 0,
            reset_hour: 0,
            utc_offset_minutes: 0,
        }
    }
}

/// One period of one board kind: its id and when it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodSlot {
    /// `d2026-11-24`, `w2026-11-23` (the local date the period starts on) or `all`.
    pub id: String,
    /// Unix ms when the period ends (`None` for all-time).
    pub ends_at_ms: Option<u64>,
}

impl PeriodRules {
    /// The period of kind `period` containing `now_ms`.
    pub fn slot(&self, period: Period, now_ms: u64) -> PeriodSlot {
        // Days since 1970-01-01 of the "board day" (local time shifted back by the reset hour).
        let board_ms = i64::try_from(now_ms).unwrap_or(i64::MAX)
            + i64::from(self.utc_offset_minutes) * 60_000
            - i64::from(self.reset_hour) * HOUR_MS;
        let day = board_ms.div_euclid(DAY_MS);
        let (start_day, length_days, prefix) = match period {
            Period::AllTime => {
                return PeriodSlot {
                    id: "all".into(),
                    ends_at_ms: None,
                };
            }
            Period::Daily => (day, 1, 'd'),
            Period::Weekly => {
                // 1970-01-01 was a Thursday: weekday 3 with Monday = 0.
                let weekday = (day + 3).rem_euclid(7);
                let back = (weekday - i64::from(self.weekly_reset_weekday)).rem_euclid(7);
                (day - back, 7, 'w')
            }
        };
        let (year, month, date) = civil_from_days(start_day);
        let end_utc_ms = (start_day + length_days) * DAY_MS
            - i64::from(self.utc_offset_minutes) * 60_000
            + i64::from(self.reset_hour) * HOUR_MS;
        PeriodSlot {
            id: format!("{prefix}{year:04}-{month:02}-{date:02}"),
            ends_at_ms: u64::try_from(end_utc_ms).ok(),
        }
    }
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let date = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, date)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-23 00:00:00 UTC, a Monday.
    const MONDAY: u64 = 1_795_392_000_000;
    const HOUR: u64 = 3_600_000;

    #[test]
    fn dates_are_civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn the_default_week_runs_monday_to_monday_utc() {
        let rules = PeriodRules::default();
        let week = rules.slot(Period::Weekly, MONDAY);
        assert_eq!(week.id, "w2026-11-23");
        assert_eq!(week.ends_at_ms, Some(MONDAY + 7 * 24 * HOUR));
        assert_eq!(
            rules.slot(Period::Weekly, MONDAY - 1).id,
            "w2026-11-16",
            "one ms before the reset"
        );
        assert_eq!(
            rules.slot(Period::Weekly, MONDAY + 7 * 24 * HOUR - 1).id,
            "w2026-11-23"
        );
        assert_eq!(
            rules.slot(Period::Daily, MONDAY + 5 * HOUR).id,
            "d2026-11-23"
        );
        assert_eq!(rules.slot(Period::AllTime, MONDAY).id, "all");
    }

    #[test]
    fn reset_weekday_hour_and_offset_move_the_boundary() {
        // Sunday 20:00 in UTC+8 is Monday 04:00 local: with a Monday 04:00 reset, the new week starts.
        let rules = PeriodRules {
            weekly_reset_weekday: 0,
            reset_hour: 4,
            utc_offset_minutes: 480,
        };
        let boundary = MONDAY - 4 * HOUR; // Sunday 2026-11-22 20:00 UTC
        assert_eq!(rules.slot(Period::Weekly, boundary).id, "w2026-11-23");
        assert_eq!(rules.slot(Period::Weekly, boundary - 1).id, "w2026-11-16");
        assert_eq!(
            rules.slot(Period::Weekly, boundary).ends_at_ms,
            Some(boundary + 7 * 24 * HOUR)
        );
        assert_eq!(rules.slot(Period::Daily, boundary - 1).id, "d2026-11-22");
        // A Thursday reset.
        let thursday = PeriodRules {
            weekly_reset_weekday: 3,
            ..PeriodRules::default()
        };
        assert_eq!(thursday.slot(Period::Weekly, MONDAY).id, "w2026-11-19");
    }
}
