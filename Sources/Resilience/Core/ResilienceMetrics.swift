/// Facts about the library's metrics that a metrics backend needs: the histogram buckets suited to
/// each of its timers.
///
/// Every timer of the library measures seconds, but over very different ranges: a call takes
/// milliseconds to a minute, a breaker stays open seconds to an hour, a queue wait is usually under a
/// second. A backend's one default set of buckets fits none of them well (swift-prometheus' tops out
/// at 10 s, where every break of a default breaker ends). Give a backend that takes buckets per metric
/// these, or your own:
///
/// ```swift
/// var factory = PrometheusMetricsFactory(registry: registry)
/// factory.durationHistogramBuckets.merge(ResilienceMetrics.durationBuckets) { _, recommended in recommended }
/// ```
///
/// The buckets are a recommendation, not a contract: change them per metric on your backend; the
/// library never reads them. See <doc:MetricsReference> for every metric.
public enum ResilienceMetrics {
    /// The recommended buckets (upper bounds) of each of the library's timers, by metric name.
    ///
    /// | metric | buckets |
    /// |---|---|
    /// | `resilience_operation_duration_seconds` | 5, 10, 25, 50, 100, 250, 500 ms; 1, 2.5, 5, 10, 30, 60 s |
    /// | `resilience_circuit_breaker_open_seconds` | 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600 s |
    /// | `resilience_bulkhead_queue_wait_seconds` | 1, 5, 10, 25, 50, 100, 250, 500 ms; 1, 2.5, 5, 10 s |
    /// | `resilience_rate_limiter_wait_seconds` | as the queue wait |
    /// | `resilience_timeout_overrun_seconds` | 1, 10, 100 ms; 1, 10, 60 s |
    public static let durationBuckets: [String: [Duration]] = [
        "resilience_operation_duration_seconds": milliseconds([5, 10, 25, 50, 100, 250, 500])
            + [.seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10), .seconds(30), .seconds(60)],
        "resilience_circuit_breaker_open_seconds": [1, 5, 10, 30, 60, 120, 300, 600, 1_800, 3_600].map { .seconds($0) },
        "resilience_bulkhead_queue_wait_seconds": waitBuckets,
        "resilience_rate_limiter_wait_seconds": waitBuckets,
        "resilience_timeout_overrun_seconds": milliseconds([1, 10, 100]) + [.seconds(1), .seconds(10), .seconds(60)],
    ]

    private static let waitBuckets = milliseconds([1, 5, 10, 25, 50, 100, 250, 500])
        + [.seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10)]

    private static func milliseconds(_ values: [Int]) -> [Duration] { values.map { .milliseconds($0) } }
}
