//! The run's input log as stored in Redis: a few bytes per jump, appended as the run goes.
//!
//! Each jump is 8 bytes, `press_ms` then `dwell_ms`, both little-endian `u32`. Fixed-size records make the
//! log's length a count of jumps (`STRLEN / 8`), which the append script uses to refuse a jump recorded out
//! of sequence, and keep decoding allocation-free past one `Vec`.

use game_logic::Jump;
use thiserror::Error;

/// Bytes one jump takes in the log.
pub(crate) const RECORD_BYTES: usize = 8;

/// A stored log whose length is not a whole number of records: the key was written by something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the stored input log has {len} bytes, not a multiple of {RECORD_BYTES}")]
pub struct CorruptLog {
    /// Length of the stored value.
    pub len: usize,
}

/// One jump's record.
pub fn encode(jump: Jump) -> [u8; RECORD_BYTES] {
    let mut record = [0; RECORD_BYTES];
    record[..4].copy_from_slice(&jump.press_ms.to_le_bytes());
    record[4..].copy_from_slice(&jump.dwell_ms.to_le_bytes());
    record
}

/// Several jumps' records, concatenated (an offline run's chunk).
pub(crate) fn encode_all(jumps: &[Jump]) -> Vec<u8> {
    // One record more of room: a live log's write appends its 8-byte trailer.
    let mut bytes = Vec::with_capacity((jumps.len() + 1) * RECORD_BYTES);
    for jump in jumps {
        bytes.extend_from_slice(&encode(*jump));
    }
    bytes
}

/// The jumps of a stored log.
pub fn decode(bytes: &[u8]) -> Result<Vec<Jump>, CorruptLog> {
    let (records, rest) = bytes.as_chunks::<RECORD_BYTES>();
    if !rest.is_empty() {
        return Err(CorruptLog { len: bytes.len() });
    }
    Ok(records
        .iter()
        .map(|&[p0, p1, p2, p3, d0, d1, d2, d3]| Jump {
            press_ms: u32::from_le_bytes([p0, p1, p2, p3]),
            dwell_ms: u32::from_le_bytes([d0, d1, d2, d3]),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_has_a_fixed_layout() {
        let jumps = [
            Jump {
                press_ms: 706,
                dwell_ms: 400,
            },
            Jump {
                press_ms: 10_000,
                dwell_ms: 600_000,
            },
        ];
        let bytes = encode_all(&jumps);
        assert_eq!(bytes.len(), 16);
        assert_eq!(&bytes[..8], &[0xc2, 0x02, 0, 0, 0x90, 0x01, 0, 0]);
        assert_eq!(decode(&bytes), Ok(jumps.to_vec()));
        assert_eq!(decode(&[]), Ok(Vec::new()));
    }

    #[test]
    fn a_torn_log_is_refused() {
        assert_eq!(decode(&[1, 2, 3]), Err(CorruptLog { len: 3 }));
    }
}
