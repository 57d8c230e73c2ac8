//! Best-run replays (`read_replay`, `GET /v1/replays/{period}/{player}`): a run that sets a new best is
//! kept with its inputs and replays to the same score; only a better run replaces it; friends and the
//! player may read it, a stranger or a player who was blocked may not; sharing it names the challenge.

use crate::support::{self, TestClient, TestRedis, TestServer, http_with, metric};
use protocol::*;

async fn client(server: &TestServer, player: &str) -> TestClient {
    let mut client = server.client(Codec::Json, player).await;
    support::hello(&mut client, None).await;
    client
}

async fn social(client: &mut TestClient, request: Request) {
    match client.request(request).await {
        ServerFrame::Reply {
            response: Response::Social(_),
            ..
        } => {}
        other => panic!("expected a social change, got {other:?}"),
    }
}

/// Makes `a` and `b` friends (both logged in first: requests go only to players the server has seen).
async fn befriend(server: &TestServer, a: &str, b: &str) {
    let other = |player: &str| OtherPlayer {
        player: player.parse().unwrap(),
    };
    let (mut first, mut second) = (client(server, a).await, client(server, b).await);
    social(&mut first, Request::SendFriendRequest(other(b))).await;
    social(&mut second, Request::AcceptFriendRequest(other(a))).await;
}

/// Plays `centre_hits` centre hits then a fall; returns the run's end.
async fn play(client: &mut TestClient, centre_hits: u32) -> RunOver {
    match support::play_centre_hits(client, centre_hits).await {
        RunEnd::Over(over) => over,
        other => panic!("expected the run to be over, got {other:?}"),
    }
}

/// `player`'s replay of `period` as `client` reads it: the replay or the error code.
async fn read(client: &mut TestClient, player: &str, period: Period) -> Result<Replay, ErrorCode> {
    let request = Request::ReadReplay(ReadReplay {
        player: player.parse().unwrap(),
        period,
    });
    match client.request(request).await {
        ServerFrame::Reply {
            response: Response::Replay(replay),
            ..
        } => Ok(replay),
        ServerFrame::Error { code, .. } => Err(code),
        other => panic!("expected a replay or an error, got {other:?}"),
    }
}

