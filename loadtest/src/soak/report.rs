//! The soak report: the samples, the post-warm-up fits, Redis's growth per run, the verdict, and the
//! load's per-message table. A table or JSON.

use std::fmt::Write as _;

use serde::Serialize;

use super::trend::{self, Fit};
use crate::cli::RunOptions;
use crate::report::Report;

/// Growth a node's memory may show before it counts: noise from the allocator and buffers.
const RSS_FLOOR_BYTES: f64 = 2.0 * 1024.0 * 1024.0;
/// Growth a node's descriptor count may show before it counts: connections opening and closing.
const FD_FLOOR: f64 = 4.0;
const MIB: f64 = 1024.0 * 1024.0;

/// What was run.
#[derive(Debug, Clone, Serialize)]
pub struct SoakSettings {
    /// Nodes.
    pub nodes: usize,
    /// Players.
    pub players: u32,
    /// Seconds of load after the ramp.
    pub duration_s: u64,
    /// `human` or `fast`.
    pub pace: String,
    /// Pause after each action, ms.
    pub think_ms: u64,
    /// A new connection every this many actions.
    pub reconnect_every: u32,
    /// Seconds between samples.
    pub sample_s: u64,
    /// Seconds left out of the fits.
    pub warmup_s: u64,
    /// Tolerance of the flatness verdict, percent of the mean.
    pub flat_tolerance_pct: f64,
    /// Redis `appendfsync`.
    pub appendfsync: String,
}

impl SoakSettings {
    /// The settings of `options` with `nodes` nodes.
    pub fn of(options: &RunOptions, nodes: usize) -> SoakSettings {
        let duration_s = options.duration().as_secs();
        SoakSettings {
            nodes,
            players: options.players,
            duration_s,
            pace: format!("{:?}", options.pace).to_lowercase(),
            think_ms: options.think_ms,
            reconnect_every: options.soak.reconnect_every,
            sample_s: options.soak.sample_secs,
            warmup_s: options
                .soak
                .warmup_secs
                .unwrap_or((duration_s / 5).min(600)),
            flat_tolerance_pct: options.soak.flat_tolerance_pct,
            appendfsync: options.cluster.appendfsync.as_redis().to_owned(),
        }
    }
}

/// One node at one sample.
#[derive(Debug, Clone, Serialize)]
pub struct NodeSample {
    /// Resident memory (`VmRSS`), if the process runs.
    pub rss_bytes: Option<u64>,
    /// Open file descriptors, if the process runs.
    pub fds: Option<u64>,
}

/// Everything sampled at one moment.
#[derive(Debug, Clone, Serialize)]
pub struct Sample {
    /// Seconds since the load started.
    pub t_s: f64,
    /// Each node.
    pub nodes: Vec<NodeSample>,
    /// Redis `used_memory` (INFO memory).
    pub redis_used_memory: u64,
    /// Redis keys (DBSIZE).
    pub redis_keys: u64,
    /// Runs played to their end so far.
    pub runs: u64,
    /// The players' connections open.
    pub connections: i64,
}

impl Sample {
    /// The sample as one progress line.
    pub fn line(&self) -> String {
        let nodes: Vec<String> = self
            .nodes
            .iter()
            .map(|node| {
                format!(
                    "RSS {} fds {}",
                    node.rss_bytes
                        .map_or("-".into(), |rss| format!("{:.1} MiB", rss as f64 / MIB)),
                    node.fds.map_or("-".into(), |fds| fds.to_string())
                )
            })
            .collect();
        format!(
            "t={:>7.1}s {} | Redis {:.1} MiB, {} keys | runs {} | connections {}",
            self.t_s,
            nodes.join(" | "),
            self.redis_used_memory as f64 / MIB,
            self.redis_keys,
            self.runs,
            self.connections
        )
    }
}

/// The verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    /// Every node's memory and descriptors are flat after the warm-up.
    pub node_flat: bool,
    /// Why not, if not.
    pub reasons: Vec<String>,
    /// Redis memory per run played, after the warm-up (least squares of `used_memory` on runs).
    pub redis_bytes_per_run: Option<f64>,
    /// Redis keys per run played, the same way.
    pub redis_keys_per_run: Option<f64>,
}

/// Everything a soak found.
#[derive(Debug, Clone, Serialize)]
pub struct SoakReport {
    /// What was run.
    pub settings: SoakSettings,
    /// Every sample.
    pub samples: Vec<Sample>,
    /// The fits after the warm-up: the nodes' series (judged) and Redis's (reported).
    pub fits: Vec<Fit>,
    /// The verdict.
    pub verdict: Verdict,
    /// Connections closed and opened again on purpose.
    pub reconnects: u64,
    /// The load itself.
    pub load: Report,
}

