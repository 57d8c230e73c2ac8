//! Floods: messages past the per-player budget (by reconnecting, by ping frames, by spreading over two
//! nodes), the HTTP read API, silent sockets crowding out players, HTTP requests trickled byte by byte,
//! bad hellos, and upgrades from one address.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use protocol::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{Bytes, Message};

use crate::support::raw_ws::{RawFrame, RawSocket};
use crate::support::{Auth, MACHINE_SPEED, TestClient, TestRedis, TestServer, WAIT, metric};

fn ping() -> Request {
    Request::Ping(Ping { client_time_ms: 1 })
}

/// Sends `count` pings without waiting and returns how many were answered and how many refused as
/// rate limited.
async fn ping_flood(client: &mut TestClient, count: u32) -> (u32, u32) {
    for id in 0..count {
        let wire = client
            .codec
            .encode_client(&ClientFrame {
                id: RequestId(id),
                request: ping(),
            })
            .expect("encodes");
        client.send_wire(wire).await;
    }
    let (mut answered, mut limited) = (0, 0);
    for _ in 0..count {
        match client.next_frame().await.expect("an answer to each") {
            ServerFrame::Reply { .. } => answered += 1,
            ServerFrame::Error {
                code: ErrorCode::RateLimited,
                ..
            } => limited += 1,
            other => panic!("{other:?}"),
        }
    }
    (answered, limited)
}

/// The requests `server` sent to count messages in the cluster-wide budget.
async fn budget_requests(server: &TestServer) -> f64 {
    metric(
        &server.metrics().await,
        "leapfrog_redis_command_duration_seconds_count",
        &[("op", "message_budget")],
    )
    .unwrap_or(0.0)
}

/// Sends `raw` (a request, or its start) and returns the status code of the answer, if one comes.
async fn raw_status(stream: &mut TcpStream) -> Option<(u16, String)> {
    let mut response = Vec::new();
    let read = tokio::time::timeout(WAIT, stream.read_to_end(&mut response)).await;
    let text = String::from_utf8_lossy(&response).into_owned();
    match read {
        Ok(_) if !text.is_empty() => Some((crate::support::status_and_body(&text).0, text)),
        _ => None,
    }
}

#[tokio::test]
async fn reconnecting_does_not_refill_the_bucket() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(
        &redis,
        &[
            "--rate-per-second",
            "1",
            "--rate-burst",
            "10",
            "--rate-abuse-threshold",
            "1000",
        ],
    )
    .await;
    let started = Instant::now();
    let mut answered = 0;
    for _ in 0..5 {
        let mut client = server.client(Codec::Bincode, "hopper").await;
        answered += ping_flood(&mut client, 10).await.0;
        client.disconnect().await;
    }
    // Ten at once, then one a second: five connections in a few seconds do not make fifty.
    let allowed = 10 + started.elapsed().as_secs() as u32 + 1;
    assert!(
        answered <= allowed,
        "{answered} answered, at most {allowed} allowed"
    );
    // Another player has a bucket of their own.
    let mut other = server.client(Codec::Bincode, "other").await;
    assert_eq!(ping_flood(&mut other, 10).await, (10, 0));
}

