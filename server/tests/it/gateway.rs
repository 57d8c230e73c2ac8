//! The gateway under bad input and faults: auth refusals, bad frames, floods, replacement, timeouts,
//! metrics, readiness while Redis is down, and graceful shutdown.

use std::time::Duration;

use crate::support::{Auth, TestClient, TestRedis, TestServer, http, metric};
use protocol::*;
use tokio_tungstenite::tungstenite::Message;

fn hello(token: Option<String>) -> Request {
    Request::Hello(Hello {
        client_version: "test/1".into(),
        token,
        resume: None,
        last_notification: None,
    })
}

fn code(frame: &ServerFrame) -> ErrorCode {
    match frame {
        ServerFrame::Error { code, .. } => *code,
        other => panic!("expected an error, got {other:?}"),
    }
}

fn ping() -> Request {
    Request::Ping(Ping { client_time_ms: 1 })
}

/// A token signed with another secret than the server's: a forgery.
fn forged(player: &str) -> String {
    use base64::Engine;
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = engine.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = engine.encode(format!(r#"{{"sub":"{player}","exp":9999999999}}"#));
    format!("{header}.{payload}.{}", engine.encode([7u8; 32]))
}

#[tokio::test]
async fn forged_expired_malformed_and_missing_tokens_are_refused() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &["--hello-timeout-ms", "400"]).await;

    for token in [forged("alice"), "not-a-jwt".to_owned()] {
        let refused = TestClient::connect(server.public, Codec::Json, Auth::Header(&token)).await;
        let error = refused.err().expect("the handshake is refused").to_string();
        assert!(error.contains("401"), "{error}");
        assert!(
            TestClient::connect(server.public, Codec::Json, Auth::Query(&token))
                .await
                .is_err()
        );
    }
    // An expired token, issued by the server itself.
    let (status, body) = http(
        server.public,
        "POST",
        "/dev/token",
        r#"{"player":"late","ttl_seconds":0}"#,
    )
    .await
    .unwrap();
    assert_eq!(status, 200);
    let expired: serde_json::Value = serde_json::from_str(&body).unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    let expired = expired["token"].as_str().unwrap().to_owned();
    // Within the 30 s leeway it still works; the refusal of a truly expired token is a unit test of jwt.

    // No token in the handshake: only hello is allowed, and a bad hello token is refused.
    let mut client = TestClient::connect(server.public, Codec::Bincode, Auth::None)
        .await
        .unwrap();
    assert!(
        matches!(client.request(ping()).await, ServerFrame::Reply { .. }),
        "ping needs no auth"
    );
    assert_eq!(
        code(
            &client
                .request(Request::StartRun(StartRun {
                    mode: StartMode::Solo
                }))
                .await
        ),
        ErrorCode::HelloRequired
    );
    assert_eq!(
        code(&client.request(hello(None)).await),
        ErrorCode::Unauthorized
    );
    assert_eq!(
        code(&client.request(hello(Some(forged("alice")))).await),
        ErrorCode::Unauthorized
    );
    match client.request(hello(Some(expired))).await {
        ServerFrame::Reply {
            response: Response::Welcome(welcome),
            ..
        } => assert_eq!(welcome.player.as_str(), "late"),
        other => panic!("a fresh token in hello authenticates: {other:?}"),
    }

    // The query-string path authenticates too.
    let token = server.token("browser").await;
    let mut browser = TestClient::connect(server.public, Codec::Json, Auth::Query(&token))
        .await
        .unwrap();
    match browser.request(hello(None)).await {
        ServerFrame::Reply {
            response: Response::Welcome(welcome),
            ..
        } => assert_eq!(welcome.player.as_str(), "browser"),
        other => panic!("{other:?}"),
    }
    // A hello token naming another player than the handshake's is refused: no acting as someone else.
    let other = server.token("mallory").await;
    assert_eq!(
        code(&browser.request(hello(Some(other))).await),
        ErrorCode::Forbidden
    );

    // Silence without authenticating closes the connection.
    let mut silent = TestClient::connect(server.public, Codec::Json, Auth::None)
        .await
        .unwrap();
    let closed = silent.closed().await;
    assert_eq!(closed.code, Some(4001), "{closed:?}");
}

