import Foundation
import Logging
import Metrics
import Resilience
import ResilienceChaos
import Tracing

/// The policies of a service's configuration, ready to use: one ``ConfiguredPipeline`` per policy
/// name under `resilience.policies`, each section one instance shared by every caller (one breaker per
/// policy name, not one per call site), with the kill switch and reloads applied to all of them.
///
/// ```swift
/// let policies = try ResiliencePolicies(files: ["resilience.yaml"])
/// let payments = try policies.pipeline(named: "payments")
/// let receipt = try await payments.execute(operationName: "charge") { try await gateway.charge(order) }
/// ```
///
/// Reading the configuration happens here, once, and at each ``apply(_:)``; a call through a pipeline
/// reads no configuration (a closed breaker built here costs what one built in code costs).
///
/// **Reloads** (``apply(_:)``, or a ``ResilienceConfigurationReloader`` watching the files): the whole
/// new configuration is checked first, and applied only when nothing is wrong with it; otherwise
/// nothing changes and the error lists every problem. Applied, each section is reconfigured in place
/// and keeps its state; a section the new configuration drops is skipped from the next call on (its
/// instance is kept, and resumes its state if a later reload gives the section again); a policy the
/// new configuration drops passes every call through; `resilience.enabled` and the operation types'
/// timeouts take effect at the next call.
///
/// **Choices where the files say nothing:** a rate limiter's key is the call's operation name unless
/// `rateLimitKey` says otherwise; a load shedder's `queueDepth` thresholds read the gauge given for the
/// policy in `queueDepthGauges`; every instance runs on `clock` and reports to `logger` and
/// `metricsFactory` with the policy's name as its `policy` label.
public final class ResiliencePolicies<C: Clock>: Sendable where C.Duration == Duration {
    let builder: PipelineBuilder<C>
    let killSwitch: KillSwitch
    /// The settings applied last, and a pipeline per policy name ever configured.
    let state: Locked<(settings: ResilienceSettings, pipelines: [String: ConfiguredPipeline<C>])>

    /// Builds every policy of `settings`.
    /// - Parameters:
    ///   - settings: what ``ResilienceSettings/read(files:environment:profile:)`` read.
    ///   - clock: the clock of every instance.
    ///   - rateLimitKey: the bucket a call draws from in a `rateLimiter` section; its operation name by
    ///     default.
    ///   - queueDepthGauges: the queue-depth gauge of each policy whose `loadShedder` has `queueDepth`
    ///     thresholds, by policy name.
    ///   - classifier: what counts as the dependency's failure for every breaker, retry (which retries
    ///     what it counts as a failure, after a `RetryAfterProviding` hint when there is one),
    ///     concurrency limiter and hedging; `FailureClassifier.default` by default. An HTTP service
    ///     passes `HTTPFailureClassifier.classifier` (ResilienceHTTPClient).
    ///   - logger: where the instances log, and where reload failures are logged.
    ///   - metricsFactory: where the instances' metrics go; by default the bootstrapped factory.
    ///   - tracer: the tracer of the pipelines' spans; by default the one swift-distributed-tracing
    ///     was bootstrapped with (none: no span).
    /// - Throws: ``ConfigurationProblems`` listing every section that cannot be built.
    public init(
        settings: ResilienceSettings,
        clock: C,
        rateLimitKey: @escaping @Sendable (ResilienceContext) -> String = { $0.operationName },
        queueDepthGauges: [String: PressureGauge] = [:],
        classifier: FailureClassifier = .default,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        tracer: (any Tracer)? = nil
    ) throws(ConfigurationProblems) {
        builder = PipelineBuilder(
            clock: clock, logger: logger, metricsFactory: metricsFactory, tracer: tracer, rateLimitKey: rateLimitKey,
            queueDepthGauges: queueDepthGauges, classifier: classifier)
        killSwitch = KillSwitch(enabled: settings.isEnabled)
        state = Locked((ResilienceSettings(policies: [:]), [:]))
        try apply(settings)
    }

    // MARK: - Using the policies

