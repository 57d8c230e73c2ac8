//! What the tool reads about the machine and the server: a process's resident memory and open file
//! descriptors, and Redis memory (INFO memory, DBSIZE). Redis command counts are `redis_nodes`'.

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
}
