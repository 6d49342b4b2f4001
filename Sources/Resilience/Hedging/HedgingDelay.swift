/// How long a ``Hedging`` policy waits before each extra attempt, when not the configuration's fixed
/// `hedgingDelay`.
public struct HedgingDelay: Sendable {
    let delay: @Sendable (ResilienceContext) -> Duration

    /// The same delay for every call.
    public static func fixed(_ delay: Duration) -> HedgingDelay { HedgingDelay { _ in delay } }

    /// A delay computed per call, for example from a latency percentile of the call's endpoint.
    /// A negative result is a programming error (precondition).
    public static func computed(_ delay: @escaping @Sendable (ResilienceContext) -> Duration) -> HedgingDelay {
        HedgingDelay(delay: delay)
    }

    /// The `percentile` of the recent latencies of the call's endpoint in `adaptive` (for example 0.95:
    /// hedge the slowest 5 % of calls); `fallback` while the endpoint is warming up. Share `adaptive`
    /// with the endpoint's ``Timeout`` so that it learns the latencies.
    /// - Precondition: `percentile` in (0, 1].
    public static func percentile(
        _ percentile: Double, of adaptive: AdaptiveTimeout,
        key: @escaping @Sendable (ResilienceContext) -> String = { $0.operationName },
        fallback: Duration = .seconds(2)
    ) -> HedgingDelay {
        HedgingDelay { context in adaptive.percentile(percentile, for: key(context)) ?? fallback }
    }

    /// The delay for a call with `context`.
    func duration(for context: ResilienceContext) -> Duration {
        let duration = delay(context)
        precondition(duration >= .zero, "a hedging delay must not be negative, got \(duration)")
        return duration
    }
}

/// The metadata key under which a ``Hedging`` policy tells each execution which one it is: 1 for the
/// first, 2 and up for the hedged ones. The context's `attempt` is left to the retry policies.
public enum HedgedAttemptKey: ResilienceContextKey {
    public typealias Value = Int
}
