//! RFC 6455 conformance of `/ws`, case by case after the Autobahn|Testsuite's sections 1 to 7 (framing,
//! pings and pongs, reserved bits, opcodes, fragmentation, UTF-8, close handling), with hand-built frames
//! over a raw TCP socket (`support::raw_ws`). Autobahn echoes messages; Leapfrog answers each one with a
//! protocol frame (a `pong` for a JSON ping request, an error for anything else), so a case counts the
//! answers instead. Messages over the protocol's 4 KiB limit close with 1009 where Autobahn's echo server
//! takes up to 16 MiB. Each case ends by checking the connection: still serving and closing cleanly on a
//! client close, or closed with the expected code and the TCP connection ended by the server.

use crate::support::raw_ws::{CLOSE, PING, PONG, RawFrame, RawSocket, ServerRawFrame};
use crate::support::{TestRedis, TestServer};

/// What a case sends.
enum Step {
    /// A frame, whole.
    Send(RawFrame),
    /// A frame, a few bytes at a time.
    Chunked(RawFrame, usize),
    /// A pause, in ms.
    Pause(u64),
}

/// What the server must do.
enum Expect {
    /// Answer `answers` messages and pong `pongs` (payloads, in order), then go on serving and echo a
    /// client close.
    Open { answers: usize, pongs: Vec<Vec<u8>> },
    /// Answer `answers` messages and pong `pongs`, then close with `code` (`None`: an empty close
    /// payload) and end the TCP connection.
    Closed {
        answers: usize,
        pongs: Vec<Vec<u8>>,
        code: Option<u16>,
    },
}

struct Case {
    /// Autobahn's case number (or the RFC section for cases Autobahn's client cannot send).
    id: &'static str,
    steps: Vec<Step>,
    expect: Expect,
}

use Step::{Chunked, Pause, Send};

fn open(answers: usize, pongs: Vec<Vec<u8>>) -> Expect {
    Expect::Open { answers, pongs }
}

fn closed(code: u16) -> Expect {
    closed_after(0, vec![], Some(code))
}

fn closed_after(answers: usize, pongs: Vec<Vec<u8>>, code: Option<u16>) -> Expect {
    Expect::Closed {
        answers,
        pongs,
        code,
    }
}

/// A JSON `ping` request padded with spaces to `len` bytes (JSON allows trailing white space); shorter
/// than the request itself, only spaces, which the server answers with `malformed_frame`.
fn ping_request(len: usize) -> Vec<u8> {
    let request = br#"{"id":1,"request":{"ping":{"client_time_ms":1}}}"#;
    let mut text = if len >= request.len() {
        request.to_vec()
    } else {
        Vec::new()
    };
    text.resize(len, b' ');
    text
}

fn text(len: usize) -> RawFrame {
    RawFrame::text(ping_request(len))
}

/// Sections 1 (framing) and 5.1 of the RFC (masking).
fn framing() -> Vec<Case> {
    let mut cases = Vec::new();
    for (id, len) in [
        ("1.1.1", 0),
        ("1.1.2", 125),
        ("1.1.3", 126),
        ("1.1.4", 127),
        ("1.1.5", 128),
        ("1.1.6", 4_096),
    ] {
        cases.push(Case {
            id,
            steps: vec![Send(text(len))],
            expect: open(1, vec![]),
        });
    }
    cases.push(Case {
        id: "1.1.7",
        steps: vec![Send(text(4_097))],
        expect: closed(1009),
    });
    cases.push(Case {
        id: "1.1.8",
        steps: vec![Send(text(65_536))],
        expect: closed(1009),
    });
    cases.push(Case {
        id: "1.1.9",
        steps: vec![Chunked(text(4_096), 997)],
        expect: open(1, vec![]),
    });
    for (id, len) in [
        ("1.2.1", 0),
        ("1.2.2", 125),
        ("1.2.3", 126),
        ("1.2.6", 4_096),
    ] {
        cases.push(Case {
            id,
            steps: vec![Send(RawFrame::binary(vec![0xfe; len]))],
            expect: open(1, vec![]),
        });
    }
    cases.push(Case {
        id: "1.2.7",
        steps: vec![Send(RawFrame::binary(vec![0xfe; 4_097]))],
        expect: closed(1009),
    });
    cases.push(Case {
        id: "1.2.8",
        steps: vec![Send(RawFrame::binary(vec![0xfe; 65_536]))],
        expect: closed(1009),
    });
    cases.push(Case {
        id: "RFC 5.1 unmasked",
        steps: vec![Send(text(60).unmasked())],
        expect: closed(1002),
    });
    cases
}

