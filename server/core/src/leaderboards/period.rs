//! Board periods: which daily and weekly period a moment falls in, under the configured reset weekday,
//! hour and time zone. Pure functions of the time given, so the clock is injected by the caller.
//!
//! A board day is named by the local date it starts on and starts at the reset hour of that date, read in
//! the zone ([`ResetZone`]). Where the zone has daylight saving, that local time may not exist or may
//! exist twice, so precisely: **board day D starts at the first instant at which the local clock reads D
//! at the reset hour or later.** Hence:
//! - a reset hour the clocks skip turns over at the jump. Europe/Berlin, last Sunday of March, reset
//!   02:00: the clocks go from 01:59:59 CET to 03:00 CEST, and the day starts at 03:00 CEST (01:00 UTC);
//! - a reset hour the clocks pass twice turns over at its first pass. Europe/Berlin, last Sunday of
//!   October, reset 02:00: the day starts at 02:00 CEST (00:00 UTC), and the repeated hour belongs to it.
//!
//! A daily period is 23 or 25 hours long when the clocks change between its two resets, and a weekly
//! period 167 or 169 hours; `ends_at_ms` is always the next period's start. Dates past jiff's range (the
//! year 9999) end at its last instant instead of failing.

use std::sync::{Arc, Mutex, PoisonError};

use jiff::civil::{Date, Time};
use jiff::tz::AmbiguousOffset;
use jiff::{SignedDuration, Timestamp};
use protocol::Period;

use super::zone::ResetZone;

/// When periods turn over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodRules {
    /// Weekday the weekly board resets on, 0 = Monday .. 6 = Sunday.
    pub weekly_reset_weekday: u8,
    /// Local hour (0..24) both the daily and the weekly board reset at.
    pub reset_hour: u8,
    /// The zone the reset hour is read in.
    pub zone: ResetZone,
}

impl Default for PeriodRules {
    /// Monday 00:00 UTC.
    fn default() -> Self {
        PeriodRules {
            weekly_reset_weekday: 0,
            reset_hour: 0,
            zone: ResetZone::UTC,
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
        self.slot_and_start(period, now_ms).0
    }

    /// The period of kind `period` containing `now_ms`, and the unix ms it started at (0 for all-time).
    fn slot_and_start(&self, period: Period, now_ms: u64) -> (PeriodSlot, u64) {
        let (prefix, length_days) = match period {
            Period::AllTime => {
                let all = PeriodSlot {
                    id: "all".into(),
                    ends_at_ms: None,
                };
                return (all, 0);
            }
            Period::Daily => ('d', 1),
            Period::Weekly => ('w', 7),
        };
        let now = Timestamp::from_millisecond(i64::try_from(now_ms).unwrap_or(i64::MAX))
            .unwrap_or(Timestamp::MAX);
        let day = self.board_day(now);
        let start = match period {
            Period::Weekly => {
                let weekday = day.weekday().to_monday_zero_offset();
                let back =
                    (i64::from(weekday) - i64::from(self.weekly_reset_weekday)).rem_euclid(7);
                add_days(day, -back)
            }
            _ => day,
        };
        let end = self.day_start(add_days(start, length_days));
        let slot = PeriodSlot {
            id: format!(
                "{prefix}{:04}-{:02}-{:02}",
                start.year(),
                start.month(),
                start.day()
            ),
            ends_at_ms: u64::try_from(end.as_millisecond()).ok(),
        };
        // Before 1970 (or out of range) it counts as starting at the last instant: never remembered.
        let starts_at_ms =
            u64::try_from(self.day_start(start).as_millisecond()).unwrap_or(u64::MAX);
        (slot, starts_at_ms)
    }

    /// The board day `now` falls in: the day with the last start at or before `now`. Usually the local
    /// date, or the one before when the reset hour has not come yet today; the loops also settle the rare
    /// zones whose clocks go back across midnight.
    fn board_day(&self, now: Timestamp) -> Date {
        let mut day = self.zone.time_zone().to_datetime(now).date();
        while day > Date::MIN && self.day_start(day) > now {
            day = add_days(day, -1);
        }
        loop {
            let next = add_days(day, 1);
            if next == day || self.day_start(next) > now {
                return day;
            }
            day = next;
        }
    }

    /// The first instant at which the local clock reads `date` at the reset hour or later (the module
    /// documentation says why this rule). The reset hour is added to local midnight as civil time, so it
    /// is never out of range.
    fn day_start(&self, date: Date) -> Timestamp {
        let zone = self.zone.time_zone();
        let Ok(reset) = date
            .to_datetime(Time::midnight())
            .checked_add(SignedDuration::from_hours(i64::from(self.reset_hour)))
        else {
            return Timestamp::MAX;
        };
        let local = zone.to_ambiguous_timestamp(reset);
        let start = match local.offset() {
            // Once, or twice in a fold: the first pass.
            AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Fold { .. } => local.earlier(),
            // Skipped: read in the offset after the jump, `reset` falls just before the jump, so the
            // next transition is the jump itself.
            AmbiguousOffset::Gap { after, .. } => after.to_timestamp(reset).map(|before_jump| {
                zone.following(before_jump)
                    .next()
                    .map_or(before_jump, |jump| jump.timestamp())
            }),
        };
        start.unwrap_or(Timestamp::MAX)
    }
}

/// [`PeriodRules`] with the daily and the weekly period last worked out remembered. Recording a run asks
/// for the same periods about twelve times, and working one out reads the zone's rules (about 1,900
/// instructions); a moment within a remembered period's bounds gets it back instead. Clones share what
/// they remember.
#[derive(Debug, Clone)]
pub struct Periods {
    rules: PeriodRules,
    /// The daily period, then the weekly one.
    remembered: Arc<[Mutex<Option<Remembered>>; 2]>,
}

/// A period worked out, with the unix ms it started at: it holds for every moment from then until it
/// ends.
#[derive(Debug)]
struct Remembered {
    starts_at_ms: u64,
    slot: PeriodSlot,
}

impl Periods {
    /// Periods turning over by `rules`, none remembered yet.
    pub fn new(rules: PeriodRules) -> Periods {
        Periods {
            rules,
            remembered: Arc::default(),
        }
    }

