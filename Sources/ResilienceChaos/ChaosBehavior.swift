import Logging
import Metrics
import Resilience

/// Injects behaviour of your own: runs an async closure before the operation, for a fraction of calls
/// (fill a cache with garbage, drop a connection, exhaust a pool, restart a replica).
///
/// ```swift
/// let dropConnections = ChaosBehavior(name: "db", rate: 0.01, enabled: staging) { _ in
///     await pool.closeIdleConnections()
/// }
/// ```
///
/// **Which calls**: as every chaos strategy, a call is injected when the switch is on and its draw is
/// below `rate` (see ``ChaosRandom``). An injected call runs the behaviour, in the calling task (so it
/// sees the task's cancellation), then the operation. When the behaviour throws, the call throws that
/// error and the operation does not run.
///
/// For a delay use ``ChaosLatency``, which sleeps on the strategy's clock and honours the call's
/// deadline; for an error, ``ChaosFault``. Behaviour is code, so this strategy has no configuration
/// section; give it a configured section's switch (`ChaosInjection/enabled`) to turn it on and off
/// with that section's `enabled` key.
public final class ChaosBehavior: ResiliencePolicy {
    /// The name used in metrics labels and logs. Keep it low-cardinality.
    public let name: String
    @usableFromInline let gate: ChaosGate
    @usableFromInline let behavior: @Sendable (ResilienceContext) async throws -> Void

    /// Creates a behaviour strategy.
    /// - Parameters:
    ///   - name: a low-cardinality name for metrics and logs.
    ///   - rate: the fraction of calls to inject into, in [0, 1]; changed with ``setRate(_:)``.
    ///   - enabled: the switch that turns injection on and off at run time (`true` or `false` for a
    ///     switch of the strategy's own).
    ///   - random: where the decisions are drawn; seed it for exact tests.
    ///   - logger: receives a `debug` line per injection; by default nothing is logged.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    ///   - behavior: what an injected call runs before its operation, with its context.
    ///
    /// A rate outside [0, 1] stops the process with a message naming `rate` (see `ConfigurationError`).
    public init(
        name: String,
        rate: Double,
        enabled: ChaosSwitch,
        random: ChaosRandom = ChaosRandom(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        behavior: @escaping @Sendable (ResilienceContext) async throws -> Void
    ) {
        ConfigurationError.required("ChaosBehavior \"\(name)\"") { () throws(ConfigurationError) in try ChaosGate.checkRate(rate) }
        self.name = name
        self.behavior = behavior
        gate = ChaosGate(
            name: name, kind: .behavior, rate: rate, enabled: enabled, random: random, logger: logger,
            metricsFactory: metricsFactory)
    }

    /// Runs the behaviour before an injected call's operation; runs other calls' operation at once.
    /// - Throws: what the behaviour threw (the operation does not run then); else what `operation`
    ///   threw.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        if gate.injects() { try await inject(context) }
        return try await operation(context)
    }

    /// Runs the behaviour of an injected call, counted.
    @usableFromInline
    nonisolated(nonsending) func inject(_ context: ResilienceContext) async throws {
        gate.telemetry.injected()
        try await behavior(context)
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