/// Section 2: pings and pongs.
fn pings() -> Vec<Case> {
    let binary = vec![0x00, 0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0x00, 0xff];
    let hello = b"Hello, world!".to_vec();
    vec![
        Case {
            id: "2.1",
            steps: vec![Send(RawFrame::ping(vec![]))],
            expect: open(0, vec![vec![]]),
        },
        Case {
            id: "2.2",
            steps: vec![Send(RawFrame::ping(hello.clone()))],
            expect: open(0, vec![hello.clone()]),
        },
        Case {
            id: "2.3",
            steps: vec![Send(RawFrame::ping(binary.clone()))],
            expect: open(0, vec![binary]),
        },
        Case {
            id: "2.4",
            steps: vec![Send(RawFrame::ping(vec![0xfe; 125]))],
            expect: open(0, vec![vec![0xfe; 125]]),
        },
        Case {
            id: "2.5",
            steps: vec![Send(RawFrame::ping(vec![0xfe; 126]))],
            expect: closed(1002),
        },
        Case {
            id: "2.6",
            steps: vec![Chunked(RawFrame::ping(vec![0xfe; 125]), 1)],
            expect: open(0, vec![vec![0xfe; 125]]),
        },
        Case {
            id: "2.7",
            steps: vec![Send(RawFrame::pong(vec![]))],
            expect: open(0, vec![]),
        },
        Case {
            id: "2.8",
            steps: vec![Send(RawFrame::pong(b"unsolicited pong payload".to_vec()))],
            expect: open(0, vec![]),
        },
        Case {
            id: "2.9",
            steps: vec![
                Send(RawFrame::pong(b"unsolicited pong payload".to_vec())),
                Send(RawFrame::ping(b"ping payload".to_vec())),
            ],
            expect: open(0, vec![b"ping payload".to_vec()]),
        },
        Case {
            id: "2.10",
            steps: (0..10)
                .map(|n| Send(RawFrame::ping(format!("payload-{n}").into_bytes())))
                .collect(),
            expect: open(
                0,
                (0..10)
                    .map(|n| format!("payload-{n}").into_bytes())
                    .collect(),
            ),
        },
        Case {
            id: "2.11",
            steps: (0..10)
                .map(|n| Chunked(RawFrame::ping(format!("payload-{n}").into_bytes()), 1))
                .collect(),
            expect: open(
                0,
                (0..10)
                    .map(|n| format!("payload-{n}").into_bytes())
                    .collect(),
            ),
        },
    ]
}

/// Section 3: reserved bits, on data and control frames, alone and after a valid message.
fn reserved_bits() -> Vec<Case> {
    let after_valid =
        |frame: RawFrame| vec![Send(text(60)), Send(frame), Send(RawFrame::ping(vec![]))];
    vec![
        Case {
            id: "3.1",
            steps: vec![Send(text(60).rsv(4))],
            expect: closed(1002),
        },
        Case {
            id: "3.2",
            steps: after_valid(text(60).rsv(2)),
            expect: closed_after(1, vec![], Some(1002)),
        },
        Case {
            id: "3.3",
            steps: vec![
                Send(text(60)),
                Pause(50),
                Send(text(60).rsv(1)),
                Send(RawFrame::ping(vec![])),
            ],
            expect: closed_after(1, vec![], Some(1002)),
        },
        Case {
            id: "3.4",
            steps: after_valid(text(60).rsv(6)),
            expect: closed_after(1, vec![], Some(1002)),
        },
        Case {
            id: "3.5",
            steps: vec![Send(RawFrame::binary(vec![0xff; 8]).rsv(5))],
            expect: closed(1002),
        },
        Case {
            id: "3.6",
            steps: vec![Send(RawFrame::ping(b"Hello".to_vec()).rsv(3))],
            expect: closed(1002),
        },
        Case {
            id: "3.7",
            steps: vec![Send(RawFrame::close(1000, b"").rsv(7))],
            expect: closed(1002),
        },
    ]
}

