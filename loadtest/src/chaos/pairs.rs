//! The load under the faults: pairs of friends take turns, each run one more centre hit than the pair's
//! previous one, so every run after the pair's first passes the friend exactly once. A turn passes only
//! once the run's result is recorded (answered `over`, at once or after a pending wait), so a pair's
//! runs are recorded one after the other, in the order they ended: the audit can then replay the pair
//! and know exactly which notifications are due. A run that is never answered stops its pair.
//!
//! Before each run the mover lists and acknowledges its notifications and reads the friends board;
//! while the friend plays, it reads its pushes.

use std::sync::Arc;
use std::time::Duration;

use protocol::Scope;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::cli::Pace;
use crate::resilient::{Answer, PlayedRun, Player};
use crate::scenario::Presser;
use crate::scenario::passes::Pacer;

/// How long a waiting player reads pushes before looking at the baton again.
const IDLE_SLICE: Duration = Duration::from_millis(200);

/// One run of a pair, as played.
#[derive(Debug, Clone)]
pub(crate) struct RunRecord {
    /// The player (index in the population).
    pub(crate) player: u32,
    /// Centre hits before the fall: the pair's turn number.
    pub(crate) hits: u32,
    /// What happened.
    pub(crate) played: PlayedRun,
}

/// A pair's players after the load, and their runs.
pub(crate) struct PairOutcome {
    /// Both players (the notifications they saw, their reconnects), with their indexes.
    pub(crate) players: Vec<(u32, Player)>,
    /// Their runs, in the order they were played.
    pub(crate) runs: Vec<RunRecord>,
    /// True when a run went unanswered and the pair stopped before the deadline.
    pub(crate) stopped_early: bool,
}

/// What every pair shares.
pub(crate) struct PairSettings {
    /// When the pairs stop starting runs.
    pub(crate) deadline: Instant,
    /// Runs per second over all pairs.
    pub(crate) pacer: Arc<Pacer>,
    /// Human or machine pace.
    pub(crate) pace: Pace,
}

enum Baton {
    Play { hits: u32 },
    Stop,
}

/// Plays pair `(watcher, passer)` until the deadline; the watcher opens with a 0-point run.
pub(crate) async fn play(
    settings: Arc<PairSettings>,
    watcher: (u32, Player),
    passer: (u32, Player),
) -> PairOutcome {
    let (to_watcher, watcher_inbox) = mpsc::channel(1);
    let (to_passer, passer_inbox) = mpsc::channel(1);
    let _ = to_watcher.send(Baton::Play { hits: 0 }).await;
    let (first, second) = tokio::join!(
        side(&settings, watcher, watcher_inbox, to_passer),
        side(&settings, passer, passer_inbox, to_watcher),
    );
    let mut runs: Vec<RunRecord> = first.runs.into_iter().chain(second.runs).collect();
    runs.sort_by_key(|run| run.hits);
    PairOutcome {
        players: vec![first.player, second.player],
        runs,
        stopped_early: first.stopped_early || second.stopped_early,
    }
}

struct Side {
    player: (u32, Player),
    runs: Vec<RunRecord>,
    stopped_early: bool,
}

async fn side(
    settings: &PairSettings,
    (me, mut player): (u32, Player),
    mut baton: mpsc::Receiver<Baton>,
    other: mpsc::Sender<Baton>,
) -> Side {
    let mut runs = Vec::new();
    let mut stopped_early = false;
    let _ = player.connect().await;
    loop {
        let received = loop {
            tokio::select! {
                received = baton.recv() => break received,
                () = player.idle(IDLE_SLICE) => {}
            }
        };
        let Some(Baton::Play { hits }) = received else {
            break;
        };
        if Instant::now() >= settings.deadline || !settings.pacer.slot(settings.deadline).await {
            let _ = other.send(Baton::Stop).await;
            break;
        }
        // What a player does between runs; a failure here is the next request's to retry.
        let _ = player.catch_up(true).await;
        let _ = player.read_board(Scope::Friends).await;
        let played = player
            .play_run(&mut Presser::Scripted { hits }, settings.pace, None)
            .await;
        let recorded = matches!(played.answer, Answer::Over(_));
        runs.push(RunRecord {
            player: me,
            hits,
            played,
        });
        if recorded {
            let _ = other.send(Baton::Play { hits: hits + 1 }).await;
        } else {
            stopped_early = true;
            let _ = other.send(Baton::Stop).await;
            break;
        }
    }
    player.disconnect().await;
    Side {
        player: (me, player),
        runs,
        stopped_early,
    }
}
