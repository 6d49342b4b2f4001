import Logging
import Metrics
import Tracing

/// Maps a retry policy's events to swift-metrics and swift-log. Metrics are created once per policy:
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `resilience_retry_retries_total` | counter | policy |
/// | `resilience_retry_gave_up_total` | counter | policy, reason (`attemptsExhausted`, `budgetExhausted`, `deadline`) |
///
/// Each retry is logged at `debug` (metadata `policy`, `attempt`, `retry`, `delay`); a retry the budget
/// denies at `notice`. Nothing is counted for a first attempt.
final class RetryTelemetry: Sendable {
    /// Why a retry policy stopped retrying a call whose outcome the predicate wanted retried.
    enum GiveUpReason: String, Sendable, CaseIterable {
        case attemptsExhausted
        case budgetExhausted
        case deadline
    }

    let policyName: String
    let logger: Logger
    let retries: Counter
    let gaveUp: [GiveUpReason: Counter]

    init(policyName: String, sinks: TelemetrySinks) {
        self.policyName = policyName
        self.logger = sinks.logger
        retries = Counter(
            label: "resilience_retry_retries_total", dimensions: [("policy", policyName)], factory: sinks.factory)
        gaveUp = Dictionary(uniqueKeysWithValues: GiveUpReason.allCases.map { reason in
            (reason, Counter(
                label: "resilience_retry_gave_up_total",
                dimensions: [("policy", policyName), ("reason", reason.rawValue)], factory: sinks.factory))
        })
    }

    func retrying(_ event: RetryEvent) {
        retries.increment()
        ResilienceSpan.addEvent(ResilienceSpan.EventName.retryDelay, [
            ResilienceSpan.AttributeKey.policy: .string(policyName),
            ResilienceSpan.AttributeKey.attempt: .int64(Int64(event.attempt)),
            ResilienceSpan.AttributeKey.delaySeconds: .double(event.delay.seconds),
        ])
        logger.debug("retrying", metadata: [
            "policy": "\(policyName)", "attempt": "\(event.attempt)", "retry": "\(event.retry)",
            "delay": "\(DurationText.format(event.delay))",
        ])
    }

    func gaveUp(_ reason: GiveUpReason, attempts: Int) {
        gaveUp[reason]?.increment()
        ResilienceSpan.addEvent(ResilienceSpan.EventName.retryGaveUp, [
            ResilienceSpan.AttributeKey.policy: .string(policyName), ResilienceSpan.AttributeKey.reason: .string(reason.rawValue),
            ResilienceSpan.AttributeKey.attempt: .int64(Int64(attempts)),
        ])
        let level: Logger.Level = reason == .budgetExhausted ? .notice : .debug
        logger.log(level: level, "not retrying", metadata: [
            "policy": "\(policyName)", "reason": "\(reason.rawValue)", "attempts": "\(attempts)",
        ])
    }
}
