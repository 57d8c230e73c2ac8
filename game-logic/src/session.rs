//! One run: the state machine that applies jumps, scores them and generates the world ahead.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::generate::{self, Context};
use crate::landing::{self, Landing};
use crate::physics;
use crate::rng::Pcg32;
use crate::ruleset::Ruleset;
use crate::timing::{self, InvalidJump, Jump};
use crate::world::{Direction, Platform, Point, SpecialKind, World};

/// The result of one jump: everything a client needs to animate it and show the new state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct JumpOutcome {
    /// Zero-based index of this jump in the run.
    pub index: u32,
    /// How the jump came down.
    pub landing: Landing,
    /// Points for the landing itself (0, 1, or a centre hit's `2 * combo` up to the cap).
    pub points: u32,
    /// Special-platform bonus earned by the dwell before this jump (0 if none).
    pub bonus: u32,
    /// Consecutive centre hits including this jump (0 after any other landing).
    pub combo: u32,
    /// The run's total score after this jump.
    pub score: u32,
    /// Where the figure touched down.
    pub touchdown: Point,
    /// The world after the jump. After a jump that ends the run it is the world the jump was made in,
    /// with the figure at the touch-down point.
    pub world: World,
    /// True when this jump ended the run.
    pub game_over: bool,
}

/// Why a session refused a jump. The session is unchanged after an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SessionError {
    /// The run already ended; nothing more is accepted.
    #[error("the run is over: no jump is accepted after the jump that ended it")]
    RunOver,
    /// The jump's values are impossible. Its message includes why, so the reason is not also exposed as
    /// the error's source (a chain would print it twice).
    #[error("impossible jump: {0}")]
    InvalidJump(InvalidJump),
    /// The run reached the ruleset's maximum number of jumps.
    #[error("the run reached the maximum of {max} jumps")]
    TooManyJumps {
        /// The ruleset's maximum.
        max: u32,
    },
}

impl From<InvalidJump> for SessionError {
    fn from(reason: InvalidJump) -> SessionError {
        SessionError::InvalidJump(reason)
    }
}

/// A run in progress: deterministic in its seed, ruleset and the jumps applied so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameSession {
    seed: u64,
    ruleset: Ruleset,
    rng: Pcg32,
    world: World,
    score: u32,
    combo: u32,
    best_combo: u32,
    jumps: u32,
    landings: u32,
    platforms_generated: u32,
    last_special: Option<SpecialKind>,
    last_press_ms: Option<u32>,
    min_duration_ms: u64,
    last_landing: Option<Landing>,
}

impl GameSession {
    /// A new run: the figure on the start platform, the first next platform drawn from `seed`.
    pub fn new(seed: u64, ruleset: Ruleset) -> GameSession {
        let params = ruleset.params();
        let mut rng = Pcg32::new(seed, params.game_stream);
        let current = generate::start_platform(params);
        let (next, direction) = generate::first_platform(params, &mut rng);
        GameSession {
            seed,
            ruleset,
            rng,
            world: World {
                figure: current.centre,
                current,
                next,
                direction,
                bonus_available: false,
            },
            score: 0,
            combo: 0,
            best_combo: 0,
            jumps: 0,
            landings: 0,
            platforms_generated: 1,
            last_special: None,
            last_press_ms: None,
            min_duration_ms: 0,
            last_landing: None,
        }
    }

    /// The seed this run was started from.
    pub const fn seed(&self) -> u64 {
        self.seed
    }

    /// The rules this run is played under.
    pub const fn ruleset(&self) -> Ruleset {
        self.ruleset
    }

    /// What the player sees now.
    pub const fn world(&self) -> &World {
        &self.world
    }

    /// Total score so far.
    pub const fn score(&self) -> u32 {
        self.score
    }

    /// Current run of consecutive centre hits.
    pub const fn combo(&self) -> u32 {
        self.combo
    }

    /// Jumps applied so far (the index the next jump will get).
    pub const fn jumps(&self) -> u32 {
        self.jumps
    }

    /// True once a jump ended the run.
    pub fn is_over(&self) -> bool {
        self.last_landing.is_some_and(Landing::is_game_over)
    }

    /// The least real time, in ms, the jumps applied so far can have taken (see [`crate::timing`]).
    pub const fn min_duration_ms(&self) -> u64 {
        self.min_duration_ms
    }

    /// The least real time between releasing the last applied jump (or the run's start) and releasing
    /// `jump`. The server compares it with the time it actually saw pass.
    pub const fn min_interval_ms(&self, jump: Jump) -> u64 {
        timing::min_interval_ms(self.ruleset.params(), self.last_press_ms, jump)
    }

