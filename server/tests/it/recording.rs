//! Recording a finished run against a real Redis, as the retry queue does after a failure: recording the
//! same run again gives the same report (the saved outcome, not the boards, which no longer show a new
//! best) and stores each friend's notification once.

use crate::support;
use std::sync::Arc;
use std::time::Duration;

use crate::support::{TestRedis, finished_run};
use leapfrog_core::friends::{FriendGraph, Friends, SocialLimits};
use leapfrog_core::metrics::Metrics;
use leapfrog_core::store::Store;
use protocol::{DisplayName, PlayerId};

fn player(name: &str) -> PlayerId {
    PlayerId::new(name).expect("valid id")
}

#[tokio::test]
async fn recording_a_run_again_repeats_its_report_and_notifies_each_friend_once() {
    // Now, not a date written down: the boards' keys expire a retention after their period, and a
    // fixed date made them expire on arrival once it was old enough (the test failed from then on).
    let now_ms = leapfrog_core::clock::unix_ms();
    let redis = TestRedis::start().await;
    let metrics = Arc::new(Metrics::new("recording-test").expect("metrics register"));
    let store = Store::connect_to(&redis.target(), Duration::from_secs(2), metrics.clone())
        .await
        .expect("Redis answers");
    let support::RecordingDomain {
        recorder,
        notifications,
        ..
    } = support::recording_domain(store.clone(), metrics.clone());
    let (ada, bo) = (player("ada"), player("bo"));
    let friends = Friends::new(
        FriendGraph::new(store, support::sharding()),
        notifications.clone(),
        SocialLimits::default(),
        metrics,
    );
    friends
        .import(&ada, std::slice::from_ref(&bo), now_ms)
        .await
        .expect("imports");
    let name = |text: &str| DisplayName::new(text).expect("a valid name");
    friends
        .set_name(&ada, &name("Ada L."))
        .await
        .expect("names Ada");
    recorder
        .record(&finished_run(&ada, 1, 1, now_ms))
        .await
        .expect("records Ada's 2 points");
    let bo_run = finished_run(&bo, 2, 2, now_ms + 1_000);
    let first = recorder.record(&bo_run).await.expect("records");
    assert!(first.new_best.weekly && first.new_best.all_time);
    assert_eq!(first.passed_count, 1);
    assert_eq!(first.passed[0].player, ada);
    // Names are read when the report is made, beside the outcome's save, not saved with it.
    assert_eq!(first.passed[0].name, Some(name("Ada L.")));

    // The retry queue records the same run again (say its reply was lost): the boards no longer show a
    // new best, but the report is the first one, and Ada is not told twice.
    let again = recorder.record(&bo_run).await.expect("records again");
    assert_eq!(
        again, first,
        "a retry reports what the first recording reported"
    );
    // A retry shows a friend's name as it is now.
    friends
        .set_name(&ada, &name("Ada"))
        .await
        .expect("renames Ada");
    let renamed = recorder.record(&bo_run).await.expect("records again");
    assert_eq!(renamed.passed[0].name, Some(name("Ada")));
    assert_eq!(renamed.passed_count, first.passed_count);
    let (inbox, more) = notifications
        .unacked(&ada, None, 10, now_ms + 2_000)
        .await
        .expect("reads");
    assert_eq!(inbox.len(), 1, "one notification, not two: {inbox:?}");
    assert!(!more);
}
