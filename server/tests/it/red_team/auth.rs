//! Tokens: every kind of bad token refused in the handshake (401) and in `hello` (`unauthorized`) while
//! the connection keeps working; RS256 and ES256 tokens of a login service that signs with a private key;
//! a fresh token extending a session; dev tokens that never pass for production ones.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use protocol::*;
use serde_json::json;

use crate::support::keys::{KeyKind, KeyPair};
use crate::support::raw_ws::RawSocket;
use crate::support::{Auth, TestClient, TestRedis, TestServer};

const SECRET: &str = "red-team-jwt-secret-of-at-least-32-bytes";
const ISSUER: &str = "login.example";
const AUDIENCE: &str = "leapfrog";

fn now() -> i64 {
    leapfrog_core::clock::unix_seconds() as i64
}

/// `claims` signed with `key` by `algorithm`.
fn sign(algorithm: Algorithm, key: &EncodingKey, claims: serde_json::Value) -> String {
    jsonwebtoken::encode(&Header::new(algorithm), &claims, key).expect("signs")
}

fn hs256(secret: &str, claims: serde_json::Value) -> String {
    sign(
        Algorithm::HS256,
        &EncodingKey::from_secret(secret.as_bytes()).unwrap(),
        claims,
    )
}

/// Valid claims for `player`, with `changes` merged in (a `null` removes a claim).
fn claims(player: &str, changes: serde_json::Value) -> serde_json::Value {
    let mut claims = json!({
        "sub": player, "exp": now() + 600, "iat": now(), "iss": ISSUER, "aud": AUDIENCE
    });
    for (key, value) in changes.as_object().expect("an object") {
        match value {
            serde_json::Value::Null => claims.as_object_mut().unwrap().remove(key),
            value => claims
                .as_object_mut()
                .unwrap()
                .insert(key.clone(), value.clone()),
        };
    }
    claims
}

/// A token with this header and payload JSON and this signature, as written.
fn forged(header: &str, payload: &serde_json::Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    )
}

/// The status of an upgrade presenting `token` in the header.
async fn handshake_status(server: &TestServer, token: &str) -> u16 {
    RawSocket::try_connect(server.public, "leapfrog.v1.json", Some(token), "")
        .await
        .0
}

fn hello(token: Option<String>) -> Request {
    Request::Hello(Hello {
        client_version: "red-team/1".into(),
        token,
        resume: None,
        last_notification: None,
    })
}

fn welcome_player(frame: &ServerFrame) -> Option<&str> {
    match frame {
        ServerFrame::Reply {
            response: Response::Welcome(welcome),
            ..
        } => Some(welcome.player.as_str()),
        _ => None,
    }
}

fn error_code(frame: &ServerFrame) -> Option<ErrorCode> {
    match frame {
        ServerFrame::Error { code, .. } => Some(*code),
        _ => None,
    }
}

