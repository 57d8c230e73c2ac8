//! A Redis Cluster master dies under a load of runs and passes: its replica takes over, the node rides it
//! out (commands in flight retried or answered `unavailable`, results left pending and recorded later),
//! and nothing is lost: every run whose end was answered is on the boards with its score, and the index
//! of unsettled runs drains.

use std::collections::HashMap;
use std::time::Duration;

use crate::support::{MACHINE_SPEED, TestClient, TestRedis, TestServer, WAIT, board_key};
use game_logic::GameSession;
use leapfrog_core::leaderboards::score;
use protocol::{
    Codec, ErrorCode, JumpRequest, OtherPlayer, Request, Response, RunEnd, ServerFrame, StartMode,
    StartRun,
};

/// Players, in friend pairs.
const PLAYERS: usize = 6;
/// Runs each player plays.
const RUNS: usize = 6;

/// Sends `request` until it is answered with something else than `unavailable` (the shard failing over).
async fn patiently(client: &mut TestClient, request: Request) -> ServerFrame {
    let deadline = tokio::time::Instant::now() + WAIT * 3;
    loop {
        match client.request(request.clone()).await {
            ServerFrame::Error {
                code: ErrorCode::Unavailable,
                ..
            } if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            answer => return answer,
        }
    }
}

/// Plays runs of `centre_hits` centre hits then a fall; returns the final score of each run whose end
/// was answered.
async fn play_runs(mut client: TestClient, runs: usize, centre_hits: u32) -> Vec<u32> {
    let mut scores = Vec::new();
    for _ in 0..runs {
        let started = match patiently(
            &mut client,
            Request::StartRun(StartRun {
                mode: StartMode::Solo,
            }),
        )
        .await
        {
            ServerFrame::Reply {
                response: Response::RunStarted(started),
                ..
            } => started,
            other => panic!("start refused: {other:?}"),
        };
        let mut local = GameSession::new(started.seed, started.ruleset);
        while !local.is_over() {
            let jump =
                crate::support::runs::centre_hits_then_fall(&local, started.ruleset, centre_hits);
            let request = JumpRequest {
                run_id: started.run_id,
                seq: local.jumps(),
                press_ms: jump.press_ms,
                dwell_ms: jump.dwell_ms,
            };
            local.apply(jump).expect("a valid jump");
            match patiently(&mut client, Request::Jump(request)).await {
                ServerFrame::Reply {
                    response: Response::JumpResult(result),
                    ..
                } => match result.ended {
                    Some(RunEnd::Over(over)) => scores.push(over.final_score),
                    Some(RunEnd::Pending { final_score, .. }) => scores.push(final_score),
                    None => {}
                },
                other => panic!("jump refused: {other:?}"),
            }
        }
    }
    scores
}

#[tokio::test]
async fn a_master_failing_over_under_load_loses_no_run() {
    let mut redis = TestRedis::cluster(3, 1).await;
    let options: Vec<&str> = MACHINE_SPEED
        .iter()
        .copied()
        .chain(["--sweep-interval-ms", "100", "--settle-grace-ms", "300"])
        .collect();
    let server = TestServer::start(&redis, &options).await;
    let names: Vec<String> = (0..PLAYERS).map(|i| format!("fo{i}")).collect();
    for pair in names.chunks(2) {
        let mut first = server.client(Codec::Bincode, &pair[0]).await;
        let mut second = server.client(Codec::Bincode, &pair[1]).await;
        first
            .request(Request::SendFriendRequest(OtherPlayer {
                player: pair[1].parse().unwrap(),
            }))
            .await;
        second
            .request(Request::AcceptFriendRequest(OtherPlayer {
                player: pair[0].parse().unwrap(),
            }))
            .await;
    }
    let mut players = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let client = server.client(Codec::Bincode, name).await;
        let centre_hits = 2 + index as u32 % 4;
        players.push(tokio::spawn(play_runs(client, RUNS, centre_hits)));
    }
    // Kill a master while they play; its replica is promoted within the node timeout (1 s).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let killed = redis.kill_a_master().await;
    let mut played: HashMap<String, Vec<u32>> = HashMap::new();
    for (name, player) in names.iter().zip(players) {
        played.insert(name.clone(), player.await.expect("the player's task ends"));
    }
    let answered: usize = played.values().map(Vec::len).sum();
    assert_eq!(answered, PLAYERS * RUNS, "every run's end was answered");

    // Every answered run is recorded: each player's all-time best is their best answered score.
    let mut connection = redis.connection().await;
    let deadline = tokio::time::Instant::now() + WAIT * 2;
    for (name, scores) in &played {
        let best = scores.iter().copied().max().unwrap_or(0);
        loop {
            let packed: Option<f64> = redis::cmd("ZSCORE")
                .arg(board_key("all", name))
                .arg(name)
                .query_async(&mut connection)
                .await
                .unwrap_or(None);
            if packed.map(|packed| score::decode(score::from_redis(packed)).0) == Some(best) {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{name}'s best {best} never reached the board (master {killed} was killed)"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    // And every run settled: what is left in the index of unsettled runs is no run waiting to be
    // recorded. Left there may be, at most, a start that failed while the shard failed over and could
    // not be taken back, and recorded runs whose removal from the index failed during the failover:
    // their entry keeps the due time it had (a lease, or a live run's idle timeout) and the sweeper
    // drops it then; it is only cleanup. A sweep that failed during the failover may keep a run under
    // its 30 s lease before it is swept again.
    let deadline = tokio::time::Instant::now() + WAIT * 5;
    loop {
        let mut waiting = Vec::new();
        for shard in 0..16 {
            let runs: Vec<String> = redis::cmd("ZRANGE")
                .arg(format!("lf:{{runs:{shard}}}"))
                .arg(0)
                .arg(-1)
                .query_async(&mut connection)
                .await
                .unwrap_or_default();
            for run in runs {
                let (state, recorded): (Option<String>, Option<String>) = redis::pipe()
                    .hget(format!("lf:{{run:{run}}}:meta"), "state")
                    .hget(format!("lf:{{run:{run}}}:meta"), "recorded")
                    .query_async(&mut connection)
                    .await
                    .unwrap_or((None, None));
                if state.is_some() && recorded.as_deref() != Some("1") {
                    waiting.push((run, state, recorded));
                }
            }
        }
        if waiting.is_empty() {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "runs never settled: {waiting:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
