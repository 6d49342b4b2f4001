/// A latency percentile of an ``AdaptiveTimeout``'s window, as precise as its bins allow.
///
/// Latencies are counted in log-linear bins (as in HdrHistogram): 1 ns wide below 128 ns, then 128 bins
/// per power of two, so a bin is at most 1/128 of its lower bound wide. A percentile is reported as the
/// upper bound of the bin that holds it: always above the true nearest-rank percentile, by at most
/// 1/128 of it (0.78125 %; 1 ns below 128 ns). Latencies of 1 hour or more share one overflow bin.
public enum LatencyPercentile: Sendable, Hashable {
    /// The percentile is below this bound, by at most 1/128 of the percentile (1 ns below 128 ns).
    case lessThan(Duration)
    /// The percentile is at least this long: it is in the overflow bin, at or beyond 1 hour.
    case atLeast(Duration)

    /// The bound reported: the upper bound of the bin, or 1 hour for the overflow bin.
    public var duration: Duration {
        switch self {
        case .lessThan(let bound), .atLeast(let bound): bound
        }
    }
}
