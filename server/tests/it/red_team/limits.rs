//! One attack per class of limit in PROTOCOL.md's Limits table, each just past the limit (and at it):
//! client frames in both codecs, the token and `client_version` of `Hello`, player ids, display names,
//! jumps per `SubmitRun` chunk, page sizes and board windows (WebSocket and HTTP), lengths claimed past the
//! frame, and the server frame a page of the longest ids and names must fit. Each asserts a clean refusal
//! (an error naming the request, or the documented close) and that the connection, where it stays, and
//! a bystander keep being served. Frames the encoders would refuse to build are written byte by byte.

use protocol::limits::{MAX_CLIENT_FRAME_BYTES, MAX_TOKEN_BYTES};
use protocol::*;
use tokio_tungstenite::tungstenite::Message;

use crate::support::raw_ws::RawSocket;
use crate::support::{Auth, TestClient, TestRedis, TestServer, http_with, start_run};

const ADMIN: &str = "admin-secret-for-red-team-limits-tests";

/// bincode's variable-length integer (PROTOCOL.md section 4).
fn varint(value: u64) -> Vec<u8> {
    match value {
        0..=250 => vec![value as u8],
        251..=0xffff => [&[251u8][..], &(value as u16).to_le_bytes()].concat(),
        0x1_0000..=0xffff_ffff => [&[252u8][..], &(value as u32).to_le_bytes()].concat(),
        _ => [&[253u8][..], &value.to_le_bytes()].concat(),
    }
}

/// A bincode string: its length, then its bytes.
fn string(bytes: &[u8]) -> Vec<u8> {
    [varint(bytes.len() as u64), bytes.to_vec()].concat()
}

/// A bincode client frame: the request id, the request variant, its fields.
fn bincode_frame(id: u32, variant: u64, fields: &[u8]) -> Message {
    Message::Binary(
        [varint(id.into()), varint(variant), fields.to_vec()]
            .concat()
            .into(),
    )
}

/// Request variants (PROTOCOL.md section 3).
const HELLO: u64 = 0;
const SUBMIT_RUN: u64 = 5;
const SEND_FRIEND_REQUEST: u64 = 8;
const SET_DISPLAY_NAME: u64 = 14;

fn json_frame(id: u32, request: serde_json::Value) -> Message {
    Message::Text(
        serde_json::json!({ "id": id, "request": request })
            .to_string()
            .into(),
    )
}

/// Sends `message` and returns the answer to request `id`.
async fn answer(client: &mut TestClient, id: u32, message: Message) -> ServerFrame {
    client.send_raw(message).await;
    client.answer_to(RequestId(id)).await
}

#[track_caller]
fn assert_refused(frame: &ServerFrame, id: u32, code: ErrorCode) {
    match frame {
        ServerFrame::Error {
            id: Some(got),
            code: got_code,
            ..
        } if *got == RequestId(id) && *got_code == code => {}
        other => panic!("{code:?} for request {id} expected, got {other:?}"),
    }
}

/// A ping is answered on `client`.
async fn serves(client: &mut TestClient) {
    match client
        .request(Request::Ping(Ping { client_time_ms: 1 }))
        .await
    {
        ServerFrame::Reply {
            response: Response::Pong(_),
            ..
        } => {}
        other => panic!("still serving: {other:?}"),
    }
}

fn hello(client_version: String, token: Option<String>) -> Request {
    Request::Hello(Hello {
        client_version,
        token,
        resume: None,
        last_notification: None,
    })
}

