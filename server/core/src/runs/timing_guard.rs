//! The server side of the timing model: refuses jumps that arrive faster than a person can play.
//!
//! Two checks, both against `game-logic`'s timing model less a configured tolerance for network jitter:
//! - since the previous jump this node accepted (monotonic clock), the least interval between releases;
//! - since the run started (wall clock, stored in Redis), the least time all jumps so far plus this one take.
//!   This one survives a reconnect or a move to another node, so a client cannot gain time by resuming.

use std::time::{Duration, Instant};

use game_logic::{GameSession, Jump};

/// A jump that came sooner than the timing model allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooFast {
    /// The least time the model requires, in ms.
    pub required_ms: u64,
    /// The time that passed, in ms.
    pub elapsed_ms: u64,
}

/// When the run's previous jumps happened, as this node saw them.
#[derive(Debug, Clone, Copy)]
pub struct TimingGuard {
    /// Wall-clock unix ms when the run started (shared by every node through the run's record).
    started_at_ms: u64,
    /// When this node accepted the previous jump; `None` right after a start or a resume.
    last_release: Option<Instant>,
    tolerance: Duration,
}

impl TimingGuard {
    /// A guard for a run that started at `started_at_ms` (unix ms) and whose last jump, if any, this node
    /// did not see.
    pub const fn new(started_at_ms: u64, tolerance: Duration) -> TimingGuard {
        TimingGuard {
            started_at_ms,
            last_release: None,
            tolerance,
        }
    }

    /// Checks `jump`, about to be applied to `session`, arriving at `now` / `now_ms` (unix ms).
    pub fn check(
        &self,
        session: &GameSession,
        jump: Jump,
        now: Instant,
        now_ms: u64,
    ) -> Result<(), TooFast> {
        let tolerance_ms = u64::try_from(self.tolerance.as_millis()).unwrap_or(u64::MAX);
        if let Some(last) = self.last_release {
            let required_ms = session.min_interval_ms(jump);
            let elapsed_ms =
                u64::try_from(now.saturating_duration_since(last).as_millis()).unwrap_or(u64::MAX);
            if elapsed_ms.saturating_add(tolerance_ms) < required_ms {
                return Err(TooFast {
                    required_ms,
                    elapsed_ms,
                });
            }
        }
        let required_ms =
            session.min_duration_ms() + u64::from(jump.dwell_ms) + u64::from(jump.press_ms);
        let elapsed_ms = now_ms.saturating_sub(self.started_at_ms);
        if elapsed_ms.saturating_add(tolerance_ms) < required_ms {
            return Err(TooFast {
                required_ms,
                elapsed_ms,
            });
        }
        Ok(())
    }

    /// Records that a jump was accepted at `now`.
    pub fn accepted(&mut self, now: Instant) {
        self.last_release = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use game_logic::Ruleset;

    const START_MS: u64 = 1_700_000_000_000;

    fn jump() -> Jump {
        Jump {
            press_ms: 700,
            dwell_ms: 300,
        }
    }

    #[test]
    fn the_first_jump_is_timed_from_the_run_start() {
        let session = GameSession::new(1, Ruleset::V1);
        let guard = TimingGuard::new(START_MS, Duration::from_millis(50));
        let now = Instant::now();
        assert_eq!(guard.check(&session, jump(), now, START_MS + 950), Ok(()));
        assert_eq!(
            guard.check(&session, jump(), now, START_MS + 949),
            Err(TooFast {
                required_ms: 1_000,
                elapsed_ms: 949
            })
        );
    }

    #[test]
    fn later_jumps_need_the_previous_flight_and_settle_too() {
        let mut session = GameSession::new(1, Ruleset::V1);
        let mut guard = TimingGuard::new(START_MS, Duration::ZERO);
        let t0 = Instant::now();
        session.apply(jump()).unwrap();
        guard.accepted(t0);
        let required = session.min_interval_ms(jump());
        let late = t0 + Duration::from_millis(required);
        let start_ok = START_MS + 10_000;
        assert_eq!(guard.check(&session, jump(), late, start_ok), Ok(()));
        let early = t0 + Duration::from_millis(required - 1);
        assert_eq!(
            guard.check(&session, jump(), early, start_ok),
            Err(TooFast {
                required_ms: required,
                elapsed_ms: required - 1
            })
        );
    }

    #[test]
    fn resuming_does_not_reset_the_run_clock() {
        let mut session = GameSession::new(1, Ruleset::V1);
        for _ in 0..3 {
            session
                .apply(Jump {
                    press_ms: 20,
                    dwell_ms: 100,
                })
                .unwrap();
        }
        // A fresh guard, as after a resume on another node: no previous release known, but the run's start
        // still bounds how much can have been played.
        let guard = TimingGuard::new(START_MS, Duration::ZERO);
        let required = session.min_duration_ms() + 1_000;
        let now = Instant::now();
        assert!(
            guard
                .check(&session, jump(), now, START_MS + required - 1)
                .is_err()
        );
        assert!(
            guard
                .check(&session, jump(), now, START_MS + required)
                .is_ok()
        );
    }
}
