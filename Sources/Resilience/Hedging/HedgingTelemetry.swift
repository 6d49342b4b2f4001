import Logging
import Metrics
import Tracing

/// Maps a hedging policy's events to swift-metrics and swift-log. Metrics are created once per policy:
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `resilience_hedging_hedges_total` | counter | policy: extra attempts started |
/// | `resilience_hedging_denied_total` | counter | policy: extra attempts the retry budget refused |
/// | `resilience_hedging_wins_total` | counter | policy, winner (`first`, `hedge`): who gave the accepted outcome |
///
/// Each extra attempt is logged at `debug`; a budget refusal at `notice`.
final class HedgingTelemetry: Sendable {
    let policyName: String
    let logger: Logger
    let hedges: Counter
    let denied: Counter
    let firstWins: Counter
    let hedgeWins: Counter

    init(policyName: String, sinks: TelemetrySinks) {
        self.policyName = policyName
        self.logger = sinks.logger
        let policy = [("policy", policyName)]
        hedges = Counter(label: "resilience_hedging_hedges_total", dimensions: policy, factory: sinks.factory)
        denied = Counter(label: "resilience_hedging_denied_total", dimensions: policy, factory: sinks.factory)
        firstWins = Counter(
            label: "resilience_hedging_wins_total", dimensions: policy + [("winner", "first")], factory: sinks.factory)
        hedgeWins = Counter(
            label: "resilience_hedging_wins_total", dimensions: policy + [("winner", "hedge")], factory: sinks.factory)
    }

    func hedgeStarted(attempt: Int, afterFailure: Bool) {
        hedges.increment()
        ResilienceSpan.addEvent(ResilienceSpan.EventName.hedge, [
            ResilienceSpan.AttributeKey.policy: .string(policyName), ResilienceSpan.AttributeKey.attempt: .int64(Int64(attempt)),
            ResilienceSpan.AttributeKey.reason: .string(afterFailure ? "failure" : "delay"),
        ])
        logger.debug("hedging", metadata: [
            "policy": "\(policyName)", "attempt": "\(attempt)", "trigger": "\(afterFailure ? "failure" : "delay")",
        ])
    }

    func hedgeDenied(attempt: Int) {
        denied.increment()
        logger.notice("hedge denied by the retry budget", metadata: ["policy": "\(policyName)", "attempt": "\(attempt)"])
    }

    func won(attempt: Int) {
        (attempt == 1 ? firstWins : hedgeWins).increment()
    }
}
