/// A limit that follows the gradient of the long-term over the current latency. Pure: no locks, no
/// clock.
///
/// The rule, applied to each sample (Netflix concurrency-limits' `Gradient2Limit`), with the limit
/// kept as a real number `estimate` and reported as `⌊estimate⌋`:
///
/// ```
/// short = rtt                                    (the sample itself)
/// long  = exponential average of rtt: the plain mean of the first 10 samples, then
///         long = long × (1 − w) + rtt × w, w = 2 / (longWindow + 1)
/// if long / short > 2: long = long × 0.95       (after a load spike, forget the slow past faster)
/// if inFlight < estimate / 2: unchanged          (the caller does not use the limit: do not grow it)
/// gradient = clamp(rttTolerance × long / short, 0.5, 1)     (long as before the 0.95 decay)
/// estimate = estimate × (1 − smoothing) + (estimate × gradient + queueSize) × smoothing
/// estimate = clamp(estimate, minLimit, maxLimit)
/// ```
///
/// Drops do not move this limit (as in Netflix's): only latency does. A sample with a zero duration
/// is not used (the ratios need a positive latency).
///
/// Known behaviour: the long-term average catches up with any latency that lasts. Under a steady
/// overload, where the latency is high but no longer rising, `long / short` returns to 1, the gradient
/// to 1, and the limit grows by `queueSize × smoothing` per sample up to `maxLimit`
/// (Netflix/concurrency-limits issue #137 and pull request #134). It reacts to latency *rising*, and
/// suits services whose overload shows as a rising latency; put a `maxLimit` near the service's real
/// capacity, or prefer ``AIMDLimit`` with a latency `timeout`, when overload can be steady.
public struct Gradient2Limit: Sendable, Hashable {
    /// The algorithm's own parameters.
    public let parameters: ConcurrencyLimitConfiguration.Gradient2Parameters
    /// The lowest limit.
    public let minLimit: Int
    /// The highest limit.
    public let maxLimit: Int
    /// The limit as a real number; ``limit`` is its integer part.
    public private(set) var estimate: Double
    /// The long-term average latency, in nanoseconds (0 before the first sample).
    public private(set) var longRttNanoseconds: Double = 0
    /// The samples averaged plainly so far (up to the warm-up of 10).
    private var warmupCount = 0
    private var warmupSum: Double = 0

    /// Samples averaged plainly before the exponential average starts.
    static let warmupSamples = 10

    /// The current limit.
    public var limit: Int { Int(estimate) }

    /// A Gradient2 limit starting at `initialLimit`.
    /// - Throws: ``ConfigurationError`` naming the first invalid value (keys as in
    ///   ``ConcurrencyLimitConfiguration``).
    public init(
        parameters: ConcurrencyLimitConfiguration.Gradient2Parameters = .init(),
        initialLimit: Int = 20,
        minLimit: Int = 1,
        maxLimit: Int = 200
    ) throws(ConfigurationError) {
        try ConcurrencyLimitConfiguration(
            algorithm: .gradient2(parameters), initialLimit: initialLimit, minLimit: minLimit, maxLimit: maxLimit
        ).validate()
        self.init(validated: parameters, initialLimit: initialLimit, minLimit: minLimit, maxLimit: maxLimit)
    }

    /// A Gradient2 limit from parameters and bounds that passed validation.
    init(
        validated parameters: ConcurrencyLimitConfiguration.Gradient2Parameters, initialLimit: Int, minLimit: Int,
        maxLimit: Int
    ) {
        self.parameters = parameters
        self.minLimit = minLimit
        self.maxLimit = maxLimit
        self.estimate = Double(initialLimit)
    }

    /// Applies one sample and returns the new limit.
    /// - Parameters:
    ///   - rtt: how long the sampled call took; a zero duration is not used.
    ///   - inFlight: the calls in flight when it was admitted, itself included.
    ///   - didDrop: whether it was dropped (not used by this algorithm).
    ///   - now: when the sample is taken (not used by this algorithm).
    @discardableResult
    public mutating func update<Instant: InstantProtocol>(
        rtt: Duration, inFlight: Int, didDrop: Bool, now: Instant
    ) -> Int {
        guard rtt > .zero else { return limit }
        let short = rtt.nanosecondsValue
        let long = addToLongAverage(short)
        if long / short > 2 { longRttNanoseconds = long * 0.95 }
        if Double(inFlight) < estimate / 2 { return limit }

        let gradient = max(0.5, min(1.0, parameters.rttTolerance * long / short))
        let target = estimate * gradient + Double(parameters.queueSize)
        let smoothed = estimate * (1 - parameters.smoothing) + target * parameters.smoothing
        estimate = max(Double(minLimit), min(Double(maxLimit), smoothed))
        return limit
    }

    private mutating func addToLongAverage(_ sample: Double) -> Double {
        if warmupCount < Self.warmupSamples {
            warmupCount += 1
            warmupSum += sample
            longRttNanoseconds = warmupSum / Double(warmupCount)
        } else {
            let weight = 2.0 / Double(parameters.longWindow + 1)
            longRttNanoseconds = longRttNanoseconds * (1 - weight) + sample * weight
        }
        return longRttNanoseconds
    }
}

extension Duration {
    /// This duration in nanoseconds, as a real number.
    var nanosecondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
    }
}
