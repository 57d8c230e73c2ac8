//! `jumps`: a fixed, scripted workload for instruction counts. Each player says hello, starts one run and
//! sends exactly `--jumps` centre hits (the run never ends, so no run-end recording is counted), then
//! closes. The node's work grows linearly with `--jumps`, so two runs with N and 2N jumps give the cost
//! of one jump with the start-up and the connections cancelled out (`loadtest/callgrind.sh`).

use std::sync::Arc;
use std::sync::atomic::Ordering;

use game_logic::physics::press_for_distance;
use game_logic::{GameSession, Jump, Ruleset};
use protocol::{JumpRequest, Request, Response, StartMode, StartRun};

use super::{Shared, hello};
use crate::client::{CallError, Connection};

/// One player: hello, one run of `--jumps` centre hits, close.
pub async fn player(shared: Arc<Shared>, mut connection: Connection) -> Result<(), CallError> {
    hello(&mut connection).await?;
    let start = Request::StartRun(StartRun {
        mode: StartMode::Solo,
    });
    let (run_id, seed) = match connection.call("start_run", start).await? {
        Some(Response::RunStarted(started)) => (started.run_id, started.seed),
        other => return Err(CallError::Unexpected(format!("{other:?}"))),
    };
    let mut session = GameSession::new(seed, Ruleset::V1);
    for _ in 0..shared.options.jumps {
        let jump = Jump {
            press_ms: press_for_distance(Ruleset::V1.params(), session.world().distance_to_next()),
            dwell_ms: 300,
        };
        let seq = session.jumps();
        let outcome = session
            .apply(jump)
            .map_err(|error| CallError::Unexpected(format!("local simulation: {error}")))?;
        let request = Request::Jump(JumpRequest {
            run_id,
            seq,
            press_ms: jump.press_ms,
            dwell_ms: jump.dwell_ms,
        });
        match connection.call("jump", request).await? {
            Some(Response::JumpResult(result)) if result.outcome == outcome => {}
            other => {
                return Err(CallError::Unexpected(format!(
                    "the server's jump differs from game-logic: {other:?}"
                )));
            }
        }
        shared.stats.jumps.fetch_add(1, Ordering::Relaxed);
    }
    connection.close().await;
    Ok(())
}
