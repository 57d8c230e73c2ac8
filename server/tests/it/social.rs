//! Friends, leaderboards and "a friend passed you" over real WebSocket connections, the HTTP read API
//! and the admin import, against a real Redis; one test runs two server processes on one Redis.

use crate::support;
use std::time::Duration;

use crate::support::{TestClient, TestRedis, TestServer, http_with, metric};
use protocol::*;

const ADMIN: &str = "admin-secret-for-tests-of-32-bytes-or-more";

/// Machine-speed play, the admin API, and a short coalescing window.
fn options() -> Vec<&'static str> {
    [
        &support::MACHINE_SPEED[..],
        &["--admin-secret", ADMIN, "--coalesce-window-ms", "1500"],
    ]
    .concat()
}

/// Score of a run of `centre_hits` centre hits, then a fall: 2 + 4 + ... (each capped at 32).
fn score_of(centre_hits: u32) -> u32 {
    (1..=centre_hits).map(|n| (2 * n).min(32)).sum()
}

async fn hello(client: &mut TestClient) -> Welcome {
    support::hello(client, None).await
}

/// Plays a run of `centre_hits` centre hits then a fall, and returns how it ended.
async fn play_score(client: &mut TestClient, centre_hits: u32) -> RunOver {
    match support::play_centre_hits(client, centre_hits).await {
        RunEnd::Over(over) => {
            assert_eq!(over.final_score, score_of(centre_hits));
            over
        }
        other => panic!("expected the run to be over, got {other:?}"),
    }
}

async fn import(server: &TestServer, player: &str, friends: &[&str]) -> (u16, String) {
    let body = serde_json::json!({ "friends": friends }).to_string();
    http_with(
        server.admin,
        "PUT",
        &format!("/admin/v1/players/{player}/friends"),
        ADMIN,
        &body,
    )
    .await
    .unwrap()
}

fn friend_passed(push: Option<Push>) -> (NotificationId, PlayerId, u32, u32) {
    match push {
        Some(Push::Notification(Notification {
            id,
            event:
                Event::FriendPassed {
                    friend,
                    their_score,
                    your_score,
                    board,
                    ..
                },
            ..
        })) => {
            assert_eq!(
                board,
                Board {
                    period: Period::Weekly,
                    scope: Scope::Friends
                }
            );
            (id, friend, their_score, your_score)
        }
        other => panic!("expected a friend_passed notification, got {other:?}"),
    }
}

