//! Leaderboards in Redis sorted sets: one global board per period (daily, weekly, all-time), and each
//! player's friend-scoped view of it, read with one `ZMSCORE` of the friend list (the design is measured
//! and justified in ARCHITECTURE.md). Written once here; WebSocket handlers, the HTTP read API and run
//! recording all call it. The clock is injected: every operation takes `now_ms`.

mod friend_board;
mod friend_cache;
mod global;
pub mod layout;
pub mod period;
pub mod score;
pub mod zone;

use std::sync::Arc;
use std::time::{Duration, Instant};

use protocol::limits::{MAX_BOARD_RADIUS, MAX_BOARD_TOP};
use protocol::{
    Board, BoardEntry, BoardPage, BoardWindow, BoundedVec, NewBest, Period, Placement, PlayerId,
    Scope, Standing,
};

use crate::friends::FriendGraph;
use crate::metrics::Metrics;
use crate::store::{Sharding, Store, StoreError};
use friend_board::{FriendBests, window_of};
pub use friend_cache::FriendCacheConfig;
use friend_cache::{FriendCache, Looked};
use global::GlobalBoards;
pub use global::{MAX_GLOBAL_AFTER, TOP_CACHE_TTL};
pub use period::{PeriodRules, PeriodSlot, Periods};
pub use zone::{ResetZone, ZoneError};

/// Every period, in the order standings list them.
pub const PERIODS: [Period; 3] = [Period::Daily, Period::Weekly, Period::AllTime];

/// What recording a run's score will do on the boards, worked out before anything is written, so it can
/// be saved first and repeated exactly by a retry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Recorded {
    /// New personal best per period.
    pub new_best: NewBest,
    /// Friends whose weekly best this run strictly passes: (friend, their score), best first.
    pub passed: Vec<(PlayerId, u32)>,
    /// Rank among friends on this week's board before the run.
    pub friend_rank_before: Option<u32>,
    /// The same rank after.
    pub friend_rank_after: Option<u32>,
    /// The player's weekly best after the run.
    pub weekly_best: u32,
}

/// A player's packed bests on the daily, weekly and all-time boards of one moment, as read before a
/// result reached then is written ([`Leaderboards::prior_bests`]), and their friend list if it was read
/// beside them ([`Leaderboards::prior_bests_and_friends`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorBests {
    player: PlayerId,
    reached_ms: u64,
    bests: [Option<u64>; 3],
    friends: Option<Vec<PlayerId>>,
}

/// A player's weekly best as a run's start read it: whether the run's score will likely be a new weekly
/// best, for which its recording needs the friend list (who was passed). The run's end then reads that
/// list beside itself, and the recording starts one round trip later instead of two. Only a guess: the
/// recording decides from the bests read at the end, and reads the list itself if the guess said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyBestHint {
    /// The weekly best's score when read (`None`: no entry that week).
    score: Option<u32>,
    /// Unix ms when that week ends.
    week_ends_at_ms: Option<u64>,
}

impl WeeklyBestHint {
    /// Whether `score`, reached at `at_ms`, likely makes a new weekly best: it beats the best read, or
    /// that week is over (the new week's board has no entry for the player yet). As in
    /// [`Leaderboards::plan`], a tie is not a new best.
    pub fn beaten_by(&self, score: u32, at_ms: u64) -> bool {
        self.week_ends_at_ms.is_some_and(|end| at_ms >= end)
            || self.score.is_none_or(|best| score > best)
    }
}

/// The leaderboards domain.
#[derive(Clone)]
pub struct Leaderboards {
    global: GlobalBoards,
    friends: FriendGraph,
    friend_cache: FriendCache,
    rules: Periods,
    retention: Duration,
    metrics: Arc<Metrics>,
}

impl Leaderboards {
    /// Boards on `store`, each period split into `sharding`'s shards, turning over by `rules`, past
    /// periods kept readable for `retention`; friend boards read through a cache set by `friend_cache`.
    pub fn new(
        store: Store,
        sharding: Sharding,
        friends: FriendGraph,
        friend_cache: FriendCacheConfig,
        rules: PeriodRules,
        retention: Duration,
        metrics: Arc<Metrics>,
    ) -> Leaderboards {
        Leaderboards {
            global: GlobalBoards::new(store, sharding),
            friends,
            friend_cache: FriendCache::new(friend_cache),
            rules: Periods::new(rules),
            retention,
            metrics,
        }
    }

    /// The period rules.
    pub fn rules(&self) -> &PeriodRules {
        self.rules.rules()
    }

