//! The run's input log as stored in Redis: a few bytes per jump, appended as the run goes.
//!
//! Each jump is 8 bytes, `press_ms` then `dwell_ms`, both little-endian `u32`: an ended run's log is these
//! records. A live run's log (while it is played) is one 16-byte entry per jump, the record then the unix ms
//! it came (little-endian `u64`), so a jump's checkpoint is one `APPEND` that also carries the time of the
//! run's last jump, which the timing checks and the idle sweeper read. Fixed sizes make either log's length
//! a count of jumps, which the checkpoint uses to find a log Redis lost writes of, and keep decoding
//! allocation-free past one `Vec`.

use game_logic::Jump;
use thiserror::Error;

/// Bytes one jump takes in the log.
pub(crate) const RECORD_BYTES: usize = 8;

/// Bytes one jump takes in a live run's log: its record, then the unix ms it came.
pub(crate) const LIVE_ENTRY_BYTES: usize = RECORD_BYTES + 8;

/// A stored log whose length is not a whole number of entries: the key was written by something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the stored input log has {len} bytes, not a multiple of {entry_bytes}")]
pub struct CorruptLog {
    /// Length of the stored value.
    pub len: usize,
    /// Bytes per jump of the layout it was read as (8 for an ended run's, 16 for a live one's).
    pub entry_bytes: usize,
}

/// One jump's record.
pub fn encode(jump: Jump) -> [u8; RECORD_BYTES] {
    let mut record = [0; RECORD_BYTES];
    record[..4].copy_from_slice(&jump.press_ms.to_le_bytes());
    record[4..].copy_from_slice(&jump.dwell_ms.to_le_bytes());
    record
}

/// Several jumps' records, concatenated (an offline run's chunk, an ended run's last jumps).
pub(crate) fn encode_all(jumps: &[Jump]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(jumps.len() * RECORD_BYTES);
    for jump in jumps {
        bytes.extend_from_slice(&encode(*jump));
    }
    bytes
}

/// The live-log entries of `jumps` arriving at `now_ms`: what one checkpoint appends.
pub(crate) fn encode_live(jumps: &[Jump], now_ms: u64) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(jumps.len() * LIVE_ENTRY_BYTES);
    encode_live_into(jumps, now_ms, &mut bytes);
    bytes
}

/// [`encode_live`] appended to `bytes`, `LIVE_ENTRY_BYTES` per jump: a checkpoint writes them straight
/// into its request.
pub(crate) fn encode_live_into(jumps: &[Jump], now_ms: u64, bytes: &mut Vec<u8>) {
    for jump in jumps {
        let mut entry = [0; LIVE_ENTRY_BYTES];
        entry[..RECORD_BYTES].copy_from_slice(&encode(*jump));
        entry[RECORD_BYTES..].copy_from_slice(&now_ms.to_le_bytes());
        bytes.extend_from_slice(&entry);
    }
}

/// The jumps of a live run's log, and the unix ms its last jump came (`None` while it has none).
pub fn decode_live(bytes: &[u8]) -> Result<(Vec<Jump>, Option<u64>), CorruptLog> {
    let (entries, rest) = bytes.as_chunks::<LIVE_ENTRY_BYTES>();
    if !rest.is_empty() {
        return Err(CorruptLog {
            len: bytes.len(),
            entry_bytes: LIVE_ENTRY_BYTES,
        });
    }
    let last_ms = entries.last().map(|entry| {
        let [_, _, _, _, _, _, _, _, time @ ..] = entry;
        u64::from_le_bytes(*time)
    });
    let jumps = entries
        .iter()
        .map(|entry| {
            let [record @ .., _, _, _, _, _, _, _, _] = entry;
            decode_record(record)
        })
        .collect();
    Ok((jumps, last_ms))
}

/// One record's jump.
fn decode_record(&[p0, p1, p2, p3, d0, d1, d2, d3]: &[u8; RECORD_BYTES]) -> Jump {
    Jump {
        press_ms: u32::from_le_bytes([p0, p1, p2, p3]),
        dwell_ms: u32::from_le_bytes([d0, d1, d2, d3]),
    }
}

/// The jumps of an ended run's log (records only).
pub fn decode(bytes: &[u8]) -> Result<Vec<Jump>, CorruptLog> {
    let (records, rest) = bytes.as_chunks::<RECORD_BYTES>();
    if !rest.is_empty() {
        return Err(CorruptLog {
            len: bytes.len(),
            entry_bytes: RECORD_BYTES,
        });
    }
    Ok(records.iter().map(decode_record).collect())
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
        assert_eq!(
            decode(&[1, 2, 3]),
            Err(CorruptLog {
                len: 3,
                entry_bytes: RECORD_BYTES
            })
        );
        assert_eq!(
            decode_live(&[0; 24]),
            Err(CorruptLog {
                len: 24,
                entry_bytes: LIVE_ENTRY_BYTES
            })
        );
    }

    #[test]
    fn a_live_log_holds_each_record_then_the_time_it_came() {
        let jumps = [
            Jump {
                press_ms: 706,
                dwell_ms: 400,
            },
            Jump {
                press_ms: 800,
                dwell_ms: 300,
            },
        ];
        let mut log = encode_live(&jumps[..1], 5_000);
        log.extend(encode_live(&jumps[1..], 7_000));
        assert_eq!(log.len(), 2 * LIVE_ENTRY_BYTES);
        assert_eq!(&log[..8], &encode(jumps[0]));
        assert_eq!(&log[8..16], &5_000_u64.to_le_bytes());
        assert_eq!(decode_live(&log), Ok((jumps.to_vec(), Some(7_000))));
        assert_eq!(decode_live(&[]), Ok((Vec::new(), None)));
    }
}