/// Section 4: reserved opcodes, data (3 to 7) and control (11 to 15).
fn opcodes() -> Vec<Case> {
    let data = [
        ("4.1.1", 3),
        ("4.1.2", 4),
        ("4.1.3", 5),
        ("4.1.4", 6),
        ("4.1.5", 7),
    ];
    let control = [
        ("4.2.1", 11),
        ("4.2.2", 12),
        ("4.2.3", 13),
        ("4.2.4", 14),
        ("4.2.5", 15),
    ];
    data.into_iter()
        .chain(control)
        .map(|(id, opcode)| Case {
            id,
            steps: vec![
                Send(text(60)),
                Send(RawFrame::new(opcode, b"reserved".to_vec())),
                Send(RawFrame::ping(vec![])),
            ],
            expect: closed_after(1, vec![], Some(1002)),
        })
        .collect()
}

/// Section 5: fragmentation.
fn fragmentation() -> Vec<Case> {
    let request = ping_request(60);
    let (first, rest) = request.split_at(20);
    let (middle, last) = rest.split_at(20);
    let start = || RawFrame::text(first.to_vec()).fin(false);
    let cont = |bytes: &[u8]| RawFrame::continuation(bytes.to_vec()).fin(false);
    let end = |bytes: &[u8]| RawFrame::continuation(bytes.to_vec());
    vec![
        Case {
            id: "5.1",
            steps: vec![
                Send(RawFrame::ping(b"frag".to_vec()).fin(false)),
                Send(end(b"mented")),
            ],
            expect: closed(1002),
        },
        Case {
            id: "5.2",
            steps: vec![
                Send(RawFrame::pong(b"frag".to_vec()).fin(false)),
                Send(end(b"mented")),
            ],
            expect: closed(1002),
        },
        Case {
            id: "5.3",
            steps: vec![Send(start()), Send(cont(middle)), Send(end(last))],
            expect: open(1, vec![]),
        },
        Case {
            id: "5.4",
            steps: vec![
                Send(start()),
                Pause(100),
                Send(cont(middle)),
                Pause(100),
                Send(end(last)),
            ],
            expect: open(1, vec![]),
        },
        Case {
            id: "5.6",
            steps: vec![
                Send(start()),
                Send(RawFrame::ping(b"between".to_vec())),
                Send(end(rest)),
            ],
            expect: open(1, vec![b"between".to_vec()]),
        },
        Case {
            id: "5.8",
            steps: vec![
                Chunked(start(), 1),
                Chunked(RawFrame::ping(b"between".to_vec()), 1),
                Chunked(end(rest), 1),
            ],
            expect: open(1, vec![b"between".to_vec()]),
        },
        Case {
            id: "5.9",
            steps: vec![Send(end(b"fragment")), Send(text(60)), Send(end(b"x"))],
            expect: closed(1002),
        },
        Case {
            id: "5.12",
            steps: vec![Send(cont(b"fragment")), Send(text(60))],
            expect: closed(1002),
        },
        Case {
            id: "5.15",
            steps: vec![
                Send(start()),
                Send(end(rest)),
                Send(cont(b"no start")),
                Send(text(60)),
            ],
            expect: closed_after(1, vec![], Some(1002)),
        },
        Case {
            id: "5.18",
            steps: vec![Send(start()), Send(RawFrame::text(rest.to_vec()))],
            expect: closed(1002),
        },
        Case {
            id: "5.19",
            steps: vec![
                Send(start()),
                Send(cont(&middle[..10])),
                Send(RawFrame::ping(b"pongme 1!".to_vec())),
                Pause(100),
                Send(cont(&middle[10..])),
                Send(RawFrame::ping(b"pongme 2!".to_vec())),
                Send(end(last)),
            ],
            expect: open(1, vec![b"pongme 1!".to_vec(), b"pongme 2!".to_vec()]),
        },
        Case {
            id: "5.x over the limit",
            steps: vec![
                Send(RawFrame::text(vec![b' '; 3_000]).fin(false)),
                Send(end(&[b' '; 3_000])),
            ],
            expect: closed(1009),
        },
    ]
}