    /// `player`'s bests on every period board of `reached_ms`, before a result reached then is
    /// written: the first read of [`Leaderboards::plan`], which a run's end sends beside its own write so
    /// the recording after it starts one round trip later.
    pub async fn prior_bests(
        &self,
        player: &PlayerId,
        reached_ms: u64,
    ) -> Result<PriorBests, StoreError> {
        self.read_prior(player, reached_ms, false).await
    }

    /// [`Leaderboards::prior_bests`] with the player's friend list read at once, for a result expected
    /// to be a new weekly best (see [`WeeklyBestHint`]): its plan then reads only the friends' scores.
    pub async fn prior_bests_and_friends(
        &self,
        player: &PlayerId,
        reached_ms: u64,
    ) -> Result<PriorBests, StoreError> {
        self.read_prior(player, reached_ms, true).await
    }

    async fn read_prior(
        &self,
        player: &PlayerId,
        reached_ms: u64,
        with_friends: bool,
    ) -> Result<PriorBests, StoreError> {
        let slots = PERIODS.map(|period| self.rules.slot(period, reached_ms));
        // The three boards are three slots: read together, one round trip (with the friend list).
        let period_ids = slots.each_ref().map(|slot| slot.id.as_str());
        let friends = async {
            if with_friends {
                self.friends.ids(player).await.map(Some)
            } else {
                Ok(None)
            }
        };
        let (bests, friends) = tokio::try_join!(self.global.bests(&period_ids, player), friends)?;
        Ok(PriorBests {
            player: player.clone(),
            reached_ms,
            bests: [0, 1, 2].map(|index| bests.get(index).copied().flatten()),
            friends,
        })
    }

    /// `player`'s weekly best at `at_ms`, read when a run starts: see [`WeeklyBestHint`].
    pub async fn weekly_best_hint(
        &self,
        player: &PlayerId,
        at_ms: u64,
    ) -> Result<WeeklyBestHint, StoreError> {
        let slot = self.rules.slot(Period::Weekly, at_ms);
        let best = self.global.bests(&[slot.id.as_str()], player).await?;
        Ok(WeeklyBestHint {
            score: best
                .first()
                .copied()
                .flatten()
                .map(|packed| score::decode(packed).0),
            week_ends_at_ms: slot.ends_at_ms,
        })
    }

    /// Works out what recording `score`, reached at `reached_ms`, does on every period board of that
    /// moment (new bests, friends passed this week, ranks), reading only: the caller saves the plan,
    /// then [`Leaderboards::apply`] writes it. `prior`, the player's bests read for that moment since the
    /// run ended (see [`Leaderboards::prior_bests`]), saves reading them again; bests read for another
    /// player or moment are ignored.
    pub async fn plan(
        &self,
        player: &PlayerId,
        score: u32,
        reached_ms: u64,
        prior: Option<PriorBests>,
    ) -> Result<Recorded, StoreError> {
        let packed = score::encode(score, reached_ms);
        let mut recorded = Recorded::default();
        let slots = PERIODS.map(|period| (period, self.rules.slot(period, reached_ms)));
        let (bests, mut friends) = match prior {
            Some(prior) if prior.player == *player && prior.reached_ms == reached_ms => {
                (prior.bests, prior.friends)
            }
            _ => (self.prior_bests(player, reached_ms).await?.bests, None),
        };
        for ((period, slot), previous) in slots.iter().zip(bests) {
            let improved = previous.is_none_or(|old| packed > old);
            match period {
                Period::Daily => recorded.new_best.daily = improved,
                Period::Weekly => {
                    recorded.new_best.weekly = improved;
                    let best = previous.filter(|_| !improved).unwrap_or(packed);
                    recorded.weekly_best = score::decode(best).0;
                    if improved {
                        let friends = friends.take();
                        self.passed_this_week(
                            player,
                            &slot.id,
                            previous,
                            packed,
                            friends,
                            &mut recorded,
                        )
                        .await?;
                    }
                }
                Period::AllTime => recorded.new_best.all_time = improved,
            }
        }
        if friends.is_some() {
            // Read ahead for a new weekly best that did not come.
            self.metrics.friend_lists_read_ahead_unused_total.inc();
        }
        Ok(recorded)
    }

