/// A limit from TCP Vegas' estimate of the calls queued at the dependency. Pure: no locks, no clock.
///
/// The rule, with the limit kept as a real number `estimate` and reported as `⌊estimate⌋` (as
/// `probeLimit` during a probe), and `log(x) = max(1, ⌊log10 x⌋)` for x < 1000, `⌊√x⌋` from 1000 on,
/// of `L = ⌊estimate⌋`. Samples are grouped into windows of `⌊estimate⌋` samples, about one round
/// trip, and `noLoad` is measured by `LatencyWindow` (the first window's mean, then each probe's);
/// once per closed window, with `rtt` its mean latency:
///
/// ```
/// queue = ⌈estimate × (1 − noLoad / rtt)⌉
/// if a sample of the window was dropped: target = estimate − log(L)
/// else if the window's highest inFlight × 2 < estimate: no change   (the caller does not use the limit)
/// else if queue <= log(L):    target = estimate + betaFactor × log(L)      (no queue: grow fast)
/// else if queue < alphaFactor × log(L): target = estimate + log(L)
/// else if queue > betaFactor × log(L):  target = estimate − log(L)
/// else:                       no change
/// estimate = (1 − smoothing) × estimate + smoothing × clamp(target, minLimit, maxLimit)
/// then, every jitter × probeMultiplier windows (jitter uniform in [0.5, 1), drawn anew each time):
///     probe at probeLimit = clamp(⌊estimate × noLoad / rtt⌋ − betaFactor × log(L), minLimit, ⌊estimate⌋)
///         (L of the estimate after this window's change)
/// ```
///
/// A sample with a zero duration is not used (Netflix's rejects it). The probe's jitter comes from a
/// small generator seeded at creation, so a run with the same seed and samples is reproduced exactly.
///
/// ## Where this differs from Netflix's, and why
///
/// Netflix concurrency-limits' `VegasLimit` (where the thresholds, steps and defaults come from)
/// decides on every sample, takes the fastest single sample as `noLoad`, and probes by taking the
/// current sample, loaded or not, as the new `noLoad`. In our simulation (capacity C = 50 and 100,
/// latency ±10 % from call to call) its limit swung between 0.2 and 1.8 × C: each probe under
/// overload raised `noLoad` to the loaded latency, the queue estimate fell to zero and the limit grew
/// by `betaFactor × log` per sample, then fell back a step per sample, `estimate` samples per round
/// trip, on latencies one round trip old (issue #165 describes the ratchet). Three changes:
///
/// - **One decision per window** of `⌊estimate⌋` samples (about one round trip) on the window's mean,
///   as TCP Vegas decides once per round trip.
/// - **`noLoad` is a mean, not a minimum**: the mean latency of calls that met no queue. The fastest
///   single call is lower by the spread of the service's latency, which shows as a queue that is not
///   there and holds the limit low (issue #37).
/// - **The probe measures `noLoad` at a reduced limit** instead of taking a loaded sample: for about
///   two round trips the limit is what Vegas itself estimates the dependency serves without queueing
///   (`estimate − queue`, that is `estimate × noLoad / rtt`), less `betaFactor × log`, the queue Vegas
///   tolerates. Only calls admitted under that limit are measured. The limit settles where the queue
///   estimate is within `[alphaFactor, betaFactor] × log`: a few calls above the dependency's capacity
///   (in our simulation, C = 50 and 100: mean 1.09 × C, range 0.86–1.14 × C, the low end during probes;
///   p99 1.2 × the unloaded latency).
@usableFromInline
package struct VegasLimit: Sendable, Hashable {
    /// The algorithm's own parameters.
    @usableFromInline package let parameters: ConcurrencyLimitConfiguration.VegasParameters
    /// The lowest limit.
    @usableFromInline package let minLimit: Int
    /// The highest limit.
    @usableFromInline package let maxLimit: Int
    /// The limit as a real number; ``limit`` is its integer part outside a probe.
    @usableFromInline package private(set) var estimate: Double
    private var window: LatencyWindow

    /// The current limit: `⌊estimate⌋`, or the probe's limit while a probe runs.
    @usableFromInline package var limit: Int { window.probeLimit ?? Int(estimate) }
    /// The latency taken as "no queue", or `nil` before the first window closes.
    @usableFromInline package var noLoadRtt: Duration? { window.noLoadNanoseconds.map(Duration.nanoseconds(rounding:)) }
    /// The limit of the probe under way, or `nil` when none is.
    @usableFromInline package var probeLimit: Int? { window.probeLimit }
    /// Windows closed since the last probe.
    @usableFromInline package var windowsSinceProbe: Int { window.windowsSinceProbe }
    /// The jitter of the current probe interval, in [0.5, 1).
    @usableFromInline package var probeJitter: Double { window.probeJitter }

    /// A Vegas limit starting at `initialLimit`.
    /// - Parameter probeSeed: seeds the jitter of the no-load probe.
    /// - Throws: ``ConfigurationError`` naming the first invalid value (keys as in
    ///   ``ConcurrencyLimitConfiguration``).
    @usableFromInline package init(
        parameters: ConcurrencyLimitConfiguration.VegasParameters = .init(),
        initialLimit: Int = 20,
        minLimit: Int = 1,
        maxLimit: Int = 200,
        probeSeed: UInt64 = 0
    ) throws(ConfigurationError) {
        try ConcurrencyLimitConfiguration(
            algorithm: .vegas(parameters), initialLimit: initialLimit, minLimit: minLimit, maxLimit: maxLimit
        ).validate()
        self.init(
            validated: parameters, initialLimit: initialLimit, minLimit: minLimit, maxLimit: maxLimit,
            probeSeed: probeSeed)
    }

    /// A Vegas limit from parameters and bounds that passed validation.
    init(
        validated parameters: ConcurrencyLimitConfiguration.VegasParameters, initialLimit: Int, minLimit: Int,
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
    ///   - didDrop: whether it failed, timed out, or was otherwise dropped.
    ///   - now: when the sample is taken (not used by this algorithm).
    @discardableResult
    @usableFromInline package mutating func update(rtt: Duration, inFlight: Int, didDrop: Bool, now: ClockOffset) -> Int {
        guard rtt > .zero else { return limit }
        let step = window.add(
            rttNanoseconds: rtt.nanosecondsValue, inFlight: inFlight, didDrop: didDrop, windowSize: Int(estimate))
        guard case .closed(let summary) = step, let noLoad = window.noLoadNanoseconds else { return limit }
        let mean = summary.meanNanoseconds
        if let target = target(queue: (estimate * (1 - noLoad / mean)).rounded(.up), summary: summary) {
            let bounded = max(Double(minLimit), min(Double(maxLimit), target))
            estimate = (1 - parameters.smoothing) * estimate + parameters.smoothing * bounded
        }
        if window.isProbeDue {
            let tolerated = Double(parameters.betaFactor * Self.logRoot(Int(estimate)))
            let belowKnee = (estimate * noLoad / mean).rounded(.down) - tolerated
            window.startProbe(limit: Int(max(Double(minLimit), min(estimate.rounded(.down), belowKnee))))
        }
        return limit
    }

    /// The new estimate for a window with `queue` estimated queued calls, or `nil` for no change.
    private func target(queue: Double, summary: LatencyWindow.Summary) -> Double? {
        let log = Double(Self.logRoot(Int(estimate)))
        if summary.dropped { return estimate - log }
        if Double(summary.maxInFlight * 2) < estimate { return nil }
        if queue <= log { return estimate + Double(parameters.betaFactor) * log }
        if queue < Double(parameters.alphaFactor) * log { return estimate + log }
        if queue > Double(parameters.betaFactor) * log { return estimate - log }
        return nil
    }

    /// `max(1, ⌊log10 x⌋)` below 1000, `⌊√x⌋` from 1000 on: Netflix's `Log10RootFunction`, in integers.
    static func logRoot(_ x: Int) -> Int {
        if x < 100 { return 1 }
        if x < 1_000 { return 2 }
        var root = Int(Double(x).squareRoot())
        while root * root > x { root -= 1 }
        while (root + 1) * (root + 1) <= x { root += 1 }
        return root
    }
}
