/// A limit from TCP Vegas' estimate of the calls queued at the dependency. Pure: no locks, no clock.
///
/// The rule, applied to each sample (Netflix concurrency-limits' `VegasLimit`), with the limit kept
/// as a real number `estimate` and reported as `⌊estimate⌋`, and
/// `log(x) = max(1, ⌊log10 x⌋)` for x < 1000, `⌊√x⌋` from 1000 on, of `L = ⌊estimate⌋`:
///
/// ```
/// every jitter × probeMultiplier × estimate samples (jitter uniform in [0.5, 1), drawn anew each time):
///     noLoad = rtt; no other change                            (probe: re-measure the no-load latency)
/// else if noLoad is unset or rtt < noLoad: noLoad = rtt; no other change
/// else:
///     queue = ⌈estimate × (1 − noLoad / rtt)⌉
///     if didDrop:                 target = estimate − log(L)
///     else if inFlight × 2 < estimate: no change              (the caller does not use the limit)
///     else if queue <= log(L):    target = estimate + betaFactor × log(L)      (no queue: grow fast)
///     else if queue < alphaFactor × log(L): target = estimate + log(L)
///     else if queue > betaFactor × log(L):  target = estimate − log(L)
///     else:                       no change
///     estimate = (1 − smoothing) × estimate + smoothing × clamp(target, minLimit, maxLimit)
/// ```
///
/// A sample with a zero duration is not used (Netflix's rejects it). The probe's jitter comes from a
/// small generator seeded at creation, so a run with the same seed and samples is reproduced exactly.
///
/// Known behaviour: Vegas trusts `noLoad`, the fastest latency seen. A service whose latency varies
/// widely from call to call looks queued when it is not, and the limit settles low
/// (Netflix/concurrency-limits issue #37). The probe sets `noLoad` to whatever the current call took,
/// loaded or not; under a steady overload it raises `noLoad` to the loaded latency, the queue estimate
/// drops to zero, and the limit climbs by `betaFactor × log(L)` per sample until the latency has risen
/// enough again: each probe ratchets the limit up (issue #165).
public struct VegasLimit: Sendable, Hashable {
    /// The algorithm's own parameters.
    public let parameters: ConcurrencyLimitConfiguration.VegasParameters
    /// The lowest limit.
    public let minLimit: Int
    /// The highest limit.
    public let maxLimit: Int
    /// The limit as a real number; ``limit`` is its integer part.
    public private(set) var estimate: Double
    /// The latency taken as "no queue", or `nil` before the first sample.
    public private(set) var noLoadRtt: Duration?
    /// Samples since the last probe.
    public private(set) var samplesSinceProbe = 0
    /// The current probe's jitter, in [0.5, 1).
    public private(set) var probeJitter: Double = 0.75
    private var random: UInt64

    /// The current limit.
    public var limit: Int { Int(estimate) }

    /// A Vegas limit starting at `initialLimit`.
    /// - Parameter probeSeed: seeds the jitter of the no-load probe.
    /// - Throws: ``ConfigurationError`` naming the first invalid value (keys as in
    ///   ``ConcurrencyLimitConfiguration``).
    public init(
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
        self.random = probeSeed
        self.probeJitter = nextJitter()
    }

    /// Applies one sample and returns the new limit.
    /// - Parameters:
    ///   - rtt: how long the sampled call took; a zero duration is not used.
    ///   - inFlight: the calls in flight when it was admitted, itself included.
    ///   - didDrop: whether it failed, timed out, or was otherwise dropped.
    ///   - now: when the sample is taken (not used by this algorithm).
    @discardableResult
    public mutating func update<Instant: InstantProtocol>(
        rtt: Duration, inFlight: Int, didDrop: Bool, now: Instant
    ) -> Int {
        guard rtt > .zero else { return limit }
        samplesSinceProbe += 1
        if probeJitter * Double(parameters.probeMultiplier) * estimate <= Double(samplesSinceProbe) {
            probeJitter = nextJitter()
            samplesSinceProbe = 0
            noLoadRtt = rtt
            return limit
        }
        guard let noLoad = noLoadRtt, rtt >= noLoad else {
            noLoadRtt = rtt
            return limit
        }

        let queue = (estimate * (1 - noLoad.nanosecondsValue / rtt.nanosecondsValue)).rounded(.up)
        let log = Double(Self.logRoot(limit))
        let target: Double
        if didDrop {
            target = estimate - log
        } else if Double(inFlight * 2) < estimate {
            return limit
        } else if queue <= log {
            target = estimate + Double(parameters.betaFactor) * log
        } else if queue < Double(parameters.alphaFactor) * log {
            target = estimate + log
        } else if queue > Double(parameters.betaFactor) * log {
            target = estimate - log
        } else {
            return limit
        }
        let bounded = max(Double(minLimit), min(Double(maxLimit), target))
        estimate = (1 - parameters.smoothing) * estimate + parameters.smoothing * bounded
        return limit
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

    /// A jitter uniform in [0.5, 1) from a SplitMix64 step.
    private mutating func nextJitter() -> Double {
        random &+= 0x9E37_79B9_7F4A_7C15
        var z = random
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return 0.5 + 0.5 * Double(z >> 11) / Double(UInt64(1) << 53)
    }
}
