//! The Redis a load run reads for its report, one server or a Redis Cluster: the masters to read (a
//! cluster's are found with `CLUSTER NODES` on the first seed that answers), and each master's command
//! counts, time in commands (`INFO commandstats`) and CPU (`INFO cpu`), so a report shows how the load
//! split between masters and what it cost each.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, bail};
use leapfrog_core::store::RedisTarget;
use serde::Serialize;

/// How long one INFO or CLUSTER NODES may take: a report never hangs on a Redis that went away.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// The target named by `--redis-url` (with `--redis-cluster`, a comma-separated list of some of the
/// cluster's nodes), as the node reads its own flags.
pub fn target(url: &str, cluster: bool) -> RedisTarget {
    if cluster {
        RedisTarget::Cluster(
            url.split(',')
                .map(str::trim)
                .filter(|url| !url.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    } else {
        RedisTarget::Single(url.to_owned())
    }
}

/// The URLs of the masters to read: the server itself, or every master of the cluster (asked of the
/// first seed that answers).
pub async fn masters(target: &RedisTarget) -> anyhow::Result<Vec<String>> {
    let seeds = match target {
        RedisTarget::Single(url) => return Ok(vec![url.clone()]),
        RedisTarget::Cluster(seeds) => seeds,
    };
    let mut failures = Vec::new();
    for seed in seeds {
        let nodes = async {
            let mut connection = connect(seed).await?;
            redis::cmd("CLUSTER")
                .arg("NODES")
                .query_async::<String>(&mut connection)
                .await
                .context("CLUSTER NODES")
        };
        match tokio::time::timeout(READ_TIMEOUT, nodes).await {
            Ok(Ok(nodes)) => {
                let masters: Vec<String> = master_addresses(&nodes)
                    .into_iter()
                    .map(|address| url_for(seed, &address))
                    .collect();
                if masters.is_empty() {
                    bail!("{seed} lists no master that is up (CLUSTER NODES)");
                }
                return Ok(masters);
            }
            Ok(Err(error)) => failures.push(format!("{seed}: {error:#}")),
            Err(_) => failures.push(format!("{seed}: no answer in {READ_TIMEOUT:?}")),
        }
    }
    bail!(
        "no cluster seed answered CLUSTER NODES: {}",
        failures.join("; ")
    )
}

/// The `ip:port` of every master `CLUSTER NODES` lists as up.
fn master_addresses(nodes: &str) -> Vec<String> {
    nodes
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let address = fields.nth(1)?;
            let flags = fields.next()?;
            let is_master = flags.split(',').any(|flag| flag == "master");
            let is_down = flags
                .split(',')
                .any(|flag| matches!(flag, "fail" | "fail?" | "noaddr" | "handshake"));
            // `ip:port@cport[,hostname]`
            let address = address.split(['@', ',']).next()?;
            (is_master && !is_down && !address.starts_with(':')).then(|| address.to_owned())
        })
        .collect()
}

/// The seed's scheme and credentials with another address (a cluster has only database 0).
fn url_for(seed: &str, address: &str) -> String {
    let prefix_end = seed
        .rfind('@')
        .map(|at| at + 1)
        .or_else(|| seed.find("://").map(|scheme| scheme + 3))
        .unwrap_or(0);
    format!("{}{address}", &seed[..prefix_end])
}

async fn connect(url: &str) -> anyhow::Result<redis::aio::MultiplexedConnection> {
    redis::Client::open(url)
        .with_context(|| format!("Redis URL {url}"))?
        .get_multiplexed_async_connection()
        .await
        .with_context(|| format!("connecting to Redis at {url}"))
}

/// What one master had done when it was read: counters since it started.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    /// Calls and microseconds per command (`INFO commandstats`; a Lua script counts as `evalsha` and
    /// again for each command it runs).
    pub commands: BTreeMap<String, (u64, u64)>,
    /// CPU seconds of the redis-server process, user plus system (`INFO cpu`).
    pub cpu_s: f64,
}

/// Reads the counters of every master in `masters`.
pub async fn read(masters: &[String]) -> anyhow::Result<Vec<Counters>> {
    futures_util::future::try_join_all(masters.iter().map(|url| async move {
        let info = async {
            let mut connection = connect(url).await?;
            let (commands, cpu): (String, String) = redis::pipe()
                .cmd("INFO")
                .arg("commandstats")
                .cmd("INFO")
                .arg("cpu")
                .query_async(&mut connection)
                .await
                .with_context(|| format!("INFO at {url}"))?;
            Ok::<_, anyhow::Error>(Counters {
                commands: parse_commandstats(&commands),
                cpu_s: parse_cpu(&cpu),
            })
        };
        tokio::time::timeout(READ_TIMEOUT, info)
            .await
            .with_context(|| format!("INFO at {url}: no answer in {READ_TIMEOUT:?}"))?
    }))
    .await
}

fn parse_commandstats(info: &str) -> BTreeMap<String, (u64, u64)> {
    info.lines()
        .filter_map(|line| {
            let (name, fields) = line.strip_prefix("cmdstat_")?.split_once(':')?;
            let field = |key: &str| -> Option<u64> {
                fields
                    .split(',')
                    .find_map(|field| field.strip_prefix(key))?
                    .parse()
                    .ok()
            };
            Some((name.to_owned(), (field("calls=")?, field("usec=")?)))
        })
        .collect()
}

fn parse_cpu(info: &str) -> f64 {
    info.lines()
        .filter_map(|line| {
            line.strip_prefix("used_cpu_sys:")
                .or_else(|| line.strip_prefix("used_cpu_user:"))
        })
        .filter_map(|seconds| seconds.trim().parse::<f64>().ok())
        .sum()
}

