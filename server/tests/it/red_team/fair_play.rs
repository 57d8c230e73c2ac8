//! Nothing forged: a course is only what the server handed out, challenge runs rank apart from the
//! period boards, and per-player caps hold across connections. (The timing check surviving a resume
//! and one driver per run are in `durability`.)

use crate::support::{
    MACHINE_SPEED, TestClient, TestRedis, TestServer, http_with, metric, play_centre_hits,
    start_run,
};
use protocol::{
    Abandon, ChallengeId, Codec, CreateChallenge, ErrorCode, ReadChallenge, Request, Response,
    RunEnd, ServerFrame, StartMode, StartRun,
};

fn options<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    MACHINE_SPEED
        .iter()
        .copied()
        .chain(extra.iter().copied())
        .collect()
}

async fn refusal(client: &mut TestClient, request: Request) -> ErrorCode {
    match client.request(request).await {
        ServerFrame::Error { code, .. } => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn share(client: &mut TestClient, run_id: protocol::RunId) -> protocol::Challenge {
    match client
        .request(Request::CreateChallenge(CreateChallenge { run_id }))
        .await
    {
        ServerFrame::Reply {
            response: Response::Challenge(challenge),
            ..
        } => challenge,
        other => panic!("expected a challenge, got {other:?}"),
    }
}

async fn page(client: &mut TestClient, challenge: ChallengeId) -> protocol::ChallengePage {
    let read = ReadChallenge {
        challenge,
        limit: 10,
        after: None,
    };
    match client.request(Request::ReadChallenge(read)).await {
        ServerFrame::Reply {
            response: Response::ChallengePage(page),
            ..
        } => page,
        other => panic!("expected a challenge page, got {other:?}"),
    }
}

fn ended_run(end: RunEnd) -> (protocol::RunId, u32) {
    match end {
        RunEnd::Over(over) => (over.run_id, over.final_score),
        other => panic!("expected a recorded run, got {other:?}"),
    }
}

#[tokio::test]
async fn a_raw_seed_is_no_course() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options(&[])).await;
    let mut mallory = server.client(Codec::Json, "mallory").await;
    let raw = Request::StartRun(StartRun {
        mode: StartMode::Challenge { seed: 42 },
    });
    assert_eq!(refusal(&mut mallory, raw).await, ErrorCode::BadRequest);
    let invented = Request::StartRun(StartRun {
        mode: StartMode::ChallengeRun {
            challenge: ChallengeId::from_bytes([7; 16]),
        },
    });
    assert_eq!(refusal(&mut mallory, invented).await, ErrorCode::NotFound);
}

#[tokio::test]
async fn a_challenge_is_played_on_the_shared_course_and_ranks_apart() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options(&[])).await;
    let mut ana = server.client(Codec::Json, "ana").await;
    let (ana_run, ana_score) = ended_run(play_centre_hits(&mut ana, 3).await);

    // Ana shares her run; sharing it again is the same challenge.
    let challenge = share(&mut ana, ana_run).await;
    assert_eq!(
        (challenge.owner.as_str(), challenge.owner_score),
        ("ana", ana_score)
    );
    assert_eq!(
        share(&mut ana, ana_run).await.challenge,
        challenge.challenge
    );

    // Ben plays her course: the same seed, and his score lands on the challenge's board only.
    let mut ben = server.client(Codec::Bincode, "ben").await;
    let started = start_run(
        &mut ben,
        StartMode::ChallengeRun {
            challenge: challenge.challenge,
        },
    )
    .await;
    assert_eq!(started.seed, challenge.seed);
    let mut local = game_logic::GameSession::new(started.seed, started.ruleset);
    let mut ben_score = 0;
    while !local.is_over() {
        let jump = crate::support::runs::centre_hits_then_fall(&local, started.ruleset, 5);
        let request = protocol::JumpRequest {
            run_id: started.run_id,
            seq: local.jumps(),
            press_ms: jump.press_ms,
            dwell_ms: jump.dwell_ms,
        };
        ben_score = local.apply(jump).expect("valid").score;
        assert!(matches!(
            ben.request(Request::Jump(request)).await,
            ServerFrame::Reply { .. }
        ));
    }
    let board = page(&mut ben, challenge.challenge).await;
    let ranked: Vec<(&str, u32)> = board
        .entries
        .iter()
        .map(|entry| (entry.player.as_str(), entry.score))
        .collect();
    assert_eq!(ranked, [("ben", ben_score), ("ana", ana_score)]);
    let mut connection = redis.connection().await;
    let on_period_board: Option<f64> = redis::cmd("ZSCORE")
        .arg(crate::support::board_key("all", "ben"))
        .arg("ben")
        .query_async(&mut connection)
        .await
        .expect("answers");
    assert_eq!(
        on_period_board, None,
        "a challenge run is not on the period boards"
    );

    // Sharing a challenge run shares that same challenge; the HTTP read API shows the board too.
    assert_eq!(
        share(&mut ben, started.run_id).await.challenge,
        challenge.challenge
    );
    let token = server.token("ben").await;
    let (status, body) = http_with(
        server.public,
        "GET",
        &format!("/v1/challenges/{}?limit=5", challenge.challenge),
        &token,
        "",
    )
    .await
    .expect("answers");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"owner\":\"ana\""), "{body}");
}

