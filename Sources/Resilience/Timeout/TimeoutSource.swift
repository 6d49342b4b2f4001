/// Where a ``Timeout`` policy gets each call's duration.
public enum TimeoutSource: Sendable {
    /// A duration per operation type, with a default (one duration for every call when the table
    /// lists no type).
    case table(TimeoutTable)
    /// The timeout an ``AdaptiveTimeout`` derives from the recent latencies of the call's key.
    case adaptive(AdaptiveTimeout, key: @Sendable (ResilienceContext) -> String)
}

/// One call's limit, and the endpoint its latency is recorded for (adaptive timeouts only).
struct TimeoutPlan<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    var limit: Instant
    /// The policy's own duration for the call, before any deadline.
    let duration: Duration
    let endpoint: AdaptiveTimeout.Endpoint?
    /// Whether the context's deadline, not the policy's duration, set the limit.
    var limitedByDeadline = false

    /// Records a call that ended (with a value or an error) after `elapsed`.
    func recordLatency(_ elapsed: Duration) {
        endpoint?.record(elapsed)
    }

    /// Records a call that timed out: at least the policy's duration, when that was the limit; nothing
    /// when an earlier deadline cut the call short.
    func recordTimeout() {
        guard !limitedByDeadline else { return }
        endpoint?.record(duration)
    }
}
