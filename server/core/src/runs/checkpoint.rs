//! A run's record in Redis: its meta hash (who, seed, ruleset, mode, start time, state, driver, when the
//! last jump came, how and when it ended, its recording's outcome) and its input log.
//!
//! Every key shares the run's hash tag, so every multi-key step here stays in one Redis Cluster slot.
//!
//! A jump is one command, no script (`jump_write`): an `APPEND` of its entry (its record and the time it
//! came) to the live log of the driver's epoch, whose answer (the log's length after it) shows a log Redis
//! lost writes of, which is cut back and refused, never left with a hole. Now and then the same request
//! reads back the run's state, driver and epoch, so the node answers only if it still drives the active
//! run; between those reads a fence stands in. A takeover (`load_run.lua`) copies the log to the next
//! epoch's key: a late write of a driver that lost the run never reaches the new driver's log. Ending a
//! run stays one atomic script (`end_run.lua`): driver and length checked, the log moved to its final key
//! as records only.

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Duration;

use game_logic::{Jump, Ruleset};
use protocol::{ChallengeId, PlayerId, RunId};
use redis::Script;
use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

use super::finished::EndReason;
use super::input_log::{self, CorruptLog, RECORD_BYTES};
use crate::store::{self, Op, Store, StoreError, keys};

// Both scripts find a live run's log by its layout with the same Lua function, prepended to each.
static END_RUN: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        include_str!("live_log_key.lua"),
        include_str!("end_run.lua")
    ))
});
static LOAD_RUN: LazyLock<Script> = LazyLock::new(|| {
    Script::new(concat!(
        include_str!("live_log_key.lua"),
        include_str!("load_run.lua")
    ))
});

/// The record layout this build writes (meta field `format`): live logs per epoch, an entry (record and
/// time) per jump. Runs in an older layout (`2`: records then the last jump's time; none: one log key)
/// are read in this one, and `load_run.lua` moves a live one to it when it is taken over.
const FORMAT: &str = "3";

/// The run meta field holding a recording's outcome (JSON).
const OUTCOME_FIELD: &str = "outcome";
/// The run meta field naming the challenge the run was shared as.
const SHARED_AS_FIELD: &str = "shared_as";

/// How a run is played.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// Live, jump by jump, from a seed the server drew.
    Solo,
    /// Live, on the seed of a challenge a player shared.
    Challenge,
    /// Played offline on a seed the server drew, submitted whole and verified by replay.
    Offline,
}

impl RunMode {
    const fn as_str(self) -> &'static str {
        match self {
            RunMode::Solo => "solo",
            RunMode::Challenge => "challenge",
            RunMode::Offline => "offline",
        }
    }

    fn parse(text: &str) -> Option<RunMode> {
        match text {
            "solo" => Some(RunMode::Solo),
            "challenge" => Some(RunMode::Challenge),
            "offline" => Some(RunMode::Offline),
            _ => None,
        }
    }
}

/// The fixed facts of a run, written when it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunMeta {
    /// Whose run it is: only this player may play or resume it.
    pub player: PlayerId,
    /// The seed of its game stream.
    pub seed: u64,
    /// The rules it is played under.
    pub ruleset: Ruleset,
    /// How it is played.
    pub mode: RunMode,
    /// Unix ms when the server handed out the seed: the timing model counts from here.
    pub started_at_ms: u64,
    /// The challenge whose course it is played on (a challenge run ranks on that challenge's board).
    pub challenge: Option<ChallengeId>,
}

/// Where a stored run stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RunState {
    /// Being played.
    Active,
    /// Over, for `reason`, at `at_ms`; `recorded` once its result is on the boards and its friends told.
    Ended {
        /// Why it ended.
        reason: EndReason,
        /// Unix ms when it ended: the time its score was reached.
        at_ms: u64,
        /// True once recorded.
        recorded: bool,
    },
}

