//! A kept best run as one Redis string: a fixed 64-byte header, then the inputs as the run's log holds
//! them (8 bytes a jump). One string per period instead of a hash of seven fields: `keep_best.lua`
//! compares and replaces it with two commands (`GETRANGE` of the packed score, `SET ... PXAT`) instead of
//! four, and it takes about a third of the hash's memory for a short run.
//!
//! Layout 1 (every layout keeps the version at byte 0 and the packed score at bytes 1 to 16, which the
//! scripts read):
//!
//! | bytes | what |
//! |---|---|
//! | 0 | layout version, 1 |
//! | 1..17 | the packed score as on the boards, 16 ASCII digits, zero-padded (below 2^53) |
//! | 17..25 | the course's seed, u64 little-endian |
//! | 25..27 | the ruleset version, u16 little-endian |
//! | 27..31 | the run's jumps in all (the log may keep fewer), u32 little-endian |
//! | 31..47 | the run id |
//! | 47 | 1 once shared as a challenge, else 0 (`mark_shared.lua` writes bytes 47..64) |
//! | 48..64 | the challenge id, zeros when not shared |
//! | 64.. | the inputs, 8 bytes a jump |

use protocol::{ChallengeId, RunId};

/// The layout this build writes and reads.
pub(crate) const LAYOUT: u8 = 1;
/// The header's length: the inputs start here.
pub(crate) const HEADER_BYTES: usize = 64;
/// Where the run id starts (given to `mark_shared.lua`, which compares it).
pub(crate) const RUN_AT: usize = 31;
/// Where the shared flag starts, followed by the challenge id (given to `mark_shared.lua`, which
/// writes them there).
pub(crate) const SHARED_AT: usize = 47;
/// The packed score's digits.
const PACKED_DIGITS: usize = 16;

/// A kept best run, as written and read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BestRecord<'a> {
    /// The packed score (`leaderboards::score`), below 2^53.
    pub packed: u64,
    /// The course's seed.
    pub seed: u64,
    /// The ruleset version.
    pub ruleset: u16,
    /// How many jumps the run made (the log may keep fewer).
    pub jumps_total: u32,
    /// The run.
    pub run_id: RunId,
    /// The challenge it was shared as, if any.
    pub challenge: Option<ChallengeId>,
    /// The inputs kept, 8 bytes a jump.
    pub log: &'a [u8],
}

impl BestRecord<'_> {
    /// The record in layout 1.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(HEADER_BYTES + self.log.len());
        bytes.push(LAYOUT);
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(self.packed.min(MAX_PACKED));
        bytes.resize(1 + PACKED_DIGITS - digits.len(), b'0');
        bytes.extend_from_slice(digits.as_bytes());
        bytes.extend_from_slice(&self.seed.to_le_bytes());
        bytes.extend_from_slice(&self.ruleset.to_le_bytes());
        bytes.extend_from_slice(&self.jumps_total.to_le_bytes());
        bytes.extend_from_slice(self.run_id.as_bytes());
        match self.challenge {
            Some(challenge) => bytes.extend_from_slice(&shared_as(challenge)),
            None => bytes.resize(HEADER_BYTES, 0),
        }
        debug_assert_eq!(bytes.len(), HEADER_BYTES);
        bytes.extend_from_slice(self.log);
        bytes
    }

    /// The record in `bytes`, or what is wrong with it.
    pub(crate) fn decode(bytes: &[u8]) -> Result<BestRecord<'_>, String> {
        let Some((&layout, _)) = bytes.split_first() else {
            return Err("the record is empty".to_owned());
        };
        if layout != LAYOUT {
            return Err(format!(
                "the record is in layout {layout}, this node reads layout {LAYOUT}"
            ));
        }
        if bytes.len() < HEADER_BYTES {
            return Err(format!(
                "the record is {} bytes, shorter than its {HEADER_BYTES}-byte header",
                bytes.len()
            ));
        }
        let (header, log) = bytes.split_at(HEADER_BYTES);
        let packed = std::str::from_utf8(&header[1..1 + PACKED_DIGITS])
            .ok()
            .and_then(|digits| digits.parse::<u64>().ok())
            .ok_or_else(|| "the packed score is not a number".to_owned())?;
        let array = |at: usize| -> [u8; 16] {
            let mut id = [0; 16];
            id.copy_from_slice(&header[at..at + 16]);
            id
        };
        let challenge = match header[SHARED_AT] {
            0 => None,
            1 => Some(ChallengeId::from_bytes(array(SHARED_AT + 1))),
            other => return Err(format!("the shared flag is {other}, not 0 or 1")),
        };
        Ok(BestRecord {
            packed,
            seed: u64::from_le_bytes(header[17..25].try_into().unwrap_or_default()),
            ruleset: u16::from_le_bytes(header[25..27].try_into().unwrap_or_default()),
            jumps_total: u32::from_le_bytes(header[27..31].try_into().unwrap_or_default()),
            run_id: RunId::from_bytes(array(RUN_AT)),
            challenge,
            log,
        })
    }
}

