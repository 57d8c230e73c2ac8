//! Authoritative runs over real WebSocket connections and a real Redis: every result checked against
//! `game-logic` replayed locally; resume after a reconnect and after a server crash; timing and
//! sequence checks; offline runs verified by replay.

use crate::support;
use crate::support::{TestClient, TestRedis, TestServer, hello, start_run};
use game_logic::{Bot, GameSession, Jump, JumpOutcome, Ruleset, Skill};
use protocol::*;

/// Options that switch the live timing check and the rate limit off, so tests can play at machine speed.
const NO_TIMING: [&str; 8] = support::MACHINE_SPEED;

async fn jump(client: &mut TestClient, run_id: RunId, seq: u32, jump: Jump) -> ServerFrame {
    client
        .request(Request::Jump(JumpRequest {
            run_id,
            seq,
            press_ms: jump.press_ms,
            dwell_ms: jump.dwell_ms,
        }))
        .await
}

fn jump_result(frame: ServerFrame) -> JumpResult {
    match frame {
        ServerFrame::Reply {
            response: Response::JumpResult(result),
            ..
        } => result,
        other => panic!("expected jump_result, got {other:?}"),
    }
}

fn error_code(frame: &ServerFrame) -> ErrorCode {
    match frame {
        ServerFrame::Error { code, .. } => *code,
        other => panic!("expected an error, got {other:?}"),
    }
}

/// Plays jumps `from..` of a run on `client` with a bot, checking every outcome against `local`, until
/// the run ends or `until` jumps; returns the last outcome.
async fn play(
    client: &mut TestClient,
    run_id: RunId,
    local: &mut GameSession,
    bot: &mut Bot,
    until: u32,
) -> (JumpOutcome, Option<RunEnd>) {
    loop {
        let input = bot.next_jump(local.world());
        let expected = local.apply(input).expect("bot inputs are valid");
        let result = jump_result(jump(client, run_id, expected.index, input).await);
        assert_eq!(
            result.outcome, expected,
            "the server's simulation differs from game-logic"
        );
        if expected.game_over || local.jumps() >= until {
            return (result.outcome, result.ended);
        }
    }
}

#[tokio::test]
async fn a_whole_run_in_both_codecs_matches_game_logic() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &NO_TIMING).await;
    for (codec, player) in [
        (Codec::Bincode, "native-player"),
        (Codec::Json, "browser-player"),
    ] {
        let mut client = server.client(codec, player).await;
        let welcome = hello(&mut client, None).await;
        assert_eq!(welcome.player.as_str(), player);
        let started = start_run(&mut client, StartMode::Solo).await;
        let mut local = GameSession::new(started.seed, started.ruleset);
        assert_eq!(&started.world, local.world());
        let mut bot = Bot::new(Skill::CASUAL, Ruleset::V1, started.seed);
        let (last, ended) = play(&mut client, started.run_id, &mut local, &mut bot, 10_000).await;
        assert!(last.game_over);
        match ended {
            Some(RunEnd::Over(over)) => {
                assert_eq!(over.final_score, local.score());
                assert_eq!(over.run_id, started.run_id);
                // A player's first finished run always sets their best, even at 0 points.
                assert!(over.new_best.all_time);
            }
            other => panic!("expected the run to be over, got {other:?}"),
        }
        // Recorded before the answer; flagged, and gone from the index of unsettled runs, a moment
        // later (the node sends the flags of the runs recorded within a short window together).
        let mut redis_connection = redis.connection().await;
        let deadline = tokio::time::Instant::now() + support::WAIT;
        loop {
            let flag: Option<String> = redis::cmd("HGET")
                .arg(format!("lf:{{run:{}}}:meta", started.run_id))
                .arg("recorded")
                .query_async(&mut redis_connection)
                .await
                .expect("Redis answers");
            if flag.as_deref() == Some("1") {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the run is flagged recorded"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        // The flag and the index entry's removal are sent together.
        for shard in 0..16 {
            let listed: Option<f64> = redis::cmd("ZSCORE")
                .arg(format!("lf:{{runs:{shard}}}"))
                .arg(started.run_id.to_string())
                .query_async(&mut redis_connection)
                .await
                .expect("Redis answers");
            assert_eq!(listed, None, "a recorded run leaves the index");
        }
        let after = jump(
            &mut client,
            started.run_id,
            local.jumps(),
            Jump {
                press_ms: 500,
                dwell_ms: 300,
            },
        )
        .await;
        assert_eq!(error_code(&after), ErrorCode::RunOver);
    }
}

#[tokio::test]
async fn a_retried_jump_is_answered_again_but_applied_once() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &NO_TIMING).await;
    let mut client = server.client(Codec::Bincode, "retrier").await;
    let started = start_run(&mut client, StartMode::Solo).await;
    let mut local = GameSession::new(started.seed, started.ruleset);
    let input = Bot::new(Skill::PERFECT, Ruleset::V1, 1).next_jump(local.world());
    let expected = local.apply(input).unwrap();
    let first = jump_result(jump(&mut client, started.run_id, 0, input).await);
    let again = jump_result(jump(&mut client, started.run_id, 0, input).await);
    assert_eq!(first.outcome, expected);
    assert_eq!(again.outcome, expected);
    let skipped = jump(&mut client, started.run_id, 5, input).await;
    assert_eq!(error_code(&skipped), ErrorCode::Conflict);
    let log = first_epoch_log(&redis, started.run_id).await;
    assert_eq!(log.len(), 16, "one jump recorded, not two");
}

