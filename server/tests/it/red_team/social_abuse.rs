//! Attacks on the social graph: filling one's own lists past their caps, racing acceptances and imports
//! past the friend cap, asking players who never existed, and flooding one player's inbox with friend
//! requests (one stranger cycling request, block and unblock; many strangers at once).

use std::time::Duration;

use protocol::*;
use redis::AsyncCommands;

use crate::support::{MACHINE_SPEED, TestClient, TestRedis, TestServer, http_with, metric};

const ADMIN: &str = "admin-secret-for-the-red-team-of-32-bytes";

/// Machine-speed play (no message limit in the way), the admin API, and `extra`.
fn options<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    [&MACHINE_SPEED[..], &["--admin-secret", ADMIN], extra].concat()
}

fn other(player: &str) -> OtherPlayer {
    OtherPlayer {
        player: PlayerId::new(player).expect("a valid id"),
    }
}

/// Sends a social request and returns the change, or the error's code and message.
async fn social(
    client: &mut TestClient,
    request: Request,
) -> Result<SocialChange, (ErrorCode, String)> {
    match client.request(request).await {
        ServerFrame::Reply {
            response: Response::Social(change),
            ..
        } => Ok(change),
        ServerFrame::Error { code, message, .. } => Err((code, message)),
        other => panic!("expected a social answer, got {other:?}"),
    }
}

fn code<T>(result: Result<T, (ErrorCode, String)>) -> Result<T, ErrorCode> {
    result.map_err(|(code, _)| code)
}

async fn import(server: &TestServer, player: &str, friends: &[&str]) -> (u16, String) {
    let body = serde_json::json!({ "friends": friends }).to_string();
    let path = format!("/admin/v1/players/{player}/friends");
    http_with(server.admin, "PUT", &path, ADMIN, &body)
        .await
        .expect("the admin API answers")
}

/// Logs each of `players` in once, so they exist for friend requests, and waits until they are known.
async fn log_in_once(server: &TestServer, redis: &TestRedis, players: &[&str]) {
    let mut connection = redis.connection().await;
    for player in players {
        let client = server.client(Codec::Bincode, player).await;
        let key = format!("lf:{{p:{player}}}:seen");
        for _ in 0..200 {
            if connection.exists::<_, bool>(&key).await.expect("EXISTS") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(
            connection.exists::<_, bool>(&key).await.expect("EXISTS"),
            "{player} is known after logging in"
        );
        client.disconnect().await;
    }
}

/// The events in `player`'s inbox, oldest first.
async fn inbox(redis: &TestRedis, player: &str) -> Vec<Event> {
    let mut connection = redis.connection().await;
    let entries: Vec<(String, Vec<(String, String)>)> = redis::cmd("XRANGE")
        .arg(format!("lf:{{p:{player}}}:inbox"))
        .arg("-")
        .arg("+")
        .query_async(&mut connection)
        .await
        .expect("XRANGE");
    entries
        .into_iter()
        .filter_map(|(_, fields)| {
            let (_, json) = fields.into_iter().find(|(name, _)| name == "event")?;
            Some(serde_json::from_str(&json).expect("an event written by serde"))
        })
        .collect()
}

fn requests_from(events: &[Event], sender: &str) -> usize {
    events
        .iter()
        .filter(|event| {
            matches!(event, Event::FriendRequestReceived { from, .. } if from.as_str() == sender)
        })
        .count()
}

async fn caps_hit(server: &TestServer, cap: &str) -> f64 {
    metric(
        &server.metrics().await,
        "leapfrog_player_caps_hit_total",
        &[("cap", cap)],
    )
    .expect("every cap is exported from the start")
}

#[tokio::test]
async fn pending_requests_are_capped_and_withdrawing_one_makes_room() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options(&["--max-pending-requests", "3"])).await;
    assert_eq!(caps_hit(&server, "pending_requests").await, 0.0);
    log_in_once(&server, &redis, &["t0", "t1", "t2", "t3"]).await;
    let mut asker = server.client(Codec::Json, "asker").await;
    for target in ["t0", "t1", "t2"] {
        let sent = social(&mut asker, Request::SendFriendRequest(other(target))).await;
        assert_eq!(sent, Ok(SocialChange::RequestSent));
    }
    let refused = social(&mut asker, Request::SendFriendRequest(other("t3"))).await;
    assert_eq!(code(refused), Err(ErrorCode::Conflict));
    // Asking again someone already asked is not a new request.
    let again = social(&mut asker, Request::SendFriendRequest(other("t0"))).await;
    assert_eq!(again, Ok(SocialChange::RequestSent));
    let mut connection = redis.connection().await;
    let pending: usize = connection.hlen("lf:{p:asker}:req:out").await.unwrap();
    assert_eq!(pending, 3);

    // remove_friend withdraws a pending request, on both ends, and frees a place.
    let withdrawn = social(&mut asker, Request::RemoveFriend(other("t0"))).await;
    assert_eq!(withdrawn, Ok(SocialChange::Removed));
    let still_there: bool = connection
        .hexists("lf:{p:t0}:req:in", "asker")
        .await
        .unwrap();
    assert!(!still_there, "withdrawn on the recipient's end too");
    let sent = social(&mut asker, Request::SendFriendRequest(other("t3"))).await;
    assert_eq!(sent, Ok(SocialChange::RequestSent));
    assert_eq!(caps_hit(&server, "pending_requests").await, 1.0);
}