impl SoakReport {
    /// Fits the samples and gives the verdict.
    pub fn build(
        settings: SoakSettings,
        samples: Vec<Sample>,
        reconnects: u64,
        load: Report,
    ) -> SoakReport {
        let warmup = settings.warmup_s as f64;
        let pct = settings.flat_tolerance_pct;
        let mut fits = Vec::new();
        let mut reasons = Vec::new();
        for node in 0..settings.nodes {
            let series = |pick: fn(&NodeSample) -> Option<u64>| -> Vec<(f64, f64)> {
                samples
                    .iter()
                    .filter_map(|sample| Some((sample.t_s, pick(sample.nodes.get(node)?)? as f64)))
                    .collect()
            };
            for (name, points, floor) in [
                (
                    format!("node-{node} RSS bytes"),
                    series(|n| n.rss_bytes),
                    RSS_FLOOR_BYTES,
                ),
                (format!("node-{node} open fds"), series(|n| n.fds), FD_FLOOR),
            ] {
                if points.len() < samples.len() {
                    reasons.push(format!("{name}: the node was not running at every sample"));
                }
                match trend::fit(&name, &points, warmup, pct, floor) {
                    Some(fit) => {
                        if !fit.flat {
                            reasons.push(format!(
                                "{name} grew {:.0} over the samples after the warm-up (tolerance {:.0})",
                                fit.growth, fit.tolerance
                            ));
                        }
                        fits.push(fit);
                    }
                    None => reasons.push(format!("{name}: fewer than 3 samples after the warm-up")),
                }
            }
        }
        let redis_memory: Vec<(f64, f64)> = samples
            .iter()
            .map(|sample| (sample.t_s, sample.redis_used_memory as f64))
            .collect();
        let redis_keys: Vec<(f64, f64)> = samples
            .iter()
            .map(|sample| (sample.t_s, sample.redis_keys as f64))
            .collect();
        fits.extend(trend::fit(
            "Redis used_memory bytes",
            &redis_memory,
            warmup,
            pct,
            0.0,
        ));
        fits.extend(trend::fit("Redis keys", &redis_keys, warmup, pct, 0.0));
        let per_run = |value: fn(&Sample) -> u64| {
            let points: Vec<(f64, f64)> = samples
                .iter()
                .filter(|sample| sample.t_s >= warmup)
                .map(|sample| (sample.runs as f64, value(sample) as f64))
                .collect();
            trend::slope(&points)
        };
        SoakReport {
            verdict: Verdict {
                node_flat: reasons.is_empty(),
                reasons,
                redis_bytes_per_run: per_run(|sample| sample.redis_used_memory),
                redis_keys_per_run: per_run(|sample| sample.redis_keys),
            },
            settings,
            samples,
            fits,
            reconnects,
            load,
        }
    }

    /// The report as text.
    pub fn table(&self) -> String {
        let s = &self.settings;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "soak: {} node(s), {} players at {} pace (think {} ms, a new connection every {} actions), \
             {} s, a sample every {} s, warm-up {} s, Redis appendfsync {}",
            s.nodes,
            s.players,
            s.pace,
            s.think_ms,
            s.reconnect_every,
            s.duration_s,
            s.sample_s,
            s.warmup_s,
            s.appendfsync
        );
        let mut header = format!("{:>8}", "t s");
        for node in 0..s.nodes {
            let _ = write!(
                header,
                " {:>14} {:>10}",
                format!("node-{node} RSS MiB"),
                "fds"
            );
        }
        let _ = writeln!(
            out,
            "{header} {:>10} {:>9} {:>8} {:>6}",
            "Redis MiB", "keys", "runs", "conns"
        );
        for sample in &self.samples {
            let mut line = format!("{:>8.0}", sample.t_s);
            for node in &sample.nodes {
                let _ = write!(
                    line,
                    " {:>14} {:>10}",
                    node.rss_bytes
                        .map_or("-".into(), |rss| format!("{:.1}", rss as f64 / MIB)),
                    node.fds.map_or("-".into(), |fds| fds.to_string())
                );
            }
            let _ = writeln!(
                out,
                "{line} {:>10.1} {:>9} {:>8} {:>6}",
                sample.redis_used_memory as f64 / MIB,
                sample.redis_keys,
                sample.runs,
                sample.connections
            );
        }
        let _ = writeln!(
            out,
            "\nafter the warm-up (least squares): {:<24} {:>14} {:>14} {:>14} {:>14} {:>14}  flat",
            "series", "start", "end", "slope/h", "growth", "tolerance"
        );
        for fit in &self.fits {
            let _ = writeln!(
                out,
                "{:<58} {:>14.0} {:>14.0} {:>14.0} {:>14.0} {:>14.0}  {}",
                fit.series,
                fit.start,
                fit.end,
                fit.slope_per_hour,
                fit.growth,
                fit.tolerance,
                if fit.series.starts_with("node") {
                    if fit.flat { "yes" } else { "NO" }
                } else {
                    "(not judged)"
                }
            );
        }
        let verdict = &self.verdict;
        if let (Some(bytes), Some(keys)) = (verdict.redis_bytes_per_run, verdict.redis_keys_per_run)
        {
            let _ = writeln!(
                out,
                "Redis grows by {bytes:.0} bytes and {keys:.2} keys per run played (finished runs are kept 24 h)"
            );
        }
        let _ = writeln!(out, "connections reopened on purpose: {}", self.reconnects);
        let _ = writeln!(out, "\nthe load, per message type:");
        out.push_str(&self.load.table());
        let _ = writeln!(
            out,
            "\nverdict: {}",
            if verdict.node_flat {
                "the nodes' memory and descriptors are flat after the warm-up".to_owned()
            } else {
                format!("NOT FLAT: {}", verdict.reasons.join("; "))
            }
        );
        out
    }
}