#[tokio::test]
async fn client_frames_over_4_kib_close_with_1009_in_both_codecs() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &[]).await;
    let mut bystander = server.client(Codec::Bincode, "bystander").await;

    // bincode: a ping padded to exactly 4 KiB is read (and refused for its trailing bytes), one byte
    // more closes the connection.
    let mut client = server.client(Codec::Bincode, "big-binary").await;
    let mut frame = [varint(3), varint(1), varint(1)].concat();
    frame.resize(MAX_CLIENT_FRAME_BYTES, 0);
    assert_refused(
        &answer(&mut client, 3, Message::Binary(frame.clone().into())).await,
        3,
        ErrorCode::MalformedFrame,
    );
    serves(&mut client).await;
    frame.push(0);
    client.send_raw(Message::Binary(frame.into())).await;
    assert_eq!(client.closed().await.code, Some(1009));

    // JSON: a ping padded with spaces to exactly 4 KiB is answered, one byte more closes.
    let mut client = server.client(Codec::Json, "big-text").await;
    let mut text = r#"{"id":4,"request":{"ping":{"client_time_ms":1}}}"#.to_owned();
    text.push_str(&" ".repeat(MAX_CLIENT_FRAME_BYTES - text.len()));
    match answer(&mut client, 4, Message::Text(text.clone().into())).await {
        ServerFrame::Reply {
            response: Response::Pong(_),
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    text.push(' ');
    client.send_raw(Message::Text(text.into())).await;
    assert_eq!(client.closed().await.code, Some(1009));
    serves(&mut bystander).await;
}

#[tokio::test]
async fn hello_tokens_over_2_kib_and_client_versions_over_64_bytes_are_refused() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &[]).await;
    let mut client = TestClient::connect(server.public, Codec::Json, Auth::None)
        .await
        .unwrap();
    let at_limit = client
        .request(hello("v".into(), Some("t".repeat(MAX_TOKEN_BYTES))))
        .await;
    assert!(
        matches!(
            at_limit,
            ServerFrame::Error {
                code: ErrorCode::Unauthorized,
                ..
            }
        ),
        "2 KiB is read (and is no token): {at_limit:?}"
    );
    let over = client
        .request(hello("v".into(), Some("t".repeat(MAX_TOKEN_BYTES + 1))))
        .await;
    assert!(matches!(
        over,
        ServerFrame::Error {
            code: ErrorCode::BadRequest,
            ..
        }
    ));
    let (status, _) = RawSocket::try_connect(
        server.public,
        "leapfrog.v1.json",
        Some(&"t".repeat(MAX_TOKEN_BYTES + 1)),
        "",
    )
    .await;
    assert_eq!(status, 401);

    let token = server.token("versioned").await;
    let long = client
        .request(hello("v".repeat(65), Some(token.clone())))
        .await;
    assert!(matches!(
        long,
        ServerFrame::Error {
            code: ErrorCode::BadRequest,
            ..
        }
    ));
    match client.request(hello("v".repeat(64), Some(token))).await {
        ServerFrame::Reply {
            response: Response::Welcome(welcome),
            ..
        } => assert_eq!(welcome.player.as_str(), "versioned"),
        other => panic!("64 bytes of client_version are fine: {other:?}"),
    }
    serves(&mut client).await;
}

#[tokio::test]
async fn player_ids_and_display_names_out_of_bounds_are_malformed_in_both_codecs() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &[]).await;
    let mut bystander = server.client(Codec::Json, "bystander").await;
    let mut json = server.client(Codec::Json, "names-json").await;
    let mut binary = server.client(Codec::Bincode, "names-binary").await;

    // The byte-level builder writes what the encoder writes, so the refusals below are of the values.
    let valid = Codec::Bincode
        .encode_client(&ClientFrame {
            id: RequestId(9),
            request: Request::SetDisplayName(SetDisplayName {
                name: DisplayName::new("Ada").unwrap(),
            }),
        })
        .unwrap();
    assert_eq!(
        Message::Binary(match valid {
            WireFrame::Binary(bytes) => bytes.into(),
            WireFrame::Text(_) => unreachable!(),
        }),
        bincode_frame(9, SET_DISPLAY_NAME, &string(b"Ada"))
    );

    let bad_ids = [
        "a".repeat(65),
        String::new(),
        "bob smith".into(),
        "bob/evil".into(),
        "bob\u{202e}".into(),
    ];
    for (n, id) in bad_ids.iter().enumerate() {
        let request_id = 100 + n as u32;
        let frame = json_frame(
            request_id,
            serde_json::json!({"send_friend_request": {"player": id}}),
        );
        assert_refused(
            &answer(&mut json, request_id, frame).await,
            request_id,
            ErrorCode::MalformedFrame,
        );
        let frame = bincode_frame(request_id, SEND_FRIEND_REQUEST, &string(id.as_bytes()));
        assert_refused(
            &answer(&mut binary, request_id, frame).await,
            request_id,
            ErrorCode::MalformedFrame,
        );
    }
    // Requests go only to players who logged in once.
    let longest = "a".repeat(64);
    server
        .client(Codec::Json, &longest)
        .await
        .disconnect()
        .await;
    match answer(
        &mut binary,
        200,
        bincode_frame(200, SEND_FRIEND_REQUEST, &string(longest.as_bytes())),
    )
    .await
    {
        ServerFrame::Reply {
            response: Response::Social(SocialChange::RequestSent),
            ..
        } => {}
        other => panic!("a 64-byte id is fine: {other:?}"),
    }

    let bad_names = [
        "x".repeat(33),
        String::new(),
        "   ".into(),
        "\u{202e}gnp.exe".into(),
        "Ad\u{200b}a".into(),
        "\u{2066}Ada\u{2069}".into(),
        "\u{3164}".into(),
        "Ada\u{0007}".into(),
    ];
    for (n, name) in bad_names.iter().enumerate() {
        let request_id = 300 + n as u32;
        let frame = json_frame(
            request_id,
            serde_json::json!({"set_display_name": {"name": name}}),
        );
        assert_refused(
            &answer(&mut json, request_id, frame).await,
            request_id,
            ErrorCode::MalformedFrame,
        );
        let frame = bincode_frame(request_id, SET_DISPLAY_NAME, &string(name.as_bytes()));
        assert_refused(
            &answer(&mut binary, request_id, frame).await,
            request_id,
            ErrorCode::MalformedFrame,
        );
    }
    let longest = "😀".repeat(32);
    let frame = json_frame(
        400,
        serde_json::json!({"set_display_name": {"name": longest}}),
    );
    match answer(&mut json, 400, frame).await {
        ServerFrame::Reply {
            response: Response::Social(SocialChange::NameSet),
            ..
        } => {}
        other => panic!("32 characters are fine: {other:?}"),
    }
    serves(&mut json).await;
    serves(&mut binary).await;
    serves(&mut bystander).await;
}

