//! The final report: per message type count, errors by kind and latency percentiles; run and jump
//! rates; delivery latency; connections; CPU per operation of the tool and of the `--cpu-pid` processes;
//! optional server memory, Redis commands per run and each Redis master's share. Printed as a table or
//! JSON, and checked against the SLO flags for the exit code.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::Serialize;

use crate::cli::RunOptions;
use crate::cpu::CpuReport;
use crate::redis_nodes::{self, MasterLoad};
use crate::stats::Stats;

/// Server memory under load.
#[derive(Debug, Clone, Serialize)]
pub struct Memory {
    /// RSS before the first connection.
    pub rss_before_bytes: u64,
    /// RSS with every connection held.
    pub rss_loaded_bytes: u64,
    /// Connections held at that moment.
    pub connections: u64,
    /// The growth divided by the connections.
    pub bytes_per_connection: u64,
}

/// One message type.
#[derive(Debug, Clone, Serialize)]
pub struct KindReport {
    /// The message type (`jump`, `jump_final`, `start_run`, `read_friends`, ...).
    pub kind: String,
    /// Successful requests.
    pub count: u64,
    /// Successful requests per second of the whole run.
    pub per_second: f64,
    /// Failed requests by error kind.
    pub errors: BTreeMap<String, u64>,
    /// Latency percentiles in ms.
    pub p50_ms: f64,
    /// 90th percentile, ms.
    pub p90_ms: f64,
    /// 99th percentile, ms.
    pub p99_ms: f64,
    /// 99.9th percentile, ms.
    pub p999_ms: f64,
    /// Slowest, ms.
    pub max_ms: f64,
}

/// Everything a run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// `play`, `idle` or `passes`.
    pub scenario: String,
    /// `server` or `echo`.
    pub target: String,
    /// Players asked for.
    pub players: u32,
    /// Seconds from the first connection to the end (ramp included); rates are per second of the
    /// configured ramp plus duration.
    pub elapsed_s: f64,
    /// Seconds of ramp-up.
    pub ramp_s: f64,
    /// Most connections open at once.
    pub peak_connections: i64,
    /// Connections that failed to open.
    pub connect_failures: u64,
    /// Runs played to their end.
    pub runs: u64,
    /// Runs per second.
    pub runs_per_s: f64,
    /// Jumps answered.
    pub jumps: u64,
    /// Jumps per second.
    pub jumps_per_s: f64,
    /// Round trips (answered requests) per second, every type.
    pub round_trips_per_s: f64,
    /// Notifications received.
    pub notifications: u64,
    /// Per message type (delivery latency is `notification_delivery`).
    pub kinds: Vec<KindReport>,
    /// Server memory, with `--server-pid`.
    pub memory: Option<Memory>,
    /// Redis commands per completed run (summed over the masters), with `--redis-url`.
    pub redis_calls_per_run: Option<BTreeMap<String, f64>>,
    /// What each Redis master did during the load, with `--redis-url` (one entry for one Redis).
    pub redis_masters: Option<Vec<MasterLoad>>,
    /// CPU per operation of each watched process over the steady window (none from `chaos` and `soak`).
    pub cpu: Option<CpuReport>,
    /// The SLO flags that failed.
    pub slo_failures: Vec<String>,
}

fn ms(micros: u64) -> f64 {
    micros as f64 / 1000.0
}

impl Report {
    /// Builds the report and checks the SLO flags.
    pub fn build(
        options: &RunOptions,
        stats: &Stats,
        elapsed: Duration,
        ramp: Duration,
        memory: Option<Memory>,
        redis_masters: Option<Vec<MasterLoad>>,
        cpu: Option<CpuReport>,
    ) -> Report {
        // Rates over the configured load (ramp included), not the closing handshakes after it.
        let seconds = elapsed
            .min(ramp + options.duration())
            .as_secs_f64()
            .max(1e-9);
        let kinds: Vec<KindReport> = stats
            .kinds()
            .into_iter()
            .map(|(kind, measured)| {
                let h = &measured.latency_us;
                let at = |q: f64| {
                    if h.is_empty() {
                        0.0
                    } else {
                        ms(h.value_at_quantile(q))
                    }
                };
                KindReport {
                    kind: kind.to_owned(),
                    count: h.len(),
                    per_second: h.len() as f64 / seconds,
                    errors: measured.errors.clone(),
                    p50_ms: at(0.5),
                    p90_ms: at(0.9),
                    p99_ms: at(0.99),
                    p999_ms: at(0.999),
                    max_ms: if h.is_empty() { 0.0 } else { ms(h.max()) },
                }
            })
            .collect();
        let (ok, failed) = stats.requests();
        let runs = stats.runs.load(Ordering::Relaxed);
        let redis_calls_per_run = redis_masters.as_deref().map(|masters| {
            redis_nodes::calls_by_command(masters)
                .into_iter()
                .map(|(name, calls)| (name, calls as f64 / runs.max(1) as f64))
                .collect()
        });
        let jumps = stats.jumps.load(Ordering::Relaxed);
        let mut report = Report {
            scenario: format!("{:?}", options.scenario).to_lowercase(),
            target: format!("{:?}", options.target).to_lowercase(),
            players: options.players,
            elapsed_s: elapsed.as_secs_f64(),
            ramp_s: ramp.as_secs_f64(),
            peak_connections: stats.peak_connections.load(Ordering::Relaxed),
            connect_failures: stats.connect_failures.load(Ordering::Relaxed),
            runs,
            runs_per_s: runs as f64 / seconds,
            jumps,
            jumps_per_s: jumps as f64 / seconds,
            round_trips_per_s: ok as f64 / seconds,
            notifications: stats.notifications.load(Ordering::Relaxed),
            kinds,
            memory,
            redis_calls_per_run,
            redis_masters,
            cpu,
            slo_failures: Vec::new(),
        };
        report.slo_failures = report.check(options, ok, failed);
        report
    }