#[tokio::test]
async fn a_run_resumes_after_a_reconnect_and_after_a_server_crash() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &NO_TIMING).await;
    let mut client = server.client(Codec::Bincode, "resumer").await;
    let started = start_run(&mut client, StartMode::Solo).await;
    let mut local = GameSession::new(started.seed, started.ruleset);
    let mut bot = Bot::new(Skill::PERFECT, Ruleset::V1, 9);
    play(&mut client, started.run_id, &mut local, &mut bot, 3).await;
    client.disconnect().await;

    // Same node, new connection.
    let mut client = server.client(Codec::Json, "resumer").await;
    let welcome = hello(&mut client, Some(started.run_id)).await;
    let resumed = welcome.resumed.expect("the run resumes");
    assert_eq!(
        (resumed.next_seq, resumed.score, &resumed.world),
        (3, local.score(), local.world())
    );
    play(&mut client, started.run_id, &mut local, &mut bot, 6).await;

    // The node dies mid-run; another node on the same Redis takes over.
    server.crash().await;
    let other = TestServer::start(&redis, &NO_TIMING).await;
    let mut client = other.client(Codec::Bincode, "resumer").await;
    let welcome = hello(&mut client, Some(started.run_id)).await;
    let resumed = welcome.resumed.expect("the run survives the crash");
    assert_eq!(
        (resumed.next_seq, resumed.combo, &resumed.world),
        (6, local.combo(), local.world())
    );
    play(&mut client, started.run_id, &mut local, &mut bot, 9).await;

    // Another player cannot resume it or play it.
    let mut intruder = other.client(Codec::Bincode, "intruder").await;
    assert!(
        hello(&mut intruder, Some(started.run_id))
            .await
            .resumed
            .is_none()
    );
    let stolen = jump(
        &mut intruder,
        started.run_id,
        9,
        Jump {
            press_ms: 600,
            dwell_ms: 300,
        },
    )
    .await;
    assert_eq!(error_code(&stolen), ErrorCode::NotFound);
}

#[tokio::test]
async fn jumps_faster_than_a_person_are_refused() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &["--timing-tolerance-ms", "50"]).await;
    let mut client = server.client(Codec::Bincode, "speedy").await;
    let started = start_run(&mut client, StartMode::Solo).await;
    // 300 ms dwell + 700 ms press cannot have happened within milliseconds of the start.
    let refused = jump(
        &mut client,
        started.run_id,
        0,
        Jump {
            press_ms: 700,
            dwell_ms: 300,
        },
    )
    .await;
    assert_eq!(error_code(&refused), ErrorCode::TooFast);
    // Impossible values are refused as such.
    let impossible = jump(
        &mut client,
        started.run_id,
        0,
        Jump {
            press_ms: 1,
            dwell_ms: 300,
        },
    )
    .await;
    assert_eq!(error_code(&impossible), ErrorCode::InvalidInput);
    // Waiting long enough makes the same jump acceptable.
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    let accepted = jump(
        &mut client,
        started.run_id,
        0,
        Jump {
            press_ms: 700,
            dwell_ms: 300,
        },
    )
    .await;
    assert_eq!(jump_result(accepted).outcome.index, 0);
    let metrics = server.metrics().await;
    let rejected = support::metric(
        &metrics,
        "leapfrog_runs_rejected_total",
        &[("reason", "too_fast")],
    );
    assert_eq!(rejected, Some(1.0));
}