/// A run as loaded from Redis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredRun {
    /// Its fixed facts.
    pub(crate) meta: RunMeta,
    /// Where it stands.
    pub(crate) state: RunState,
    /// Unix ms when its last jump was appended (`None` before the first).
    pub(crate) last_jump_ms: Option<u64>,
    /// Its inputs so far.
    pub(crate) inputs: Vec<Jump>,
    /// The saved outcome of its recording (JSON), once planned.
    pub(crate) outcome: Option<String>,
    /// The challenge this run was shared as, once shared.
    pub(crate) shared_as: Option<ChallengeId>,
    /// The epoch it is driven at (bumped by every takeover): names its live log.
    pub(crate) epoch: u64,
}

impl StoredRun {
    /// The saved outcome, if any and readable (one written by another version counts as none).
    pub(crate) fn saved_outcome<T: DeserializeOwned>(&self) -> Option<T> {
        self.outcome
            .as_deref()
            .and_then(|json| serde_json::from_str(json).ok())
    }
}

/// The answer of an append.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Appended {
    /// Recorded.
    Done,
    /// The log holds another number of jumps than expected (a concurrent writer): it holds `jumps`.
    OutOfSequence {
        /// Jumps the log really holds.
        jumps: usize,
    },
    /// The run ended or expired before this append.
    NotActive,
    /// Another connection took the run over.
    NotDriver,
}

/// Why a stored run could not be read.
#[derive(Debug, Error)]
pub enum LoadError {
    /// Redis failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The log is torn.
    #[error("run {run}: the input log is damaged")]
    CorruptLog {
        /// The run.
        run: RunId,
        /// What is wrong with it.
        source: CorruptLog,
    },
    /// The stored inputs do not replay (written under rules this build does not reproduce).
    #[error("run {run}: the stored inputs do not replay")]
    Unreplayable {
        /// The run.
        run: RunId,
        /// Where the replay failed.
        source: game_logic::ReplayError,
    },
    /// A meta field is missing or unreadable.
    #[error("run {run}: meta field `{field}` is missing or invalid")]
    CorruptMeta {
        /// The run.
        run: RunId,
        /// The field.
        field: &'static str,
    },
}

/// A run's meta fields and input log, as `load_run.lua` answers.
type Loaded = (HashMap<String, String>, Option<Vec<u8>>);

/// Writes a new run's meta, active and driven by `driver`, expiring after `ttl` unless jumps refresh it.
pub(crate) async fn create(
    store: &Store,
    run: RunId,
    meta: &RunMeta,
    driver: &str,
    ttl: Duration,
) -> Result<(), StoreError> {
    let key = keys::run_meta(&run);
    let mut fields = vec![
        ("format", FORMAT.to_owned()),
        ("epoch", "1".to_owned()),
        ("player", meta.player.as_str().to_owned()),
        ("seed", meta.seed.to_string()),
        ("ruleset", meta.ruleset.version().to_string()),
        ("mode", meta.mode.as_str().to_owned()),
        ("started_ms", meta.started_at_ms.to_string()),
        ("state", "active".to_owned()),
        ("driver", driver.to_owned()),
    ];
    if let Some(challenge) = meta.challenge {
        fields.push(("challenge", challenge.to_string()));
    }
    let mut pipe = redis::pipe();
    pipe.atomic()
        .hset_multiple(&key, &fields)
        .ignore()
        .expire(&key, ttl_seconds(ttl))
        .ignore();
    store.query_pipeline(Op::RunCreate, &pipe).await
}

/// Deletes a run [`create`] wrote that never started: its start was refused (a player cap) or failed,
/// and nothing else refers to it.
pub(crate) async fn discard(store: &Store, run: RunId) -> Result<(), StoreError> {
    store
        .query::<()>(
            Op::RunDiscard,
            crate::store::cmd("DEL").arg(keys::run_meta(&run)),
        )
        .await
}

