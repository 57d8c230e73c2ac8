//! A jump's answer encoded without serde. The answer to a jump is most of what the server sends, and
//! serde's bincode path spends about a thousand instructions on its 40-odd bytes: a call per field of
//! the outcome and the world. This writes the same bytes straight (`bincode_config`: little endian,
//! varint integers, zigzag for signed ones, enums as their variant index, `Option` and `bool` as a
//! byte) for the common answer, a jump that did not end the run; any other frame goes the serde way.
//! Written here rather than by bincode's own encoder for plain values (`bincode::encode_into_slice`
//! of the fields as tuples), which cost 856 instructions a frame against these 610 (callgrind,
//! BENCHMARKS.md, stop 28).
//! `tests/properties.rs` holds every frame's bytes to serde's
//! (`bincode_server_frames_are_the_bytes_serde_writes`).

use game_logic::{JumpOutcome, Platform, Point, World};

use crate::{JumpResult, RequestId, Response, ServerFrame};

/// `ServerFrame::Reply`'s variant index (variants keep their position forever).
const REPLY_VARIANT: u32 = 0;
/// `Response::JumpResult`'s variant index.
const JUMP_RESULT_VARIANT: u32 = 3;

/// The most such a frame takes: three varints of its header (up to 5 bytes each), six `u32`s (5), the
/// touch-down and the figure (two `i64`s of up to 9 bytes each), two platforms (a point, a shape, a
/// radius, an optional kind: 30), the direction and three flags.
const MAX_BYTES: usize = 15 + 30 + 18 + 18 + 60 + 4;

/// The bytes of `frame` if it answers a jump that did not end the run, in a buffer of their length
/// exactly (a WebSocket message takes such a buffer over without allocating, not one with room to
/// spare); `None` for any other frame.
pub(super) fn encode(frame: &ServerFrame) -> Option<Vec<u8>> {
    let ServerFrame::Reply {
        id: RequestId(id),
        response:
            Response::JumpResult(JumpResult {
                outcome,
                ended: None,
            }),
    } = frame
    else {
        return None;
    };
    // Written to the stack, then copied once: a push per byte into a vector checks its capacity on
    // every byte.
    let mut out = Out {
        bytes: [0; MAX_BYTES],
        len: 0,
    };
    let out = &mut out;
    varint(out, u64::from(REPLY_VARIANT));
    varint(out, u64::from(*id));
    varint(out, u64::from(JUMP_RESULT_VARIANT));
    self::outcome(out, outcome);
    // `ended`: None.
    out.push(0);
    Some(out.bytes[..out.len].to_vec())
}

/// A frame being written.
struct Out {
    bytes: [u8; MAX_BYTES],
    len: usize,
}

impl Out {
    /// Writes one byte. Within MAX_BYTES by construction; the index's bounds check holds it there
    /// regardless (one compare, where a slice of one byte cost two and a copy).
    #[inline(always)]
    fn push(&mut self, byte: u8) {
        self.bytes[self.len] = byte;
        self.len += 1;
    }

    /// Writes `N` bytes: a single store once inlined, the length being known.
    #[inline(always)]
    fn put<const N: usize>(&mut self, bytes: [u8; N]) {
        self.bytes[self.len..self.len + N].copy_from_slice(&bytes);
        self.len += N;
    }
}

#[inline(always)]
fn outcome(out: &mut Out, outcome: &JumpOutcome) {
    varint(out, u64::from(outcome.index));
    varint(out, outcome.landing as u64);
    varint(out, u64::from(outcome.points));
    varint(out, u64::from(outcome.bonus));
    varint(out, u64::from(outcome.combo));
    varint(out, u64::from(outcome.score));
    point(out, outcome.touchdown);
    world(out, &outcome.world);
    out.push(u8::from(outcome.game_over));
}

#[inline(always)]
fn world(out: &mut Out, world: &World) {
    point(out, world.figure);
    platform(out, &world.current);
    platform(out, &world.next);
    varint(out, world.direction as u64);
    out.push(u8::from(world.bonus_available));
}

#[inline(always)]
fn platform(out: &mut Out, platform: &Platform) {
    point(out, platform.centre);
    varint(out, platform.shape as u64);
    signed(out, platform.radius);
    match platform.special {
        None => out.push(0),
        Some(kind) => {
            out.push(1);
            varint(out, kind as u64);
        }
    }
}

#[inline(always)]
fn point(out: &mut Out, point: Point) {
    signed(out, point.x);
    signed(out, point.z);
}

/// bincode's zigzag form of a signed integer.
#[inline(always)]
fn signed(out: &mut Out, value: i64) {
    let zigzag = if value < 0 {
        !(value as u64) * 2 + 1
    } else {
        (value as u64) * 2
    };
    varint(out, zigzag);
}

/// bincode's varint: one byte up to 250, else a marker (251, 252, 253) and two, four or eight bytes,
/// little endian.
#[inline(always)]
fn varint(out: &mut Out, value: u64) {
    if value <= 250 {
        out.push(value as u8);
    } else if let Ok(two) = u16::try_from(value) {
        out.push(251);
        out.put(two.to_le_bytes());
    } else if let Ok(four) = u32::try_from(value) {
        out.push(252);
        out.put(four.to_le_bytes());
    } else {
        out.push(253);
        out.put(value.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use game_logic::{Direction, Landing, Shape, SpecialKind};

    use super::*;
    use crate::codec::bincode_config;
    use crate::limits::MAX_SERVER_FRAME_BYTES;

    /// Every field at its longest encoding still fits the stack buffer, and is serde's bytes.
    #[test]
    fn the_longest_answer_fits_and_is_serdes() {
        let far = Point {
            x: i64::MIN,
            z: i64::MAX,
        };
        let platform = Platform {
            centre: far,
            shape: Shape::Cylinder,
            radius: i64::MIN,
            special: Some(SpecialKind::ManholeCover),
        };
        let frame = ServerFrame::Reply {
            id: RequestId(u32::MAX),
            response: Response::JumpResult(JumpResult {
                outcome: JumpOutcome {
                    index: u32::MAX,
                    landing: Landing::Fell,
                    points: u32::MAX,
                    bonus: u32::MAX,
                    combo: u32::MAX,
                    score: u32::MAX,
                    touchdown: far,
                    world: World {
                        figure: far,
                        current: platform,
                        next: platform,
                        direction: Direction::Left,
                        bonus_available: true,
                    },
                    game_over: true,
                },
                ended: None,
            }),
        };
        let serde =
            bincode::serde::encode_to_vec(&frame, bincode_config::<MAX_SERVER_FRAME_BYTES>())
                .expect("serde encodes it");
        assert_eq!(serde.len(), 133);
        assert_eq!(encode(&frame), Some(serde));
    }
}
