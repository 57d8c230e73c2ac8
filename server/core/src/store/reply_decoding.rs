//! Checks of the patched redis reply decoder (server/vendor/redis: a fast path for whole replies of the
//! common kinds, before `combine`). The store reads every reply through it, so it must decode exactly
//! what `combine` decodes: here `redis::parse_redis_value`, the unpatched `combine` parser, is the
//! reference, for replies whole, split across reads at any point, and for arbitrary bytes.

use bytes::BytesMut;
use proptest::prelude::*;
use redis::{Value, ValueCodec, parse_redis_value};
use tokio_util::codec::Decoder;

/// RESP2 bytes of `value` (the kinds a reply to this server holds).
fn encode(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Okay => out.extend_from_slice(b"+OK\r\n"),
        Value::SimpleString(text) => out.extend_from_slice(format!("+{text}\r\n").as_bytes()),
        Value::Int(int) => out.extend_from_slice(format!(":{int}\r\n").as_bytes()),
        Value::BulkString(bytes) => {
            out.extend_from_slice(format!("${}\r\n", bytes.len()).as_bytes());
            out.extend_from_slice(bytes);
            out.extend_from_slice(b"\r\n");
        }
        Value::Array(items) => {
            out.extend_from_slice(format!("*{}\r\n", items.len()).as_bytes());
            for item in items {
                encode(item, out);
            }
        }
        _ => out.extend_from_slice(b"$-1\r\n"),
    }
}

/// Replies as Redis sends them: statuses, integers, bulk strings of any bytes, nils, errors and nested
/// arrays of them.
fn reply() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        Just(Value::Okay),
        "[a-zA-Z0-9 :._-]{0,12}".prop_map(Value::SimpleString),
        any::<i64>().prop_map(Value::Int),
        (-1_000_000i64..1_000_000).prop_map(Value::Int),
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(Value::BulkString),
        Just(Value::Nil),
    ];
    let value = leaf.prop_recursive(4, 64, 8, |inner| {
        proptest::collection::vec(inner, 0..8).prop_map(Value::Array)
    });
    let error = prop_oneof![
        Just("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
        Just("-NOSCRIPT No matching script. Please use EVAL.\r\n"),
        Just("-MOVED 3999 127.0.0.1:6381\r\n"),
        Just("-LAYOUT unknown live log layout\r\n"),
        Just("*-1\r\n"),
        Just("_\r\n"),
        Just(":  42 \r\n"),
        Just(":+7\r\n"),
        Just(":-0\r\n"),
        Just(":-\r\n"),
        Just(":0012\r\n"),
        Just(":99999999999999999999\r\n"),
        Just("$+3\r\nabc\r\n"),
    ]
    .prop_map(|bytes| bytes.as_bytes().to_vec());
    prop_oneof![
        4 => value.prop_map(|value| {
            let mut out = Vec::new();
            encode(&value, &mut out);
            out
        }),
        1 => error,
    ]
}

/// What a decoding error is, as compared here: its kind. Its message names a position, which the
/// streaming decoder counts from the start of its buffer and the slice parser from the start of the reply.
fn failure(error: &redis::RedisError) -> String {
    format!("{:?}", error.kind())
}

/// The replies the codec decodes from `bytes` fed in chunks of `chunk` bytes, stopping at an error.
fn decode_in_chunks(bytes: &[u8], chunk: usize) -> Vec<Result<Value, String>> {
    let (mut codec, mut buffer, mut decoded) = (ValueCodec::default(), BytesMut::new(), Vec::new());
    for piece in bytes.chunks(chunk.max(1)) {
        buffer.extend_from_slice(piece);
        loop {
            match codec.decode(&mut buffer) {
                Ok(Some(value)) => decoded.push(Ok(value)),
                Ok(None) => break,
                Err(error) => {
                    decoded.push(Err(failure(&error)));
                    return decoded;
                }
            }
        }
    }
    decoded
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn replies_decode_as_combine_decodes_them_whole_or_split_anywhere(
        replies in proptest::collection::vec(reply(), 1..6),
        chunk in 1usize..64,
    ) {
        // A malformed reply ends the stream: the connection is dropped at its error.
        let mut expected: Vec<Result<Value, String>> = Vec::new();
        for reply in &replies {
            let parsed = parse_redis_value(reply).map_err(|error| failure(&error));
            let failed = parsed.is_err();
            expected.push(parsed);
            if failed {
                break;
            }
        }
        let stream = replies.concat();
        prop_assert_eq!(&decode_in_chunks(&stream, stream.len()), &expected);
        prop_assert_eq!(&decode_in_chunks(&stream, chunk), &expected);
    }

    #[test]
    fn arbitrary_bytes_decode_to_what_combine_makes_of_them(
        bytes in proptest::collection::vec(
            prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'*'), Just(b'$'), Just(b':'), Just(b'-'),
                        Just(b'+'), Just(b'1'), Just(b'2'), any::<u8>()],
            0..48,
        ),
    ) {
        // Whatever the codec decodes first from the bytes, whole or not, `combine` decodes the same.
        if let Some(Ok(first)) = decode_in_chunks(&bytes, bytes.len()).into_iter().next() {
            prop_assert_eq!(Ok(first), parse_redis_value(&bytes).map_err(|error| failure(&error)));
        }
    }
}

#[test]
fn a_reply_nested_past_the_depth_limit_is_refused_as_combine_refuses_it() {
    let deep = [b"*1\r\n".repeat(120), b":1\r\n".to_vec()].concat();
    let decoded = decode_in_chunks(&deep, deep.len());
    assert!(matches!(decoded.first(), Some(Err(_))), "{decoded:?}");
    assert!(parse_redis_value(&deep).is_err());
}

#[test]
fn replies_longer_than_the_fast_paths_wait_decode_whole_across_many_reads() {
    // A friend board's scores and a long bulk string: past the fast path's wait limit, `combine`
    // takes the rest of the reply over, and the result is the same.
    let scores = Value::Array(
        (0..12_000)
            .map(|score| Value::BulkString(format!("{score}.5").into_bytes()))
            .collect(),
    );
    let blob = Value::BulkString((0..200_000u32).map(|byte| byte as u8).collect());
    let mut stream = Vec::new();
    for value in [&scores, &Value::Int(7), &blob, &Value::Okay] {
        encode(value, &mut stream);
    }
    assert!(stream.len() > 2 * 64 * 1024);
    let expected = vec![Ok(scores), Ok(Value::Int(7)), Ok(blob), Ok(Value::Okay)];
    for chunk in [1_000, 4_096, 65_536, stream.len()] {
        assert_eq!(
            decode_in_chunks(&stream, chunk),
            expected,
            "chunks of {chunk}"
        );
    }
}
