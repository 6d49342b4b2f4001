import Logging
import Metrics

/// Where a ``Retry`` policy's budget comes from.
public enum RetryBudgetChoice<C: Clock>: Sendable where C.Duration == Duration {
    /// A budget of its own, from the configuration's `budgetRatio`, `budgetMinPerSecond` and
    /// `budgetWindow`.
    case own
    /// A budget shared with other policies calling the same downstream.
    case shared(RetryBudget<C>)
    /// No budget: every retry the predicate and `maxAttempts` allow is made.
    case unlimited
}

/// What a ``Retry`` policy tells its hook before each retry.
public struct RetryEvent: Sendable {
    /// The attempt about to run: 2 for the first retry.
    public var attempt: Int
    /// The retry about to run: 1 for the first retry.
    public var retry: Int
    /// How long the policy waits before it.
    public var delay: Duration
    /// The error that caused the retry, or `nil` when a returned value did.
    public var error: (any Error)?
}

/// Runs an operation again when it fails, with backoff, jitter, server hints, a retry budget and
/// deadlines.
///
/// ```swift
/// let retry = Retry(name: "llm", configuration: RetryConfiguration(maxAttempts: 4))
/// let answer = try await retry.execute { try await llm.complete(prompt) }
/// ```
///
/// Rules:
/// - `maxAttempts` counts every execution, the first included. The context passed to the operation
///   carries the attempt number (1, 2, ...).
/// - What is retried is decided by the ``RetryPredicate``. Cancellation is never retried, and stops
///   the policy at once, also in the middle of a delay (the call then throws `CancellationError`).
/// - The delay before retry n comes from `RetrySchedule` (backoff, jitter, `maxDelay`), or from a
///   server hint. It is waited on the policy's clock.
/// - No retry starts when the context's deadline would be reached before the delay has elapsed, or
///   when the budget denies it. A deadline on another clock than the policy's is a programming error
///   and is thrown (``ResilienceContext/DeadlineClockMismatch``) rather than ignored.
/// - A call whose ``RetryPermission`` is revoked (a non-idempotent request, an attempt that already
///   answered its own client) is not retried.
/// - When the policy stops retrying, the caller gets the last outcome itself, the real error or the
///   real value, never a wrapper. Telemetry records why it stopped.
///
/// Cost: a first attempt that succeeds takes no lock, reads no clock, computes no delay and
/// allocates nothing; with a budget, it is counted with one atomic increment. Put the retry outside
/// a circuit breaker (see ``RetryWithCircuitBreaker``) so that a breaker rejection ends the retries.
public final class Retry<C: Clock>: ResiliencePolicy where C.Duration == Duration {
    /// The name used in metrics labels and logs. Keep it low-cardinality.
    public let name: String
    /// Decides what is retried.
    public let predicate: RetryPredicate
    /// The budget this policy draws its retries from, if any.
    public let budget: RetryBudget<C>?
    /// Whether ``budget`` is the policy's own (``RetryBudgetChoice/own``), which its configuration sets.
    let ownsBudget: Bool

    /// The validated configuration, read once per call that needs a retry; changed by
    /// ``reconfigure(_:)``.
    let settings: Locked<ValidatedRetryConfiguration>
    let clock: C
    let random: Locked<any RandomNumberGenerator & Sendable>
    let onRetry: (@Sendable (RetryEvent) -> Void)?
    let telemetry: RetryTelemetry

