//! A token bucket per connection: `rate` messages per second sustained, `burst` at once. Refusals are
//! counted in a sliding window; past the abuse threshold the connection is closed.

use std::time::{Duration, Instant};

/// What the limiter says of one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Handle it.
    Allow,
    /// Answer `rate_limited` and drop it.
    Limit,
    /// Too many refusals: close the connection.
    Abuse,
}

/// Window over which refusals are counted.
const ABUSE_WINDOW: Duration = Duration::from_secs(10);

/// One connection's bucket.
#[derive(Debug, Clone)]
pub(crate) struct RateLimiter {
    rate_per_second: f64,
    burst: f64,
    tokens: f64,
    refilled_at: Instant,
    refusals: u32,
    window_start: Instant,
    abuse_threshold: u32,
}

impl RateLimiter {
    /// A full bucket.
    pub(crate) fn new(
        rate_per_second: u32,
        burst: u32,
        abuse_threshold: u32,
        now: Instant,
    ) -> RateLimiter {
        RateLimiter {
            rate_per_second: f64::from(rate_per_second),
            burst: f64::from(burst),
            tokens: f64::from(burst),
            refilled_at: now,
            refusals: 0,
            window_start: now,
            abuse_threshold,
        }
    }

    /// Takes a token for a message arriving at `now`.
    pub(crate) fn check(&mut self, now: Instant) -> Verdict {
        let elapsed = now
            .saturating_duration_since(self.refilled_at)
            .as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate_per_second).min(self.burst);
        self.refilled_at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return Verdict::Allow;
        }
        if now.saturating_duration_since(self.window_start) > ABUSE_WINDOW {
            self.window_start = now;
            self.refusals = 0;
        }
        self.refusals += 1;
        if self.refusals > self.abuse_threshold {
            Verdict::Abuse
        } else {
            Verdict::Limit
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_passes_then_the_rate_applies() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(10, 3, 100, start);
        assert_eq!(limiter.check(start), Verdict::Allow);
        assert_eq!(limiter.check(start), Verdict::Allow);
        assert_eq!(limiter.check(start), Verdict::Allow);
        assert_eq!(limiter.check(start), Verdict::Limit);
        // 100 ms at 10 per second refills one token.
        assert_eq!(
            limiter.check(start + Duration::from_millis(100)),
            Verdict::Allow
        );
        assert_eq!(
            limiter.check(start + Duration::from_millis(100)),
            Verdict::Limit
        );
    }

    #[test]
    fn sustained_refusals_become_abuse() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(1, 1, 3, start);
        assert_eq!(limiter.check(start), Verdict::Allow);
        for _ in 0..3 {
            assert_eq!(limiter.check(start), Verdict::Limit);
        }
        assert_eq!(limiter.check(start), Verdict::Abuse);
    }

    #[test]
    fn refusals_are_forgotten_after_the_window() {
        let start = Instant::now();
        let mut limiter = RateLimiter::new(1, 1, 1, start);
        assert_eq!(limiter.check(start), Verdict::Allow);
        assert_eq!(limiter.check(start), Verdict::Limit);
        let later = start + ABUSE_WINDOW + Duration::from_millis(1);
        assert_eq!(limiter.check(later), Verdict::Allow);
        assert_eq!(limiter.check(later), Verdict::Limit);
    }
}
