//! The red team: attacks and faults against a real node and a real Redis over raw sockets, one test per
//! case the hardening review found and per class of limit in PROTOCOL.md. Each module takes one family
//! of attack; a test states the attack, then asserts the server refused it cleanly and lost nothing.
//!
//! - `auth`: bad tokens of every kind, RS256/ES256 keys, session renewal, dev tokens against production.
//! - `conformance`: the session contract: catch-up on authentication, a welcome while Redis is down.
//! - `limits`: one test per class of limit in PROTOCOL.md's Limits table.
//! - `social_abuse`: the social caps (pending requests, blocks, friends, requests per hour), requests to
//!   players who never existed, and floods of friend requests against one inbox.
//! - `floods`: message floods against the per-player budget (reconnects, ping frames, two nodes), the
//!   HTTP read API, silent sockets, trickled HTTP requests, bad hellos, upgrades from one address.

mod auth;
mod conformance;
mod durability;
mod fair_play;
mod floods;
mod limits;
mod social_abuse;
