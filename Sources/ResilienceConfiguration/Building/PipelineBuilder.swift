import Logging
import Metrics
import Resilience
import ResilienceChaos
import Tracing

/// Builds and reconfigures the sections of ``ConfiguredPipeline``s: what every instance of one
/// ``ResiliencePolicies`` shares (clock, logger, metrics, the rate limiter's key, the queue-depth
/// gauges) and the operation types' timeouts.
struct PipelineBuilder<C: Clock>: Sendable where C.Duration == Duration {
    typealias Problem = ConfigurationProblems.Problem

    let clock: C
    let logger: Logger?
    let metricsFactory: (any MetricsFactory)?
    let tracer: (any Tracer)?
    let rateLimitKey: @Sendable (ResilienceContext) -> String
    let queueDepthGauges: [String: PressureGauge]
    /// What counts as the dependency's failure, for the breakers, retries, concurrency limiters and
    /// hedging.
    let classifier: FailureClassifier

    /// What the pipeline of the policy `name` records per call: its duration and its span; `nil` when
    /// there is no metrics backend and no tracer.
    func telemetry(ofPipeline name: String) -> PipelineTelemetry? {
        let telemetry = PipelineTelemetry(
            name: name, clock: clock, sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory), tracer: tracer)
        return telemetry.isActive ? telemetry : nil
    }

    /// What applying `policy` to `pipeline` would refuse, found before anything changes, so that a
    /// reload is applied whole or not at all: a load shedder's queue-depth thresholds need a gauge,
    /// and an existing load shedder cannot gain or lose them (its gauges are fixed at creation).
    func problems(applying policy: PolicyConfiguration, to pipeline: ConfiguredPipeline<C>) -> [Problem] {
        var problems: [Problem] = []
        // These policies cannot reconfigure in place yet: a reload may add or remove them, not change them.
        func fixed<Configuration: Equatable>(_ section: String, _ new: Configuration?, _ current: Configuration?) {
            guard let new, let current, new != current else { return }
            let key = "resilience.policies.\(pipeline.name).\(section)"
            problems.append(Problem(key: key, message: "\(key): cannot be changed by a reload yet (only added or removed); restart the service to change it"))
        }
        fixed("cascade", policy.cascade, pipeline.cascade.existing?.configuration)
        fixed("hedging", policy.hedging, pipeline.hedging.existing?.configuration)
        fixed("adaptiveTimeout", policy.adaptiveTimeout, pipeline.adaptiveTimeoutConfiguration)
        return problems + loadShedderProblems(applying: policy, to: pipeline)
    }

    private func loadShedderProblems(applying policy: PolicyConfiguration, to pipeline: ConfiguredPipeline<C>) -> [Problem] {
        guard let shedder = policy.loadShedder else { return [] }
        let key = "resilience.policies.\(pipeline.name).loadShedder.queueDepth"
        let hasGauge = queueDepthGauges[pipeline.name] != nil
        if shedder.queueDepth != nil && !hasGauge {
            return [Problem(key: key, message: "\(key): thresholds need the service's queue depth: pass a PressureGauge for \"\(pipeline.name)\" in queueDepthGauges")]
        }
        if let existing = pipeline.loadShedder.existing, (existing.configuration.queueDepth == nil) != (shedder.queueDepth == nil) {
            return [Problem(key: key, message: "\(key): cannot be \(shedder.queueDepth == nil ? "removed" : "added") by a reload (the load shedder's signals are fixed when it is created); restart the service to change it")]
        }
        return []
    }

    /// Makes `pipeline` run `policy` (`nil`: a policy the configuration no longer has, which passes
    /// every call through): each section given is created or reconfigured and activated, each other
    /// one deactivated. Call after ``problems(applying:to:)`` found none, under the owner's lock.
    /// - Throws: `ConfigurationError` naming the section's key, which validation should have caught.
    func apply(
        _ policy: PolicyConfiguration?, operationTimeouts: [String: Duration], to pipeline: ConfiguredPipeline<C>
    ) throws(ConfigurationError) {
        let name = pipeline.name
        let sinks = (logger: logger, metrics: metricsFactory)
        try place(policy?.loadShedder, in: pipeline.loadShedder, section: "loadShedder") { configuration throws(ConfigurationError) in
            LoadShedder(
                name: name, configuration: configuration, queueDepth: configuration.queueDepth == nil ? nil : queueDepthGauges[name],
                clock: clock, logger: sinks.logger, metricsFactory: sinks.metrics)
        } reconfigure: { shedder, configuration throws(ConfigurationError) in try shedder.reconfigure(configuration) }
        try place(policy?.cascade, in: pipeline.cascade, section: "cascade") { configuration throws(ConfigurationError) in
            CascadePreventor(name: name, configuration: configuration, clock: clock, logger: sinks.logger, metricsFactory: sinks.metrics)
        } reconfigure: { _, _ throws(ConfigurationError) in }  // unchanged: problems(applying:to:) refuses a change
        try place(policy?.retry, in: pipeline.retry, section: "retry") { configuration throws(ConfigurationError) in
            Retry(
                name: name, configuration: configuration, predicate: RetryPredicate(classifier: classifier), clock: clock,
                logger: sinks.logger, metricsFactory: sinks.metrics)
        } reconfigure: { retry, configuration throws(ConfigurationError) in try retry.reconfigure(configuration) }
        try place(policy?.hedging, in: pipeline.hedging, section: "hedging") { configuration throws(ConfigurationError) in
            // Extra attempts draw from the policy's retry budget, when it has a retry.
            Hedging(
                name: name, configuration: configuration, classifier: classifier, budget: pipeline.retry.current?.budget, clock: clock,
                logger: sinks.logger, metricsFactory: sinks.metrics)
        } reconfigure: { _, _ throws(ConfigurationError) in }
        try place(policy?.circuitBreaker, in: pipeline.circuitBreaker, section: "circuitBreaker") { configuration throws(ConfigurationError) in
            CircuitBreaker(
                name: name, configuration: configuration, classifier: classifier, clock: clock, logger: sinks.logger,
                metricsFactory: sinks.metrics)
        } reconfigure: { breaker, configuration throws(ConfigurationError) in try breaker.reconfigure(configuration) }
        try place(policy?.rateLimiter, in: pipeline.rateLimiter, section: "rateLimiter") { configuration throws(ConfigurationError) in
            KeyedRateLimiter(
                name: name, configuration: configuration, key: rateLimitKey, clock: clock, logger: sinks.logger,
                metricsFactory: sinks.metrics)
        } reconfigure: { limiter, configuration throws(ConfigurationError) in try limiter.reconfigure(configuration) }
        try place(policy?.concurrencyLimit, in: pipeline.concurrencyLimit, section: "concurrencyLimit") { configuration throws(ConfigurationError) in
            ConcurrencyLimiter(
                name: name, configuration: configuration, classifier: classifier, clock: clock, logger: sinks.logger,
                metricsFactory: sinks.metrics)
        } reconfigure: { limiter, configuration throws(ConfigurationError) in try limiter.reconfigure(configuration) }
        func table(_ configuration: TimeoutConfiguration) -> TimeoutTable {
            TimeoutTable(default: configuration.duration, byOperationType: operationTimeouts)
        }
        try place(policy?.timeout, in: pipeline.timeout, section: "timeout") { configuration throws(ConfigurationError) in
            Timeout(
                name: name, table: table(configuration), mode: configuration.mode, enforcement: configuration.enforcement,
                clock: clock, logger: sinks.logger, metricsFactory: sinks.metrics)
        } reconfigure: { timeout, configuration throws(ConfigurationError) in
            try timeout.reconfigure(table(configuration), mode: configuration.mode, enforcement: configuration.enforcement)
        }
        try place(policy?.adaptiveTimeout, in: pipeline.adaptiveTimeout, section: "adaptiveTimeout") { configuration throws(ConfigurationError) in
            let adaptive = AdaptiveTimeout(name: name, configuration: configuration, metricsFactory: sinks.metrics)
            return Timeout(name: name, adaptive: adaptive, clock: clock, logger: sinks.logger, metricsFactory: sinks.metrics)
        } reconfigure: { _, _ throws(ConfigurationError) in }
        try place(policy?.bulkhead, in: pipeline.bulkhead, section: "bulkhead") { configuration throws(ConfigurationError) in
            Bulkhead(name: name, configuration: configuration, clock: clock, logger: sinks.logger, metricsFactory: sinks.metrics)
        } reconfigure: { bulkhead, configuration throws(ConfigurationError) in try bulkhead.reconfigure(configuration) }
        // A reload that drops the section turns its switch off, so that strategies built in code with
        // that switch stop injecting too.
        if policy?.chaos == nil { pipeline.chaos.existing?.enabled.set(false) }
        try place(policy?.chaos, in: pipeline.chaos, section: "chaos") { configuration throws(ConfigurationError) in
            ChaosInjection(name: name, configuration: configuration, clock: clock, logger: sinks.logger, metricsFactory: sinks.metrics)
        } reconfigure: { chaos, configuration throws(ConfigurationError) in try chaos.reconfigure(configuration) }
    }

    /// Creates, reconfigures and activates the slot's instance for `configuration`, or deactivates it.
    private func place<Policy, Configuration>(
        _ configuration: Configuration?, in slot: PolicySlot<Policy>, section: String,
        make: (Configuration) throws(ConfigurationError) -> Policy,
        reconfigure: (Policy, Configuration) throws(ConfigurationError) -> Void
    ) throws(ConfigurationError) {
        guard let configuration else { return slot.deactivate() }
        do {
            if let existing = slot.existing {
                try reconfigure(existing, configuration)
            } else {
                slot.install(try make(configuration))
            }
        } catch {
            throw error.prefixingKey(with: section)
        }
        slot.activate()
    }
}
