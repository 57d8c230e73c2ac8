//! Every Redis key the server uses, built in one place (the sharded boards' and names' keys in
//! `sharding`). Keys are prefixed `lf:` and carry a hash tag
//! (`{...}`) naming the entity they belong to, so all keys of one run, or of one player, share a Redis
//! Cluster slot and multi-key steps never cross slots. The layout is documented in ARCHITECTURE.md.

use protocol::{ChallengeId, PlayerId, RunId};

/// `lf:{p:<player>}:<suffix>`, built in a buffer of its size: `format!` costs a string grown as it goes
/// and the formatting machinery, and a recorded run makes about twenty of these keys.
fn player_key(player: &PlayerId, suffix: &str) -> String {
    player_key_with(player, suffix, 0)
}

/// [`player_key`] with room for `extra` bytes more.
fn player_key_with(player: &PlayerId, suffix: &str, extra: usize) -> String {
    let id = player.as_str();
    let mut key =
        String::with_capacity("lf:{p:".len() + id.len() + "}:".len() + suffix.len() + extra);
    key.push_str("lf:{p:");
    key.push_str(id);
    key.push_str("}:");
    key.push_str(suffix);
    key
}

/// `lf:{run:<run>}:<suffix>`, built in a buffer of the right size: a run's keys are made at each of its
/// steps (start, TTL refresh, end, recording), and `format!` grows its string as it goes.
fn run_key(run: &RunId, suffix: &str, extra: usize) -> String {
    let mut key = String::with_capacity("lf:{run:".len() + 32 + "}:".len() + suffix.len() + extra);
    key.push_str("lf:{run:");
    // The id's digits, not `write!`: the formatting machinery cost ten times the key's copying.
    key.push_str(run.hex(&mut [0; 32]));
    key.push_str("}:");
    key.push_str(suffix);
    key
}

/// A run's fixed facts and state (hash).
pub(crate) fn run_meta(run: &RunId) -> String {
    run_key(run, "meta", 0)
}

/// An ended run's input log (and a live one's from before the `format` 2 layout): 8 bytes per jump
/// (string), records only.
pub(crate) fn run_log(run: &RunId) -> String {
    run_key(run, "log", 0)
}

/// A live run's input log while driven at `epoch`: a 16-byte entry per jump (its record, then the unix
/// ms it came), one `APPEND` per checkpoint. Each takeover copies it to the next epoch's key, so a late
/// write of a driver that lost the run lands in a key nobody reads. `live_log_key.lua` builds the same
/// name from `run_log` for the scripts.
pub(crate) fn run_live_log(run: &RunId, epoch: u64) -> String {
    // ":" and at most 20 digits.
    let mut key = run_key(run, "log", 21);
    key.push(':');
    key.push_str(itoa::Buffer::new().format(epoch));
    key
}

/// One shard of the index of runs not yet settled: run id → when a sweeper should look at it (sorted
/// set).
pub(crate) fn runs_index(shard: u8) -> String {
    // Not `format!`: a run is listed and settled here at each step, and the formatting machinery
    // costs more than the key.
    let mut key = String::with_capacity("lf:{runs:255}".len());
    key.push_str("lf:{runs:");
    key.push_str(itoa::Buffer::new().format(shard));
    key.push('}');
    key
}

/// A shared challenge: owner, course, the score to beat, expiry (hash).
pub(crate) fn challenge(id: &ChallengeId) -> String {
    format!("lf:{{ch:{id}}}")
}

/// A challenge's board: member = player, score = their packed best on the course (sorted set).
pub(crate) fn challenge_board(id: &ChallengeId) -> String {
    format!("lf:{{ch:{id}}}:board")
}

/// The runs a player has live now: run id → when the run would have timed out (sorted set), for the
/// cap on live runs.
pub(crate) fn live_runs(player: &PlayerId) -> String {
    player_key(player, "runs:live")
}

/// The runs a player started in the last hour: run id → unix ms (sorted set), for the hourly cap.
pub(crate) fn runs_started(player: &PlayerId) -> String {
    player_key(player, "runs:started")
}

/// A player's friends: friend → unix ms since when (hash).
pub fn friends(player: &PlayerId) -> String {
    player_key(player, "friends")
}

/// Friend requests a player received: sender → unix ms (hash).
pub(crate) fn requests_in(player: &PlayerId) -> String {
    player_key(player, "req:in")
}

/// Friend requests a player sent: recipient → unix ms (hash).
pub(crate) fn requests_out(player: &PlayerId) -> String {
    player_key(player, "req:out")
}

/// Players this player blocked (set).
pub(crate) fn blocked(player: &PlayerId) -> String {
    player_key(player, "blocked")
}

/// Players who blocked this player (set), so reads can hide them.
pub(crate) fn blocked_by(player: &PlayerId) -> String {
    player_key(player, "blocked-by")
}

