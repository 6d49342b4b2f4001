import Logging
import Metrics

/// A token-bucket rate limiter: at most `permitsPerSecond` calls per second on average, with bursts of
/// up to `burst` after a quiet period.
///
/// ```swift
/// let limiter = RateLimiter(
///     name: "geocoder", configuration: RateLimiterConfiguration(permitsPerSecond: 10, maxWait: .milliseconds(500)))
/// do {
///     let place = try await limiter.execute { try await geocoder.lookup(address) }
/// } catch let error as ResilienceError where error.code == .rateLimited {
///     // no permit within 500 ms; error.retryAfter says exactly when one will be free
/// }
/// ```
///
/// The rules live in `TokenBucketStateMachine`: exact refill from the elapsed time (no timer task, no
/// drift with fractional rates), an exact `retryAfter` rounded up to the attosecond, waiters served in
/// arrival order, a call that would wait longer than `maxWait` rejected at once. A call can take several
/// permits (``execute(cost:_:)``, or ``RateLimitCost`` in the context's metadata): for example one per
/// LLM token, with `burst` the most one call may take.
///
/// **Waiting.** A call whose permits are reserved for a later instant sleeps on the limiter's clock
/// until then, then runs. If it is cancelled while sleeping, its reservation is returned at once (the
/// next caller can use the permits) and it throws `CancellationError`. In a pipeline, a call never waits
/// past its context's deadline: if its instant is later, it is rejected at once.
///
/// **Cost.** An admitted call reads the clock once and takes the lock once, for a few 128-bit additions;
/// no allocation. The operation runs on the caller's executor (`nonisolated(nonsending)`). Rate
/// limiting has no release: the permit is spent when the call is admitted, whatever the operation does.
public final class RateLimiter<C: Clock>: RateLimiting where C.Duration == Duration {
    /// The name used in errors, metrics labels and logs. Keep it low-cardinality.
    public var name: String { shell.name }
    /// The configuration the limiter runs with: the one it was created with, or the last one
    /// ``reconfigure(_:)`` applied.
    public var configuration: RateLimiterConfiguration { shell.read { machine, _ in machine.configuration } }

    @usableFromInline let shell: RateLimitShell<C, TokenBucketStateMachine>

    /// Creates a limiter with a full bucket.
    /// - Parameters:
    ///   - name: a low-cardinality name for errors, metrics and logs (e.g. `"geocoder"`).
    ///   - configuration: rate, burst and wait; validated here.
    ///   - clock: the clock the rate is measured and waits are slept on; `ContinuousClock` by default.
    ///   - logger: the limiter logs nothing per call; accepted for symmetry with the other policies.
    ///   - metricsFactory: where the metrics go (see `RateLimiterTelemetry`); by default the factory
    ///     `MetricsSystem` is bootstrapped with.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration written
    /// in code must be valid (see ``ConfigurationError``).
    public init(
        name: String,
        configuration: RateLimiterConfiguration,
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        let machine = ConfigurationError.required("RateLimiter \"\(name)\"") {
            () throws(ConfigurationError) in try TokenBucketStateMachine(configuration: configuration)
        }
        shell = RateLimitShell(
            name: name, machine: machine,
            maxWait: configuration.maxWait, clock: clock, logger: logger, metricsFactory: metricsFactory)
    }

    // MARK: - Taking permits

    /// Takes `cost` permits from the bucket: at once while it holds them and nobody waits, else reserved for the first instant the refill covers them within `maxWait`. See ``RateLimiting/acquire(cost:)``; `execute` comes from
    /// ``RateLimiting``.
    @inlinable @inline(__always)
    public nonisolated(nonsending) func acquire(cost: Int = 1) async throws {
        try await shell.take((), cost: cost)
    }

    /// ``acquire(cost:)`` for a call with `context`: never waiting past its deadline.
    @inlinable @inline(__always)
    public nonisolated(nonsending) func acquire(cost: Int, context: ResilienceContext) async throws {
        try await shell.take((), cost: cost, context: context)
    }

    // MARK: - Reading

    /// The permits in the bucket now, counting waiting calls' permits as taken (negative while calls
    /// wait). An approximation, for display.
    public var availablePermits: Double { shell.read { $0.availablePermits(now: $1) } }

    /// The number of calls waiting for their instant.
    public var waitingCount: Int { shell.read { $0.waitingCount(now: $1) } }

    /// Runs with `configuration` from now on, keeping what the bucket has given (a hot reload): the
    /// permits it lacks now, not counting the waiting calls', stay lacking (at most the new `burst`)
    /// and are added back at the new rate, so a drained bucket stays drained and a full one stays
    /// full; the conversion is rounded so that it never grants a permit more. Calls already waiting
    /// keep their instants (their permits were promised) and count against the bucket at the new rate.
    /// - Throws: ``ConfigurationError`` naming the invalid key; the limiter is then unchanged.
    public func reconfigure(_ configuration: RateLimiterConfiguration) throws(ConfigurationError) {
        let now = shell.reader.offsetNow
        try shell.machine.withLock { (machine: inout TokenBucketStateMachine) throws(ConfigurationError) in
            try machine.reconfigure(configuration, now: now)
            shell.setMaxWait(configuration.maxWait)
        }
    }
}

extension RateLimiter {
    /// Creates a token bucket of `permitsPerSecond`, holding up to `burst` (one second's worth by
    /// default), that never waits: `RateLimiter(name: "partner", permitsPerSecond: 100)` is
    /// `RateLimiter(name: "partner", configuration: RateLimiterConfiguration(permitsPerSecond: 100))`.
    ///
    /// An invalid rate stops the process with a message naming the key (see ``ConfigurationError``).
    public convenience init(
        name: String, permitsPerSecond: Double, burst: Double? = nil, clock: C = ContinuousClock(),
        logger: Logger? = nil, metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.init(
            name: name, configuration: RateLimiterConfiguration(permitsPerSecond: permitsPerSecond, burst: burst),
            clock: clock, logger: logger, metricsFactory: metricsFactory)
    }
}
