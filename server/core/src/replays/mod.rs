//! Replays: every player's best run of each board period, kept with its inputs beside the board entry, so a
//! friend's client can watch it or race it as a ghost by replaying it with the rules. Serving one costs the
//! server one round trip of reads; the client does the simulation.
//!
//! A best is kept in `lf:{p:<player>}:replay:<period_id>`, one string in the player's slot: a 64-byte
//! header (packed score, seed, ruleset, jumps, run, the challenge once shared), then the inputs
//! ([`record`]). It is written when recording a run sets a new best for the period, by a script (one
//! call for all the periods a run is the best of) that only lets a better packed score replace the kept
//! one, so the recording stays idempotent: a retry, or a late recording of a worse run, changes nothing. A
//! past daily or weekly best expires with its board (period end plus `--board-retention-days`); the
//! all-time best is kept.
//!
//! Older versions kept a best as a hash of seven fields at `lf:{p:<player>}:best:<period_id>`. A read
//! serves the better of the hash and the string (while both versions record, each may hold a best the
//! other does not know); a period with no string yet is compared against the hash when a new best comes,
//! and the hash is removed when the string replaces it, so bests kept before an upgrade stay watchable
//! and are never replaced by a worse run.

mod record;

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Duration;

use game_logic::Ruleset;
use protocol::limits::MAX_REPLAY_JUMPS;
use protocol::{BoundedVec, ChallengeId, NewBest, Period, PlayerId, Replay, RunId};
use redis::Script;
use thiserror::Error;

use crate::friends::FriendGraph;
use crate::leaderboards::{PeriodRules, Periods, score};
use crate::runs::FinishedRun;
use crate::runs::input_log::{self, RECORD_BYTES};
use crate::store::{Op, Store, StoreError, keys};
use record::BestRecord;

static KEEP_BEST: LazyLock<Script> = LazyLock::new(|| Script::new(include_str!("keep_best.lua")));
static MARK_SHARED: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("mark_shared.lua")));

/// Why a replay cannot be read.
#[derive(Debug, Error)]
pub enum ReplayError {
    /// Only friends' replays (and your own) can be read; a player who blocked you is not your friend.
    #[error("{0} is not your friend: only friends' best runs can be watched")]
    NotFriends(PlayerId),
    /// No best run kept for the period.
    #[error("{player} has no best run in period {period_id}")]
    NotFound {
        /// Whose.
        player: PlayerId,
        /// Which period.
        period_id: String,
    },
    /// The kept record cannot be read (written by something else).
    #[error("the best run of {player} in period {period_id} is unreadable: {reason}")]
    Corrupt {
        /// Whose.
        player: PlayerId,
        /// Which period.
        period_id: String,
        /// What is wrong.
        reason: String,
    },
    /// Redis failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A run's input log as the caller of [`Replays::keep_best`] has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RunLog {
    /// Read already: the log, or `None` when it has expired.
    Read(Option<Vec<u8>>),
    /// Not read: `keep_best` reads it if the run is a best.
    NotRead,
}

/// The periods whose replay a run flagged `new_best` is kept as (none: its log is not needed).
pub(crate) fn kept_periods(new_best: NewBest) -> Vec<Period> {
    [
        (Period::Daily, new_best.daily),
        (Period::Weekly, new_best.weekly),
        (Period::AllTime, new_best.all_time),
    ]
    .into_iter()
    .filter_map(|(period, flagged)| flagged.then_some(period))
    .collect()
}

/// The replays domain.
#[derive(Clone)]
pub struct Replays {
    store: Store,
    names: FriendGraph,
    rules: Periods,
    retention: Duration,
}

impl Replays {
    /// Replays on `store`, in the periods of `rules`, past ones kept for `retention` after they end (as
    /// the boards are).
    pub fn new(
        store: Store,
        names: FriendGraph,
        rules: PeriodRules,
        retention: Duration,
    ) -> Replays {
        Replays {
            store,
            names,
            rules: Periods::new(rules),
            retention,
        }
    }

    /// The ended run `run`'s input log (8 bytes a jump), if it has not expired: what
    /// [`Replays::keep_best`] keeps. Read by the recorder beside the outcome's save, one round trip
    /// earlier than `keep_best` could.
    pub(crate) async fn read_log(&self, run: RunId) -> Result<Option<Vec<u8>>, StoreError> {
        self.store
            .query(
                Op::ReplayLog,
                crate::store::cmd("GET").arg(keys::run_log(&run)),
            )
            .await
    }