/// Section 6: UTF-8 in text messages, whole, fragmented (split inside code points) and failing fast.
fn utf8() -> Vec<Case> {
    let mut cases = vec![
        Case {
            id: "6.1.1",
            steps: vec![Send(RawFrame::text(vec![]))],
            expect: open(1, vec![]),
        },
        Case {
            id: "6.1.2",
            steps: vec![
                Send(RawFrame::text(vec![]).fin(false)),
                Send(RawFrame::continuation(vec![]).fin(false)),
                Send(RawFrame::continuation(vec![])),
            ],
            expect: open(1, vec![]),
        },
    ];
    let valid: [(&str, &[u8]); 8] = [
        ("6.2.1", "Hello-µ@ßöäüàá-UTF-8!!".as_bytes()),
        ("6.5.1", "κόσμε".as_bytes()),
        ("6.7.1", b"\x00"),
        ("6.11.1", b"\xef\xbf\xbf"),
        ("6.11.2", b"\xf4\x8f\xbf\xbf"),
        ("6.12.x", b"\xef\xbf\xbe"),
        ("6.22.x", b"\xef\xbb\xbf"),
        ("6.5.x", b"\xf0\x9f\x98\x80\xe2\x80\x8b"),
    ];
    for (id, bytes) in valid {
        cases.push(Case {
            id,
            steps: vec![Send(RawFrame::text(bytes.to_vec()))],
            expect: open(1, vec![]),
        });
    }
    // 6.2.3/6.2.4: the same valid text in one-byte fragments, every code point split.
    let split = "Hello-µ@ßöäüàá-UTF-8!!κόσμε".as_bytes();
    let fragments: Vec<Step> = split
        .iter()
        .enumerate()
        .map(|(at, byte)| {
            let opcode = if at == 0 { 0x1 } else { 0x0 };
            Send(RawFrame::new(opcode, vec![*byte]).fin(at + 1 == split.len()))
        })
        .collect();
    cases.push(Case {
        id: "6.2.3",
        steps: fragments,
        expect: open(1, vec![]),
    });
    let invalid: [(&str, &[u8]); 14] = [
        (
            "6.3.1",
            b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited",
        ),
        ("6.6.1", b"\xce"),
        ("6.8.1", b"\xf8\x88\x80\x80\x80"),
        ("6.9.x", b"\x80"),
        ("6.10.1", b"\xfe"),
        ("6.10.2", b"\xff"),
        ("6.12.1", b"\xbf\xbf"),
        ("6.14.1", b"\xc0 "),
        ("6.15.1", b"\xe0\x80"),
        ("6.17.1", b"\xc0\xaf"),
        ("6.17.2", b"\xe0\x80\xaf"),
        ("6.17.3", b"\xf0\x80\x80\xaf"),
        ("6.19.1", b"\xed\xa0\x80"),
        ("6.21.1", b"\xed\xa0\x80\xed\xb0\x80"),
    ];
    for (id, bytes) in invalid {
        cases.push(Case {
            id,
            steps: vec![Send(RawFrame::text(bytes.to_vec()))],
            expect: closed(1007),
        });
    }
    cases.push(Case {
        id: "6.3.2",
        steps: b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"
            .iter()
            .enumerate()
            .map(|(at, byte)| {
                let opcode = if at == 0 { 0x1 } else { 0x0 };
                Send(RawFrame::new(opcode, vec![*byte]).fin(at == 19))
            })
            .collect(),
        expect: closed(1007),
    });
    // 6.4.1: fail fast. The bad fragment (above U+10FFFF) closes the connection before the message
    // ends: the last fragment is never needed.
    cases.push(Case {
        id: "6.4.1",
        steps: vec![
            Send(RawFrame::text("κόσμε".as_bytes().to_vec()).fin(false)),
            Send(RawFrame::continuation(b"\xf4\x90\x80\x80".to_vec()).fin(false)),
        ],
        expect: closed(1007),
    });
    cases.push(Case {
        id: "6.4.3",
        steps: vec![
            Chunked(RawFrame::text("κόσμε".as_bytes().to_vec()).fin(false), 1),
            Chunked(
                RawFrame::continuation(b"\xed\xa0\x80".to_vec()).fin(false),
                1,
            ),
        ],
        expect: closed(1007),
    });
    cases
}