    /// Writes `score`, reached at `reached_ms`, to every period board of that moment (`ZADD GT`: only a
    /// better score changes an entry, so a retry is harmless), keeping each board until its period ends
    /// plus the retention: one round trip. This node's friend boards see the new best at once.
    pub async fn apply(
        &self,
        player: &PlayerId,
        score: u32,
        reached_ms: u64,
    ) -> Result<(), StoreError> {
        let started = Instant::now();
        let packed = score::encode(score, reached_ms);
        let slots = PERIODS.map(|period| (period, self.rules.slot(period, reached_ms)));
        let retention = u64::try_from(self.retention.as_millis()).unwrap_or(u64::MAX);
        let raises = slots.each_ref().map(|(_, slot)| {
            let expires = slot.ends_at_ms.map(|end| end.saturating_add(retention));
            (slot.id.as_str(), packed, expires)
        });
        self.global.raise_all(player, &raises).await?;
        for (period, slot) in &slots {
            self.friend_cache.raise(*period, slot, player, packed);
        }
        self.metrics
            .leaderboard_write_seconds
            .observe(started.elapsed().as_secs_f64());
        Ok(())
    }

    /// Friends the player's weekly entry passed (going from `previous` to `packed`), and the player's rank
    /// among friends before and after. A friend is passed when they were ahead before and are strictly
    /// behind now: a tie does not pass, since the earlier time keeps the higher packed score. `friends`:
    /// the list if read since the run ended, else it is read here.
    async fn passed_this_week(
        &self,
        player: &PlayerId,
        period_id: &str,
        previous: Option<u64>,
        packed: u64,
        friends: Option<Vec<PlayerId>>,
        recorded: &mut Recorded,
    ) -> Result<(), StoreError> {
        let friends = match friends {
            Some(friends) => {
                self.metrics.friend_lists_read_ahead_used_total.inc();
                friends
            }
            None => self.friends.ids(player).await?,
        };
        self.metrics.friend_board_size.observe(friends.len() as f64);
        let scores = self.global.scores(period_id, &friends).await?;
        let ahead_of =
            |mine: u64| scores.iter().filter(|(_, theirs)| *theirs > mine).count() as u32 + 1;
        recorded.friend_rank_before = previous.map(ahead_of);
        recorded.friend_rank_after = Some(ahead_of(packed));
        let mut passed: Vec<(PlayerId, u64)> = scores
            .into_iter()
            .filter(|(_, theirs)| previous.is_none_or(|old| *theirs > old) && *theirs < packed)
            .collect();
        passed.sort_by_key(|(_, theirs)| std::cmp::Reverse(*theirs));
        recorded.passed = passed
            .into_iter()
            .map(|(friend, theirs)| (friend, score::decode(theirs).0))
            .collect();
        Ok(())
    }

    /// Reads part of a board as `viewer` sees it at `now_ms`. Players who blocked the viewer are left out.
    pub async fn read(
        &self,
        viewer: &PlayerId,
        board: Board,
        window: BoardWindow,
        now_ms: u64,
    ) -> Result<BoardPage, StoreError> {
        let started = Instant::now();
        let slot = self.rules.slot(board.period, now_ms);
        let (ranked, total) = match board.scope {
            Scope::Global => self.global_window(viewer, &slot.id, window).await?,
            Scope::Friends => {
                let friends = self.friend_list(viewer).await?;
                let bests = self
                    .friend_bests(viewer, friends, board.period, &slot)
                    .await?;
                let ranking = bests.ranking();
                (window_of(&ranking, viewer, window), ranking.len())
            }
        };
        let blockers = self.friends.blockers(viewer).await?;
        let visible: Vec<(u32, PlayerId, u64)> = ranked
            .into_iter()
            .filter(|(_, player, _)| !blockers.contains(player))
            .collect();
        let entries = self.entries(visible).await?;
        self.metrics
            .leaderboard_read_seconds
            .with_label_values(&[scope_label(board.scope)])
            .observe(started.elapsed().as_secs_f64());
        Ok(BoardPage {
            board,
            period_id: slot.id,
            entries: BoundedVec::truncating(entries),
            total: u32::try_from(total).unwrap_or(u32::MAX),
        })
    }

    /// `viewer`'s place on every period board of `scope`.
    pub async fn standing(
        &self,
        viewer: &PlayerId,
        scope: Scope,
        now_ms: u64,
    ) -> Result<Standing, StoreError> {
        // One friend list for the three boards, then the three boards at once (one round trip of
        // latency for them, not three).
        let friends = match scope {
            Scope::Friends => self.friend_list(viewer).await?,
            Scope::Global => Arc::from([]),
        };
        let placements = futures_util::future::try_join_all(
            PERIODS.map(|period| self.placement(viewer, scope, period, &friends, now_ms)),
        )
        .await?;
        Ok(Standing {
            placements: BoundedVec::truncating(placements),
        })
    }