#[tokio::test]
async fn offline_runs_are_verified_by_replay() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &NO_TIMING).await;
    let mut client = server.client(Codec::Bincode, "offline").await;

    let started = start_run(&mut client, StartMode::Offline).await;
    let mut local = GameSession::new(started.seed, started.ruleset);
    let mut bot = Bot::new(Skill::EXPERT, Ruleset::V1, 5);
    let mut inputs = Vec::new();
    while !local.is_over() && inputs.len() < 700 {
        let input = bot.next_jump(local.world());
        local.apply(input).unwrap();
        inputs.push(input);
    }
    let live = jump(&mut client, started.run_id, 0, inputs[0]).await;
    assert_eq!(
        error_code(&live),
        ErrorCode::BadRequest,
        "an offline run takes no live jumps"
    );
    let chunks: Vec<&[Jump]> = inputs.chunks(256).collect();
    let mut answer = None;
    for (index, chunk) in chunks.iter().enumerate() {
        let request = SubmitRun {
            run_id: started.run_id,
            first_seq: (index * 256) as u32,
            jumps: BoundedVec::try_from_vec(chunk.to_vec()).unwrap(),
            last: index + 1 == chunks.len(),
        };
        answer = Some(client.request(Request::SubmitRun(request)).await);
    }
    match answer {
        Some(ServerFrame::Reply {
            response: Response::Submitted(SubmitAck::Ended(RunEnd::Over(over))),
            ..
        }) => {
            assert_eq!(over.final_score, local.score());
        }
        other => panic!("expected the verified run, got {other:?}"),
    }

    // A run with an impossible input is rejected and does not count.
    let started = start_run(&mut client, StartMode::Offline).await;
    let request = SubmitRun {
        run_id: started.run_id,
        first_seq: 0,
        jumps: BoundedVec::try_from_vec(vec![
            Jump {
                press_ms: 700,
                dwell_ms: 300,
            },
            Jump {
                press_ms: 5,
                dwell_ms: 300,
            },
        ])
        .unwrap(),
        last: true,
    };
    let rejected = client.request(Request::SubmitRun(request)).await;
    assert_eq!(error_code(&rejected), ErrorCode::InvalidInput);
}

#[tokio::test]
async fn an_offline_run_faster_than_the_timing_model_is_rejected() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &["--timing-tolerance-ms", "100"]).await;
    let mut client = server.client(Codec::Json, "cheater").await;
    let started = start_run(&mut client, StartMode::Offline).await;
    let mut local = GameSession::new(started.seed, started.ruleset);
    let mut bot = Bot::new(Skill::PERFECT, Ruleset::V1, 3);
    let inputs: Vec<Jump> = (0..40)
        .map(|_| {
            let input = bot.next_jump(local.world());
            local.apply(input).unwrap();
            input
        })
        .collect();
    // Forty jumps take tens of seconds; submitting them at once is impossible.
    let request = SubmitRun {
        run_id: started.run_id,
        first_seq: 0,
        jumps: BoundedVec::try_from_vec(inputs).unwrap(),
        last: true,
    };
    let answer = client.request(Request::SubmitRun(request)).await;
    assert_eq!(error_code(&answer), ErrorCode::InvalidInput);
    match answer {
        ServerFrame::Error { message, .. } => {
            assert!(message.contains("needs at least"), "{message}")
        }
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn graceful_shutdown_loses_no_finished_run() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &NO_TIMING).await;
    let mut client = server.client(Codec::Bincode, "finisher").await;
    let started = start_run(&mut client, StartMode::Solo).await;
    let mut local = GameSession::new(started.seed, started.ruleset);
    let mut bot = Bot::new(Skill::CASUAL, Ruleset::V1, 77);
    let (_, ended) = play(&mut client, started.run_id, &mut local, &mut bot, 10_000).await;
    assert!(matches!(ended, Some(RunEnd::Over(_))));
    server.terminate();
    assert!(server.wait_exit().await);
    let mut connection = redis.connection().await;
    let best: Option<f64> = redis::cmd("ZSCORE")
        .arg(crate::support::board_key("all", "finisher"))
        .arg("finisher")
        .query_async(&mut connection)
        .await
        .unwrap();
    let best = best.map_or(0, |packed| {
        leapfrog_core::leaderboards::score::decode(packed as u64).0
    });
    assert_eq!(best, local.score());
}

