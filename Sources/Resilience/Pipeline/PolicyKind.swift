/// A kind of policy, by the name configuration files give its section (`POLICY.json`:
/// `"circuitBreaker"`, `"retry"`, ...), with the library's recommended pipeline order.
///
/// The order is data rather than prose so that everything that composes policies follows the same
/// one: `resilience-lab` runs its simulated calls through exactly ``recommendedOrder``.
public enum PolicyKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case fallback
    case loadShedder
    case cascade
    case hedging
    case retry
    case circuitBreaker
    case rateLimiter
    case concurrencyLimit
    case timeout
    case adaptiveTimeout
    case bulkhead
    /// Chaos injection (the `ResilienceChaos` module): faults and latency that stand in for the
    /// dependency's, innermost.
    case chaos

    /// The recommended order of a pipeline, outermost first, the operation being innermost:
    /// **fallback ▸ load shedder ▸ cascade ▸ hedging ▸ retry ▸ circuit breaker ▸ rate limiter ▸
    /// concurrency limit ▸ timeout (or adaptive timeout) ▸ bulkhead ▸ chaos**.
    ///
    /// - The fallback sees the final outcome, after every retry.
    /// - Shed work costs nothing: the load shedder decides once per call, before any retry; so does
    ///   the cascade preventor, which rejects low-priority calls while the dependency is failing.
    /// - Hedging races whole calls (each hedged attempt retried and guarded like the first).
    /// - Rejections by inner policies are not retried by default, so a breaker's rejection ends the
    ///   retry loop instead of hammering; the breaker counts every attempt.
    /// - An open breaker takes no rate-limit permit; every attempt counts against a provider's quota.
    /// - The concurrency limit sees each attempt's latency, timeouts included.
    /// - Each attempt gets its own timeout, fixed or adaptive (one or the other), which also bounds the
    ///   time spent in the bulkhead's queue.
    /// - The bulkhead bounds only the work actually sent.
    /// - Chaos injection stands in for the dependency, so it goes next to the operation: every policy
    ///   above reacts to an injected fault or latency as it would to the dependency's own (a retry
    ///   retries it, a breaker counts it, a timeout cuts an injected delay).
    public static let recommendedOrder: [PolicyKind] = [
        .fallback, .loadShedder, .cascade, .hedging, .retry, .circuitBreaker, .rateLimiter, .concurrencyLimit, .timeout,
        .adaptiveTimeout, .bulkhead, .chaos,
    ]

    /// The policies that act once per call, outside the retry loop, in ``recommendedOrder``.
    public static var perCall: ArraySlice<PolicyKind> {
        recommendedOrder.prefix { $0 != .retry }
    }

    /// The policies that act on every attempt, inside the retry loop, in ``recommendedOrder``.
    public static var perAttempt: ArraySlice<PolicyKind> {
        recommendedOrder.drop { $0 != .retry }.dropFirst()
    }

    /// The section name, such as `circuitBreaker`.
    public var description: String { rawValue }
}
