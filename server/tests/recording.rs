//! Recording a finished run against a real Redis, as the retry queue does after a failure: recording the
//! same run again gives the same report (the saved outcome, not the boards, which no longer show a new
//! best) and stores each friend's notification once.

mod support;

use std::sync::Arc;
use std::time::Duration;

use game_logic::physics::press_for_distance;
use game_logic::{GameSession, Jump, Ruleset, replay};
use leapfrog_server::friends::Friends;
use leapfrog_server::gateway::registry::Registry;
use leapfrog_server::leaderboards::{Leaderboards, PeriodRules};
use leapfrog_server::metrics::Metrics;
use leapfrog_server::notifications::{InboxConfig, Notifications, Router};
use leapfrog_server::runs::{EndReason, FinishedRun, ResultRecorder};
use leapfrog_server::store::Store;
use protocol::{PlayerId, RunId};
use support::TestRedis;

const NOW_MS: u64 = 1_795_968_000_000;

fn player(name: &str) -> PlayerId {
    PlayerId::new(name).expect("valid id")
}

/// A finished run of `player`: `hits` centre hits, then a fall (2 + 4 + ... points).
fn finished(player: &PlayerId, run: u8, hits: u32, finished_at_ms: u64) -> FinishedRun {
    let seed = u64::from(run);
    let mut session = GameSession::new(seed, Ruleset::V1);
    let mut inputs = Vec::new();
    loop {
        let press_ms = if session.jumps() < hits {
            press_for_distance(Ruleset::V1.params(), session.world().distance_to_next())
        } else {
            10_000
        };
        let jump = Jump {
            press_ms,
            dwell_ms: 300,
        };
        inputs.push(jump);
        if session.apply(jump).expect("a valid jump").game_over {
            break;
        }
    }
    FinishedRun {
        run_id: RunId::from_bytes([run; 16]),
        player: player.clone(),
        summary: replay(seed, Ruleset::V1, &inputs).expect("a valid run"),
        reason: EndReason::GameOver,
        finished_at_ms,
    }
}

struct Domain {
    recorder: ResultRecorder,
    friends: Friends,
    notifications: Notifications,
}

async fn domain(redis: &TestRedis) -> Domain {
    let metrics = Arc::new(Metrics::new("recording-test").expect("metrics register"));
    let store = Store::connect(&redis.url(), Duration::from_secs(2), metrics.clone())
        .await
        .expect("Redis answers");
    let friends = Friends::new(store.clone());
    let leaderboards = Leaderboards::new(
        store.clone(),
        friends.clone(),
        PeriodRules::default(),
        Duration::from_secs(86_400),
        metrics.clone(),
    );
    let router = Router::new(
        store.clone(),
        Arc::new(Registry::default()),
        metrics.clone(),
        "n1",
    );
    let config = InboxConfig {
        max_len: 100,
        ttl: Duration::from_secs(86_400),
        coalesce_window: Duration::ZERO,
    };
    let notifications = Notifications::new(store.clone(), metrics, config, router);
    let recorder = ResultRecorder::new(
        store,
        leaderboards,
        friends.clone(),
        notifications.clone(),
        Duration::from_secs(86_400),
    );
    Domain {
        recorder,
        friends,
        notifications,
    }
}

#[tokio::test]
async fn recording_a_run_again_repeats_its_report_and_notifies_each_friend_once() {
    let redis = TestRedis::start().await;
    let domain = domain(&redis).await;
    let (ada, bo) = (player("ada"), player("bo"));
    domain
        .friends
        .import(&ada, std::slice::from_ref(&bo), NOW_MS)
        .await
        .expect("imports");
    domain
        .recorder
        .record(&finished(&ada, 1, 1, NOW_MS))
        .await
        .expect("records Ada's 2 points");
    let bo_run = finished(&bo, 2, 2, NOW_MS + 1_000);
    let first = domain.recorder.record(&bo_run).await.expect("records");
    assert!(first.new_best.weekly && first.new_best.all_time);
    assert_eq!(first.passed_count, 1);
    assert_eq!(first.passed[0].player, ada);

    // The retry queue records the same run again (say its reply was lost): the boards no longer show a
    // new best, but the report is the first one, and Ada is not told twice.
    let again = domain
        .recorder
        .record(&bo_run)
        .await
        .expect("records again");
    assert_eq!(
        again, first,
        "a retry reports what the first recording reported"
    );
    let (inbox, more) = domain
        .notifications
        .unacked(&ada, None, 10, NOW_MS + 2_000)
        .await
        .expect("reads");
    assert_eq!(inbox.len(), 1, "one notification, not two: {inbox:?}");
    assert!(!more);
}