#[tokio::test]
async fn a_late_write_of_a_driver_that_lost_the_run_never_reaches_the_new_drivers_log() {
    let redis = TestRedis::start().await;
    // Two connections per player: the first stays open after the second takes the run over.
    let options = [&NO_TIMING[..], &["--max-connections-per-player", "2"]].concat();
    let server = TestServer::start(&redis, &options).await;
    let mut old = server.client(Codec::Bincode, "mover").await;
    let started = start_run(&mut old, StartMode::Solo).await;
    let mut local = GameSession::new(started.seed, started.ruleset);
    let mut bot = Bot::new(Skill::PERFECT, Ruleset::V1, 4);
    play(&mut old, started.run_id, &mut local, &mut bot, 2).await;

    // Another connection takes the run over (epoch 2); then the first driver's write of jump 2, sent
    // before and delayed, reaches Redis: an append to the first epoch's log, which is a fence now.
    let mut new = server.client(Codec::Bincode, "mover").await;
    let resumed = hello(&mut new, Some(started.run_id)).await.resumed;
    assert_eq!(resumed.map(|resumed| resumed.next_seq), Some(2));
    let first_epoch = first_epoch_key(started.run_id);
    let mut connection = redis.connection().await;
    let late: Result<i64, redis::RedisError> = redis::cmd("APPEND")
        .arg(&first_epoch)
        .arg(&[0xAA_u8; 16][..])
        .query_async(&mut connection)
        .await;
    assert_eq!(
        late.map_err(|error| error.code().map(str::to_owned)),
        Err(Some("WRONGTYPE".to_owned())),
        "the late write fails on the fence"
    );
    // The first driver's own next jump (its drive was read back on its first jump only) is refused.
    let input = bot.next_jump(local.world());
    let refused = jump(&mut old, started.run_id, 2, input).await;
    assert_eq!(error_code(&refused), ErrorCode::Conflict);
    play(&mut new, started.run_id, &mut local, &mut bot, 4).await;

    // What a third connection resumes is the new driver's run, untouched by the late writes.
    let mut third = server.client(Codec::Json, "mover").await;
    let resumed = hello(&mut third, Some(started.run_id))
        .await
        .resumed
        .expect("the run resumes");
    assert_eq!(
        (resumed.next_seq, resumed.score, &resumed.world),
        (4, local.score(), local.world())
    );
    // And the fence does not live for ever: the live TTL (twice the idle timeout).
    let ttl: i64 = redis::cmd("TTL")
        .arg(&first_epoch)
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!(
        (1..=1_200).contains(&ttl),
        "the first epoch's fence expires: {ttl}"
    );
}

/// A live run's storage layout of an earlier version.
#[derive(Clone, Copy, Debug)]
enum OldLayout {
    /// No `format`, no `epoch`: the records at `:log`, the last jump's time in the meta's `last_ms`.
    Unversioned,
    /// `format` 2: at `:log:<epoch>`, the records then the 8-byte time of the last jump.
    Trailer,
}

#[tokio::test]
async fn a_live_run_stored_before_the_epoch_layout_resumes_and_moves_to_the_current_one() {
    resumes_from_an_old_layout(OldLayout::Unversioned).await;
}

#[tokio::test]
async fn a_live_run_stored_with_a_trailer_resumes_and_moves_to_the_current_layout() {
    resumes_from_an_old_layout(OldLayout::Trailer).await;
}

/// A live run stored by an earlier version resumes on this one with its jumps and the time of its last
/// one, moves to the current layout (an entry per jump, record then time) and plays on.
async fn resumes_from_an_old_layout(layout: OldLayout) {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &NO_TIMING).await;
    let run_id = RunId::from_bytes([42; 16]);
    let seed = 7_u64;
    let mut local = GameSession::new(seed, Ruleset::V1);
    let mut bot = Bot::new(Skill::PERFECT, Ruleset::V1, 5);
    let mut records = Vec::new();
    for _ in 0..3 {
        let input = bot.next_jump(local.world());
        local.apply(input).unwrap();
        records.extend_from_slice(&input.press_ms.to_le_bytes());
        records.extend_from_slice(&input.dwell_ms.to_le_bytes());
    }
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let last_ms = now_ms - 1_000;
    let meta = format!("lf:{{run:{run_id}}}:meta");
    let old_log = match layout {
        OldLayout::Unversioned => format!("lf:{{run:{run_id}}}:log"),
        OldLayout::Trailer => format!("lf:{{run:{run_id}}}:log:1"),
    };
    let mut fields = vec![
        ("player", "veteran".to_owned()),
        ("seed", seed.to_string()),
        ("ruleset", "1".to_owned()),
        ("mode", "solo".to_owned()),
        ("started_ms", (now_ms - 10_000).to_string()),
        ("state", "active".to_owned()),
        ("driver", "0123456789abcdef".to_owned()),
    ];
    let mut stored = records.clone();
    match layout {
        OldLayout::Unversioned => fields.push(("last_ms", last_ms.to_string())),
        OldLayout::Trailer => {
            fields.extend([("format", "2".to_owned()), ("epoch", "1".to_owned())]);
            stored.extend_from_slice(&last_ms.to_le_bytes());
        }
    }
    let mut connection = redis.connection().await;
    let _: () = redis::cmd("HSET")
        .arg(&meta)
        .arg(&fields)
        .query_async(&mut connection)
        .await
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg(&old_log)
        .arg(stored.as_slice())
        .query_async(&mut connection)
        .await
        .unwrap();

    let mut client = server.client(Codec::Bincode, "veteran").await;
    let resumed = hello(&mut client, Some(run_id))
        .await
        .resumed
        .expect("the old run resumes");
    assert_eq!(
        (resumed.next_seq, resumed.score, &resumed.world),
        (3, local.score(), local.world()),
        "{layout:?}"
    );
    let epoch = match layout {
        OldLayout::Unversioned => 1,
        OldLayout::Trailer => 2,
    };
    // The takeover moved the log, each old jump stamped with the last one's time.
    let live = format!("lf:{{run:{run_id}}}:log:{epoch}");
    let moved: Vec<u8> = redis::cmd("GET")
        .arg(&live)
        .query_async(&mut connection)
        .await
        .unwrap();
    let expected: Vec<u8> = records
        .chunks(8)
        .flat_map(|record| [record, &last_ms.to_le_bytes()[..]].concat())
        .collect();
    assert_eq!(moved, expected, "{layout:?}");

    play(&mut client, run_id, &mut local, &mut bot, 5).await;
    let (format, stored_epoch, old_type, live_len): (
        Option<String>,
        Option<String>,
        String,
        usize,
    ) = redis::pipe()
        .hget(&meta, "format")
        .hget(&meta, "epoch")
        .cmd("TYPE")
        .arg(&old_log)
        .strlen(&live)
        .query_async(&mut connection)
        .await
        .unwrap();
    let old_left = match layout {
        OldLayout::Unversioned => "none",
        OldLayout::Trailer => "hash",
    };
    assert_eq!(
        (
            format.as_deref(),
            stored_epoch.as_deref(),
            old_type.as_str(),
            live_len
        ),
        (
            Some("3"),
            Some(epoch.to_string().as_str()),
            old_left,
            5 * 16
        ),
        "{layout:?}: the run is in the current layout, the old key gone or fenced"
    );
}

