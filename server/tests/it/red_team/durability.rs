//! Nothing lost: a finished run reaches the boards, and each friend it passed hears of it, exactly once,
//! whatever happens to the node that played it (killed, drained too slowly) or to Redis between the
//! steps of recording. A Redis key of the wrong type makes one recording step fail on demand, so each
//! window is hit deterministically.

use std::time::Duration;

use crate::support::{
    MACHINE_SPEED, TestClient, TestRedis, TestServer, WAIT, hello, http, play_centre_hits,
    start_run,
};
use game_logic::{GameSession, Jump};
use leapfrog_core::leaderboards::score;
use protocol::{
    Codec, ErrorCode, Event, JumpRequest, JumpResult, OtherPlayer, Push, Request, Response, RunEnd,
    RunId, ServerFrame, StartMode,
};

/// Sweepers act within a tenth of a second, and step in for another node 200 ms after a run ends.
const FAST_SWEEPS: [&str; 4] = ["--sweep-interval-ms", "100", "--settle-grace-ms", "200"];

fn options(extra: &[&str]) -> Vec<String> {
    MACHINE_SPEED
        .iter()
        .chain(&FAST_SWEEPS)
        .chain(extra)
        .map(|option| (*option).to_owned())
        .collect()
}

async fn node(redis: &TestRedis, extra: &[&str]) -> TestServer {
    let options = options(extra);
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    TestServer::start(redis, &options).await
}

/// `player`'s packed best on board period `period`, decoded to a score.
async fn best(redis: &TestRedis, period: &str, player: &str) -> Option<u32> {
    let key = crate::support::board_key(period, player);
    let mut connection = redis.connection().await;
    let packed: Option<f64> = redis::cmd("ZSCORE")
        .arg(key)
        .arg(player)
        .query_async(&mut connection)
        .await
        .expect("ZSCORE answers");
    packed.map(|packed| score::decode(score::from_redis(packed)).0)
}

/// Waits until `player`'s all-time best is `score`.
async fn until_all_time_best(redis: &TestRedis, player: &str, score: u32) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while best(redis, "all", player).await != Some(score) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{player}'s score {score} never reached the all-time board"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Replaces `key` by a string, so every command of another type on it fails (WRONGTYPE), or puts it back.
async fn break_key(redis: &TestRedis, key: &str, broken: bool) {
    let mut connection = redis.connection().await;
    let command = if broken {
        redis::cmd("SET").arg(key).arg("broken").to_owned()
    } else {
        redis::cmd("DEL").arg(key).to_owned()
    };
    command
        .query_async::<()>(&mut connection)
        .await
        .expect("Redis answers");
}

async fn befriend(server: &TestServer, a: &str, b: &str) {
    let mut first = server.client(Codec::Json, a).await;
    let mut second = server.client(Codec::Json, b).await;
    let ask = Request::SendFriendRequest(OtherPlayer {
        player: b.parse().unwrap(),
    });
    assert!(matches!(
        first.request(ask).await,
        ServerFrame::Reply { .. }
    ));
    let accept = Request::AcceptFriendRequest(OtherPlayer {
        player: a.parse().unwrap(),
    });
    assert!(matches!(
        second.request(accept).await,
        ServerFrame::Reply { .. }
    ));
}

/// The "friend passed you" notifications in `player`'s inbox, read from Redis.
async fn passes_stored(redis: &TestRedis, player: &str) -> usize {
    let mut connection = redis.connection().await;
    let entries: Vec<(String, Vec<(String, String)>)> = redis::cmd("XRANGE")
        .arg(format!("lf:{{p:{player}}}:inbox"))
        .arg("-")
        .arg("+")
        .query_async(&mut connection)
        .await
        .expect("XRANGE answers");
    entries
        .iter()
        .filter(|(_, fields)| {
            fields
                .iter()
                .any(|(key, value)| key == "event" && value.contains("friend_passed"))
        })
        .count()
}

/// The next run result pushed to `client`.
async fn run_result(client: &mut TestClient) -> protocol::RunOver {
    loop {
        match client.next_push().await {
            Some(Push::RunResult(result)) => return result,
            Some(_) => continue,
            None => panic!("no run result was pushed"),
        }
    }
}

/// How a node is lost in the middle of recording: killed, or drained past its timeout.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Loss {
    Killed,
    Drained,
}

