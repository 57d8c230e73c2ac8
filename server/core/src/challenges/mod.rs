//! Challenges: a player shares the course of one of their ended runs; others play the same course and
//! rank on the challenge's own board.
//!
//! What is shared is an id the server drew, never a seed: a challenge run can only be played on a
//! course the server handed out to a real run, and its score counts on the challenge's board only, not
//! on the period boards, so nobody can shop for seeds there. A challenge and its board live in one slot
//! (`lf:{ch:<id>}` and `lf:{ch:<id>}:board`) and expire together, `--challenge-ttl-days` after the
//! challenge was created.

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Duration;

use game_logic::Ruleset;
use protocol::{BoardEntry, BoundedVec, Challenge, ChallengeId, ChallengePage, PlayerId, RunId};
use redis::Script;
use thiserror::Error;

use crate::friends::FriendGraph;
use crate::leaderboards::score;
use crate::runs::{self, RunError};
use crate::store::{Op, Store, StoreError, keys};

static RAISE: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("raise.lua")));

/// Settings of challenges.
#[derive(Debug, Clone, Copy)]
pub struct ChallengeSettings {
    /// How long a challenge and its board live after it is created.
    pub ttl: Duration,
}

/// Why a challenge operation was refused.
#[derive(Debug, Error)]
pub enum ChallengeError {
    /// No such challenge (never existed, or expired).
    #[error("no challenge {0} (it never existed or has expired)")]
    NotFound(ChallengeId),
    /// The run cannot be shared: not the player's, not over, or rejected.
    #[error("run {run} cannot be shared: {reason}")]
    NotShareable {
        /// The run.
        run: RunId,
        /// Why.
        reason: &'static str,
    },
    /// The run could not be read.
    #[error(transparent)]
    Run(#[from] RunError),
    /// Redis failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The course a challenge run is played on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Course {
    /// The seed.
    pub seed: u64,
    /// The rules.
    pub ruleset: Ruleset,
}

/// The challenges domain.
#[derive(Clone)]
pub struct Challenges {
    store: Store,
    names: FriendGraph,
    settings: ChallengeSettings,
}

impl Challenges {
    /// Challenges on `store`, with display names from `names`.
    pub fn new(store: Store, names: FriendGraph, settings: ChallengeSettings) -> Challenges {
        Challenges {
            store,
            names,
            settings,
        }
    }

    /// Shares `player`'s ended run `run_id` as a challenge, or answers the challenge it is already
    /// shared as (a run played on a challenge shares that challenge).
    pub async fn create(
        &self,
        player: &PlayerId,
        run_id: RunId,
        now_ms: u64,
    ) -> Result<Challenge, ChallengeError> {
        let shared = runs::shareable(&self.store, player, run_id).await?;
        let refused = |reason| ChallengeError::NotShareable {
            run: run_id,
            reason,
        };
        let shared = shared.map_err(refused)?;
        if let Some(existing) = shared.challenge {
            return self.get(existing).await;
        }
        // The run remembers the challenge it was shared as: the first share decides.
        let drawn = ChallengeId::from_bytes(rand::random());
        let id = runs::share_once(&self.store, run_id, drawn).await?;
        let expires_at_ms = now_ms.saturating_add(millis(self.settings.ttl));
        let key = keys::challenge(&id);
        let board = keys::challenge_board(&id);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("HSETNX")
            .arg(&key)
            .arg("created")
            .arg(now_ms)
            .ignore()
            .hset_multiple(
                &key,
                &[
                    ("owner", player.as_str().to_owned()),
                    ("owner_score", shared.score.to_string()),
                    ("seed", shared.seed.to_string()),
                    ("ruleset", shared.ruleset.version().to_string()),
                    ("expires", expires_at_ms.to_string()),
                    ("run", run_id.to_string()),
                ],
            )
            .ignore()
            .cmd("ZADD")
            .arg(&board)
            .arg("GT")
            .arg(score::encode(shared.score, shared.ended_at_ms))
            .arg(player.as_str())
            .ignore()
            .cmd("PEXPIREAT")
            .arg(&key)
            .arg(expires_at_ms)
            .ignore()
            .cmd("PEXPIREAT")
            .arg(&board)
            .arg(expires_at_ms)
            .ignore();
        if id == drawn {
            self.store
                .query_pipeline::<()>(Op::ChallengeCreate, &pipe)
                .await?;
        }
        self.get(id).await
    }

