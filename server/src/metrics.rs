//! `GET /metrics`: Prometheus (OpenMetrics) text through prometheus-client: verifications by
//! outcome, their latency, pending audit events and open connections.
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::outcome::Outcome;

/// What scrapers are told the text is.
pub(crate) const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

#[derive(Debug)]
pub(crate) struct Metrics {
    registry: Registry,
    verifications: Family<OutcomeLabel, Counter>,
    introspections: Family<OutcomeLabel, Counter>,
    latency: Histogram,
    pending_audit_events: Gauge,
    connections: Gauge,
}

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let mut registry = Registry::with_prefix("latchkey");
        let verifications = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "verifications",
            "Answers of /v1/verify by outcome",
            verifications.clone(),
        );
        let introspections = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "introspections",
            "Answers of /v1/introspect by outcome",
            introspections.clone(),
        );
        // 50 µs to about 1.6 s: a verification takes microseconds, a slow disk milliseconds.
        let latency = Histogram::new(exponential_buckets(0.000_05, 2.0, 16));
        registry.register(
            "verification_duration_seconds",
            "Time to answer /v1/verify",
            latency.clone(),
        );
        let pending_audit_events = Gauge::default();
        registry.register(
            "audit_pending_events",
            "Denial audit events waiting for their batch to be written",
            pending_audit_events.clone(),
        );
        let connections = Gauge::default();
        registry.register(
            "connections_open",
            "Client connections open",
            connections.clone(),
        );
        Metrics {
            registry,
            verifications,
            introspections,
            latency,
            pending_audit_events,
            connections,
        }
    }

    pub(crate) fn verification(&self, outcome: Outcome, took: Duration) {
        let label = OutcomeLabel {
            outcome: outcome.metric_label(),
        };
        self.verifications.get_or_create(&label).inc();
        self.latency.observe(took.as_secs_f64());
    }

    pub(crate) fn introspection(&self, outcome: &'static str) {
        self.introspections
            .get_or_create(&OutcomeLabel { outcome })
            .inc();
    }

    pub(crate) fn connection_opened(&self) {
        self.connections.inc();
    }

    pub(crate) fn connection_closed(&self) {
        self.connections.dec();
    }

    /// The text, with the pending audit events as counted now.
    pub(crate) fn render(&self, pending_audit_events: u64) -> String {
        self.pending_audit_events
            .set(i64::try_from(pending_audit_events).unwrap_or(i64::MAX));
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}

#[cfg(test)]
mod tests {
    use latchkey_core::DenyReason;

    use super::*;

    #[test]
    fn the_text_names_outcomes_latency_and_pending_events() {
        let metrics = Metrics::new();
        metrics.verification(Outcome::Valid, Duration::from_micros(80));
        metrics.verification(
            Outcome::Denied(DenyReason::Revoked),
            Duration::from_micros(90),
        );
        let text = metrics.render(3);
        assert!(
            text.contains("latchkey_verifications_total{outcome=\"valid\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("latchkey_verifications_total{outcome=\"invalid_token\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("latchkey_verification_duration_seconds_count 2"),
            "{text}"
        );
        assert!(text.contains("latchkey_audit_pending_events 3"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