async fn a_pending_result_outlives_its_node(loss: Loss) {
    let redis = TestRedis::start().await;
    let played_on = node(&redis, &["--drain-timeout-ms", "300"]).await;
    let survivor = node(&redis, &[]).await;
    befriend(&survivor, "ada", "bo").await;
    let mut bo = survivor.client(Codec::Bincode, "bo").await;
    play_centre_hits(&mut bo, 0).await;

    // Ada's all-time board shard refuses every command: her run ends, but its recording cannot finish.
    let ada_board = crate::support::board_key("all", "ada");
    break_key(&redis, &ada_board, true).await;
    let mut ada = played_on.client(Codec::Bincode, "ada").await;
    let final_score = match play_centre_hits(&mut ada, 3).await {
        RunEnd::Pending { final_score, .. } => final_score,
        other => panic!("expected a pending result, got {other:?}"),
    };
    match loss {
        Loss::Killed => played_on.crash().await,
        Loss::Drained => {
            played_on.terminate();
            assert!(
                !played_on.wait_exit().await,
                "a drain that leaves results exits non-zero"
            );
        }
    }

    // Ada is on the surviving node when Redis heals; its sweeper records her run and tells her.
    let mut ada = survivor.client(Codec::Bincode, "ada").await;
    hello(&mut ada, None).await;
    break_key(&redis, &ada_board, false).await;
    let result = run_result(&mut ada).await;
    assert_eq!(result.final_score, final_score);
    assert!(result.new_best.all_time);
    assert_eq!(result.passed_count, 1, "Bo was passed: {result:?}");
    until_all_time_best(&redis, "ada", final_score).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(passes_stored(&redis, "bo").await, 1, "Bo is told once");
    survivor
        .metrics_once("leapfrog_runs_swept_total", &[("outcome", "recorded")], 1.0)
        .await;
}

#[tokio::test]
async fn a_result_pending_on_a_killed_node_is_recorded_by_another_once() {
    a_pending_result_outlives_its_node(Loss::Killed).await;
}

#[tokio::test]
async fn a_drain_that_times_out_exits_non_zero_and_loses_nothing() {
    a_pending_result_outlives_its_node(Loss::Drained).await;
}

#[tokio::test]
async fn a_failure_after_the_boards_are_written_still_tells_each_friend_once() {
    let redis = TestRedis::start().await;
    let server = node(&redis, &[]).await;
    befriend(&server, "cy", "di").await;
    let mut di = server.client(Codec::Json, "di").await;
    play_centre_hits(&mut di, 0).await;

    // Di's inbox refuses writes: Cy's run is planned, saved and written to the boards, then telling Di
    // fails. The retry must still tell her, once, and Cy's report must still name her.
    break_key(&redis, "lf:{p:di}:inbox", true).await;
    let mut cy = server.client(Codec::Json, "cy").await;
    let final_score = match play_centre_hits(&mut cy, 2).await {
        RunEnd::Pending { final_score, .. } => final_score,
        other => panic!("expected a pending result, got {other:?}"),
    };
    until_all_time_best(&redis, "cy", final_score).await;
    break_key(&redis, "lf:{p:di}:inbox", false).await;
    let result = run_result(&mut cy).await;
    assert_eq!(result.passed_count, 1, "{result:?}");
    assert_eq!(result.passed[0].player.as_str(), "di");
    assert_eq!(passes_stored(&redis, "di").await, 1);
}

/// Plays `jumps` centre hits (then a fall if `fall`), returning the run, its answers and jumps.
async fn play(
    client: &mut TestClient,
    jumps: u32,
    fall: bool,
) -> (RunId, Vec<(JumpRequest, JumpResult)>) {
    let started = start_run(client, StartMode::Solo).await;
    let mut local = GameSession::new(started.seed, started.ruleset);
    let mut answers = Vec::new();
    let total = jumps + u32::from(fall);
    while local.jumps() < total && !local.is_over() {
        let jump = crate::support::runs::centre_hits_then_fall(&local, started.ruleset, jumps);
        let request = JumpRequest {
            run_id: started.run_id,
            seq: local.jumps(),
            press_ms: jump.press_ms,
            dwell_ms: jump.dwell_ms,
        };
        local.apply(jump).expect("a valid jump");
        match client.request(Request::Jump(request)).await {
            ServerFrame::Reply {
                response: Response::JumpResult(result),
                ..
            } => answers.push((request, result)),
            other => panic!("jump refused: {other:?}"),
        }
    }
    (started.run_id, answers)
}

async fn resend(client: &mut TestClient, request: JumpRequest) -> ServerFrame {
    client.request(Request::Jump(request)).await
}