/// Shares `run` as a challenge; returns the challenge.
async fn share(client: &mut TestClient, run: RunId) -> Challenge {
    match client
        .request(Request::CreateChallenge(CreateChallenge { run_id: run }))
        .await
    {
        ServerFrame::Reply {
            response: Response::Challenge(challenge),
            ..
        } => challenge,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

/// The score a replay's inputs make on its course, by the rules.
fn replayed_score(replay: &Replay) -> u32 {
    game_logic::replay(replay.seed, replay.ruleset, &replay.jumps)
        .expect("a kept run replays")
        .score
}

#[tokio::test]
async fn a_best_run_is_kept_and_replays_for_friends_only() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &support::MACHINE_SPEED).await;
    befriend(&server, "alice", "bob").await;
    befriend(&server, "alice", "dave").await;
    let mut alice = client(&server, "alice").await;
    assert_eq!(
        read(&mut alice, "alice", Period::Weekly).await.err(),
        Some(ErrorCode::NotFound),
        "no run yet"
    );

    let best = play(&mut alice, 3).await;
    for period in [Period::Daily, Period::Weekly, Period::AllTime] {
        let mine = read(&mut alice, "alice", period)
            .await
            .expect("my own best");
        assert_eq!(mine.run_id, best.run_id);
        assert_eq!((mine.score, mine.seed), (best.final_score, best.seed));
        assert_eq!(mine.jumps.len(), 4, "3 centre hits and the fall");
        assert_eq!(mine.jumps_total, 4);
        assert_eq!(replayed_score(&mine), best.final_score);
        assert_eq!(mine.challenge, None);
    }
    // The node that ended the run kept it from its own copy of the jumps: the log was not read back.
    let metrics = server.metrics().await;
    let requests = |op| {
        metric(
            &metrics,
            "leapfrog_redis_command_duration_seconds_count",
            &[("op", op)],
        )
        .unwrap_or(0.0)
    };
    assert!(requests("replay_keep") >= 1.0, "{metrics}");
    assert_eq!(requests("replay_log"), 0.0, "{metrics}");

    let mut bob = client(&server, "bob").await;
    let seen = read(&mut bob, "alice", Period::Weekly)
        .await
        .expect("a friend's best");
    assert_eq!(seen.run_id, best.run_id);
    assert!(seen.period_id.starts_with('w'), "{}", seen.period_id);

    let mut carol = client(&server, "carol").await;
    assert_eq!(
        read(&mut carol, "alice", Period::Weekly).await.err(),
        Some(ErrorCode::Forbidden),
        "a stranger"
    );
    assert_eq!(
        read(&mut bob, "carol", Period::AllTime).await.err(),
        Some(ErrorCode::Forbidden),
        "not a friend either way"
    );

    // Blocking ends the friendship: the blocked player can no longer watch.
    social(
        &mut alice,
        Request::Block(OtherPlayer {
            player: "dave".parse().unwrap(),
        }),
    )
    .await;
    let mut dave = client(&server, "dave").await;
    assert_eq!(
        read(&mut dave, "alice", Period::Weekly).await.err(),
        Some(ErrorCode::Forbidden)
    );

    // A worse run keeps the best; a better one replaces it.
    play(&mut alice, 1).await;
    assert_eq!(
        read(&mut bob, "alice", Period::Weekly)
            .await
            .unwrap()
            .run_id,
        best.run_id
    );
    let better = play(&mut alice, 5).await;
    let replaced = read(&mut bob, "alice", Period::AllTime).await.unwrap();
    assert_eq!(replaced.run_id, better.run_id);
    assert_eq!(replayed_score(&replaced), better.final_score);

    // The same over HTTP, with the token of the reader.
    let bob_token = server.token("bob").await;
    let (status, body) = http_with(
        server.public,
        "GET",
        "/v1/replays/weekly/alice",
        &bob_token,
        "",
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let over_http: Replay = serde_json::from_str(&body).expect("a Replay in JSON");
    assert_eq!(over_http.run_id, better.run_id);
    let carol_token = server.token("carol").await;
    let refused = http_with(
        server.public,
        "GET",
        "/v1/replays/weekly/alice",
        &carol_token,
        "",
    )
    .await
    .unwrap();
    assert_eq!(refused.0, 403, "{}", refused.1);
    let unknown = http_with(
        server.public,
        "GET",
        "/v1/replays/monthly/alice",
        &bob_token,
        "",
    )
    .await
    .unwrap();
    assert_eq!(unknown.0, 404);
}

#[tokio::test]
async fn a_shared_best_names_its_challenge_so_friends_can_race_it() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &support::MACHINE_SPEED).await;
    befriend(&server, "erin", "frank").await;
    let mut erin = client(&server, "erin").await;
    let best = play(&mut erin, 2).await;
    let challenge = share(&mut erin, best.run_id).await;
    let mut frank = client(&server, "frank").await;
    let replay = read(&mut frank, "erin", Period::Weekly).await.unwrap();
    assert_eq!(replay.challenge, Some(challenge.challenge));
    assert_eq!(replay.seed, challenge.seed);
}

