import Logging
import Metrics
import Resilience

/// The chaos a ``ChaosConfiguration`` describes (a policy's `chaos` section), as one stage of a
/// pipeline: an injected latency, then an injected fault, both under one switch.
///
/// `ResilienceConfiguration` builds one for each policy whose configuration has a `chaos` section, as
/// the innermost stage of its pipeline (it stands in for the dependency, so retries, breakers and
/// timeouts react to what it injects), and a reload reconfigures it in place: a reload that turns
/// `enabled` on or off applies from the next call, without a restart. Build one in code the same way:
///
/// ```swift
/// let chaos = ChaosInjection(name: "payments", configuration: ChaosConfiguration(
///     enabled: true,
///     fault: ChaosFaultConfiguration(rate: 0.1),
///     latency: ChaosLatencyConfiguration(rate: 0.2, distribution: .fixed(.milliseconds(500)))))
/// ```
///
/// **What a call gets.** While ``enabled`` is on, each call draws for the latency (when the section has
/// one: a call injected waits, as ``ChaosLatency`` does, cut at the call's deadline), then for the fault
/// (when the section has one: a call injected throws a ``ChaosInjectedError`` with the section's
/// message, as ``ChaosFault`` does). The two decisions are independent draws from one ``ChaosRandom``,
/// latency first: each rate is the fraction of calls that get that injection, and a call can wait and
/// then fail (rate × rate of the calls). While the switch is off, a call costs one atomic load per
/// kind and nothing is drawn.
///
/// **Telemetry.** `resilience_chaos_injections_total` with `kind` `latency` and `fault`, under this
/// instance's name; a `resilience.chaos` span event per injection. Turning the switch on or off by
/// ``reconfigure(_:)`` is logged at `notice`.
public final class ChaosInjection<C: Clock>: ResiliencePolicy where C.Duration == Duration {
    /// The name used in metrics labels, errors and logs: the policy's name in a configuration.
    public let name: String
    /// The section's `enabled` key, as a switch: a reload sets it. Give it to strategies built in code
    /// (``ChaosOutcome``, ``ChaosBehavior``, a ``ChaosFault`` of your own error) to put them under the
    /// same key.
    public let enabled: ChaosSwitch
    @usableFromInline let latency: ChaosLatency<C>
    @usableFromInline let fault: ChaosFault
    let current: Current
    let logger: Logger?

    /// The configuration applied last, shared with the fault's error (which reads its message).
    final class Current: Sendable {
        let configuration: Locked<ChaosConfiguration>
        init(_ configuration: ChaosConfiguration) { self.configuration = Locked(configuration) }
    }

    /// Creates the chaos of `configuration`.
    /// - Parameters:
    ///   - name: a low-cardinality name for metrics, errors and logs.
    ///   - configuration: what to inject, and whether the switch starts on.
    ///   - random: where the decisions and the latencies are drawn; seed it for exact tests.
    ///   - clock: the clock injected latencies sleep on; `ContinuousClock` by default.
    ///   - logger: receives a `debug` line per injection and a `notice` when a reconfiguration turns the
    ///     switch; by default nothing is logged.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    ///
    /// An invalid configuration stops the process with a message naming the key (a configuration
    /// written in code must be valid; check one from outside the code with its `validate()`).
    public init(
        name: String,
        configuration: ChaosConfiguration,
        random: ChaosRandom = ChaosRandom(),
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        ConfigurationError.required("ChaosInjection \"\(name)\"") { () throws(ConfigurationError) in try configuration.validate() }
        let enabled = ChaosSwitch(configuration.enabled)
        let current = Current(configuration)
        self.name = name
        self.enabled = enabled
        self.logger = logger
        latency = ChaosLatency(
            name: name, rate: configuration.latency?.rate ?? 0, enabled: enabled,
            latency: configuration.latency?.distribution ?? Self.unusedLatency, random: random, clock: clock,
            logger: logger, metricsFactory: metricsFactory)
        // The message is read when a fault is injected, so that a reload changes it for the next one.
        fault = ChaosFault(
            name: name, rate: configuration.fault?.rate ?? 0, enabled: enabled, random: random, logger: logger,
            metricsFactory: metricsFactory
        ) { _ in
            ChaosInjectedError(policyName: name, message: current.configuration.withLock { $0.fault?.message ?? "" })
        }
        self.current = current
    }

    /// The distribution of a section without `latency`, whose rate is 0: never drawn from.
    static var unusedLatency: ChaosLatencyDistribution { .fixed(.nanoseconds(1)) }

    /// Runs `operation` under the configured latency, then the configured fault.
    /// - Throws: what ``ChaosLatency/execute(context:_:)`` and ``ChaosFault/execute(context:_:)`` throw
    ///   (a ``ChaosInjectedError``, `CancellationError` or `timedOut` during an injected wait), or what
    ///   `operation` threw.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        try await latency.execute(context: context) { context in try await fault.execute(context: context, operation) }
    }

    /// The configuration applied last.
    public var configuration: ChaosConfiguration { current.configuration.withLock { $0 } }

    /// Runs with `configuration` from the next call on (a call already injected keeps its wait): the
    /// switch takes its `enabled`, and each kind its rate, message and distribution; a kind the new
    /// configuration lacks is not injected any more.
    /// - Throws: `ConfigurationError` naming the invalid key; nothing changes then.
    public func reconfigure(_ configuration: ChaosConfiguration) throws(ConfigurationError) {
        try configuration.validate()
        let wasOn = current.configuration.withLock { current in
            let wasOn = current.enabled
            current = configuration
            return wasOn
        }
        // A call between two of these steps never draws from a distribution not meant for its rate.
        let latencyRate = configuration.latency?.rate ?? 0
        if latencyRate == 0 { try latency.setRate(0) }
        try latency.setLatency(configuration.latency?.distribution ?? Self.unusedLatency)
        try latency.setRate(latencyRate)
        try fault.setRate(configuration.fault?.rate ?? 0)
        enabled.set(configuration.enabled)
        if wasOn != configuration.enabled {
            logger?.notice(
                "chaos injection turned \(configuration.enabled ? "on" : "off")",
                metadata: [
                    "policy": "\(name)",
                    "fault": "\(configuration.fault.map { "rate \($0.rate)" } ?? "none")",
                    "latency": "\(configuration.latency.map { "rate \($0.rate), \($0.distribution)" } ?? "none")",
                ])
        }
    }
}