#[tokio::test]
async fn an_unknown_protocol_version_is_refused_in_the_handshake() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &[]).await;
    let token = server.token("someone").await;
    let error = TestClient::connect_offering(
        server.public,
        "leapfrog.v2.bincode",
        Codec::Bincode,
        Auth::Header(&token),
    )
    .await
    .err()
    .expect("refused")
    .to_string();
    assert!(error.contains("400"), "{error}");
}

/// Every request about a run, whatever its id, is refused before the connection authenticated: the
/// jump's own path (it reads its player from the session) as well as the others.
#[tokio::test]
async fn requests_about_a_run_need_hello_first() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &[]).await;
    let mut client = TestClient::connect(server.public, Codec::Bincode, Auth::None)
        .await
        .unwrap();
    let run_id = RunId::from_bytes([7; 16]);
    for request in [
        Request::Jump(JumpRequest {
            run_id,
            seq: 0,
            press_ms: 500,
            dwell_ms: 300,
        }),
        Request::Abandon(Abandon { run_id }),
    ] {
        assert_eq!(
            code(&client.request(request).await),
            ErrorCode::HelloRequired
        );
    }
}

#[tokio::test]
async fn bad_frames_get_errors_or_a_close_and_others_are_still_served() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &[]).await;
    let mut bystander = server.client(Codec::Bincode, "bystander").await;
    let mut client = server.client(Codec::Bincode, "vandal").await;

    client
        .send_raw(Message::Binary(vec![0xff, 0x00, 0x13, 0x37].into()))
        .await;
    let garbage = client.next_frame().await.expect("an answer");
    assert_eq!(code(&garbage), ErrorCode::MalformedFrame);

    client
        .send_raw(Message::Text(r#"{"id":9,"request":"ping"}"#.into()))
        .await;
    let wrong_codec = client.next_frame().await.expect("an answer");
    assert_eq!(code(&wrong_codec), ErrorCode::UnsupportedCodec);

    // A valid id with a broken body: the error carries the id.
    let mut frame = Codec::Bincode
        .encode_client(&ClientFrame {
            id: RequestId(42),
            request: ping(),
        })
        .map(|wire| match wire {
            WireFrame::Binary(bytes) => bytes,
            WireFrame::Text(_) => unreachable!(),
        })
        .unwrap();
    frame.truncate(2);
    client.send_raw(Message::Binary(frame.into())).await;
    match client.next_frame().await {
        Some(ServerFrame::Error { id, code, .. }) => {
            assert_eq!((id, code), (Some(RequestId(42)), ErrorCode::MalformedFrame))
        }
        other => panic!("{other:?}"),
    }

    // Still serving this client, then an oversized message closes it with 1009.
    assert!(matches!(
        client.request(ping()).await,
        ServerFrame::Reply { .. }
    ));
    client
        .send_raw(Message::Binary(vec![0u8; 5_000].into()))
        .await;
    let closed = client.closed().await;
    assert_eq!(closed.code, Some(1009), "{closed:?}");

    // Others never noticed.
    assert!(matches!(
        bystander.request(ping()).await,
        ServerFrame::Reply { .. }
    ));
    let metrics = server.metrics().await;
    assert_eq!(
        metric(
            &metrics,
            "leapfrog_decode_errors_total",
            &[("kind", "malformed")]
        ),
        Some(2.0)
    );
    assert_eq!(
        metric(
            &metrics,
            "leapfrog_decode_errors_total",
            &[("kind", "wrong_codec")]
        ),
        Some(1.0)
    );
    assert_eq!(
        metric(
            &metrics,
            "leapfrog_disconnects_total",
            &[("reason", "message_too_big")]
        ),
        Some(1.0)
    );
}

#[tokio::test]
async fn a_flood_is_rate_limited_and_abuse_disconnects() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(
        &redis,
        &[
            "--rate-per-second",
            "5",
            "--rate-burst",
            "5",
            "--rate-abuse-threshold",
            "20",
        ],
    )
    .await;
    let mut client = server.client(Codec::Bincode, "flooder").await;
    for id in 0..12u32 {
        let wire = Codec::Bincode
            .encode_client(&ClientFrame {
                id: RequestId(id),
                request: ping(),
            })
            .unwrap();
        client.send_wire(wire).await;
    }
    let mut limited = 0;
    for _ in 0..12 {
        match client.next_frame().await.expect("an answer to each") {
            ServerFrame::Error {
                code: ErrorCode::RateLimited,
                ..
            } => limited += 1,
            ServerFrame::Reply { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(limited >= 6, "only {limited} of 12 limited");
    for id in 0..40u32 {
        let wire = Codec::Bincode
            .encode_client(&ClientFrame {
                id: RequestId(100 + id),
                request: ping(),
            })
            .unwrap();
        client.send_wire(wire).await;
    }
    let closed = client.closed().await;
    assert_eq!(closed.code, Some(1008), "{closed:?}");
    assert!(closed.frames_before.iter().any(|frame| matches!(
        frame,
        ServerFrame::Push(Push::Goodbye {
            reason: GoodbyeReason::RateLimited,
            ..
        })
    )));
    let metrics = server.metrics().await;
    // Past 20 refusals within the window the 21st closes the connection.
    assert!(metric(&metrics, "leapfrog_rate_limited_total", &[]).unwrap_or(0.0) >= 21.0);
}

#[tokio::test]
async fn a_new_login_replaces_the_old_connection() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &[]).await;
    let mut first = server.client(Codec::Json, "twice").await;
    assert!(matches!(
        first.request(ping()).await,
        ServerFrame::Reply { .. }
    ));
    let mut second = server.client(Codec::Bincode, "twice").await;
    let closed = first.closed().await;
    assert_eq!(closed.code, Some(4000), "{closed:?}");
    assert!(closed.frames_before.iter().any(|frame| matches!(
        frame,
        ServerFrame::Push(Push::Goodbye {
            reason: GoodbyeReason::ReplacedByNewLogin,
            ..
        })
    )));
    assert!(matches!(
        second.request(ping()).await,
        ServerFrame::Reply { .. }
    ));
}

#[tokio::test]
async fn idle_connections_are_pinged_then_closed() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(
        &redis,
        &["--heartbeat-ms", "100", "--idle-timeout-ms", "600"],
    )
    .await;
    // tungstenite answers pings only while the client reads, so a client that reads nothing for a
    // while stays silent and is closed as idle; a reading client stays connected.
    let mut reader = server.client(Codec::Json, "awake").await;
    let mut client = server.client(Codec::Bincode, "sleepy").await;
    for _ in 0..10 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(matches!(
            reader.request(ping()).await,
            ServerFrame::Reply { .. }
        ));
    }
    let closed = client.closed().await;
    assert_eq!(closed.code, Some(4002), "{closed:?}");
    assert!(
        matches!(reader.request(ping()).await, ServerFrame::Reply { .. }),
        "talking kept it alive"
    );
}

