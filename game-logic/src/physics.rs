//! Press duration to flight: the ballistic model of the original, in exact integer arithmetic.
//!
//! A press of `p` ms gives a horizontal speed `vx = min(vx_per_ms * p, vx_max)` and a vertical speed
//! `vy = min(vy_base + vy_per_ms * p, vy_max)` (mu/s). Launch and landing are at the same height (the crouch
//! is drawn by clients but does not change the flight), so the figure is in the air for `2 * vy / gravity`
//! seconds and flies `vx * 2 * vy / gravity` mu. Both are rounded down.

use crate::ruleset::Params;

/// The horizontal distance flown by a press of `press_ms`, in milli-units.
pub const fn distance(params: &Params, press_ms: u32) -> i64 {
    let (vx, vy) = speeds(params, press_ms);
    (vx * 2 * vy / params.gravity) as i64
}

/// The time in the air after a press of `press_ms`, in milliseconds.
pub const fn flight_ms(params: &Params, press_ms: u32) -> u32 {
    let (_, vy) = speeds(params, press_ms);
    (vy * 2 * 1000 / params.gravity) as u32
}

const fn speeds(params: &Params, press_ms: u32) -> (u64, u64) {
    let press = press_ms as u64;
    let vx = min(params.vx_per_ms * press, params.vx_max);
    let vy = min(params.vy_base + params.vy_per_ms * press, params.vy_max);
    (vx, vy)
}

const fn min(a: u64, b: u64) -> u64 {
    if a < b { a } else { b }
}

/// The press, within the ruleset's accepted range, whose distance is closest to `target` mu (the shorter
/// press on a tie). `distance` never decreases with the press, so a binary search finds it.
pub fn press_for_distance(params: &Params, target: i64) -> u32 {
    let (mut low, mut high) = (params.min_press_ms, params.max_press_ms);
    while low < high {
        let mid = low + (high - low) / 2;
        if distance(params, mid) < target {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    if low > params.min_press_ms
        && target - distance(params, low - 1) <= distance(params, low) - target
    {
        low - 1
    } else {
        low
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::V1;

    #[test]
    fn distance_follows_the_original_formula() {
        // d = 70 T (135 + 15 T) / 360 units for T in seconds, below both caps.
        assert_eq!(distance(&V1, 1_000), 29_166); // 70 * 150 / 360 = 29.1666 units
        assert_eq!(distance(&V1, 500), 13_854); // 35 * 142.5 / 360 = 13.854
        assert_eq!(distance(&V1, 100), 2_654);
    }

    #[test]
    fn speeds_are_capped() {
        // vx caps at 150 units/s (press 2143 ms), vy at 180 units/s (press 3000 ms).
        assert_eq!(distance(&V1, 3_000), 75_000);
        assert_eq!(distance(&V1, 10_000), 75_000);
        assert_eq!(flight_ms(&V1, 3_000), 500);
        assert_eq!(flight_ms(&V1, 0), 375);
    }

    #[test]
    fn distance_never_decreases_with_the_press() {
        let mut last = 0;
        for press in 0..=V1.max_press_ms {
            let d = distance(&V1, press);
            assert!(d >= last, "press {press}");
            last = d;
        }
    }

    #[test]
    fn press_for_distance_inverts_distance() {
        for target in [3_000, 14_000, 20_000, 29_166, 40_000] {
            let press = press_for_distance(&V1, target);
            let err = (distance(&V1, press) - target).abs();
            let before = (distance(&V1, press - 1) - target).abs();
            let after = (distance(&V1, press + 1) - target).abs();
            assert!(err <= before && err <= after, "target {target}");
        }
        assert_eq!(press_for_distance(&V1, 0), V1.min_press_ms);
        assert_eq!(press_for_distance(&V1, i64::MAX), V1.max_press_ms);
    }
}
