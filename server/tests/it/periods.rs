//! Board periods against a real Redis with an injected clock: the weekly board turns over exactly at the
//! configured weekday, hour and offset, the past week stays readable and expires after the retention,
//! and bests are per period.

use std::sync::Arc;
use std::time::Duration;

use crate::support::TestRedis;
use leapfrog_core::friends::FriendGraph;
use leapfrog_core::leaderboards::{Leaderboards, PeriodRules, Recorded, ResetZone};
use leapfrog_core::metrics::Metrics;
use leapfrog_core::store::Store;
use protocol::{Board, BoardWindow, Period, PlayerId, Scope};

const RETENTION: Duration = Duration::from_secs(14 * 24 * 3600);
/// The boards' offset in these tests: UTC+8.
const OFFSET_MS: u64 = 8 * 3_600_000;
const DAY_MS: u64 = 24 * 3_600_000;

/// The last Monday 00:00 at UTC+8 (the weekly reset these tests configure), in unix ms. Taken from the
/// clock, not written down: every key the tests write expires one retention after its period ends, and
/// a fixed date would see them expire on arrival once it is more than a retention old.
fn monday_midnight_china_ms() -> u64 {
    let local_day = (leapfrog_core::clock::unix_ms() + OFFSET_MS) / DAY_MS;
    // 1970-01-01 was a Thursday, three days after a Monday.
    let monday = local_day - (local_day + 3) % 7;
    monday * DAY_MS - OFFSET_MS
}

/// The calendar date at UTC+8 of `at_ms`, as YYYY-MM-DD, worked out apart from the boards' own code.
fn china_date(at_ms: u64) -> String {
    let at = jiff::Timestamp::from_millisecond(at_ms as i64).expect("a date jiff knows");
    jiff::tz::TimeZone::fixed(jiff::tz::offset(8))
        .to_datetime(at)
        .date()
        .to_string()
}

async fn boards(redis: &TestRedis) -> Leaderboards {
    let metrics = Arc::new(Metrics::new("periods-test").expect("metrics register"));
    let store = Store::connect_to(&redis.target(), Duration::from_secs(2), metrics.clone())
        .await
        .expect("Redis answers");
    let rules = PeriodRules {
        weekly_reset_weekday: 0,
        reset_hour: 0,
        zone: ResetZone::fixed_minutes(480).expect("a real offset"),
    };
    Leaderboards::new(
        store.clone(),
        crate::support::sharding(),
        FriendGraph::new(store, crate::support::sharding()),
        crate::support::FRIEND_CACHE,
        rules,
        RETENTION,
        metrics,
    )
}

/// Records `score` reached at `at_ms` as a run's recording does: plans, then writes; returns the plan.
async fn record(boards: &Leaderboards, player: &PlayerId, score: u32, at_ms: u64) -> Recorded {
    let plan = boards
        .plan(player, score, at_ms, None)
        .await
        .expect("plans");
    boards.apply(player, score, at_ms).await.expect("writes");
    plan
}

fn player(name: &str) -> PlayerId {
    PlayerId::new(name).expect("valid id")
}

async fn top(
    boards: &Leaderboards,
    viewer: &str,
    period: Period,
    now_ms: u64,
) -> Vec<(String, u32)> {
    let board = Board {
        period,
        scope: Scope::Global,
    };
    let window = BoardWindow::Top {
        limit: 10,
        after: None,
    };
    let page = boards
        .read(&player(viewer), board, window, now_ms)
        .await
        .expect("board reads");
    page.entries
        .iter()
        .map(|entry| (entry.player.as_str().to_owned(), entry.score))
        .collect()
}

#[tokio::test]
async fn the_weekly_board_resets_at_the_configured_boundary() {
    let redis = TestRedis::start().await;
    let boards = boards(&redis).await;
    let monday = monday_midnight_china_ms();
    let last_second = monday - 1_000;
    let first_second = monday;

    let sunday = record(&boards, &player("ann"), 30, last_second).await;
    assert!(sunday.new_best.weekly && sunday.new_best.all_time);

    // One second later, a worse score is a new weekly (and daily) best but not a new all-time best.
    let monday_run = record(&boards, &player("ann"), 10, first_second).await;
    assert!(monday_run.new_best.weekly && monday_run.new_best.daily);
    assert!(!monday_run.new_best.all_time);
    assert_eq!(monday_run.weekly_best, 10);

    assert_eq!(
        top(&boards, "ann", Period::Weekly, first_second).await,
        [("ann".to_owned(), 10)]
    );
    assert_eq!(
        top(&boards, "ann", Period::Weekly, last_second).await,
        [("ann".to_owned(), 30)],
        "last week stays readable"
    );
    assert_eq!(
        top(&boards, "ann", Period::AllTime, first_second).await,
        [("ann".to_owned(), 30)]
    );

    // Each period's key expires one retention after the period ends; all-time never does.
    let mut connection = redis.connection().await;
    let last_week = boards.rules().slot(Period::Weekly, last_second);
    assert_eq!(
        last_week.id,
        format!("w{}", china_date(monday - 7 * DAY_MS))
    );
    assert_eq!(last_week.ends_at_ms, Some(monday));
    let expires: i64 = redis::cmd("PEXPIRETIME")
        .arg(crate::support::board_key(&last_week.id, "ann"))
        .query_async(&mut connection)
        .await
        .expect("PEXPIRETIME answers");
    assert_eq!(expires, (monday + RETENTION.as_millis() as u64) as i64);
    let all_time: i64 = redis::cmd("PEXPIRETIME")
        .arg(crate::support::board_key("all", "ann"))
        .query_async(&mut connection)
        .await
        .expect("PEXPIRETIME answers");
    assert_eq!(all_time, -1, "the all-time board never expires");
}

