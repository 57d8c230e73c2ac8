//! The session contract of PROTOCOL.md under pressure: the unacknowledged notifications reach a client
//! that authenticated in the handshake and never says hello; a hello while Redis is down still gets a
//! welcome, says what it skipped, and the catch-up follows by itself once Redis is back.

use std::time::Duration;

use protocol::*;

use crate::support::{
    Auth, MACHINE_SPEED, TestClient, TestRedis, TestServer, WAIT, hello, http, start_run,
};

fn friend_request_from(push: Option<Push>) -> (NotificationId, PlayerId) {
    match push {
        Some(Push::Notification(Notification {
            id,
            event: Event::FriendRequestReceived { from, .. },
            ..
        })) => (id, from),
        other => panic!("a friend request notification expected, got {other:?}"),
    }
}

async fn send_friend_request(from: &mut TestClient, to: &str) {
    let request = Request::SendFriendRequest(OtherPlayer {
        player: PlayerId::new(to).unwrap(),
    });
    match from.request(request).await {
        ServerFrame::Reply {
            response: Response::Social(SocialChange::RequestSent),
            ..
        } => {}
        other => panic!("{other:?}"),
    }
}

async fn ping(client: &mut TestClient) -> ServerFrame {
    client
        .request(Request::Ping(Ping { client_time_ms: 7 }))
        .await
}

#[tokio::test]
async fn a_client_authenticated_in_the_handshake_is_caught_up_without_hello() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &[]).await;
    // Bob logged in once (requests go only to known players), then went away.
    server
        .client(Codec::Bincode, "bob")
        .await
        .disconnect()
        .await;
    let mut alice = server.client(Codec::Json, "alice").await;
    send_friend_request(&mut alice, "bob").await;

    // Bob connects with a token in the handshake and sends nothing at all: the notification comes.
    let mut bob = server.client(Codec::Bincode, "bob").await;
    let (id, from) = friend_request_from(bob.next_push().await);
    assert_eq!(from.as_str(), "alice");
    // A hello afterwards does not send it again: one catch-up per authenticated connection.
    hello(&mut bob, None).await;
    ping(&mut bob).await;
    assert_eq!(bob.stashed_pushes(), 0, "caught up once");

    // A client without a handshake token gets it right after the welcome of the hello that
    // authenticates it.
    let token = server.token("bob").await;
    let mut browser = TestClient::connect(server.public, Codec::Json, Auth::None)
        .await
        .unwrap();
    let welcome = browser
        .request(Request::Hello(Hello {
            client_version: "test/1".into(),
            token: Some(token),
            resume: None,
            last_notification: None,
        }))
        .await;
    assert!(matches!(welcome, ServerFrame::Reply { .. }), "{welcome:?}");
    assert_eq!(friend_request_from(browser.next_push().await).0, id);
}

/// Waits until the node reports Redis unreachable (its health probe runs every 500 ms).
async fn wait_not_ready(server: &TestServer) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while let Ok((200, _)) = http(server.public, "GET", "/readyz", "").await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the node never noticed Redis was down"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_hello_while_redis_is_down_is_welcomed_and_caught_up_when_redis_is_back() {
    let mut redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &MACHINE_SPEED).await;
    let bob_token = server.token("bob").await;
    // Bob leaves a run going; then Alice asks him to be friends while he is away.
    let mut bob = server.client(Codec::Bincode, "bob").await;
    let run = start_run(&mut bob, StartMode::Solo).await;
    bob.disconnect().await;
    let mut alice = server.client(Codec::Json, "alice").await;
    send_friend_request(&mut alice, "bob").await;

    redis.stop().await;
    wait_not_ready(&server).await;

    let mut bob = TestClient::connect(server.public, Codec::Bincode, Auth::None)
        .await
        .unwrap();
    let answer = bob
        .request(Request::Hello(Hello {
            client_version: "test/1".into(),
            token: Some(bob_token),
            resume: Some(run.run_id),
            last_notification: None,
        }))
        .await;
    match &answer {
        ServerFrame::Reply {
            response: Response::Welcome(welcome),
            ..
        } => {
            assert_eq!(welcome.player.as_str(), "bob");
            assert_eq!(welcome.resumed, None, "the resume is skipped, not refused");
        }
        other => panic!("a welcome while Redis is down: {other:?}"),
    }
    match bob.next_frame().await {
        Some(ServerFrame::Error {
            id: None,
            code: ErrorCode::Unavailable,
            message,
        }) => assert!(message.contains("hello with resume again"), "{message}"),
        other => panic!("the welcome says what it skipped: {other:?}"),
    }
    // What needs no Redis works; what does is refused cleanly, and the connection stays.
    assert!(matches!(ping(&mut bob).await, ServerFrame::Reply { .. }));
    match bob
        .request(Request::StartRun(StartRun {
            mode: StartMode::Solo,
        }))
        .await
    {
        ServerFrame::Error {
            code: ErrorCode::Unavailable,
            ..
        } => {}
        other => panic!("{other:?}"),
    }

    redis.resume().await;
    server.wait_ready().await;
    // The catch-up skipped at authentication follows by itself.
    let (_, from) = friend_request_from(bob.next_push().await);
    assert_eq!(from.as_str(), "alice");
    // And the run resumes now.
    let welcome = hello(&mut bob, Some(run.run_id)).await;
    assert_eq!(
        welcome.resumed.map(|resumed| resumed.run_id),
        Some(run.run_id)
    );
}
