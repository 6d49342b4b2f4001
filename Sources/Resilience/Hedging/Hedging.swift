import Logging
import Metrics

/// Starts extra attempts of a slow operation and takes the first acceptable outcome.
///
/// ```swift
/// let hedging = Hedging(name: "search", configuration: HedgingConfiguration(hedgingDelay: .milliseconds(300)))
/// let results = try await hedging.execute { _ in try await search.query(text) }
/// ```
///
/// Rules:
/// - The first attempt starts at once. When no attempt has given an acceptable outcome for
///   `hedgingDelay`, the next one starts, up to `maxHedgedAttempts` extra attempts in total. An
///   attempt that ends unacceptably also starts the next one at once (as in Polly), and restarts the
///   wait for the one after it.
/// - An outcome is acceptable unless the ``FailureClassifier`` counts it as a failure: a value, or an
///   error that is not the dependency's fault (such as "not found"), is an answer and wins. The
///   first acceptable outcome is returned and every other attempt is cancelled. When every attempt
///   ends unacceptably, the caller gets the outcome of the last to end.
/// - No extra attempt starts for a call whose ``RetryPermission`` is revoked (a request that must not
///   be sent twice); the attempts already running go on.
/// - Every extra attempt must be allowed by the retry budget (hedges are retries made early: they
///   load the dependency the same way); a denied hedge is not started, and no later one either.
/// - Each execution finds its number under ``HedgedAttemptKey`` in the context's metadata.
///
/// Hedging runs the operation several times at once, so, unlike the policies of a
/// ``ResiliencePipeline``, it needs a `@Sendable` operation and a `Sendable` value: it is not a
/// ``ResiliencePolicy``. Put it outside a pipeline, or call a pipeline inside its operation.
///
/// The attempts run in child tasks that the call awaits: when it returns, the losers have stopped.
/// A loser that ignores cancellation delays the return until it ends.
public final class Hedging<C: Clock>: Sendable where C.Duration == Duration {
    /// The name used in metrics labels and logs. Keep it low-cardinality.
    public let name: String
    /// The validated configuration.
    public let configuration: HedgingConfiguration
    /// The budget every extra attempt is drawn from, if any.
    public let budget: RetryBudget<C>?

    let classifier: FailureClassifier
    let delay: HedgingDelay
    let clock: C
    let telemetry: HedgingTelemetry

