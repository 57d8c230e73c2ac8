//! Seeds solved for from the game stream: PCG32's state after `k` steps is an invertible affine function of
//! the seed, so for any draw number there are seeds that put a chosen output there. The vector generator and
//! the cross-check use it to make `next_below` reject a draw of their choice, which random seeds do only
//! about once in 10^5 runs (and a draw below 3 once in 4 * 10^9).

use game_logic::Pcg32;

/// The PCG multiplier, as in `RULES.md` section 4.
const MULTIPLIER: u64 = 6_364_136_223_846_793_005;

/// The inverse of an odd number modulo 2^64, by Newton's iteration (each step doubles the correct bits,
/// from 3 for any odd number to 96).
const fn inverse(odd: u64) -> u64 {
    let mut x = odd;
    let mut step = 0;
    while step < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(x)));
        step += 1;
    }
    x
}

/// A seed whose stream `stream` outputs `output` (below 2^18) at draw number `draw` (0-based); `variant`
/// (below 2^27) picks one of the many such seeds.
pub(crate) fn seed_drawing(stream: u64, draw: usize, output: u32, variant: u32) -> u64 {
    assert!(output < 1 << 18 && variant < 1 << 27);
    let increment = (stream << 1) | 1;
    let back = inverse(MULTIPLIER);
    // XSH-RR of this state is `output`: rotation 0 (bits 59..63 clear), bits 27..44 hold the output, bits
    // 45..58 are clear so the xorshift adds nothing, and the 27 low bits are shifted out.
    let mut state = (u64::from(output) << 27) | u64::from(variant);
    for _ in 0..draw {
        state = state.wrapping_sub(increment).wrapping_mul(back);
    }
    // The first output comes from `(seed + increment) * MULTIPLIER + increment`.
    let seed = state
        .wrapping_sub(increment)
        .wrapping_mul(back)
        .wrapping_sub(increment);
    let mut check = Pcg32::new(seed, stream);
    for _ in 0..draw {
        check.next_u32();
    }
    assert_eq!(check.next_u32(), output, "solved seed {seed}");
    seed
}