/// A connection taking a run over as it loads it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Takeover<'d> {
    /// The new driver's token.
    pub(crate) driver: &'d str,
    /// How long the live run's keys are kept from now.
    pub(crate) live_ttl: Duration,
}

/// Loads a run, or `None` if it does not exist (never did, or expired). With a `takeover`, an active run
/// is taken over in the same step, at a new epoch.
pub(crate) async fn load(
    store: &Store,
    run: RunId,
    takeover: Option<Takeover<'_>>,
) -> Result<Option<StoredRun>, LoadError> {
    let mut invocation = LOAD_RUN.prepare_invoke();
    invocation
        .key(keys::run_meta(&run))
        .key(keys::run_log(&run))
        .arg(takeover.map_or("", |takeover| takeover.driver))
        .arg(takeover.map_or(1, |takeover| ttl_seconds(takeover.live_ttl)));
    let loaded: Option<Loaded> = match store
        .run_script::<redis::Value>(Op::RunLoad, &invocation)
        .await?
    {
        redis::Value::Array(parts) if parts.is_empty() => None,
        value => Some(store::decode(Op::RunLoad, value)?),
    };
    let Some((fields, log)) = loaded else {
        return Ok(None);
    };
    parse(run, &fields, log.as_deref().unwrap_or_default()).map(Some)
}

fn parse(run: RunId, fields: &HashMap<String, String>, log: &[u8]) -> Result<StoredRun, LoadError> {
    let corrupt = |field| LoadError::CorruptMeta { run, field };
    let field = |name: &'static str| fields.get(name).ok_or(corrupt(name));
    let number = |name: &'static str| -> Result<u64, LoadError> {
        field(name)?.parse().map_err(|_| corrupt(name))
    };
    let meta = RunMeta {
        player: field("player")?.parse().map_err(|_| corrupt("player"))?,
        seed: number("seed")?,
        ruleset: field("ruleset")?
            .parse::<u16>()
            .ok()
            .and_then(|v| Ruleset::from_version(v).ok())
            .ok_or_else(|| corrupt("ruleset"))?,
        mode: RunMode::parse(field("mode")?).ok_or_else(|| corrupt("mode"))?,
        started_at_ms: number("started_ms")?,
        challenge: fields
            .get("challenge")
            .map(|id| id.parse().map_err(|_| corrupt("challenge")))
            .transpose()?,
    };
    let state = match field("state")?.as_str() {
        "active" => RunState::Active,
        "ended" => RunState::Ended {
            reason: EndReason::parse(field("end_reason")?).ok_or_else(|| corrupt("end_reason"))?,
            // Runs ended before `ended_ms` was kept count from their start.
            at_ms: fields
                .get("ended_ms")
                .and_then(|ms| ms.parse().ok())
                .unwrap_or(meta.started_at_ms),
            recorded: fields.contains_key("recorded"),
        },
        _ => return Err(corrupt("state")),
    };
    // A live run's log holds the time of each jump (`load_run.lua` answers older runs' in this layout);
    // an ended one's is records only, the time of its last jump in the meta.
    let (inputs, last_jump_ms) = match state {
        RunState::Active => input_log::decode_live(log),
        RunState::Ended { .. } => input_log::decode(log)
            .map(|inputs| (inputs, fields.get("last_ms").and_then(|ms| ms.parse().ok()))),
    }
    .map_err(|source| LoadError::CorruptLog { run, source })?;
    Ok(StoredRun {
        meta,
        state,
        last_jump_ms,
        inputs,
        outcome: fields.get(OUTCOME_FIELD).cloned(),
        shared_as: fields.get(SHARED_AS_FIELD).and_then(|id| id.parse().ok()),
        epoch: fields
            .get("epoch")
            .and_then(|epoch| epoch.parse().ok())
            .unwrap_or(0),
    })
}

