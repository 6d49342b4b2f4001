/// A limit that follows the gradient of the no-load over the current latency. Pure: no locks, no
/// clock.
///
/// The rule, with the limit kept as a real number `estimate` and reported as `⌊estimate⌋` (as
/// `probeLimit` during a probe). Samples are grouped into windows of `⌊estimate⌋` samples, about one
/// round trip, and `noLoad` is measured by `LatencyWindow` (the first window's mean, then each
/// probe's); once per closed window, with `short` its mean latency:
///
/// ```
/// if the window's highest inFlight < estimate / 2: unchanged   (the caller does not use the limit)
/// else:
///     gradient = clamp(rttTolerance × noLoad / short, 0.5, 1)
///     growth   = queueSize if gradient == 1, else 0
///     estimate = estimate × (1 − smoothing) + (estimate × gradient + growth) × smoothing
///     estimate = clamp(estimate, minLimit, maxLimit)
/// then, every jitter × probeMultiplier windows (jitter uniform in [0.5, 1), drawn anew each time):
///     probe at probeLimit = clamp(⌊estimate × noLoad / (short × rttTolerance)⌋, minLimit, ⌊estimate⌋)
/// ```
///
/// Drops do not move this limit (as in Netflix's): only latency does. A sample with a zero duration
/// is not used (the ratios need a positive latency).
///
/// ## Where this differs from Netflix's, and why
///
/// Netflix concurrency-limits' `Gradient2Limit` (where the update and the defaults of `smoothing`
/// and `queueSize` come from) compares each sample with `long`, an exponential average of all
/// samples (600 samples), and always adds `queueSize`. Under a steady overload the average catches up
/// with the overloaded latency, the gradient returns to 1, and the limit climbs by
/// `queueSize × smoothing` per sample to `maxLimit` (Netflix/concurrency-limits issue #137): in our
/// simulation (capacity 50) it sat at `maxLimit` with 4 times the unloaded latency. Three changes:
///
/// - The reference is the **no-load latency**, re-measured by a probe (as Netflix's original
///   `GradientLimit` resets its minimum and Envoy's adaptive concurrency re-measures its minRTT at low
///   concurrency), not an average that follows the load. The probe is shallow: it lowers the limit
///   to the calls the dependency serves at the current throughput without queueing (Little's law:
///   `estimate × noLoad / short`), less the tolerance, for about two round trips; it goes below the
///   knee even when `noLoad` is off by up to `rttTolerance`, and a larger error shrinks by that factor
///   with each probe. `longWindow` and the 0.95 decay of `long` are gone with the average.
/// - **One decision per window** of `⌊estimate⌋` samples (about one round trip), on the window's mean,
///   as Netflix's `WindowedLimit` wrapper decides once per window: a decision per sample acts
///   `estimate` times on the same stale latency.
/// - **`queueSize` is added only while the gradient is 1** (no queue seen), as proposed in
///   Netflix/concurrency-limits pull request #134: always adding it lets the limit settle where
///   `gradient = 1 − queueSize / estimate`, that is above the knee by `queueSize` calls.
///
/// With a reference that no longer includes queueing, the tolerance has a different scale: its
/// default is 1.1 (Netflix: 1.5 over the loaded average). The limit settles where the mean latency is
/// about `rttTolerance × noLoad`: with a dependency whose latency grows with the calls beyond its
/// capacity C, near `rttTolerance × C` (in our simulation, C = 50 and 100: mean 1.10–1.12 × C, range
/// 0.89–1.18 × C, the low end during probes; p99 1.23 × the unloaded latency).
///
/// ```swift
/// var gradient = try Gradient2Limit(initialLimit: 2)
/// gradient.update(rtt: .milliseconds(10), inFlight: 2, didDrop: false, now: ContinuousClock.now)  // 2
/// gradient.update(rtt: .milliseconds(10), inFlight: 2, didDrop: false, now: ContinuousClock.now)  // 2 (estimate 2.8)
/// ```
@usableFromInline
package struct Gradient2Limit: Sendable, Hashable {
    /// The algorithm's own parameters.
    @usableFromInline package let parameters: ConcurrencyLimitConfiguration.Gradient2Parameters
    /// The lowest limit.
    @usableFromInline package let minLimit: Int
    /// The highest limit.
    @usableFromInline package let maxLimit: Int
    /// The limit as a real number; ``limit`` is its integer part outside a probe.
    @usableFromInline package private(set) var estimate: Double
    private var window: LatencyWindow

    /// The current limit: `⌊estimate⌋`, or the probe's limit while a probe runs.
    @usableFromInline package var limit: Int { window.probeLimit ?? Int(estimate) }
    /// The no-load latency, or `nil` before the first window closes.
    @usableFromInline package var noLoadRtt: Duration? { window.noLoadNanoseconds.map(Duration.nanoseconds(rounding:)) }
    /// The limit of the probe under way, or `nil` when none is.
    @usableFromInline package var probeLimit: Int? { window.probeLimit }
    /// Windows closed since the last probe.
    @usableFromInline package var windowsSinceProbe: Int { window.windowsSinceProbe }
    /// The jitter of the current probe interval, in [0.5, 1).
    @usableFromInline package var probeJitter: Double { window.probeJitter }

    /// A Gradient2 limit starting at `initialLimit`.
    /// - Parameter probeSeed: seeds the jitter of the no-load probe.
    /// - Throws: ``ConfigurationError`` naming the first invalid value (keys as in
    ///   ``ConcurrencyLimitConfiguration``).
    @usableFromInline package init(
        parameters: ConcurrencyLimitConfiguration.Gradient2Parameters = .init(),
        initialLimit: Int = 20,
        minLimit: Int = 1,
        maxLimit: Int = 200,
        probeSeed: UInt64 = 0
    ) throws(ConfigurationError) {
        try ConcurrencyLimitConfiguration(
            algorithm: .gradient2(parameters), initialLimit: initialLimit, minLimit: minLimit, maxLimit: maxLimit
        ).validate()
        self.init(
            validated: parameters, initialLimit: initialLimit, minLimit: minLimit, maxLimit: maxLimit,
            probeSeed: probeSeed)
    }

    /// A Gradient2 limit from parameters and bounds that passed validation.
    init(
        validated parameters: ConcurrencyLimitConfiguration.Gradient2Parameters, initialLimit: Int, minLimit: Int,
        maxLimit: Int, probeSeed: UInt64
    ) {
        self.parameters = parameters
        self.minLimit = minLimit
        self.maxLimit = maxLimit
        self.estimate = Double(initialLimit)
        self.window = LatencyWindow(probeMultiplier: parameters.probeMultiplier, seed: probeSeed)
    }

    /// Applies one sample and returns the new limit.
    /// - Parameters:
    ///   - rtt: how long the sampled call took; a zero duration is not used.
    ///   - inFlight: the calls in flight when it was admitted, itself included.
    ///   - didDrop: whether it was dropped (not used by this algorithm).
    ///   - now: when the sample is taken (not used by this algorithm).
    @discardableResult
    @usableFromInline package mutating func update(rtt: Duration, inFlight: Int, didDrop: Bool, now: ClockOffset) -> Int {
        guard rtt > .zero else { return limit }
        let step = window.add(
            rttNanoseconds: rtt.nanosecondsValue, inFlight: inFlight, didDrop: didDrop, windowSize: Int(estimate))
        guard case .closed(let summary) = step, let noLoad = window.noLoadNanoseconds else { return limit }
        let short = summary.meanNanoseconds
        if Double(summary.maxInFlight) >= estimate / 2 {
            let gradient = max(0.5, min(1.0, parameters.rttTolerance * noLoad / short))
            let growth = gradient == 1 ? Double(parameters.queueSize) : 0
            let target = estimate * gradient + growth
            let smoothed = estimate * (1 - parameters.smoothing) + target * parameters.smoothing
            estimate = max(Double(minLimit), min(Double(maxLimit), smoothed))
        }
        if window.isProbeDue {
            let belowKnee = (estimate * noLoad / (short * parameters.rttTolerance)).rounded(.down)
            window.startProbe(limit: Int(max(Double(minLimit), min(estimate.rounded(.down), belowKnee))))
        }
        return limit
    }
}

extension Duration {
    /// This duration in nanoseconds, as a real number.
    var nanosecondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    }

    /// The duration of `nanoseconds` (a real number), rounded to the nearest nanosecond.
    static func nanoseconds(rounding nanoseconds: Double) -> Duration {
        .nanoseconds(Int64(nanoseconds.rounded()))
    }
}
