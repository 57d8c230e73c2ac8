//! Every Redis key the server uses, built in one place. Keys are prefixed `lf:` and carry a hash tag
//! (`{...}`) naming the entity they belong to, so all keys of one run, or of one player, share a Redis
//! Cluster slot and multi-key steps never cross slots. The layout is documented in ARCHITECTURE.md.

use protocol::{PlayerId, RunId};

/// A run's fixed facts and state (hash).
pub fn run_meta(run: &RunId) -> String {
    format!("lf:{{run:{run}}}:meta")
}

/// A run's input log: 8 bytes per jump (string, appended).
pub fn run_log(run: &RunId) -> String {
    format!("lf:{{run:{run}}}:log")
}

/// A player's personal bests per board, with the time each was reached (hash).
pub fn player_best(player: &PlayerId) -> String {
    format!("lf:{{p:{player}}}:best")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hash tag of a key: what Redis Cluster hashes to pick the slot.
    fn tag(key: &str) -> &str {
        let open = key.find('{').expect("every key has a hash tag");
        let close = key[open..].find('}').expect("closed tag") + open;
        &key[open + 1..close]
    }

    #[test]
    fn a_runs_keys_share_one_slot() {
        let run = RunId::from_bytes([7; 16]);
        assert_eq!(tag(&run_meta(&run)), tag(&run_log(&run)));
        assert_eq!(
            run_meta(&run),
            "lf:{run:07070707070707070707070707070707}:meta"
        );
    }

    #[test]
    fn player_keys_are_tagged_by_player() {
        let player = PlayerId::new("alice").unwrap();
        assert_eq!(tag(&player_best(&player)), "p:alice");
    }
}
