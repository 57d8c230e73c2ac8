//! The integration-test harness: a real `redis-server` on a free loopback port (`redis`), the real
//! `leapfrog-server` binary as a child process (`server`), WebSocket clients for both codecs
//! (`ws_client`), a WebSocket client built by hand over TCP (`raw_ws`), a minimal HTTP client (`http`),
//! scripted runs (`runs`) and `openssl` key pairs for token tests (`keys`). Every wait is bounded, so a
//! broken server fails a test instead of hanging it; every process is killed on drop.

pub(crate) mod http;
pub(crate) mod keys;
pub(crate) mod raw_ws;
pub(crate) mod redis;
pub(crate) mod runs;
pub(crate) mod server;
pub(crate) mod ws_client;

use std::time::Duration;

pub(crate) use http::{http, http_with, metric, status_and_body};
pub(crate) use redis::{TestRedis, free_port};
pub(crate) use runs::{RecordingDomain, finished_run, play_centre_hits, recording_domain};
pub(crate) use server::{MACHINE_SPEED, TestServer};
pub(crate) use ws_client::{Auth, TestClient, hello, start_run};

/// The board layout of every test server (the default shard count).
pub(crate) fn sharding() -> leapfrog_core::store::Sharding {
    leapfrog_core::store::Sharding::new(16)
}

/// The friend-board score cache of every domain built by a test: the node's defaults, so the tests
/// read friend boards as a node does.
pub(crate) const FRIEND_CACHE: leapfrog_core::leaderboards::FriendCacheConfig =
    leapfrog_core::leaderboards::FriendCacheConfig::DEFAULT;

/// The key of `player`'s shard of board period `period_id` (`all`, `w2026-11-23`, ...).
pub(crate) fn board_key(period_id: &str, player: &str) -> String {
    sharding().board_key(period_id, &player.parse().expect("a player id"))
}

/// Longest any single wait in a test may take.
pub(crate) const WAIT: Duration = Duration::from_secs(10);
