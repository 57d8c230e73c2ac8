//! The integration-test harness: a real `redis-server` on a free loopback port (`redis`), the real
//! `leapfrog-server` binary as a child process (`server`), WebSocket clients for both codecs
//! (`ws_client`), a minimal HTTP client (`http`) and scripted runs (`runs`). Every wait is bounded, so a
//! broken server fails a test instead of hanging it; every process is killed on drop.

pub(crate) mod http;
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

/// Longest any single wait in a test may take.
pub(crate) const WAIT: Duration = Duration::from_secs(10);