#[tokio::test]
async fn metrics_parse_and_move() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &[]).await;
    let before = server.metrics().await;
    let pings_before =
        metric(&before, "leapfrog_messages_in_total", &[("type", "ping")]).unwrap_or(0.0);
    let mut client = server.client(Codec::Json, "counted").await;
    for _ in 0..3 {
        client.request(ping()).await;
    }
    let after = server.metrics().await;
    assert_eq!(
        metric(&after, "leapfrog_messages_in_total", &[("type", "ping")]),
        Some(pings_before + 3.0)
    );
    assert_eq!(
        metric(&after, "leapfrog_messages_out_total", &[("type", "pong")]),
        Some(3.0)
    );
    assert_eq!(metric(&after, "leapfrog_connections_open", &[]), Some(1.0));
    assert_eq!(
        metric(
            &after,
            "leapfrog_connects_total",
            &[("outcome", "accepted")]
        ),
        Some(1.0)
    );
    assert_eq!(metric(&after, "leapfrog_ready", &[]), Some(1.0));
    assert!(after.contains("leapfrog_redis_command_duration_seconds_bucket"));
    let mut promtool = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("promtool is installed (scripts/test.sh installs Debian's prometheus package)");
    use std::io::Write;
    promtool
        .stdin
        .take()
        .unwrap()
        .write_all(after.as_bytes())
        .unwrap();
    let checked = promtool.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "promtool check metrics: {}",
        String::from_utf8_lossy(&checked.stdout)
    );
}