#[tokio::test]
async fn only_your_own_ended_runs_can_be_shared() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options(&[])).await;
    let mut cid = server.client(Codec::Json, "cid").await;
    let live = start_run(&mut cid, StartMode::Solo).await;
    let create = |run_id| Request::CreateChallenge(CreateChallenge { run_id });
    assert_eq!(
        refusal(&mut cid, create(live.run_id)).await,
        ErrorCode::NotFound,
        "a live run is not over yet"
    );
    let mut dot = server.client(Codec::Json, "dot").await;
    let (dot_run, _) = ended_run(play_centre_hits(&mut dot, 1).await);
    assert_eq!(
        refusal(&mut cid, create(dot_run)).await,
        ErrorCode::NotFound,
        "someone else's run"
    );
}

#[tokio::test]
async fn run_caps_hold_across_connections() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(
        &redis,
        &options(&[
            "--max-live-runs",
            "1",
            "--max-runs-per-hour",
            "3",
            "--max-connections-per-player",
            "2",
        ]),
    )
    .await;
    let mut first = server.client(Codec::Bincode, "eli").await;
    let mut second = server.client(Codec::Bincode, "eli").await;
    let solo = || {
        Request::StartRun(StartRun {
            mode: StartMode::Solo,
        })
    };
    let live = start_run(&mut first, StartMode::Solo).await;
    assert_eq!(
        refusal(&mut second, solo()).await,
        ErrorCode::RateLimited,
        "one live run at a time, whichever connection"
    );
    first
        .request(Request::Abandon(Abandon {
            run_id: live.run_id,
        }))
        .await;
    let again = start_run(&mut second, StartMode::Solo).await;
    // Starting again on the same connection abandons its run first, so only the hourly cap is left.
    let last = start_run(&mut second, StartMode::Solo).await;
    assert_eq!(
        refusal(&mut second, solo()).await,
        ErrorCode::RateLimited,
        "three runs an hour"
    );
    // A start writes its run beside taking the quota; a refused one takes the run back before it
    // answers, so neither the index of unsettled runs nor (listed on one Redis) the runs' records hold
    // any run but the three started.
    let started: Vec<String> = [live.run_id, again.run_id, last.run_id]
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut connection = redis.connection().await;
    for shard in 0..16 {
        let listed: Vec<String> = redis::cmd("ZRANGE")
            .arg(format!("lf:{{runs:{shard}}}"))
            .arg(0)
            .arg(-1)
            .query_async(&mut connection)
            .await
            .expect("redis answers");
        for run in listed {
            assert!(
                started.contains(&run),
                "the index lists a run never started: {run}"
            );
        }
    }
    if !redis.is_cluster() {
        let (_, metas): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(0)
            .arg("MATCH")
            .arg("lf:{run:*}:meta")
            .arg("COUNT")
            .arg(10_000)
            .query_async(&mut connection)
            .await
            .expect("redis answers");
        let mut kept: Vec<String> = metas
            .iter()
            .map(|key| key["lf:{run:".len()..key.len() - "}:meta".len()].to_owned())
            .collect();
        kept.sort();
        let mut expected = started.clone();
        expected.sort();
        assert_eq!(kept, expected, "only the started runs have records");
    }
    let metrics = server.metrics().await;
    for cap in ["live_runs", "runs_per_hour"] {
        assert_eq!(
            metric(&metrics, "leapfrog_player_caps_hit_total", &[("cap", cap)]),
            Some(1.0),
            "{cap}"
        );
    }
}
