import Logging
import Metrics
import Resilience

/// Injects a fault: throws an error instead of calling the operation, for a fraction of calls.
///
/// ```swift
/// struct PaymentsUnavailable: Error {}
///
/// let fault = ChaosFault(name: "payments", rate: 0.1, enabled: staging, error: PaymentsUnavailable())
/// let pipeline = ResiliencePipeline {
///     Retry(name: "payments")
///     CircuitBreaker(name: "payments")
///     fault                                   // innermost: it stands in for the dependency
/// }
/// ```
///
/// **Which calls.** A call is injected when the `enabled` switch is on and the number it draws from
/// `random` is below `rate` (one draw per call while the switch is on and the rate above 0; see
/// ``ChaosRandom``). An injected call throws the error and never runs the operation; every other call
/// runs it unchanged. The error is thrown as it is, never wrapped, so the policies around the strategy
/// treat it as the dependency's own: the default `FailureClassifier` counts it as a failure unless it
/// conforms to `NotADependencyFailure`, and a retry retries it.
///
/// **Cost.** Off: one relaxed atomic load per call. On: a lock around the random generator per call,
/// and on injection the counter, a `debug` log line and a span event (`resilience.chaos`).
///
/// Several strategies in one pipeline decide independently, each with its own draw: a fault at 0.1 and
/// a latency at 0.2 hit 10 % and 20 % of the calls that reach them (and 2 % get both, when the latency
/// runs first). A fault placed before another strategy hides that one from the calls it fails.
public final class ChaosFault: ResiliencePolicy {
    /// The name used in metrics labels and logs. Keep it low-cardinality.
    public let name: String
    @usableFromInline let gate: ChaosGate
    @usableFromInline let makeError: @Sendable (ResilienceContext) -> any Error

    /// Creates a fault strategy whose error is made per call.
    /// - Parameters:
    ///   - name: a low-cardinality name for metrics and logs.
    ///   - rate: the fraction of calls to inject into, in [0, 1]; changed with ``setRate(_:)``.
    ///   - enabled: the switch that turns injection on and off at run time (`true` or `false` for a
    ///     switch of the strategy's own).
    ///   - random: where the decisions are drawn; seed it for exact tests.
    ///   - logger: receives a `debug` line per injection; by default nothing is logged.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    ///   - makeError: the error of an injected call, from its context.
    ///
    /// A rate outside [0, 1] stops the process with a message naming `rate` (a configuration written in
    /// code must be valid; see `ConfigurationError`).
    public init(
        name: String,
        rate: Double,
        enabled: ChaosSwitch,
        random: ChaosRandom = ChaosRandom(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        makeError: @escaping @Sendable (ResilienceContext) -> any Error
    ) {
        ConfigurationError.required("ChaosFault \"\(name)\"") { () throws(ConfigurationError) in try ChaosGate.checkRate(rate) }
        self.name = name
        self.makeError = makeError
        gate = ChaosGate(
            name: name, kind: .fault, rate: rate, enabled: enabled, random: random, logger: logger,
            metricsFactory: metricsFactory)
    }

    /// Creates a fault strategy that throws `error` into the calls it injects.
    ///
    /// See ``init(name:rate:enabled:random:logger:metricsFactory:makeError:)`` for the parameters.
    public convenience init(
        name: String,
        rate: Double,
        enabled: ChaosSwitch,
        error: some Error & Sendable,
        random: ChaosRandom = ChaosRandom(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.init(
            name: name, rate: rate, enabled: enabled, random: random, logger: logger, metricsFactory: metricsFactory,
            makeError: { _ in error })
    }

    /// Throws the fault into an injected call; runs `operation` otherwise.
    /// - Throws: the strategy's error when the call is injected (the operation does not run); else
    ///   what `operation` threw.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        if gate.injects() { throw fault(for: context) }
        return try await operation(context)
    }

    /// The error of an injected call, counted.
    @usableFromInline
    func fault(for context: ResilienceContext) -> any Error {
        gate.telemetry.injected()
        return makeError(context)
    }

    /// The switch that turns injection on and off.
    public var enabled: ChaosSwitch { gate.enabled }

    /// The fraction of calls injected while the switch is on.
    public var rate: Double { gate.rate }

    /// Injects into `rate` of the calls from now on.
    /// - Throws: `ConfigurationError` (key `rate`) unless `rate` is in [0, 1]; the rate is then unchanged.
    public func setRate(_ rate: Double) throws(ConfigurationError) {
        try gate.setRate(rate)
    }
}