    /// `viewer`'s place on `period`'s board of `scope` at `now_ms` (`friends`: their friend list, for
    /// the friend scope).
    async fn placement(
        &self,
        viewer: &PlayerId,
        scope: Scope,
        period: Period,
        friends: &Arc<[PlayerId]>,
        now_ms: u64,
    ) -> Result<Placement, StoreError> {
        let slot = self.rules.slot(period, now_ms);
        let board = Board { period, scope };
        Ok(match scope {
            Scope::Global => {
                let (placed, total) = self.global.standing(&slot.id, viewer).await?;
                Placement {
                    board,
                    rank: placed.map(|(rank, _)| rank),
                    score: placed.map_or(0, |(_, packed)| score::decode(packed).0),
                    total: u32::try_from(total).unwrap_or(u32::MAX),
                }
            }
            Scope::Friends => {
                let bests = self
                    .friend_bests(viewer, friends.clone(), period, &slot)
                    .await?;
                let ranking = bests.ranking();
                let mine = ranking.iter().position(|(player, _)| *player == viewer);
                Placement {
                    board,
                    rank: mine.map(|index| index as u32 + 1),
                    score: mine.map_or(0, |index| score::decode(ranking[index].1).0),
                    total: ranking.len() as u32,
                }
            }
        })
    }

    /// `viewer`'s friend list, from the node's cache if read within its TTL.
    async fn friend_list(&self, viewer: &PlayerId) -> Result<Arc<[PlayerId]>, StoreError> {
        if let Some(friends) = self.friend_cache.friends(viewer) {
            self.metrics.friend_list_cache_hits_total.inc();
            return Ok(friends);
        }
        self.metrics.friend_list_cache_misses_total.inc();
        let fetched = Instant::now();
        let friends: Arc<[PlayerId]> = self.friends.ids(viewer).await?.into();
        self.friend_cache
            .keep_friends(viewer, friends.clone(), fetched);
        Ok(friends)
    }

    /// The bests of the viewer and their `friends` on `period`'s board `slot`. Friends' bests may come
    /// from the node's cache (at most its TTL old); the viewer's own is always read.
    async fn friend_bests(
        &self,
        viewer: &PlayerId,
        friends: Arc<[PlayerId]>,
        period: Period,
        slot: &PeriodSlot,
    ) -> Result<FriendBests, StoreError> {
        self.metrics.friend_board_size.observe(friends.len() as f64);
        let Looked { found, mut missing } = self.friend_cache.look_up(period, slot, &friends);
        self.metrics
            .friend_score_cache_hits_total
            .inc_by((friends.len() - missing.len()) as u64);
        self.metrics
            .friend_score_cache_misses_total
            .inc_by(missing.len() as u64);
        missing.push(viewer);
        // An entry's age counts from before Redis answered.
        let fetched = Instant::now();
        let read = self.global.lookup(&slot.id, &missing).await?;
        self.friend_cache.keep(period, slot, &read, fetched);
        Ok(FriendBests::new(friends, found, read))
    }

    /// A window of the global board `period_id`.
    async fn global_window(
        &self,
        viewer: &PlayerId,
        period_id: &str,
        window: BoardWindow,
    ) -> Result<(Vec<global::Ranked>, usize), StoreError> {
        let (ranked, total) = match window {
            BoardWindow::Top { after, .. } if after.unwrap_or(0) > global::MAX_GLOBAL_AFTER => {
                (Vec::new(), self.global.total(period_id).await?)
            }
            BoardWindow::Top { limit, after } => {
                let count = usize::from(limit.clamp(1, MAX_BOARD_TOP));
                self.global
                    .top(period_id, after.unwrap_or(0), count)
                    .await?
            }
            BoardWindow::Around { radius } => {
                let radius = usize::from(radius.min(MAX_BOARD_RADIUS));
                self.global.around(period_id, viewer, radius).await?
            }
        };
        Ok((ranked, usize::try_from(total).unwrap_or(usize::MAX)))
    }

    async fn entries(
        &self,
        ranked: Vec<(u32, PlayerId, u64)>,
    ) -> Result<Vec<BoardEntry>, StoreError> {
        let players: Vec<PlayerId> = ranked.iter().map(|(_, player, _)| player.clone()).collect();
        let names = self.friends.names(&players).await?;
        Ok(ranked
            .into_iter()
            .zip(names)
            .map(|((rank, player, packed), name)| {
                let (score, reached_at_ms) = score::decode(packed);
                BoardEntry {
                    rank,
                    player,
                    name,
                    score,
                    reached_at_ms,
                }
            })
            .collect())
    }
}

/// Every scope, so `leaderboard_read_seconds` shows each from zero.
pub(crate) const SCOPES: [Scope; 2] = [Scope::Friends, Scope::Global];

/// The `scope` label of a board read.
pub(crate) const fn scope_label(scope: Scope) -> &'static str {
    match scope {
        Scope::Friends => "friends",
        Scope::Global => "global",
    }
}