/// Bytes `SHARED_AT..HEADER_BYTES` of a best shared as `challenge`: the flag, then the id. Written by
/// [`BestRecord::encode`], and in place by `mark_shared.lua`.
pub(crate) fn shared_as(challenge: ChallengeId) -> [u8; HEADER_BYTES - SHARED_AT] {
    let mut bytes = [0; HEADER_BYTES - SHARED_AT];
    bytes[0] = 1;
    bytes[1..].copy_from_slice(challenge.as_bytes());
    bytes
}

/// The largest packed score 16 digits hold; every packed score is below 2^53, which is smaller.
const MAX_PACKED: u64 = 9_999_999_999_999_999;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn record(log: &[u8]) -> BestRecord<'_> {
        BestRecord {
            packed: crate::leaderboards::score::encode(1234, 1_764_000_000_000),
            seed: 0x0123_4567_89ab_cdef,
            ruleset: 1,
            jumps_total: 7,
            run_id: RunId::from_bytes([7; 16]),
            challenge: None,
            log,
        }
    }

    #[test]
    fn a_record_has_its_header_then_the_log() {
        let log = [1u8, 2, 3, 4, 5, 6, 7, 8];
        let bytes = record(&log).encode();
        assert_eq!(bytes.len(), HEADER_BYTES + 8);
        assert_eq!(bytes[0], LAYOUT);
        let packed = crate::leaderboards::score::encode(1234, 1_764_000_000_000);
        assert_eq!(&bytes[1..17], format!("{packed:016}").as_bytes());
        assert_eq!(&bytes[RUN_AT..RUN_AT + 16], &[7; 16]);
        assert_eq!(&bytes[SHARED_AT..HEADER_BYTES], &[0; 17]);
        assert_eq!(&bytes[HEADER_BYTES..], &log);
    }

    #[test]
    fn a_shared_record_names_its_challenge() {
        let challenge = ChallengeId::from_bytes([9; 16]);
        let shared = BestRecord {
            challenge: Some(challenge),
            ..record(&[])
        };
        let bytes = shared.encode();
        assert_eq!(bytes[SHARED_AT], 1);
        assert_eq!(BestRecord::decode(&bytes).unwrap(), shared);
    }

    #[test]
    fn a_record_of_another_layout_or_cut_short_is_refused() {
        let mut bytes = record(&[]).encode();
        assert!(BestRecord::decode(&bytes[..HEADER_BYTES - 1]).is_err());
        assert!(BestRecord::decode(&[]).is_err());
        bytes[SHARED_AT] = 2;
        assert!(BestRecord::decode(&bytes).is_err());
        bytes[0] = 2;
        let refused = BestRecord::decode(&bytes).unwrap_err();
        assert!(refused.contains("layout 2"), "{refused}");
    }

    proptest! {
        #[test]
        fn every_record_reads_back_as_written(
            score in 0u32..=crate::leaderboards::score::MAX_SCORE,
            at_ms in 1_704_067_200_000u64..2_900_000_000_000,
            seed in any::<u64>(),
            ruleset in any::<u16>(),
            jumps_total in any::<u32>(),
            run in any::<[u8; 16]>(),
            challenge in proptest::option::of(any::<[u8; 16]>()),
            log in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            let written = BestRecord {
                packed: crate::leaderboards::score::encode(score, at_ms),
                seed,
                ruleset,
                jumps_total,
                run_id: RunId::from_bytes(run),
                challenge: challenge.map(ChallengeId::from_bytes),
                log: &log,
            };
            let bytes = written.encode();
            prop_assert_eq!(BestRecord::decode(&bytes).unwrap(), written.clone());
            // The scripts compare the 16 digits as a number: the same order as the packed scores.
            let digits: u64 = std::str::from_utf8(&bytes[1..17]).unwrap().parse().unwrap();
            prop_assert_eq!(digits, written.packed);
        }
    }
}
