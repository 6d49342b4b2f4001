import Logging
import Metrics
import Resilience

/// Injects latency: waits before calling the operation, for a fraction of calls.
///
/// ```swift
/// let slow = ChaosLatency(
///     name: "search", rate: 0.2, enabled: staging,
///     latency: .logNormal(median: .milliseconds(300), p99: .seconds(3)))
/// let pipeline = ResiliencePipeline {
///     Retry(name: "search")
///     Timeout(name: "search", duration: .seconds(1))   // cuts the injected latency at 1 s
///     slow
/// }
/// ```
///
/// **Which calls**: as every chaos strategy, a call is injected when the switch is on and its draw is
/// below `rate` (see ``ChaosRandom``); the latency is then drawn from the distribution
/// (``ChaosLatencyDistribution``). An injected call sleeps on the strategy's clock for the latency,
/// then runs the operation; other calls run it at once.
///
/// **Cancellation.** The wait is a `sleep` on the clock: when the calling task is cancelled during it
/// (a `Timeout` around the strategy reaching its limit, or the caller giving up), the wait ends at
/// once with `CancellationError` and the operation does not run. A `Timeout` outside the strategy
/// turns that into its `timedOut`, exactly as it would for a slow dependency. (The timeout also gives
/// the call its limit as deadline, so the deadline rule below ends the wait at the same instant; which
/// of the two ends it first is a race, and either way the caller gets `timedOut` and the operation
/// does not run.)
///
/// **The call's deadline.** When the call's context has a deadline (`ResilienceContext/deadline`, on
/// this strategy's clock) and the injected latency would end at or after it, the strategy waits only
/// until the deadline and then throws a `ResilienceError` with code `timedOut` and this strategy's
/// name, without running the operation: what a dependency that honours deadlines does, and no call
/// outlives its deadline because of chaos. A deadline already past when the latency starts throws at
/// once. A deadline that is not an instant of this clock throws
/// `ResilienceContext.DeadlineClockMismatch`, as a `Timeout` does.
///
/// The counter and the span event record the latency drawn, also when the deadline or a cancellation
/// cut it short.
public final class ChaosLatency<C: Clock>: ResiliencePolicy where C.Duration == Duration {
    /// The name used in metrics labels, errors and logs. Keep it low-cardinality.
    public let name: String
    @usableFromInline let gate: ChaosGate
    let distribution: Locked<ChaosLatencyDistribution>
    let clock: C

    /// Creates a latency strategy.
    /// - Parameters:
    ///   - name: a low-cardinality name for metrics, errors and logs.
    ///   - rate: the fraction of calls to inject into, in [0, 1]; changed with ``setRate(_:)``.
    ///   - enabled: the switch that turns injection on and off at run time (`true` or `false` for a
    ///     switch of the strategy's own).
    ///   - latency: how long an injected call waits; changed with ``setLatency(_:)``.
    ///   - random: where the decisions and the latencies are drawn; seed it for exact tests.
    ///   - clock: the clock the strategy sleeps on, and the one of the context's deadline;
    ///     `ContinuousClock` by default (a `ManualClock` in tests).
    ///   - logger: receives a `debug` line per injection; by default nothing is logged.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    ///
    /// An invalid rate or latency stops the process with a message naming the key (a configuration
    /// written in code must be valid; see `ConfigurationError`).
    public init(
        name: String,
        rate: Double,
        enabled: ChaosSwitch,
        latency: ChaosLatencyDistribution,
        random: ChaosRandom = ChaosRandom(),
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        ConfigurationError.required("ChaosLatency \"\(name)\"") { () throws(ConfigurationError) in
            try ChaosGate.checkRate(rate)
            try latency.validate()
        }
        self.name = name
        self.distribution = Locked(latency)
        self.clock = clock
        gate = ChaosGate(
            name: name, kind: .latency, rate: rate, enabled: enabled, random: random, logger: logger,
            metricsFactory: metricsFactory)
    }

    /// Waits before an injected call's operation; runs other calls' at once.
    /// - Throws: what `operation` threw; `CancellationError` when the task was cancelled during the
    ///   injected wait; `ResilienceError` `timedOut` when the injected latency reached the call's
    ///   deadline (in both cases the operation does not run); `DeadlineClockMismatch`.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        if gate.injects() { try await wait(context) }
        return try await operation(context)
    }

    /// The injected wait: the latency drawn, cut at the context's deadline.
    @usableFromInline
    nonisolated(nonsending) func wait(_ context: ResilienceContext) async throws {
        let latency = distribution.withLock { $0 }.sample(gate.random)
        gate.telemetry.injected(delay: latency)
        let start = clock.now
        let end = start.advanced(by: latency)
        if let deadline = try context.deadline(on: clock), deadline <= end {
            try await clock.sleep(until: deadline, tolerance: nil)
            throw ResilienceError(code: .timedOut, policyName: name)
        }
        try await clock.sleep(until: end, tolerance: nil)
    }

    /// The switch that turns injection on and off.
    public var enabled: ChaosSwitch { gate.enabled }

    /// The fraction of calls injected while the switch is on.
    public var rate: Double { gate.rate }

    /// How long an injected call waits.
    public var latency: ChaosLatencyDistribution { distribution.withLock { $0 } }

    /// Injects into `rate` of the calls from now on.
    /// - Throws: `ConfigurationError` (key `rate`) unless `rate` is in [0, 1]; the rate is then unchanged.
    public func setRate(_ rate: Double) throws(ConfigurationError) {
        try gate.setRate(rate)
    }

    /// Draws the latency of calls injected from now on from `latency` (a call already waiting keeps
    /// its latency).
    /// - Throws: `ConfigurationError` naming the invalid key (see ``ChaosLatencyDistribution/validate()``);
    ///   the latency is then unchanged.
    public func setLatency(_ latency: ChaosLatencyDistribution) throws(ConfigurationError) {
        try latency.validate()
        distribution.withLock { $0 = latency }
    }
}