    /// Creates a retry policy.
    /// - Parameters:
    ///   - name: a low-cardinality name for metrics and logs.
    ///   - configuration: attempts, backoff and budget; validated here.
    ///   - predicate: what to retry.
    ///   - budget: a budget of its own (default), a shared one, or none.
    ///   - clock: the clock delays are waited on, and deadlines and the budget read.
    ///   - random: the random source of the jitter; inject a seeded one for exact delays in tests.
    ///   - logger: receives a `debug` line per retry and a `notice` when the budget denies one.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    ///   - onRetry: called before each retry's delay.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration written
    /// in code must be valid (see ``ConfigurationError``).
    public init(
        name: String,
        configuration: RetryConfiguration = RetryConfiguration(),
        predicate: RetryPredicate = .default,
        budget: RetryBudgetChoice<C> = .own,
        clock: C,
        random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        onRetry: (@Sendable (RetryEvent) -> Void)? = nil
    ) {
        let settings = ConfigurationError.required("Retry \"\(name)\"") {
            () throws(ConfigurationError) in try ValidatedRetryConfiguration(configuration)
        }
        self.name = name
        self.predicate = predicate
        self.settings = Locked(settings)
        self.clock = clock
        self.random = Locked(random)
        self.onRetry = onRetry
        let sinks = TelemetrySinks(logger: logger, metricsFactory: metricsFactory)
        switch budget {
        case .own: self.budget = RetryBudget(name: name, limits: settings.budget, clock: clock, sinks: sinks)
        case .shared(let shared): self.budget = shared
        case .unlimited: self.budget = nil
        }
        if case .own = budget { ownsBudget = true } else { ownsBudget = false }
        self.telemetry = RetryTelemetry(policyName: name, sinks: sinks)
    }

    /// Runs `operation`, retrying it as configured. The operation receives `context` with the attempt
    /// number set (1, 2, ...).
    /// - Returns: the value of the first attempt the predicate does not retry, or the last one.
    /// - Throws: the error of the first attempt the predicate does not retry, or of the last one;
    ///   `CancellationError` when the task is cancelled while waiting.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        guard context.attempt == 1 else {
            var first = context
            first.attempt = 1
            return try await execute(context: first, operation)
        }
        return try await firstAttempt({ try await operation(context) }, retryContext: { context }, operation)
    }

    /// Runs `operation`, retrying it as configured: see ``execute(context:_:)``. Without a context, the
    /// first attempt costs least: a context is only made if a retry is needed.
    @inlinable @inline(__always)
    public nonisolated(nonsending) func execute<Value>(
        _ operation: nonisolated(nonsending) () async throws -> Value
    ) async throws -> Value {
        try await firstAttempt(operation, retryContext: { ResilienceContext() }) { _ in try await operation() }
    }

    /// The configuration the policy runs with: the one it was created with, or the last one
    /// ``reconfigure(_:)`` applied.
    public var configuration: RetryConfiguration { settings.withLock { $0.raw } }

    /// Runs with `configuration` from the next call that needs a retry on (a call already retrying
    /// finishes with the schedule it started with). A budget of the policy's own (``RetryBudgetChoice/own``)
    /// takes the new `budgetRatio`, `budgetMinPerSecond` and `budgetWindow`, keeping the first attempts
    /// and retries it counted; a shared budget belongs to every policy that shares it and is changed
    /// only with its own ``RetryBudget/reconfigure(ratio:minPerSecond:window:)``.
    /// - Throws: ``ConfigurationError`` naming the invalid key; the policy is then unchanged.
    public func reconfigure(_ configuration: RetryConfiguration) throws(ConfigurationError) {
        let validated = try ValidatedRetryConfiguration(configuration)
        settings.withLock { $0 = validated }
        if ownsBudget { budget?.reconfigure(validated.budget) }
    }

    /// Runs the first attempt with `first`; enters the retry loop, with the context `retryContext`
    /// gives, only when its outcome may need a retry. The context is asked for only then, so a first
    /// attempt that succeeds neither makes nor destroys one.
    @inlinable @inline(__always)
    nonisolated(nonsending) func firstAttempt<Value>(
        _ first: nonisolated(nonsending) () async throws -> Value,
        retryContext: () -> ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        let resultsMayRetry = predicate.resultDecision != nil
        budget?.recordFirstAttempt()
        let value: Value
        do {
            value = try await first()
        } catch {
            ResilienceSpan.attemptEnded(policy: name, attempt: 1, outcome: ResilienceSpan.outcome(of: error))
            return try await retry(after: .failure(error), context: retryContext(), operation)
        }
        ResilienceSpan.attemptEnded(policy: name, attempt: 1, outcome: "success")
        if !resultsMayRetry { return value }
        return try await retry(after: .success(value), context: retryContext(), operation)
    }

    /// The retry loop, entered after the first attempt when its outcome may need a retry.
    @usableFromInline
    nonisolated(nonsending) func retry<Value>(
        after firstOutcome: Result<Value, any Error>,
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        var outcome = firstOutcome
        var context = context
        let settings = self.settings.withLock { $0 }
        var schedule = RetrySchedule(validated: settings)
        while true {
            let decision = switch outcome {
            case .success(let value): predicate.decision(for: value)
            case .failure(let error): predicate.decision(for: error)
            }
            let hint: Duration?
            switch decision {
            case .doNotRetry: return try outcome.get()
            case .retry: hint = nil
            case .retryAfter(let after): hint = after
            }
            guard context.mayRunAgain else { return try outcome.get() }  // its RetryPermission was revoked
            guard context.attempt < settings.raw.maxAttempts else {
                telemetry.gaveUp(.attemptsExhausted, attempts: context.attempt)
                return try outcome.get()
            }
            try Task.checkCancellation()
            let delay = random.withLock { random in schedule.next(hint: hint, using: &random) }.delay
            if let deadline = try context.deadline(on: clock), clock.now.advanced(by: delay) >= deadline {
                telemetry.gaveUp(.deadline, attempts: context.attempt)
                return try outcome.get()
            }
            if let budget, !budget.tryRetry() {
                telemetry.gaveUp(.budgetExhausted, attempts: context.attempt)
                return try outcome.get()
            }
            let event = RetryEvent(
                attempt: context.attempt + 1, retry: context.attempt, delay: delay,
                error: { if case .failure(let error) = outcome { error } else { nil } }())
            telemetry.retrying(event)
            onRetry?(event)
            try await clock.sleep(for: delay)
            context.attempt += 1
            do {
                outcome = .success(try await operation(context))
                ResilienceSpan.attemptEnded(policy: name, attempt: context.attempt, outcome: "success")
            } catch {
                outcome = .failure(error)
                ResilienceSpan.attemptEnded(
                    policy: name, attempt: context.attempt, outcome: ResilienceSpan.outcome(of: error))
            }
        }
    }
}

