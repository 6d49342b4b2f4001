import Logging
import Metrics

/// What every fallback shell shares: which causes it handles, its strategy, and the reporting of what
/// it did. The shells differ only in what they try before the strategy (a cache, or nothing).
@usableFromInline
struct FallbackCore<Value: Sendable>: Sendable {
    let name: String
    let predicate: FallbackPredicate
    let strategy: FallbackStrategy<Value>?
    let telemetry: FallbackTelemetry
    let onFallback: (@Sendable (FallbackEvent) -> Void)?

    init(
        name: String, predicate: FallbackPredicate, strategy: FallbackStrategy<Value>?, logger: Logger?,
        metricsFactory: (any MetricsFactory)?, onFallback: (@Sendable (FallbackEvent) -> Void)?
    ) {
        self.name = name
        self.predicate = predicate
        self.strategy = strategy
        self.onFallback = onFallback
        self.telemetry = FallbackTelemetry(
            policyName: name,
            sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory))
    }

    /// The cause of a call that threw `error`, or `nil` when this fallback must not handle it: the
    /// error is `CancellationError`, the calling task is cancelled, or the predicate says no.
    func cause(of error: any Error, context: ResilienceContext) -> FallbackCause? {
        if error is CancellationError || Task.isCancelled { return nil }
        let cause = FallbackCause(error: error, context: context)
        return predicate.handles(cause) ? cause : nil
    }

    /// Reports what the fallback did for `cause`.
    func report(_ cause: FallbackCause, _ outcome: FallbackEvent.Outcome) {
        telemetry.record(cause, outcome)
        onFallback?(FallbackEvent(policyName: name, cause: cause, outcome: outcome))
    }

    /// The configured strategy's decision (``FallbackDecision/decline`` when there is none).
    nonisolated(nonsending) func decideWithStrategy(_ cause: FallbackCause) async throws -> FallbackDecision<Value> {
        guard let strategy else { return .decline }
        return try await strategy.decide(cause)
    }

    /// Asks `handler` for `cause`: returns its value, rethrows `originalError` unchanged when it
    /// declines, or throws what the handler threw.
    nonisolated(nonsending) func resolve(
        _ cause: FallbackCause,
        rethrowing originalError: any Error,
        with handler: nonisolated(nonsending) (FallbackCause) async throws -> FallbackDecision<Value>
    ) async throws -> Value {
        let decision: FallbackDecision<Value>
        do {
            decision = try await handler(cause)
        } catch {
            report(cause, .failed(error))
            throw error
        }
        switch decision {
        case .value(let value):
            report(cause, .served(.fallback))
            return value
        case .decline:
            report(cause, .declined)
            throw originalError
        }
    }
}