async fn read_board(
    client: &mut TestClient,
    period: Period,
    scope: Scope,
    window: BoardWindow,
) -> BoardPage {
    match client
        .request(Request::ReadBoard(ReadBoard {
            board: Board { period, scope },
            window,
        }))
        .await
    {
        ServerFrame::Reply {
            response: Response::Board(page),
            ..
        } => page,
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_pass_is_listed_pushed_live_and_kept_until_acknowledged() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options()).await;
    assert_eq!(import(&server, "alice", &["bob", "carol"]).await.0, 200);

    let mut bob = server.client(Codec::Bincode, "bob").await;
    hello(&mut bob).await;
    play_score(&mut bob, 2).await;

    // Carol plays, then goes offline.
    let mut carol = server.client(Codec::Json, "carol").await;
    play_score(&mut carol, 1).await;
    carol.disconnect().await;

    let mut alice = server.client(Codec::Json, "alice").await;
    let over = play_score(&mut alice, 3).await;
    assert_eq!(over.passed_count, 2);
    let mut passed: Vec<(&str, u32)> = over
        .passed
        .iter()
        .map(|p| (p.player.as_str(), p.score))
        .collect();
    passed.sort();
    assert_eq!(passed, [("bob", score_of(2)), ("carol", score_of(1))]);
    assert_eq!(
        (over.friend_rank_before, over.friend_rank_after),
        (None, Some(1))
    );
    assert_eq!(
        over.new_best,
        NewBest {
            daily: true,
            weekly: true,
            all_time: true
        }
    );
    // Each of the three runs was a first weekly best, which its start expected: each end read the
    // friend list ahead, and each recording used it. A worse run reads none.
    let read_ahead = |metrics: &str| {
        ["used", "unused"].map(|kind| {
            let name = format!("leapfrog_friend_lists_read_ahead_{kind}_total");
            metric(metrics, &name, &[]).unwrap_or(-1.0)
        })
    };
    assert_eq!(read_ahead(&server.metrics().await), [3.0, 0.0]);
    let mut alice_again = server.client(Codec::Json, "alice").await;
    play_score(&mut alice_again, 1).await;
    assert_eq!(read_ahead(&server.metrics().await), [3.0, 0.0]);
    alice_again.disconnect().await;

    // Bob, connected, hears it live.
    let (id, friend, theirs, yours) = friend_passed(bob.next_push().await);
    assert_eq!(
        (friend.as_str(), theirs, yours),
        ("alice", score_of(3), score_of(2))
    );

    // Without an ack it comes again after a reconnect.
    bob.disconnect().await;
    let mut bob = server.client(Codec::Bincode, "bob").await;
    hello(&mut bob).await;
    assert_eq!(friend_passed(bob.next_push().await).0, id);

    // Carol was offline: it waited in her inbox.
    let mut carol = server.client(Codec::Json, "carol").await;
    hello(&mut carol).await;
    assert_eq!(friend_passed(carol.next_push().await).1.as_str(), "alice");

    // Acknowledged, it never comes again.
    match bob
        .request(Request::AckNotifications(AckNotifications { up_to: id }))
        .await
    {
        ServerFrame::Reply {
            response: Response::Acked { up_to },
            ..
        } => assert_eq!(up_to, id),
        other => panic!("{other:?}"),
    }
    bob.disconnect().await;
    let mut bob = server.client(Codec::Bincode, "bob").await;
    hello(&mut bob).await;
    bob.request(Request::Ping(Ping { client_time_ms: 0 })).await;
    assert_eq!(
        bob.stashed_pushes(),
        0,
        "an acknowledged notification is not delivered again"
    );
    match bob
        .request(Request::ListNotifications(ListNotifications {
            after: None,
            limit: 10,
        }))
        .await
    {
        ServerFrame::Reply {
            response: Response::Notifications(page),
            ..
        } => assert!(page.notifications.is_empty()),
        other => panic!("{other:?}"),
    }

    let metrics = server.metrics().await;
    assert_eq!(
        metric(&metrics, "leapfrog_notifications_acked_total", &[]),
        Some(1.0)
    );
    assert!(
        metric(
            &metrics,
            "leapfrog_notification_delivery_seconds_count",
            &[]
        )
        .unwrap_or(0.0)
            >= 1.0
    );
}

#[tokio::test]
async fn a_pass_reaches_a_friend_connected_to_another_node() {
    let redis = TestRedis::start().await;
    let first = TestServer::start(&redis, &options()).await;
    let second = TestServer::start(&redis, &options()).await;
    assert_eq!(import(&first, "alice", &["bob"]).await.0, 200);
    let mut bob = second.client(Codec::Bincode, "bob").await;
    hello(&mut bob).await;
    play_score(&mut bob, 1).await;
    let mut alice = first.client(Codec::Bincode, "alice").await;
    play_score(&mut alice, 2).await;
    let (_, friend, theirs, _) = friend_passed(bob.next_push().await);
    assert_eq!((friend.as_str(), theirs), ("alice", score_of(2)));
    // Counted once Redis answers the publish, which may be after Bob has the push.
    let metrics = first
        .metrics_once(
            "leapfrog_notifications_pushed_total",
            &[("route", "remote")],
            1.0,
        )
        .await;
    assert_eq!(
        metric(
            &metrics,
            "leapfrog_notifications_pushed_total",
            &[("route", "remote")]
        ),
        Some(1.0)
    );
}

