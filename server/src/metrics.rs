//! The transport's Prometheus metrics (connections, messages, requests, readiness), registered in the
//! node's one registry beside the domain's (`leapfrog_core::metrics`).

use leapfrog_core::metrics::{FAST_BUCKETS, Families};
use prometheus::{Histogram, HistogramVec, IntCounter, IntCounterVec, IntGauge};

/// Every outcome of a connection attempt (`connects_total`), each created at zero when the node starts.
const CONNECT_OUTCOMES: [&str; 7] = [
    "accepted",
    "draining",
    "bad_handshake",
    "unauthorized",
    "node_full",
    "unauthenticated_full",
    "address_rate_limited",
];

/// The gateway's and the HTTP layer's metrics.
pub(crate) struct GatewayMetrics {
    /// WebSocket connections open now.
    pub(crate) connections_open: IntGauge,
    /// Connection attempts by outcome (`accepted`, or why refused).
    pub(crate) connects_total: IntCounterVec,
    /// Closed connections by reason.
    pub(crate) disconnects_total: IntCounterVec,
    /// Client messages by request type.
    pub(crate) messages_in_total: IntCounterVec,
    /// Server messages by type.
    pub(crate) messages_out_total: IntCounterVec,
    /// Frames that could not be decoded, by error kind.
    pub(crate) decode_errors_total: IntCounterVec,
    /// Messages and read API requests refused by a rate limiter.
    pub(crate) rate_limited_total: IntCounter,
    /// Request handling time by request type.
    pub(crate) request_duration_seconds: HistogramVec,
    /// Time to handle one jump: checks, simulation, checkpoint, answer.
    pub(crate) jump_duration_seconds: Histogram,
    /// 1 while the node serves traffic (Redis reachable, not draining), else 0.
    pub(crate) ready: IntGauge,
}

impl GatewayMetrics {
    /// Registers the transport's families in `registry`.
    pub(crate) fn new(
        registry: &prometheus::Registry,
    ) -> Result<GatewayMetrics, prometheus::Error> {
        let families = Families::new(registry);
        let metrics = GatewayMetrics {
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
            messages_in_total: families.counter_vec(
                "messages_in_total",
                "Client messages by request type.",
                "type",
            )?,
            messages_out_total: families.counter_vec(
                "messages_out_total",
                "Server messages by type.",
                "type",
            )?,
            decode_errors_total: families.counter_vec(
                "decode_errors_total",
                "Client frames that could not be decoded, by error kind.",
                "kind",
            )?,
            rate_limited_total: families.counter(
                "rate_limited_total",
                "Client messages and read API requests refused by a rate limiter.",
            )?,
            request_duration_seconds: families.histogram_vec(
                "request_duration_seconds",
                "Request handling time by request type.",
                "type",
            )?,
            jump_duration_seconds: families.histogram(
                "jump_duration_seconds",
                "Time to handle one jump: checks, simulation, checkpoint and answer.",
                FAST_BUCKETS,
            )?,
            ready: families.gauge(
                "ready",
                "1 while the node serves traffic (Redis reachable, not draining), else 0.",
            )?,
        };
        for outcome in CONNECT_OUTCOMES {
            metrics.connects_total.with_label_values(&[outcome]);
        }
        Ok(metrics)
    }
}
