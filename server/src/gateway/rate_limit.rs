//! Rate limits of the gateway. A player's messages, on every connection they hold here, draw on one
//! bucket (`governor`'s GCRA: `--rate-per-second` sustained, `--rate-burst` at once), so reconnecting
//! does not refill it; across nodes the same rate holds over the windows of the cluster-wide budget
//! (`player_budget`, asked after this bucket). A connection that has not authenticated has a small
//! bucket of its own. Control frames (pings, pongs) draw on the same bucket as messages. Refusals are
//! counted per connection in a sliding window; past the abuse threshold the connection is closed. New
//! WebSocket upgrades may be limited per source address (`--upgrades-per-ip-per-second`, off by
//! default).
//!
//! A connection finds its player's bucket once, when it first sends as that player, and then holds it
//! (`per_player`): every message is checked against that bucket without looking the player up again.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, NotUntil, Quota, RateLimiter};
use protocol::PlayerId;

use super::per_player::{Held, PerPlayer};
use crate::config::ConnectionConfig;

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

/// Messages per second a connection may send before it authenticates, sustained: a `hello`, a ping or
/// two. A flood of bad tokens is refused, then closed as abuse.
const UNAUTHENTICATED_PER_SECOND: u32 = 2;

/// Messages a connection may send at once before it authenticates.
const UNAUTHENTICATED_BURST: u32 = 5;

/// `rate` per second with bursts of `burst`; both at least 1.
pub(crate) fn quota(rate: u32, burst: u32) -> Quota {
    let nonzero = |value: u32| NonZeroU32::new(value).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(nonzero(rate)).allow_burst(nonzero(burst))
}

/// How long a refused caller should wait before trying again (at least a second, for `Retry-After`).
pub(crate) fn retry_after(not_until: &NotUntil<<DefaultClock as Clock>::Instant>) -> Duration {
    not_until
        .wait_time_from(DefaultClock::default().now())
        .max(Duration::from_secs(1))
}

/// The node's rate limits, shared by every connection.
pub(crate) struct RateLimits {
    quota: Quota,
    players: PerPlayer<DefaultDirectRateLimiter>,
    /// How long an emptied bucket takes to fill again: a bucket no connection holds is kept this long
    /// after the last one let it go, then forgotten (a new one would be full).
    refill: Duration,
    upgrades: Option<DefaultKeyedRateLimiter<IpAddr>>,
    abuse_threshold: u32,
}

impl RateLimits {
    /// The limits `config` sets.
    pub(crate) fn new(config: &ConnectionConfig) -> RateLimits {
        RateLimits::with(
            quota(config.rate_per_second, config.rate_burst),
            config
                .upgrades_per_ip
                .map(|(rate, burst)| RateLimiter::dashmap(quota(rate, burst))),
            config.abuse_threshold,
        )
    }

    fn with(
        quota: Quota,
        upgrades: Option<DefaultKeyedRateLimiter<IpAddr>>,
        abuse_threshold: u32,
    ) -> RateLimits {
        RateLimits {
            quota,
            players: PerPlayer::new(),
            refill: quota.replenish_interval() * quota.burst_size().get(),
            upgrades,
            abuse_threshold,
        }
    }

    /// A new connection's limiter.
    pub(crate) fn connection(&self, now: Instant) -> ConnectionLimiter {
        ConnectionLimiter {
            unauthenticated: RateLimiter::direct(quota(
                UNAUTHENTICATED_PER_SECOND,
                UNAUTHENTICATED_BURST,
            )),
            player: Held::default(),
            refusals: 0,
            window_start: now,
            abuse_threshold: self.abuse_threshold,
        }
    }

    /// Takes an upgrade from `address`; how long to wait when there are too many.
    pub(crate) fn upgrade(&self, address: IpAddr) -> Result<(), Duration> {
        match &self.upgrades {
            Some(limiter) => limiter
                .check_key(&address)
                .map_err(|not_until| retry_after(&not_until)),
            None => Ok(()),
        }
    }

    /// Forgets players no connection here holds whose buckets are full again, and addresses whose
    /// buckets are, so the maps hold only recent senders.
    pub(crate) fn forget_idle(&self) {
        // Counted in whole ms, as the release is.
        self.players
            .retain(|_, released| released.as_millis() < self.refill.as_millis());
        if let Some(upgrades) = &self.upgrades {
            upgrades.retain_recent();
            upgrades.shrink_to_fit();
        }
    }

    /// Players with a bucket here.
    #[cfg(test)]
    fn players(&self) -> usize {
        self.players.len()
    }
}

/// One connection's side of the limits: its bucket before it authenticates, its player's bucket
/// after, and its refusals.
pub(crate) struct ConnectionLimiter {
    unauthenticated: DefaultDirectRateLimiter,
    /// The bucket of the player this connection sends as, taken at their first message.
    player: Held<DefaultDirectRateLimiter>,
    refusals: u32,
    window_start: Instant,
    abuse_threshold: u32,
}

