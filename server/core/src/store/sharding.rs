//! The sharded keys: each period board and the display names are split into `count` keys so that no one
//! key (one slot, one cluster master) takes every write and read. A player's entries always live on
//! their shard (`slots::shard_of`); the shard keys' hash tags are spread evenly over the slot space
//! (`slots::spread_tag`). With one shard the keys are the unsharded ones (`lf:{lb:<period>}`,
//! `lf:{names}`), the layout before sharding, from which `leaderboards::layout` migrates.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use protocol::PlayerId;

use super::slots::{shard_of, spread_tag};

/// Shard keys of one board period, or of the names, computed once.
type Keys = Arc<[String]>;

/// Most board periods whose keys are remembered (a few days and weeks are read at a time).
const REMEMBERED_PERIODS: usize = 64;

/// The shard count and the keys it gives. Cheap to clone; clones share what was computed.
#[derive(Clone)]
pub struct Sharding {
    count: u16,
    boards: Arc<Mutex<HashMap<String, Keys>>>,
    names: Keys,
}

impl Sharding {
    /// Keys split into `count` shards (at least one).
    pub fn new(count: u16) -> Sharding {
        let count = count.max(1);
        Sharding {
            count,
            boards: Arc::default(),
            names: keys_of("names", count),
        }
    }

    /// How many shards.
    pub fn count(&self) -> u16 {
        self.count
    }

    /// The shard `player` lands on.
    pub fn shard_of(&self, player: &PlayerId) -> u16 {
        shard_of(player.as_str(), self.count)
    }

    /// Every shard key of board period `period_id`, shard 0 first.
    pub fn board_keys(&self, period_id: &str) -> Keys {
        let mut boards = self
            .boards
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(keys) = boards.get(period_id) {
            return keys.clone();
        }
        if boards.len() >= REMEMBERED_PERIODS {
            boards.clear();
        }
        let keys = keys_of(&format!("lb:{period_id}"), self.count);
        boards.insert(period_id.to_owned(), keys.clone());
        keys
    }

    /// The key of `player`'s shard of board period `period_id`.
    pub fn board_key(&self, period_id: &str, player: &PlayerId) -> String {
        self.board_keys(period_id)[usize::from(self.shard_of(player))].clone()
    }

    /// Every shard key of the display names, shard 0 first.
    pub fn name_keys(&self) -> Keys {
        self.names.clone()
    }

    /// The key of `player`'s shard of the display names.
    pub fn name_key(&self, player: &PlayerId) -> &str {
        &self.names[usize::from(self.shard_of(player))]
    }
}

/// The `count` keys `lf:{<tag>}` of base `base`.
fn keys_of(base: &str, count: u16) -> Keys {
    (0..count)
        .map(|index| format!("lf:{{{}}}", spread_tag(base, index, count)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_shard_is_the_unsharded_layout() {
        let one = Sharding::new(1);
        let player = PlayerId::new("ann").unwrap();
        assert_eq!(one.board_key("all", &player), "lf:{lb:all}");
        assert_eq!(one.name_key(&player), "lf:{names}");
    }

    #[test]
    fn a_player_keeps_one_shard_and_keys_are_tagged_per_shard() {
        let sixteen = Sharding::new(16);
        let player = PlayerId::new("ann").unwrap();
        let key = sixteen.board_key("w2026-11-23", &player);
        assert_eq!(key, sixteen.board_key("w2026-11-23", &player));
        assert!(key.starts_with("lf:{lb:w2026-11-23:"), "{key}");
        let keys = sixteen.board_keys("all");
        assert_eq!(keys.len(), 16);
        let unique: std::collections::BTreeSet<&String> = keys.iter().collect();
        assert_eq!(unique.len(), 16);
        assert_eq!(sixteen.name_keys().len(), 16);
    }
}
