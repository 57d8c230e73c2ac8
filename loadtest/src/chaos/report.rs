//! The chaos report: the settings, the faults injected, the audit's counts and problems, what the
//! players' reconnects cost, and the load's per-message table (errors included). A table or JSON.

use std::fmt::Write as _;

use serde::Serialize;

use super::{Audit, FaultLog};
use crate::cli::RunOptions;
use crate::report::Report;
use crate::resilient::Player;

/// Most incidents listed in the report.
const LISTED_INCIDENTS: usize = 40;

/// What was run.
#[derive(Debug, Clone, Serialize)]
pub struct ChaosSettings {
    /// Nodes on the one Redis.
    pub nodes: usize,
    /// Players (pairs of friends).
    pub players: u32,
    /// Seconds of load after the ramp.
    pub duration_s: u64,
    /// `human` or `fast`.
    pub pace: String,
    /// Runs per second over all pairs.
    pub runs_per_s: u32,
    /// Redis `appendfsync`.
    pub appendfsync: String,
    /// Seconds between node kills (0: none).
    pub node_kill_every_s: u64,
    /// How long a killed node stayed down, ms.
    pub node_down_ms: u64,
    /// Seconds between Redis restarts (0: none).
    pub redis_restart_every_s: u64,
    /// How long a killed Redis stayed down, ms.
    pub redis_down_ms: u64,
    /// The nodes' `--sweep-interval-ms`.
    pub sweep_interval_ms: u64,
    /// The nodes' `--settle-grace-ms`.
    pub settle_grace_ms: u64,
    /// The nodes' `--run-idle-timeout-ms`.
    pub run_idle_timeout_ms: u64,
}

impl ChaosSettings {
    /// The settings of `options` with `nodes` nodes.
    pub fn of(options: &RunOptions, nodes: usize) -> ChaosSettings {
        let chaos = &options.chaos;
        ChaosSettings {
            nodes,
            players: options.players,
            duration_s: options.duration().as_secs(),
            pace: format!("{:?}", options.pace).to_lowercase(),
            runs_per_s: options.rate,
            appendfsync: options.cluster.appendfsync.as_redis().to_owned(),
            node_kill_every_s: chaos.node_kill_every_secs,
            node_down_ms: chaos.node_down_ms,
            redis_restart_every_s: chaos.redis_restart_every_secs,
            redis_down_ms: chaos.redis_down_ms,
            sweep_interval_ms: chaos.sweep_interval_ms,
            settle_grace_ms: chaos.settle_grace_ms,
            run_idle_timeout_ms: chaos.run_idle_timeout_ms,
        }
    }
}

/// What reconnecting cost the players, summed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClientTotals {
    /// Connections opened after a player's first.
    pub reconnects: u64,
    /// Requests sent again.
    pub retries: u64,
    /// Runs resumed after a jump was out of step.
    pub resyncs: u64,
    /// Final jumps sent again while their result was pending.
    pub pending_polls: u64,
    /// Pairs that stopped before the deadline (a run never answered).
    pub pairs_stopped_early: usize,
    /// What players met that a protocol-abiding client should not (a resent jump refused): how many.
    /// Worked around (the run resumed), so not failures of the audit, but each is a server behaviour
    /// to look at.
    pub incidents: usize,
    /// The first incidents, one line each.
    pub incident_lines: Vec<String>,
}

impl ClientTotals {
    /// The sum of every player's counters and incidents.
    pub fn sum<'p>(
        players: impl Iterator<Item = &'p Player>,
        pairs_stopped_early: usize,
    ) -> ClientTotals {
        let mut total = ClientTotals {
            pairs_stopped_early,
            ..ClientTotals::default()
        };
        for player in players {
            let counters = player.counters();
            total.reconnects += counters.reconnects;
            total.retries += counters.retries;
            total.resyncs += counters.resyncs;
            total.pending_polls += counters.pending_polls;
            total.incidents += player.incidents().len();
            let room = LISTED_INCIDENTS.saturating_sub(total.incident_lines.len());
            total
                .incident_lines
                .extend(player.incidents().iter().take(room).cloned());
        }
        total
    }
}

