//! The board layout a deployment is fixed to: how many shards each period board and the display names
//! are split into. The first node to start records it in Redis (`lf:{meta}`, field `board-shards`); a
//! node configured with another count refuses to start, since it would read and write other keys.
//!
//! A deployment from before sharding has no record and one key per board (`lf:{lb:<period>}`) and for the
//! names (`lf:{names}`): the first node to start migrates them once, under a lock, into the configured
//! shards (every entry with `ZADD GT`, the board's expiry kept), then records the count. The migration
//! scans one Redis; deployments from before sharding ran on one Redis, so a cluster never holds the old
//! keys.

use std::collections::HashMap;
use std::time::Duration;

use protocol::PlayerId;
use thiserror::Error;

use crate::store::{Op, Sharding, Store, StoreError};

/// The hash holding the deployment's layout.
const META: &str = "lf:{meta}";
/// Its field recording the shard count.
const SHARDS_FIELD: &str = "board-shards";
/// The key a migrating node holds, so one node migrates.
const MIGRATION_LOCK: &str = "lf:{meta}:migrating";
/// How long the lock lasts without being renewed (a migration step takes far less).
const LOCK_TTL: Duration = Duration::from_secs(60);
/// Entries read per `ZSCAN`/`HSCAN` step.
const SCAN_COUNT: usize = 1_000;

/// Why a node cannot use the deployment's layout.
#[derive(Debug, Error)]
pub enum LayoutError {
    /// The deployment is fixed to another shard count.
    #[error(
        "this deployment's boards are split into {recorded} shards, but this node is configured with \
         --board-shards {configured}: use {recorded} (the count is fixed once boards hold data)"
    )]
    Mismatch {
        /// The count recorded in Redis.
        recorded: u16,
        /// This node's.
        configured: u16,
    },
    /// Redis failed.
    #[error("reading or migrating the board layout failed")]
    Store(#[from] StoreError),
}

/// What `verify` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// The recorded layout is this node's.
    Matches,
    /// This node recorded the layout, migrating this many unsharded boards (and the names) first.
    Recorded {
        /// Unsharded boards migrated.
        boards_migrated: usize,
    },
}

/// Checks that the deployment's layout is `sharding`'s, recording it (and migrating unsharded boards into
/// it) when none is recorded yet. Waits while another node migrates.
pub async fn verify(store: &Store, sharding: &Sharding) -> Result<Verified, LayoutError> {
    let configured = sharding.count();
    loop {
        if let Some(recorded) = recorded(store).await? {
            return if recorded == configured {
                Ok(Verified::Matches)
            } else {
                Err(LayoutError::Mismatch {
                    recorded,
                    configured,
                })
            };
        }
        let locked: Option<String> = store
            .query(
                Op::LayoutLock,
                crate::store::cmd("SET")
                    .arg(MIGRATION_LOCK)
                    .arg("1")
                    .arg("NX")
                    .arg("PX")
                    .arg(u64::try_from(LOCK_TTL.as_millis()).unwrap_or(u64::MAX)),
            )
            .await?;
        if locked.is_none() {
            // Another node migrates: wait for its record.
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        }
        let boards_migrated = if store.is_cluster() || configured == 1 {
            0
        } else {
            migrate(store, sharding).await?
        };
        store
            .query::<()>(
                Op::LayoutRecord,
                crate::store::cmd("HSETNX")
                    .arg(META)
                    .arg(SHARDS_FIELD)
                    .arg(configured),
            )
            .await?;
        store
            .query::<()>(
                Op::LayoutUnlock,
                crate::store::cmd("DEL").arg(MIGRATION_LOCK),
            )
            .await?;
        if boards_migrated > 0 {
            tracing::info!(
                boards = boards_migrated,
                shards = configured,
                "unsharded boards and names migrated into shards"
            );
        }
        return match recorded(store).await? {
            Some(recorded) if recorded != configured => Err(LayoutError::Mismatch {
                recorded,
                configured,
            }),
            _ => Ok(Verified::Recorded { boards_migrated }),
        };
    }
}

async fn recorded(store: &Store) -> Result<Option<u16>, StoreError> {
    let recorded: Option<String> = store
        .query(
            Op::LayoutRead,
            crate::store::cmd("HGET").arg(META).arg(SHARDS_FIELD),
        )
        .await?;
    Ok(recorded.and_then(|count| count.parse().ok()))
}

