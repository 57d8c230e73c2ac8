//! The transport's Prometheus metrics (connections, messages, requests, readiness, the build and the
//! process), registered in the node's registries beside the domain's (`leapfrog_core::metrics`). Every
//! known label value is created at zero when the node starts, so `rate()` and `increase()` see the first
//! event of each.

use leapfrog_core::metrics::{FAST_BUCKETS, Families, Metrics};
use prometheus::core::{MetricVec, MetricVecBuilder};
use prometheus::{Gauge, Histogram, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts};
use protocol::{Request, ServerFrame};

use crate::config::Config;
use crate::gateway::close::CloseReason;

/// Every outcome of a connection attempt (`connects_total`).
const CONNECT_OUTCOMES: [&str; 7] = [
    "accepted",
    "draining",
    "bad_handshake",
    "unauthorized",
    "node_full",
    "unauthenticated_full",
    "address_rate_limited",
];

/// A labelled family with its children for every known label value resolved once, at start: a message's
/// metric costs a short scan of static strings instead of hashing the label, locking the family and
/// cloning the child, as `with_label_values` does. A value not listed still counts, the slow way.
pub(crate) struct ByKind<M> {
    children: Box<[(&'static str, M)]>,
    fallback: Box<dyn Fn(&str) -> M + Send + Sync>,
}

impl<M> ByKind<M> {
    /// `family` with a child made now for each of `kinds` (every one then exported at zero).
    fn new<B>(family: MetricVec<B>, kinds: &[&'static str]) -> ByKind<M>
    where
        B: MetricVecBuilder<M = M> + 'static,
        M: Send + Sync,
    {
        let children = kinds
            .iter()
            .map(|kind| (*kind, family.with_label_values(&[*kind])))
            .collect();
        ByKind {
            children,
            fallback: Box::new(move |kind| family.with_label_values(&[kind])),
        }
    }

    /// Calls `update` with the child of label value `kind`.
    ///
    /// A message's kind is the very string of the table its children were made from (the protocol's
    /// `KINDS`), so it is found by its address first; compared byte by byte (a call to `memcmp` per
    /// child passed) only if it is not there.
    pub(crate) fn with(&self, kind: &str, update: impl FnOnce(&M)) {
        let child = self
            .children
            .iter()
            .find(|(known, _)| std::ptr::eq(*known, kind))
            .or_else(|| self.children.iter().find(|(known, _)| *known == kind));
        match child {
            Some((_, child)) => update(child),
            None => update(&(self.fallback)(kind)),
        }
    }
}

/// Why a client frame could not be decoded: the `kind` label of `decode_errors_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecodeFailure {
    /// Over the frame limit.
    TooLarge,
    /// A text frame on the binary codec, or the other way round.
    WrongCodec,
    /// Not a message of the protocol.
    Malformed,
}

impl DecodeFailure {
    const ALL: [DecodeFailure; 3] = [
        DecodeFailure::TooLarge,
        DecodeFailure::WrongCodec,
        DecodeFailure::Malformed,
    ];

    const fn label(self) -> &'static str {
        match self {
            DecodeFailure::TooLarge => "too_large",
            DecodeFailure::WrongCodec => "wrong_codec",
            DecodeFailure::Malformed => "malformed",
        }
    }
}

/// The gateway's and the HTTP layer's metrics.
pub(crate) struct GatewayMetrics {
    /// WebSocket connections open now.
    pub(crate) connections_open: IntGauge,
    /// Connection attempts by outcome (`accepted`, or why refused).
    pub(crate) connects_total: IntCounterVec,
    /// Closed connections by reason.
    pub(crate) disconnects_total: IntCounterVec,
    /// Client messages by request type.
    pub(crate) messages_in_total: ByKind<IntCounter>,
    /// Server messages by type.
    pub(crate) messages_out_total: ByKind<IntCounter>,
    /// Frames that could not be decoded, by error kind.
    decode_errors_total: IntCounterVec,
    /// Messages and read API requests refused by a rate limiter.
    pub(crate) rate_limited_total: IntCounter,
    /// Request handling time by request type.
    pub(crate) request_duration_seconds: ByKind<Histogram>,
    /// Time to handle one jump that succeeds, from its arrival (the figure `request_duration_seconds`
    /// takes for it): checks, simulation, checkpoint, answer.
    pub(crate) jump_duration_seconds: Histogram,
    /// 1 while the node serves traffic (Redis reachable, not draining, not full), else 0.
    pub(crate) ready: IntGauge,
    /// 1 while the node reports not ready because it holds its connection limit.
    pub(crate) full: IntGauge,
    /// 1 while the last health probe reached Redis, else 0.
    pub(crate) redis_reachable: IntGauge,
    /// Panics in the process (`panics::count`), brought up to date at each scrape.
    panics_total: IntCounter,
}

impl GatewayMetrics {
    /// Registers the transport's families in `metrics`' registries: the gateway's, the build's, the
    /// limits of `config` that alerts compare with, and the process's (`process_*`).
    pub(crate) fn new(
        metrics: &Metrics,
        config: &Config,
    ) -> Result<GatewayMetrics, prometheus::Error> {
        let registry = metrics.registry();
        let families = Families::new(registry);
        let gateway = GatewayMetrics {
            connections_open: families
                .gauge("connections_open", "WebSocket connections open now.")?,
            connects_total: families.counter_vec(
                "connects_total",
                "Connection attempts by outcome.",
                "outcome",
            )?,
            disconnects_total: families.counter_vec(
                "disconnects_total",
                "Closed connections by reason.",
                "reason",
            )?,
            messages_in_total: ByKind::new(
                families.counter_vec(
                    "messages_in_total",
                    "Client messages by request type.",
                    "type",
                )?,
                Request::KINDS,
            ),
            messages_out_total: ByKind::new(
                families.counter_vec("messages_out_total", "Server messages by type.", "type")?,
                ServerFrame::KINDS,
            ),
            decode_errors_total: families.counter_vec(
                "decode_errors_total",
                "Client frames that could not be decoded, by error kind.",
                "kind",
            )?,
            rate_limited_total: families.counter(
                "rate_limited_total",
                "Client messages and read API requests refused by a rate limiter.",
            )?,
            request_duration_seconds: ByKind::new(
                families.histogram_vec(
                    "request_duration_seconds",
                    "Request handling time by request type.",
                    "type",
                )?,
                Request::KINDS,
            ),
            jump_duration_seconds: families.histogram(
                "jump_duration_seconds",
                "Time to handle one jump that succeeds, from its arrival: checks, simulation, checkpoint and answer.",
                FAST_BUCKETS,
            )?,
            ready: families.gauge(
                "ready",
                "1 while the node serves traffic (Redis reachable, not draining, not full), else 0.",
            )?,
            full: families.gauge(
                "connections_full",
                "1 while the node reports not ready because it holds its connection limit, else 0.",
            )?,
            redis_reachable: families.gauge(
                "redis_reachable",
                "1 while the node's health probe (a PING every 500 ms) reaches Redis, else 0.",
            )?,
            panics_total: families.counter(
                "panics_total",
                "Panics in the node's process: bugs, each ending the task it happened in.",
            )?,
        };
        for outcome in CONNECT_OUTCOMES {
            gateway.connects_total.with_label_values(&[outcome]);
        }
        for reason in CloseReason::ALL {
            gateway
                .disconnects_total
                .with_label_values(&[reason.label()]);
        }
        for failure in DecodeFailure::ALL {
            gateway
                .decode_errors_total
                .with_label_values(&[failure.label()]);
        }
        let limit = |value: usize| i64::try_from(value).unwrap_or(i64::MAX);
        families
            .gauge(
                "max_connections",
                "The configured limit of authenticated connections (--max-connections).",
            )?
            .set(limit(config.connections.max_connections));
        families
            .gauge(
                "run_results_pending_limit",
                "The configured capacity of the finished-run retry queue (--pending-results).",
            )?
            .set(limit(config.runs.pending_queue_len));
        // A configured duration, in seconds.
        let seconds =
            |name: &str, help: &str, value: std::time::Duration| -> prometheus::Result<()> {
                let gauge = Gauge::new(name, help)?;
                registry.register(Box::new(gauge.clone()))?;
                gauge.set(value.as_secs_f64());
                Ok(())
            };
        seconds(
            "redis_timeout_seconds",
            "The configured timeout of every Redis command (--redis-timeout-ms).",
            config.redis_timeout,
        )?;
        // Its Redis requests' latency includes this wait: read it beside their histogram.
        seconds(
            "redis_batch_window_seconds",
            "The configured wait of a group-committed batch for more requests (--redis-batch-window-us; 0: sent at once).",
            config.redis_batch_window,
        )?;
        let build_info = IntGaugeVec::new(
            Opts::new(
                "build_info",
                "Always 1; the labels name the build: version, git commit and compiler.",
            ),
            &["version", "git_sha", "rustc"],
        )?;
        registry.register(Box::new(build_info.clone()))?;
        build_info
            .with_label_values(&[
                env!("CARGO_PKG_VERSION"),
                env!("BUILD_GIT_SHA"),
                env!("BUILD_RUSTC_VERSION"),
            ])
            .set(1);
        #[cfg(target_os = "linux")]
        metrics.unprefixed_registry().register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;
        Ok(gateway)
    }

    /// Counts a client frame that could not be decoded.
    pub(crate) fn decode_error(&self, failure: DecodeFailure) {
        self.decode_errors_total
            .with_label_values(&[failure.label()])
            .inc();
    }

    /// Brings `leapfrog_panics_total` up to the panics counted since the process started (the panic hook
    /// cannot reach a node's registry, so the count is read when it is scraped).
    pub(crate) fn sync_panics(&self) {
        let counted = crate::panics::count();
        self.panics_total
            .inc_by(counted.saturating_sub(self.panics_total.get()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn by_kind_counts_listed_and_unlisted_values_in_the_family() {
        let family = IntCounterVec::new(prometheus::Opts::new("t", "t"), &["type"]).unwrap();
        let counters = ByKind::new(family.clone(), &["jump", "hello"]);
        counters.with("jump", IntCounter::inc);
        counters.with("jump", IntCounter::inc);
        counters.with("somewhere_new", IntCounter::inc);
        // The same label in another string (not the table's) finds the same child.
        counters.with(String::from("hello").as_str(), IntCounter::inc);
        assert_eq!(family.with_label_values(&["jump"]).get(), 2);
        assert_eq!(family.with_label_values(&["somewhere_new"]).get(), 1);
        assert_eq!(family.with_label_values(&["hello"]).get(), 1);
    }
}