    fn check(&self, options: &RunOptions, ok: u64, failed: u64) -> Vec<String> {
        let mut failures = Vec::new();
        for (kind, limit) in &options.max_p99_ms {
            match self.kinds.iter().find(|entry| &entry.kind == kind) {
                Some(entry) if entry.p99_ms > *limit => {
                    failures.push(format!("{kind} p99 {:.3} ms > {limit} ms", entry.p99_ms))
                }
                Some(_) => {}
                None => failures.push(format!("{kind}: no successful {kind} to measure")),
            }
        }
        if let Some(limit) = options.max_error_rate {
            let rate = failed as f64 / (ok + failed).max(1) as f64;
            if rate > limit {
                failures.push(format!("error rate {rate:.5} > {limit}"));
            }
        }
        failures
    }

    /// The report as an aligned text table.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{} against {}: {} players, {:.1} s ({:.0} s ramp), peak {} connections, {} failed to connect",
            self.scenario,
            self.target,
            self.players,
            self.elapsed_s,
            self.ramp_s,
            self.peak_connections,
            self.connect_failures
        );
        let _ = writeln!(
            out,
            "runs {} ({:.1}/s), jumps {} ({:.0}/s), round trips {:.0}/s, notifications {}",
            self.runs,
            self.runs_per_s,
            self.jumps,
            self.jumps_per_s,
            self.round_trips_per_s,
            self.notifications
        );
        let _ = writeln!(
            out,
            "{:<22} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8}  errors",
            "type", "count", "per s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms"
        );
        for kind in &self.kinds {
            let errors: Vec<String> = kind
                .errors
                .iter()
                .map(|(k, n)| format!("{k}={n}"))
                .collect();
            let _ = writeln!(
                out,
                "{:<22} {:>9} {:>9.1} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3}  {}",
                kind.kind,
                kind.count,
                kind.per_second,
                kind.p50_ms,
                kind.p90_ms,
                kind.p99_ms,
                kind.p999_ms,
                kind.max_ms,
                errors.join(" ")
            );
        }
        if let Some(memory) = &self.memory {
            let _ = writeln!(
                out,
                "server RSS {:.1} MiB -> {:.1} MiB with {} connections: {} bytes ({:.2} KiB) per connection",
                memory.rss_before_bytes as f64 / 1048576.0,
                memory.rss_loaded_bytes as f64 / 1048576.0,
                memory.connections,
                memory.bytes_per_connection,
                memory.bytes_per_connection as f64 / 1024.0
            );
        }
        if let Some(calls) = &self.redis_calls_per_run {
            let list: Vec<String> = calls
                .iter()
                .map(|(name, n)| format!("{name}={n:.2}"))
                .collect();
            let _ = writeln!(out, "Redis commands per completed run: {}", list.join(" "));
        }
        for master in self.redis_masters.iter().flatten() {
            let _ = writeln!(
                out,
                "Redis master {}: {} commands ({:.1}%), {} µs in commands ({:.1}%), {:.0} ms CPU",
                master.url,
                master.calls,
                master.calls_pct,
                master.usec,
                master.usec_pct,
                master.cpu_ms
            );
        }
        if let Some(cpu) = &self.cpu {
            let _ = writeln!(
                out,
                "CPU over the {:.1} s after the ramp ({} round trips, {:.0}/s; {} jumps; {} runs):",
                cpu.window_s, cpu.round_trips, cpu.round_trips_per_s, cpu.jumps, cpu.runs
            );
            let figure = |value: Option<f64>| value.map_or("-".to_owned(), |v| format!("{v:.1}"));
            for process in &cpu.processes {
                let _ = writeln!(
                    out,
                    "  {:<8} {:>7} s {:>5} cores  µs per round trip {:>8}  per jump {:>8}  per run {:>9}  ramp µs per connection {:>8}",
                    process.name,
                    process.cpu_s.map_or("-".to_owned(), |v| format!("{v:.2}")),
                    process.cores.map_or("-".to_owned(), |v| format!("{v:.2}")),
                    figure(process.us_per_round_trip),
                    figure(process.us_per_jump),
                    figure(process.us_per_run),
                    figure(process.ramp_us_per_connection),
                );
            }
        }
        for failure in &self.slo_failures {
            let _ = writeln!(out, "SLO FAILED: {failure}");
        }
        out
    }
}
