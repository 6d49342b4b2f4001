/// A snapshot of one key of an ``AdaptiveTimeout``.
public struct AdaptiveTimeoutStats: Sendable, Hashable {
    /// Latencies recorded for the key since it was created (or last evicted), including those that left
    /// the window.
    public var recordedCalls: Int
    /// Latencies in the window: `min(recordedCalls, windowSize)`.
    public var windowCalls: Int
    /// Whether fewer than `warmupCalls` latencies were recorded, so that the timeout is `baseTimeout`.
    public var isWarmingUp: Bool
    /// The timeout the next attempt gets.
    public var timeout: Duration
    /// The median of the window (also during warm-up); `nil` when the window is empty.
    public var p50: LatencyPercentile?
    /// The 99th percentile of the window (also during warm-up); `nil` when the window is empty.
    public var p99: LatencyPercentile?
}
