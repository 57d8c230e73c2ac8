//! Scripted runs: live runs of centre hits over a socket, and finished runs with the recording domain
//! wired as the server wires it, for tests that record directly.

use std::time::Duration;

use protocol::{Request, ServerFrame};

use super::ws_client::{TestClient, start_run};

/// Plays a live run of `centre_hits` exact centre hits, then a press far too long, and returns how it
/// ended (the score is then known: 2 + 4 + ... each capped at 32).
pub(crate) async fn play_centre_hits(
    client: &mut TestClient,
    centre_hits: u32,
) -> protocol::RunEnd {
    use protocol::{JumpRequest, JumpResult, Response, StartMode};
    let started = start_run(client, StartMode::Solo).await;
    let mut local = game_logic::GameSession::new(started.seed, started.ruleset);
    loop {
        let jump = centre_hits_then_fall(&local, started.ruleset, centre_hits);
        let seq = local.jumps();
        local.apply(jump).expect("a valid jump");
        let request = JumpRequest {
            run_id: started.run_id,
            seq,
            press_ms: jump.press_ms,
            dwell_ms: jump.dwell_ms,
        };
        match client.request(Request::Jump(request)).await {
            ServerFrame::Reply {
                response:
                    Response::JumpResult(JumpResult {
                        ended: Some(ended), ..
                    }),
                ..
            } => return ended,
            ServerFrame::Reply {
                response: Response::JumpResult(_),
                ..
            } => {}
            other => panic!("expected jump_result, got {other:?}"),
        }
    }
}

/// The next jump of a run of `centre_hits` exact centre hits, then a press far too long.
pub(crate) fn centre_hits_then_fall(
    session: &game_logic::GameSession,
    ruleset: game_logic::Ruleset,
    centre_hits: u32,
) -> game_logic::Jump {
    let press_ms = if session.jumps() < centre_hits {
        let distance = session.world().distance_to_next();
        game_logic::physics::press_for_distance(ruleset.params(), distance)
    } else {
        10_000
    };
    game_logic::Jump {
        press_ms,
        dwell_ms: 300,
    }
}

/// A whole run of `player` (seed = `run`, run id = 16 times `run`): `centre_hits` centre hits, then a
/// fall, ended at `finished_at_ms`.
pub(crate) fn finished_run(
    player: &protocol::PlayerId,
    run: u8,
    centre_hits: u32,
    finished_at_ms: u64,
) -> leapfrog_core::runs::FinishedRun {
    let mut session = game_logic::GameSession::new(u64::from(run), game_logic::Ruleset::V1);
    while !session.is_over() {
        let jump = centre_hits_then_fall(&session, game_logic::Ruleset::V1, centre_hits);
        session.apply(jump).expect("a valid jump");
    }
    leapfrog_core::runs::FinishedRun {
        run_id: protocol::RunId::from_bytes([run; 16]),
        player: player.clone(),
        summary: session.summary(),
        reason: leapfrog_core::runs::EndReason::GameOver,
        finished_at_ms,
        challenge: None,
    }
}

/// The recording side of a node, wired as the server wires it (boards, inboxes and ended runs kept a day;
/// no coalescing), for tests that record directly.
pub(crate) struct RecordingDomain {
    /// Records finished runs.
    pub(crate) recorder: leapfrog_core::runs::ResultRecorder,
    /// Inboxes.
    pub(crate) notifications: leapfrog_core::notifications::Notifications,
    /// The run results pushed to players (every player counts as connected to this node).
    pub(crate) pushed: std::sync::Arc<PushedResults>,
}

/// A node's connections as seen by live delivery: everyone is connected, and run results pushed to them
/// are kept for the test to read (notifications are read from the inbox).
#[derive(Default)]
pub(crate) struct PushedResults(std::sync::Mutex<Vec<protocol::RunOver>>);

impl PushedResults {
    /// The results pushed so far.
    pub(crate) fn taken(&self) -> Vec<protocol::RunOver> {
        self.0.lock().expect("not poisoned").clone()
    }
}

impl leapfrog_core::notifications::LiveSink for PushedResults {
    fn is_connected(&self, _: &protocol::PlayerId) -> bool {
        true
    }
    fn push_notification(&self, _: &protocol::PlayerId, _: &protocol::Notification) -> usize {
        1
    }
    fn push_run_result(&self, _: &protocol::PlayerId, result: &protocol::RunOver) -> usize {
        self.0.lock().expect("not poisoned").push(result.clone());
        1
    }
}

/// The recording side of a node on `store`.
pub(crate) fn recording_domain(
    store: leapfrog_core::store::Store,
    metrics: std::sync::Arc<leapfrog_core::metrics::Metrics>,
) -> RecordingDomain {
    use leapfrog_core::friends::FriendGraph;
    use leapfrog_core::leaderboards::{Leaderboards, PeriodRules};
    use leapfrog_core::notifications::{InboxConfig, Notifications, Presence, Router};

    const DAY: Duration = Duration::from_secs(86_400);
    let friends = FriendGraph::new(store.clone(), super::sharding());
    let boards = Leaderboards::new(
        store.clone(),
        super::sharding(),
        friends.clone(),
        super::FRIEND_CACHE,
        PeriodRules::default(),
        DAY,
        metrics.clone(),
    );
    let pushed = std::sync::Arc::new(PushedResults::default());
    let router = Router::new(
        store.clone(),
        Presence::new(store.clone(), "test-node"),
        pushed.clone(),
        metrics.clone(),
    );
    let inbox = InboxConfig {
        max_len: 100,
        ttl: DAY,
        coalesce_window: Duration::ZERO,
    };
    let notifications = Notifications::new(store.clone(), metrics, inbox, router);
    let challenges = leapfrog_core::challenges::Challenges::new(
        store.clone(),
        friends.clone(),
        leapfrog_core::challenges::ChallengeSettings { ttl: DAY },
    );
    let replays = leapfrog_core::replays::Replays::new(
        store.clone(),
        friends.clone(),
        PeriodRules::default(),
        DAY,
    );
    let recorder = leapfrog_core::runs::ResultRecorder::new(
        store,
        boards,
        friends,
        notifications.clone(),
        challenges,
        replays,
        DAY,
    );
    RecordingDomain {
        recorder,
        notifications,
        pushed,
    }
}