    /// Creates a hedging policy.
    /// - Parameters:
    ///   - name: a low-cardinality name for metrics and logs.
    ///   - configuration: the delay and the number of extra attempts; validated here.
    ///   - delay: a per-call delay replacing the configuration's `hedgingDelay`, for example a latency
    ///     percentile.
    ///   - classifier: what counts as an unacceptable outcome.
    ///   - budget: the retry budget extra attempts are drawn from (shared with the retries to the same
    ///     dependency, ideally), or none.
    ///   - clock: the clock the delay is waited on.
    ///   - logger: receives a `debug` line per hedge.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration written
    /// in code must be valid (see ``ConfigurationError``).
    public init(
        name: String,
        configuration: HedgingConfiguration = HedgingConfiguration(),
        delay: HedgingDelay? = nil,
        classifier: FailureClassifier = .default,
        budget: RetryBudget<C>?,
        clock: C,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        ConfigurationError.required("Hedging \"\(name)\"") { () throws(ConfigurationError) in try configuration.validate() }
        self.name = name
        self.configuration = configuration
        self.delay = delay ?? .fixed(configuration.hedgingDelay)
        self.classifier = classifier
        self.budget = budget
        self.clock = clock
        self.telemetry = HedgingTelemetry(
            policyName: name,
            sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory))
    }

    /// Runs `operation`, hedged as configured.
    /// - Returns: the first acceptable value.
    /// - Throws: the first acceptable error (one the classifier does not count as a failure, or
    ///   `CancellationError` when the caller is cancelled), or the last unacceptable one.
    public func execute<Value: Sendable>(
        context: ResilienceContext = ResilienceContext(),
        _ operation: @Sendable (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        let delay = delay.duration(for: context)
        budget?.recordFirstAttempt()
        return try await withoutActuallyEscaping(operation) { operation in
            try await withThrowingTaskGroup(of: HedgeEvent<Value>.self) { group in
                var run = HedgeRun(maximum: 1 + configuration.maxHedgedAttempts)
                /// Whether another attempt may start: the configuration's maximum, and the call's
                /// `RetryPermission` (revoked: no further attempt).
                func mayHedge() -> Bool { run.mayHedge && context.mayRunAgain }
                func launch(afterFailure: Bool) {
                    run.started += 1
                    run.running += 1
                    let attempt = run.started
                    if attempt > 1 { telemetry.hedgeStarted(attempt: attempt, afterFailure: afterFailure) }
                    var attemptContext = context
                    attemptContext.metadata[HedgedAttemptKey.self] = attempt
                    let finalContext = attemptContext
                    group.addTask {
                        do {
                            return .finished(attempt: attempt, .success(try await operation(finalContext)))
                        } catch {
                            return .finished(attempt: attempt, .failure(error))
                        }
                    }
                    guard mayHedge() else { return }
                    run.timerGeneration += 1
                    let generation = run.timerGeneration
                    group.addTask { [clock] in
                        do {
                            try await clock.sleep(for: delay)
                            return .delayElapsed(generation: generation)
                        } catch {
                            return .timerStopped
                        }
                    }
                }
                /// Whether the budget allows the next hedge; a refusal ends hedging for this call.
                func budgetAllowsHedge() -> Bool {
                    guard let budget, !budget.tryRetry() else { return true }
                    telemetry.hedgeDenied(attempt: run.started + 1)
                    run.budgetDenied = true
                    return false
                }

                launch(afterFailure: false)
                var last: Result<Value, any Error>?
                while let event = try await group.next() {
                    switch event {
                    case .finished(let attempt, let result):
                        run.running -= 1
                        if isAcceptable(result) {
                            telemetry.won(attempt: attempt)
                            group.cancelAll()
                            return try result.get()
                        }
                        last = result
                        if mayHedge(), budgetAllowsHedge() {
                            launch(afterFailure: true)
                        } else if run.running == 0 {
                            group.cancelAll()
                            return try result.get()
                        }
                    case .delayElapsed(let generation):
                        if generation == run.timerGeneration, mayHedge(), budgetAllowsHedge() {
                            launch(afterFailure: false)
                        }
                    case .timerStopped:
                        continue
                    }
                }
                preconditionFailure("a hedging task group ended without an outcome (last: \(String(describing: last)))")
            }
        }
    }

    /// Whether `result` ends the call: anything the classifier does not count as a failure.
    func isAcceptable<Value>(_ result: Result<Value, any Error>) -> Bool {
        switch result {
        case .success(let value): classifier.classify(result: value) != .failure
        case .failure(let error): classifier.classify(error: error) != .failure
        }
    }
}

// Every other policy defaults its `clock` parameter to `ContinuousClock()`. Here the budget's type also
// names the clock type, so Swift cannot infer the clock from a default argument: a separate initializer.
extension Hedging where C == ContinuousClock {
    /// Creates a hedging policy on the continuous clock; see
    /// ``init(name:configuration:delay:classifier:budget:clock:logger:metricsFactory:)``.
    public convenience init(
        name: String,
        configuration: HedgingConfiguration = HedgingConfiguration(),
        delay: HedgingDelay? = nil,
        classifier: FailureClassifier = .default,
        budget: RetryBudget<ContinuousClock>?,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.init(
            name: name, configuration: configuration, delay: delay, classifier: classifier, budget: budget,
            clock: ContinuousClock(), logger: logger, metricsFactory: metricsFactory)
    }
}

/// What happened in a hedged call's task group.
enum HedgeEvent<Value: Sendable>: Sendable {
    case finished(attempt: Int, Result<Value, any Error>)
    case delayElapsed(generation: Int)
    case timerStopped
}

/// The bookkeeping of one hedged call.
struct HedgeRun {
    /// Executions allowed in total, the first included.
    let maximum: Int
    var started = 0
    var running = 0
    var timerGeneration = 0
    var budgetDenied = false

    /// Whether another execution may still start.
    var mayHedge: Bool { started < maximum && !budgetDenied }
}
