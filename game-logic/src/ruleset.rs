//! Rule versions and their constants.
//!
//! Every run carries its [`Ruleset`]. A stored run is replayed with the constants of the version it was
//! played under, so changing the rules means adding a version, never editing one: `RULES.md` and the golden
//! vectors pin every released version.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// A released version of the rules. Only known versions can be constructed, so a session can never run
/// under constants that do not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub enum Ruleset {
    /// The first ruleset, specified in `RULES.md`.
    V1,
}

/// A ruleset version number that this build does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("unknown ruleset version {0}: this build knows versions {known}", known = Ruleset::KNOWN_VERSIONS)]
pub struct UnknownRuleset(pub u16);

impl Ruleset {
    /// The ruleset new runs use.
    pub const LATEST: Ruleset = Ruleset::V1;
    const KNOWN_VERSIONS: &'static str = "1";

    /// The version number carried on the wire and in stored runs.
    pub const fn version(self) -> u16 {
        match self {
            Ruleset::V1 => 1,
        }
    }

    /// The ruleset with this version number, if this build knows it.
    pub const fn from_version(version: u16) -> Result<Ruleset, UnknownRuleset> {
        match version {
            1 => Ok(Ruleset::V1),
            other => Err(UnknownRuleset(other)),
        }
    }

    /// The constants of this version.
    pub const fn params(self) -> &'static Params {
        match self {
            Ruleset::V1 => &V1,
        }
    }
}

impl TryFrom<u16> for Ruleset {
    type Error = UnknownRuleset;
    fn try_from(version: u16) -> Result<Self, Self::Error> {
        Ruleset::from_version(version)
    }
}

impl From<Ruleset> for u16 {
    fn from(ruleset: Ruleset) -> u16 {
        ruleset.version()
    }
}

/// Every constant of a ruleset. Lengths are in milli-units (mu, 1/1000 of a world unit), times in
/// milliseconds, speeds in mu per second, scales in permille. `RULES.md` documents each one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// PCG32 stream id of the game's random stream.
    pub game_stream: u64,
    /// Radius of the platform the run starts on (a cube at the origin).
    pub start_radius: i64,
    /// Centre-to-centre distance from the start platform to the first next platform.
    pub first_centre_distance: i64,
    /// Radius of a platform at scale 1000 permille.
    pub base_radius: i64,
    /// Platform scale range at the start of a run, and its floors as the run goes on.
    pub scale_min_start: u32,
    /// Upper end of the scale range at the start of a run.
    pub scale_max_start: u32,
    /// Floor of the lower end of the scale range.
    pub scale_min_floor: u32,
    /// Floor of the upper end of the scale range.
    pub scale_max_floor: u32,
    /// How much both scale bounds drop per successful landing.
    pub scale_step: u32,
    /// Smallest edge-to-edge gap between platforms.
    pub gap_min: u32,
    /// Largest gap at the start of a run.
    pub gap_max_start: u32,
    /// How much the largest gap grows per successful landing.
    pub gap_step: u32,
    /// Cap of the largest gap.
    pub gap_max_cap: u32,
    /// One platform in this many (drawn) is a cylinder, the rest are cubes.
    pub cylinder_one_in: u32,
    /// Every this many generated platforms is special, while the score is at most `special_score_switch`.
    pub special_period: u32,
    /// Period of special platforms once the score is above `special_score_switch`.
    pub special_period_late: u32,
    /// Score above which special platforms come every `special_period_late` platforms.
    pub special_score_switch: u32,
    /// Dwell on a special platform that earns its bonus.
    pub bonus_dwell_ms: u32,
    /// A landing within this distance of the next platform's centre is a centre hit.
    pub centre_radius: i64,
    /// Half the figure's body width, used by the edge tests.
    pub body_half_width: i64,
    /// Points of a centre hit are `2 * combo`, capped here.
    pub centre_points_cap: u32,
    /// Horizontal speed gained per millisecond of press (mu/s per ms).
    pub vx_per_ms: u64,
    /// Cap of the horizontal speed (mu/s).
    pub vx_max: u64,
    /// Vertical speed of the shortest press (mu/s).
    pub vy_base: u64,
    /// Vertical speed gained per millisecond of press (mu/s per ms).
    pub vy_per_ms: u64,
    /// Cap of the vertical speed (mu/s).
    pub vy_max: u64,
    /// Gravity (mu/s^2).
    pub gravity: u64,
    /// Shortest press a person can make; shorter ones are refused.
    pub min_press_ms: u32,
    /// Longest press accepted.
    pub max_press_ms: u32,
    /// Shortest dwell (reaction time after the landing settled) a person can have.
    pub min_dwell_ms: u32,
    /// Longest dwell accepted.
    pub max_dwell_ms: u32,
    /// Time from touch-down until the camera has moved on and the next press can start.
    pub settle_ms: u32,
    /// Most jumps a run may hold, so replaying any accepted run has a bounded cost.
    pub max_jumps: u32,
}

/// The constants of [`Ruleset::V1`].
pub const V1: Params = Params {
    game_stream: 54,
    start_radius: 5_000,
    first_centre_distance: 20_000,
    base_radius: 5_000,
    scale_min_start: 800,
    scale_max_start: 1_000,
    scale_min_floor: 250,
    scale_max_floor: 600,
    scale_step: 5,
    gap_min: 1_000,
    gap_max_start: 17_000,
    gap_step: 30,
    gap_max_cap: 22_000,
    cylinder_one_in: 4,
    special_period: 5,
    special_period_late: 6,
    special_score_switch: 1_000,
    bonus_dwell_ms: 2_000,
    centre_radius: 710,
    body_half_width: 1_170,
    centre_points_cap: 32,
    vx_per_ms: 70,
    vx_max: 150_000,
    vy_base: 135_000,
    vy_per_ms: 15,
    vy_max: 180_000,
    gravity: 720_000,
    min_press_ms: 20,
    max_press_ms: 10_000,
    min_dwell_ms: 100,
    max_dwell_ms: 600_000,
    settle_ms: 200,
    max_jumps: 100_000,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_round_trip_and_unknown_ones_are_refused() {
        assert_eq!(Ruleset::from_version(1), Ok(Ruleset::V1));
        assert_eq!(u16::from(Ruleset::V1), 1);
        assert_eq!(Ruleset::from_version(0), Err(UnknownRuleset(0)));
        assert_eq!(Ruleset::from_version(2), Err(UnknownRuleset(2)));
        assert!(
            UnknownRuleset(9)
                .to_string()
                .contains("unknown ruleset version 9")
        );
    }

    #[test]
    fn serde_carries_the_version_number() {
        assert_eq!(serde_json::to_string(&Ruleset::V1).unwrap(), "1");
        assert_eq!(serde_json::from_str::<Ruleset>("1").unwrap(), Ruleset::V1);
        assert!(serde_json::from_str::<Ruleset>("7").is_err());
    }

    #[test]
    fn v1_scale_ranges_never_cross() {
        let p = Ruleset::V1.params();
        assert!(p.scale_min_floor <= p.scale_max_floor);
        assert!(p.scale_min_start <= p.scale_max_start);
        assert!(p.gap_min <= p.gap_max_start && p.gap_max_start <= p.gap_max_cap);
    }
}
