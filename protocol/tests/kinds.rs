//! `Request::KINDS` and `ServerFrame::KINDS` list exactly the kinds the messages report, so the server can
//! create every metric label at zero. The strategies draw every variant (the TypeScript codegen test
//! fails when one is missing), so a few thousand deterministic samples meet each kind.

#[path = "support/strategies.rs"]
#[allow(dead_code, reason = "only the frame strategies are used here")]
mod strategies;

use std::collections::BTreeSet;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use protocol::{ClientFrame, Request, ServerFrame};

const SAMPLES: usize = 3_000;

fn sampled<T: std::fmt::Debug>(strategy: impl Strategy<Value = T>) -> Vec<T> {
    let mut runner = TestRunner::deterministic();
    (0..SAMPLES)
        .map(|_| strategy.new_tree(&mut runner).expect("a sample").current())
        .collect()
}

#[test]
fn request_kinds_are_exactly_the_listed_ones_and_their_json_names() {
    let frames: Vec<ClientFrame> = sampled(strategies::client_frame());
    for frame in &frames {
        let json = serde_json::to_value(&frame.request).expect("a request serializes");
        let tag = match &json {
            serde_json::Value::String(unit) => unit.clone(),
            serde_json::Value::Object(fields) => fields.keys().next().cloned().unwrap_or_default(),
            other => panic!("unexpected JSON for a request: {other}"),
        };
        assert_eq!(
            frame.request.kind(),
            tag,
            "kind() differs from the wire name"
        );
    }
    let seen: BTreeSet<&str> = frames.iter().map(|frame| frame.request.kind()).collect();
    let listed: BTreeSet<&str> = Request::KINDS.iter().copied().collect();
    assert_eq!(seen, listed, "Request::KINDS is out of date");
    assert_eq!(listed.len(), Request::KINDS.len(), "a kind listed twice");
}

#[test]
fn server_frame_kinds_are_exactly_the_listed_ones() {
    let frames: Vec<ServerFrame> = sampled(strategies::server_frame());
    let seen: BTreeSet<&str> = frames.iter().map(ServerFrame::kind).collect();
    let listed: BTreeSet<&str> = ServerFrame::KINDS.iter().copied().collect();
    assert_eq!(seen, listed, "ServerFrame::KINDS is out of date");
    assert_eq!(
        listed.len(),
        ServerFrame::KINDS.len(),
        "a kind listed twice"
    );
}