    /// The pipeline of the policy `name`: the same instance at every call.
    /// - Throws: ``ConfigurationProblems`` when the configuration has no such policy.
    public func pipeline(named name: String) throws(ConfigurationProblems) -> ConfiguredPipeline<C> {
        try state.withLock { (state) throws(ConfigurationProblems) -> ConfiguredPipeline<C> in
            guard state.settings.policies[name] != nil, let pipeline = state.pipelines[name] else {
                throw Self.noSuchPolicy(name, known: state.settings.policies.keys.sorted())
            }
            return pipeline
        }
    }

    /// The circuit breaker of the policy `name`, when its configuration has one: the instance its
    /// pipeline runs (to read its state, observe it, or force it open).
    public func circuitBreaker(named name: String) -> CircuitBreaker<C>? { section(name, \.circuitBreaker) }
    /// The retry of the policy `name`, when its configuration has one.
    public func retry(named name: String) -> Retry<C>? { section(name, \.retry) }
    /// The timeout of the policy `name`, when its configuration has one.
    public func timeout(named name: String) -> Timeout<C>? { section(name, \.timeout) }
    /// The bulkhead of the policy `name`, when its configuration has one.
    public func bulkhead(named name: String) -> Bulkhead<C>? { section(name, \.bulkhead) }
    /// The rate limiter of the policy `name`, when its configuration has one.
    public func rateLimiter(named name: String) -> KeyedRateLimiter<String, C>? { section(name, \.rateLimiter) }
    /// The load shedder of the policy `name`, when its configuration has one.
    public func loadShedder(named name: String) -> LoadShedder<C>? { section(name, \.loadShedder) }
    /// The concurrency limiter of the policy `name`, when its configuration has one.
    public func concurrencyLimiter(named name: String) -> ConcurrencyLimiter<C>? { section(name, \.concurrencyLimit) }
    /// The cascade preventor of the policy `name`, when its configuration has one.
    public func cascadePreventor(named name: String) -> CascadePreventor<C>? { section(name, \.cascade) }
    /// The adaptive timeout of the policy `name`, when its configuration has one (a `Timeout` whose
    /// source is an `AdaptiveTimeout`).
    public func adaptiveTimeout(named name: String) -> Timeout<C>? { section(name, \.adaptiveTimeout) }

    /// The chaos injection of the policy `name`, when its configuration has a `chaos` section: the
    /// innermost stage of its pipeline. Its `ChaosInjection.enabled` switch follows the section's
    /// `enabled` key through every reload; hand it to strategies built in code (an injected outcome
    /// or behaviour, which a file cannot describe) to put them under the same key:
    ///
    /// ```swift
    /// let chaos = policies.chaos(named: "inventory")!
    /// let unavailable = ChaosOutcome(name: "inventory", rate: 0.05, enabled: chaos.enabled, outcome: Stock.unknown)
    /// ```
    ///
    /// A reload that removes the section turns that switch off. The kill switch (`resilience.enabled:
    /// false`, ``setEnabled(_:)``) bypasses the chaos stage with every other section, but not the
    /// strategies built in code, which follow their switch only.
    public func chaos(named name: String) -> ChaosInjection<C>? { section(name, \.chaos) }

    /// The hedging of the policy `name`, when its configuration has one. It is not a stage of the
    /// pipeline (racing attempts needs a `@Sendable` operation): wrap it around the pipeline,
    ///
    /// ```swift
    /// let answer = try await policies.hedging(named: "search")!.execute { context in
    ///     try await search.execute(context: context) { _ in try await index.query(q) }
    /// }
    /// ```
    ///
    /// Its extra attempts draw from the policy's retry budget when the policy has a `retry` section.
    public func hedging(named name: String) -> Hedging<C>? { section(name, \.hedging) }

    /// The `fallback` section of the policy `name`: the cache configuration for the service's own
    /// `CachedFallback` or `StaleDataFallback` (the value a fallback serves comes from code, so the
    /// configuration cannot build it).
    public func fallbackCache(named name: String) -> FallbackCacheConfiguration? {
        state.withLock { $0.settings.policies[name]?.fallback }
    }