    /// Keeps `run` as its player's best of each period `new_best` flags (read from the run's saved
    /// outcome, so a retry flags the same periods), in one script call for every period (the bests share
    /// the player's slot). `log` is the run's input log if the caller read it ([`Replays::read_log`]),
    /// read here otherwise; a run whose log has expired keeps nothing. At most [`MAX_REPLAY_JUMPS`]
    /// inputs are kept.
    pub(crate) async fn keep_best(
        &self,
        run: &FinishedRun,
        new_best: NewBest,
        log: RunLog,
    ) -> Result<(), StoreError> {
        let periods = kept_periods(new_best);
        if periods.is_empty() {
            return Ok(());
        }
        let log = match log {
            RunLog::Read(log) => log,
            RunLog::NotRead => self.read_log(run.run_id).await?,
        };
        let Some(mut log) = log else {
            return Ok(());
        };
        let jumps_total = log.len() / RECORD_BYTES;
        log.truncate(MAX_REPLAY_JUMPS * RECORD_BYTES);
        let packed = score::encode(run.summary.score, run.finished_at_ms);
        let record = BestRecord {
            packed,
            seed: run.summary.seed,
            ruleset: run.summary.ruleset.version(),
            jumps_total: u32::try_from(jumps_total).unwrap_or(u32::MAX),
            run_id: run.run_id,
            challenge: None,
            log: &log,
        };
        let retention = millis(self.retention);
        let mut invocation = KEEP_BEST.prepare_invoke();
        invocation.arg(packed).arg(record.encode());
        for period in periods {
            let slot = self.rules.slot(period, run.finished_at_ms);
            let expire_at = slot
                .ends_at_ms
                .map_or(0, |end| end.saturating_add(retention).max(1));
            invocation
                .key(keys::best_replay(&run.player, &slot.id))
                .key(keys::best_run_hash(&run.player, &slot.id))
                .arg(expire_at);
        }
        self.store
            .run_script::<i64>(Op::ReplayKeep, &invocation)
            .await
            .map(drop)
    }

    /// Notes on `player`'s bests of the periods running at `now_ms` that hold run `run_id` that it was
    /// shared as `challenge`, so a friend watching it can race it on the same course.
    pub async fn mark_shared(
        &self,
        player: &PlayerId,
        run_id: RunId,
        challenge: ChallengeId,
        now_ms: u64,
    ) -> Result<(), StoreError> {
        futures_util::future::try_join_all(crate::leaderboards::PERIODS.map(|period| {
            let slot = self.rules.slot(period, now_ms);
            let mut invocation = MARK_SHARED.prepare_invoke();
            invocation
                .key(keys::best_replay(player, &slot.id))
                .key(keys::best_run_hash(player, &slot.id))
                .arg(run_id.as_bytes().as_slice())
                .arg(record::shared_as(challenge).as_slice())
                .arg(run_id.hex(&mut [0; 32]))
                .arg(challenge.to_string())
                .arg(record::RUN_AT)
                .arg(record::SHARED_AT);
            async move {
                self.store
                    .run_script::<i64>(Op::ReplayMarkShared, &invocation)
                    .await
            }
        }))
        .await
        .map(drop)
    }

