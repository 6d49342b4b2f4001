/// The timeout of one key (endpoint), derived from its recent latencies. Pure: no locks, no clock.
///
/// - Until `warmupCalls` latencies have been recorded, the timeout is `baseTimeout`.
/// - From the `warmupCalls`-th recorded latency on, it is
///   `clamp(P × multiplier, minimum, maximum)`, where `P` is the `LatencyTracker` bound of the
///   `percentile` of the last `windowSize` latencies (slightly above the true percentile, by at most
///   1/128 of it). The product is exact: `P` is a whole number of nanoseconds and the multiplier has at
///   most 9 decimal places, so `P × multiplier` is a whole number of attoseconds.
/// - When the percentile is in the tracker's overflow bin (≥ 1 h), the timeout is `maximum`.
///
/// ## Timed-out attempts: record the timeout as the latency
///
/// An attempt cut off by its timeout `T` never reports its true latency; we only know it was at least
/// `T`. Record `T` (a censored sample). This is safe, and dropping the sample is not:
///
/// - `T` is at least the current percentile bound `P` (the multiplier is ≥ 1), unless `maximum` is below
///   `P`; and `P` is an exclusive bin bound, so `T` lands in a bin at or above the one of `P`. A
///   censored sample therefore enters the window at or above the percentile, and can only hold the
///   percentile or push it up — never down.
/// - When timed-out attempts are more than `count − ⌈percentile × count⌉` of the window, at most
///   `⌈percentile × count⌉ − 1` samples are below the shortest of their timeouts `T`, so the percentile is
///   at least `T`, its bound is above `T`, and the next timeout is above `T × multiplier` (above `T` even
///   with a multiplier of 1) or `maximum`. A dependency that keeps hanging drives the timeout up, window
///   after window, to `maximum` at worst.
/// - Dropping timed-out attempts instead would leave only the calls that finished in time in the window
///   (survivorship bias): the timeout would stay short while the dependency is slow, and keep cutting off
///   the calls that would have told it so.
@usableFromInline package struct AdaptiveTimeoutStateMachine: Sendable {
    let settings: ValidatedAdaptiveTimeoutConfiguration
    /// The latencies of this key.
    @usableFromInline package private(set) var tracker: LatencyTracker

    /// A key with no latencies yet.
    /// - Throws: ``ConfigurationError`` naming the first invalid key of `configuration`.
    @usableFromInline package init(configuration: AdaptiveTimeoutConfiguration = AdaptiveTimeoutConfiguration()) throws(ConfigurationError) {
        self.init(validated: try ValidatedAdaptiveTimeoutConfiguration(configuration))
    }

    init(validated: ValidatedAdaptiveTimeoutConfiguration) {
        settings = validated
        tracker = LatencyTracker(validatedWindowSize: validated.raw.windowSize)
    }

    /// The configuration.
    @usableFromInline package var configuration: AdaptiveTimeoutConfiguration { settings.raw }

    /// Whether fewer than `warmupCalls` latencies were recorded, so that the timeout is `baseTimeout`.
    @usableFromInline package var isWarmingUp: Bool { tracker.recordedCount < settings.raw.warmupCalls }

    /// The timeout for the next attempt. `mutating` because it updates the tracker's cached position.
    @usableFromInline package mutating func currentTimeout() -> Duration {
        if isWarmingUp { return settings.raw.baseTimeout }
        // Not empty: warmupCalls ≥ 1 latencies were recorded.
        let bin = tracker.percentileBin(settings.percentile)!
        guard let nanoseconds = LatencyTracker.Bins.upperBoundNanoseconds(ofBin: bin) else {
            return settings.raw.maximum
        }
        let attoseconds = Int128(nanoseconds) * settings.attosecondsPerPercentileNanosecond
        return Duration(
            attoseconds: min(max(attoseconds, settings.minimumAttoseconds), settings.maximumAttoseconds))
    }

    /// Records the latency of a finished attempt, or the timeout of an attempt that timed out (see
    /// "Timed-out attempts" above).
    /// - Precondition: `latency` is not negative.
    @usableFromInline package mutating func record(latency: Duration) {
        tracker.record(latency)
    }

    /// The `p` percentile of the window, or `nil` while warming up.
    /// - Precondition: `p` is in (0, 1] with at most 9 decimal places.
    @usableFromInline package mutating func percentile(_ p: Double) -> LatencyPercentile? {
        percentile(LatencyTracker.exactPercentile(p))
    }

    /// ``percentile(_:)`` with `p` already exact.
    mutating func percentile(_ p: ExactRatio) -> LatencyPercentile? {
        isWarmingUp ? nil : tracker.percentile(p)
    }

    /// A snapshot: counts, timeout, p50 and p99.
    @usableFromInline package mutating func stats() -> AdaptiveTimeoutStats {
        let p50 = tracker.percentile(0.5)
        let p99 = tracker.percentile(0.99)
        // Last, so that the cached position is left at the configured percentile.
        let timeout = currentTimeout()
        return AdaptiveTimeoutStats(
            recordedCalls: tracker.recordedCount, windowCalls: tracker.count, isWarmingUp: isWarmingUp,
            timeout: timeout, p50: p50, p99: p99)
    }
}