#[tokio::test]
async fn a_live_run_in_a_layout_of_a_newer_version_is_refused_never_misread() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &NO_TIMING).await;
    let run_id = RunId::from_bytes([43; 16]);
    let meta = format!("lf:{{run:{run_id}}}:meta");
    let live = first_epoch_key(run_id);
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let mut connection = redis.connection().await;
    let _: () = redis::cmd("HSET")
        .arg(&meta)
        .arg(&[
            ("player", "futurist".to_owned()),
            ("seed", "7".to_owned()),
            ("ruleset", "1".to_owned()),
            ("mode", "solo".to_owned()),
            ("started_ms", (now_ms - 10_000).to_string()),
            ("state", "active".to_owned()),
            ("driver", "0123456789abcdef".to_owned()),
            ("format", "4".to_owned()),
            ("epoch", "1".to_owned()),
        ])
        .query_async(&mut connection)
        .await
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg(&live)
        .arg(&[7_u8; 24][..])
        .query_async(&mut connection)
        .await
        .unwrap();

    let mut client = server.client(Codec::Bincode, "futurist").await;
    let welcome = hello(&mut client, Some(run_id)).await;
    assert!(welcome.resumed.is_none(), "not resumed: {welcome:?}");
    // Nothing was taken over or rewritten: a node of that version can still resume it.
    let (epoch, driver, log): (String, String, Vec<u8>) = redis::pipe()
        .hget(&meta, "epoch")
        .hget(&meta, "driver")
        .get(&live)
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(
        (epoch.as_str(), driver.as_str(), log),
        ("1", "0123456789abcdef", vec![7_u8; 24])
    );
}

/// The key of `run_id`'s live log in its first epoch.
fn first_epoch_key(run_id: RunId) -> String {
    format!("lf:{{run:{run_id}}}:log:1")
}

/// The live log of `run_id`'s first epoch: an entry per jump, its 8-byte record then its 8-byte time.
async fn first_epoch_log(redis: &TestRedis, run_id: RunId) -> Vec<u8> {
    let mut connection = redis.connection().await;
    redis::cmd("GET")
        .arg(first_epoch_key(run_id))
        .query_async(&mut connection)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_log_redis_lost_writes_of_is_cut_back_and_the_run_resumes_from_what_it_holds() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &NO_TIMING).await;
    let mut player = Player::start(&server, "forgotten".into(), 0).await;
    let run_id = player.run_id;
    let mut inputs = Vec::new();
    for seq in 0..4 {
        let input = player.bot.next_jump(player.local.world());
        player.local.apply(input).unwrap();
        jump_result(jump(&mut player.client, run_id, seq, input).await);
        inputs.push(input);
    }
    // Redis loses the last two acknowledged jumps (a failover to a replica that had not got them).
    let log = first_epoch_log(&redis, run_id).await;
    assert_eq!(log.len(), 4 * 16);
    let mut connection = redis.connection().await;
    let _: () = redis::cmd("SET")
        .arg(first_epoch_key(run_id))
        .arg(&log[..2 * 16])
        .arg("KEEPTTL")
        .query_async(&mut connection)
        .await
        .unwrap();

    // The next jump finds out: refused, and the log is cut back to what Redis held, with no hole.
    let input = player.bot.next_jump(player.local.world());
    let refused = jump(&mut player.client, run_id, 4, input).await;
    assert_eq!(error_code(&refused), ErrorCode::Conflict);
    assert_eq!(first_epoch_log(&redis, run_id).await, log[..2 * 16]);

    // A resume starts from the two jumps Redis holds, and the lost ones can be played again.
    let mut again = server.client(Codec::Json, &player.name).await;
    let resumed = hello(&mut again, Some(run_id))
        .await
        .resumed
        .expect("the run resumes");
    let mut replayed = GameSession::new(resumed.seed, resumed.ruleset);
    for input in &inputs[..2] {
        replayed.apply(*input).unwrap();
    }
    assert_eq!(
        (resumed.next_seq, resumed.score, &resumed.world),
        (2, replayed.score(), replayed.world())
    );
    for (seq, input) in (2..).zip(&inputs[2..]) {
        let expected = replayed.apply(*input).unwrap();
        let result = jump_result(jump(&mut again, run_id, seq, *input).await);
        assert_eq!(result.outcome, expected);
    }
}