    /// The settings applied last.
    public var settings: ResilienceSettings { state.withLock { $0.settings } }

    /// Whether the policies run: `resilience.enabled`, or the last ``setEnabled(_:)``.
    public var isEnabled: Bool { killSwitch.isEnabled }

    /// The kill switch at run time: `false` turns every configured pipeline into a pass-through from
    /// the next call on; `true` restores them, with the state their sections had. A later reload sets
    /// it again from `resilience.enabled`.
    public func setEnabled(_ isEnabled: Bool) {
        state.withLock { state in
            state.settings.isEnabled = isEnabled
            killSwitch.set(isEnabled)
        }
    }

    // MARK: - Reloading

    /// Applies a new configuration to every policy, keeping their state (see the type's
    /// documentation), or, when anything in it cannot be applied, nothing at all.
    /// - Throws: ``ConfigurationProblems`` listing every problem; the policies then run on unchanged.
    public func apply(_ settings: ResilienceSettings) throws(ConfigurationProblems) {
        try state.withLock { (state: inout (settings: ResilienceSettings, pipelines: [String: ConfiguredPipeline<C>])) throws(ConfigurationProblems) in
            var created: [String: ConfiguredPipeline<C>] = [:]
            var problems: [ConfigurationProblems.Problem] = []
            for name in settings.policies.keys.sorted() {
                let pipeline = state.pipelines[name] ?? ConfiguredPipeline(
                    name: name, killSwitch: killSwitch, telemetry: builder.telemetry(ofPipeline: name))
                if state.pipelines[name] == nil { created[name] = pipeline }
                problems += builder.problems(applying: settings.policies[name]!, to: pipeline)
            }
            guard problems.isEmpty else { throw ConfigurationProblems(problems) }
            state.pipelines.merge(created) { old, _ in old }
            for (name, pipeline) in state.pipelines {
                do throws(ConfigurationError) {
                    try builder.apply(settings.policies[name], operationTimeouts: settings.operationTimeouts, to: pipeline)
                } catch {
                    // Validation accepted the section, so its policy's own checks should too.
                    problems.append(.init(key: "resilience.policies.\(name).\(error.key)", message: error.prefixingKey(with: "resilience.policies.\(name)").description))
                }
            }
            state.settings = settings
            killSwitch.set(settings.isEnabled)
            guard problems.isEmpty else { throw ConfigurationProblems(problems) }
        }
    }

    // MARK: - Internals

    /// The active instance of `slot` in the pipeline of `name`.
    private func section<Policy>(_ name: String, _ slot: KeyPath<ConfiguredPipeline<C>, PolicySlot<Policy>>) -> Policy? {
        state.withLock { $0.pipelines[name]?[keyPath: slot].current }
    }

    static func noSuchPolicy(_ name: String, known: [String]) -> ConfigurationProblems {
        ConfigurationProblems([.init(
            key: "resilience.policies.\(name)",
            message: "resilience.policies.\(name): no such policy; "
                + (known.isEmpty ? "the configuration has none" : "policies: \(known.joined(separator: ", "))"))])
    }
}

extension ResiliencePolicies where C == ContinuousClock {
    /// Reads `files` and the environment (see ``ResilienceSettings/read(files:environment:profile:)``)
    /// and builds every policy on the continuous clock.
    /// - Throws: ``ConfigurationProblems`` listing every problem of the configuration.
    public convenience init(
        files: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        profile: ResilienceProfile? = nil,
        rateLimitKey: @escaping @Sendable (ResilienceContext) -> String = { $0.operationName },
        queueDepthGauges: [String: PressureGauge] = [:],
        classifier: FailureClassifier = .default,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        tracer: (any Tracer)? = nil
    ) throws(ConfigurationProblems) {
        try self.init(
            settings: ResilienceSettings.read(files: files, environment: environment, profile: profile),
            clock: ContinuousClock(), rateLimitKey: rateLimitKey, queueDepthGauges: queueDepthGauges,
            classifier: classifier, logger: logger, metricsFactory: metricsFactory, tracer: tracer)
    }
}