#[tokio::test]
async fn the_blocked_list_is_capped() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options(&["--max-blocked", "2"])).await;
    let mut blocker = server.client(Codec::Bincode, "blocker").await;
    for pest in ["pest0", "pest1"] {
        let blocked = social(&mut blocker, Request::Block(other(pest))).await;
        assert_eq!(blocked, Ok(SocialChange::Blocked));
    }
    let refused = social(&mut blocker, Request::Block(other("pest2"))).await;
    assert_eq!(code(refused), Err(ErrorCode::Conflict));
    // Blocking someone already blocked is allowed at the cap; unblocking makes room.
    let again = social(&mut blocker, Request::Block(other("pest0"))).await;
    assert_eq!(again, Ok(SocialChange::Blocked));
    let lifted = social(&mut blocker, Request::Unblock(other("pest1"))).await;
    assert_eq!(lifted, Ok(SocialChange::Unblocked));
    let blocked = social(&mut blocker, Request::Block(other("pest2"))).await;
    assert_eq!(blocked, Ok(SocialChange::Blocked));
    let mut connection = redis.connection().await;
    let count: usize = connection.scard("lf:{p:blocker}:blocked").await.unwrap();
    assert_eq!(count, 2);
    let refused_side: bool = connection.exists("lf:{p:pest1}:blocked-by").await.unwrap();
    assert!(!refused_side, "nothing of the lifted block is left");
    assert_eq!(caps_hit(&server, "blocks").await, 1.0);
}

#[tokio::test]
async fn requests_to_players_who_never_existed_are_refused_and_leave_no_key() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options(&[])).await;
    let mut asker = server.client(Codec::Json, "asker").await;
    for ghost in ["ghost", "nobody-at-all", "typo:alice"] {
        let refused = social(&mut asker, Request::SendFriendRequest(other(ghost))).await;
        assert_eq!(code(refused), Err(ErrorCode::NotFound), "{ghost}");
        let mut connection = redis.connection().await;
        let keys: Vec<String> = connection.keys(format!("lf:{{p:{ghost}}}*")).await.unwrap();
        assert!(keys.is_empty(), "no key for {ghost}: {keys:?}");
    }
    let mut connection = redis.connection().await;
    let pending: usize = connection.hlen("lf:{p:asker}:req:out").await.unwrap();
    assert_eq!(pending, 0);

    // A player the host app's import linked, who never logged in, exists; so does one who logged in.
    assert_eq!(import(&server, "host", &["linked-only"]).await.0, 200);
    let sent = social(&mut asker, Request::SendFriendRequest(other("linked-only"))).await;
    assert_eq!(sent, Ok(SocialChange::RequestSent));
    log_in_once(&server, &redis, &["real"]).await;
    let sent = social(&mut asker, Request::SendFriendRequest(other("real"))).await;
    assert_eq!(sent, Ok(SocialChange::RequestSent));
}

