//! What simulated players do once connected: the actions shared by every scenario (hello, a whole run,
//! board reads, acknowledgements) and one module per scenario.

pub mod idle;
pub mod jumps;
pub mod passes;
pub mod play;
pub mod staleness;
pub mod warmup;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use game_logic::physics::press_for_distance;
use game_logic::timing::min_interval_ms;
use game_logic::{Bot, GameSession, Jump, Ruleset};
use protocol::{
    AckNotifications, Board, BoardPage, BoardWindow, Hello, JumpRequest, Period, ReadBoard,
    Request, Response, RunId, Scope, StartMode, StartRun,
};
use rand::Rng;

use crate::cli::Pace;
use crate::client::{CallError, Connection};
use crate::stats::Stats;

/// How a player chooses presses.
pub enum Presser {
    /// The game-logic bot at some skill.
    Bot(Bot),
    /// `hits` exact centre hits, then a press far too long: a run of a known score.
    Scripted {
        /// Centre hits before the fall.
        hits: u32,
    },
}

impl Presser {
    pub(crate) fn next(&mut self, session: &GameSession) -> Jump {
        match self {
            Presser::Bot(bot) => bot.next_jump(session.world()),
            Presser::Scripted { hits } => {
                let press_ms = if session.jumps() < *hits {
                    press_for_distance(Ruleset::V1.params(), session.world().distance_to_next())
                } else {
                    10_000
                };
                Jump {
                    press_ms,
                    dwell_ms: 300,
                }
            }
        }
    }
}

/// Says hello (the server answers `Welcome`; the echo, the same bytes).
pub async fn hello(connection: &mut Connection) -> Result<(), CallError> {
    let request = Request::Hello(Hello {
        client_version: "leapfrog-loadtest/0.1".into(),
        token: None,
        resume: None,
        last_notification: None,
    });
    match connection.call("hello", request).await? {
        None | Some(Response::Welcome(_)) => Ok(()),
        Some(other) => Err(CallError::Unexpected(format!("{other:?}"))),
    }
}

/// Plays one whole run, jump by jump, at `pace`, checking every answer against the local simulation.
/// Returns the final score, or `None` if `deadline` came first (the run is left to the server's idle
/// timeout, as a player closing the app would).
pub async fn play_run(
    connection: &mut Connection,
    presser: &mut Presser,
    pace: Pace,
    deadline: tokio::time::Instant,
    stats: &Stats,
    rng: &mut impl Rng,
) -> Result<Option<u32>, CallError> {
    let start = Request::StartRun(StartRun {
        mode: StartMode::Solo,
    });
    let (run_id, seed) = match connection.call("start_run", start).await? {
        Some(Response::RunStarted(started)) => (started.run_id, started.seed),
        None => (RunId::from_bytes(rng.random()), rng.random()),
        Some(other) => return Err(CallError::Unexpected(format!("{other:?}"))),
    };
    let mut session = GameSession::new(seed, Ruleset::V1);
    let mut previous_press = None;
    loop {
        if tokio::time::Instant::now() >= deadline {
            return Ok(None);
        }
        let jump = presser.next(&session);
        if pace == Pace::Human {
            let wait = min_interval_ms(Ruleset::V1.params(), previous_press, jump);
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
        previous_press = Some(jump.press_ms);
        let seq = session.jumps();
        let outcome = session
            .apply(jump)
            .map_err(|error| CallError::Unexpected(format!("local simulation: {error}")))?;
        let (kind, request) = jump_request(run_id, seq, jump, outcome.game_over);
        match connection.call(kind, request).await? {
            None => {}
            Some(Response::JumpResult(result)) if result.outcome == outcome => {}
            Some(other) => {
                return Err(CallError::Unexpected(format!(
                    "the server's jump differs from game-logic: {other:?}"
                )));
            }
        }
        stats.jumps.fetch_add(1, Ordering::Relaxed);
        if outcome.game_over {
            stats.runs.fetch_add(1, Ordering::Relaxed);
            return Ok(Some(outcome.score));
        }
    }
}

/// The request for jump `seq` of run `run_id`, and the kind its latency is kept under: `jump_final` for
/// the jump that ends the run (it records the run, so it is timed apart), else `jump`.
pub(crate) fn jump_request(
    run_id: RunId,
    seq: u32,
    jump: Jump,
    game_over: bool,
) -> (&'static str, Request) {
    let kind = if game_over { "jump_final" } else { "jump" };
    let request = Request::Jump(JumpRequest {
        run_id,
        seq,
        press_ms: jump.press_ms,
        dwell_ms: jump.dwell_ms,
    });
    (kind, request)
}

/// Reads the weekly friend board around the player.
pub async fn read_friends(connection: &mut Connection) -> Result<(), CallError> {
    let board = Board {
        period: Period::Weekly,
        scope: Scope::Friends,
    };
    read_board(
        connection,
        "read_friends",
        board,
        BoardWindow::Around { radius: 10 },
    )
    .await
    .map(|_| ())
}

/// Reads the top `limit` (1 to 100) of the weekly global board; the page, except against the echo.
pub async fn read_global(
    connection: &mut Connection,
    limit: u8,
) -> Result<Option<BoardPage>, CallError> {
    let board = Board {
        period: Period::Weekly,
        scope: Scope::Global,
    };
    let window = BoardWindow::Top { limit, after: None };
    read_board(connection, "read_global", board, window).await
}

async fn read_board(
    connection: &mut Connection,
    kind: &'static str,
    board: Board,
    window: BoardWindow,
) -> Result<Option<BoardPage>, CallError> {
    let request = Request::ReadBoard(ReadBoard { board, window });
    match connection.call(kind, request).await? {
        None => Ok(None),
        Some(Response::Board(page)) => Ok(Some(page)),
        Some(other) => Err(CallError::Unexpected(format!("{other:?}"))),
    }
}

/// Acknowledges every notification received so far (nothing to do if none came).
pub async fn ack(connection: &mut Connection) -> Result<(), CallError> {
    let Some(up_to) = connection.unacked.take() else {
        return Ok(());
    };
    let request = Request::AckNotifications(AckNotifications { up_to });
    match connection.call("ack", request).await? {
        None | Some(Response::Acked { .. }) => {
            connection.acknowledged(up_to);
            Ok(())
        }
        Some(other) => Err(CallError::Unexpected(format!("{other:?}"))),
    }
}

/// Shared by every player task of a run.
pub struct Shared {
    /// The options.
    pub options: crate::cli::RunOptions,
    /// Measurements.
    pub stats: Arc<Stats>,
    /// When the load stops.
    pub deadline: tokio::time::Instant,
}