#[tokio::test]
async fn a_retried_write_and_a_worse_score_change_nothing() {
    let redis = TestRedis::start().await;
    let boards = boards(&redis).await;
    let monday = monday_midnight_china_ms();
    let now = monday + 3_600_000;
    let first = record(&boards, &player("bo"), 50, now).await;
    assert!(first.new_best.weekly);
    let retry = record(&boards, &player("bo"), 50, now).await;
    assert!(
        !retry.new_best.weekly && !retry.new_best.all_time,
        "a retry finds its own score on the boards"
    );
    let worse = record(&boards, &player("bo"), 20, now + 60_000).await;
    assert!(!worse.new_best.daily);
    assert_eq!(worse.weekly_best, 50);
    assert_eq!(
        top(&boards, "bo", Period::Daily, now).await,
        [("bo".to_owned(), 50)]
    );
}

#[tokio::test]
async fn bests_read_before_a_run_ended_plan_it_only_for_that_player_and_moment() {
    let redis = TestRedis::start().await;
    let boards = boards(&redis).await;
    let ann = player("ann");
    let sunday = monday_midnight_china_ms() - 1_000;
    // Read while Ann had no best at all, as a run's end reads them.
    let empty = boards.prior_bests(&ann, sunday).await.expect("reads");
    record(&boards, &ann, 30, sunday).await;

    // Read for this moment, they plan exactly as reading them anew would.
    let prior = boards.prior_bests(&ann, sunday).await.expect("reads");
    let with_prior = boards
        .plan(&ann, 20, sunday, Some(prior))
        .await
        .expect("plans");
    let fresh = boards.plan(&ann, 20, sunday, None).await.expect("plans");
    assert_eq!(with_prior, fresh);
    assert!(!with_prior.new_best.weekly && !with_prior.new_best.all_time);

    // Bests read for another moment or another player are read again, not trusted.
    let stale_moment = boards
        .plan(&ann, 20, sunday + 1, Some(empty.clone()))
        .await
        .expect("plans");
    assert!(!stale_moment.new_best.weekly, "read again: 30 stands");
    let other = boards
        .prior_bests(&player("bo"), sunday)
        .await
        .expect("reads");
    let stale_player = boards
        .plan(&ann, 20, sunday, Some(other))
        .await
        .expect("plans");
    assert!(!stale_player.new_best.all_time, "read again: 30 stands");
    // The bests a run's end read are what the plan uses (here: from before Ann's 30).
    let trusted = boards
        .plan(&ann, 20, sunday, Some(empty))
        .await
        .expect("plans");
    assert!(trusted.new_best.weekly && trusted.new_best.all_time);
}

#[tokio::test]
async fn a_friend_list_read_beside_a_runs_end_is_the_one_its_plan_uses() {
    let redis = TestRedis::start().await;
    let boards = boards(&redis).await;
    let ann = player("ann");
    let monday = monday_midnight_china_ms();
    let now = monday + 3_600_000;
    let mut connection = redis.connection().await;
    let friends = leapfrog_core::store::keys::friends(&ann);
    for friend in ["bo", "cy"] {
        let () = redis::cmd("HSET")
            .arg(&friends)
            .arg(friend)
            .arg(1)
            .query_async(&mut connection)
            .await
            .expect("HSET answers");
    }
    record(&boards, &player("bo"), 40, now).await;
    record(&boards, &player("cy"), 50, now).await;

    // Ann has no weekly best yet: her run's start expects any score to be one.
    let hint = boards.weekly_best_hint(&ann, now).await.expect("reads");
    assert!(hint.beaten_by(0, now) && hint.beaten_by(60, now));
    // So her run's end reads her friends beside her bests; then Cy leaves her list.
    let prior = boards
        .prior_bests_and_friends(&ann, now + 1)
        .await
        .expect("reads");
    let () = redis::cmd("HDEL")
        .arg(&friends)
        .arg("cy")
        .query_async(&mut connection)
        .await
        .expect("HDEL answers");
    let passed = |recorded: Recorded| -> Vec<(String, u32)> {
        recorded
            .passed
            .into_iter()
            .map(|(friend, score)| (friend.as_str().to_owned(), score))
            .collect()
    };
    let ahead = boards
        .plan(&ann, 60, now + 1, Some(prior))
        .await
        .expect("plans");
    assert_eq!(
        passed(ahead),
        [("cy".to_owned(), 50), ("bo".to_owned(), 40)],
        "the plan passes the friends read beside the end"
    );
    let anew = boards.plan(&ann, 60, now + 1, None).await.expect("plans");
    assert_eq!(passed(anew), [("bo".to_owned(), 40)], "read anew: Cy left");

    // Once her 60 is on the board, only a higher score is expected to be a new weekly best, until the
    // week ends.
    boards.apply(&ann, 60, now + 1).await.expect("writes");
    let hint = boards.weekly_best_hint(&ann, now + 2).await.expect("reads");
    assert!(!hint.beaten_by(60, now + 2), "a tie is not a new best");
    assert!(hint.beaten_by(61, now + 2));
    let next_week = monday + 7 * DAY_MS;
    assert!(hint.beaten_by(1, next_week), "a new week starts empty");
}
