//! The audit after the faults: what the players were told against what Redis holds.
//!
//! - **Runs.** Every run whose final jump was answered (`over`, or `pending`) must be in Redis, ended and
//!   recorded, its stored input log must replay (with `game-logic`, here) to the score its player
//!   reached, and every period board of the moment it ended (daily, weekly, all-time) must hold at least
//!   that score reached at that moment (boards keep a player's best, so a later, better run may stand
//!   there instead).
//! - **Passes.** The tool replays each pair's recorded runs in the order they ended, with its own model
//!   of the weekly boards, and works out every "friend passed you" due: a run that raises its player's
//!   weekly best strictly past the friend's. Each must be found exactly once among the notifications the
//!   friend saw (pushed or listed) and those still in their inbox; two notifications for one pass are a
//!   duplicate, a notification for no pass is unexpected. Runs the tool never learnt of (a start whose
//!   answer was lost, ended later by the idle timeout) are found by a scan and modelled too.
//! - **Reports.** The `passed` list of every `over` answer must name exactly the friends the model says.
//!
//! The audit first waits for the index of unsettled runs to empty: the sweepers then have recorded
//! every run a killed node left behind.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use anyhow::Context;
use game_logic::{Ruleset, replay_session};
use leapfrog_core::leaderboards::{PERIODS, PeriodRules, score};
use leapfrog_core::runs::input_log;
use leapfrog_core::store::{Sharding, keys};
use protocol::{Event, NotificationId, Period, PlayerId, RunId};
use redis::aio::MultiplexedConnection;
use serde::Serialize;

use super::pairs::RunRecord;
use crate::resilient::{Answer, Seen};

/// Most problems listed in the report (all are counted).
const LISTED_PROBLEMS: usize = 40;

/// What the audit found about runs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunsAudit {
    /// Runs whose start was answered.
    pub played: u64,
    /// Runs whose final jump was answered `over`.
    pub answered_over: u64,
    /// Runs whose final jump was answered `pending` and whose result never came to the player.
    pub answered_pending: u64,
    /// Answered runs found ended, recorded, replaying to their score and on every board.
    pub recorded: u64,
    /// Answered runs that are not: the failures this audit exists for.
    pub lost: u64,
    /// Runs whose final jump (or start) was never answered, however often it was sent.
    pub unanswered: u64,
    /// Runs the server refused to go on with (`run_over`: ended for the player, say by the idle timeout).
    pub refused: u64,
    /// Answers that differ from the local game-logic simulation.
    pub wrong_answers: u64,
    /// Runs in Redis the tool never learnt the id of (a `start_run` answer lost with its node).
    pub orphans: u64,
    /// `over` reports whose friends passed differ from the model's.
    pub report_mismatches: u64,
}

/// What the audit found about "friend passed you".
#[derive(Debug, Clone, Default, Serialize)]
pub struct NotificationsAudit {
    /// Passes the model says happened: each must be told once.
    pub due: u64,
    /// Passes told at least once.
    pub told: u64,
    /// Pass notifications the friend received as a push (live, or again after `hello`).
    pub pushed: u64,
    /// Pass notifications the friend found only by listing the inbox (the push was lost).
    pub listed_only: u64,
    /// Pass notifications still unread in the inbox at the end.
    pub stored_only: u64,
    /// Notifications beyond the first for one pass.
    pub duplicated: u64,
    /// Passes never told.
    pub missing: u64,
    /// Pass notifications (or summaries) that match no pass.
    pub unexpected: u64,
}

/// The whole audit.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Audit {
    /// Runs.
    pub runs: RunsAudit,
    /// Notifications.
    pub notifications: NotificationsAudit,
    /// Runs still in the index of unsettled runs when the audit started.
    pub unsettled_runs: u64,
    /// Seconds waited for the index to empty.
    pub settle_wait_s: f64,
    /// The first problems found, one line each (run ids, players, what is wrong).
    pub problems: Vec<String>,
}

impl Audit {
    /// True when nothing was lost, duplicated, missing, unexpected or wrong.
    pub fn passed(&self) -> bool {
        self.runs.lost == 0
            && self.runs.wrong_answers == 0
            && self.runs.report_mismatches == 0
            && self.notifications.duplicated == 0
            && self.notifications.missing == 0
            && self.notifications.unexpected == 0
    }

