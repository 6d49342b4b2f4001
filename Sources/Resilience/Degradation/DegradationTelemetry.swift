import Logging
import Metrics

/// Maps a graceful degradation's level changes to swift-metrics and swift-log:
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `resilience_degradation_level` | gauge | policy: 0 normal, 1 degraded, 2 critical |
/// | `resilience_degradation_changes_total` | counter | policy, level (the new level) |
///
/// A change to a worse level is logged at `warning`, a change to a better one at `notice`.
final class DegradationTelemetry: Sendable {
    let policyName: String
    let logger: Logger
    let levelGauge: Gauge
    let changeCounters: [DegradationLevel: Counter]

    init(policyName: String, sinks: TelemetrySinks) {
        self.policyName = policyName
        self.logger = sinks.logger
        levelGauge = Gauge(
            label: "resilience_degradation_level", dimensions: [("policy", policyName)], factory: sinks.factory)
        levelGauge.record(DegradationLevel.normal.severity)
        var changeCounters: [DegradationLevel: Counter] = [:]
        for level in DegradationLevel.allCases {
            changeCounters[level] = Counter(
                label: "resilience_degradation_changes_total",
                dimensions: [("policy", policyName), ("level", level.rawValue)], factory: sinks.factory)
        }
        self.changeCounters = changeCounters
    }

    func changed(_ change: DegradationLevelChange) {
        levelGauge.record(change.to.severity)
        changeCounters[change.to]?.increment()
        let metadata: Logger.Metadata = [
            "policy": "\(policyName)", "from": "\(change.from)", "to": "\(change.to)",
            "reasons": "\(change.reasons.joined(separator: ", "))",
        ]
        if change.to > change.from {
            logger.warning("service degraded", metadata: metadata)
        } else {
            logger.notice("service recovering", metadata: metadata)
        }
    }
}
