//! Where a jump comes down, and what that means.

use serde::{Deserialize, Serialize};

use crate::ruleset::Params;
use crate::world::{Direction, Platform, Point};

/// How a jump ended. The first three keep the run going; the rest end it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Landing {
    /// On the next platform, within `centre_radius` of its centre.
    Centre,
    /// On the next platform, away from its centre.
    Landed,
    /// Fell short of the next platform but is still on the current one: a hop, no points.
    Stayed,
    /// Overshot: only the back half of the body is on the next platform's far edge.
    TippedForward,
    /// Just short: only the front half of the body is on the next platform's near edge.
    TippedBack,
    /// Just past the current platform: the body hangs over its edge.
    Overhang,
    /// Touched nothing.
    Fell,
}

impl Landing {
    /// True for the outcomes that end the run.
    pub const fn is_game_over(self) -> bool {
        matches!(
            self,
            Landing::TippedForward | Landing::TippedBack | Landing::Overhang | Landing::Fell
        )
    }

    /// True when the figure moved on to the next platform.
    pub const fn reached_next(self) -> bool {
        matches!(self, Landing::Centre | Landing::Landed)
    }
}

/// Classifies a touch-down at `point`, reached by jumping along `direction` from `current` towards
/// `next`. The tests run in this order; the first that holds wins:
/// 1. `point` on `next` within `centre_radius` of its centre: [`Landing::Centre`]; on `next`: [`Landing::Landed`].
/// 2. `point` on `current`: [`Landing::Stayed`].
/// 3. The point half a body behind `point` on `next`: [`Landing::TippedForward`].
/// 4. The point half a body ahead of `point` on `next`: [`Landing::TippedBack`].
/// 5. The point half a body behind `point` on `current`: [`Landing::Overhang`].
/// 6. Otherwise [`Landing::Fell`].
pub fn classify(
    params: &Params,
    current: &Platform,
    next: &Platform,
    direction: Direction,
    point: Point,
) -> Landing {
    if next.contains(point) {
        let dx = i128::from(point.x - next.centre.x);
        let dz = i128::from(point.z - next.centre.z);
        let r = i128::from(params.centre_radius);
        return if dx * dx + dz * dz <= r * r {
            Landing::Centre
        } else {
            Landing::Landed
        };
    }
    if current.contains(point) {
        return Landing::Stayed;
    }
    let behind = point.moved(direction, -params.body_half_width);
    let ahead = point.moved(direction, params.body_half_width);
    if next.contains(behind) {
        Landing::TippedForward
    } else if next.contains(ahead) {
        Landing::TippedBack
    } else if current.contains(behind) {
        Landing::Overhang
    } else {
        Landing::Fell
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::V1;
    use crate::world::Shape;

    fn cube_at(x: i64, radius: i64) -> Platform {
        Platform {
            centre: Point { x, z: 0 },
            shape: Shape::Cube,
            radius,
            special: None,
        }
    }

    fn land(x: i64) -> Landing {
        classify(
            &V1,
            &cube_at(0, 5_000),
            &cube_at(20_000, 4_000),
            Direction::Right,
            Point { x, z: 0 },
        )
    }

    #[test]
    fn each_outcome_at_its_place() {
        assert_eq!(land(20_000), Landing::Centre);
        assert_eq!(land(20_710), Landing::Centre);
        assert_eq!(land(19_290), Landing::Centre);
        assert_eq!(land(20_711), Landing::Landed);
        assert_eq!(land(24_000), Landing::Landed);
        assert_eq!(land(16_000), Landing::Landed);
        assert_eq!(land(24_001), Landing::TippedForward);
        assert_eq!(land(25_170), Landing::TippedForward);
        assert_eq!(land(25_171), Landing::Fell);
        assert_eq!(land(15_999), Landing::TippedBack);
        assert_eq!(land(14_830), Landing::TippedBack);
        assert_eq!(land(14_829), Landing::Fell);
        assert_eq!(land(5_000), Landing::Stayed);
        assert_eq!(land(1_000), Landing::Stayed);
        assert_eq!(land(5_001), Landing::Overhang);
        assert_eq!(land(6_170), Landing::Overhang);
        assert_eq!(land(6_171), Landing::Fell);
        assert_eq!(land(10_000), Landing::Fell);
    }

    #[test]
    fn game_over_and_progress_flags() {
        for l in [Landing::Centre, Landing::Landed, Landing::Stayed] {
            assert!(!l.is_game_over());
        }
        for l in [
            Landing::TippedForward,
            Landing::TippedBack,
            Landing::Overhang,
            Landing::Fell,
        ] {
            assert!(l.is_game_over());
            assert!(!l.reached_next());
        }
        assert!(Landing::Centre.reached_next() && Landing::Landed.reached_next());
        assert!(!Landing::Stayed.reached_next());
    }

    #[test]
    fn cylinder_edges_use_the_disc() {
        let next = Platform {
            centre: Point {
                x: 20_000,
                z: -3_000,
            },
            shape: Shape::Cylinder,
            radius: 5_000,
            special: None,
        };
        // 4 000 ahead and 3 000 across is exactly on the rim (3-4-5).
        let on_rim = Point { x: 24_000, z: 0 };
        let past = Point { x: 24_001, z: 0 };
        let current = cube_at(0, 5_000);
        assert_eq!(
            classify(&V1, &current, &next, Direction::Right, on_rim),
            Landing::Landed
        );
        assert_eq!(
            classify(&V1, &current, &next, Direction::Right, past),
            Landing::TippedForward
        );
    }
}