#[tokio::test]
async fn a_tie_does_not_pass_and_ties_rank_by_time() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options()).await;
    assert_eq!(import(&server, "zed", &["amy"]).await.0, 200);
    // amy reaches 12 first; zed reaches 12 more than a second later (times are kept in whole seconds).
    let mut amy = server.client(Codec::Bincode, "amy").await;
    play_score(&mut amy, 3).await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let mut zed = server.client(Codec::Bincode, "zed").await;
    let over = play_score(&mut zed, 3).await;
    assert_eq!(over.passed_count, 0, "a tie does not pass");
    assert_eq!(over.friend_rank_after, Some(2));
    let page = read_board(
        &mut zed,
        Period::Weekly,
        Scope::Friends,
        BoardWindow::Top {
            limit: 10,
            after: None,
        },
    )
    .await;
    let order: Vec<&str> = page
        .entries
        .iter()
        .map(|entry| entry.player.as_str())
        .collect();
    assert_eq!(
        order,
        ["amy", "zed"],
        "the earlier of equal scores ranks first"
    );
    assert!(page.entries[0].reached_at_ms < page.entries[1].reached_at_ms);
    let global = read_board(
        &mut zed,
        Period::AllTime,
        Scope::Global,
        BoardWindow::Top {
            limit: 10,
            after: None,
        },
    )
    .await;
    assert_eq!(
        global
            .entries
            .iter()
            .map(|e| e.player.as_str())
            .collect::<Vec<_>>(),
        ["amy", "zed"]
    );
}

#[tokio::test]
async fn a_burst_of_passes_is_coalesced_into_one_summary() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options()).await;
    let passers = ["p1", "p2", "p3", "p4"];
    assert_eq!(import(&server, "dora", &passers).await.0, 200);
    let mut dora = server.client(Codec::Json, "dora").await;
    hello(&mut dora).await;
    play_score(&mut dora, 1).await;
    for (index, passer) in passers.iter().enumerate() {
        let mut client = server.client(Codec::Bincode, passer).await;
        client
            .request(Request::SetDisplayName(SetDisplayName {
                name: DisplayName::new(format!("Passer {index}")).unwrap(),
            }))
            .await;
        play_score(&mut client, 2 + index as u32).await;
    }
    let (_, first, _, _) = friend_passed(dora.next_push().await);
    assert_eq!(first.as_str(), "p1");
    match dora.next_push().await {
        Some(Push::Notification(Notification {
            event:
                Event::FriendsPassedSummary {
                    count,
                    names,
                    best_score,
                    your_score,
                    ..
                },
            ..
        })) => {
            assert_eq!(count, 3);
            assert_eq!(
                names.iter().map(DisplayName::as_str).collect::<Vec<_>>(),
                ["Passer 1", "Passer 2", "Passer 3"]
            );
            assert_eq!((best_score, your_score), (score_of(5), score_of(1)));
        }
        other => panic!("expected one summary, got {other:?}"),
    }
    match dora
        .request(Request::ListNotifications(ListNotifications {
            after: None,
            limit: 10,
        }))
        .await
    {
        ServerFrame::Reply {
            response: Response::Notifications(page),
            ..
        } => assert_eq!(page.notifications.len(), 2),
        other => panic!("{other:?}"),
    }
    let metrics = server.metrics().await;
    assert_eq!(
        metric(&metrics, "leapfrog_notifications_coalesced_total", &[]),
        Some(3.0)
    );
}

#[tokio::test]
async fn a_window_nothing_is_coalesced_into_is_not_flushed() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options()).await;
    assert_eq!(import(&server, "gus", &["hal"]).await.0, 200);
    let mut gus = server.client(Codec::Bincode, "gus").await;
    hello(&mut gus).await;
    play_score(&mut gus, 1).await;
    let mut hal = server.client(Codec::Bincode, "hal").await;
    play_score(&mut hal, 2).await;
    let (_, passer, _, _) = friend_passed(gus.next_push().await);
    assert_eq!(passer.as_str(), "hal");
    // The pass opened a window (1.5 s); nothing joined it, so nothing flushes it.
    let flushes_before = flushes(&server).await;
    tokio::time::sleep(Duration::from_millis(2_000)).await;
    assert_eq!(flushes(&server).await, flushes_before);
}