#[tokio::test]
async fn simultaneous_acceptances_cannot_pass_the_friend_cap() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(
        &redis,
        &options(&["--max-friends", "3", "--max-connections-per-player", "16"]),
    )
    .await;
    // The star has two friends and room for one more; ten players ask, and ten acceptances race.
    assert_eq!(import(&server, "star", &["f0", "f1"]).await.0, 200);
    let askers: Vec<String> = (0..10).map(|i| format!("asker{i}")).collect();
    for asker in &askers {
        let mut client = server.client(Codec::Bincode, asker).await;
        let sent = social(&mut client, Request::SendFriendRequest(other("star"))).await;
        assert_eq!(sent, Ok(SocialChange::RequestSent));
    }
    let mut connections = Vec::new();
    for _ in &askers {
        connections.push(server.client(Codec::Bincode, "star").await);
    }
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(askers.len()));
    let accepts: Vec<_> = connections
        .into_iter()
        .zip(askers.clone())
        .map(|(mut star, asker)| {
            let start = start.clone();
            tokio::spawn(async move {
                start.wait().await;
                code(social(&mut star, Request::AcceptFriendRequest(other(&asker))).await)
            })
        })
        .collect();
    let mut became = 0;
    for accept in accepts {
        match accept.await.expect("the acceptance task") {
            Ok(SocialChange::BecameFriends) => became += 1,
            Err(ErrorCode::Conflict) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(became, 1, "one place, one acceptance");
    let mut connection = redis.connection().await;
    let friends: Vec<String> = connection.hkeys("lf:{p:star}:friends").await.unwrap();
    assert_eq!(friends.len(), 3, "{friends:?}");
    for asker in &askers {
        let theirs: bool = connection
            .hexists(format!("lf:{{p:{asker}}}:friends"), "star")
            .await
            .unwrap();
        assert_eq!(theirs, friends.contains(asker), "{asker}: both sides agree");
    }
    assert!(caps_hit(&server, "friends").await >= 9.0);
}

#[tokio::test]
async fn the_admin_import_holds_the_friend_cap_on_both_sides() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options(&["--max-friends", "3"])).await;
    assert_eq!(
        import(&server, "popular", &["p0", "p1", "p2"]).await,
        (200, r#"{"added":3,"removed":0}"#.into())
    );
    // The fan's import would make the popular player's fourth friend: left out, and said so.
    assert_eq!(
        import(&server, "fan", &["popular", "x"]).await,
        (200, r#"{"added":1,"removed":0,"full":["popular"]}"#.into())
    );
    let mut connection = redis.connection().await;
    let popular: usize = connection.hlen("lf:{p:popular}:friends").await.unwrap();
    assert_eq!(popular, 3);
    let fan: Vec<String> = connection.hkeys("lf:{p:fan}:friends").await.unwrap();
    assert_eq!(fan, ["x"]);
    let (status, body) = import(&server, "greedy", &["a", "b", "c", "d"]).await;
    assert_eq!(status, 400, "{body}");
    assert!(caps_hit(&server, "friends").await >= 2.0);
}

#[tokio::test]
async fn request_block_unblock_cycles_neither_flood_nor_evict_the_inbox() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &options(&[])).await;
    log_in_once(&server, &redis, &["pal"]).await;
    let mut victim = server.client(Codec::Json, "victim").await;
    crate::support::hello(&mut victim, None).await;
    // The victim's real notification: a friend accepts their request.
    let sent = social(&mut victim, Request::SendFriendRequest(other("pal"))).await;
    assert_eq!(sent, Ok(SocialChange::RequestSent));
    let mut pal = server.client(Codec::Json, "pal").await;
    let accepted = social(&mut pal, Request::AcceptFriendRequest(other("victim"))).await;
    assert_eq!(accepted, Ok(SocialChange::BecameFriends));

    let mut attacker = server.client(Codec::Bincode, "attacker").await;
    let (mut sent, mut limited) = (0, 0);
    for _ in 0..130 {
        match code(social(&mut attacker, Request::SendFriendRequest(other("victim"))).await) {
            Ok(SocialChange::RequestSent) => sent += 1,
            Err(ErrorCode::RateLimited) => limited += 1,
            other => panic!("{other:?}"),
        }
        let blocked = social(&mut attacker, Request::Block(other("victim"))).await;
        assert_eq!(blocked, Ok(SocialChange::Blocked));
        let lifted = social(&mut attacker, Request::Unblock(other("victim"))).await;
        assert_eq!(lifted, Ok(SocialChange::Unblocked));
    }
    assert_eq!((sent, limited), (50, 80), "50 requests an hour by default");

    // Live, the victim heard of the attacker once, and of the friend once.
    let mut from_attacker = 0;
    let mut accepted_pushes = 0;
    while let Ok(Some(push)) =
        tokio::time::timeout(Duration::from_millis(500), victim.next_push()).await
    {
        match push {
            Push::Notification(Notification {
                event: Event::FriendRequestReceived { from, .. },
                ..
            }) if from.as_str() == "attacker" => from_attacker += 1,
            Push::Notification(Notification {
                event: Event::FriendRequestAccepted { .. },
                ..
            }) => accepted_pushes += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((from_attacker, accepted_pushes), (1, 1));
    let events = inbox(&redis, "victim").await;
    assert_eq!(requests_from(&events, "attacker"), 1, "{events:?}");
    assert!(
        events.iter().any(|event| matches!(
            event,
            Event::FriendRequestAccepted { by, .. } if by.as_str() == "pal"
        )),
        "the friend's notification is kept: {events:?}"
    );
    assert_eq!(caps_hit(&server, "friend_requests_per_hour").await, 80.0);
}

#[tokio::test]
async fn many_strangers_cannot_push_a_friends_notification_out_of_the_inbox() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(
        &redis,
        &options(&[
            "--inbox-max-len",
            "10",
            "--friend-requests-received-per-hour",
            "1000",
        ]),
    )
    .await;
    log_in_once(&server, &redis, &["pal"]).await;
    let mut victim = server.client(Codec::Json, "victim").await;
    let sent = social(&mut victim, Request::SendFriendRequest(other("pal"))).await;
    assert_eq!(sent, Ok(SocialChange::RequestSent));
    let mut pal = server.client(Codec::Json, "pal").await;
    let accepted = social(&mut pal, Request::AcceptFriendRequest(other("victim"))).await;
    assert_eq!(accepted, Ok(SocialChange::BecameFriends));
    victim.disconnect().await;

    let strangers: Vec<String> = (0..30).map(|i| format!("stranger{i}")).collect();
    for stranger in &strangers {
        let mut client = server.client(Codec::Bincode, stranger).await;
        let sent = social(&mut client, Request::SendFriendRequest(other("victim"))).await;
        assert_eq!(sent, Ok(SocialChange::RequestSent));
    }
    let events = inbox(&redis, "victim").await;
    let requests = strangers
        .iter()
        .map(|stranger| requests_from(&events, stranger))
        .sum::<usize>();
    assert!(
        events.len() <= 5,
        "requests fill at most half of the 10-entry inbox: {events:?}"
    );
    assert_eq!(requests, events.len() - 1);
    assert!(matches!(
        events.first(),
        Some(Event::FriendRequestAccepted { by, .. }) if by.as_str() == "pal"
    ));
    // Every request is pending all the same.
    let mut victim = server.client(Codec::Json, "victim").await;
    match victim.request(Request::ListFriendRequests).await {
        ServerFrame::Reply {
            response: Response::FriendRequests(requests),
            ..
        } => assert_eq!(requests.incoming.len(), strangers.len()),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        caps_hit(&server, "request_notifications").await,
        (strangers.len() - requests) as f64
    );
}

#[tokio::test]
async fn requests_to_one_player_are_limited_per_hour() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(
        &redis,
        &options(&["--friend-requests-received-per-hour", "5"]),
    )
    .await;
    log_in_once(&server, &redis, &["target"]).await;
    let mut connection = redis.connection().await;
    for i in 0..8 {
        let sender = format!("sender{i}");
        let mut client = server.client(Codec::Bincode, &sender).await;
        let result = social(&mut client, Request::SendFriendRequest(other("target"))).await;
        if i < 5 {
            assert_eq!(result, Ok(SocialChange::RequestSent));
        } else {
            let (code, message) = result.expect_err("past the target's hourly limit");
            assert_eq!(code, ErrorCode::RateLimited);
            assert!(message.contains("to this player"), "{message}");
            let kept: bool = connection
                .hexists(format!("lf:{{p:{sender}}}:req:out"), "target")
                .await
                .unwrap();
            assert!(!kept, "a refused request is taken back on the sender's end");
        }
    }
    assert_eq!(
        caps_hit(&server, "friend_requests_received_per_hour").await,
        3.0
    );
}
