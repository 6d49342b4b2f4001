import Logging
import Metrics
import Resilience

/// Maps a chaos strategy's injections to swift-metrics, swift-log and the pipeline's span. The counter
/// is created once per strategy, never per call:
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `resilience_chaos_injections_total` | counter | policy, kind (`fault`, `latency`, `outcome`, `behavior`): calls the strategy injected into |
///
/// Nothing is recorded for a call that is not injected (the strategy off, or the draw at or above the
/// rate). Each injection is logged at `debug` and added to the call's span as a `resilience.chaos`
/// event (`resilience.policy`, `resilience.kind`, and for a latency `resilience.delay_seconds`).
final class ChaosTelemetry: Sendable {
    let policyName: String
    let kind: ChaosKind
    let logger: Logger
    let injections: Counter

    init(policyName: String, kind: ChaosKind, sinks: TelemetrySinks) {
        self.policyName = policyName
        self.kind = kind
        self.logger = sinks.logger
        injections = Counter(
            label: "resilience_chaos_injections_total", dimensions: [("policy", policyName), ("kind", kind.rawValue)],
            factory: sinks.factory)
    }

    /// The strategy injected into the current call; `delay` is an injected latency's drawn duration.
    func injected(delay: Duration? = nil) {
        injections.increment()
        ResilienceSpan.chaosInjected(policy: policyName, kind: kind.rawValue, delay: delay)
        var metadata: Logger.Metadata = ["policy": "\(policyName)", "kind": "\(kind)"]
        if let delay { metadata["delay"] = "\(DurationText.format(delay))" }
        logger.debug("chaos injected", metadata: metadata)
    }
}