/// Everything a chaos run found.
#[derive(Debug, Clone, Serialize)]
pub struct ChaosReport {
    /// What was run.
    pub settings: ChaosSettings,
    /// The faults injected.
    pub faults: FaultLog,
    /// The audit.
    pub audit: Audit,
    /// What reconnecting cost the players.
    pub clients: ClientTotals,
    /// The work directory (data and logs), when kept.
    pub work_dir: Option<String>,
    /// The load itself: per message type counts, latencies and errors.
    pub load: Report,
}

impl ChaosReport {
    /// True when the audit found nothing lost, duplicated, missing, unexpected or wrong.
    pub fn passed(&self) -> bool {
        self.audit.passed()
    }

    /// The report as text.
    pub fn table(&self) -> String {
        let s = &self.settings;
        let runs = &self.audit.runs;
        let notes = &self.audit.notifications;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "chaos: {} nodes, {} players ({} pairs), {} s at {} pace, {} runs/s; Redis appendfsync {}; \
             nodes sweep every {} ms, settle grace {} ms, run idle timeout {} ms",
            s.nodes,
            s.players,
            s.players / 2,
            s.duration_s,
            s.pace,
            s.runs_per_s,
            s.appendfsync,
            s.sweep_interval_ms,
            s.settle_grace_ms,
            s.run_idle_timeout_ms
        );
        let rows: [(&str, String); 24] = [
            ("faults", String::new()),
            (
                "  node kills (SIGKILL)",
                format!(
                    "{} (every {} s, down {} ms)",
                    self.faults.node_kills, s.node_kill_every_s, s.node_down_ms
                ),
            ),
            (
                "  Redis restarts (SIGKILL)",
                format!(
                    "{} (every {} s, down {} ms)",
                    self.faults.redis_restarts, s.redis_restart_every_s, s.redis_down_ms
                ),
            ),
            ("runs", String::new()),
            ("  played (start answered)", runs.played.to_string()),
            ("  answered over", runs.answered_over.to_string()),
            ("  answered pending", runs.answered_pending.to_string()),
            ("  recorded (audited)", runs.recorded.to_string()),
            ("  LOST", runs.lost.to_string()),
            ("  unanswered (gave up)", runs.unanswered.to_string()),
            ("  refused by the server", runs.refused.to_string()),
            ("  wrong answers", runs.wrong_answers.to_string()),
            ("  report mismatches", runs.report_mismatches.to_string()),
            ("  orphans (start answer lost)", runs.orphans.to_string()),
            ("friend passed you", String::new()),
            ("  due (model)", notes.due.to_string()),
            (
                "  delivered: pushed / listed",
                format!("{} / {}", notes.pushed, notes.listed_only),
            ),
            ("  stored, unread", notes.stored_only.to_string()),
            ("  DUPLICATED", notes.duplicated.to_string()),
            ("  MISSING", notes.missing.to_string()),
            ("  UNEXPECTED", notes.unexpected.to_string()),
            ("clients", String::new()),
            (
                "  reconnects / retries / resyncs",
                format!(
                    "{} / {} / {}",
                    self.clients.reconnects, self.clients.retries, self.clients.resyncs
                ),
            ),
            (
                "  pending polls / pairs stopped early",
                format!(
                    "{} / {}",
                    self.clients.pending_polls, self.clients.pairs_stopped_early
                ),
            ),
        ];
        for (name, value) in rows {
            let _ = writeln!(out, "{name:<38} {value}");
        }
        let _ = writeln!(
            out,
            "{:<38} {} left after {:.1} s",
            "unsettled runs at the audit", self.audit.unsettled_runs, self.audit.settle_wait_s
        );
        for problem in &self.audit.problems {
            let _ = writeln!(out, "PROBLEM: {problem}");
        }
        if self.clients.incidents > 0 {
            let _ = writeln!(
                out,
                "{} incidents (a resent jump refused; the players resumed the run and went on):",
                self.clients.incidents
            );
            for incident in &self.clients.incident_lines {
                let _ = writeln!(out, "INCIDENT: {incident}");
            }
        }
        if let Some(dir) = &self.work_dir {
            let _ = writeln!(out, "data and logs kept in {dir}");
        }
        let _ = writeln!(
            out,
            "\nthe load, per message type (errors are what the faults caused):"
        );
        out.push_str(&self.load.table());
        let _ = writeln!(
            out,
            "\nverdict: {}",
            if self.passed() {
                "PASS: every answered run recorded, every pass told exactly once"
            } else {
                "FAIL: see the problems above"
            }
        );
        out
    }
}
