//! What the tool reads about the machine and the server: a process's resident memory and open file
//! descriptors, Redis command counts (INFO commandstats) to divide by completed runs, and Redis memory
//! (INFO memory, DBSIZE).

use std::collections::BTreeMap;

/// Resident memory of process `pid` in bytes (Linux `/proc`).
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    parse_rss(&status)
}

fn parse_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Open file descriptors of process `pid` (Linux `/proc`).
pub fn open_fds(pid: u32) -> Option<u64> {
    let entries = std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?;
    Some(entries.count() as u64)
}

/// Redis's memory: `used_memory` (INFO memory) and the number of keys (DBSIZE).
pub async fn redis_memory(
    connection: &mut redis::aio::MultiplexedConnection,
) -> anyhow::Result<(u64, u64)> {
    let (info, keys): (String, u64) = redis::pipe()
        .cmd("INFO")
        .arg("memory")
        .cmd("DBSIZE")
        .query_async(connection)
        .await?;
    let used = info
        .lines()
        .find_map(|line| line.strip_prefix("used_memory:"))
        .and_then(|bytes| bytes.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("INFO memory has no used_memory"))?;
    Ok((used, keys))
}

/// Calls per Redis command so far (`INFO commandstats`).
pub async fn command_calls(url: &str) -> anyhow::Result<BTreeMap<String, u64>> {
    let client = redis::Client::open(url)?;
    let mut connection = client.get_multiplexed_async_connection().await?;
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(&mut connection)
        .await?;
    Ok(parse_commandstats(&info))
}

fn parse_commandstats(info: &str) -> BTreeMap<String, u64> {
    info.lines()
        .filter_map(|line| {
            let (name, fields) = line.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = fields
                .split(',')
                .find_map(|field| field.strip_prefix("calls="))?
                .parse()
                .ok()?;
            Some((name.to_owned(), calls))
        })
        .collect()
}

/// The calls made between two readings, without the INFO calls themselves.
pub fn calls_between(
    before: &BTreeMap<String, u64>,
    after: &BTreeMap<String, u64>,
) -> BTreeMap<String, u64> {
    after
        .iter()
        .filter(|(name, _)| name.as_str() != "info")
        .filter_map(|(name, calls)| {
            let made = calls - before.get(name).copied().unwrap_or(0).min(*calls);
            (made > 0).then(|| (name.clone(), made))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_is_read_from_proc_status() {
        assert_eq!(
            parse_rss("Name:\tx\nVmRSS:\t  1024 kB\n"),
            Some(1024 * 1024)
        );
        assert!(rss_bytes(std::process::id()).unwrap_or(0) > 0);
        assert!(open_fds(std::process::id()).unwrap_or(0) >= 3);
    }

    #[test]
    fn commandstats_parse_and_subtract() {
        let before = parse_commandstats(
            "# Commandstats\r\ncmdstat_evalsha:calls=10,usec=5,usec_per_call=0.5\r\ncmdstat_info:calls=1,usec=1",
        );
        let after = parse_commandstats(
            "cmdstat_evalsha:calls=25,usec=5\r\ncmdstat_zmscore:calls=3,usec=1\r\ncmdstat_info:calls=2,usec=1",
        );
        let made = calls_between(&before, &after);
        assert_eq!(made.get("evalsha"), Some(&15));
        assert_eq!(made.get("zmscore"), Some(&3));
        assert!(!made.contains_key("info"));
    }
}
