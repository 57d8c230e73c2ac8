//! CPU time per operation: each watched process's utime+stime (Linux `/proc/<pid>/stat`) read at the
//! start of the load, when the ramp ends and at the deadline, divided by the operations answered in the
//! same window. On a shared machine throughput moves with whatever else runs; the CPU a process spends on
//! each operation does not, so this is the figure to decide with.

use std::sync::atomic::Ordering;

use serde::Serialize;

use crate::stats::Stats;

/// `/proc/<pid>/stat` counts CPU time in USER_HZ ticks: a fixed 100 per second in Linux's ABI, whatever
/// the kernel's own tick rate.
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU seconds (user + system, every thread, living or exited) process `pid` has used so far.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat_ticks(&stat).map(|ticks| ticks as f64 / TICKS_PER_SECOND)
}

/// utime + stime from a `/proc/<pid>/stat` line. The command name in parentheses may hold spaces, so
/// fields are counted after its closing parenthesis: utime and stime are fields 14 and 15 of the line.
fn parse_stat_ticks(stat: &str) -> Option<u64> {
    let (_, after_name) = stat.rsplit_once(')')?;
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// What the load had done at one instant, with every watched process's CPU seconds.
#[derive(Debug, Clone)]
pub struct Reading {
    at: tokio::time::Instant,
    round_trips: u64,
    jumps: u64,
    runs: u64,
    connections: u64,
    cpu: Vec<Option<f64>>,
}

/// The watched processes: the `--cpu-pid NAME=PID` list, then the tool itself as `tool`.
#[derive(Debug, Clone)]
pub struct Watched {
    processes: Vec<(String, u32)>,
}

impl Watched {
    /// The given processes and this one.
    pub fn new(named: &[(String, u32)]) -> Watched {
        let mut processes = named.to_vec();
        processes.push(("tool".to_owned(), std::process::id()));
        Watched { processes }
    }

    /// Reads every process's CPU time and the load's counters now.
    pub fn read(&self, stats: &Stats) -> Reading {
        let (round_trips, _) = stats.requests();
        let connections =
            u64::try_from(stats.peak_connections.load(Ordering::Relaxed)).unwrap_or(0);
        Reading {
            at: tokio::time::Instant::now(),
            round_trips,
            jumps: stats.jumps.load(Ordering::Relaxed),
            runs: stats.runs.load(Ordering::Relaxed),
            connections,
            cpu: self
                .processes
                .iter()
                .map(|(_, pid)| cpu_seconds(*pid))
                .collect(),
        }
    }

    /// The report from the readings at the start, at the end of the ramp and at the deadline.
    pub fn report(&self, start: &Reading, ramped: &Reading, end: &Reading) -> CpuReport {
        let window_s = end.at.duration_since(ramped.at).as_secs_f64().max(1e-9);
        let round_trips = end.round_trips.saturating_sub(ramped.round_trips);
        let jumps = end.jumps.saturating_sub(ramped.jumps);
        let runs = end.runs.saturating_sub(ramped.runs);
        let connections = ramped.connections;
        let per = |seconds: f64, count: u64| (count > 0).then(|| seconds * 1e6 / count as f64);
        let processes = self
            .processes
            .iter()
            .enumerate()
            .map(|(index, (name, pid))| {
                let spent = |from: &Reading, to: &Reading| match (from.cpu[index], to.cpu[index]) {
                    (Some(from), Some(to)) => Some((to - from).max(0.0)),
                    _ => None,
                };
                let ramp_cpu_s = spent(start, ramped);
                let cpu_s = spent(ramped, end);
                ProcessCpu {
                    name: name.clone(),
                    pid: *pid,
                    cpu_s,
                    cores: cpu_s.map(|seconds| seconds / window_s),
                    us_per_round_trip: cpu_s.and_then(|seconds| per(seconds, round_trips)),
                    us_per_jump: cpu_s.and_then(|seconds| per(seconds, jumps)),
                    us_per_run: cpu_s.and_then(|seconds| per(seconds, runs)),
                    ramp_cpu_s,
                    ramp_us_per_connection: ramp_cpu_s
                        .and_then(|seconds| per(seconds, connections)),
                }
            })
            .collect();
        CpuReport {
            window_s,
            round_trips,
            round_trips_per_s: round_trips as f64 / window_s,
            jumps,
            runs,
            connections,
            processes,
        }
    }
}

/// CPU per operation over the steady window (from the end of the ramp to the deadline), and per
/// connection over the ramp.
#[derive(Debug, Clone, Serialize)]
pub struct CpuReport {
    /// Seconds from the end of the ramp to the deadline.
    pub window_s: f64,
    /// Requests answered in the window (every type but notification delivery).
    pub round_trips: u64,
    /// Round trips per second of the window.
    pub round_trips_per_s: f64,
    /// Jumps answered in the window.
    pub jumps: u64,
    /// Runs played to their end in the window.
    pub runs: u64,
    /// Connections opened by the end of the ramp.
    pub connections: u64,
    /// Each watched process, the tool last.
    pub processes: Vec<ProcessCpu>,
}

/// One process's CPU. A figure is `None` when the process could not be read (gone, not on this machine)
/// or when no operation of that kind was answered.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessCpu {
    /// `node`, `redis`, `echo`, ... as given to `--cpu-pid`; `tool` for the load tool.
    pub name: String,
    /// Its process id.
    pub pid: u32,
    /// CPU seconds over the window.
    pub cpu_s: Option<f64>,
    /// Cores used on average over the window.
    pub cores: Option<f64>,
    /// CPU µs per round trip.
    pub us_per_round_trip: Option<f64>,
    /// CPU µs per jump answered.
    pub us_per_jump: Option<f64>,
    /// CPU µs per run played to its end.
    pub us_per_run: Option<f64>,
    /// CPU seconds over the ramp.
    pub ramp_cpu_s: Option<f64>,
    /// CPU µs over the ramp per connection opened in it (meaningful where the ramp only connects, as in
    /// `idle`).
    pub ramp_us_per_connection: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utime_and_stime_are_read_after_the_command_name() {
        let line = "42 (a (weird) name) S 1 42 42 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 4 0 9 0 0";
        assert_eq!(parse_stat_ticks(line), Some(325));
        assert_eq!(parse_stat_ticks("42 (short) S 1"), None);
        assert!(cpu_seconds(std::process::id()).is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn cpu_is_divided_by_the_operations_of_the_window() {
        let watched = Watched {
            processes: vec![("node".to_owned(), 1), ("gone".to_owned(), 2)],
        };
        let reading = |round_trips, jumps, runs, cpu: Vec<Option<f64>>| Reading {
            at: tokio::time::Instant::now(),
            round_trips,
            jumps,
            runs,
            connections: 10,
            cpu,
        };
        let start = reading(0, 0, 0, vec![Some(1.0), None]);
        let ramped = reading(100, 90, 9, vec![Some(1.5), None]);
        tokio::time::advance(std::time::Duration::from_secs(2)).await;
        let end = reading(2_100, 1_890, 109, vec![Some(3.5), None]);
        let report = watched.report(&start, &ramped, &end);
        assert_eq!(
            (report.round_trips, report.jumps, report.runs),
            (2_000, 1_800, 100)
        );
        assert!((report.round_trips_per_s - 1_000.0).abs() < 1e-6);
        let node = &report.processes[0];
        assert_eq!(node.us_per_round_trip.map(f64::round), Some(1_000.0));
        assert_eq!(node.us_per_run.map(f64::round), Some(20_000.0));
        assert_eq!(node.cores.map(f64::round), Some(1.0));
        assert_eq!(node.ramp_us_per_connection.map(f64::round), Some(50_000.0));
        assert!(report.processes[1].cpu_s.is_none());
    }
}
