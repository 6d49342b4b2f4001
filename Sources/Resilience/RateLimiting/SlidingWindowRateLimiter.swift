import Logging
import Metrics

/// A sliding-window rate limiter: at most `limit` permits in any window of length `window`, exactly, for
/// APIs that publish their quota that way ("100 requests per minute").
///
/// ```swift
/// let limiter = SlidingWindowRateLimiter(
///     name: "partner-api", configuration: SlidingWindowRateLimiterConfiguration(limit: 100, window: .seconds(60)))
/// let reply = try await limiter.execute { try await partner.call(request) }
/// ```
///
/// The rules live in `SlidingWindowRateLimiterStateMachine`: no window of length `window` ever holds
/// more than `limit` permits (not 2 × `limit` around a boundary as with a fixed window), `retryAfter` is
/// exact (the instant the oldest permits in the way leave the window), waiters are served in arrival
/// order, and a call that would wait longer than `maxWait` is rejected at once. Memory is O(`limit`):
/// see the state machine.
///
/// Waiting, cancellation, deadlines, costs and telemetry are as in ``RateLimiter``. An admitted call
/// reads the clock once and takes the lock once; no allocation once the window's deque has grown.
public final class SlidingWindowRateLimiter<C: Clock>: RateLimiting where C.Duration == Duration {
    /// The validated configuration: `limit` permits in any `window`, and the longest wait.
    public let configuration: SlidingWindowRateLimiterConfiguration
    /// The shell around the window, shared with the other rate limiters.
    @usableFromInline let shell: RateLimitShell<C, SlidingWindowRateLimiterStateMachine>

    /// The name used in errors, metrics labels and logs. Keep it low-cardinality.
    public var name: String { shell.name }

    /// Creates a limiter with an empty window.
    /// - Parameters:
    ///   - name: a low-cardinality name for errors, metrics and logs.
    ///   - configuration: limit, window and wait; validated here.
    ///   - clock: the clock the window is measured and waits are slept on; `ContinuousClock` by default.
    ///   - logger: the limiter logs nothing per call; accepted for symmetry with the other policies.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    ///
    /// An invalid configuration stops the process with a message naming the key: a configuration written
    /// in code must be valid (see ``ConfigurationError``).
    public init(
        name: String,
        configuration: SlidingWindowRateLimiterConfiguration,
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        let machine = ConfigurationError.required("SlidingWindowRateLimiter \"\(name)\"") {
            () throws(ConfigurationError) in try SlidingWindowRateLimiterStateMachine(configuration: configuration)
        }
        self.configuration = configuration
        shell = RateLimitShell(
            name: name, machine: machine,
            maxWait: configuration.maxWait, clock: clock, logger: logger, metricsFactory: metricsFactory)
    }

    // MARK: - Taking permits

    /// Takes `cost` permits from the window: at once while the last `window` took at most `limit` − `cost`, else reserved for the instant enough of the oldest permits leave it, within `maxWait`. See ``RateLimiting/acquire(cost:)``; `execute` comes from
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

    /// The permits a call could take now without waiting.
    public var availablePermits: Int { shell.read { $0.availablePermits(now: $1) } }
}
