//! A run's record in Redis: its meta hash (who, seed, ruleset, mode, start time, state) and its input log.
//!
//! Both keys share the run's hash tag, so every multi-key step here stays in one Redis Cluster slot. The
//! log is appended through `append_jumps.lua`, which refuses an append unless the log holds exactly the
//! expected number of jumps and the run is active: a jump is recorded once, whichever node sends it.

use std::collections::HashMap;
use std::time::Duration;

use game_logic::{Jump, Ruleset};
use protocol::{PlayerId, RunId};
use redis::Script;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::LazyLock;
use thiserror::Error;

use super::finished::EndReason;
use super::input_log::{self, CorruptLog, RECORD_BYTES};
use crate::store::{Store, StoreError, keys};

static APPEND_JUMPS: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("append_jumps.lua")));

/// How a run is played.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    /// Live, jump by jump, from a seed the server drew.
    Solo,
    /// Live, on a seed a friend shared.
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
}

/// A run as loaded from Redis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredRun {
    /// Its fixed facts.
    pub meta: RunMeta,
    /// False once it ended.
    pub active: bool,
    /// Its inputs so far.
    pub inputs: Vec<Jump>,
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

/// Writes a new run's meta, active, expiring after `ttl` unless jumps refresh it.
pub(crate) async fn create(
    store: &Store,
    run: RunId,
    meta: &RunMeta,
    ttl: Duration,
) -> Result<(), StoreError> {
    let key = keys::run_meta(&run);
    let mut pipe = redis::pipe();
    pipe.atomic()
        .hset_multiple(
            &key,
            &[
                ("player", meta.player.as_str().to_owned()),
                ("seed", meta.seed.to_string()),
                ("ruleset", meta.ruleset.version().to_string()),
                ("mode", meta.mode.as_str().to_owned()),
                ("started_ms", meta.started_at_ms.to_string()),
                ("state", "active".to_owned()),
            ],
        )
        .ignore()
        .expire(&key, ttl_seconds(ttl))
        .ignore();
    store.query_pipeline("run_create", &pipe).await
}

/// Loads a run, or `None` if it does not exist (never did, or expired).
pub(crate) async fn load(store: &Store, run: RunId) -> Result<Option<StoredRun>, LoadError> {
    let mut pipe = redis::pipe();
    pipe.hgetall(keys::run_meta(&run)).get(keys::run_log(&run));
    let (fields, log): (HashMap<String, String>, Option<Vec<u8>>) =
        store.query_pipeline("run_load", &pipe).await?;
    if fields.is_empty() {
        return Ok(None);
    }
    let field = |name: &'static str| {
        fields
            .get(name)
            .ok_or(LoadError::CorruptMeta { run, field: name })
    };
    let corrupt = |field| LoadError::CorruptMeta { run, field };
    let meta = RunMeta {
        player: field("player")?.parse().map_err(|_| corrupt("player"))?,
        seed: field("seed")?.parse().map_err(|_| corrupt("seed"))?,
        ruleset: field("ruleset")?
            .parse::<u16>()
            .ok()
            .and_then(|v| Ruleset::from_version(v).ok())
            .ok_or_else(|| corrupt("ruleset"))?,
        mode: RunMode::parse(field("mode")?).ok_or_else(|| corrupt("mode"))?,
        started_at_ms: field("started_ms")?
            .parse()
            .map_err(|_| corrupt("started_ms"))?,
    };
    let inputs = input_log::decode(log.as_deref().unwrap_or_default())
        .map_err(|source| LoadError::CorruptLog { run, source })?;
    Ok(Some(StoredRun {
        meta,
        active: field("state")? == "active",
        inputs,
    }))
}

/// Appends `jumps` after the first `recorded` jumps of the log, and ends the run in the same atomic step
/// when `end` is set. An empty `jumps` with `end` just ends the run.
pub(crate) async fn append(
    store: &Store,
    run: RunId,
    recorded: usize,
    jumps: &[Jump],
    end: Option<EndReason>,
    ttl: Duration,
) -> Result<Appended, StoreError> {
    let mut invocation = APPEND_JUMPS.prepare_invoke();
    invocation
        .key(keys::run_meta(&run))
        .key(keys::run_log(&run))
        .arg(recorded * RECORD_BYTES)
        .arg(input_log::encode_all(jumps))
        .arg(if end.is_some() { "end" } else { "" })
        .arg(end.map_or("", EndReason::as_str))
        .arg(ttl_seconds(ttl));
    let (status, length): (u8, usize) = store.run_script("run_append", &invocation).await?;
    Ok(match status {
        0 => Appended::Done,
        1 => Appended::OutOfSequence {
            jumps: length / RECORD_BYTES,
        },
        _ => Appended::NotActive,
    })
}

/// Marks `run` recorded (saving its recording's `outcome` too, when given) and keeps its keys for `ttl`.
pub(crate) async fn mark_recorded<T: Serialize>(
    store: &Store,
    run: RunId,
    ttl: Duration,
    outcome: Option<&T>,
) -> Result<(), StoreError> {
    let meta = keys::run_meta(&run);
    let mut pipe = redis::pipe();
    pipe.atomic();
    if let Some(outcome) = outcome {
        pipe.hset(&meta, OUTCOME_FIELD, to_json(outcome)).ignore();
    }
    pipe.hset(&meta, "recorded", 1)
        .ignore()
        .expire(&meta, ttl_seconds(ttl))
        .ignore()
        .expire(keys::run_log(&run), ttl_seconds(ttl))
        .ignore();
    store.query_pipeline("run_mark_recorded", &pipe).await
}

/// Saves the outcome of `run`'s recording before its friends are notified, so a retried recording
/// repeats exactly what the first one decided.
pub(crate) async fn save_outcome<T: Serialize>(
    store: &Store,
    run: RunId,
    ttl: Duration,
    outcome: &T,
) -> Result<(), StoreError> {
    let meta = keys::run_meta(&run);
    let mut pipe = redis::pipe();
    pipe.atomic()
        .hset(&meta, OUTCOME_FIELD, to_json(outcome))
        .ignore()
        .expire(&meta, ttl_seconds(ttl))
        .ignore();
    store.query_pipeline("run_save_outcome", &pipe).await
}

/// The outcome an earlier recording of `run` saved, if any (one that does not parse, written by
/// another version, counts as none).
pub(crate) async fn saved_outcome<T: DeserializeOwned>(
    store: &Store,
    run: RunId,
) -> Result<Option<T>, StoreError> {
    let json: Option<String> = store
        .query(
            "run_saved_outcome",
            redis::cmd("HGET")
                .arg(keys::run_meta(&run))
                .arg(OUTCOME_FIELD),
        )
        .await?;
    Ok(json.and_then(|json| serde_json::from_str(&json).ok()))
}

/// The run meta field holding a recording's outcome (JSON).
const OUTCOME_FIELD: &str = "outcome";

fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn ttl_seconds(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_secs().max(1)).unwrap_or(i64::MAX)
}
