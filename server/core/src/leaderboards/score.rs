//! How a board entry is stored as a Redis sorted-set score: the best score and, for ties, when it was
//! reached (earlier first), packed into one integer that a double holds exactly.
//!
//! `encoded = score * 2^30 + (2^30 - 1 - seconds since 2024-01-01)`. Higher is better; among equal scores
//! the earlier time has the larger complement and ranks first, and `ZADD GT` keeps the first time a score
//! was reached. Limits: scores up to 2^23 - 1 = 8,388,607 (ruleset 1 cannot exceed 100,000 jumps x 62 =
//! 6,200,000), times from 2024-01-01 to 2058-01-08 in whole seconds; the product stays below 2^53, where
//! every integer is exact in a double. Two players reaching one score within the same second tie exactly,
//! and Redis then orders them by player id.

/// 2024-01-01T00:00:00Z in unix seconds.
pub const EPOCH_SECONDS: u64 = 1_704_067_200;
const TIME_BITS: u32 = 30;
const TIME_SPAN: u64 = 1 << TIME_BITS;
/// The largest score a board can hold.
pub const MAX_SCORE: u32 = (1 << 23) - 1;

/// Packs a score reached at `reached_ms` (unix ms). Out-of-range inputs are clamped to the limits.
pub fn encode(score: u32, reached_ms: u64) -> u64 {
    let score = u64::from(score.min(MAX_SCORE));
    let seconds = (reached_ms / 1000)
        .saturating_sub(EPOCH_SECONDS)
        .min(TIME_SPAN - 1);
    score * TIME_SPAN + (TIME_SPAN - 1 - seconds)
}

/// Unpacks a stored value into the score and the unix ms it was reached (whole seconds).
pub fn decode(encoded: u64) -> (u32, u64) {
    let score = u32::try_from(encoded / TIME_SPAN).unwrap_or(MAX_SCORE);
    let seconds = TIME_SPAN - 1 - encoded % TIME_SPAN;
    (score, (EPOCH_SECONDS + seconds) * 1000)
}

/// Reads a Redis score (a double) as the packed integer.
pub fn from_redis(score: f64) -> u64 {
    if score.is_finite() && score >= 0.0 {
        score as u64
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const NOV_2026_MS: u64 = 1_795_392_000_000;

    #[test]
    fn higher_scores_rank_higher_and_earlier_ties_rank_first() {
        assert!(encode(101, NOV_2026_MS + 50_000) > encode(100, NOV_2026_MS));
        assert!(encode(100, NOV_2026_MS) > encode(100, NOV_2026_MS + 1_000));
        assert_eq!(
            encode(100, NOV_2026_MS),
            encode(100, NOV_2026_MS + 999),
            "whole seconds"
        );
    }

    #[test]
    fn the_largest_value_is_exact_in_a_double() {
        let largest = encode(MAX_SCORE, EPOCH_SECONDS * 1000);
        assert!(largest < 1 << 53);
        assert_eq!(largest as f64 as u64, largest);
        assert_eq!(encode(u32::MAX, 0), encode(MAX_SCORE, 0), "clamped");
    }

    proptest! {
        #[test]
        fn decoding_inverts_encoding(score in 0..=MAX_SCORE, seconds in 0u64..(1 << 30)) {
            let reached_ms = (EPOCH_SECONDS + seconds) * 1000;
            let encoded = encode(score, reached_ms);
            prop_assert_eq!(decode(from_redis(encoded as f64)), (score, reached_ms));
        }

        #[test]
        fn order_is_score_then_earlier_time(a in 0..=MAX_SCORE, b in 0..=MAX_SCORE, ta in 0u64..1_000_000, tb in 0u64..1_000_000) {
            let (ma, mb) = ((EPOCH_SECONDS + ta) * 1000, (EPOCH_SECONDS + tb) * 1000);
            let expected = a.cmp(&b).then(tb.cmp(&ta));
            prop_assert_eq!(encode(a, ma).cmp(&encode(b, mb)), expected);
        }
    }
}