#[tokio::test]
async fn an_end_whose_records_differ_from_the_log_is_refused_and_the_run_ends_on_what_redis_holds()
{
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &NO_TIMING).await;
    let mut player = Player::start(&server, "rewritten".into(), 0).await;
    player.play(3).await;
    let (mut client, run_id) = (player.client, player.run_id);
    // The last record's dwell changes under the node (nothing in Leapfrog writes a log but its driver).
    let log = first_epoch_log(&redis, run_id).await;
    let mut record = log[2 * 16..2 * 16 + 8].to_vec();
    record[4] = if record[4] < 255 { record[4] + 1 } else { 254 };
    let mut connection = redis.connection().await;
    let _: i64 = redis::cmd("SETRANGE")
        .arg(first_epoch_key(run_id))
        .arg(2 * 16)
        .arg(record.as_slice())
        .query_async(&mut connection)
        .await
        .unwrap();

    // The end does not write the node's copy over what Redis holds: refused, and the node reloads.
    let abandon = Request::Abandon(Abandon { run_id });
    let refused = client.request(abandon.clone()).await;
    assert_eq!(error_code(&refused), ErrorCode::Conflict);
    let ended = client.request(abandon).await;
    assert!(
        matches!(ended, ServerFrame::Reply { .. }),
        "the run ends: {ended:?}"
    );
    let ended_log: Vec<u8> = redis::cmd("GET")
        .arg(format!("lf:{{run:{run_id}}}:log"))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(ended_log.len(), 3 * 8);
    assert_eq!(
        &ended_log[2 * 8..],
        record.as_slice(),
        "Redis's record is kept"
    );
}

#[tokio::test]
async fn an_entry_appended_late_is_replaced_as_by_a_write_at_the_jumps_place() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &NO_TIMING).await;
    let mut player = Player::start(&server, "doubled".into(), 0).await;
    player.play(2).await;
    let run_id = player.run_id;
    // An append of this driver that came late (or a request Redis applied twice) leaves an entry the
    // node does not count.
    let mut connection = redis.connection().await;
    let _: i64 = redis::cmd("APPEND")
        .arg(first_epoch_key(run_id))
        .arg(&[0xAA_u8; 16][..])
        .query_async(&mut connection)
        .await
        .unwrap();

    // The next jump is recorded at its place, over the stray entry, not after it.
    player.play(3).await;
    let log = first_epoch_log(&redis, run_id).await;
    assert_eq!(log.len(), 3 * 16);
    assert_ne!(
        &log[2 * 16..],
        &[0xAA_u8; 16][..],
        "the stray entry is gone"
    );
    let mut again = server.client(Codec::Json, &player.name).await;
    let resumed = hello(&mut again, Some(run_id))
        .await
        .resumed
        .expect("the run resumes");
    assert_eq!(
        (resumed.next_seq, resumed.score, &resumed.world),
        (3, player.local.score(), player.local.world())
    );
}

/// One player of a test: its connection, run and local replay of it.
struct Player {
    name: String,
    client: TestClient,
    run_id: RunId,
    local: GameSession,
    bot: Bot,
}

impl Player {
    /// `name`, with a run started on its own connection, played by a perfect bot seeded `bot_seed`.
    async fn start(server: &TestServer, name: String, bot_seed: u64) -> Player {
        let mut client = server.client(Codec::Bincode, &name).await;
        let started = start_run(&mut client, StartMode::Solo).await;
        Player {
            name,
            client,
            run_id: started.run_id,
            local: GameSession::new(started.seed, started.ruleset),
            bot: Bot::new(Skill::PERFECT, Ruleset::V1, bot_seed),
        }
    }