impl ConnectionLimiter {
    /// Takes a token for a message (or control frame) arriving at `now` from `player` (`None` before
    /// the connection authenticated); a player's message the bucket allows must also be admitted by
    /// `budget` (the cluster-wide budget).
    pub(crate) fn check(
        &mut self,
        limits: &RateLimits,
        player: Option<&PlayerId>,
        budget: impl FnOnce(&PlayerId) -> bool,
        now: Instant,
    ) -> Verdict {
        let allowed = match player {
            None => self.unauthenticated.check().is_ok(),
            Some(player) => {
                let bucket = self.player.get(&limits.players, player, || {
                    RateLimiter::direct(limits.quota)
                });
                bucket.check().is_ok() && budget(player)
            }
        };
        if allowed {
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

    fn player(id: &str) -> PlayerId {
        PlayerId::new(id).unwrap()
    }

    fn limits(rate: u32, burst: u32, abuse_threshold: u32) -> RateLimits {
        RateLimits::with(
            quota(rate, burst),
            Some(RateLimiter::dashmap(quota(1, 2))),
            abuse_threshold,
        )
    }

    /// A check with the cluster-wide budget admitting everything.
    fn check(
        connection: &mut ConnectionLimiter,
        limits: &RateLimits,
        player: Option<&PlayerId>,
        now: Instant,
    ) -> Verdict {
        connection.check(limits, player, |_| true, now)
    }

    #[test]
    fn a_players_connections_share_one_bucket() {
        let limits = limits(1, 3, 100);
        let now = Instant::now();
        let (mut first, mut second) = (limits.connection(now), limits.connection(now));
        let ada = player("ada");
        assert_eq!(check(&mut first, &limits, Some(&ada), now), Verdict::Allow);
        assert_eq!(check(&mut second, &limits, Some(&ada), now), Verdict::Allow);
        // A third connection, as a reconnect would open, finds the bucket as the others left it.
        let mut third = limits.connection(now);
        assert_eq!(check(&mut third, &limits, Some(&ada), now), Verdict::Allow);
        assert_eq!(check(&mut third, &limits, Some(&ada), now), Verdict::Limit);
        assert_eq!(check(&mut first, &limits, Some(&ada), now), Verdict::Limit);
        // Another player has a bucket of their own.
        let mut other = limits.connection(now);
        assert_eq!(
            check(&mut other, &limits, Some(&player("bo")), now),
            Verdict::Allow
        );
    }

    #[test]
    fn a_reconnect_finds_the_bucket_its_closed_connection_emptied() {
        let limits = limits(1, 2, 100);
        let now = Instant::now();
        let ada = player("ada");
        let mut first = limits.connection(now);
        assert_eq!(check(&mut first, &limits, Some(&ada), now), Verdict::Allow);
        assert_eq!(check(&mut first, &limits, Some(&ada), now), Verdict::Allow);
        drop(first);
        // Closed, and the map swept: the bucket is kept until it has had time to fill again.
        limits.forget_idle();
        let mut second = limits.connection(now);
        assert_eq!(check(&mut second, &limits, Some(&ada), now), Verdict::Limit);
    }

    #[test]
    fn buckets_are_forgotten_only_when_no_connection_holds_them_and_they_are_full_again() {
        // Refilled within a microsecond: a released bucket is full again at once.
        let limits = limits(1_000_000, 1, 100);
        let now = Instant::now();
        let mut held = limits.connection(now);
        let mut closed = limits.connection(now);
        check(&mut held, &limits, Some(&player("ada")), now);
        check(&mut closed, &limits, Some(&player("bo")), now);
        assert_eq!(limits.players(), 2);
        drop(closed);
        limits.forget_idle();
        assert_eq!(limits.players(), 1, "bo's bucket, full again, is forgotten");
        limits.forget_idle();
        assert_eq!(limits.players(), 1, "ada's connection still holds hers");
        drop(held);
        limits.forget_idle();
        assert_eq!(limits.players(), 0);
    }

    #[test]
    fn an_unauthenticated_connection_has_a_small_bucket() {
        let limits = limits(1_000, 1_000, 100);
        let now = Instant::now();
        let mut connection = limits.connection(now);
        let allowed = (0..100)
            .filter(|_| check(&mut connection, &limits, None, now) == Verdict::Allow)
            .count();
        assert!(
            (UNAUTHENTICATED_BURST as usize..=UNAUTHENTICATED_BURST as usize + 1)
                .contains(&allowed),
            "{allowed}"
        );
    }

    #[test]
    fn sustained_refusals_become_abuse_and_are_forgotten_after_the_window() {
        let limits = limits(1, 1, 3);
        let start = Instant::now();
        let mut connection = limits.connection(start);
        let ada = player("ada");
        assert_eq!(
            check(&mut connection, &limits, Some(&ada), start),
            Verdict::Allow
        );
        for _ in 0..3 {
            assert_eq!(
                check(&mut connection, &limits, Some(&ada), start),
                Verdict::Limit
            );
        }
        assert_eq!(
            check(&mut connection, &limits, Some(&ada), start),
            Verdict::Abuse
        );
        // The abuse window follows `now`; the bucket follows the real clock, so it is still empty.
        let later = start + ABUSE_WINDOW + Duration::from_millis(1);
        assert_eq!(
            check(&mut connection, &limits, Some(&ada), later),
            Verdict::Limit
        );
    }

    #[test]
    fn upgrades_are_limited_per_address() {
        let limits = limits(1, 1, 3);
        let (one, two): (IpAddr, IpAddr) = ([10, 0, 0, 1].into(), [10, 0, 0, 2].into());
        assert!(limits.upgrade(one).is_ok());
        assert!(limits.upgrade(one).is_ok());
        let wait = limits.upgrade(one).expect_err("a third at once is refused");
        assert!(wait >= Duration::from_secs(1), "{wait:?}");
        assert!(limits.upgrade(two).is_ok());
    }
}
