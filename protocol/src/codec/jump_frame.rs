//! A live jump's frame decoded without serde. A jump is most of what a client sends (a run is a jump
//! a second or faster), and serde's bincode path spends about 900 instructions on its 21 bytes: a
//! visitor per field and one per byte of the run id. This reads the same encoding straight
//! (`bincode_config`: little endian, varint integers): the request id, the variant index of
//! `Request::Jump`, the run id's 16 bytes, then `seq`, `press_ms` and `dwell_ms`.
//!
//! The varints are read here rather than by bincode's own decoder for plain values
//! (`bincode::decode_from_slice` of the fields as a tuple): that one cost 314 instructions a frame
//! against these 118 (callgrind, BENCHMARKS.md, stop 28).
//!
//! It answers only frames that are exactly that, and `None` for anything else, which then goes the
//! serde way: so what it returns is always what serde would have returned, and it reads every jump
//! frame serde reads (the property tests below).

use crate::{ClientFrame, JumpRequest, Request, RequestId, RunId};

/// `Request::Jump`'s variant index (variants keep their position forever).
const JUMP_VARIANT: u32 = 3;

/// The jump frame `bytes` holds, if it holds exactly one.
pub(super) fn decode(bytes: &[u8]) -> Option<ClientFrame> {
    let mut at = 0;
    let id = varint_u32(bytes, &mut at)?;
    if varint_u32(bytes, &mut at)? != JUMP_VARIANT {
        return None;
    }
    let run_id: [u8; 16] = bytes.get(at..at + 16)?.try_into().ok()?;
    at += 16;
    let seq = varint_u32(bytes, &mut at)?;
    let press_ms = varint_u32(bytes, &mut at)?;
    let dwell_ms = varint_u32(bytes, &mut at)?;
    (at == bytes.len()).then(|| jump(id, run_id, seq, press_ms, dwell_ms))
}

/// The frame of a jump with these fields.
fn jump(id: u32, run_id: [u8; 16], seq: u32, press_ms: u32, dwell_ms: u32) -> ClientFrame {
    ClientFrame {
        id: RequestId(id),
        request: Request::Jump(JumpRequest {
            run_id: RunId::from_bytes(run_id),
            seq,
            press_ms,
            dwell_ms,
        }),
    }
}