    /// `player`'s best run of the `period` running at `now_ms`, as `viewer` may see it: their own, or a
    /// friend's. The friendship, the record and the name are read at once (one round trip).
    pub async fn read(
        &self,
        viewer: &PlayerId,
        player: &PlayerId,
        period: Period,
        now_ms: u64,
    ) -> Result<Replay, ReplayError> {
        let slot = self.rules.slot(period, now_ms);
        let friends = async {
            if viewer == player {
                return Ok(true);
            }
            self.store
                .query::<bool>(
                    Op::ReplayFriend,
                    crate::store::cmd("HEXISTS")
                        .arg(keys::friends(viewer))
                        .arg(player.as_str()),
                )
                .await
        };
        // The string, and the older layout's hash where a best kept before an upgrade may be: one
        // round trip for both.
        let mut read_record = crate::store::cmd("GET");
        read_record.arg(keys::best_replay(player, &slot.id));
        let record = self
            .store
            .query::<Option<Vec<u8>>>(Op::ReplayRead, &read_record);
        let mut read_older = crate::store::cmd("HGETALL");
        read_older.arg(keys::best_run_hash(player, &slot.id));
        let older = self
            .store
            .query::<HashMap<String, Vec<u8>>>(Op::ReplayRead, &read_older);
        let names = self.names.names(std::slice::from_ref(player));
        let (friends, record, older, mut names) =
            futures_util::future::try_join4(friends, record, older, names).await?;
        if !friends {
            return Err(ReplayError::NotFriends(player.clone()));
        }
        // While nodes of both versions record, each layout may hold a best the other does not know:
        // the better of the two is the period's best.
        let kept = match (record, older.is_empty()) {
            (None, true) => {
                return Err(ReplayError::NotFound {
                    player: player.clone(),
                    period_id: slot.id,
                });
            }
            (Some(record), true) => from_record(&record),
            (None, false) => parse(player, &slot.id, &older),
            (Some(record), false) => better(from_record(&record), parse(player, &slot.id, &older)),
        };
        let name = names.pop().flatten();
        kept.map_or_else(
            |reason| {
                Err(ReplayError::Corrupt {
                    player: player.clone(),
                    period_id: slot.id.clone(),
                    reason,
                })
            },
            |kept| {
                let (score, reached_at_ms) = score::decode(kept.packed);
                Ok(Replay {
                    player: player.clone(),
                    name,
                    period_id: slot.id.clone(),
                    run_id: kept.run_id,
                    seed: kept.seed,
                    ruleset: kept.ruleset,
                    score,
                    reached_at_ms,
                    jumps: BoundedVec::truncating(kept.jumps),
                    jumps_total: kept.jumps_total,
                    challenge: kept.challenge,
                })
            },
        )
    }
}

/// A kept best, as read back.
struct Kept {
    run_id: RunId,
    seed: u64,
    ruleset: Ruleset,
    /// The packed score, as on the boards: the score and when it was reached.
    packed: u64,
    jumps: Vec<game_logic::Jump>,
    jumps_total: u32,
    challenge: Option<ChallengeId>,
}

/// The better of two kept bests (by the packed score, as the boards rank them), or the one that can be
/// read.
fn better(first: Result<Kept, String>, second: Result<Kept, String>) -> Result<Kept, String> {
    match (first, second) {
        (Ok(first), Ok(second)) => Ok(if second.packed > first.packed {
            second
        } else {
            first
        }),
        (Ok(kept), Err(_)) | (Err(_), Ok(kept)) => Ok(kept),
        (Err(reason), Err(_)) => Err(reason),
    }
}

/// The kept best in `bytes` (a [`BestRecord`]), or what is wrong with it.
fn from_record(bytes: &[u8]) -> Result<Kept, String> {
    let record = BestRecord::decode(bytes)?;
    let ruleset = Ruleset::from_version(record.ruleset)
        .map_err(|_| format!("unknown ruleset {}", record.ruleset))?;
    let jumps = input_log::decode(record.log).map_err(|error| error.to_string())?;
    Ok(Kept {
        run_id: record.run_id,
        seed: record.seed,
        ruleset,
        packed: record.packed,
        jumps,
        jumps_total: record.jumps_total,
        challenge: record.challenge,
    })
}

/// The kept best in `record` (the fields of the older layout's hash), or what is wrong with it.
fn parse(
    player: &PlayerId,
    period_id: &str,
    record: &HashMap<String, Vec<u8>>,
) -> Result<Kept, String> {
    let text = |field: &str| -> Result<&str, String> {
        let bytes = record
            .get(field)
            .ok_or_else(|| format!("no field {field}"))?;
        std::str::from_utf8(bytes).map_err(|_| format!("field {field} is not text"))
    };
    let number = |field: &str| -> Result<u64, String> {
        text(field)?
            .parse()
            .map_err(|_| format!("field {field} is not a number"))
    };
    let ruleset = u16::try_from(number("ruleset")?)
        .ok()
        .and_then(|version| Ruleset::from_version(version).ok())
        .ok_or_else(|| format!("unknown ruleset for {player} in {period_id}"))?;
    let packed = number("packed")?;
    let jumps = input_log::decode(record.get("log").map_or(&[][..], Vec::as_slice))
        .map_err(|error| error.to_string())?;
    let challenge = match record.get("challenge") {
        None => None,
        Some(_) => Some(
            text("challenge")?
                .parse()
                .map_err(|_| "field challenge is not an id".to_owned())?,
        ),
    };
    Ok(Kept {
        run_id: text("run")?
            .parse()
            .map_err(|_| "field run is not a run id".to_owned())?,
        seed: number("seed")?,
        ruleset,
        packed,
        jumps,
        jumps_total: u32::try_from(number("jumps")?).unwrap_or(u32::MAX),
        challenge,
    })
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}