/// How many coalescing windows the server has flushed (its `inbox_flush` operations).
async fn flushes(server: &TestServer) -> f64 {
    let metrics = server.metrics().await;
    metrics
        .lines()
        .filter(|line| {
            line.starts_with("leapfrog_redis_command_duration_seconds_count{")
                && line.contains(r#"op="inbox_flush""#)
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test]
async fn friend_requests_blocks_and_the_admin_import() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options()).await;
    let mut ann = server.client(Codec::Json, "ann").await;
    let mut ben = server.client(Codec::Bincode, "ben").await;
    hello(&mut ben).await;
    let ask = |player: &str| OtherPlayer {
        player: PlayerId::new(player).unwrap(),
    };
    let social = |frame: ServerFrame| match frame {
        ServerFrame::Reply {
            response: Response::Social(change),
            ..
        } => change,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        social(ann.request(Request::SendFriendRequest(ask("ben"))).await),
        SocialChange::RequestSent
    );
    match ben.next_push().await {
        Some(Push::Notification(Notification {
            event: Event::FriendRequestReceived { from, .. },
            ..
        })) => assert_eq!(from.as_str(), "ann"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        social(ben.request(Request::AcceptFriendRequest(ask("ann"))).await),
        SocialChange::BecameFriends
    );
    match ann.next_push().await {
        Some(Push::Notification(Notification {
            event: Event::FriendRequestAccepted { by, .. },
            ..
        })) => assert_eq!(by.as_str(), "ben"),
        other => panic!("{other:?}"),
    }
    match ann
        .request(Request::ListFriends(ListFriends {
            after: None,
            limit: 10,
        }))
        .await
    {
        ServerFrame::Reply {
            response: Response::Friends(page),
            ..
        } => {
            assert_eq!(
                page.friends
                    .iter()
                    .map(|card| card.player.as_str())
                    .collect::<Vec<_>>(),
                ["ben"]
            );
        }
        other => panic!("{other:?}"),
    }

    // Ben blocks Ann: the friendship ends, she cannot ask again, and she no longer sees him.
    play_score(&mut ben, 2).await;
    assert_eq!(
        social(ben.request(Request::Block(ask("ann"))).await),
        SocialChange::Blocked
    );
    let refused = ann.request(Request::SendFriendRequest(ask("ben"))).await;
    assert!(
        matches!(
            refused,
            ServerFrame::Error {
                code: ErrorCode::Forbidden,
                ..
            }
        ),
        "{refused:?}"
    );
    let global = read_board(
        &mut ann,
        Period::AllTime,
        Scope::Global,
        BoardWindow::Top {
            limit: 10,
            after: None,
        },
    )
    .await;
    assert!(
        global
            .entries
            .iter()
            .all(|entry| entry.player.as_str() != "ben")
    );
    match ann
        .request(Request::ListFriends(ListFriends {
            after: None,
            limit: 10,
        }))
        .await
    {
        ServerFrame::Reply {
            response: Response::Friends(page),
            ..
        } => assert_eq!(page.total, 0),
        other => panic!("{other:?}"),
    }

    // The import sets exactly the given list, both ways, and is idempotent.
    assert_eq!(
        import(&server, "cat", &["dan", "eve"]).await,
        (200, r#"{"added":2,"removed":0}"#.into())
    );
    assert_eq!(
        import(&server, "cat", &["dan", "eve"]).await,
        (200, r#"{"added":0,"removed":0}"#.into())
    );
    assert_eq!(
        import(&server, "cat", &["eve"]).await,
        (200, r#"{"added":0,"removed":1}"#.into())
    );
    let mut dan = server.client(Codec::Json, "dan").await;
    match dan
        .request(Request::ListFriends(ListFriends {
            after: None,
            limit: 10,
        }))
        .await
    {
        ServerFrame::Reply {
            response: Response::Friends(page),
            ..
        } => assert_eq!(page.total, 0, "removed both ways"),
        other => panic!("{other:?}"),
    }
    let wrong = http_with(
        server.admin,
        "PUT",
        "/admin/v1/players/cat/friends",
        "wrong",
        r#"{"friends":[]}"#,
    )
    .await
    .unwrap();
    assert_eq!(wrong.0, 401);
}

#[tokio::test]
async fn a_five_thousand_friend_board_and_the_http_read_api() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options()).await;
    let friends: Vec<String> = (0..5_000).map(|i| format!("f{i:04}")).collect();
    let refs: Vec<&str> = friends.iter().map(String::as_str).collect();
    assert_eq!(
        import(&server, "star", &refs).await,
        (200, r#"{"added":5000,"removed":0}"#.into())
    );
    // Seed the friends' weekly scores straight into Redis: friend i scored i.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let slot = leapfrog_core::leaderboards::PeriodRules::default().slot(Period::Weekly, now_ms);
    let mut connection = redis.connection().await;
    for (i, friend) in friends.iter().enumerate() {
        // A minute ago, so a friend with the star's score reached it first.
        let packed = leapfrog_core::leaderboards::score::encode(i as u32, now_ms - 60_000);
        let _: () = redis::cmd("ZADD")
            .arg(crate::support::board_key(&slot.id, friend))
            .arg(packed)
            .arg(friend)
            .query_async(&mut connection)
            .await
            .unwrap();
    }

    let mut star = server.client(Codec::Bincode, "star").await;
    let over = play_score(&mut star, 20).await; // 2+4+...+32, then 32 each: 400
    // Passes friends 0..=399; friend 400 tied earlier, so ranks above.
    assert_eq!(over.passed_count, 400);
    assert_eq!(over.passed.len(), 100);
    assert_eq!(over.friend_rank_after, Some(5_000 - 400 + 1));
    let top = read_board(
        &mut star,
        Period::Weekly,
        Scope::Friends,
        BoardWindow::Top {
            limit: 100,
            after: None,
        },
    )
    .await;
    assert_eq!(top.total, 5_001);
    assert_eq!((top.entries[0].rank, top.entries[0].score), (1, 4_999));
    assert_eq!(top.entries.len(), 100);
    let around = read_board(
        &mut star,
        Period::Weekly,
        Scope::Friends,
        BoardWindow::Around { radius: 2 },
    )
    .await;
    let middle = &around.entries[2];
    assert_eq!(
        (middle.player.as_str(), middle.rank, middle.score),
        ("star", 4_601, 400)
    );

    // The same board over HTTP with the same token.
    let token = server.token("star").await;
    let (status, body) = http_with(
        server.public,
        "GET",
        "/v1/leaderboards/weekly/friends?around=1",
        &token,
        "",
    )
    .await
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let page: BoardPage = serde_json::from_str(&body).unwrap();
    assert_eq!(
        page.entries.iter().map(|e| e.rank).collect::<Vec<_>>(),
        [4_600, 4_601, 4_602]
    );
    let (status, body) = http_with(server.public, "GET", "/v1/standing/friends", &token, "")
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    let standing: Standing = serde_json::from_str(&body).unwrap();
    assert_eq!(standing.placements[1].rank, Some(4_601));
    assert_eq!(
        http_with(
            server.public,
            "GET",
            "/v1/leaderboards/weekly/global",
            "",
            ""
        )
        .await
        .unwrap()
        .0,
        401
    );
    assert_eq!(
        http_with(
            server.public,
            "GET",
            "/v1/leaderboards/monthly/global",
            &token,
            ""
        )
        .await
        .unwrap()
        .0,
        404
    );
    let metrics = server.metrics().await;
    assert!(metric(&metrics, "leapfrog_friend_board_size_count", &[]).unwrap_or(0.0) >= 2.0);
}

#[tokio::test]
async fn a_flood_of_passes_reaches_a_busy_friend_without_closing_the_connection() {
    let redis = TestRedis::start().await;
    // A one-frame push queue: a burst cannot fit, so the connection must catch up from the inbox.
    let mut options = [&support::MACHINE_SPEED[..], &["--admin-secret", ADMIN]].concat();
    options.extend(["--outbound-queue", "1", "--coalesce-window-ms", "0"]);
    let server = TestServer::start(&redis, &options).await;
    let passers: Vec<String> = (0..6).map(|i| format!("rush{i}")).collect();
    let refs: Vec<&str> = passers.iter().map(String::as_str).collect();
    assert_eq!(import(&server, "eve", &refs).await.0, 200);
    let mut eve = server.client(Codec::Bincode, "eve").await;
    hello(&mut eve).await;
    play_score(&mut eve, 1).await;
    let mut clients = Vec::new();
    for passer in &passers {
        clients.push(server.client(Codec::Bincode, passer).await);
    }
    let runs: Vec<_> = clients
        .into_iter()
        .enumerate()
        .map(|(i, mut client)| {
            tokio::spawn(async move { play_score(&mut client, 2 + i as u32).await })
        })
        .collect();
    // Eve keeps her connection busy with a run of her own while the passes arrive.
    play_score(&mut eve, 1).await;
    for run in runs {
        assert_eq!(run.await.expect("the passer's run").passed_count, 1);
    }
    let mut seen = std::collections::BTreeSet::new();
    while seen.len() < passers.len() {
        let (id, _, _, _) = friend_passed(eve.next_push().await);
        seen.insert(id);
    }
    match eve.request(Request::Ping(Ping { client_time_ms: 0 })).await {
        ServerFrame::Reply {
            response: Response::Pong(_),
            ..
        } => {}
        other => panic!("the connection is still open and answering: {other:?}"),
    }
}

/// The friend board's score cache (`--friend-cache-ms`): a friend's best may be that old, never
/// older; the viewer's own best and a best recorded through the same node show at once; a second read
/// within the TTL asks Redis only for the viewer.
#[tokio::test]
async fn a_friend_board_shows_cached_bests_and_friends_at_most_the_cache_ttl_old() {
    let redis = TestRedis::start().await;
    let with_ttl = |ms: &'static str| [&options()[..], &["--friend-cache-ms", ms]].concat();
    // The reading node keeps bests for five seconds; the other node records.
    let reader = TestServer::start(&redis, &with_ttl("5000")).await;
    let other = TestServer::start(&redis, &options()).await;
    assert_eq!(import(&reader, "viv", &["fay", "gus"]).await.0, 200);
    let weekly_top = BoardWindow::Top {
        limit: 10,
        after: None,
    };
    let scores = |page: &BoardPage| -> Vec<(String, u32)> {
        page.entries
            .iter()
            .map(|entry| (entry.player.as_str().to_owned(), entry.score))
            .collect()
    };

    let mut fay = other.client(Codec::Bincode, "fay").await;
    play_score(&mut fay, 1).await;
    let mut viv = reader.client(Codec::Bincode, "viv").await;
    let first = read_board(&mut viv, Period::Weekly, Scope::Friends, weekly_top).await;
    assert_eq!(scores(&first), [("fay".to_owned(), score_of(1))]);

    // Read again at once: both friends come from the cache (fay's best, gus's absence).
    let before = reader.metrics().await;
    let misses = |metrics: &str| {
        metric(metrics, "leapfrog_friend_score_cache_misses_total", &[]).unwrap_or(0.0)
    };
    let hits = |metrics: &str| {
        metric(metrics, "leapfrog_friend_score_cache_hits_total", &[]).unwrap_or(0.0)
    };
    read_board(&mut viv, Period::Weekly, Scope::Friends, weekly_top).await;
    let after = reader.metrics().await;
    assert_eq!(misses(&after), misses(&before), "no friend read from Redis");
    assert_eq!(hits(&after) - hits(&before), 2.0);

    // The viewer's own new best shows at once, and so does a friend's recorded through this node.
    play_score(&mut viv, 2).await;
    let mut gus = reader.client(Codec::Bincode, "gus").await;
    play_score(&mut gus, 3).await;
    let fresh = read_board(&mut viv, Period::Weekly, Scope::Friends, weekly_top).await;
    assert_eq!(
        scores(&fresh),
        [
            ("gus".to_owned(), score_of(3)),
            ("viv".to_owned(), score_of(2)),
            ("fay".to_owned(), score_of(1)),
        ]
    );

    // A best recorded through another node shows once the cached one is older than the TTL.
    let improved = std::time::Instant::now();
    play_score(&mut fay, 4).await;
    let deadline = improved + Duration::from_secs(5) + support::WAIT;
    loop {
        let page = read_board(&mut viv, Period::Weekly, Scope::Friends, weekly_top).await;
        if page.entries[0].player.as_str() == "fay" {
            assert_eq!(page.entries[0].score, score_of(4));
            break;
        }
        assert_eq!(
            scores(&page)[2],
            ("fay".to_owned(), score_of(1)),
            "until then, the cached best"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "fay's new best never showed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The friend list is cached as long: a friend added through another node shows within the TTL.
    let mut hal = other.client(Codec::Bincode, "hal").await;
    play_score(&mut hal, 5).await;
    assert_eq!(import(&other, "viv", &["fay", "gus", "hal"]).await.0, 200);
    let added = std::time::Instant::now();
    loop {
        let page = read_board(&mut viv, Period::Weekly, Scope::Friends, weekly_top).await;
        if page.total == 4 {
            assert_eq!(page.entries[0].player.as_str(), "hal");
            break;
        }
        assert_eq!(page.total, 3, "until then, the cached friend list");
        assert!(
            added.elapsed() < Duration::from_secs(5) + support::WAIT,
            "hal never showed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
