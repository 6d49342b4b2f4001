import Logging
import Metrics

/// A sliding-window rate limiter: at most `limit` permits in any window of length `window`, exactly, for
/// APIs that publish their quota that way ("100 requests per minute").
///
/// ```swift
/// let limiter = try SlidingWindowRateLimiter(
///     name: "partner-api", configuration: SlidingWindowRateLimiterConfiguration(limit: 100, window: .seconds(60)))
/// let reply = try await limiter.execute { try await partner.call(request) }
/// ```
///
/// The rules live in ``SlidingWindowRateLimiterStateMachine``: no window of length `window` ever holds
/// more than `limit` permits (not 2 × `limit` around a boundary as with a fixed window), `retryAfter` is
/// exact (the instant the oldest permits in the way leave the window), waiters are served in arrival
/// order, and a call that would wait longer than `maxWait` is rejected at once. Memory is O(`limit`):
/// see the state machine.
///
/// Waiting, cancellation, deadlines, costs and telemetry are as in ``RateLimiter``. An admitted call
/// reads the clock once and takes the lock once; no allocation once the window's deque has grown.
public final class SlidingWindowRateLimiter<C: Clock>: ResiliencePolicy where C.Duration == Duration {
    /// The name used in errors, metrics labels and logs. Keep it low-cardinality.
    public var name: String { shell.name }
    /// The validated configuration.
    public let configuration: SlidingWindowRateLimiterConfiguration

    @usableFromInline let shell: RateLimitShell<C, SlidingWindowRateLimiterStateMachine>

    /// Creates a limiter with an empty window.
    /// - Parameters:
    ///   - name: a low-cardinality name for errors, metrics and logs.
    ///   - configuration: limit, window and wait; validated here.
    ///   - clock: the clock the window is measured and waits are slept on; `ContinuousClock` by default.
    ///   - logger: the limiter logs nothing per call; accepted for symmetry with the other policies.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    /// - Throws: ``ConfigurationError`` naming the invalid key.
    public init(
        name: String,
        configuration: SlidingWindowRateLimiterConfiguration,
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) throws(ConfigurationError) {
        self.configuration = configuration
        shell = RateLimitShell(
            name: name, machine: try SlidingWindowRateLimiterStateMachine(configuration: configuration),
            maxWait: configuration.maxWait, clock: clock,
            telemetry: RateLimiterTelemetry(policyName: name, sinks: TelemetrySinks(logger: logger, metricsFactory: metricsFactory)))
    }

    // MARK: - Executing

    /// Runs `operation` once `cost` permits are taken (at once, or after waiting up to `maxWait`).
    /// - Throws: ``ResilienceError`` with code ``ResilienceError/Code/rateLimited`` and the exact
    ///   `retryAfter` when the permits are not available within `maxWait`; `CancellationError` when
    ///   cancelled while waiting (the permits are returned); ``RateLimitCostError`` when `cost` is
    ///   outside 1...`limit`; otherwise what `operation` threw.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        cost: Int = 1,
        _ operation: nonisolated(nonsending) () async throws -> Value
    ) async throws -> Value {
        if let pending = try shell.admit((), cost: cost) { try await shell.settle(pending, key: ()) }
        return try await operation()
    }

    /// Runs `operation`, with `context`, once its permits are taken (``RateLimitCost`` from the
    /// metadata, 1 when absent), never waiting past the context's deadline. See ``execute(cost:_:)``.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        if let pending = try shell.admit((), cost: context.rateLimitCost, context: context) {
            try await shell.settle(pending, key: ())
        }
        return try await operation(context)
    }

    /// Takes `cost` permits, waiting up to `maxWait`, without running anything. Throws as
    /// ``execute(cost:_:)``.
    @inlinable
    public nonisolated(nonsending) func acquire(cost: Int = 1) async throws {
        if let pending = try shell.admit((), cost: cost) { try await shell.settle(pending, key: ()) }
    }

    // MARK: - Reading

    /// The permits a call could take now without waiting.
    public var availablePermits: Int { shell.read { $0.availablePermits(now: $1) } }
}