/// A `u32` as bincode's varint encoding has it at `at`, which moves past it: one byte up to 250, else
/// a marker (251: two bytes follow, 252: four, little endian). bincode reads a longer form of a small
/// number too, and so does this.
fn varint_u32(bytes: &[u8], at: &mut usize) -> Option<u32> {
    let (value, used) = match *bytes.get(*at)? {
        byte @ 0..=250 => (u32::from(byte), 1),
        251 => {
            let two: [u8; 2] = bytes.get(*at + 1..*at + 3)?.try_into().ok()?;
            (u32::from(u16::from_le_bytes(two)), 3)
        }
        252 => {
            let four: [u8; 4] = bytes.get(*at + 1..*at + 5)?.try_into().ok()?;
            (u32::from_le_bytes(four), 5)
        }
        _ => return None,
    };
    *at += used;
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_length_of_varint() {
        for (bytes, value) in [
            (&[0u8][..], 0),
            (&[250], 250),
            (&[251, 0xfb, 0x00], 251),
            (&[251, 0x05, 0x00], 5),
            (&[252, 0x01, 0x00, 0x01, 0x00], 65_537),
        ] {
            let mut at = 0;
            assert_eq!(varint_u32(bytes, &mut at), Some(value), "{bytes:?}");
            assert_eq!(at, bytes.len());
        }
        for bytes in [
            &[][..],
            &[251, 1],
            &[252, 1, 2, 3],
            &[253, 0, 0, 0, 0, 0, 0, 0, 0],
        ] {
            assert_eq!(varint_u32(bytes, &mut 0), None, "{bytes:?}");
        }
    }

    use proptest::prelude::*;

    use crate::Codec;
    use crate::codec::bincode_config;
    use crate::limits::MAX_CLIENT_FRAME_BYTES;

    /// What serde makes of `bytes`, if it reads all of them as a frame.
    fn serde_decode(bytes: &[u8]) -> Option<ClientFrame> {
        let config = bincode_config::<{ 8 * MAX_CLIENT_FRAME_BYTES }>();
        match bincode::serde::decode_from_slice::<ClientFrame, _>(bytes, config) {
            Ok((frame, read)) if read == bytes.len() => Some(frame),
            _ => None,
        }
    }

    fn jump_frame() -> impl Strategy<Value = ClientFrame> {
        (
            any::<u32>(),
            any::<[u8; 16]>(),
            any::<u32>(),
            any::<u32>(),
            any::<u32>(),
        )
            .prop_map(|(id, run_id, seq, press_ms, dwell_ms)| {
                jump(id, run_id, seq, press_ms, dwell_ms)
            })
    }

    /// A varint's long forms, which bincode also reads: `value` as 251 and two bytes, or 252 and four.
    fn long_forms(value: u32) -> Vec<Vec<u8>> {
        let mut forms = vec![[&[252u8][..], &value.to_le_bytes()].concat()];
        if let Ok(short) = u16::try_from(value) {
            forms.push([&[251u8][..], &short.to_le_bytes()].concat());
        }
        forms
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn every_jump_frame_serde_writes_is_read_the_same(frame in jump_frame()) {
            let Ok(crate::WireFrame::Binary(bytes)) = Codec::Bincode.encode_client(&frame) else {
                panic!("a jump frame encodes");
            };
            prop_assert_eq!(decode(&bytes), Some(frame));
        }

        #[test]
        fn a_jump_frame_with_long_varints_is_read_as_serde_reads_it(
            frame in jump_frame(),
            which in 0usize..5,
        ) {
            let Request::Jump(jump) = &frame.request else { unreachable!() };
            let values = [frame.id.0, JUMP_VARIANT, jump.seq, jump.press_ms, jump.dwell_ms];
            for long in long_forms(values[which]) {
                let mut bytes = Vec::new();
                for (index, value) in values.iter().enumerate() {
                    if index == which {
                        bytes.extend_from_slice(&long);
                    } else {
                        let short = u8::try_from(*value).ok().filter(|byte| *byte <= 250);
                        match short {
                            Some(byte) => bytes.push(byte),
                            None => bytes.extend_from_slice(&long_forms(*value)[0]),
                        }
                    }
                    if index == 1 {
                        bytes.extend_from_slice(jump.run_id.as_bytes());
                    }
                }
                prop_assert_eq!(decode(&bytes), serde_decode(&bytes));
                prop_assert_eq!(decode(&bytes), Some(frame.clone()));
            }
        }

        #[test]
        fn whatever_it_reads_serde_reads_the_same(
            frame in jump_frame(),
            flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4),
            cut in any::<prop::sample::Index>(),
            tail in prop::collection::vec(any::<u8>(), 0..3),
        ) {
            let Ok(crate::WireFrame::Binary(mut bytes)) = Codec::Bincode.encode_client(&frame) else {
                panic!("a jump frame encodes");
            };
            for (index, value) in flips {
                let at = index.index(bytes.len());
                bytes[at] = value;
            }
            bytes.truncate(cut.index(bytes.len() + 1));
            bytes.extend_from_slice(&tail);
            let fast = decode(&bytes);
            let serde = serde_decode(&bytes);
            match &serde {
                // A jump serde reads, the fast path reads the same.
                Some(ClientFrame { request: Request::Jump(_), .. }) => prop_assert_eq!(fast, serde),
                // Anything else it leaves to serde.
                _ => prop_assert_eq!(fast, None),
            }
        }

        #[test]
        fn arbitrary_bytes_read_as_a_jump_are_one_for_serde(bytes in prop::collection::vec(any::<u8>(), 0..48)) {
            if let Some(frame) = decode(&bytes) {
                prop_assert_eq!(serde_decode(&bytes), Some(frame));
            }
        }
    }
}