    /// Plays the run on with the bot, checked against the local replay, until `until` jumps.
    async fn play(&mut self, until: u32) {
        play(
            &mut self.client,
            self.run_id,
            &mut self.local,
            &mut self.bot,
            until,
        )
        .await;
    }
}

/// `count` players, each with a run started on its own connection as `{prefix}-{index}`.
async fn start_players(server: &TestServer, prefix: &str, count: u64) -> Vec<Player> {
    let mut players = Vec::new();
    for index in 0..count {
        players.push(Player::start(server, format!("{prefix}-{index}"), index).await);
    }
    players
}

/// `sum` and `count` of histogram `name` in a `/metrics` text (0 when absent).
fn histogram_sum_count(text: &str, name: &str) -> (f64, f64) {
    let value = |suffix: &str| {
        text.lines()
            .filter(|line| line.starts_with(&format!("{name}_{suffix}")))
            .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    };
    (value("sum"), value("count"))
}

#[tokio::test]
async fn checkpoints_of_many_connections_share_requests_and_a_fenced_one_fails_alone() {
    let redis = TestRedis::start().await;
    let options = [&NO_TIMING[..], &["--max-connections-per-player", "2"]].concat();
    let server = TestServer::start(&redis, &options).await;
    let mut players = start_players(&server, "batch", 16).await;
    // One more driver, whose run another connection takes over: its checkpoints meet a fence.
    let mut moved = start_players(&server, "batch-mover", 1).await.remove(0);
    play_all(std::slice::from_mut(&mut moved), 1).await;
    let mut new = server.client(Codec::Bincode, &moved.name).await;
    assert!(hello(&mut new, Some(moved.run_id)).await.resumed.is_some());

    // Rounds of one jump per connection at once, the fenced driver's among them.
    for round in 0..6 {
        let fenced_input = moved.bot.next_jump(moved.local.world());
        let (answers, fenced) = tokio::join!(
            futures_util::future::join_all(players.iter_mut().map(|player| async move {
                let input = player.bot.next_jump(player.local.world());
                let expected = player.local.apply(input).expect("bot inputs are valid");
                let frame = jump(&mut player.client, player.run_id, expected.index, input).await;
                (jump_result(frame).outcome, expected)
            })),
            jump(&mut moved.client, moved.run_id, 1, fenced_input),
        );
        for (outcome, expected) in answers {
            assert_eq!(
                outcome, expected,
                "round {round}: every other checkpoint is answered"
            );
        }
        assert_eq!(error_code(&fenced), ErrorCode::Conflict, "round {round}");
    }
    // Each of those runs resumes on a new connection with all its jumps: they are in Redis.
    for player in players.iter().take(3) {
        let mut again = server.client(Codec::Json, &player.name).await;
        let resumed = hello(&mut again, Some(player.run_id))
            .await
            .resumed
            .expect("the run resumes");
        assert_eq!(
            (resumed.next_seq, resumed.score),
            (player.local.jumps(), player.local.score())
        );
    }
    let metrics = server.metrics().await;
    let (entries, batches) = histogram_sum_count(&metrics, "leapfrog_redis_batch_entries");
    if matches!(redis.target(), leapfrog_core::store::RedisTarget::Single(_)) {
        assert!(
            entries >= 16.0 * 6.0,
            "every checkpoint went through the batches: {entries}"
        );
        assert!(
            batches < entries,
            "some requests carried several connections' checkpoints: {batches} batches for {entries}"
        );
    } else {
        assert_eq!(
            entries, 0.0,
            "a cluster sends each checkpoint to its slot's node"
        );
    }
}

#[tokio::test]
async fn checkpoints_queued_while_redis_is_gone_fail_in_bounded_time_and_lose_nothing() {
    let mut redis = TestRedis::start().await;
    let options = [&NO_TIMING[..], &["--redis-timeout-ms", "300"]].concat();
    let server = TestServer::start(&redis, &options).await;
    let mut players = start_players(&server, "outage", 12).await;
    play_all(&mut players, 2).await;
    // Redis killed (refused at once), then, on one Redis, paused (`CLIENT PAUSE`: commands hang, then
    // run late). Each player sends its jump 2 in both, the same input, as a client retrying does.
    let inputs: Vec<Jump> = players
        .iter_mut()
        .map(|player| player.bot.next_jump(player.local.world()))
        .collect();
    redis.stop().await;
    outage_round(&mut players, &inputs).await;
    redis.resume().await;
    server.wait_ready().await;
    // The pause is of one Redis: a cluster's other masters would go on answering (and a cluster
    // batches nothing).
    if matches!(redis.target(), leapfrog_core::store::RedisTarget::Single(_)) {
        let mut connection = redis.connection().await;
        let () = redis::cmd("CLIENT")
            .arg("PAUSE")
            .arg(1_500)
            .arg("ALL")
            .query_async(&mut connection)
            .await
            .unwrap();
        let paused = std::time::Instant::now();
        // Jump 2 again: the first try was never applied (Redis was gone), and the run's state is
        // reloaded first (a script, queued like the checkpoint), which hangs too.
        outage_round(&mut players, &inputs).await;
        tokio::time::sleep(
            std::time::Duration::from_millis(1_600).saturating_sub(paused.elapsed()),
        )
        .await;
        server.wait_ready().await;
    }
    // The same jump once more: answered with its outcome, whether Redis ran the paused write late (the
    // resent jump gets the stored answer) or not; then each run goes on intact.
    for (player, input) in players.iter_mut().zip(inputs) {
        let expected = player.local.apply(input).expect("bot inputs are valid");
        let frame = jump(&mut player.client, player.run_id, 2, input).await;
        assert_eq!(jump_result(frame).outcome, expected);
    }
    play_all(&mut players, 5).await;
}