    /// The rules.
    pub fn rules(&self) -> &PeriodRules {
        &self.rules
    }

    /// The period of kind `period` containing `now_ms`: [`PeriodRules::slot`], remembered.
    pub fn slot(&self, period: Period, now_ms: u64) -> PeriodSlot {
        let index = match period {
            Period::AllTime => return self.rules.slot(period, now_ms),
            Period::Daily => 0,
            Period::Weekly => 1,
        };
        // A slot is a date and a number: nothing panics while it is held, and a poisoned one is whole.
        let mut remembered = self.remembered[index]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(known) = remembered.as_ref()
            && known.starts_at_ms <= now_ms
            && known.slot.ends_at_ms.is_some_and(|end| now_ms < end)
        {
            return known.slot.clone();
        }
        let (slot, starts_at_ms) = self.rules.slot_and_start(period, now_ms);
        *remembered = Some(Remembered {
            starts_at_ms,
            slot: slot.clone(),
        });
        slot
    }
}

/// `date` moved by `days`, held at the ends of the calendar's range.
fn add_days(date: Date, days: i64) -> Date {
    date.checked_add(SignedDuration::from_hours(24 * days))
        .unwrap_or(if days < 0 { Date::MIN } else { Date::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-23 00:00:00 UTC, a Monday.
    const MONDAY: u64 = 1_795_392_000_000;
    const HOUR: u64 = 3_600_000;

    /// Unix ms of an RFC 3339 instant, for readable expectations.
    fn at(instant: &str) -> u64 {
        let timestamp: Timestamp = instant.parse().expect("an RFC 3339 instant");
        u64::try_from(timestamp.as_millisecond()).expect("after 1970")
    }

    fn rules(zone: &str, reset_hour: u8, weekly_reset_weekday: u8) -> PeriodRules {
        PeriodRules {
            weekly_reset_weekday,
            reset_hour,
            zone: ResetZone::named(zone).expect("a bundled zone"),
        }
    }

    /// Asserts that `now` falls in the period `id`, which started at `start` and ends at `end`.
    fn assert_period(
        rules: &PeriodRules,
        period: Period,
        now: u64,
        id: &str,
        start: &str,
        end: &str,
    ) {
        let slot = rules.slot(period, now);
        assert_eq!(slot.id, id, "at {now}");
        assert_eq!(slot.ends_at_ms, Some(at(end)), "end of {id}");
        assert_eq!(
            rules.slot(period, at(start)).id,
            id,
            "{id} starts at {start}"
        );
        assert_ne!(
            rules.slot(period, at(start) - 1).id,
            id,
            "{id} starts no earlier than {start}"
        );
        assert_ne!(rules.slot(period, at(end)).id, id, "{id} is over at {end}");
    }

    #[test]
    fn dates_are_civil_dates() {
        let utc = PeriodRules::default();
        assert_eq!(utc.slot(Period::Daily, 0).id, "d1970-01-01");
        assert_eq!(
            utc.slot(Period::Daily, 19_782 * 24 * HOUR).id,
            "d2024-02-29"
        );
        let west = PeriodRules {
            zone: ResetZone::fixed_minutes(-60).unwrap(),
            ..PeriodRules::default()
        };
        assert_eq!(west.slot(Period::Daily, 0).id, "d1969-12-31");
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
            zone: ResetZone::fixed_minutes(480).unwrap(),
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

    #[test]
    fn berlin_days_at_midnight_last_23_and_25_hours_when_the_clocks_change() {
        let berlin = rules("Europe/Berlin", 0, 0);
        // Spring forward, Sunday 2026-03-29: midnight CET to midnight CEST.
        assert_period(
            &berlin,
            Period::Daily,
            at("2026-03-29T12:00:00Z"),
            "d2026-03-29",
            "2026-03-28T23:00:00Z",
            "2026-03-29T22:00:00Z",
        );
        // Fall back, Sunday 2026-10-25: midnight CEST to midnight CET.
        assert_period(
            &berlin,
            Period::Daily,
            at("2026-10-25T12:00:00Z"),
            "d2026-10-25",
            "2026-10-24T22:00:00Z",
            "2026-10-25T23:00:00Z",
        );
    }

    #[test]
    fn a_skipped_reset_hour_turns_over_at_the_jump() {
        // Berlin, 2026-03-29: 02:00 CET never happens, the clocks go from 01:59:59 CET to 03:00 CEST.
        let berlin = rules("Europe/Berlin", 2, 0);
        let jump = "2026-03-29T01:00:00Z";
        assert_period(
            &berlin,
            Period::Daily,
            at(jump) - 1,
            "d2026-03-28",
            "2026-03-28T01:00:00Z",
            jump,
        );
        // The day that starts at the jump ends at 02:00 CEST the next day: 23 hours.
        assert_period(
            &berlin,
            Period::Daily,
            at(jump),
            "d2026-03-29",
            jump,
            "2026-03-30T00:00:00Z",
        );
        // New York, 2026-03-08: 02:00 EST never happens, the clocks go to 03:00 EDT at 07:00 UTC.
        let new_york = rules("America/New_York", 2, 0);
        assert_period(
            &new_york,
            Period::Daily,
            at("2026-03-08T06:59:59Z"),
            "d2026-03-07",
            "2026-03-07T07:00:00Z",
            "2026-03-08T07:00:00Z",
        );
        assert_period(
            &new_york,
            Period::Daily,
            at("2026-03-08T07:00:00Z"),
            "d2026-03-08",
            "2026-03-08T07:00:00Z",
            "2026-03-09T06:00:00Z",
        );
    }

    #[test]
    fn a_repeated_reset_hour_turns_over_at_its_first_pass() {
        // Berlin, 2026-10-25: 02:00-02:59 happens in CEST, then again in CET.
        let berlin = rules("Europe/Berlin", 2, 0);
        // The first 02:00 (CEST, 00:00 UTC) starts the day, which ends at 02:00 CET the next day: 25 hours.
        assert_period(
            &berlin,
            Period::Daily,
            at("2026-10-25T00:00:00Z"),
            "d2026-10-25",
            "2026-10-25T00:00:00Z",
            "2026-10-26T01:00:00Z",
        );
        // 02:30 CET, the second pass, is in the same day.
        assert_eq!(
            berlin.slot(Period::Daily, at("2026-10-25T01:30:00Z")).id,
            "d2026-10-25"
        );
        // New York, 2026-11-01: 01:00-01:59 happens in EDT, then again in EST.
        let new_york = rules("America/New_York", 1, 0);
        assert_period(
            &new_york,
            Period::Daily,
            at("2026-11-01T06:30:00Z"),
            "d2026-11-01",
            "2026-11-01T05:00:00Z",
            "2026-11-02T06:00:00Z",
        );
    }

    #[test]
    fn weeks_across_a_clock_change_last_167_and_169_hours() {
        let berlin = rules("Europe/Berlin", 0, 0);
        assert_period(
            &berlin,
            Period::Weekly,
            at("2026-03-26T12:00:00Z"),
            "w2026-03-23",
            "2026-03-22T23:00:00Z",
            "2026-03-29T22:00:00Z",
        );
        assert_period(
            &berlin,
            Period::Weekly,
            at("2026-10-21T12:00:00Z"),
            "w2026-10-19",
            "2026-10-18T22:00:00Z",
            "2026-10-25T23:00:00Z",
        );
        // New York, weeks from Sunday 02:00: the week that starts on the spring-forward Sunday starts at
        // the jump; the one that starts on the fall-back Sunday starts at 02:00 EST, after the repeat.
        let new_york = rules("America/New_York", 2, 6);
        assert_period(
            &new_york,
            Period::Weekly,
            at("2026-03-10T12:00:00Z"),
            "w2026-03-08",
            "2026-03-08T07:00:00Z",
            "2026-03-15T06:00:00Z",
        );
        assert_period(
            &new_york,
            Period::Weekly,
            at("2026-10-28T12:00:00Z"),
            "w2026-10-25",
            "2026-10-25T06:00:00Z",
            "2026-11-01T07:00:00Z",
        );
    }

    #[test]
    fn a_zone_without_daylight_saving_keeps_24_hour_days() {
        // Asia/Shanghai has been UTC+8 all year since 1992: the same periods as the fixed offset.
        let shanghai = rules("Asia/Shanghai", 4, 0);
        let fixed = PeriodRules {
            zone: ResetZone::fixed_minutes(480).unwrap(),
            ..shanghai.clone()
        };
        let year_start = at("2026-01-01T00:00:00Z");
        for step in 0..(366 * 24 / 5) {
            let now = year_start + step * 5 * HOUR;
            for period in [Period::Daily, Period::Weekly] {
                assert_eq!(
                    shanghai.slot(period, now),
                    fixed.slot(period, now),
                    "at {now}"
                );
            }
        }
        assert_period(
            &shanghai,
            Period::Daily,
            at("2026-03-29T12:00:00Z"),
            "d2026-03-29",
            "2026-03-28T20:00:00Z",
            "2026-03-29T20:00:00Z",
        );
    }

    #[test]
    fn instants_past_the_calendar_do_not_panic() {
        for zone in [
            "UTC",
            "Europe/Berlin",
            "Pacific/Kiritimati",
            "Pacific/Pago_Pago",
        ] {
            let rules = rules(zone, 23, 6);
            for now in [0, 1, i64::MAX as u64, u64::MAX] {
                for period in [Period::Daily, Period::Weekly, Period::AllTime] {
                    let slot = rules.slot(period, now);
                    assert!(!slot.id.is_empty());
                }
            }
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Zones with daylight saving at different hours, one whose clocks go back across midnight
        /// (America/Santiago), one with two-hour jumps (Antarctica/Troll) and one with half-hour ones
        /// (Australia/Lord_Howe).
        const ZONES: [&str; 7] = [
            "Europe/Berlin",
            "America/New_York",
            "Asia/Shanghai",
            "America/Santiago",
            "Antarctica/Troll",
            "Australia/Lord_Howe",
            "Asia/Kolkata",
        ];

        /// Rules in one of the zones, at any reset hour and weekday.
        fn any_rules() -> impl Strategy<Value = PeriodRules> {
            (0..ZONES.len(), 0u8..24, 0u8..7)
                .prop_map(|(zone, hour, weekday)| rules(ZONES[zone], hour, weekday))
        }

        /// A moment of this century.
        fn any_moment() -> std::ops::Range<u64> {
            at("2000-01-01T00:00:00Z")..at("2100-01-01T00:00:00Z")
        }

        proptest! {
            /// Every instant falls in a period that ends after it, the next instant after the end is in
            /// another period, and a day lasts 22 to 26 hours, a week 166 to 170.
            #[test]
            fn periods_tile_time(rules in any_rules(), now in any_moment()) {
                for (period, days) in [(Period::Daily, 1), (Period::Weekly, 7)] {
                    let slot = rules.slot(period, now);
                    let end = slot.ends_at_ms.expect("daily and weekly periods end");
                    prop_assert!(end > now);
                    prop_assert_eq!(&rules.slot(period, end - 1).id, &slot.id);
                    let next = rules.slot(period, end);
                    prop_assert_ne!(&next.id, &slot.id);
                    let length = next.ends_at_ms.expect("ends") - end;
                    prop_assert!(
                        (days * 24 - 2) * HOUR <= length && length <= (days * 24 + 2) * HOUR,
                        "{} lasts {} h", next.id, length / HOUR
                    );
                }
            }

            /// Remembered periods are the periods: whatever moments are asked in whatever order
            /// (around turnovers and clock changes too), `Periods` answers what the rules answer.
            #[test]
            fn remembered_periods_are_the_rules_periods(
                rules in any_rules(),
                start in any_moment(),
                steps in proptest::collection::vec(
                    prop_oneof![-3 * HOUR as i64..3 * HOUR as i64, -400 * HOUR as i64..400 * HOUR as i64],
                    1..40,
                ),
            ) {
                let periods = Periods::new(rules.clone());
                let mut now = start;
                for step in steps {
                    now = now.saturating_add_signed(step);
                    for period in [Period::Daily, Period::Weekly, Period::AllTime] {
                        prop_assert_eq!(periods.slot(period, now), rules.slot(period, now), "at {}", now);
                        // Just before the period's end, and at it.
                        if let Some(end) = rules.slot(period, now).ends_at_ms {
                            prop_assert_eq!(periods.slot(period, end - 1), rules.slot(period, end - 1));
                            prop_assert_eq!(periods.slot(period, end), rules.slot(period, end));
                        }
                    }
                }
            }
        }
    }
}
