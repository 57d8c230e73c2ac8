//! The server's integration tests, one binary (one link, one process sharing the harness): a real
//! `redis-server` on a free loopback port, the real `leapfrog-server` binary, real sockets.
//!
//! - `runs`: whole runs in both codecs checked against `game-logic`, resume, timing, offline runs.
//! - `gateway`: auth refusals, bad frames, floods, replacement, timeouts, metrics, readiness, shutdown.
//! - `social`: friends, passes pushed live and kept in inboxes, two nodes, the HTTP read API.
//! - `periods`: the weekly reset at a configured boundary, retention.
//! - `recording` and `pending_results`: a run recorded twice, results surviving a Redis outage.
//! - `replays`: best runs kept with their inputs, read by friends only (WebSocket and HTTP).
//! - `web`: the web client's files: content types, caching, the CSP, traversal refused.
//! - `architecture`: the dependency graph keeps the crate boundaries of ARCHITECTURE.md.
//! - `fuzz_corpus`: the `handshake` and `token` fuzz targets' seeds and reproducers, without libFuzzer.
//! - `cluster_failover`: a Redis Cluster master dies under load; nothing is lost.
//! - `red_team`: attacks and faults, one test per case, over raw sockets.
//! - `deploy_checks`: `deploy/` against a real node and real Prometheus tools.
//! - `websocket_rfc`: RFC 6455 conformance of `/ws` after the Autobahn|Testsuite's sections 1 to 7.

mod architecture;
mod batch_window;
mod board_layout;
mod cluster_failover;
mod deploy_checks;
mod fuzz_corpus;
mod gateway;
mod pending_results;
mod periods;
mod recording;
mod red_team;
mod replays;
mod runs;
mod settling;
mod social;
mod store_timeouts;
mod support;
mod web;
mod websocket_rfc;
