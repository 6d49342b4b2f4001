/// The logic of a retry budget, with no locks and no clock: how many retries a rolling window of
/// first attempts allows.
///
/// As in tower and Envoy (which Polly and resilience4j lack), retries may be at most a ratio of the
/// recent first attempts, plus a small floor so that low traffic can still retry:
///
///     allowed = ⌊ratio × first attempts in the window⌋ + ⌊minPerSecond × window in seconds⌋
///
/// and a retry is granted while the retries already granted in the window are fewer than `allowed`.
/// The window is a ring of 10 buckets of `window / 10`, counted from the budget's origin, like a
/// circuit breaker's time window: an event in bucket k counts while now < k·w + window. Exact integer
/// arithmetic throughout; time is a ``ClockOffset``, and buckets are counted from offset 0.
@usableFromInline package struct RetryBudgetStateMachine: Sendable {
    /// The validated limits of a budget.
    struct Limits: Sendable, Hashable {
        let ratio: ExactRatio
        /// ⌊minPerSecond × window in seconds⌋.
        let reserve: Int
        let window: Duration

        /// - Throws: ``ConfigurationError`` naming `budgetRatio`, `budgetMinPerSecond` or `budgetWindow`.
        init(ratio: Double, minPerSecond: Double, window: Duration) throws(ConfigurationError) {
            let places = "at most \(ExactRatio.maximumDecimalPlaces) decimal places"
            guard (0...1_000).contains(ratio), let exactRatio = ExactRatio(ratio) else {
                throw ConfigurationError(key: "budgetRatio", value: "\(ratio)", allowed: "0...1000, with \(places)")
            }
            guard (0...1_000_000).contains(minPerSecond), let floor = ExactRatio(minPerSecond) else {
                throw ConfigurationError(
                    key: "budgetMinPerSecond", value: "\(minPerSecond)", allowed: "0...1000000, with \(places)")
            }
            guard window >= .milliseconds(1), window <= .seconds(3_600) else {
                throw ConfigurationError(key: "budgetWindow", value: DurationText.format(window), allowed: "1ms...1h")
            }
            let attosecondsPerSecond: Int128 = 1_000_000_000_000_000_000
            self.ratio = exactRatio
            self.reserve = Int(
                Int128(floor.numerator) * window.attoseconds / (Int128(floor.denominator) * attosecondsPerSecond))
            self.window = window
        }
    }

    /// The number of buckets the window is divided into.
    @usableFromInline package static let buckets = 10

    var limits: Limits
    /// First attempts are counted as successful calls, granted retries as failed calls.
    var window: SlidingWindow

    /// A budget allowing `ratio` retries per first attempt plus `minPerSecond` retries per second, over
    /// a rolling `window`.
    /// - Throws: ``ConfigurationError`` naming `budgetRatio` (0...1000), `budgetMinPerSecond`
    ///   (0...1000000) or `budgetWindow` (1ms...1h).
    @usableFromInline package init(ratio: Double = 0.2, minPerSecond: Double = 10, window: Duration = .seconds(10)) throws(ConfigurationError) {
        self.init(limits: try Limits(ratio: ratio, minPerSecond: minPerSecond, window: window))
    }

    init(limits: Limits) {
        self.limits = limits
        window = SlidingWindow(spanAttoseconds: limits.window.attoseconds, buckets: Self.buckets)
    }

    /// Runs with new limits from `now` on (a hot reload): the first attempts and retries already
    /// counted stay counted. A new `window` re-counts each bucket's events as if they had happened when
    /// their bucket started (see the circuit breaker's time window): an event leaves the window no later
    /// than it would have, and events older than the new window are dropped. The new `ratio` and
    /// floor decide the next retry.
    /// - Throws: ``ConfigurationError`` naming `budgetRatio`, `budgetMinPerSecond` or `budgetWindow`;
    ///   nothing changes then.
    @usableFromInline package mutating func reconfigure(
        ratio: Double, minPerSecond: Double, window: Duration, now: ClockOffset
    ) throws(ConfigurationError) {
        reconfigure(try Limits(ratio: ratio, minPerSecond: minPerSecond, window: window), now: now)
    }

    mutating func reconfigure(_ limits: Limits, now: ClockOffset) {
        if limits.window != self.limits.window {
            window = window.carried(
                into: SlidingWindow(spanAttoseconds: limits.window.attoseconds, buckets: Self.buckets), now: now.attoseconds)
        }
        self.limits = limits
    }

    /// Counts `count` first attempts made at `now`.
    @usableFromInline package mutating func recordFirstAttempts(_ count: Int, now: ClockOffset) {
        precondition(count >= 0, "recordFirstAttempts: count must not be negative, got \(count)")
        window.advance(to: now.attoseconds)
        window.recordSuccesses(count)
    }

    /// Grants a retry at `now` if the budget allows one, and counts it.
    @usableFromInline package mutating func tryRetry(now: ClockOffset) -> Bool {
        guard remainingRetries(now: now) > 0 else { return false }
        window.record(failure: true, slow: false, now: now.attoseconds)
        return true
    }

    /// The retries the budget would still grant at `now`.
    @usableFromInline package mutating func remainingRetries(now: ClockOffset) -> Int {
        let counts = window.counts(now: now.attoseconds)
        let firstAttempts = counts.calls - counts.failures
        let ratio = limits.ratio
        let allowed = Int(Int128(firstAttempts) * Int128(ratio.numerator) / Int128(ratio.denominator)) + limits.reserve
        return max(0, allowed - counts.failures)
    }
}