#[tokio::test]
async fn a_resent_jump_gets_the_same_answer_on_any_node_after_a_crash() {
    let redis = TestRedis::start().await;
    let first = node(&redis, &[]).await;
    let second = node(&redis, &[]).await;

    // Mid-run: the node dies after answering jump 2; the client resends it to another node.
    let mut eve = first.client(Codec::Bincode, "eve").await;
    let (run, answers) = play(&mut eve, 3, false).await;
    let (last_request, last_answer) = answers.last().cloned().expect("jumps answered");
    first.crash().await;
    let mut eve = second.client(Codec::Bincode, "eve").await;
    let welcome = hello(&mut eve, Some(run)).await;
    assert_eq!(welcome.resumed.map(|resumed| resumed.next_seq), Some(3));
    match resend(&mut eve, last_request).await {
        ServerFrame::Reply {
            response: Response::JumpResult(again),
            ..
        } => assert_eq!(again, last_answer, "the same answer"),
        other => panic!("{other:?}"),
    }

    // At the end: the final jump resent on a fresh connection to another node gets the same result.
    let (run, answers) = play(&mut eve, 2, true).await;
    let (final_request, final_answer) = answers.last().cloned().expect("jumps answered");
    assert!(matches!(final_answer.ended, Some(RunEnd::Over(_))));
    let third = node(&redis, &[]).await;
    let mut eve = third.client(Codec::Json, "eve").await;
    let welcome = hello(&mut eve, Some(run)).await;
    assert!(welcome.resumed.is_none(), "an ended run is not resumed");
    match resend(&mut eve, final_request).await {
        ServerFrame::Reply {
            response: Response::JumpResult(again),
            ..
        } => assert_eq!(again, final_answer, "the same answer, result included"),
        other => panic!("{other:?}"),
    }
    // A jump past the end is over, not a conflict.
    let past = JumpRequest {
        seq: final_request.seq + 1,
        ..final_request
    };
    match resend(&mut eve, past).await {
        ServerFrame::Error { code, .. } => assert_eq!(code, ErrorCode::RunOver),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn timing_and_driving_belong_to_the_run_not_the_connection() {
    let redis = TestRedis::start().await;
    // Real timing checks; rate limits lifted; two connections per player allowed.
    let server = TestServer::start(
        &redis,
        &[
            "--rate-per-second",
            "1000000",
            "--rate-burst",
            "1000000",
            "--max-connections-per-player",
            "2",
        ],
    )
    .await;
    let mut first = server.client(Codec::Bincode, "fay").await;
    let started = start_run(&mut first, StartMode::Solo).await;
    let jump = Jump {
        press_ms: 700,
        dwell_ms: 300,
    };
    let request = |seq| JumpRequest {
        run_id: started.run_id,
        seq,
        press_ms: jump.press_ms,
        dwell_ms: jump.dwell_ms,
    };
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert!(matches!(
        first.request(Request::Jump(request(0))).await,
        ServerFrame::Reply { .. }
    ));

    // A second connection resumes at once: the next jump is still timed from the first one.
    let mut second = server.client(Codec::Bincode, "fay").await;
    hello(&mut second, Some(started.run_id)).await;
    match second.request(Request::Jump(request(1))).await {
        ServerFrame::Error { code, .. } => assert_eq!(code, ErrorCode::TooFast),
        other => panic!("a resume must not reset the timing check: {other:?}"),
    }
    // The second connection drives the run now: the first one's jumps are refused.
    tokio::time::sleep(Duration::from_millis(3_000)).await;
    match first.request(Request::Jump(request(1))).await {
        ServerFrame::Error { code, .. } => assert_eq!(code, ErrorCode::Conflict),
        other => panic!("two connections drove one run: {other:?}"),
    }
    assert!(matches!(
        second.request(Request::Jump(request(1))).await,
        ServerFrame::Reply { .. }
    ));
}

#[tokio::test]
async fn a_node_started_while_redis_is_down_serves_once_it_answers() {
    let mut redis = TestRedis::start().await;
    redis.stop().await;
    let server = TestServer::start_alive(&redis, &[]).await;
    let (status, body) = http(server.public, "GET", "/readyz", "")
        .await
        .expect("answers");
    assert_eq!(status, 503, "{body}");
    redis.resume().await;
    server.wait_ready().await;
    let mut gil = server.client(Codec::Json, "gil").await;
    start_run(&mut gil, StartMode::Solo).await;
}

#[tokio::test]
async fn an_idle_run_is_ended_and_recorded_by_a_sweeper() {
    let redis = TestRedis::start().await;
    let server = node(&redis, &["--run-idle-timeout-ms", "400"]).await;
    let mut hal = server.client(Codec::Json, "hal").await;
    let (run, answers) = play(&mut hal, 2, false).await;
    let score = answers.last().expect("answered").1.outcome.score;
    let result = run_result(&mut hal).await;
    assert_eq!((result.run_id, result.final_score), (run, score));
    until_all_time_best(&redis, "hal", score).await;
    let next = JumpRequest {
        seq: 2,
        ..answers.last().expect("answered").0
    };
    match resend(&mut hal, next).await {
        ServerFrame::Error { code, .. } => assert_eq!(code, ErrorCode::RunOver),
        other => panic!("{other:?}"),
    }
}

/// Keeps Redis busy with a script for `busy`, so commands sent meanwhile wait in its queue and run after
/// it: a node whose command times out first hears an error for a write Redis then applies, as when
/// Redis dies after applying a write and before replying.
async fn block_redis(redis: &TestRedis, busy: Duration) -> tokio::task::JoinHandle<()> {
    let no_timeout = redis::AsyncConnectionConfig::new().set_response_timeout(None);
    let mut connection = redis::Client::open(redis.url())
        .expect("valid url")
        .get_multiplexed_async_connection_with_config(&no_timeout)
        .await
        .expect("redis answers");
    let micros = busy.as_micros().to_string();
    tokio::spawn(async move {
        let script = "local t0 = redis.call('TIME') \
            repeat local t = redis.call('TIME') \
            until (t[1] - t0[1]) * 1000000 + (t[2] - t0[2]) > tonumber(ARGV[1])";
        let _: redis::Value = redis::cmd("EVAL")
            .arg(script)
            .arg(0)
            .arg(&micros)
            .query_async(&mut connection)
            .await
            .expect("the busy script runs");
    })
}

#[tokio::test]
async fn a_jump_redis_applied_after_the_node_gave_up_gets_its_answer_when_resent() {
    // One Redis, whatever the suite runs against: the busy script stalls the one server that holds the
    // run (on a cluster it would land on any master), and a 150 ms timeout is too short for a cluster
    // client's start on a loaded machine.
    let redis = TestRedis::single().await;
    let server = node(&redis, &["--redis-timeout-ms", "150"]).await;
    let mut ivy = server.client(Codec::Bincode, "ivy").await;
    let started = start_run(&mut ivy, StartMode::Solo).await;
    let mut local = GameSession::new(started.seed, started.ruleset);
    // Two centre hits, then a fall: jump 1 mid-run and jump 2, the final one, each meet the window.
    for seq in 0..3 {
        let jump = crate::support::runs::centre_hits_then_fall(&local, started.ruleset, 2);
        let expected = local.apply(jump).expect("a valid jump");
        let request = Request::Jump(JumpRequest {
            run_id: started.run_id,
            seq,
            press_ms: jump.press_ms,
            dwell_ms: jump.dwell_ms,
        });
        if seq > 0 {
            let busy = block_redis(&redis, Duration::from_millis(1_500)).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            match ivy.request(request.clone()).await {
                ServerFrame::Error { code, .. } => assert_eq!(code, ErrorCode::Unavailable),
                other => panic!("the node should have given up on Redis: {other:?}"),
            }
            busy.await.expect("the busy script ends");
        }
        // Sent (again, while `unavailable`, as a client does): answered as applied once, whether or
        // not Redis applied it the first time.
        let mut answer = ivy.request(request.clone()).await;
        for _ in 0..50 {
            match answer {
                ServerFrame::Error {
                    code: ErrorCode::Unavailable,
                    ..
                } => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    answer = ivy.request(request.clone()).await;
                }
                _ => break,
            }
        }
        match answer {
            ServerFrame::Reply {
                response: Response::JumpResult(result),
                ..
            } => {
                assert_eq!(result.outcome, expected, "jump {seq}");
                if expected.game_over {
                    match result.ended {
                        Some(RunEnd::Over(over)) => assert_eq!(over.final_score, local.score()),
                        other => panic!("the final jump resent must bring the result: {other:?}"),
                    }
                }
            }
            other => panic!("jump {seq} sent again was refused: {other:?}"),
        }
    }
    until_all_time_best(&redis, "ivy", local.score()).await;
}

#[test]
fn the_notification_event_names_the_pass() {
    // The inbox check above looks for this tag in the stored JSON.
    let event = Event::FriendPassed {
        friend: "a".parse().unwrap(),
        name: None,
        their_score: 2,
        your_score: 1,
        board: protocol::Board {
            period: protocol::Period::Weekly,
            scope: protocol::Scope::Friends,
        },
    };
    assert!(
        serde_json::to_string(&event)
            .unwrap()
            .contains("friend_passed")
    );
}