#[tokio::test]
async fn readiness_follows_redis() {
    let mut redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &["--redis-timeout-ms", "200"]).await;
    assert_eq!(
        http(server.public, "GET", "/readyz", "").await.unwrap().0,
        200
    );
    redis.stop().await;
    let mut unready = false;
    for _ in 0..100 {
        let (status, body) = http(server.public, "GET", "/readyz", "").await.unwrap();
        if status == 503 {
            assert!(body.contains("Redis"), "{body}");
            unready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(unready, "/readyz never went unready");
    assert_eq!(
        http(server.public, "GET", "/healthz", "").await.unwrap().0,
        200,
        "alive all the same"
    );
    redis.resume().await;
    server.wait_ready().await;
}

/// `/readyz` of `server`: its status and text.
async fn readyz(server: &TestServer) -> (u16, String) {
    http(server.public, "GET", "/readyz", "")
        .await
        .expect("/readyz answers")
}

/// Waits until `/metrics` shows `open` WebSocket connections.
async fn wait_open(server: &TestServer, open: usize) {
    let deadline = std::time::Instant::now() + crate::support::WAIT;
    while metric(&server.metrics().await, "leapfrog_connections_open", &[]) != Some(open as f64) {
        assert!(
            std::time::Instant::now() < deadline,
            "never {open} connections open"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_full_node_is_not_ready_until_it_falls_to_90_percent_of_its_limit() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &["--max-connections", "20"]).await;
    let mut clients = Vec::new();
    for player in 0..20 {
        clients.push(server.client(Codec::Json, &format!("p{player}")).await);
    }
    let (status, body) = readyz(&server).await;
    assert_eq!(
        (status, body.as_str()),
        (503, "not ready: at the connection limit")
    );
    let metrics = server.metrics().await;
    assert_eq!(metric(&metrics, "leapfrog_ready", &[]), Some(0.0));
    assert_eq!(
        metric(&metrics, "leapfrog_connections_full", &[]),
        Some(1.0)
    );
    assert_eq!(
        metric(&metrics, "leapfrog_max_connections", &[]),
        Some(20.0)
    );
    // A load balancer that still sends an upgrade gets 503, and may retry elsewhere.
    let token = server.token("p20").await;
    let refused = TestClient::connect(server.public, Codec::Json, Auth::Header(&token)).await;
    assert!(refused.err().expect("refused").to_string().contains("503"));

    // 19 of 20: over 90% of the limit, still not ready (no flapping at the limit).
    clients.pop().expect("a client").disconnect().await;
    wait_open(&server, 19).await;
    assert_eq!(readyz(&server).await.0, 503);
    // 18 of 20: ready again.
    clients.pop().expect("a client").disconnect().await;
    wait_open(&server, 18).await;
    assert_eq!(readyz(&server).await, (200, "ready".to_owned()));
    let metrics = server.metrics().await;
    assert_eq!(metric(&metrics, "leapfrog_ready", &[]), Some(1.0));
    assert_eq!(
        metric(&metrics, "leapfrog_connections_full", &[]),
        Some(0.0)
    );
}

#[tokio::test]
async fn graceful_shutdown_says_goodbye_and_exits_cleanly() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &[]).await;
    let mut client = server.client(Codec::Bincode, "leaving").await;
    assert!(matches!(
        client.request(ping()).await,
        ServerFrame::Reply { .. }
    ));
    server.terminate();
    let closed = client.closed().await;
    assert_eq!(closed.code, Some(1001), "{closed:?}");
    assert!(closed.frames_before.iter().any(|frame| matches!(
        frame,
        ServerFrame::Push(Push::Goodbye {
            reason: GoodbyeReason::ShuttingDown,
            ..
        })
    )));
    assert!(server.wait_exit().await, "the server exits with status 0");
}