/// Section 7: close handling, close payloads and close codes.
fn closing() -> Vec<Case> {
    let mut cases = vec![
        Case {
            id: "7.1.1",
            steps: vec![Send(text(60)), Send(RawFrame::close(1000, b""))],
            expect: closed_after(1, vec![], Some(1000)),
        },
        Case {
            id: "7.1.2",
            steps: vec![
                Send(RawFrame::close(1000, b"")),
                Send(RawFrame::close(1000, b"")),
            ],
            expect: closed(1000),
        },
        Case {
            id: "7.1.3",
            steps: vec![
                Send(RawFrame::close(1000, b"")),
                Send(RawFrame::ping(b"after close".to_vec())),
            ],
            expect: closed(1000),
        },
        Case {
            id: "7.1.4",
            steps: vec![Send(RawFrame::close(1000, b"")), Send(text(60))],
            expect: closed(1000),
        },
        Case {
            id: "7.1.5",
            steps: vec![
                Send(RawFrame::text(b"fragment".to_vec()).fin(false)),
                Send(RawFrame::close(1000, b"")),
                Send(RawFrame::continuation(b"ed".to_vec())),
            ],
            expect: closed(1000),
        },
        Case {
            id: "7.1.6",
            steps: (0..10)
                .map(|_| Send(text(4_000)))
                .chain([Send(RawFrame::close(1000, b""))])
                .collect(),
            expect: closed_after(10, vec![], Some(1000)),
        },
        Case {
            id: "7.3.1",
            steps: vec![Send(RawFrame::new(CLOSE, vec![]))],
            expect: closed_after(0, vec![], None),
        },
        Case {
            id: "7.3.2",
            steps: vec![Send(RawFrame::new(CLOSE, vec![0x03]))],
            expect: closed(1002),
        },
        Case {
            id: "7.3.3",
            steps: vec![Send(RawFrame::close(1000, b""))],
            expect: closed(1000),
        },
        Case {
            id: "7.3.4",
            steps: vec![Send(RawFrame::close(1000, b"Hello World!"))],
            expect: closed(1000),
        },
        Case {
            id: "7.3.5",
            steps: vec![Send(RawFrame::close(1000, &[b'*'; 123]))],
            expect: closed(1000),
        },
        Case {
            id: "7.3.6",
            steps: vec![Send(RawFrame::close(1000, &[b'*'; 124]))],
            expect: closed(1002),
        },
        Case {
            id: "7.5.1",
            steps: vec![Send(RawFrame::close(
                1000,
                b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited",
            ))],
            expect: closed(1007),
        },
    ];
    // 7.7: codes a peer may send are echoed; 7.9 and 7.13: codes it may not close with 1002.
    let valid = [
        1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 3000, 3999, 4000, 4999,
    ];
    for code in valid {
        cases.push(Case {
            id: "7.7.x",
            steps: vec![Send(RawFrame::close(code, b""))],
            expect: closed(code),
        });
    }
    let invalid = [
        0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65_535,
    ];
    for code in invalid {
        cases.push(Case {
            id: "7.9.x/7.13.x",
            steps: vec![Send(RawFrame::close(code, b""))],
            expect: closed(1002),
        });
    }
    cases
}

