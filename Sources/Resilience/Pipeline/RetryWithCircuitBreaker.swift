import Logging
import Metrics

/// A retry around a circuit breaker, in the order that protects the dependency: retry ▸ circuit
/// breaker ▸ operation.
///
/// ```swift
/// let payments = RetryWithCircuitBreaker(
///     name: "payments",
///     retry: RetryConfiguration(maxAttempts: 3),
///     circuitBreaker: CircuitBreakerConfiguration(failureRatio: 0.5))
/// let receipt = try await payments.execute { try await provider.charge(order) }
/// ```
///
/// Every attempt goes through the breaker, so the breaker sees (and counts) each retry. Once the
/// breaker opens, the next attempt is rejected with `circuitOpen` without reaching the dependency,
/// and because a retry does not retry rejections (see ``RetryPredicate``), that rejection ends the
/// call at once: an open breaker is never hammered by the retries waiting behind it. The other order
/// (breaker ▸ retry) would count a whole retried call as one outcome and keep retrying into a
/// dependency the breaker already knows is down.
///
/// The two policies are ordinary ``Retry`` and ``CircuitBreaker`` instances, reachable for stats,
/// forcing and events; a shared breaker or budget can be passed in.
public struct RetryWithCircuitBreaker<C: Clock>: ResiliencePolicy where C.Duration == Duration {
    /// The retry, outermost.
    public let retry: Retry<C>
    /// The circuit breaker every attempt goes through.
    public let circuitBreaker: CircuitBreaker<C>

    /// Composes existing policies. They should share a clock.
    public init(retry: Retry<C>, circuitBreaker: CircuitBreaker<C>) {
        self.retry = retry
        self.circuitBreaker = circuitBreaker
    }

    /// Creates both policies under one name.
    ///
    /// An invalid configuration stops the process with a message naming the key, prefixed with
    /// `retry.` or `circuitBreaker.`: a configuration written in code must be valid (see
    /// ``ConfigurationError``).
    public init(
        name: String,
        retry retryConfiguration: RetryConfiguration = RetryConfiguration(),
        circuitBreaker breakerConfiguration: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        classifier: FailureClassifier = .default,
        budget: RetryBudgetChoice<C> = .own,
        clock: C,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        ConfigurationError.required("RetryWithCircuitBreaker \"\(name)\"") { () throws(ConfigurationError) in
            try Self.validate(retry: retryConfiguration, circuitBreaker: breakerConfiguration)
        }
        retry = Retry(
            name: name, configuration: retryConfiguration, predicate: RetryPredicate(classifier: classifier),
            budget: budget, clock: clock, logger: logger, metricsFactory: metricsFactory)
        circuitBreaker = CircuitBreaker(
            name: name, configuration: breakerConfiguration, classifier: classifier, clock: clock,
            logger: logger, metricsFactory: metricsFactory)
    }

    /// Checks both configurations as the initializer does, for ones that come from outside the code.
    /// - Throws: ``ConfigurationError`` naming the key, prefixed with `retry.` or `circuitBreaker.`.
    public static func validate(retry: RetryConfiguration, circuitBreaker: CircuitBreakerConfiguration) throws(ConfigurationError) {
        do throws(ConfigurationError) { try retry.validate() } catch { throw error.prefixingKey(with: "retry") }
        do throws(ConfigurationError) { try circuitBreaker.validate() } catch { throw error.prefixingKey(with: "circuitBreaker") }
    }

    /// Runs `operation` through the retry, each attempt through the breaker.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        try await retry.execute(context: context) { context in
            try await circuitBreaker.execute(context: context, operation)
        }
    }

    /// Runs `operation` through the retry, each attempt through the breaker.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        _ operation: nonisolated(nonsending) () async throws -> Value
    ) async throws -> Value {
        try await retry.execute { try await circuitBreaker.execute(operation) }
    }
}

// Every other policy defaults its `clock` parameter to `ContinuousClock()`. Here the budget's type also
// names the clock type, so Swift cannot infer the clock from a default argument: a separate initializer.
extension RetryWithCircuitBreaker where C == ContinuousClock {
    /// Creates both policies under one name, on the continuous clock; see
    /// ``init(name:retry:circuitBreaker:classifier:budget:clock:logger:metricsFactory:)``.
    public init(
        name: String,
        retry retryConfiguration: RetryConfiguration = RetryConfiguration(),
        circuitBreaker breakerConfiguration: CircuitBreakerConfiguration = CircuitBreakerConfiguration(),
        classifier: FailureClassifier = .default,
        budget: RetryBudgetChoice<ContinuousClock> = .own,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.init(
            name: name, retry: retryConfiguration, circuitBreaker: breakerConfiguration, classifier: classifier,
            budget: budget, clock: ContinuousClock(), logger: logger, metricsFactory: metricsFactory)
    }
}
