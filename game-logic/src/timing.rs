//! The timing model: the least real time a jump can take, so inputs faster than a person are refused.
//!
//! A jump is, in order: the dwell (standing still after the previous landing settled), the press, the
//! flight, and the settle time while the figure lands and the camera moves on. A person cannot release a
//! jump sooner than `flight(previous) + settle + dwell + press` after releasing the previous one.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::physics::flight_ms;
use crate::ruleset::Params;

/// One input: how long the player waited after the last landing settled, then how long they pressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Jump {
    /// Press duration in milliseconds; decides the distance flown.
    pub press_ms: u32,
    /// Milliseconds standing still before the press started; earns special-platform bonuses.
    pub dwell_ms: u32,
}

/// Why a jump's values are impossible under the timing model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum InvalidJump {
    /// The press is shorter than a person can make.
    #[error("press of {press_ms} ms is shorter than the minimum {min_ms} ms")]
    PressTooShort {
        /// The press received.
        press_ms: u32,
        /// The ruleset's minimum.
        min_ms: u32,
    },
    /// The press is longer than the ruleset accepts.
    #[error("press of {press_ms} ms is longer than the maximum {max_ms} ms")]
    PressTooLong {
        /// The press received.
        press_ms: u32,
        /// The ruleset's maximum.
        max_ms: u32,
    },
    /// The dwell is shorter than a person's reaction time.
    #[error("dwell of {dwell_ms} ms is shorter than the minimum {min_ms} ms")]
    DwellTooShort {
        /// The dwell received.
        dwell_ms: u32,
        /// The ruleset's minimum.
        min_ms: u32,
    },
    /// The dwell is longer than the ruleset accepts.
    #[error("dwell of {dwell_ms} ms is longer than the maximum {max_ms} ms")]
    DwellTooLong {
        /// The dwell received.
        dwell_ms: u32,
        /// The ruleset's maximum.
        max_ms: u32,
    },
}

/// Checks a jump's values against the ruleset's bounds.
pub const fn check(params: &Params, jump: Jump) -> Result<(), InvalidJump> {
    if jump.press_ms < params.min_press_ms {
        return Err(InvalidJump::PressTooShort {
            press_ms: jump.press_ms,
            min_ms: params.min_press_ms,
        });
    }
    if jump.press_ms > params.max_press_ms {
        return Err(InvalidJump::PressTooLong {
            press_ms: jump.press_ms,
            max_ms: params.max_press_ms,
        });
    }
    if jump.dwell_ms < params.min_dwell_ms {
        return Err(InvalidJump::DwellTooShort {
            dwell_ms: jump.dwell_ms,
            min_ms: params.min_dwell_ms,
        });
    }
    if jump.dwell_ms > params.max_dwell_ms {
        return Err(InvalidJump::DwellTooLong {
            dwell_ms: jump.dwell_ms,
            max_ms: params.max_dwell_ms,
        });
    }
    Ok(())
}

/// The least time between releasing the previous jump (whose press was `previous_press_ms`, `None` for the
/// first jump of a run, timed from the run's start) and releasing `jump`.
pub const fn min_interval_ms(params: &Params, previous_press_ms: Option<u32>, jump: Jump) -> u64 {
    let since_previous = match previous_press_ms {
        Some(press) => flight_ms(params, press) as u64 + params.settle_ms as u64,
        None => 0,
    };
    since_previous + jump.dwell_ms as u64 + jump.press_ms as u64
}

/// The least time a whole jump takes: dwell, press, flight and settle.
pub const fn jump_duration_ms(params: &Params, jump: Jump) -> u64 {
    jump.dwell_ms as u64
        + jump.press_ms as u64
        + flight_ms(params, jump.press_ms) as u64
        + params.settle_ms as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::V1;

    const fn jump(press_ms: u32, dwell_ms: u32) -> Jump {
        Jump { press_ms, dwell_ms }
    }

    #[test]
    fn bounds_are_enforced_in_order() {
        assert_eq!(check(&V1, jump(500, 300)), Ok(()));
        assert_eq!(check(&V1, jump(20, 100)), Ok(()));
        assert!(matches!(
            check(&V1, jump(19, 300)),
            Err(InvalidJump::PressTooShort { .. })
        ));
        assert!(matches!(
            check(&V1, jump(10_001, 300)),
            Err(InvalidJump::PressTooLong { .. })
        ));
        assert!(matches!(
            check(&V1, jump(500, 99)),
            Err(InvalidJump::DwellTooShort { .. })
        ));
        assert!(matches!(
            check(&V1, jump(500, 600_001)),
            Err(InvalidJump::DwellTooLong { .. })
        ));
    }

    #[test]
    fn interval_adds_previous_flight_and_settle() {
        assert_eq!(min_interval_ms(&V1, None, jump(700, 300)), 1_000);
        // flight of a 1000 ms press: vy = 150 units/s, 2 * 150 / 720 s = 416 ms.
        assert_eq!(
            min_interval_ms(&V1, Some(1_000), jump(700, 300)),
            416 + 200 + 1_000
        );
        assert_eq!(
            jump_duration_ms(&V1, jump(1_000, 300)),
            300 + 1_000 + 416 + 200
        );
    }
}
