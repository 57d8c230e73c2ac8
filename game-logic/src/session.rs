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
    /// The jump's values are impossible.
    #[error("impossible jump: {0}")]
    InvalidJump(#[from] InvalidJump),
    /// The run reached the ruleset's maximum number of jumps.
    #[error("the run reached the maximum of {max} jumps")]
    TooManyJumps {
        /// The ruleset's maximum.
        max: u32,
    },
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
        let touchdown = self
            .world
            .figure
            .moved(self.world.direction, physics::distance(params, jump.press_ms));
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
