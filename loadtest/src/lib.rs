//! `leapfrog-loadtest`: simulated players playing real games over real WebSocket connections (bincode),
//! with friends from a generated social graph, against a Leapfrog node or the bundled echo-server
//! baseline. See the crate README for the options and BENCHMARKS.md for what it measured.

pub mod admin;
pub mod chaos;
pub mod cli;
pub mod client;
pub mod cluster;
pub mod cpu;
pub mod echo;
pub mod graph;
pub mod redis_nodes;
pub mod report;
pub mod resilient;
pub mod run;
pub mod scenario;
pub mod soak;
pub mod stats;
pub mod system;