/// Plays each player's run on to `until` jumps, one player after the other.
async fn play_all(players: &mut [Player], until: u32) {
    for player in players {
        player.play(until).await;
    }
}

/// Every player's next jump (`inputs`, one each) at once while Redis cannot answer: they queue for
/// batches behind the first. Each is answered `unavailable`, in bounded time.
async fn outage_round(players: &mut [Player], inputs: &[Jump]) {
    let answers = futures_util::future::join_all(players.iter_mut().zip(inputs).map(
        |(player, input)| async move {
            let seq = player.local.jumps();
            tokio::time::timeout(
                std::time::Duration::from_secs(10),
                jump(&mut player.client, player.run_id, seq, *input),
            )
            .await
        },
    ))
    .await;
    for answer in answers {
        let frame = answer.expect("a jump while Redis is gone is answered, not left hanging");
        assert_eq!(error_code(&frame), ErrorCode::Unavailable);
    }
}

/// A Redis behind a password, with the node's keys in a database of their own, as deploy/ runs it:
/// every connection the node makes (its redis-rs connection and the group commit's own socket) is
/// authenticated and selects that database, so a whole run (its start, jumps, end and recording) is
/// stored there and nothing lands in database 0.
#[tokio::test]
async fn a_node_stores_a_run_in_the_database_its_url_names_behind_a_password() {
    let redis = TestRedis::behind_password("s3cret-of-the-test", 3).await;
    let server = TestServer::start(&redis, &NO_TIMING).await;
    let mut client = server.client(Codec::Bincode, "guarded").await;
    match support::play_centre_hits(&mut client, 3).await {
        RunEnd::Over(over) => assert_eq!(over.final_score, 2 + 4 + 6),
        other => panic!("expected the run to be over, got {other:?}"),
    }
    let dbsize = |db: u8| {
        let url = redis.url();
        async move {
            let url = format!("{}/{db}", url.rsplit_once('/').expect("a database").0);
            let mut connection = redis::Client::open(url)
                .expect("valid url")
                .get_multiplexed_async_connection()
                .await
                .expect("redis answers with the password");
            redis::cmd("DBSIZE")
                .query_async::<u64>(&mut connection)
                .await
                .expect("DBSIZE")
        }
    };
    assert!(dbsize(3).await > 0, "the run is stored in database 3");
    assert_eq!(dbsize(0).await, 0, "nothing is stored in database 0");
    let unauthenticated = redis::Client::open(redis.url().replace(":s3cret-of-the-test@", ""))
        .expect("valid url")
        .get_multiplexed_async_connection()
        .await;
    if let Ok(mut connection) = unauthenticated {
        assert!(
            redis::cmd("DBSIZE")
                .query_async::<u64>(&mut connection)
                .await
                .is_err(),
            "the Redis of this test asks for its password"
        );
    }
}

/// Redis closing the node's connection while it is idle (a restart, a `CLIENT KILL`, a proxy's idle
/// timeout) costs no request: the group commit's socket sees the close at once and the next jump
/// connects again, instead of failing on the closed socket.
#[tokio::test]
async fn a_connection_redis_closed_while_idle_is_made_again_for_the_next_jump() {
    let redis = TestRedis::single().await;
    let server = TestServer::start(&redis, &NO_TIMING).await;
    let mut player = Player::start(&server, "reconnect".into(), 7).await;
    player.play(2).await;
    let mut connection = redis.connection().await;
    let killed: u64 = redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("normal")
        .arg("SKIPME")
        .arg("yes")
        .query_async(&mut connection)
        .await
        .expect("CLIENT KILL");
    assert!(killed >= 1, "the node's connection was closed");
    // Less than a restart takes: the close is seen as it comes, not when the next request fails.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    player.play(5).await;
    // Counted for operators: the first connection and the one made again.
    server
        .metrics_once("leapfrog_redis_connections_opened_total", &[], 2.0)
        .await;
}
