//! Golden frames: a handful of messages whose exact bytes (bincode, as hex) and text (JSON) are stored in
//! `tests/golden/`. An accidental wire change fails here. After a deliberate change (a new protocol
//! version), regenerate with `BLESS=1 cargo test -p protocol --test golden_frames` and review the diff.

use std::path::PathBuf;

use game_logic::{GameSession, Jump, Ruleset};
use protocol::*;

fn run_id() -> RunId {
    RunId::from_bytes([0x5e, 0xed, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])
}

fn client_frames() -> Vec<(&'static str, ClientFrame)> {
    vec![
        (
            "c1-hello",
            ClientFrame {
                id: RequestId(1),
                request: Request::Hello(Hello {
                    client_version: "web/1.0".into(),
                    token: None,
                    resume: Some(run_id()),
                    last_notification: Some(NotificationId {
                        ms: 1_764_000_000_000,
                        seq: 0,
                    }),
                }),
            },
        ),
        (
            "c2-start-run",
            ClientFrame {
                id: RequestId(2),
                request: Request::StartRun(StartRun {
                    mode: StartMode::Solo,
                }),
            },
        ),
        (
            "c3-jump",
            ClientFrame {
                id: RequestId(3),
                request: Request::Jump(JumpRequest {
                    run_id: run_id(),
                    seq: 0,
                    press_ms: 706,
                    dwell_ms: 400,
                }),
            },
        ),
    ]
}

fn server_frames() -> Vec<(&'static str, ServerFrame)> {
    let mut session = GameSession::new(42, Ruleset::V1);
    let started = *session.world();
    let outcome = session
        .apply(Jump {
            press_ms: 706,
            dwell_ms: 400,
        })
        .expect("valid jump");
    vec![
        (
            "s1-run-started",
            ServerFrame::Reply {
                id: RequestId(2),
                response: Response::RunStarted(RunStarted {
                    run_id: run_id(),
                    seed: 42,
                    ruleset: Ruleset::V1,
                    world: started,
                }),
            },
        ),
        (
            "s2-jump-result",
            ServerFrame::Reply {
                id: RequestId(3),
                response: Response::JumpResult(JumpResult {
                    outcome,
                    ended: None,
                }),
            },
        ),
        (
            "s3-error-too-fast",
            ServerFrame::error(
                Some(RequestId(4)),
                ErrorCode::TooFast,
                "too fast: this jump needs 1106 ms since the previous one but came after 80 ms",
            ),
        ),
        (
            "s4-push-friend-passed",
            ServerFrame::Push(Push::Notification(Notification {
                id: NotificationId {
                    ms: 1_764_000_000_123,
                    seq: 1,
                },
                created_ms: 1_764_000_000_123,
                event: Event::FriendPassed {
                    friend: PlayerId::new("alice").expect("valid id"),
                    name: Some(DisplayName::new("Alice").expect("valid name")),
                    their_score: 120,
                    your_score: 97,
                    board: Board {
                        period: Period::Weekly,
                        scope: Scope::Friends,
                    },
                },
            })),
        ),
    ]
}

fn golden(name: &str, extension: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{name}.{extension}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect::<String>() + "\n"
}

fn check(name: &str, extension: &str, actual: String) {
    let path = golden(name, extension);
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &actual).expect("writable golden file");
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(
        actual, expected,
        "{name}.{extension} changed: the wire format moved"
    );
}

fn wire_text(frame: WireFrame) -> String {
    match frame {
        WireFrame::Binary(bytes) => hex(&bytes),
        WireFrame::Text(text) => text + "\n",
    }
}

#[test]
fn client_frames_match_their_golden_encodings() {
    for (name, frame) in client_frames() {
        for (codec, extension) in [(Codec::Bincode, "hex"), (Codec::Json, "json")] {
            let wire = codec.encode_client(&frame).expect("encodes");
            assert_eq!(codec.decode_client(&wire).as_ref(), Ok(&frame));
            check(name, extension, wire_text(wire));
        }
    }
}

#[test]
fn server_frames_match_their_golden_encodings() {
    for (name, frame) in server_frames() {
        for (codec, extension) in [(Codec::Bincode, "hex"), (Codec::Json, "json")] {
            let wire = codec.encode_server(&frame).expect("encodes");
            assert_eq!(codec.decode_server(&wire).as_ref(), Ok(&frame));
            check(name, extension, wire_text(wire));
        }
    }
}