    /// Applies one jump. On error nothing changes, so a refused jump can be corrected and sent again.
    pub fn apply(&mut self, jump: Jump) -> Result<JumpOutcome, SessionError> {
        let params = self.ruleset.params();
        if self.is_over() {
            return Err(SessionError::RunOver);
        }
        timing::check(params, jump)?;
        if self.jumps >= params.max_jumps {
            return Err(SessionError::TooManyJumps {
                max: params.max_jumps,
            });
        }

        let bonus = match self.world.current.special {
            Some(kind) if self.world.bonus_available && jump.dwell_ms >= params.bonus_dwell_ms => {
                self.world.bonus_available = false;
                kind.bonus()
            }
            _ => 0,
        };
        let touchdown = self.world.figure.moved(
            self.world.direction,
            physics::distance(params, jump.press_ms),
        );
        let landing = landing::classify(
            params,
            &self.world.current,
            &self.world.next,
            self.world.direction,
            touchdown,
        );
        let points = match landing {
            Landing::Centre => {
                self.combo += 1;
                self.best_combo = self.best_combo.max(self.combo);
                self.combo.saturating_mul(2).min(params.centre_points_cap)
            }
            Landing::Landed => {
                self.combo = 0;
                1
            }
            _ => {
                self.combo = 0;
                0
            }
        };
        self.score = self.score.saturating_add(points).saturating_add(bonus);
        self.world.figure = touchdown;
        if landing.reached_next() {
            self.landings += 1;
            self.advance();
        }

        let outcome = JumpOutcome {
            index: self.jumps,
            landing,
            points,
            bonus,
            combo: self.combo,
            score: self.score,
            touchdown,
            world: self.world,
            game_over: landing.is_game_over(),
        };
        self.jumps += 1;
        self.min_duration_ms += timing::jump_duration_ms(params, jump);
        self.last_press_ms = Some(jump.press_ms);
        self.last_landing = Some(landing);
        Ok(outcome)
    }

    /// Moves onto the next platform and generates the one after it.
    fn advance(&mut self) {
        let params = self.ruleset.params();
        let current: Platform = self.world.next;
        self.platforms_generated += 1;
        let context = Context {
            index: self.platforms_generated,
            landings: self.landings,
            score: self.score,
            last_special: self.last_special,
        };
        let (next, direction): (Platform, Direction) =
            generate::next_platform(params, &mut self.rng, context, &current, self.world.figure);
        if let Some(kind) = next.special {
            self.last_special = Some(kind);
        }
        self.world = World {
            figure: self.world.figure,
            current,
            next,
            direction,
            bonus_available: current.special.is_some(),
        };
    }

    /// A summary of the run so far.
    pub fn summary(&self) -> RunSummary {
        RunSummary {
            seed: self.seed,
            ruleset: self.ruleset,
            jumps: self.jumps,
            landings: self.landings,
            score: self.score,
            best_combo: self.best_combo,
            ended: self.is_over(),
            last_landing: self.last_landing,
            min_duration_ms: self.min_duration_ms,
        }
    }
}