/// Moves every unsharded board and the unsharded names into `sharding`'s shards; returns how many boards.
async fn migrate(store: &Store, sharding: &Sharding) -> Result<usize, StoreError> {
    let boards = unsharded_boards(store).await?;
    for key in &boards {
        migrate_board(store, sharding, key).await?;
    }
    migrate_names(store, sharding).await?;
    Ok(boards.len())
}

/// The unsharded board keys: `lf:{lb:<period>}`, whose tag holds no shard suffix.
async fn unsharded_boards(store: &Store) -> Result<Vec<String>, StoreError> {
    let mut cursor = 0u64;
    let mut found = Vec::new();
    loop {
        let (next, keys): (u64, Vec<String>) = store
            .query(
                Op::LayoutScan,
                crate::store::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg("lf:{lb:*}")
                    .arg("COUNT")
                    .arg(SCAN_COUNT),
            )
            .await?;
        found.extend(keys.into_iter().filter(|key| {
            key.strip_prefix("lf:{lb:")
                .and_then(|rest| rest.strip_suffix('}'))
                .is_some_and(|period| !period.contains(':'))
        }));
        if next == 0 {
            return Ok(found);
        }
        cursor = next;
    }
}

/// Copies board `key` into its shards (keeping its expiry), then deletes it.
async fn migrate_board(store: &Store, sharding: &Sharding, key: &str) -> Result<(), StoreError> {
    let period = key
        .trim_start_matches("lf:{lb:")
        .trim_end_matches('}')
        .to_owned();
    let expires_at: i64 = store
        .query(Op::LayoutExpiry, crate::store::cmd("PEXPIRETIME").arg(key))
        .await?;
    let mut cursor = 0u64;
    loop {
        let (next, flat) = scan_page(store, Op::LayoutZscan, "ZSCAN", key, cursor).await?;
        // ZSCAN gives member, score; ZADD takes score, member.
        let by_shard = group_by_shard(&flat, |player| sharding.board_key(&period, player));
        for (shard, entries) in by_shard {
            let mut pipe = redis::pipe();
            pipe.atomic();
            let zadd = pipe.cmd("ZADD").arg(&shard).arg("GT");
            for (member, score) in &entries {
                zadd.arg(score).arg(member);
            }
            pipe.ignore();
            if expires_at > 0 {
                pipe.cmd("PEXPIREAT").arg(&shard).arg(expires_at).ignore();
            }
            store.query_pipeline::<()>(Op::LayoutMigrate, &pipe).await?;
        }
        if next == 0 {
            break;
        }
        cursor = next;
    }
    store
        .query::<()>(Op::LayoutMigrated, crate::store::cmd("DEL").arg(key))
        .await
}

/// Copies the unsharded names hash into its shards, then deletes it.
async fn migrate_names(store: &Store, sharding: &Sharding) -> Result<(), StoreError> {
    const NAMES: &str = "lf:{names}";
    let mut cursor = 0u64;
    loop {
        let (next, flat) = scan_page(store, Op::LayoutHscan, "HSCAN", NAMES, cursor).await?;
        let by_shard = group_by_shard(&flat, |player| sharding.name_key(player).to_owned());
        for (shard, names) in by_shard {
            let mut command = crate::store::cmd("HSET");
            command.arg(&shard);
            for (player, name) in &names {
                command.arg(player).arg(name);
            }
            store.query::<()>(Op::LayoutMigrate, &command).await?;
        }
        if next == 0 {
            break;
        }
        cursor = next;
    }
    store
        .query::<()>(Op::LayoutMigrated, crate::store::cmd("DEL").arg(NAMES))
        .await
}

/// One page of a `ZSCAN` or `HSCAN` of `key` from `cursor`: the next cursor and the flat field, value list.
async fn scan_page(
    store: &Store,
    op: Op,
    command: &str,
    key: &str,
    cursor: u64,
) -> Result<(u64, Vec<String>), StoreError> {
    store
        .query(
            op,
            crate::store::cmd(command)
                .arg(key)
                .arg(cursor)
                .arg("COUNT")
                .arg(SCAN_COUNT),
        )
        .await
}

/// Groups a scan page's (player, value) pairs by the shard key `shard_of` gives each player; entries
/// that are not valid player ids (none should be) are left behind with the old key.
fn group_by_shard(
    flat: &[String],
    shard_of: impl Fn(&PlayerId) -> String,
) -> HashMap<String, Vec<(String, String)>> {
    let mut by_shard: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for pair in flat.chunks_exact(2) {
        if let Ok(player) = PlayerId::new(pair[0].clone()) {
            by_shard
                .entry(shard_of(&player))
                .or_default()
                .push((pair[0].clone(), pair[1].clone()));
        }
    }
    by_shard
}