#[tokio::test]
async fn submit_run_chunks_over_512_jumps_and_claimed_lengths_are_refused_before_allocating() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &[]).await;
    let mut bystander = server.client(Codec::Json, "bystander").await;
    let mut client = server.client(Codec::Bincode, "offline").await;
    let started = start_run(&mut client, StartMode::Offline).await;
    let chunk = |jumps: u64, claimed: u64| {
        let mut fields = started.run_id.as_bytes().to_vec();
        fields.extend(varint(0));
        fields.extend(varint(claimed));
        for _ in 0..jumps {
            fields.extend([varint(700), varint(300)].concat());
        }
        fields.push(1);
        fields
    };
    assert_refused(
        &answer(
            &mut client,
            10,
            bincode_frame(10, SUBMIT_RUN, &chunk(513, 513)),
        )
        .await,
        10,
        ErrorCode::MalformedFrame,
    );
    // A chunk claiming four billion jumps in a few bytes: refused, nothing allocated for them.
    assert_refused(
        &answer(
            &mut client,
            11,
            bincode_frame(11, SUBMIT_RUN, &chunk(1, u32::MAX.into())),
        )
        .await,
        11,
        ErrorCode::MalformedFrame,
    );
    // A string claiming four gigabytes.
    let huge = [varint(u32::MAX.into()), b"short".to_vec(), vec![0, 0, 0]].concat();
    assert_refused(
        &answer(&mut client, 12, bincode_frame(12, HELLO, &huge)).await,
        12,
        ErrorCode::MalformedFrame,
    );
    // 512 jumps are read, and the run is judged on them (it ends long before, at a fall).
    match answer(
        &mut client,
        13,
        bincode_frame(13, SUBMIT_RUN, &chunk(512, 512)),
    )
    .await
    {
        ServerFrame::Reply {
            response: Response::Submitted(_),
            ..
        }
        | ServerFrame::Error {
            code: ErrorCode::InvalidInput | ErrorCode::TooFast,
            ..
        } => {}
        other => panic!("512 jumps are decoded and judged: {other:?}"),
    }
    serves(&mut client).await;
    serves(&mut bystander).await;
}