/// Copies `player`'s kept best of `period_id` into the hash older versions kept, with `packed` as its
/// score, and removes the string unless `keep_string`: the state a best kept before the upgrade to one
/// string per best leaves (or, keeping it, one an older node recorded during the upgrade).
async fn keep_as_older_layout(
    redis: &TestRedis,
    player: &str,
    period_id: &str,
    packed: u64,
    keep_string: bool,
) {
    let mut connection = redis.connection().await;
    let key = format!("lf:{{p:{player}}}:replay:{period_id}");
    let record: Vec<u8> = redis::cmd("GET")
        .arg(&key)
        .query_async(&mut connection)
        .await
        .unwrap();
    let (header, log) = record.split_at(64);
    let seed = u64::from_le_bytes(header[17..25].try_into().unwrap());
    let jumps = u32::from_le_bytes(header[27..31].try_into().unwrap());
    let run = RunId::from_bytes(header[31..47].try_into().unwrap());
    if !keep_string {
        let _: () = redis::cmd("DEL")
            .arg(&key)
            .query_async(&mut connection)
            .await
            .unwrap();
    }
    let _: () = redis::pipe()
        .hset_multiple(
            format!("lf:{{p:{player}}}:best:{period_id}"),
            &[
                ("packed", packed.to_string().into_bytes()),
                ("seed", seed.to_string().into_bytes()),
                ("ruleset", b"1".to_vec()),
                ("log", log.to_vec()),
                ("jumps", jumps.to_string().into_bytes()),
                ("run", run.to_string().into_bytes()),
            ],
        )
        .query_async(&mut connection)
        .await
        .unwrap();
}

/// Whether `key` exists.
async fn exists(redis: &TestRedis, key: &str) -> bool {
    let mut connection = redis.connection().await;
    redis::cmd("EXISTS")
        .arg(key)
        .query_async(&mut connection)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_best_kept_by_an_older_version_is_read_shared_and_only_replaced_by_a_better_run() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &support::MACHINE_SPEED).await;
    let mut gina = client(&server, "gina").await;
    let first = play(&mut gina, 3).await;
    let week = read(&mut gina, "gina", Period::Weekly)
        .await
        .unwrap()
        .period_id;
    // Kept by an older version, as a hash, with a score above anything this test plays.
    let high = score_packed(100_000);
    keep_as_older_layout(&redis, "gina", &week, high, false).await;

    let older = read(&mut gina, "gina", Period::Weekly).await.unwrap();
    assert_eq!(older.run_id, first.run_id);
    assert_eq!(older.score, 100_000, "the hash's packed score");
    assert_eq!(older.jumps.len(), 4);
    assert_eq!(replayed_score(&older), first.final_score);

    // Sharing it notes the challenge on the hash.
    let challenge = share(&mut gina, first.run_id).await;
    let shared = read(&mut gina, "gina", Period::Weekly).await.unwrap();
    assert_eq!(shared.challenge, Some(challenge.challenge));

    // A new best on the board, but worse than the hash's: the hash stays, no string is written.
    play(&mut gina, 5).await;
    let kept = read(&mut gina, "gina", Period::Weekly).await.unwrap();
    assert_eq!(kept.run_id, first.run_id);
    assert!(!exists(&redis, &format!("lf:{{p:gina}}:replay:{week}")).await);

    // Below a better run, the hash goes and the string takes its place.
    let _: () = redis::cmd("HSET")
        .arg(format!("lf:{{p:gina}}:best:{week}"))
        .arg("packed")
        .arg(score_packed(1))
        .query_async(&mut redis.connection().await)
        .await
        .unwrap();
    let better = play(&mut gina, 7).await;
    let replaced = read(&mut gina, "gina", Period::Weekly).await.unwrap();
    assert_eq!(replaced.run_id, better.run_id);
    assert_eq!(replaced.score, better.final_score);
    assert_eq!(replaced.challenge, None);
    assert_eq!(replayed_score(&replaced), better.final_score);
    assert!(!exists(&redis, &format!("lf:{{p:gina}}:best:{week}")).await);

    // An older node records a better best beside the string during an upgrade: reads serve the better.
    keep_as_older_layout(&redis, "gina", &week, high, true).await;
    let both = read(&mut gina, "gina", Period::Weekly).await.unwrap();
    assert_eq!((both.run_id, both.score), (better.run_id, 100_000));
    keep_as_older_layout(&redis, "gina", &week, score_packed(2), true).await;
    let string = read(&mut gina, "gina", Period::Weekly).await.unwrap();
    assert_eq!(
        (string.run_id, string.score),
        (better.run_id, better.final_score)
    );
}

/// `score`'s packed value as the boards hold it (reached at the start of 2026).
fn score_packed(score: u32) -> u64 {
    leapfrog_core::leaderboards::score::encode(score, 1_767_225_600_000)
}
