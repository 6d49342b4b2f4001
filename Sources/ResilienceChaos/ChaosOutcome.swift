import Logging
import Metrics
import Resilience

/// Injects an outcome: returns a value of your choosing (a 503 response, an empty page) instead of
/// calling the operation, for a fraction of the calls that return that type.
///
/// ```swift
/// let unavailable = ChaosOutcome<HTTPResponse>(
///     name: "inventory", rate: 0.05, enabled: staging, outcome: HTTPResponse(status: 503))
/// let response = try await pipeline.execute(operationName: "inventory.get") {
///     try await unavailable.execute { try await client.get(url) }
/// }
/// ```
///
/// **Which calls.** The strategy is generic over the type of its outcome, `Output`, and a pipeline's
/// `execute` is generic over the call's `Value`. Only calls whose `Value` is exactly `Output` (the same
/// type: not an optional of it, not a protocol it conforms to, not `Any`) are candidates; every other
/// call runs its operation unchanged, draws nothing and counts nothing. A candidate is injected when
/// the switch is on and its draw is below `rate` (see ``ChaosRandom``): it returns the outcome and its
/// operation never runs.
///
/// The outcome is returned, not thrown: the policies around the strategy see it as the dependency's
/// answer. For a breaker or a retry to react to a 503 returned this way, classify results in the
/// `FailureClassifier` (`classifyingResults`), as for a real one.
///
/// An outcome is made in code (a configuration file cannot build a value of the service's types), so
/// this strategy has no configuration section; give it a configured section's switch
/// (`ChaosInjection/enabled`) to turn it on and off with that section's `enabled` key.
public final class ChaosOutcome<Output: Sendable>: ResiliencePolicy {
    /// The name used in metrics labels and logs. Keep it low-cardinality.
    public let name: String
    @usableFromInline let gate: ChaosGate
    @usableFromInline let makeOutcome: @Sendable (ResilienceContext) -> Output

    /// Creates an outcome strategy whose value is made per call.
    /// - Parameters:
    ///   - name: a low-cardinality name for metrics and logs.
    ///   - rate: the fraction of candidate calls to inject into, in [0, 1]; changed with ``setRate(_:)``.
    ///   - enabled: the switch that turns injection on and off at run time (`true` or `false` for a
    ///     switch of the strategy's own).
    ///   - random: where the decisions are drawn; seed it for exact tests.
    ///   - logger: receives a `debug` line per injection; by default nothing is logged.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    ///   - makeOutcome: the value an injected call returns, from its context.
    ///
    /// A rate outside [0, 1] stops the process with a message naming `rate` (see `ConfigurationError`).
    public init(
        name: String,
        rate: Double,
        enabled: ChaosSwitch,
        random: ChaosRandom = ChaosRandom(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        makeOutcome: @escaping @Sendable (ResilienceContext) -> Output
    ) {
        ConfigurationError.required("ChaosOutcome \"\(name)\"") { () throws(ConfigurationError) in try ChaosGate.checkRate(rate) }
        self.name = name
        self.makeOutcome = makeOutcome
        gate = ChaosGate(
            name: name, kind: .outcome, rate: rate, enabled: enabled, random: random, logger: logger,
            metricsFactory: metricsFactory)
    }

    /// Creates an outcome strategy that returns `outcome` from the calls it injects.
    ///
    /// See ``init(name:rate:enabled:random:logger:metricsFactory:makeOutcome:)`` for the parameters.
    public convenience init(
        name: String,
        rate: Double,
        enabled: ChaosSwitch,
        outcome: Output,
        random: ChaosRandom = ChaosRandom(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.init(
            name: name, rate: rate, enabled: enabled, random: random, logger: logger, metricsFactory: metricsFactory,
            makeOutcome: { _ in outcome })
    }

    /// Returns the outcome from an injected call whose `Value` is `Output`; runs `operation` otherwise.
    /// - Returns: the strategy's outcome when the call is injected (the operation does not run); else
    ///   what `operation` returned.
    /// - Throws: what `operation` threw.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        if Value.self == Output.self, gate.injects() { return outcome(for: context) as! Value }
        return try await operation(context)
    }

    /// The outcome of an injected call, counted.
    @usableFromInline
    func outcome(for context: ResilienceContext) -> Output {
        gate.telemetry.injected()
        return makeOutcome(context)
    }

    /// The switch that turns injection on and off.
    public var enabled: ChaosSwitch { gate.enabled }

    /// The fraction of candidate calls injected while the switch is on.
    public var rate: Double { gate.rate }

    /// Injects into `rate` of the candidate calls from now on.
    /// - Throws: `ConfigurationError` (key `rate`) unless `rate` is in [0, 1]; the rate is then unchanged.
    public func setRate(_ rate: Double) throws(ConfigurationError) {
        try gate.setRate(rate)
    }
}
