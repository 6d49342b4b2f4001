/// Additive increase, multiplicative decrease, as in TCP: the limit grows while the calls in flight
/// use it, and shrinks by `backoffRatio` when calls are dropped. Pure: no locks, no clock.
///
/// The rule, applied to each sample:
///
/// ```
/// drop = didDrop || rtt > timeout
/// if drop:
///     if the call started (now − rtt) before the last decrease: unchanged   (once per round trip)
///     else: limit = ⌊limit × backoffRatio⌋ (at least 1 less); slow start ends
/// else if inFlight × 2 >= limit:                  (the caller uses the limit)
///     in slow start: limit = limit + 1            (doubles per round trip)
///     after:         limit = limit + 1 once per `limit` such samples   (+1 per round trip)
/// else: unchanged                                  (the caller does not use the limit: do not grow it)
/// limit = clamp(limit, minLimit, maxLimit)
/// ```
///
/// `inFlight` is the number of calls in flight when the sampled call was admitted, itself included.
/// The product is exact (`backoffRatio` has at most 9 decimal places): 0.9 × 20 is 18.
///
/// Netflix concurrency-limits' `AIMDLimit` (where the parameters and defaults come from) adds 1 on
/// every sample and multiplies by `backoffRatio` on every drop. Against a server whose latency grows
/// with load, that rule doubles the limit every round trip, overshoots before the first slow call
/// comes back, then shrinks once for every call of the overshoot: in our simulation (capacity 50)
/// its limit swung between 1 and 2.5 × capacity. TCP's two refinements above fix it: keep the +1 per
/// sample only as slow start, until the first drop, and count the drops of one round trip as one
/// decrease. The limit then saw-tooths within about ±6 % of where latency reaches `timeout`.
///
/// AIMD is loss-based: latency moves it only through `timeout`. Set `timeout` to the latency the
/// service should not exceed, above its unloaded tail (a call slower than `timeout` without any load
/// keeps shrinking the limit). The limit settles near `capacity × timeout / unloaded latency`.
///
/// ```swift
/// var aimd = try AIMDLimit(parameters: .init(timeout: .milliseconds(150)))
/// aimd.update(rtt: .milliseconds(20), inFlight: 12, didDrop: false, now: .zero)    // 21 (slow start)
/// aimd.update(rtt: .milliseconds(200), inFlight: 21, didDrop: false, now: .zero)   // 18
/// ```
@usableFromInline
package struct AIMDLimit: Sendable, Hashable {
    /// The algorithm's own parameters.
    @usableFromInline package let parameters: ConcurrencyLimitConfiguration.AIMDParameters
    /// The lowest limit.
    @usableFromInline package let minLimit: Int
    /// The highest limit.
    @usableFromInline package let maxLimit: Int
    /// The current limit.
    @usableFromInline package var limit: Int { currentLimit }
    /// Whether the limit is still in slow start (+1 per sample): until the first decrease.
    @usableFromInline package var isInSlowStart: Bool { slowStart }
    /// Samples counted towards the next +1 after slow start.
    @usableFromInline package var samplesTowardIncrease: Int { increaseCount }
    /// When the limit last decreased.
    @usableFromInline package var lastDecreaseAt: ClockOffset? { lastDecrease }

    @usableFromInline var currentLimit: Int
    @usableFromInline var slowStart = true
    @usableFromInline var increaseCount = 0
    @usableFromInline var lastDecrease: ClockOffset?
    @usableFromInline let backoff: ExactRatio

    /// An AIMD limit starting at `initialLimit`.
    /// - Throws: ``ConfigurationError`` naming the first invalid value (keys as in
    ///   ``ConcurrencyLimitConfiguration``).
    @usableFromInline package init(
        parameters: ConcurrencyLimitConfiguration.AIMDParameters = .init(),
        initialLimit: Int = 20,
        minLimit: Int = 1,
        maxLimit: Int = 200
    ) throws(ConfigurationError) {
        try ConcurrencyLimitConfiguration(
            algorithm: .aimd(parameters), initialLimit: initialLimit, minLimit: minLimit, maxLimit: maxLimit
        ).validateBounds()
        self.init(
            parameters: parameters, backoff: try parameters.exactBackoffRatio(), initialLimit: initialLimit,
            minLimit: minLimit, maxLimit: maxLimit)
    }

    /// An AIMD limit from parameters and bounds that passed validation.
    init(
        parameters: ConcurrencyLimitConfiguration.AIMDParameters, backoff: ExactRatio, initialLimit: Int,
        minLimit: Int, maxLimit: Int
    ) {
        self.parameters = parameters
        self.backoff = backoff
        self.minLimit = minLimit
        self.maxLimit = maxLimit
        self.currentLimit = initialLimit
    }

    /// Applies one sample and returns the new limit.
    /// - Parameters:
    ///   - rtt: how long the sampled call took.
    ///   - inFlight: the calls in flight when it was admitted, itself included.
    ///   - didDrop: whether it failed, timed out, or was otherwise dropped.
    ///   - now: when the sample is taken: the call started at `now − rtt`.
    @inlinable @discardableResult
    package mutating func update(rtt: Duration, inFlight: Int, didDrop: Bool, now: ClockOffset) -> Int {
        if didDrop || rtt > parameters.timeout {
            let startedAt = now.advanced(by: .zero - rtt)
            if let lastDecrease, startedAt < lastDecrease { return currentLimit }
            // ⌊limit × n / d⌋ < limit, since the ratio is below 1.
            let next = Int(Int128(currentLimit) * Int128(backoff.numerator) / Int128(backoff.denominator))
            currentLimit = min(maxLimit, max(minLimit, next))
            lastDecrease = now
            slowStart = false
            increaseCount = 0
        } else if inFlight * 2 >= currentLimit {
            if slowStart {
                currentLimit = min(maxLimit, currentLimit + 1)
            } else {
                increaseCount += 1
                if increaseCount >= currentLimit {
                    increaseCount = 0
                    currentLimit = min(maxLimit, currentLimit + 1)
                }
            }
        }
        return currentLimit
    }
}
