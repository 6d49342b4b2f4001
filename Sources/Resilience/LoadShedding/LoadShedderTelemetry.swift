import Logging
import Metrics

/// Maps a load shedder's events to swift-metrics and swift-log. Metrics are created once per shedder,
/// never per call:
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `resilience_load_shedder_shed_total` | counter | policy, priority (`low`, `normal`, `high`), reason (`in_flight`, `queue_depth`, or the pressure signal's name) |
/// | `resilience_load_shedder_admitted_total` | counter | policy, priority |
/// | `resilience_load_shedder_in_flight` | gauge: calls admitted and not yet released | policy |
/// | `resilience_load_shedder_shadow_rejections_total` | counter: calls a shadow shedder would have shed | policy, reason |
///
/// The pressure readings themselves are exported by the ``PressureSampler`` that refreshes them
/// (`resilience_pressure`, see `PressureSamplerTelemetry`).
///
/// Logs: `notice` for the first shed call, then at most one `notice` per ``LoadShedder/logInterval``
/// while shedding goes on, with the number of calls shed since the previous line and the priority and
/// reason of the latest one (metadata `policy`, `priority`, `reason`, `shed`, `inFlight`).
///
/// When the factory is swift-metrics' no-op handler (no backend bootstrapped), the per-call admitted
/// counter and in-flight gauge are skipped. Otherwise the in-flight gauge is recorded under the
/// shedder's lock, so that the last value written is the current one.
@usableFromInline
final class LoadShedderTelemetry: Sendable {
    let policyName: String
    let logger: Logger
    /// Whether the admitted counter and the in-flight gauge are recorded (false for the no-op factory).
    @usableFromInline let recordsPerCall: Bool
    @usableFromInline let admittedCounters: [Counter]      // indexed by priority rank
    let shedCounters: [String: [Counter]]                  // by reason label, then low, normal, high
    @usableFromInline let inFlightGauge: Gauge
    @usableFromInline let shadow: ShadowRejections

    init(policyName: String, reasons: [LoadShedReason], sinks: TelemetrySinks) {
        shadow = ShadowRejections(
            metric: "resilience_load_shedder_shadow_rejections_total", kind: "load shedder", policyName: policyName,
            reasons: reasons.map(\.label), sinks: sinks)
        self.policyName = policyName
        self.logger = sinks.logger
        self.recordsPerCall = sinks.recordsMetrics
        admittedCounters = Priority.allCases.map { priority in
            Counter(
                label: "resilience_load_shedder_admitted_total",
                dimensions: [("policy", policyName), ("priority", priority.rawValue)], factory: sinks.factory)
        }
        var shed: [String: [Counter]] = [:]
        for reason in reasons {
            shed[reason.label] = [Priority.low, .normal, .high].map { priority in
                Counter(
                    label: "resilience_load_shedder_shed_total",
                    dimensions: [("policy", policyName), ("priority", priority.rawValue), ("reason", reason.label)],
                    factory: sinks.factory)
            }
        }
        shedCounters = shed
        inFlightGauge = Gauge(
            label: "resilience_load_shedder_in_flight", dimensions: [("policy", policyName)], factory: sinks.factory)
        inFlightGauge.record(0)
    }

    @inlinable
    func admitted(_ priority: Priority, inFlight: Int) {
        admittedCounters[priority.rank].increment()
        inFlightGauge.record(inFlight)
    }

    @inlinable
    func released(inFlight: Int) {
        inFlightGauge.record(inFlight)
    }

    @usableFromInline
    func shed(_ rejection: LoadShedRejection) {
        shedCounters[rejection.reason.label]?[rejection.priority.rank].increment()
    }

    @usableFromInline
    func logShedding(_ rejection: LoadShedRejection, shedCalls: Int, first: Bool, interval: Duration) {
        let message: Logger.Message =
            first
            ? "load shedding started"
            : "load shedding goes on: \(shedCalls) calls shed since the previous line (at most one per \(DurationText.format(interval)))"
        logger.notice(message, metadata: [
            "policy": "\(policyName)", "priority": "\(rejection.priority)", "reason": "\(rejection.reason)",
            "shed": "\(shedCalls)", "inFlight": "\(rejection.inFlight)",
        ])
    }
}