// Every other policy defaults its `clock` parameter to `ContinuousClock()`. Here the budget's type also
// names the clock type, so Swift cannot infer the clock from a default argument: a separate initializer.
extension Retry where C == ContinuousClock {
    /// Creates a retry policy on the continuous clock; see
    /// ``init(name:configuration:predicate:budget:clock:random:logger:metricsFactory:onRetry:)``.
    public convenience init(
        name: String,
        configuration: RetryConfiguration = RetryConfiguration(),
        predicate: RetryPredicate = .default,
        budget: RetryBudgetChoice<ContinuousClock> = .own,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        onRetry: (@Sendable (RetryEvent) -> Void)? = nil
    ) {
        self.init(
            name: name, configuration: configuration, predicate: predicate, budget: budget,
            clock: ContinuousClock(), logger: logger, metricsFactory: metricsFactory, onRetry: onRetry)
    }

    /// Creates a retry of at most `maxAttempts` attempts (the first included), with the other settings
    /// of ``RetryConfiguration``'s defaults: `Retry(name: "llm", maxAttempts: 4)` is
    /// `Retry(name: "llm", configuration: RetryConfiguration(maxAttempts: 4))`.
    ///
    /// An invalid `maxAttempts` stops the process with a message naming it (see ``ConfigurationError``).
    public convenience init(
        name: String, maxAttempts: Int, budget: RetryBudgetChoice<ContinuousClock> = .own, logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.init(
            name: name, configuration: RetryConfiguration(maxAttempts: maxAttempts), budget: budget, logger: logger,
            metricsFactory: metricsFactory)
    }
}