    /// Challenge `id`, as a challenger sees it.
    pub async fn get(&self, id: ChallengeId) -> Result<Challenge, ChallengeError> {
        let fields: HashMap<String, String> = self
            .store
            .query(
                Op::ChallengeGet,
                crate::store::cmd("HGETALL").arg(keys::challenge(&id)),
            )
            .await?;
        let missing = || ChallengeError::NotFound(id);
        let field = |name: &str| fields.get(name).ok_or_else(missing);
        let number = |name: &str| -> Result<u64, ChallengeError> {
            field(name)?.parse().map_err(|_| missing())
        };
        let owner: PlayerId = field("owner")?.parse().map_err(|_| missing())?;
        let ruleset = u16::try_from(number("ruleset")?)
            .ok()
            .and_then(|version| Ruleset::from_version(version).ok())
            .ok_or_else(missing)?;
        let owner_name = self
            .names
            .names(std::slice::from_ref(&owner))
            .await?
            .pop()
            .flatten();
        Ok(Challenge {
            challenge: id,
            owner,
            owner_name,
            owner_score: u32::try_from(number("owner_score")?).unwrap_or(u32::MAX),
            seed: number("seed")?,
            ruleset,
            expires_at_ms: number("expires")?,
        })
    }

    /// The course of challenge `id`, to start a run on.
    pub async fn course(&self, id: ChallengeId) -> Result<Course, ChallengeError> {
        let challenge = self.get(id).await?;
        Ok(Course {
            seed: challenge.seed,
            ruleset: challenge.ruleset,
        })
    }

    /// Challenge `id` and `limit` entries of its board after rank `after`.
    pub async fn page(
        &self,
        id: ChallengeId,
        limit: usize,
        after: Option<u32>,
    ) -> Result<ChallengePage, ChallengeError> {
        let challenge = self.get(id).await?;
        let board = keys::challenge_board(&id);
        let start = after.unwrap_or(0) as isize;
        let stop = start + limit as isize - 1;
        let mut pipe = redis::pipe();
        pipe.zrevrange_withscores(&board, start, stop).zcard(&board);
        let (rows, total): (Vec<(String, f64)>, u32) = if limit == 0 {
            let total = self
                .store
                .query(Op::ChallengeBoard, crate::store::cmd("ZCARD").arg(&board))
                .await?;
            (Vec::new(), total)
        } else {
            self.store.query_pipeline(Op::ChallengeBoard, &pipe).await?
        };
        let ranked: Vec<(PlayerId, u64)> = rows
            .into_iter()
            .filter_map(|(player, packed)| {
                PlayerId::new(player)
                    .ok()
                    .map(|player| (player, score::from_redis(packed)))
            })
            .collect();
        let players: Vec<PlayerId> = ranked.iter().map(|(player, _)| player.clone()).collect();
        let names = self.names.names(&players).await?;
        let entries = ranked
            .into_iter()
            .zip(names)
            .enumerate()
            .map(|(offset, ((player, packed), name))| {
                let (score, reached_at_ms) = score::decode(packed);
                BoardEntry {
                    rank: u32::try_from(start).unwrap_or(0) + offset as u32 + 1,
                    player,
                    name,
                    score,
                    reached_at_ms,
                }
            })
            .collect();
        Ok(ChallengePage {
            challenge,
            entries: BoundedVec::truncating(entries),
            total,
        })
    }

    /// Puts `score`, reached at `reached_ms`, on challenge `id`'s board (`ZADD GT`: only a player's better
    /// run changes their entry, so a retry is harmless). A challenge that expired meanwhile takes nothing.
    pub(crate) async fn apply(
        &self,
        id: ChallengeId,
        player: &PlayerId,
        score: u32,
        reached_ms: u64,
    ) -> Result<(), StoreError> {
        let mut invocation = RAISE.prepare_invoke();
        invocation
            .key(keys::challenge(&id))
            .key(keys::challenge_board(&id))
            .arg(player.as_str())
            .arg(score::encode(score, reached_ms));
        self.store
            .run_script::<i64>(Op::ChallengeRaise, &invocation)
            .await
            .map(drop)
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
