import Logging
import Metrics

/// Maps a bulkhead's events to swift-metrics and swift-log. Metrics are created once per bulkhead,
/// never per call, with the low-cardinality labels `policy` and `reason`:
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `resilience_bulkhead_in_flight` | gauge | policy: calls holding a slot |
/// | `resilience_bulkhead_queued` | gauge | policy: calls waiting for a slot |
/// | `resilience_bulkhead_max_concurrent` | gauge | policy: the current capacity (it can change at run time) |
/// | `resilience_bulkhead_rejections_total` | counter | policy, reason (`full`, `maxWaitElapsed`) |
/// | `resilience_bulkhead_cancelled_waiters_total` | counter | policy: queued calls cancelled before they got a slot |
/// | `resilience_bulkhead_queue_wait_seconds` | timer | policy: how long each call that queued waited for its slot |
/// | `resilience_bulkhead_shadow_rejections_total` | counter | policy, reason (`full`): calls a shadow bulkhead would have rejected |
///
/// The gauges are recorded under the bulkhead's lock, so that the last value recorded is always the
/// current one (recorded outside it, two racing tasks could leave a stale value standing). Calls
/// admitted at once record no queue wait: the timer describes the queue, not every call.
///
/// Capacity changes are logged at `info`, rejections at `debug`, with the metadata `policy` and
/// `reason`.
///
/// When the factory is swift-metrics' no-op handler (no backend bootstrapped), the gauges are not
/// touched on the admission path at all.
@usableFromInline
final class BulkheadTelemetry: Sendable {
    let policyName: String
    let logger: Logger
    /// Whether the occupancy gauges are recorded (false for the no-op metrics factory).
    @usableFromInline let recordsOccupancy: Bool
    let inFlightGauge: Gauge
    let queuedGauge: Gauge
    let maxConcurrentGauge: Gauge
    let rejectionCounters: [BulkheadRejectionReason: Counter]
    let cancelledCounter: Counter
    let queueWait: Timer
    @usableFromInline let shadow: ShadowRejections

    init(policyName: String, sinks: TelemetrySinks, maxConcurrent: Int) {
        shadow = ShadowRejections(
            metric: "resilience_bulkhead_shadow_rejections_total", kind: "bulkhead", policyName: policyName,
            reasons: [BulkheadRejectionReason.full.rawValue], sinks: sinks)
        self.policyName = policyName
        self.logger = sinks.logger
        self.recordsOccupancy = sinks.recordsMetrics
        let dimensions = [("policy", policyName)]
        inFlightGauge = Gauge(label: "resilience_bulkhead_in_flight", dimensions: dimensions, factory: sinks.factory)
        queuedGauge = Gauge(label: "resilience_bulkhead_queued", dimensions: dimensions, factory: sinks.factory)
        maxConcurrentGauge = Gauge(
            label: "resilience_bulkhead_max_concurrent", dimensions: dimensions, factory: sinks.factory)
        var rejections: [BulkheadRejectionReason: Counter] = [:]
        for reason in BulkheadRejectionReason.allCases {
            rejections[reason] = Counter(
                label: "resilience_bulkhead_rejections_total",
                dimensions: [("policy", policyName), ("reason", reason.rawValue)], factory: sinks.factory)
        }
        rejectionCounters = rejections
        cancelledCounter = Counter(
            label: "resilience_bulkhead_cancelled_waiters_total", dimensions: dimensions, factory: sinks.factory)
        queueWait = Timer(label: "resilience_bulkhead_queue_wait_seconds", dimensions: dimensions, factory: sinks.factory)
        inFlightGauge.record(0)
        queuedGauge.record(0)
        maxConcurrentGauge.record(maxConcurrent)
    }

    /// Records the occupancy; called under the bulkhead's lock after every change, only when
    /// ``recordsOccupancy``.
    @usableFromInline
    func occupancy(inFlight: Int, queued: Int) {
        inFlightGauge.record(inFlight)
        queuedGauge.record(queued)
    }

    /// A call was rejected with `bulkheadFull`.
    @usableFromInline
    func rejected(_ reason: BulkheadRejectionReason) {
        rejectionCounters[reason]?.increment()
        logger.debug("bulkhead rejected a call", metadata: ["policy": "\(policyName)", "reason": "\(reason)"])
    }

    /// A queued call was cancelled before it got a slot.
    func cancelledWhileQueued() {
        cancelledCounter.increment()
    }

    /// A queued call got its slot after waiting `wait`.
    func waited(_ wait: Duration) {
        queueWait.recordNanoseconds(wait.clampedNanoseconds)
    }

    /// The limits changed; `admittedWaiters` calls left the queue because the capacity grew.
    func reconfigured(_ configuration: BulkheadConfiguration, admittedWaiters: Int) {
        maxConcurrentGauge.record(configuration.maxConcurrent)
        logger.info(
            "bulkhead capacity changed",
            metadata: [
                "policy": "\(policyName)", "maxConcurrent": "\(configuration.maxConcurrent)",
                "maxQueued": "\(configuration.maxQueued)",
                "maxWait": "\(configuration.maxWait.map(DurationText.format) ?? "none")",
                "admittedWaiters": "\(admittedWaiters)",
            ])
    }
}
