//! Where keys land on a Redis Cluster, and how a hot key is split into shards that spread evenly.
//!
//! A cluster hashes a key's hash tag (the part in `{}`) with CRC16 to one of 16,384 slots, and each master
//! owns a range of slots. A board that would be one key (one slot, one master taking every write) is split
//! into `count` shard keys; a player always lands on the same shard (`shard_of`, a stable hash of the
//! player id). Left to chance, 16 shard keys over three masters easily put 7 on one of them; so the tag of
//! shard `i` carries the smallest suffix that puts its slot in the `i`-th of `count` equal parts of the slot
//! space (`spread_tag`). Masters own contiguous ranges, so the shards split between them as evenly as
//! `count` allows, whatever the cluster's size.

/// Slots of a Redis Cluster.
pub const SLOTS: u16 = 16_384;

/// The cluster slot of hash tag `tag` (CRC16/XMODEM of the tag, mod 16,384), as Redis computes it.
pub fn slot(tag: &str) -> u16 {
    let mut crc: u16 = 0;
    for byte in tag.bytes() {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
        }
    }
    crc % SLOTS
}

/// The shard (0 to `count` - 1) that `id` always lands on: FNV-1a of its bytes, stable across builds and
/// machines (unlike the standard library's hasher).
pub fn shard_of(id: &str, count: u16) -> u16 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in id.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    u16::try_from(hash % u64::from(count.max(1))).unwrap_or(0)
}

/// The hash tag of shard `index` of `count` for keys named `base`: `base:index`, then `:k` with the
/// smallest `k` that puts the tag's slot in the `index`-th of `count` equal parts of the slot space. With
/// one shard, the tag is `base` itself.
pub fn spread_tag(base: &str, index: u16, count: u16) -> String {
    if count <= 1 {
        return base.to_owned();
    }
    let wanted = |tag: &str| u32::from(slot(tag)) * u32::from(count) / u32::from(SLOTS);
    (0u32..)
        .map(|k| format!("{base}:{index}:{k}"))
        .find(|tag| wanted(tag) == u32::from(index))
        .unwrap_or_else(|| format!("{base}:{index}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_the_ones_redis_computes() {
        // Values from `CLUSTER KEYSLOT` on Redis 7.
        assert_eq!(slot("foo"), 12_182);
        assert_eq!(slot("bar"), 5_061);
        assert_eq!(slot("123456789"), 12_739);
        assert_eq!(slot(""), 0);
    }

    #[test]
    fn a_player_always_lands_on_the_same_shard_and_players_spread() {
        assert_eq!(shard_of("alice", 16), shard_of("alice", 16));
        let mut counts = [0u32; 16];
        for player in 0..16_000 {
            counts[usize::from(shard_of(&format!("player-{player}"), 16))] += 1;
        }
        assert!(
            counts.iter().all(|count| (800..1_200).contains(count)),
            "{counts:?}"
        );
        assert_eq!(shard_of("anyone", 1), 0);
    }

    #[test]
    fn spread_tags_fall_in_their_part_of_the_slot_space() {
        for count in [2u16, 3, 16, 64] {
            for index in 0..count {
                let tag = spread_tag("lb:w2026-11-23", index, count);
                let part = u32::from(slot(&tag)) * u32::from(count) / u32::from(SLOTS);
                assert_eq!(part, u32::from(index), "{tag}");
            }
        }
        assert_eq!(spread_tag("lb:all", 0, 1), "lb:all");
    }

    #[test]
    fn sixteen_spread_shards_split_three_masters_evenly() {
        // `redis-cli --cluster create` gives three masters 0-5460, 5461-10922, 10923-16383.
        let mut per_master = [0u32; 3];
        for index in 0..16 {
            let slot = slot(&spread_tag("lb:all", index, 16));
            let master = match slot {
                0..=5_460 => 0,
                5_461..=10_922 => 1,
                _ => 2,
            };
            per_master[master] += 1;
        }
        assert_eq!(per_master.iter().max(), Some(&6), "{per_master:?}");
    }
}