    fn problem(&mut self, text: String) {
        if self.problems.len() < LISTED_PROBLEMS {
            self.problems.push(text);
        }
    }
}

/// What the players did and saw.
pub(crate) struct Played<'a> {
    /// Player ids are `<prefix>-<index>`.
    pub(crate) prefix: &'a str,
    /// Players in the population.
    pub(crate) players: u32,
    /// Every run played, in each pair's order.
    pub(crate) runs: &'a [RunRecord],
    /// The notifications each player saw, by player index.
    pub(crate) seen: &'a HashMap<u32, BTreeMap<NotificationId, Seen>>,
}

/// Waits up to `within` for the index of unsettled runs to empty; returns how many runs are still in
/// it and how long it waited.
pub(crate) async fn settle(redis_url: &str, within: Duration) -> anyhow::Result<(u64, Duration)> {
    let mut connection = connect(redis_url).await?;
    let started = std::time::Instant::now();
    loop {
        let left = unsettled(&mut connection).await?;
        if left == 0 || started.elapsed() >= within {
            return Ok((left, started.elapsed()));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Audits `played` against Redis at `redis_url`, with the boards' period rules `rules` and shards
/// `sharding`.
pub(crate) async fn audit(
    redis_url: &str,
    rules: &PeriodRules,
    sharding: &Sharding,
    played: &Played<'_>,
) -> anyhow::Result<Audit> {
    let mut connection = connect(redis_url).await?;
    let mut audit = Audit::default();
    let known: HashMap<RunId, &RunRecord> = played
        .runs
        .iter()
        .filter_map(|record| record.played.run_id.map(|id| (id, record)))
        .collect();

    // The runs as Redis has them: every run the players played, and any other of theirs.
    let mut stored: HashMap<RunId, StoredRun> = HashMap::new();
    for id in known.keys() {
        if let Some(run) = load_run(&mut connection, *id).await? {
            stored.insert(*id, run);
        }
    }
    for id in run_ids(&mut connection).await? {
        if known.contains_key(&id) {
            continue;
        }
        if let Some(run) = load_run(&mut connection, id).await?
            && index_of(played.prefix, &run.player).is_some_and(|index| index < played.players)
        {
            audit.runs.orphans += 1;
            stored.insert(id, run);
        }
    }

    audit_runs(
        &mut connection,
        rules,
        sharding,
        played,
        &stored,
        &mut audit,
    )
    .await?;
    let due = passes_due(rules, played, &stored);
    audit_reports(played, &due, &mut audit);
    audit_notifications(&mut connection, played, &due, &mut audit).await?;
    Ok(audit)
}

/// A run as Redis holds it.
struct StoredRun {
    player: String,
    ended_ms: Option<u64>,
    recorded: bool,
    /// The score its stored input log replays to.
    replayed: Result<u32, String>,
}

async fn connect(url: &str) -> anyhow::Result<MultiplexedConnection> {
    redis::Client::open(url)?
        .get_multiplexed_async_connection()
        .await
        .with_context(|| format!("connecting to Redis at {url} for the audit"))
}

/// Runs in the index of unsettled runs (its shards are the sorted sets `lf:{runs:<n>}`).
async fn unsettled(connection: &mut MultiplexedConnection) -> anyhow::Result<u64> {
    let shards = scan(connection, "lf:{runs:*}").await?;
    let mut total = 0;
    for shard in shards {
        let count: u64 = redis::cmd("ZCARD")
            .arg(&shard)
            .query_async(connection)
            .await?;
        total += count;
    }
    Ok(total)
}

/// Every key matching `pattern`.
async fn scan(
    connection: &mut MultiplexedConnection,
    pattern: &str,
) -> anyhow::Result<Vec<String>> {
    let mut keys = Vec::new();
    let mut cursor: u64 = 0;
    loop {
        let (next, batch): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(connection)
            .await?;
        keys.extend(batch);
        if next == 0 {
            keys.sort();
            keys.dedup();
            return Ok(keys);
        }
        cursor = next;
    }
}

/// The ids of every run in Redis (`lf:{run:<id>}:meta`).
async fn run_ids(connection: &mut MultiplexedConnection) -> anyhow::Result<Vec<RunId>> {
    Ok(scan(connection, "lf:{run:*}:meta")
        .await?
        .iter()
        .filter_map(|key| key.strip_prefix("lf:{run:")?.strip_suffix("}:meta"))
        .filter_map(|id| id.parse().ok())
        .collect())
}

async fn load_run(
    connection: &mut MultiplexedConnection,
    id: RunId,
) -> anyhow::Result<Option<StoredRun>> {
    let (meta, log): (HashMap<String, String>, Option<Vec<u8>>) = redis::pipe()
        .cmd("HGETALL")
        .arg(format!("lf:{{run:{id}}}:meta"))
        .cmd("GET")
        .arg(format!("lf:{{run:{id}}}:log"))
        .query_async(connection)
        .await?;
    if meta.is_empty() {
        return Ok(None);
    }
    // A live run keeps its log at `:log:<epoch>`: in the `format` 3 layout an entry per jump (its record,
    // then the time it came), in `format` 2 the records then the time of the last jump; an ended one's is
    // at `:log`, records only.
    let format = meta.get("format").map(String::as_str);
    let live = matches!(format, Some("2" | "3"))
        && meta.get("state").map(String::as_str) == Some("active");
    let log = if live {
        let epoch = meta.get("epoch").map_or("0", String::as_str);
        redis::cmd("GET")
            .arg(format!("lf:{{run:{id}}}:log:{epoch}"))
            .query_async(connection)
            .await?
    } else {
        log
    };
    let log = log.unwrap_or_default();
    let replayed = (|| -> Result<u32, String> {
        let seed: u64 = meta
            .get("seed")
            .and_then(|seed| seed.parse().ok())
            .ok_or("no seed")?;
        let ruleset = meta
            .get("ruleset")
            .and_then(|version| version.parse().ok())
            .and_then(|version| Ruleset::from_version(version).ok())
            .ok_or("no ruleset")?;
        let inputs = match (live, format) {
            (true, Some("3")) => input_log::decode_live(&log).map(|(inputs, _)| inputs),
            (true, _) => input_log::decode(&log[..log.len().saturating_sub(8)]),
            (false, _) => input_log::decode(&log),
        }
        .map_err(|error| error.to_string())?;
        replay_session(seed, ruleset, &inputs)
            .map(|session| session.score())
            .map_err(|error| error.to_string())
    })();
    Ok(Some(StoredRun {
        player: meta.get("player").cloned().unwrap_or_default(),
        ended_ms: (meta.get("state").map(String::as_str) == Some("ended"))
            .then(|| meta.get("ended_ms").and_then(|ms| ms.parse().ok()))
            .flatten(),
        recorded: meta.contains_key("recorded"),
        replayed,
    }))
}

/// The index of player id `<prefix>-<index>`.
fn index_of(prefix: &str, player: &str) -> Option<u32> {
    player.strip_prefix(prefix)?.strip_prefix('-')?.parse().ok()
}

async fn audit_runs(
    connection: &mut MultiplexedConnection,
    rules: &PeriodRules,
    sharding: &Sharding,
    played: &Played<'_>,
    stored: &HashMap<RunId, StoredRun>,
    audit: &mut Audit,
) -> anyhow::Result<()> {
    for record in played.runs {
        let run = &record.played;
        let Some(id) = run.run_id else {
            // Never started, as far as the player knows; a run that did start is an orphan.
            audit.runs.unanswered += 1;
            continue;
        };
        audit.runs.played += 1;
        match &run.answer {
            Answer::Over(_) => audit.runs.answered_over += 1,
            Answer::Pending => audit.runs.answered_pending += 1,
            Answer::Refused(..) => {
                audit.runs.refused += 1;
                continue;
            }
            Answer::Unanswered(_) | Answer::Stopped => {
                audit.runs.unanswered += 1;
                continue;
            }
            Answer::Wrong(why) => {
                audit.runs.wrong_answers += 1;
                audit.problem(format!(
                    "run {id} of {}: wrong answer: {why}",
                    record.player
                ));
                continue;
            }
        }
        let player = format!("{}-{}", played.prefix, record.player);
        let mut faults = Vec::new();
        if let Answer::Over(report) = &run.answer
            && report.final_score != run.score
        {
            faults.push(format!("its report says {} points", report.final_score));
        }
        match stored.get(&id) {
            None => faults.push("not in Redis".into()),
            Some(found) => {
                match &found.replayed {
                    Ok(score) if *score == run.score => {}
                    Ok(score) => faults.push(format!("its stored inputs replay to {score} points")),
                    Err(why) => faults.push(format!("its stored inputs do not replay: {why}")),
                }
                match found.ended_ms {
                    None => faults.push("not ended".into()),
                    Some(ended_ms) => {
                        if !found.recorded {
                            faults.push("not marked recorded".into());
                        }
                        faults.extend(
                            board_faults(connection, rules, sharding, &player, run.score, ended_ms)
                                .await?,
                        );
                    }
                }
            }
        }
        if faults.is_empty() {
            audit.runs.recorded += 1;
        } else {
            audit.runs.lost += 1;
            audit.problem(format!(
                "lost run {id} of {player} ({} points, answered {}): {}",
                run.score,
                if matches!(run.answer, Answer::Over(_)) {
                    "over"
                } else {
                    "pending"
                },
                faults.join("; ")
            ));
        }
    }
    Ok(())
}

/// What is wrong with `player`'s entries on the boards of the moment `ended_ms` for a score of `points`
/// reached then: each must hold that packed score or a better one.
async fn board_faults(
    connection: &mut MultiplexedConnection,
    rules: &PeriodRules,
    sharding: &Sharding,
    player: &str,
    points: u32,
    ended_ms: u64,
) -> anyhow::Result<Vec<String>> {
    let player: PlayerId = player
        .parse()
        .map_err(|error| anyhow::anyhow!("player id {player}: {error}"))?;
    let packed = score::encode(points, ended_ms);
    let mut pipe = redis::pipe();
    let boards: Vec<String> = PERIODS
        .iter()
        .map(|period| sharding.board_key(&rules.slot(*period, ended_ms).id, &player))
        .collect();
    for board in &boards {
        pipe.cmd("ZSCORE").arg(board).arg(player.as_str());
    }
    let entries: Vec<Option<f64>> = pipe.query_async(connection).await?;
    Ok(boards
        .iter()
        .zip(entries)
        .filter_map(|(board, entry)| match entry.map(score::from_redis) {
            None => Some(format!("absent from {board}")),
            Some(held) if held < packed => Some(format!(
                "{board} holds {} points (reached earlier or lower)",
                score::decode(held).0
            )),
            Some(_) => None,
        })
        .collect())
}

/// A pass the model says happened: `passer`'s run `run` raised their weekly best to `their_score`,
/// past `recipient`'s `your_score`.
#[derive(Debug, Clone)]
struct Due {
    run: RunId,
    your_score: u32,
}

/// Passes due, by (recipient, passer, the passer's new weekly best).
type DuePasses = BTreeMap<(u32, u32, u32), Due>;

/// Replays each pair's ended runs in the order they ended on a model of the weekly boards.
fn passes_due(
    rules: &PeriodRules,
    played: &Played<'_>,
    stored: &HashMap<RunId, StoredRun>,
) -> DuePasses {
    // (ended_ms, run, player, score), per pair.
    let mut by_pair: BTreeMap<u32, Vec<(u64, RunId, u32, u32)>> = BTreeMap::new();
    for (id, run) in stored {
        let (Some(player), Some(ended_ms), Ok(points)) = (
            index_of(played.prefix, &run.player),
            run.ended_ms,
            &run.replayed,
        ) else {
            continue;
        };
        by_pair
            .entry(player / 2)
            .or_default()
            .push((ended_ms, *id, player, *points));
    }
    let mut due = DuePasses::new();
    for runs in by_pair.values_mut() {
        runs.sort();
        let mut weekly: HashMap<(u32, String), u64> = HashMap::new();
        for (ended_ms, id, player, points) in runs.iter() {
            let week = rules.slot(Period::Weekly, *ended_ms).id;
            let packed = score::encode(*points, *ended_ms);
            let old = weekly.get(&(*player, week.clone())).copied();
            if old.is_some_and(|old| packed <= old) {
                continue;
            }
            let friend = *player ^ 1;
            if let Some(theirs) = weekly.get(&(friend, week.clone())).copied()
                && old.is_none_or(|old| theirs > old)
                && theirs < packed
            {
                due.insert(
                    (friend, *player, *points),
                    Due {
                        run: *id,
                        your_score: score::decode(theirs).0,
                    },
                );
            }
            weekly.insert((*player, week), packed);
        }
    }
    due
}

/// Checks each `over` report's friends passed against the model.
fn audit_reports(played: &Played<'_>, due: &DuePasses, audit: &mut Audit) {
    let mut by_run: HashMap<RunId, Vec<u32>> = HashMap::new();
    for ((recipient, _, _), pass) in due {
        by_run.entry(pass.run).or_default().push(*recipient);
    }
    for record in played.runs {
        let (Some(id), Answer::Over(report)) = (record.played.run_id, &record.played.answer) else {
            continue;
        };
        let mut expected = by_run.get(&id).cloned().unwrap_or_default();
        expected.sort_unstable();
        let mut reported: Vec<u32> = report
            .passed
            .iter()
            .filter_map(|friend| index_of(played.prefix, friend.player.as_str()))
            .collect();
        reported.sort_unstable();
        if reported != expected || report.passed_count as usize != expected.len() {
            audit.runs.report_mismatches += 1;
            audit.problem(format!(
                "run {id} of {}: its report passed {reported:?} (count {}), the model says {expected:?}",
                record.player, report.passed_count
            ));
        }
    }
}

/// Where the audit found a notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Pushed,
    Listed,
    Stored,
}

async fn audit_notifications(
    connection: &mut MultiplexedConnection,
    played: &Played<'_>,
    due: &DuePasses,
    audit: &mut Audit,
) -> anyhow::Result<()> {
    // Every pass notification found, by the pass it tells of.
    let mut found: BTreeMap<(u32, u32, u32), Vec<(NotificationId, Found)>> = BTreeMap::new();
    for recipient in 0..played.players {
        let player = PlayerId::new(format!("{}-{recipient}", played.prefix))
            .map_err(|error| anyhow::anyhow!("player id: {error}"))?;
        let mut all: BTreeMap<NotificationId, (Event, Found)> = played
            .seen
            .get(&recipient)
            .into_iter()
            .flatten()
            .map(|(id, seen)| {
                let how = if seen.listed_only {
                    Found::Listed
                } else {
                    Found::Pushed
                };
                (*id, (seen.event.clone(), how))
            })
            .collect();
        for (id, event) in inbox(connection, &player).await? {
            all.entry(id).or_insert((event, Found::Stored));
        }
        for (id, (event, how)) in all {
            match event {
                Event::FriendPassed {
                    friend,
                    their_score,
                    ..
                } => {
                    let passer = index_of(played.prefix, friend.as_str()).unwrap_or(u32::MAX);
                    found
                        .entry((recipient, passer, their_score))
                        .or_default()
                        .push((id, how));
                }
                Event::FriendsPassedSummary { count, .. } => {
                    audit.notifications.unexpected += 1;
                    audit.problem(format!(
                        "{player}: a summary of {count} passes (run the nodes with --coalesce-window-ms 0)"
                    ));
                }
                Event::FriendRequestReceived { .. } | Event::FriendRequestAccepted { .. } => {}
            }
        }
    }
    let notifications = &mut audit.notifications;
    notifications.due = due.len() as u64;
    let mut problems = Vec::new();
    for (key, pass) in due {
        let (recipient, passer, their_score) = key;
        match found.get(key).map(Vec::as_slice).unwrap_or_default() {
            [] => {
                notifications.missing += 1;
                problems.push(format!(
                    "missing: {}-{recipient} was never told that {}-{passer}'s run {} ({their_score} points) passed their {}",
                    played.prefix, played.prefix, pass.run, pass.your_score
                ));
            }
            [_] => notifications.told += 1,
            [_, rest @ ..] => {
                notifications.told += 1;
                notifications.duplicated += rest.len() as u64;
                problems.push(format!(
                    "duplicated: {}-{recipient} was told {} times that {}-{passer}'s run {} passed them: {:?}",
                    played.prefix,
                    rest.len() + 1,
                    played.prefix,
                    pass.run,
                    found[key]
                ));
            }
        }
    }
    for (key, ids) in &found {
        for (_, how) in ids {
            match how {
                Found::Pushed => notifications.pushed += 1,
                Found::Listed => notifications.listed_only += 1,
                Found::Stored => notifications.stored_only += 1,
            }
        }
        if !due.contains_key(key) {
            let (recipient, passer, their_score) = key;
            notifications.unexpected += ids.len() as u64;
            problems.push(format!(
                "unexpected: {}-{recipient} was told {}-{passer} passed them with {their_score} points: {ids:?}",
                played.prefix, played.prefix
            ));
        }
    }
    for problem in problems {
        audit.problem(problem);
    }
    Ok(())
}

/// The notifications still in `player`'s inbox.
async fn inbox(
    connection: &mut MultiplexedConnection,
    player: &PlayerId,
) -> anyhow::Result<Vec<(NotificationId, Event)>> {
    let entries: Vec<(String, HashMap<String, String>)> = redis::cmd("XRANGE")
        .arg(keys::inbox(player))
        .arg("-")
        .arg("+")
        .query_async(connection)
        .await?;
    Ok(entries
        .into_iter()
        .filter_map(|(id, fields)| {
            let id: NotificationId = id.parse().ok()?;
            let event = match (fields.get("event"), fields.get("kind").map(String::as_str)) {
                (Some(json), _) => serde_json::from_str(json).ok()?,
                (None, Some("summary")) => Event::FriendsPassedSummary {
                    count: fields.get("count")?.parse().ok()?,
                    names: protocol::BoundedVec::truncating(Vec::new()),
                    best_score: fields.get("best")?.parse().ok()?,
                    your_score: fields.get("your")?.parse().ok()?,
                    board: serde_json::from_str(fields.get("board")?).ok()?,
                },
                _ => return None,
            };
            Some((id, event))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(player: &str, ended_ms: u64, points: u32) -> StoredRun {
        StoredRun {
            player: player.into(),
            ended_ms: Some(ended_ms),
            recorded: true,
            replayed: Ok(points),
        }
    }

    #[test]
    fn each_run_past_the_friends_weekly_best_is_a_pass() {
        let t = 1_795_392_000_000; // a Monday, 00:00 UTC
        let runs: HashMap<RunId, StoredRun> = [
            (RunId::from_bytes([1; 16]), stored("c-0", t + 1_000, 0)),
            (RunId::from_bytes([2; 16]), stored("c-1", t + 2_000, 2)),
            (RunId::from_bytes([3; 16]), stored("c-0", t + 3_000, 6)),
            // Not a new best: no pass.
            (RunId::from_bytes([4; 16]), stored("c-1", t + 4_000, 1)),
            // A new best, but the friend (6) is still ahead.
            (RunId::from_bytes([5; 16]), stored("c-1", t + 5_000, 4)),
            (RunId::from_bytes([6; 16]), stored("c-1", t + 6_000, 12)),
            // Another player's run, in another pair.
            (RunId::from_bytes([7; 16]), stored("c-2", t + 7_000, 50)),
        ]
        .into_iter()
        .collect();
        let seen = HashMap::new();
        let played = Played {
            prefix: "c",
            players: 4,
            runs: &[],
            seen: &seen,
        };
        let due = passes_due(&PeriodRules::default(), &played, &runs);
        let passes: Vec<(u32, u32, u32, u32)> = due
            .iter()
            .map(|((to, by, theirs), pass)| (*to, *by, *theirs, pass.your_score))
            .collect();
        assert_eq!(passes, [(0, 1, 2, 0), (0, 1, 12, 6), (1, 0, 6, 2)]);
        assert_eq!(due[&(0, 1, 12)].run, RunId::from_bytes([6; 16]));
    }

    #[test]
    fn player_indexes_come_from_the_prefix() {
        assert_eq!(index_of("ch", "ch-12"), Some(12));
        assert_eq!(index_of("ch", "other-12"), None);
        assert_eq!(index_of("ch", "ch-x"), None);
    }
}