/// The live log a connection writes a run's jumps to: the epoch it drives the run at, and that epoch's
/// key, built once per drive because every jump writes to it.
#[derive(Debug, Clone)]
pub(crate) struct LiveLog {
    pub(super) epoch: u64,
    pub(super) key: String,
}

impl LiveLog {
    /// `run`'s live log at `epoch`.
    pub(crate) fn new(run: &RunId, epoch: u64) -> LiveLog {
        LiveLog {
            epoch,
            key: keys::run_live_log(run, epoch),
        }
    }
}

/// The end of a run, with its last jumps if any.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EndStep<'d> {
    /// The jumps already in the log, as the ending node holds them: the end is refused unless the log
    /// holds as many (and the same last one), and they become the ended run's log.
    pub(crate) logged: &'d [Jump],
    /// Why the run ends.
    pub(crate) reason: EndReason,
    /// The ending connection's driver token; `None` for the server itself (ending an idle run).
    pub(crate) driver: Option<&'d str>,
    /// Unix ms now: when the run ended.
    pub(crate) now_ms: u64,
    /// Keep both keys this long.
    pub(crate) ttl: Duration,
    /// How long the fence a server's end leaves on the live log lives: the live TTL, which bounds how
    /// long its driver writes without reading the run's state back.
    pub(crate) fence_ttl: Duration,
}

/// Appends `jumps` after the first `step.recorded` jumps of the log and ends the run, in one atomic
/// step (`end_run.lua`). An empty `jumps` just ends the run.
pub(crate) async fn end(
    store: &Store,
    run: RunId,
    jumps: &[Jump],
    step: EndStep<'_>,
) -> Result<Appended, StoreError> {
    let mut invocation = END_RUN.prepare_invoke();
    invocation
        .key(keys::run_meta(&run))
        .key(keys::run_log(&run))
        .arg(step.logged.len() * RECORD_BYTES)
        .arg(input_log::encode_all(jumps))
        .arg(step.reason.as_str())
        .arg(ttl_seconds(step.ttl))
        .arg(step.now_ms)
        .arg(step.driver.unwrap_or(""))
        .arg(ttl_seconds(step.fence_ttl))
        .arg(input_log::encode_all(step.logged));
    let (status, length): (u8, usize) = store.run_script(Op::RunEnd, &invocation).await?;
    Ok(match status {
        0 => Appended::Done,
        1 => Appended::OutOfSequence {
            jumps: length / RECORD_BYTES,
        },
        3 => Appended::NotDriver,
        _ => Appended::NotActive,
    })
}

/// Saves `outcome` as the outcome of `run`'s recording unless one is saved already, and returns the one
/// that is: the first recording to plan decides, and every later or concurrent one repeats it. A plain
/// pipeline, no `MULTI`: the field is only ever set if absent, so the read after the set sees the one
/// saved, whatever ran between them.
pub(crate) async fn save_outcome_once<T: Serialize + DeserializeOwned>(
    store: &Store,
    run: RunId,
    outcome: T,
) -> Result<T, StoreError> {
    let meta = keys::run_meta(&run);
    let json = serde_json::to_string(&outcome).unwrap_or_default();
    let mut pipe = redis::pipe();
    pipe.hset_nx(&meta, OUTCOME_FIELD, &json)
        .ignore()
        .hget(&meta, OUTCOME_FIELD);
    let (saved,): (Option<String>,) = store.query_pipeline(Op::RunSaveOutcome, &pipe).await?;
    Ok(saved
        .filter(|saved| *saved != json)
        .and_then(|saved| serde_json::from_str(&saved).ok())
        .unwrap_or(outcome))
}

/// Records that `run` is shared as challenge `drawn` unless it is shared already, and returns the
/// challenge it is shared as: the first share decides.
pub(crate) async fn share_once(
    store: &Store,
    run: RunId,
    drawn: ChallengeId,
) -> Result<ChallengeId, StoreError> {
    let meta = keys::run_meta(&run);
    let mut pipe = redis::pipe();
    pipe.atomic()
        .hset_nx(&meta, SHARED_AS_FIELD, drawn.to_string())
        .ignore()
        .hget(&meta, SHARED_AS_FIELD);
    let (shared,): (Option<String>,) = store.query_pipeline(Op::RunShare, &pipe).await?;
    Ok(shared.and_then(|id| id.parse().ok()).unwrap_or(drawn))
}