/// What a run amounts to: the figures a leaderboard and an anti-cheat check need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    /// The run's seed.
    pub seed: u64,
    /// The rules it was played under.
    pub ruleset: Ruleset,
    /// Jumps made.
    pub jumps: u32,
    /// Jumps that reached the next platform.
    pub landings: u32,
    /// Final (or current) score.
    pub score: u32,
    /// Longest run of consecutive centre hits.
    pub best_combo: u32,
    /// True when a jump ended the run; false for a run stopped early (abandoned or still going).
    pub ended: bool,
    /// How the last jump came down, if any was made.
    pub last_landing: Option<Landing>,
    /// The least real time the run can have taken, in ms.
    pub min_duration_ms: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::physics::{distance, press_for_distance};
    use crate::ruleset::V1;

    const DWELL: u32 = 300;

    /// The press that lands `offset` mu beyond the next platform's centre (as near as a whole ms allows).
    fn aimed(session: &GameSession, offset: i64) -> Jump {
        let target = session.world().distance_to_next() + offset;
        Jump {
            press_ms: press_for_distance(&V1, target),
            dwell_ms: DWELL,
        }
    }

    fn centre(session: &mut GameSession) -> JumpOutcome {
        let jump = aimed(session, 0);
        session.apply(jump).unwrap()
    }

    #[test]
    fn a_new_run_starts_on_the_origin_with_the_first_platform_ahead() {
        let session = GameSession::new(5, Ruleset::V1);
        let world = session.world();
        assert_eq!(world.figure, Point { x: 0, z: 0 });
        assert_eq!(world.current.radius, V1.start_radius);
        assert_eq!(world.next.centre, Point { x: 20_000, z: 0 });
        assert_eq!(world.direction, Direction::Right);
        assert!((4_000..=5_000).contains(&world.next.radius));
        assert_eq!(
            (session.score(), session.combo(), session.jumps()),
            (0, 0, 0)
        );
    }

    #[test]
    fn consecutive_centre_hits_score_two_four_six_up_to_the_cap() {
        let mut session = GameSession::new(1, Ruleset::V1);
        let points: Vec<u32> = (0..20).map(|_| centre(&mut session).points).collect();
        let expected: Vec<u32> = (1..=20).map(|n| (2 * n).min(32)).collect();
        assert_eq!(points, expected);
        assert_eq!(session.combo(), 20);
    }

    #[test]
    fn a_normal_landing_scores_one_and_resets_the_combo() {
        let mut session = GameSession::new(2, Ruleset::V1);
        centre(&mut session);
        centre(&mut session);
        // 2 000 mu past the centre: on the platform (radius >= 1 250 + ...), not within 710.
        let radius = session.world().next.radius;
        let outcome = session.apply(aimed(&session, radius / 2)).unwrap();
        assert_eq!(outcome.landing, Landing::Landed);
        assert_eq!(
            (outcome.points, outcome.combo, outcome.score),
            (1, 0, 2 + 4 + 1)
        );
        assert_eq!(centre(&mut session).points, 2);
    }

    #[test]
    fn a_short_hop_stays_on_the_platform_without_points() {
        let mut session = GameSession::new(3, Ruleset::V1);
        centre(&mut session);
        let before = *session.world();
        let outcome = session
            .apply(Jump {
                press_ms: V1.min_press_ms,
                dwell_ms: DWELL,
            })
            .unwrap();
        assert_eq!(outcome.landing, Landing::Stayed);
        assert_eq!(
            (outcome.points, outcome.combo, outcome.game_over),
            (0, 0, false)
        );
        assert_eq!(outcome.world.next, before.next);
        let hop = distance(&V1, V1.min_press_ms);
        assert_eq!(
            outcome.world.figure,
            before.figure.moved(before.direction, hop)
        );
        // The next platform is still straight ahead, one hop closer.
        assert_eq!(
            session.world().distance_to_next(),
            before.distance_to_next() - hop
        );
    }

    #[test]
    fn missing_both_platforms_ends_the_run_and_nothing_is_accepted_after() {
        let mut session = GameSession::new(4, Ruleset::V1);
        let outcome = session
            .apply(Jump {
                press_ms: V1.max_press_ms,
                dwell_ms: DWELL,
            })
            .unwrap();
        assert_eq!(outcome.landing, Landing::Fell);
        assert!(outcome.game_over && session.is_over());
        let again = session.apply(aimed(&session, 0));
        assert_eq!(again, Err(SessionError::RunOver));
        assert!(session.summary().ended);
    }

    #[test]
    fn an_impossible_jump_is_refused_and_changes_nothing() {
        let mut session = GameSession::new(6, Ruleset::V1);
        let before = session.clone();
        let refused = session.apply(Jump {
            press_ms: 5,
            dwell_ms: DWELL,
        });
        assert!(matches!(
            refused,
            Err(SessionError::InvalidJump(InvalidJump::PressTooShort { .. }))
        ));
        assert_eq!(session, before);
    }

    #[test]
    fn waiting_on_a_special_platform_earns_its_bonus_once() {
        let mut session = GameSession::new(7, Ruleset::V1);
        // Platforms 5, 10, ... are special; the fifth landing reaches platform 5.
        for _ in 0..5 {
            assert!(!session.world().bonus_available);
            centre(&mut session);
        }
        let kind = session
            .world()
            .current
            .special
            .expect("platform 5 is special");
        assert!(session.world().bonus_available);
        // A short hop first, too impatient for the bonus: the bonus stays available.
        let hop = session
            .apply(Jump {
                press_ms: V1.min_press_ms,
                dwell_ms: V1.bonus_dwell_ms - 1,
            })
            .unwrap();
        assert_eq!((hop.landing, hop.bonus), (Landing::Stayed, 0));
        let mut jump = aimed(&session, 0);
        jump.dwell_ms = V1.bonus_dwell_ms;
        let score_before = session.score();
        let outcome = session.apply(jump).unwrap();
        assert_eq!(outcome.bonus, kind.bonus());
        assert_eq!(outcome.score, score_before + outcome.points + kind.bonus());
        assert!(!outcome.world.bonus_available);
    }

    #[test]
    fn the_bonus_is_paid_even_when_the_jump_then_fails() {
        let mut session = GameSession::new(7, Ruleset::V1);
        for _ in 0..5 {
            centre(&mut session);
        }
        let kind = session
            .world()
            .current
            .special
            .expect("platform 5 is special");
        let score_before = session.score();
        let outcome = session
            .apply(Jump {
                press_ms: V1.max_press_ms,
                dwell_ms: V1.bonus_dwell_ms,
            })
            .unwrap();
        assert!(outcome.game_over);
        assert_eq!(outcome.score, score_before + kind.bonus());
    }

    #[test]
    fn interval_and_duration_follow_the_timing_model() {
        let mut session = GameSession::new(8, Ruleset::V1);
        let first = aimed(&session, 0);
        assert_eq!(
            session.min_interval_ms(first),
            u64::from(first.dwell_ms + first.press_ms)
        );
        session.apply(first).unwrap();
        let second = aimed(&session, 0);
        let flight = u64::from(physics::flight_ms(&V1, first.press_ms));
        assert_eq!(
            session.min_interval_ms(second),
            flight + u64::from(V1.settle_ms + second.dwell_ms + second.press_ms)
        );
        assert_eq!(
            session.min_duration_ms(),
            u64::from(first.dwell_ms + first.press_ms + V1.settle_ms) + flight
        );
    }
}
