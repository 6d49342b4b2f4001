import Logging
import Metrics

/// Maps a cascade preventor's events to swift-metrics and swift-log. Metrics are created once per
/// preventor:
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `resilience_cascade_fast_fail` | gauge | policy: 1 in fast-fail mode, 0 in normal mode |
/// | `resilience_cascade_mode_changes_total` | counter | policy, change (`fastFailStarted`, `fastFailExtended`, `recovered`) |
/// | `resilience_cascade_rejected_total` | counter | policy, priority |
///
/// Fast-fail starting or being extended is logged at `warning`, recovery at `notice`.
final class CascadePreventorTelemetry: Sendable {
    let policyName: String
    let logger: Logger
    let fastFailGauge: Gauge
    let changeCounters: [CascadeModeChange.Kind: Counter]
    let rejectedCounters: [Priority: Counter]

    init(policyName: String, sinks: TelemetrySinks) {
        self.policyName = policyName
        self.logger = sinks.logger
        fastFailGauge = Gauge(
            label: "resilience_cascade_fast_fail", dimensions: [("policy", policyName)], factory: sinks.factory)
        fastFailGauge.record(0)
        var changeCounters: [CascadeModeChange.Kind: Counter] = [:]
        for kind in CascadeModeChange.Kind.allCases {
            changeCounters[kind] = Counter(
                label: "resilience_cascade_mode_changes_total",
                dimensions: [("policy", policyName), ("change", kind.rawValue)], factory: sinks.factory)
        }
        self.changeCounters = changeCounters
        var rejectedCounters: [Priority: Counter] = [:]
        for priority in Priority.allCases {
            rejectedCounters[priority] = Counter(
                label: "resilience_cascade_rejected_total",
                dimensions: [("policy", policyName), ("priority", priority.rawValue)], factory: sinks.factory)
        }
        self.rejectedCounters = rejectedCounters
    }

    func changed(_ change: CascadeModeChange) {
        changeCounters[change.kind]?.increment()
        fastFailGauge.record(change.mode == .fastFail ? 1 : 0)
        let metadata: Logger.Metadata = [
            "policy": "\(policyName)", "change": "\(change.kind.rawValue)",
            "calls": "\(change.calls)", "failures": "\(change.failures)",
        ]
        if change.kind == .recovered {
            logger.notice("cascade preventor recovered", metadata: metadata)
        } else {
            logger.warning("cascade preventor fails fast", metadata: metadata)
        }
    }

    func rejected(_ priority: Priority) {
        rejectedCounters[priority]?.increment()
    }
}
