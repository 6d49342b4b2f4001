import Logging
import Metrics
import Tracing

/// Maps a fallback's events to swift-metrics and swift-log. Metrics are created once per fallback:
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `resilience_fallback_total` | counter: calls answered from the fallback | policy, cause (a rejection code such as `circuitOpen`, or `failure`) |
///
/// Each handled call is logged at `debug` (`fallback served` or `fallback declined`; metadata
/// `policy`, `operation`, `cause`, `source`, `errorType`); a handler that throws at `notice`. Only the
/// error's *type* is logged, never its description: a fallback often runs exactly when something
/// sensitive could not be processed, and error descriptions may quote the data.
final class FallbackTelemetry: Sendable {
    let policyName: String
    let logger: Logger
    /// Served counters by cause label: `failure` and every rejection code.
    let served: [String: Counter]

    init(policyName: String, sinks: TelemetrySinks) {
        self.policyName = policyName
        self.logger = sinks.logger
        let labels = [FallbackCause.failureLabel] + ResilienceError.Code.allCodes.map(\.description)
        served = Dictionary(uniqueKeysWithValues: labels.map { label in
            (label, Counter(
                label: "resilience_fallback_total",
                dimensions: [("policy", policyName), ("cause", label)], factory: sinks.factory))
        })
    }

    func record(_ cause: FallbackCause, _ outcome: FallbackEvent.Outcome) {
        if case .served = outcome { served[cause.label]?.increment() }
        ResilienceSpan.addEvent(ResilienceSpan.EventName.fallback, [
            ResilienceSpan.AttributeKey.policy: .string(policyName), ResilienceSpan.AttributeKey.reason: .string(cause.label),
            ResilienceSpan.AttributeKey.outcome: .string(outcome.spanOutcome),
        ])
        let level: Logger.Level
        let message: Logger.Message
        switch outcome {
        case .served: (level, message) = (.debug, "fallback served")
        case .declined: (level, message) = (.debug, "fallback declined")
        case .failed: (level, message) = (.notice, "fallback handler failed")
        }
        // The metadata is built only when the line is logged: most handled calls are not.
        guard logger.logLevel <= level else { return }
        var metadata: Logger.Metadata = [
            "policy": "\(policyName)", "operation": "\(cause.context.operationName)", "cause": "\(cause.label)",
            "errorType": "\(String(describing: type(of: cause.error)))",
        ]
        switch outcome {
        case .served(let source):
            metadata["source"] = "\(source.name)"
            if let age = source.age { metadata["age"] = "\(DurationText.format(age))" }
        case .declined:
            break
        case .failed(let handlerError):
            metadata["handlerErrorType"] = "\(String(describing: type(of: handlerError)))"
        }
        logger.log(level: level, message, metadata: metadata)
    }
}

extension FallbackEvent.Outcome {
    /// The outcome as the `resilience.fallback` span event's `resilience.outcome` attribute shows it.
    var spanOutcome: String {
        switch self {
        case .served: "served"
        case .declined: "declined"
        case .failed: "failed"
        }
    }
}
