//! The deterministic jump-jump engine.
//!
//! A run is a pure function of its seed, its [`Ruleset`] and the player's inputs (press and dwell times):
//! the same three give the same run on every machine, so the server can compute scores itself, verify a
//! run played offline, or resume a run on another node by replaying its input log. Everything that decides
//! state or score is integer arithmetic; the random stream is PCG32, specified with every other rule in
//! `RULES.md`.
//!
//! This crate does no I/O, reads no clock and holds no global state.
//!
//! ```
//! use game_logic::{GameSession, Jump, Ruleset, replay};
//!
//! let mut session = GameSession::new(42, Ruleset::V1);
//! let first = session.apply(Jump { press_ms: 650, dwell_ms: 300 }).unwrap();
//! let summary = replay(42, Ruleset::V1, &[Jump { press_ms: 650, dwell_ms: 300 }]).unwrap();
//! assert_eq!(summary.score, first.score);
//! ```

pub mod bot;
pub mod generate;
pub mod landing;
pub mod physics;
pub mod replay;
pub mod rng;
pub mod ruleset;
pub mod session;
pub mod timing;
pub mod world;

pub use bot::{Bot, Skill};
pub use landing::Landing;
pub use replay::{ReplayError, replay, replay_session, replay_within};
pub use rng::Pcg32;
pub use ruleset::{Params, Ruleset, UnknownRuleset};
pub use session::{GameSession, JumpOutcome, RunSummary, SessionError};
pub use timing::{InvalidJump, Jump};
pub use world::{Direction, Platform, Point, Shape, SpecialKind, World};