/// That a player exists: the unix day they last authenticated, or were linked by the host app's import
/// (string). Friend requests go only to players who have one (or a friend list).
pub(crate) fn seen(player: &PlayerId) -> String {
    player_key(player, "seen")
}

/// Friend requests a player sent in the current hour (counter, expires with the hour it started).
pub(crate) fn requests_sent_hour(player: &PlayerId) -> String {
    player_key(player, "req:sent-hour")
}

/// Friend requests a player received in the current hour (counter, expires with the hour it started).
pub(crate) fn requests_received_hour(player: &PlayerId) -> String {
    player_key(player, "req:received-hour")
}

/// Senders whose request notified this player lately: sender → unix ms (sorted set, entries a day), so
/// asking again (after a block and unblock, say) does not notify again.
pub(crate) fn requests_notified(player: &PlayerId) -> String {
    player_key(player, "req:notified")
}

/// Messages a player sent in one budget window, counted by every node (counter, expires after two
/// windows).
pub fn message_budget(player: &PlayerId, window: u64) -> String {
    // At most 20 digits.
    let mut key = player_key_with(player, "msgs:", 20);
    key.push_str(itoa::Buffer::new().format(window));
    key
}

/// A player's notification inbox (capped stream with a TTL).
pub fn inbox(player: &PlayerId) -> String {
    player_key(player, "inbox")
}

/// A player's open coalescing window of "friend passed you" notifications (hash).
pub fn coalesce(player: &PlayerId) -> String {
    player_key(player, "coalesce")
}

/// The node holding a player's connection (string with a TTL).
pub fn presence(player: &PlayerId) -> String {
    player_key(player, "presence")
}

/// The runs that already told a player "friend passed you" (sorted set: run id → unix ms, a day kept),
/// so a retried recording never stores the same notification twice.
pub(crate) fn passes_seen(player: &PlayerId) -> String {
    player_key(player, "passes-seen")
}

/// A player's best run of one board period, kept to be replayed: course, inputs, packed score (a string
/// in the layout of `replays/record.rs`).
pub(crate) fn best_replay(player: &PlayerId, period_id: &str) -> String {
    let mut key = player_key_with(player, "replay:", period_id.len());
    key.push_str(period_id);
    key
}

/// The same best in the layout before [`best_replay`]'s (a hash of seven fields), which older versions
/// wrote: read where a period has no [`best_replay`] yet, and removed when a better run replaces it.
pub(crate) fn best_run_hash(player: &PlayerId, period_id: &str) -> String {
    let mut key = player_key_with(player, "best:", period_id.len());
    key.push_str(period_id);
    key
}

/// The pub/sub channel a node listens on for pushes to players connected to it.
pub(crate) fn node_channel(node_id: &str) -> String {
    format!("lf:node:{node_id}")
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
        assert_eq!(tag(&run_meta(&run)), tag(&run_live_log(&run, 3)));
        assert_eq!(run_live_log(&run, 3), format!("{}:3", run_log(&run)));
        assert_eq!(
            run_meta(&run),
            "lf:{run:07070707070707070707070707070707}:meta"
        );
    }

    #[test]
    fn an_index_shards_key_names_it_in_decimal() {
        for shard in [0, 7, 10, 99, 100, 255] {
            assert_eq!(runs_index(shard), format!("lf:{{runs:{shard}}}"));
        }
    }

    #[test]
    fn a_challenge_and_its_board_share_one_slot() {
        let id = ChallengeId::from_bytes([9; 16]);
        assert_eq!(tag(&challenge(&id)), tag(&challenge_board(&id)));
    }

    #[test]
    fn player_keys_are_tagged_by_player() {
        let player = PlayerId::new("alice").unwrap();
        for key in [
            friends(&player),
            requests_in(&player),
            requests_out(&player),
            blocked(&player),
            blocked_by(&player),
            inbox(&player),
            coalesce(&player),
            presence(&player),
            passes_seen(&player),
            live_runs(&player),
            runs_started(&player),
            seen(&player),
            requests_sent_hour(&player),
            requests_received_hour(&player),
            requests_notified(&player),
            message_budget(&player, 7),
            best_replay(&player, "w2026-11-23"),
            best_run_hash(&player, "w2026-11-23"),
        ] {
            assert_eq!(tag(&key), "p:alice", "{key}");
        }
        assert_eq!(friends(&player), "lf:{p:alice}:friends");
        assert_eq!(message_budget(&player, 1234), "lf:{p:alice}:msgs:1234");
        assert_eq!(
            best_replay(&player, "w2026-11-23"),
            "lf:{p:alice}:replay:w2026-11-23"
        );
        assert_eq!(
            best_run_hash(&player, "w2026-11-23"),
            "lf:{p:alice}:best:w2026-11-23"
        );
    }
}