/// Marks `run` recorded and keeps its keys for `ttl` more (the retry and idempotency window).
pub(crate) async fn mark_recorded(
    store: &Store,
    run: RunId,
    ttl: Duration,
) -> Result<(), StoreError> {
    let meta = keys::run_meta(&run);
    let mut pipe = redis::pipe();
    pipe.atomic()
        .hset(&meta, "recorded", 1)
        .ignore()
        .expire(&meta, ttl_seconds(ttl))
        .ignore()
        .expire(keys::run_log(&run), ttl_seconds(ttl))
        .ignore();
    store.query_pipeline(Op::RunMarkRecorded, &pipe).await
}

/// `ttl` in whole seconds, one at least, as `EXPIRE` takes it.
pub(super) fn ttl_seconds(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_secs().max(1)).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    const BASE: [(&str, &str); 6] = [
        ("player", "ada"),
        ("seed", "42"),
        ("ruleset", "1"),
        ("mode", "solo"),
        ("started_ms", "1000"),
        ("state", "active"),
    ];

    #[test]
    fn an_active_runs_log_holds_the_time_of_its_last_jump() {
        let jump = Jump {
            press_ms: 700,
            dwell_ms: 300,
        };
        let mut log = input_log::encode_live(&[jump], 4_000);
        log.extend(input_log::encode_live(&[jump], 5_000));
        let run = parse(RunId::from_bytes([1; 16]), &fields(&BASE), &log).expect("parses");
        assert_eq!(run.state, RunState::Active);
        assert_eq!(run.last_jump_ms, Some(5_000));
        assert_eq!(run.inputs.len(), 2);
        let fresh = parse(RunId::from_bytes([1; 16]), &fields(&BASE), &[]).expect("parses");
        assert_eq!((fresh.last_jump_ms, fresh.inputs.len()), (None, 0));
    }

    #[test]
    fn an_ended_runs_log_is_records_only() {
        let mut meta = fields(&BASE);
        meta.insert("state".into(), "ended".into());
        meta.insert("end_reason".into(), "game_over".into());
        meta.insert("last_ms".into(), "5000".into());
        let run = parse(RunId::from_bytes([1; 16]), &meta, &[0; 24]).expect("parses");
        assert_eq!((run.last_jump_ms, run.inputs.len()), (Some(5_000), 3));
    }

    #[test]
    fn an_ended_run_says_why_when_and_whether_recorded() {
        let mut meta = fields(&BASE);
        meta.insert("state".into(), "ended".into());
        meta.insert("end_reason".into(), "game_over".into());
        meta.insert("ended_ms".into(), "9000".into());
        let run = parse(RunId::from_bytes([1; 16]), &meta, &[]).expect("parses");
        assert_eq!(
            run.state,
            RunState::Ended {
                reason: EndReason::GameOver,
                at_ms: 9_000,
                recorded: false
            }
        );
        meta.insert("recorded".into(), "1".into());
        let run = parse(RunId::from_bytes([1; 16]), &meta, &[]).expect("parses");
        assert!(matches!(run.state, RunState::Ended { recorded: true, .. }));
    }

    #[test]
    fn damaged_records_are_refused_with_the_field() {
        let mut meta = fields(&BASE);
        meta.insert("state".into(), "paused".into());
        let error = parse(RunId::from_bytes([1; 16]), &meta, &[]).unwrap_err();
        assert!(error.to_string().contains("`state`"), "{error}");
        assert!(parse(RunId::from_bytes([1; 16]), &fields(&BASE), &[0; 24]).is_err());
    }
}