#[tokio::test]
async fn every_kind_of_bad_token_is_refused_in_the_handshake_and_in_hello() {
    let redis = TestRedis::start().await;
    let server = TestServer::start_with(
        &redis,
        &[
            "--jwt-secret",
            SECRET,
            "--jwt-issuer",
            ISSUER,
            "--jwt-audience",
            AUDIENCE,
            "--jwt-leeway-seconds",
            "5",
        ],
    )
    .await;
    let good = || claims("mallory", json!({}));
    let refused: Vec<(&str, String)> = vec![
        (
            "expired",
            hs256(SECRET, claims("mallory", json!({"exp": now() - 60}))),
        ),
        (
            "not valid yet",
            hs256(SECRET, claims("mallory", json!({"nbf": now() + 600}))),
        ),
        (
            "issued in the future",
            hs256(SECRET, claims("mallory", json!({"iat": now() + 600}))),
        ),
        (
            "alg none",
            forged(r#"{"alg":"none","typ":"JWT"}"#, &good(), ""),
        ),
        (
            "alg HS512",
            sign(
                Algorithm::HS512,
                &EncodingKey::from_secret(SECRET.as_bytes()).unwrap(),
                good(),
            ),
        ),
        (
            "alg RS256 with an HMAC signature",
            forged(r#"{"alg":"RS256"}"#, &good(), "c2lnbmF0dXJl"),
        ),
        (
            "wrong key",
            hs256("another-secret-of-at-least-32-bytes!!", good()),
        ),
        (
            "wrong issuer",
            hs256(SECRET, claims("mallory", json!({"iss": "evil.example"}))),
        ),
        (
            "no issuer",
            hs256(SECRET, claims("mallory", json!({"iss": null}))),
        ),
        (
            "wrong audience",
            hs256(SECRET, claims("mallory", json!({"aud": ["shop"]}))),
        ),
        (
            "no audience",
            hs256(SECRET, claims("mallory", json!({"aud": null}))),
        ),
        (
            "bad subject",
            hs256(SECRET, claims("not a player id", json!({}))),
        ),
        ("not a JWT", "not-a-jwt".into()),
        ("two parts", "e30.e30".into()),
        ("not JSON", "bm90.anNvbg.c2ln".into()),
        (
            "exp as text",
            hs256(SECRET, claims("mallory", json!({"exp": "tomorrow"}))),
        ),
    ];
    // One connection per bad hello: before it authenticates a connection may send only a few messages
    // (the abuse limits), and each refusal must leave it able to authenticate.
    let unauthenticated = || async {
        TestClient::connect(server.public, Codec::Json, Auth::None)
            .await
            .unwrap()
    };
    for (what, token) in &refused {
        assert_eq!(handshake_status(&server, token).await, 401, "{what}");
        let answer = unauthenticated()
            .await
            .request(hello(Some(token.clone())))
            .await;
        assert_eq!(
            error_code(&answer),
            Some(ErrorCode::Unauthorized),
            "{what}: {answer:?}"
        );
    }
    // Oversized: refused in the handshake, and in hello by the protocol's 2 KiB limit.
    let oversized = format!("{}.{}", hs256(SECRET, good()), "x".repeat(2_100));
    assert_eq!(handshake_status(&server, &oversized).await, 401);
    let mut client = unauthenticated().await;
    assert_eq!(
        error_code(&client.request(hello(Some(oversized))).await),
        Some(ErrorCode::BadRequest)
    );
    // The same connection still authenticates with a good token; so does the handshake.
    let answer = client.request(hello(Some(hs256(SECRET, good())))).await;
    assert_eq!(welcome_player(&answer), Some("mallory"), "{answer:?}");
    assert_eq!(handshake_status(&server, &hs256(SECRET, good())).await, 101);
}

#[tokio::test]
async fn rs256_and_es256_tokens_verify_with_the_login_services_public_key() {
    let redis = TestRedis::start().await;
    for (kind, algorithm) in [
        (KeyKind::Rsa2048, Algorithm::RS256),
        (KeyKind::P256, Algorithm::ES256),
    ] {
        let keys = KeyPair::generate(kind);
        let server = TestServer::start_with(
            &redis,
            &[
                "--jwt-public-key-file",
                keys.public_file(),
                "--jwt-issuer",
                ISSUER,
                "--jwt-audience",
                AUDIENCE,
            ],
        )
        .await;
        let private = match kind {
            KeyKind::Rsa2048 => EncodingKey::from_rsa_pem(&keys.private_pem),
            _ => EncodingKey::from_ec_pem(&keys.private_pem),
        }
        .expect("a private key");
        let token = sign(algorithm, &private, claims("pat", json!({})));
        let mut client = TestClient::connect(server.public, Codec::Json, Auth::Header(&token))
            .await
            .unwrap_or_else(|error| panic!("{algorithm:?} accepted: {error}"));
        let answer = client.request(hello(None)).await;
        assert_eq!(welcome_player(&answer), Some("pat"), "{algorithm:?}");

        // Another key pair of the same kind: forged.
        let other = KeyPair::generate(kind);
        let other = match kind {
            KeyKind::Rsa2048 => EncodingKey::from_rsa_pem(&other.private_pem),
            _ => EncodingKey::from_ec_pem(&other.private_pem),
        }
        .unwrap();
        let forged = sign(algorithm, &other, claims("pat", json!({})));
        assert_eq!(
            handshake_status(&server, &forged).await,
            401,
            "{algorithm:?}"
        );
        // The public key used as an HMAC secret (the classic algorithm confusion): refused.
        let confused = sign(
            Algorithm::HS256,
            &EncodingKey::from_secret(&keys.public_pem).unwrap(),
            claims("pat", json!({})),
        );
        assert_eq!(
            handshake_status(&server, &confused).await,
            401,
            "{algorithm:?}"
        );
        // A valid signature without the configured issuer: refused.
        let no_issuer = sign(algorithm, &private, claims("pat", json!({"iss": null})));
        assert_eq!(handshake_status(&server, &no_issuer).await, 401);
    }
    // Keys the server cannot use stop it at start with the option named.
    let p384 = KeyPair::generate(KeyKind::P384);
    let error = TestServer::refuses_to_start(&["--jwt-public-key-file", p384.public_file()]).await;
    assert!(
        error.contains("jwt-public-key-file") && error.contains("P-256"),
        "{error}"
    );
    let private = std::env::temp_dir().join(format!("leapfrog-private-{}.pem", std::process::id()));
    std::fs::write(&private, &p384.private_pem).unwrap();
    let error =
        TestServer::refuses_to_start(&["--jwt-public-key-file", private.to_str().unwrap()]).await;
    let _ = std::fs::remove_file(&private);
    assert!(error.contains("private key"), "{error}");
}

#[tokio::test]
async fn a_fresh_token_in_hello_keeps_a_session_past_the_first_tokens_expiry() {
    let redis = TestRedis::start().await;
    let server = TestServer::start_with(
        &redis,
        &[
            "--jwt-secret",
            SECRET,
            "--jwt-leeway-seconds",
            "0",
            "--hello-timeout-ms",
            "400",
        ],
    )
    .await;
    let short = |player: &str| hs256(SECRET, json!({"sub": player, "exp": now() + 2}));
    let mut renewed =
        TestClient::connect(server.public, Codec::Json, Auth::Header(&short("renewed")))
            .await
            .unwrap();
    let mut lapsed =
        TestClient::connect(server.public, Codec::Json, Auth::Header(&short("lapsed")))
            .await
            .unwrap();
    let fresh = hs256(SECRET, json!({"sub": "renewed", "exp": now() + 3_600}));
    let answer = renewed.request(hello(Some(fresh))).await;
    assert_eq!(welcome_player(&answer), Some("renewed"));
    tokio::time::sleep(Duration::from_secs(4)).await;

    let closed = lapsed.closed().await;
    assert_eq!(closed.code, Some(1008), "{closed:?}");
    assert!(closed.frames_before.iter().any(|frame| matches!(
        frame,
        ServerFrame::Push(Push::Goodbye {
            reason: GoodbyeReason::TokenExpired,
            ..
        })
    )));
    let pong = renewed
        .request(Request::Ping(Ping { client_time_ms: 1 }))
        .await;
    assert!(
        matches!(pong, ServerFrame::Reply { .. }),
        "the renewed session goes on: {pong:?}"
    );
}

#[tokio::test]
async fn dev_tokens_never_pass_for_production_tokens_and_cross_nodes_only_with_a_shared_secret() {
    let redis = TestRedis::start().await;
    let dev = TestServer::start_with(&redis, &["--dev-auth", "--jwt-secret", SECRET]).await;
    let dev_peer = TestServer::start_with(&redis, &["--dev-auth", "--jwt-secret", SECRET]).await;
    let production = TestServer::start_with(&redis, &["--jwt-secret", SECRET]).await;
    let lone_dev = TestServer::start(&redis, &[]).await;

    let dev_token = dev.token("dana").await;
    assert_eq!(handshake_status(&dev, &dev_token).await, 101);
    assert_eq!(
        handshake_status(&dev_peer, &dev_token).await,
        101,
        "dev nodes sharing --jwt-secret accept each other's dev tokens"
    );
    assert_eq!(
        handshake_status(&production, &dev_token).await,
        401,
        "a dev token is never a production token, even under the same secret"
    );
    assert_eq!(handshake_status(&lone_dev, &dev_token).await, 401);
    let lone_token = lone_dev.token("dana").await;
    assert_eq!(handshake_status(&lone_dev, &lone_token).await, 101);
    assert_eq!(handshake_status(&dev, &lone_token).await, 401);

    // The login service's tokens work on the dev node too.
    let login = hs256(SECRET, json!({"sub": "dana", "exp": now() + 600}));
    assert_eq!(handshake_status(&dev, &login).await, 101);
    assert_eq!(handshake_status(&production, &login).await, 101);
}
