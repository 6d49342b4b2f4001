import Logging
import Metrics

/// Maps a concurrency limiter's events to swift-metrics and swift-log. Metrics are created once per
/// limiter, never per call:
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `resilience_concurrency_limit_limit` | gauge | policy: the current limit |
/// | `resilience_concurrency_limit_in_flight` | gauge | policy: calls admitted and not yet finished |
/// | `resilience_concurrency_limit_queued` | gauge | policy: calls waiting for a slot |
/// | `resilience_concurrency_limit_rejections_total` | counter | policy, reason (`limitReached`, `queueFull`, `queueTimeout`) |
/// | `resilience_concurrency_limit_shadow_rejections_total` | counter | policy, reason (`limitReached`): calls a shadow limiter would have rejected |
///
/// Limit changes are logged at `debug` with the metadata `policy`, `from` and `to`.
///
/// The gauges are recorded under the limiter's lock, so their last values are always the true ones.
/// When the factory is swift-metrics' no-op handler (no backend bootstrapped), the per-call in-flight
/// gauge is skipped entirely.
@usableFromInline
final class ConcurrencyLimitTelemetry: Sendable {
    /// Why a call was rejected.
    @usableFromInline
    enum RejectionReason: String, Sendable, CaseIterable {
        /// The limit was reached and there is no queue.
        case limitReached
        /// The call was the oldest waiter of a full queue, evicted for a newer one.
        case queueFull
        /// The call waited `maxWait` without getting a slot.
        case queueTimeout
    }

    let policyName: String
    let logger: Logger
    /// Whether the per-call gauges are recorded (false for the no-op metrics factory).
    @usableFromInline let recordsPerCall: Bool
    @usableFromInline let limitGauge: Gauge
    let inFlightGauge: Gauge
    let queuedGauge: Gauge
    let rejectionCounters: [Counter]  // indexed like RejectionReason.allCases
    @usableFromInline let shadow: ShadowRejections

    init(policyName: String, sinks: TelemetrySinks, initialLimit: Int) {
        shadow = ShadowRejections(
            metric: "resilience_concurrency_limit_shadow_rejections_total", kind: "concurrency limiter",
            policyName: policyName, reasons: [RejectionReason.limitReached.rawValue], sinks: sinks)
        self.policyName = policyName
        self.logger = sinks.logger
        self.recordsPerCall = sinks.recordsMetrics
        let dimensions = [("policy", policyName)]
        limitGauge = Gauge(label: "resilience_concurrency_limit_limit", dimensions: dimensions, factory: sinks.factory)
        inFlightGauge = Gauge(
            label: "resilience_concurrency_limit_in_flight", dimensions: dimensions, factory: sinks.factory)
        queuedGauge = Gauge(label: "resilience_concurrency_limit_queued", dimensions: dimensions, factory: sinks.factory)
        rejectionCounters = RejectionReason.allCases.map { reason in
            Counter(
                label: "resilience_concurrency_limit_rejections_total",
                dimensions: [("policy", policyName), ("reason", reason.rawValue)], factory: sinks.factory)
        }
        limitGauge.record(initialLimit)
        inFlightGauge.record(0)
        queuedGauge.record(0)
    }

    /// Records the number of calls in flight; a no-op without a metrics backend.
    @inlinable
    func inFlight(_ count: Int) {
        if recordsPerCall { recordInFlight(count) }
    }

    @usableFromInline
    func recordInFlight(_ count: Int) {
        inFlightGauge.record(count)
    }

    @usableFromInline
    func queued(_ count: Int) {
        queuedGauge.record(count)
    }

    /// Logs a change of the limit (its gauge is recorded under the limiter's lock).
    @usableFromInline
    func logLimitChange(from previous: Int, to limit: Int) {
        logger.debug(
            "concurrency limit changed", metadata: ["policy": "\(policyName)", "from": "\(previous)", "to": "\(limit)"])
    }

    @usableFromInline
    func rejected(_ reason: RejectionReason, count: Int = 1) {
        let index = switch reason {
        case .limitReached: 0
        case .queueFull: 1
        case .queueTimeout: 2
        }
        rejectionCounters[index].increment(by: count)
    }
}