/// What one master did during the load, and its share of what every master did.
#[derive(Debug, Clone, Serialize)]
pub struct MasterLoad {
    /// The master's URL.
    pub url: String,
    /// Commands it ran (the report's own `INFO`s left out).
    pub calls: u64,
    /// Microseconds it spent in them.
    pub usec: u64,
    /// CPU milliseconds of its process, user plus system (commands, networking, cluster bus).
    pub cpu_ms: f64,
    /// Its share of every master's calls, in percent.
    pub calls_pct: f64,
    /// Its share of every master's command time, in percent.
    pub usec_pct: f64,
    /// Calls per command.
    pub calls_by_command: BTreeMap<String, u64>,
}

/// Each master's load between two readings (`before` and `after` in the order of `masters`).
pub fn load_between(
    masters: &[String],
    before: &[Counters],
    after: &[Counters],
) -> Vec<MasterLoad> {
    let mut loads: Vec<MasterLoad> = masters
        .iter()
        .zip(before.iter().zip(after))
        .map(|(url, (before, after))| {
            let mut load = MasterLoad {
                url: url.clone(),
                calls: 0,
                usec: 0,
                cpu_ms: ((after.cpu_s - before.cpu_s) * 1000.0).max(0.0),
                calls_pct: 0.0,
                usec_pct: 0.0,
                calls_by_command: BTreeMap::new(),
            };
            for (name, (calls, usec)) in &after.commands {
                if name == "info" {
                    continue;
                }
                let (calls_before, usec_before) =
                    before.commands.get(name).copied().unwrap_or((0, 0));
                let calls = calls.saturating_sub(calls_before);
                if calls > 0 {
                    load.calls += calls;
                    load.usec += usec.saturating_sub(usec_before);
                    load.calls_by_command.insert(name.clone(), calls);
                }
            }
            load
        })
        .collect();
    let calls: u64 = loads.iter().map(|load| load.calls).sum();
    let usec: u64 = loads.iter().map(|load| load.usec).sum();
    for load in &mut loads {
        load.calls_pct = percent(load.calls, calls);
        load.usec_pct = percent(load.usec, usec);
    }
    loads
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

/// Calls per command summed over the masters.
pub fn calls_by_command(loads: &[MasterLoad]) -> BTreeMap<String, u64> {
    let mut total = BTreeMap::new();
    for load in loads {
        for (name, calls) in &load.calls_by_command {
            *total.entry(name.clone()).or_insert(0) += calls;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_target_follows_the_node_flags() {
        assert_eq!(
            target("redis://a:1", false),
            RedisTarget::Single("redis://a:1".into())
        );
        assert_eq!(
            target("redis://a:1, redis://b:2,", true),
            RedisTarget::Cluster(vec!["redis://a:1".into(), "redis://b:2".into()])
        );
    }

    #[test]
    fn masters_up_are_read_from_cluster_nodes() {
        let nodes = "\
07c3 127.0.0.1:30004@31004,host4 slave e7d1 0 1426238317239 4 connected\n\
67ed 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922\n\
292f 127.0.0.1:30003@31003 master,fail - 0 1426238318243 3 connected 10923-16383\n\
e7d1 127.0.0.1:30001@31001,host1 myself,master - 0 0 1 connected 0-5460\n\
aaaa :0@0 master,noaddr - 0 0 0 disconnected\n";
        assert_eq!(
            master_addresses(nodes),
            vec!["127.0.0.1:30002".to_owned(), "127.0.0.1:30001".to_owned()]
        );
        assert_eq!(
            url_for("redis://:pw@10.0.0.1:6379/0", "10.0.0.2:7000"),
            "redis://:pw@10.0.0.2:7000"
        );
        assert_eq!(
            url_for("redis://10.0.0.1:6379", "10.0.0.2:7000"),
            "redis://10.0.0.2:7000"
        );
    }

    #[test]
    fn loads_are_deltas_and_shares() {
        let info = |evalsha: u64, usec: u64, cpu: &str| Counters {
            commands: parse_commandstats(&format!(
                "# Commandstats\r\ncmdstat_evalsha:calls={evalsha},usec={usec},usec_per_call=1.0\r\n\
                 cmdstat_info:calls=9,usec=9,usec_per_call=1.0\r\n"
            )),
            cpu_s: parse_cpu(&format!(
                "# CPU\r\nused_cpu_sys:{cpu}\r\nused_cpu_user:1.000000\r\nused_cpu_sys_children:7.0\r\n"
            )),
        };
        let masters = vec!["redis://a".to_owned(), "redis://b".to_owned()];
        let before = vec![info(10, 100, "0.5"), info(0, 0, "0.5")];
        let after = vec![info(40, 400, "1.5"), info(10, 100, "0.75")];
        let loads = load_between(&masters, &before, &after);
        assert_eq!((loads[0].calls, loads[0].usec), (30, 300));
        assert_eq!((loads[1].calls, loads[1].usec), (10, 100));
        assert!((loads[0].calls_pct - 75.0).abs() < 1e-9);
        assert!((loads[1].usec_pct - 25.0).abs() < 1e-9);
        assert!((loads[0].cpu_ms - 1000.0).abs() < 1e-6);
        assert!((loads[1].cpu_ms - 250.0).abs() < 1e-6);
        assert!(!loads[0].calls_by_command.contains_key("info"));
        assert_eq!(calls_by_command(&loads).get("evalsha"), Some(&40));
    }
}