#[tokio::test]
async fn ping_frames_spend_the_budget_and_a_flood_of_them_closes_the_connection() {
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
    let mut client = server.client(Codec::Bincode, "pinger").await;
    for _ in 0..200 {
        client
            .send_raw(Message::Ping(Bytes::from_static(b"x")))
            .await;
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
    assert!(metric(&metrics, "leapfrog_rate_limited_total", &[]).unwrap_or(0.0) >= 21.0);
}

#[tokio::test]
async fn the_budget_holds_across_nodes() {
    let redis = TestRedis::start().await;
    // A player may send 1 a second and 30 at once on each node; 40 per 10 s window across nodes.
    let options = [
        "--rate-per-second",
        "1",
        "--rate-burst",
        "30",
        "--rate-abuse-threshold",
        "1000",
    ];
    let (first, second) = (
        TestServer::start(&redis, &options).await,
        TestServer::start(&redis, &options).await,
    );
    // Start early in a budget window, so the whole test falls in one.
    let into_window = leapfrog_core::clock::unix_ms() % 10_000;
    if into_window > 3_000 {
        tokio::time::sleep(Duration::from_millis(10_000 - into_window)).await;
    }
    let mut on_first = first.client(Codec::Bincode, "spread").await;
    let mut on_second = second.client(Codec::Bincode, "spread").await;
    let (answered_first, _) = ping_flood(&mut on_first, 30).await;
    assert_eq!(answered_first, 30, "the first node's burst");
    // The budget is counted in batches a Redis round trip behind: wait for the first node's batches
    // (of 4, a tenth of the budget: 28 of the 30) to land, then go at a pace (20 ms a message) that
    // lets each batch's total come back.
    let window = leapfrog_core::budget::MessageBudget::window_of(leapfrog_core::clock::unix_ms());
    let mut connection = redis.connection().await;
    let landed = tokio::time::Instant::now();
    loop {
        let count = counted_messages(&mut connection, &["spread".to_owned()], window).await;
        if count >= 28 {
            break;
        }
        assert!(
            landed.elapsed() < WAIT,
            "the first node's batches never landed: {count}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut answered_second = 0;
    for _ in 0..30 {
        if let ServerFrame::Reply { .. } = on_second.request(ping()).await {
            answered_second += 1;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        (1..=20).contains(&answered_second),
        "the second node stops near the shared budget, not at its own burst: {answered_second}"
    );
    // The count costs a Redis command per batch of a tenth of the budget (4 here), not per message.
    let syncs = budget_requests(&first).await;
    assert!(
        (1.0..=30.0 / 4.0).contains(&syncs),
        "{syncs} budget commands for 30 messages"
    );
}

#[tokio::test]
async fn the_http_read_api_is_limited_per_player() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(
        &redis,
        &["--api-rate-per-second", "1", "--api-rate-burst", "3"],
    )
    .await;
    let reader = server.token("reader").await;
    let mut limited = 0;
    let mut retry_after = None;
    for _ in 0..10 {
        let mut stream = TcpStream::connect(server.public).await.unwrap();
        let request = format!(
            "GET /v1/standing/global HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {reader}\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let (status, text) = raw_status(&mut stream).await.expect("an answer");
        match status {
            200 => {}
            429 => {
                limited += 1;
                retry_after = text
                    .lines()
                    .find_map(|line| line.strip_prefix("retry-after: "))
                    .map(str::to_owned);
            }
            other => panic!("{other}: {text}"),
        }
    }
    assert!(limited >= 6, "{limited} of 10 refused");
    assert_eq!(retry_after.as_deref(), Some("1"));
    let other = server.token("other").await;
    let (status, _) =
        crate::support::http_with(server.public, "GET", "/v1/standing/global", &other, "")
            .await
            .unwrap();
    assert_eq!(status, 200, "another player is not limited");
}

#[tokio::test]
async fn silent_sockets_cannot_lock_players_out() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(
        &redis,
        &[
            "--max-connections",
            "3",
            "--max-unauthenticated",
            "2",
            "--hello-timeout-ms",
            "60000",
        ],
    )
    .await;
    let mut silent = Vec::new();
    let mut refused = 0;
    for _ in 0..20 {
        match TestClient::connect(server.public, Codec::Json, Auth::None).await {
            Ok(client) => silent.push(client),
            Err(error) => {
                assert!(error.to_string().contains("503"), "{error}");
                refused += 1;
            }
        }
    }
    assert_eq!((silent.len(), refused), (2, 18));
    // Every player's place is still free.
    let mut players = Vec::new();
    for player in ["p0", "p1", "p2"] {
        players.push(server.client(Codec::Bincode, player).await);
    }
    let token = server.token("p3").await;
    let full = TestClient::connect(server.public, Codec::Json, Auth::Header(&token)).await;
    assert!(
        full.err()
            .expect("the node is full")
            .to_string()
            .contains("503")
    );
    // A waiting socket that authenticates gives up its place among the waiting.
    let token = server.token("late").await;
    let welcome = silent[0]
        .request(Request::Hello(Hello {
            client_version: "test/1".into(),
            token: Some(token),
            resume: None,
            last_notification: None,
        }))
        .await;
    assert!(matches!(welcome, ServerFrame::Reply { .. }), "{welcome:?}");
    assert!(
        TestClient::connect(server.public, Codec::Json, Auth::None)
            .await
            .is_ok()
    );
    let metrics = server.metrics().await;
    assert_eq!(
        metric(
            &metrics,
            "leapfrog_connects_total",
            &[("outcome", "unauthenticated_full")]
        ),
        Some(18.0)
    );
}

/// Opens a connection, sends `start`, then one byte of `rest` every 100 ms; returns the status of the
/// answer (if any) and how long it took.
async fn trickle(addr: SocketAddr, start: &str, rest: &str) -> (Option<u16>, Duration) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let started = Instant::now();
    stream.write_all(start.as_bytes()).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let rest = rest.as_bytes().to_vec();
    let trickling = tokio::spawn(async move {
        for byte in rest {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if writer.write_all(&[byte]).await.is_err() {
                return;
            }
        }
        // Then hold the connection open without a word.
        tokio::time::sleep(WAIT).await;
    });
    let mut response = Vec::new();
    let _ = tokio::time::timeout(WAIT, reader.read_to_end(&mut response)).await;
    trickling.abort();
    let text = String::from_utf8_lossy(&response);
    let status = (!text.is_empty()).then(|| crate::support::status_and_body(&text).0);
    (status, started.elapsed())
}

#[tokio::test]
async fn trickled_headers_and_bodies_are_cut_off() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(
        &redis,
        &[
            "--http-read-timeout-ms",
            "500",
            "--admin-secret",
            "admin-secret-for-the-red-team-of-32-bytes",
        ],
    )
    .await;
    let body = r#"{"player":"slowpoke","ttl_seconds":60}"#;
    let head = format!(
        "POST /dev/token HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let (status, took) = trickle(server.public, &head, body).await;
    assert_eq!(status, Some(408), "a body trickled past the read timeout");
    assert!(took < Duration::from_secs(3), "{took:?}");

    let import = r#"{"friends":["a","b","c","d","e","f","g","h"]}"#;
    let head = format!(
        "PUT /admin/v1/players/slow/friends HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer admin-secret-for-the-red-team-of-32-bytes\r\nContent-Length: {}\r\n\r\n",
        import.len()
    );
    let (status, took) = trickle(server.admin, &head, import).await;
    assert_eq!(status, Some(408), "the admin import too");
    assert!(took < Duration::from_secs(3), "{took:?}");

    // Headers trickled past the timeout: the connection is closed.
    let (_, took) = trickle(
        server.public,
        "GET /healthz HTTP/1.1\r\n",
        "Host: a-very-slow-client.example\r\n\r\n",
    )
    .await;
    assert!(took < Duration::from_secs(3), "{took:?}");
}

#[tokio::test]
async fn a_flood_of_bad_hellos_is_refused_then_closed() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &["--hello-timeout-ms", "60000"]).await;
    let mut client = TestClient::connect(server.public, Codec::Bincode, Auth::None)
        .await
        .unwrap();
    for id in 0..100 {
        let wire = Codec::Bincode
            .encode_client(&ClientFrame {
                id: RequestId(id),
                request: Request::Hello(Hello {
                    client_version: "test/1".into(),
                    token: Some(format!("forged.{id}.token")),
                    resume: None,
                    last_notification: None,
                }),
            })
            .unwrap();
        client.send_wire(wire).await;
    }
    let closed = client.closed().await;
    assert_eq!(closed.code, Some(1008), "closed as abuse: {closed:?}");
    let unauthorized = closed
        .frames_before
        .iter()
        .filter(|frame| {
            matches!(
                frame,
                ServerFrame::Error {
                    code: ErrorCode::Unauthorized,
                    ..
                }
            )
        })
        .count();
    assert!(
        (1..=10).contains(&unauthorized),
        "only the small unauthenticated bucket's worth of tokens is checked: {unauthorized}"
    );
}

