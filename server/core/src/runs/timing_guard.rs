//! The server side of the timing model: refuses jumps that arrive faster than a person can play.
//!
//! Two checks, both against `game-logic`'s timing model less a configured tolerance for network jitter:
//! - since the previous jump, the least interval between releases;
//! - since the run started, the least time all jumps so far plus this one take.
//!
//! Both count in wall-clock time stored with the run's checkpoint (its start, and when its last jump was
//! appended), not in anything a connection keeps: a resume, a second connection or a move to another node
//! starts from the same state, so a client cannot bank time by reconnecting.

use std::time::Duration;

use game_logic::{GameSession, Jump};

/// A jump that came sooner than the timing model allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooFast {
    /// The least time the model requires, in ms.
    pub required_ms: u64,
    /// The time that passed, in ms.
    pub elapsed_ms: u64,
}

/// When the run's previous jumps happened, as its checkpoint records them.
#[derive(Debug, Clone, Copy)]
pub(super) struct TimingGuard {
    /// Unix ms when the run started.
    started_at_ms: u64,
    /// Unix ms when its last jump was appended; `None` before the first.
    last_jump_ms: Option<u64>,
    tolerance: Duration,
}

impl TimingGuard {
    /// A guard for a run that started at `started_at_ms` and whose last jump was appended at
    /// `last_jump_ms` (unix ms), as its checkpoint says.
    pub(super) const fn new(
        started_at_ms: u64,
        last_jump_ms: Option<u64>,
        tolerance: Duration,
    ) -> TimingGuard {
        TimingGuard {
            started_at_ms,
            last_jump_ms,
            tolerance,
        }
    }

    /// Checks `jump`, about to be applied to `session`, arriving at `now_ms` (unix ms).
    pub(super) fn check(
        &self,
        session: &GameSession,
        jump: Jump,
        now_ms: u64,
    ) -> Result<(), TooFast> {
        let tolerance_ms = u64::try_from(self.tolerance.as_millis()).unwrap_or(u64::MAX);
        if let Some(last_ms) = self.last_jump_ms {
            let required_ms = session.min_interval_ms(jump);
            let elapsed_ms = now_ms.saturating_sub(last_ms);
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

    /// Unix ms when the run's last jump was appended, if any.
    pub(crate) const fn last_jump_ms(&self) -> Option<u64> {
        self.last_jump_ms
    }

    /// Records that a jump was appended at `now_ms`, as the checkpoint now says too.
    pub(super) fn accepted(&mut self, now_ms: u64) {
        self.last_jump_ms = Some(now_ms);
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
        let guard = TimingGuard::new(START_MS, None, Duration::from_millis(50));
        assert_eq!(guard.check(&session, jump(), START_MS + 950), Ok(()));
        assert_eq!(
            guard.check(&session, jump(), START_MS + 949),
            Err(TooFast {
                required_ms: 1_000,
                elapsed_ms: 949
            })
        );
    }

    #[test]
    fn later_jumps_need_the_previous_flight_and_settle_too() {
        let mut session = GameSession::new(1, Ruleset::V1);
        let mut guard = TimingGuard::new(START_MS, None, Duration::ZERO);
        let t0 = START_MS + 10_000;
        session.apply(jump()).unwrap();
        guard.accepted(t0);
        let required = session.min_interval_ms(jump());
        assert_eq!(guard.check(&session, jump(), t0 + required), Ok(()));
        assert_eq!(
            guard.check(&session, jump(), t0 + required - 1),
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
        // A guard built from the checkpoint, as after a resume on another node: the run's start still
        // bounds how much can have been played.
        let guard = TimingGuard::new(START_MS, None, Duration::ZERO);
        let required = session.min_duration_ms() + 1_000;
        assert!(
            guard
                .check(&session, jump(), START_MS + required - 1)
                .is_err()
        );
        assert!(guard.check(&session, jump(), START_MS + required).is_ok());
    }

    #[test]
    fn a_resumed_guard_keeps_the_interval_since_the_last_jump() {
        let mut session = GameSession::new(1, Ruleset::V1);
        session.apply(jump()).unwrap();
        let last = START_MS + 60_000;
        // Rebuilt from the checkpoint (a resume, a second connection): the last jump's time still counts.
        let guard = TimingGuard::new(START_MS, Some(last), Duration::ZERO);
        let required = session.min_interval_ms(jump());
        assert!(guard.check(&session, jump(), last + required - 1).is_err());
        assert!(guard.check(&session, jump(), last + required).is_ok());
    }
}
