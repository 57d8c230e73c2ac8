//! The Leapfrog domain: authoritative runs, friends, leaderboards, notifications, best-run replays, each
//! player's message budget across nodes, and the Redis store they share, with the domain's metrics, clock
//! and shutdown signal.
//!
//! This crate knows no transport: no sockets, HTTP or command line (`server` translates between the wire
//! and these modules, and a test in `server` checks that this crate's dependency tree has no hyper,
//! tungstenite or clap). Where the domain must reach a connection it defines a trait the transport
//! implements ([`notifications::LiveSink`]). Inside, `store` is the only module
//! that sends commands to Redis; the domain modules build the commands and call it.

pub mod budget;
pub mod challenges;
pub mod clock;
pub mod error_chain;
pub mod friends;
pub mod in_place;
pub mod leaderboards;
pub mod metrics;
pub mod notifications;
pub mod replays;
mod restarting;
pub mod runs;
pub mod shutdown;
pub mod store;
