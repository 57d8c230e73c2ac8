//! A simulated player: picks press durations and dwells like a person of a given skill.
//!
//! Tests and the load tester use it to play real runs with a realistic spread of scores. It only reads the
//! visible [`World`], like a client would, and draws from its own PCG32 stream, so a bot's run is as
//! reproducible as the game itself.

use crate::physics;
use crate::rng::Pcg32;
use crate::ruleset::Ruleset;
use crate::timing::Jump;
use crate::world::World;

/// PCG32 stream id of bots, distinct from the game's.
const BOT_STREAM: u64 = 0xb07;

/// How good a player is, in permille: 0 is a beginner, 1000 never misses the centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Skill(u16);

impl Skill {
    /// A beginner: a median run of a handful of points (200 seeded runs: p50 about 3, p90 about 15).
    pub const NOVICE: Skill = Skill(250);
    /// A casual player: a median run of a few dozen points (p50 about 60, p90 about 160).
    pub const CASUAL: Skill = Skill(600);
    /// A strong player: long runs with many centre hits (p50 about 600).
    pub const EXPERT: Skill = Skill(800);
    /// Perfect aim: never misses the centre (for benchmarks and long runs).
    pub const PERFECT: Skill = Skill(1000);

    /// A skill of `permille` (0 to 1000), or `None` outside that range.
    pub const fn new(permille: u16) -> Option<Skill> {
        if permille <= 1000 {
            Some(Skill(permille))
        } else {
            None
        }
    }

    /// The skill in permille.
    pub const fn permille(self) -> u16 {
        self.0
    }

    /// Half-width in ms of each of the four uniform errors summed into a press error (their sum has a
    /// standard deviation of about 1.15 times this). It grows with the aimed press, as a person's timing
    /// error grows with the interval timed (Weber's law); at `PERFECT` the total error stays below the
    /// centre tolerance everywhere.
    const fn error_half_width_ms(self, aimed_ms: u32) -> u32 {
        3 + aimed_ms * (1000 - self.0 as u32) / 5_000
    }
}

/// A simulated player with its own random stream.
#[derive(Debug, Clone)]
pub struct Bot {
    skill: Skill,
    ruleset: Ruleset,
    rng: Pcg32,
}

impl Bot {
    /// A bot of `skill` playing under `ruleset`, its choices drawn from `seed`.
    pub const fn new(skill: Skill, ruleset: Ruleset, seed: u64) -> Bot {
        Bot {
            skill,
            ruleset,
            rng: Pcg32::new(seed, BOT_STREAM),
        }
    }

    /// The bot's skill.
    pub const fn skill(&self) -> Skill {
        self.skill
    }

    /// The next input for what the bot sees: the press aimed at the next centre plus a human error, and a
    /// dwell that waits out a bonus when the bot notices one (likelier the more skilled it is).
    pub fn next_jump(&mut self, world: &World) -> Jump {
        let params = self.ruleset.params();
        let aimed = physics::press_for_distance(params, world.distance_to_next());
        let half = self.skill.error_half_width_ms(aimed);
        let error: i64 = (0..4)
            .map(|_| i64::from(self.rng.next_below(2 * half + 1)) - i64::from(half))
            .sum();
        let press = (i64::from(aimed) + error).clamp(
            i64::from(params.min_press_ms),
            i64::from(params.max_press_ms),
        ) as u32;
        let waits_for_bonus =
            world.bonus_available && self.rng.next_below(1000) < u32::from(self.skill.0);
        let dwell_ms = if waits_for_bonus {
            params.bonus_dwell_ms + self.rng.next_below(500)
        } else {
            params.min_dwell_ms + 100 + self.rng.next_below(500)
        };
        Jump {
            press_ms: press,
            dwell_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::GameSession;

    fn play(skill: Skill, seed: u64, max_jumps: u32) -> GameSession {
        let mut session = GameSession::new(seed, Ruleset::V1);
        let mut bot = Bot::new(skill, Ruleset::V1, seed ^ 0x5eed);
        while !session.is_over() && session.jumps() < max_jumps {
            let jump = bot.next_jump(session.world());
            session.apply(jump).expect("bot inputs are always valid");
        }
        session
    }

    #[test]
    fn skill_range_is_checked() {
        assert_eq!(Skill::new(1000), Some(Skill::PERFECT));
        assert_eq!(Skill::new(1001), None);
    }

    #[test]
    fn a_perfect_bot_never_misses() {
        let session = play(Skill::PERFECT, 11, 2_000);
        assert!(!session.is_over());
        assert_eq!(session.jumps(), 2_000);
        assert_eq!(session.combo(), 2_000);
    }

    #[test]
    fn better_bots_score_more() {
        let mean = |skill| {
            (0..200)
                .map(|seed| u64::from(play(skill, seed, 5_000).score()))
                .sum::<u64>()
                / 200
        };
        let novice = mean(Skill::NOVICE);
        let casual = mean(Skill::CASUAL);
        let expert = mean(Skill::EXPERT);
        assert!(
            novice < casual && casual < expert,
            "{novice} {casual} {expert}"
        );
    }
}