#[tokio::test]
async fn page_sizes_and_board_windows_out_of_range_are_bad_requests_on_both_apis() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &[]).await;
    let mut client = server.client(Codec::Json, "pager").await;
    let board = Board {
        period: Period::Weekly,
        scope: Scope::Global,
    };
    let refused = [
        Request::ListFriends(ListFriends {
            after: None,
            limit: 0,
        }),
        Request::ListFriends(ListFriends {
            after: None,
            limit: 501,
        }),
        Request::ReadBoard(ReadBoard {
            board,
            window: BoardWindow::Top {
                limit: 0,
                after: None,
            },
        }),
        Request::ReadBoard(ReadBoard {
            board,
            window: BoardWindow::Top {
                limit: 101,
                after: None,
            },
        }),
        Request::ReadBoard(ReadBoard {
            board,
            window: BoardWindow::Around { radius: 51 },
        }),
        Request::ListNotifications(ListNotifications {
            after: None,
            limit: 0,
        }),
        Request::ListNotifications(ListNotifications {
            after: None,
            limit: 101,
        }),
    ];
    for request in refused {
        let what = format!("{request:?}");
        match client.request(request).await {
            ServerFrame::Error {
                code: ErrorCode::BadRequest,
                ..
            } => {}
            other => panic!("{what}: {other:?}"),
        }
    }
    let accepted = [
        Request::ListFriends(ListFriends {
            after: None,
            limit: 500,
        }),
        Request::ReadBoard(ReadBoard {
            board,
            window: BoardWindow::Top {
                limit: 100,
                after: None,
            },
        }),
        Request::ReadBoard(ReadBoard {
            board,
            window: BoardWindow::Around { radius: 50 },
        }),
        Request::ListNotifications(ListNotifications {
            after: None,
            limit: 100,
        }),
    ];
    for request in accepted {
        let what = format!("{request:?}");
        assert!(
            matches!(client.request(request).await, ServerFrame::Reply { .. }),
            "{what}"
        );
    }
    let token = server.token("pager").await;
    for (query, status) in [
        ("limit=0", 400),
        ("limit=101", 400),
        ("around=51", 400),
        ("limit=100", 200),
        ("around=50", 200),
    ] {
        let path = format!("/v1/leaderboards/weekly/global?{query}");
        let (got, body) = http_with(server.public, "GET", &path, &token, "")
            .await
            .unwrap();
        assert_eq!(got, status, "{query}: {body}");
    }
    serves(&mut client).await;
}

#[tokio::test]
async fn pages_of_the_longest_ids_and_names_fit_the_server_frame() {
    let redis = TestRedis::start().await;
    // One names shard: the unsharded key `lf:{names}`, written directly below.
    let server = TestServer::start(&redis, &["--admin-secret", ADMIN, "--board-shards", "1"]).await;
    // 500 friends and 500 incoming requests, each with a 64-byte id and 32 four-byte characters of name:
    // about 240 bytes a card in JSON, so a page of 500 would be 120 KB against a 64 KiB frame.
    let ids: Vec<String> = (0..500).map(|n| format!("{n:0>64}")).collect();
    let body = serde_json::json!({ "friends": ids }).to_string();
    let (status, answer) = http_with(
        server.admin,
        "PUT",
        "/admin/v1/players/popular/friends",
        ADMIN,
        &body,
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{answer}");
    let mut redis_connection = redis.connection().await;
    let name = "😀".repeat(32);
    for id in &ids {
        let _: () = redis::cmd("HSET")
            .arg("lf:{names}")
            .arg(id)
            .arg(&name)
            .query_async(&mut redis_connection)
            .await
            .unwrap();
        let requester = format!("r{}", &id[1..]);
        let _: () = redis::cmd("HSET")
            .arg("lf:{p:popular}:req:in")
            .arg(&requester)
            .arg(1_764_000_000_000u64)
            .query_async(&mut redis_connection)
            .await
            .unwrap();
    }
    for codec in [Codec::Json, Codec::Bincode] {
        let mut client = server.client(codec, "popular").await;
        let mut seen = std::collections::BTreeSet::new();
        let mut after = None;
        let mut pages = 0;
        loop {
            let request = Request::ListFriends(ListFriends {
                after: after.clone(),
                limit: 500,
            });
            match client.request(request).await {
                ServerFrame::Reply {
                    response: Response::Friends(page),
                    ..
                } => {
                    assert_eq!(page.total, 500);
                    pages += 1;
                    seen.extend(page.friends.iter().map(|card| card.player.clone()));
                    match page.next {
                        Some(next) => after = Some(next),
                        None => break,
                    }
                }
                other => panic!("{codec:?}: a page that fits, not {other:?}"),
            }
        }
        assert_eq!(seen.len(), 500, "{codec:?}: every friend, once");
        assert!(pages >= 2, "{codec:?}: {pages} pages");
        match client.request(Request::ListFriendRequests).await {
            ServerFrame::Reply {
                response: Response::FriendRequests(requests),
                ..
            } => assert!(
                requests.incoming.len() >= 120,
                "{}",
                requests.incoming.len()
            ),
            other => panic!("{codec:?}: requests that fit, not {other:?}"),
        }
        serves(&mut client).await;
    }
}
