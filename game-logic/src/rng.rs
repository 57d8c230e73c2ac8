//! The game's pseudo-random number generator: PCG32 (XSH-RR, 64-bit state, 32-bit output).
//!
//! The generator is implemented here rather than taken from a crate so that its stream is part of this
//! crate's contract and is spelled out in `RULES.md`: a client in any language reproduces it from the spec.
//! It is bit-identical to `rand_pcg::Pcg32` and to the PCG reference `pcg32_srandom_r` / `pcg32_random_r`
//! (checked by a unit test), and its bounded draw is the reference `pcg32_boundedrand_r`.

use serde::{Deserialize, Serialize};

/// The PCG multiplier (Knuth's MMIX LCG constant), as in the reference implementation.
const MULTIPLIER: u64 = 6_364_136_223_846_793_005;

/// PCG32 state. `Clone` so a session can be forked, never `Default`: every stream has an explicit seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pcg32 {
    state: u64,
    increment: u64,
}

impl Pcg32 {
    /// Seeds a generator exactly like the reference `pcg32_srandom_r(seed, stream)`.
    pub const fn new(seed: u64, stream: u64) -> Self {
        let increment = (stream << 1) | 1;
        let mut rng = Pcg32 {
            state: seed.wrapping_add(increment),
            increment,
        };
        rng.step();
        rng
    }

    const fn step(&mut self) {
        self.state = self
            .state
            .wrapping_mul(MULTIPLIER)
            .wrapping_add(self.increment);
    }

    /// The next 32-bit output (XSH-RR of the state before the step).
    pub const fn next_u32(&mut self) -> u32 {
        let old = self.state;
        self.step();
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        let rotation = (old >> 59) as u32;
        xorshifted.rotate_right(rotation)
    }

    /// A uniform draw in `0..bound` without modulo bias (reference `pcg32_boundedrand_r`): outputs below
    /// `2^32 mod bound` are rejected and drawn again. A `bound` of 0 or 1 returns 0 without drawing.
    pub const fn next_below(&mut self, bound: u32) -> u32 {
        if bound <= 1 {
            return 0;
        }
        let threshold = bound.wrapping_neg() % bound;
        loop {
            let x = self.next_u32();
            if x >= threshold {
                return x % bound;
            }
        }
    }

    /// A uniform draw in `low..=high` (`high >= low`), consuming draws exactly like
    /// `low + next_below(high - low + 1)`.
    pub const fn next_in(&mut self, low: u32, high: u32) -> u32 {
        low + self.next_below(high - low + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_pcg_reference_demo_output() {
        // `pcg32-demo` from pcg-random.org seeds with (42, 54) and prints these first six outputs.
        let mut rng = Pcg32::new(42, 54);
        let expected = [
            0xa15c_02b7,
            0x7b47_f409,
            0xba1d_3330,
            0x83d2_f293,
            0xbfa4_784b,
            0xcbed_606e,
        ];
        for want in expected {
            assert_eq!(rng.next_u32(), want);
        }
    }

    #[test]
    fn matches_rand_pcg_stream() {
        use rand_pcg::rand_core::RngCore;
        for (seed, stream) in [(0, 0), (1, 54), (u64::MAX, 7), (0xdead_beef, 0xb07)] {
            let mut ours = Pcg32::new(seed, stream);
            let mut theirs = rand_pcg::Pcg32::new(seed, stream);
            for _ in 0..1000 {
                assert_eq!(ours.next_u32(), theirs.next_u32());
            }
        }
    }

    #[test]
    fn bounded_draws_stay_in_range_and_cover_it() {
        let mut rng = Pcg32::new(7, 1);
        let mut seen = [false; 7];
        for _ in 0..1000 {
            let x = rng.next_below(7);
            assert!(x < 7);
            seen[x as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(rng.next_below(0), 0);
        assert_eq!(rng.next_below(1), 0);
        for _ in 0..100 {
            let x = rng.next_in(250, 600);
            assert!((250..=600).contains(&x));
        }
    }

    #[test]
    fn bounded_draw_rejects_the_biased_tail() {
        // bound = 2^31 + 1: threshold is 2^31 - 1, so every output below it is redrawn.
        let bound = (1u32 << 31) + 1;
        let mut a = Pcg32::new(3, 3);
        let mut b = a.clone();
        let got = a.next_below(bound);
        let mut want = b.next_u32();
        while want < bound.wrapping_neg() % bound {
            want = b.next_u32();
        }
        assert_eq!(got, want % bound);
        assert_eq!(a, b);
    }
}