#[tokio::test]
async fn upgrades_from_one_address_are_limited_when_configured() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(
        &redis,
        &[
            "--upgrades-per-ip-per-second",
            "1",
            "--upgrades-per-ip-burst",
            "3",
        ],
    )
    .await;
    let token = server.token("many").await;
    let mut refused = 0;
    let mut open = Vec::new();
    for _ in 0..8 {
        match TestClient::connect(server.public, Codec::Json, Auth::Header(&token)).await {
            Ok(client) => open.push(client),
            Err(error) => {
                assert!(error.to_string().contains("429"), "{error}");
                refused += 1;
            }
        }
    }
    assert!(refused >= 4, "{refused} of 8 refused");
    let metrics = server.metrics().await;
    assert_eq!(
        metric(
            &metrics,
            "leapfrog_connects_total",
            &[("outcome", "address_rate_limited")]
        ),
        Some(f64::from(refused))
    );
}

#[tokio::test]
async fn every_players_remainder_is_counted_in_a_few_requests() {
    let redis = TestRedis::start().await;
    // A batch is a tenth of 100 × 10 s + 100 messages: a few pings never fill one, so only the node's
    // periodic flush counts them.
    let server =
        TestServer::start(&redis, &["--rate-per-second", "100", "--rate-burst", "100"]).await;
    let window = leapfrog_core::budget::MessageBudget::window_of(leapfrog_core::clock::unix_ms());
    let players: Vec<String> = (0..30).map(|n| format!("p{n}")).collect();
    let mut clients = Vec::new();
    for player in &players {
        let mut client = server.client(Codec::Bincode, player).await;
        assert_eq!(ping_flood(&mut client, 3).await, (3, 0));
        clients.push(client);
    }
    // Within two flush intervals (2 s each) every remainder reaches Redis: waited for (up to WAIT, on a
    // busy machine), then checked player by player.
    let mut connection = redis.connection().await;
    let flushed = tokio::time::Instant::now();
    while counted_messages(&mut connection, &players, window).await < 3 * players.len() as u64 {
        assert!(
            flushed.elapsed() < WAIT,
            "the remainders never reached Redis"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for player in &players {
        let mut counted = 0;
        for window in [window, window + 1] {
            let key = budget_key(player, window);
            let count: Option<u64> = redis::cmd("GET")
                .arg(&key)
                .query_async(&mut connection)
                .await
                .expect("GET answers");
            let expiry: i64 = redis::cmd("PTTL")
                .arg(&key)
                .query_async(&mut connection)
                .await
                .expect("PTTL answers");
            assert!(count.is_none() || expiry > 0, "{key} expires: {expiry}");
            counted += count.unwrap_or(0);
        }
        assert_eq!(counted, 3, "{player}'s pings");
    }
    // On one Redis the node flushes its players in 20 slices, each in one request here: not one request
    // per player (a slice flushed while its players were still pinging may take a second). On a
    // cluster each player's counter is its own slot, so each is its own request.
    if redis.is_cluster() {
        return;
    }
    let requests = budget_requests(&server).await;
    assert!(
        (1.0..=25.0).contains(&requests),
        "{requests} requests for 30 players"
    );
}

/// The messages Redis counted for `players` in `window` and the next.
async fn counted_messages(
    connection: &mut crate::support::redis::TestConnection,
    players: &[String],
    window: u64,
) -> u64 {
    let mut counted = 0;
    for player in players {
        for window in [window, window + 1] {
            let count: Option<u64> = redis::cmd("GET")
                .arg(budget_key(player, window))
                .query_async(connection)
                .await
                .expect("GET answers");
            counted += count.unwrap_or(0);
        }
    }
    counted
}

/// The key of `player`'s message count in budget window `window`, as the node names it.
fn budget_key(player: &str, window: u64) -> String {
    leapfrog_core::store::keys::message_budget(&PlayerId::new(player).expect("a player id"), window)
}

/// A client that sends requests but never reads the answers fills its receive window and the node's
/// send buffer; the node's write then waits, and once it has waited `--write-timeout-ms` the node
/// closes the connection as not reading instead of holding it (and its answers) any longer. Another
/// player is served meanwhile and after.
#[tokio::test]
async fn a_client_that_stops_reading_is_closed_as_not_reading() {
    let redis = TestRedis::start().await;
    let options = [&MACHINE_SPEED[..], &["--write-timeout-ms", "300"]].concat();
    let server = TestServer::start(&redis, &options).await;
    let token = server.token("deaf").await;
    let subprotocol = "leapfrog.v1.json";
    let (status, mut deaf) = RawSocket::connect_sending(
        server.public,
        subprotocol,
        Some(&token),
        "",
        &[],
        Some(1024),
    )
    .await;
    assert_eq!(status, 101, "the upgrade is accepted");
    let mut bystander = server.client(Codec::Bincode, "bystander").await;
    let hundred_pings = RawFrame::text(r#"{"id":1,"request":{"ping":{"client_time_ms":1}}}"#)
        .encode()
        .repeat(100);
    // Each ping's answer is about 60 bytes: the buffers fill after some thousands, and the node stops
    // reading once its write waits. The sending ends when the node closes (or stops reading for good).
    // It is bounded by time, not by a count: the node's receive buffer may grow to tens of megabytes
    // (`tcp_rmem`) and take many pings the node never reads before its write timeout closes it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut sent = 0u64;
    while deaf.try_send_bytes(&hundred_pings).await {
        sent += 100;
        assert!(
            tokio::time::Instant::now() < deadline,
            "the node still took pings after {sent} to a client that reads nothing"
        );
    }
    server
        .metrics_once(
            "leapfrog_disconnects_total",
            &[("reason", "not_reading")],
            1.0,
        )
        .await;
    assert!(matches!(
        bystander.request(ping()).await,
        ServerFrame::Reply {
            response: Response::Pong(_),
            ..
        }
    ));
}
