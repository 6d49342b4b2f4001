import AsyncHTTPClient
import Logging
import Metrics
import Tracing
import Resilience

/// The pipeline of one host of a ``ResilientHTTPClient``: retry ▸ circuit breaker ▸ deadline ▸ bulkhead,
/// all named `"<client>.<host:port>"` in errors, metrics, logs and spans.
final class HostPolicies<C: Clock>: Sendable where C.Duration == Duration {
    /// `"<client>.<host:port>"`.
    let name: String
    /// The retry of retryable requests; others skip it.
    let retry: Retry<C>
    /// The host's breaker, from the client's registry.
    let breaker: CircuitBreaker<C>
    /// The host's bulkhead, from the client's registry; `nil` when the host has none.
    let bulkhead: Bulkhead<C>?
    /// The whole-exchange limit of an attempt.
    let duration: Duration
    /// The limit of the wait for the response head: `firstByte`, or `duration`.
    let headLimit: Duration
    /// Measures and traces each call as its caller sees it (the pipeline's own metric and span).
    let telemetry: ResiliencePipeline<PassThroughPolicy>
    /// Counts and traces the attempts that ran out of time, as a `Timeout` policy of the same name would.
    let timeoutTelemetry: TimeoutTelemetry

    init(
        name: String, configuration: HTTPHostConfiguration, breaker: CircuitBreaker<C>, bulkhead: Bulkhead<C>?,
        clock: C, logger: Logger?, metricsFactory: (any MetricsFactory)?, tracer: (any Tracer)?
    ) {
        self.name = name
        self.breaker = breaker
        self.bulkhead = bulkhead
        duration = configuration.timeout.duration
        headLimit = configuration.timeout.firstByte ?? configuration.timeout.duration
        retry = Retry(
            name: name, configuration: configuration.retry, predicate: Self.retryPredicate, budget: .own, clock: clock,
            logger: logger, metricsFactory: metricsFactory, onRetry: FailedResponse.discard(causing:))
        telemetry = ResiliencePipeline(name: name, clock: clock, metricsFactory: metricsFactory, tracer: tracer) {
            PassThroughPolicy()
        }
        timeoutTelemetry = TimeoutTelemetry(
            policyName: name, sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory))
    }

    /// The `timedOut` rejection of an attempt whose limit `limit` elapsed, counted and traced.
    func timedOut(after limit: Duration, underlyingError: (any Error)?) -> ResilienceError {
        timeoutTelemetry.timedOut(after: limit, overrun: nil)
        return ResilienceError(code: .timedOut, policyName: name, underlyingError: underlyingError)
    }

    /// What the retry of a retryable request retries: a failed response as it decided (after its
    /// `Retry-After`, or not when the hint reaches past the deadline); the attempt's own `timedOut`; any
    /// error ``HTTPFailureClassifier`` counts as a failure. Never a rejection by the breaker or the
    /// bulkhead, never cancellation, never an error in the request.
    static var retryPredicate: RetryPredicate {
        RetryPredicate { error in
            if let failed = error as? FailedResponse { return failed.decision }
            if let rejection = error as? ResilienceError { return rejection.code == .timedOut ? .retry : .doNotRetry }
            return HTTPFailureClassifier.outcome(of: error) == .failure ? .retry : .doNotRetry
        }
    }
}