/// Runs one case on a fresh connection; returns what went wrong, if anything.
async fn run(server: &TestServer, token: &str, case: Case) -> Result<(), String> {
    let mut socket = RawSocket::connect(server.public, "leapfrog.v1.json", Some(token)).await;
    for step in case.steps {
        let sent = match step {
            Send(frame) => socket.send(&frame).await,
            Chunked(frame, chunk) => socket.send_in_chunks(&frame, chunk).await,
            Pause(ms) => {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                true
            }
        };
        // The server may close (and reset) before later steps are written: that is for the check below.
        if !sent {
            break;
        }
    }
    let (answers, pongs, code) = match &case.expect {
        Expect::Open { answers, pongs } => (*answers, pongs.clone(), None),
        Expect::Closed {
            answers,
            pongs,
            code,
        } => (*answers, pongs.clone(), Some(*code)),
    };
    let mut got_answers = 0;
    let mut got_pongs = Vec::new();
    let mut close: Option<ServerRawFrame> = None;
    while got_answers < answers || got_pongs.len() < pongs.len() || code.is_some() {
        match socket.next_frame().await {
            None => break,
            Some(frame) if frame.opcode == PONG => got_pongs.push(frame.payload),
            Some(frame) if frame.opcode == CLOSE => {
                close = Some(frame);
                break;
            }
            Some(frame) if frame.opcode == PING => {}
            Some(_) => got_answers += 1,
        }
    }
    if (got_answers, &got_pongs) != (answers, &pongs) {
        return Err(format!(
            "{answers} answers and pongs {pongs:?} expected, got {got_answers} and {got_pongs:?} (close: {close:?})"
        ));
    }
    match code {
        Some(code) => {
            let Some(close) = close else {
                return Err(format!(
                    "a close with {code:?} expected, the connection ended without one"
                ));
            };
            if close.close_code() != code {
                return Err(format!(
                    "close code {code:?} expected, got {:?} ({:?})",
                    close.close_code(),
                    String::from_utf8_lossy(&close.payload)
                ));
            }
            if !socket.ends().await {
                return Err("the server did not end the TCP connection after its close".into());
            }
        }
        None => {
            // Still serving: a request is answered, and a client close is answered in kind.
            if !socket.send(&text(60)).await {
                return Err("the connection was closed".into());
            }
            match socket.next_frame().await {
                Some(frame) if frame.opcode == 0x1 => {}
                other => return Err(format!("an answer expected, got {other:?}")),
            }
            socket.send(&RawFrame::close(1000, b"done")).await;
            match socket.next_frame().await {
                Some(frame) if frame.opcode == CLOSE && frame.close_code() == Some(1000) => {}
                other => return Err(format!("the close echoed expected, got {other:?}")),
            }
            if !socket.ends().await {
                return Err("the server did not end the TCP connection after the close".into());
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn websocket_conformance_after_the_autobahn_sections_1_to_7() {
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &["--max-connections-per-player", "1000"]).await;
    let token = server.token("rfc-6455").await;
    let sections = [
        framing(),
        pings(),
        reserved_bits(),
        opcodes(),
        fragmentation(),
        utf8(),
        closing(),
    ];
    let mut failures = Vec::new();
    let mut count = 0;
    for case in sections.into_iter().flatten() {
        count += 1;
        let id = case.id;
        if let Err(problem) = run(&server, &token, case).await {
            failures.push(format!("{id}: {problem}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_server_closes_first_and_completes_the_handshake() {
    // A server-initiated close (here: no hello in time) carries its code, waits for the client's close
    // and then ends the TCP connection.
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &["--hello-timeout-ms", "200"]).await;
    let mut socket = RawSocket::connect(server.public, "leapfrog.v1.json", None).await;
    let close = loop {
        let frame = socket.next_frame().await.expect("a close frame");
        if frame.opcode == CLOSE {
            break frame;
        }
    };
    assert_eq!(close.close_code(), Some(4001));
    assert!(!close.masked, "server frames are never masked");
    socket.send(&RawFrame::close(4001, b"")).await;
    assert!(
        socket.ends().await,
        "the TCP connection ends after the handshake"
    );
}

#[tokio::test]
async fn frames_sent_with_the_upgrade_request_are_answered() {
    // A client may send its first frames right behind the upgrade request, before the answer: the
    // server reads them with the request and must hand them on to the WebSocket, in order.
    let redis = TestRedis::start().await;
    let server = TestServer::start(&redis, &[]).await;
    let token = server.token("eager").await;
    let early = [
        RawFrame::text(r#"{"id":1,"request":{"ping":{"client_time_ms":5}}}"#).encode(),
        RawFrame::ping(b"early".to_vec()).encode(),
        RawFrame::text(r#"{"id":2,"request":{"ping":{"client_time_ms":6}}}"#).encode(),
    ]
    .concat();
    let (status, mut socket) = RawSocket::connect_sending(
        server.public,
        "leapfrog.v1.json",
        Some(&token),
        "",
        &early,
        None,
    )
    .await;
    assert_eq!(status, 101, "the upgrade is accepted");
    let mut answered = Vec::new();
    while answered.len() < 3 {
        let frame = socket
            .next_frame()
            .await
            .expect("the early frames are answered");
        match frame.opcode {
            PONG => answered.push("pong".to_owned()),
            PING => {}
            _ => {
                let text = String::from_utf8(frame.payload).expect("text");
                if text.contains(r#""id":1"#) {
                    answered.push("1".to_owned());
                } else if text.contains(r#""id":2"#) {
                    answered.push("2".to_owned());
                }
            }
        }
    }
    assert_eq!(
        answered,
        ["1", "pong", "2"],
        "each early frame answered, in order"
    );
}
