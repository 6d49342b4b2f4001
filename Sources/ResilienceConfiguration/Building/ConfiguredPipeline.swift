import Logging
import Metrics
import Resilience
import ResilienceChaos

/// The pipeline of one named policy of a service's configuration, as ``ResiliencePolicies`` builds it:
/// the sections the configuration gives, in the documented order (load shedder ▸ cascade ▸ retry ▸
/// circuit breaker ▸ rate limiter ▸ concurrency limit ▸ timeout or adaptive timeout ▸ bulkhead ▸
/// chaos ▸ operation), each one instance shared by every caller of the policy.
///
/// The `chaos` section (a `ChaosInjection`) is the innermost stage: it stands in for the dependency,
/// so the retry, the breaker and the timeout react to an injected fault or latency as to the
/// dependency's own. Its `enabled` key is read on every call, so a reload that turns it on or off
/// applies to the running pipeline from the next call.
///
/// Two sections are not stages: `hedging` races whole calls, which needs a `@Sendable` operation, so
/// its instance is ``ResiliencePolicies/hedging(named:)``, to wrap around the pipeline; and `fallback`
/// configures the cache of the service's own fallback (``ResiliencePolicies/fallbackCache(named:)``),
/// since the value a fallback serves comes from the service's code.
///
/// ```swift
/// let payments = try policies.pipeline(named: "payments")
/// let receipt = try await payments.execute(operationName: "charge") { try await gateway.charge(order) }
/// ```
///
/// **Reloads keep state.** A reload that changes a section reconfigures its instance in place (an open
/// breaker stays open for the rest of its break, a bulkhead's running calls keep their slots: see each
/// policy's `reconfigure(_:)`); a section the reload removes is skipped from the next call on, and one
/// it adds is created. With `resilience.enabled = false` every call runs the operation as it is; turned
/// back on, the sections resume with the state they had.
///
/// **Telemetry.** Like a named pipeline (`ResiliencePipeline(name:clock:metricsFactory:tracer:_:)`),
/// each call records its duration in `resilience_operation_duration_seconds{policy, outcome}` (with the
/// policy's name as `policy`) and, with a tracer, runs in a span the sections annotate with events (see
/// the Resilience module's "Tracing" article); with the policies turned off, the call is still measured
/// and traced.
///
/// **Cost.** One relaxed atomic load for the kill switch and one acquiring load per section, on top of
/// the sections' own costs; no lock, no allocation (without a metrics backend and a tracer).
public final class ConfiguredPipeline<C: Clock>: ResiliencePolicy where C.Duration == Duration {
    /// The policy's name under `resilience.policies`, also each section's name in errors and metrics.
    public let name: String

    @usableFromInline let killSwitch: KillSwitch
    /// What each call records; `nil` without a metrics backend and a tracer.
    @usableFromInline let telemetry: PipelineTelemetry?
    @usableFromInline let loadShedder = PolicySlot<LoadShedder<C>>()
    @usableFromInline let cascade = PolicySlot<CascadePreventor<C>>()
    /// Not a stage: see the type's documentation.
    let hedging = PolicySlot<Hedging<C>>()
    @usableFromInline let retry = PolicySlot<Retry<C>>()
    @usableFromInline let circuitBreaker = PolicySlot<CircuitBreaker<C>>()
    @usableFromInline let rateLimiter = PolicySlot<KeyedRateLimiter<String, C>>()
    @usableFromInline let concurrencyLimit = PolicySlot<ConcurrencyLimiter<C>>()
    @usableFromInline let timeout = PolicySlot<Timeout<C>>()
    @usableFromInline let adaptiveTimeout = PolicySlot<Timeout<C>>()
    @usableFromInline let bulkhead = PolicySlot<Bulkhead<C>>()
    @usableFromInline let chaos = PolicySlot<ChaosInjection<C>>()

    init(name: String, killSwitch: KillSwitch, telemetry: PipelineTelemetry?) {
        self.name = name
        self.killSwitch = killSwitch
        self.telemetry = telemetry
    }

    /// Runs `operation` through the configured sections, outermost first; as it is when the policies
    /// are turned off.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        if let telemetry { return try await executeMeasured(by: telemetry, context: context, operation) }
        return try await executeSections(context: context, operation)
    }

    /// ``execute(context:_:)`` with telemetry, out of line so that the unmeasured path stays as small
    /// as it was (see `ResiliencePipeline`).
    @inlinable @inline(never)
    nonisolated(nonsending) func executeMeasured<Value>(
        by telemetry: PipelineTelemetry,
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        try await telemetry.run(context: context) { context in try await executeSections(context: context, operation) }
    }

    /// Runs `operation` through the configured sections: see ``execute(context:_:)``. Always inlined:
    /// an outlined async frame here cost about 20 ns per call.
    @inlinable @inline(__always)
    nonisolated(nonsending) func executeSections<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        guard killSwitch.isEnabled else { return try await operation(context) }
        return try await loadShedder.execute(context: context) { context in
            try await cascade.execute(context: context) { context in
                try await retry.execute(context: context) { context in
                    try await circuitBreaker.execute(context: context) { context in
                        try await rateLimiter.execute(context: context) { context in
                            try await concurrencyLimit.execute(context: context) { context in
                                try await timeout.execute(context: context) { context in
                                    try await adaptiveTimeout.execute(context: context) { context in
                                        try await bulkhead.execute(context: context) { context in
                                            try await chaos.execute(context: context, operation)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The configuration of the adaptive timeout's instance, if it has one.
    var adaptiveTimeoutConfiguration: AdaptiveTimeoutConfiguration? {
        guard case .adaptive(let adaptive, _)? = adaptiveTimeout.existing?.source else { return nil }
        return adaptive.configuration
    }
}
