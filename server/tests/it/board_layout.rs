//! The board layout of a deployment: a node migrates the boards and names of a deployment from before
//! sharding (one key per board, one names hash) into its shards on first start, keeping every score and
//! each board's expiry, records the shard count, and a node configured with another count refuses to
//! start.

use crate::support::{TestRedis, TestServer, board_key, sharding};

/// A daily board's key from before sharding, and the period id it names.
const DAILY: (&str, &str) = ("lf:{lb:d2026-11-28}", "d2026-11-28");
/// When the legacy daily board expires (unix ms), well in the future.
const DAILY_EXPIRES_AT_MS: u64 = 4_102_444_800_000;

#[tokio::test]
async fn a_deployment_from_before_sharding_is_migrated_once_and_its_shard_count_is_fixed() {
    let redis = TestRedis::single().await;
    let mut connection = redis.connection().await;
    // 300 players over the old single-key boards and names hash, scores packed as the server packs them
    // (any double: the migration copies the score as it is).
    let players: Vec<String> = (0..300).map(|n| format!("legacy{n}")).collect();
    for (n, player) in players.iter().enumerate() {
        let packed = 1_000.0 + n as f64;
        let _: () = redis::pipe()
            .zadd("lf:{lb:all}", player, packed)
            .zadd(DAILY.0, player, packed + 0.5)
            .hset("lf:{names}", player, format!("Old {n}"))
            .query_async(&mut connection)
            .await
            .unwrap();
    }
    let _: () = redis::cmd("PEXPIREAT")
        .arg(DAILY.0)
        .arg(DAILY_EXPIRES_AT_MS)
        .query_async(&mut connection)
        .await
        .unwrap();

    let server = TestServer::start(&redis, &[]).await;

    // The old keys are gone, every entry is in its player's shard with its score, the expiry is kept.
    for old in ["lf:{lb:all}", DAILY.0, "lf:{names}"] {
        let exists: bool = redis::cmd("EXISTS")
            .arg(old)
            .query_async(&mut connection)
            .await
            .unwrap();
        assert!(!exists, "{old} was not migrated away");
    }
    let layout = sharding();
    let mut shards_used = std::collections::BTreeSet::new();
    for (n, player) in players.iter().enumerate() {
        let all_key = board_key("all", player);
        let daily_key = board_key(DAILY.1, player);
        shards_used.insert(all_key.clone());
        let (all, daily, name): (Option<f64>, Option<f64>, Option<String>) = redis::pipe()
            .zscore(&all_key, player)
            .zscore(&daily_key, player)
            .hget(layout.name_key(&player.parse().unwrap()), player)
            .query_async(&mut connection)
            .await
            .unwrap();
        assert_eq!(all, Some(1_000.0 + n as f64), "{player} in {all_key}");
        assert_eq!(daily, Some(1_000.5 + n as f64), "{player} in {daily_key}");
        assert_eq!(name.as_deref(), Some(format!("Old {n}").as_str()));
        let expires_at: i64 = redis::cmd("PEXPIRETIME")
            .arg(&daily_key)
            .query_async(&mut connection)
            .await
            .unwrap();
        assert_eq!(
            expires_at, DAILY_EXPIRES_AT_MS as i64,
            "{daily_key} kept its expiry"
        );
    }
    assert!(
        shards_used.len() > 8,
        "300 players spread over the shards: {shards_used:?}"
    );
    let recorded: Option<String> = redis::cmd("HGET")
        .arg("lf:{meta}")
        .arg("board-shards")
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(recorded.as_deref(), Some("16"));

    // A second node with the same count starts; one with another count refuses, saying why.
    let second = TestServer::start(&redis, &[]).await;
    drop(second);
    let mut options: Vec<String> = redis.server_args();
    options.extend(["--dev-auth", "--board-shards", "8"].map(str::to_owned));
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    let refused = TestServer::refuses_to_start(&options).await;
    assert!(
        refused.contains("--board-shards 8") && refused.contains("16 shards"),
        "{refused}"
    );
    drop(server);
}
