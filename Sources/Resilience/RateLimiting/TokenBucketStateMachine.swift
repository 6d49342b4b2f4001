import DequeModule

/// The whole logic of a token-bucket rate limiter, with no locks, no clock and no concurrency.
///
/// Every method takes the current instant `now` explicitly. ``RateLimiter`` wraps it in a lock and
/// reads the clock; `KeyedTokenBucketStateMachine` keeps one per key; `resilience-lab` can drive it in
/// virtual time.
///
/// **The rules.** The bucket holds up to `burst` permits and starts full; permits are added
/// continuously at `permitsPerSecond` (computed from the elapsed time, no timer). A request for `cost`
/// permits at `now`:
///
/// 1. is **admitted** if the bucket holds `cost` permits and nobody is waiting: they are taken;
/// 2. else is **reserved** for the first instant at which the bucket will hold `cost` permits after
///    every call already waiting has taken theirs, if that instant is at most `maxWait` away: the
///    permits are counted as taken from now on (waiters are served in arrival order; a later request
///    never gets an earlier instant than a waiting one);
/// 3. else is **rejected** with `retryAfter` = that instant − `now`, and nothing changes. Trying again
///    exactly `retryAfter` later is admitted unless other calls took the permits meanwhile.
///
/// A reservation handed back with ``returnReservation(_:now:)`` before its instant is removed as if it
/// had never been made: the calls waiting behind it keep their instants, and later requests may use the
/// permits it held, as far as the bucket can hold them while those calls wait. (With `burst` 1 and
/// another call waiting behind it, a returned permit cannot be kept for anyone: the bucket is already
/// full at that instant.)
///
/// **Exactness.** This is GCRA (the generic cell rate algorithm): the state is the instant at which
/// the bucket will be full again, kept as an `ExactSpan` (attoseconds plus an exact fraction), so
/// fractional rates do not drift: at 3 permits per second with burst 2, callers that each wait their
/// `retryAfter` after emptying the bucket go at exactly ⌈k/3 s⌉, the 3 000th at 1 000 s. Instants given
/// out (reservations, `retryAfter`) are rounded **up** to the next attosecond, so waiting for them is
/// never early. (With `burst` equal to the cost, a call arriving at such a rounded-up instant finds the
/// bucket at its cap, which discards the rounding, under 1 attosecond per call: the price of never
/// exceeding the rate.) In any interval of length L the machine admits at most `burst` + L ×
/// `permitsPerSecond` permits (counting each call at the instant it may go ahead), exactly.
///
/// **Cost.** An admission with nobody waiting is a few 128-bit additions and comparisons, no
/// allocation. Reservations are kept in a deque (memory: one 32-byte ``PermitBooking`` per waiting call);
/// returning one costs O(waiting calls).
@usableFromInline
package struct TokenBucketStateMachine: Sendable {
    @usableFromInline var settings: TokenBucketSettings
    /// The instant (since the origin) at which the bucket is full again, counting the calls that have
    /// gone ahead (those admitted, and those reserved whose instant has come).
    @usableFromInline var settledFullAt: ExactSpan
    /// The same counting every waiting call's permits too: the instant the bucket will be full if no more
    /// calls come. Equal to `settledFullAt` when nobody is waiting.
    @usableFromInline var fullAt: ExactSpan
    /// Calls waiting for their instant, in instant order (which is also `id` order).
    @usableFromInline var waiters: Deque<PermitBooking> = []
    @usableFromInline var lastReservationID: UInt64 = 0

    /// The configuration the machine runs with.
    @usableFromInline package var configuration: RateLimiterConfiguration { settings.validated.raw }

    /// A full bucket at offset zero.
    /// - Throws: ``ConfigurationError`` when `configuration` is invalid.
    @usableFromInline package init(configuration: RateLimiterConfiguration) throws(ConfigurationError) {
        self.init(settings: TokenBucketSettings(validated: try ValidatedRateLimiterConfiguration(configuration)), now: .zero)
    }

    /// A full bucket at `now`.
    @inlinable
    init(settings: TokenBucketSettings, now: ClockOffset) {
        self.settings = settings
        settledFullAt = ExactSpan(attoseconds: now.attoseconds)
        fullAt = settledFullAt
    }

    // MARK: - Acquiring

    /// Decides a request for `cost` permits at `now` (see the rules above).
    /// - Parameters:
    ///   - cost: the number of permits, in 1...⌊`burst`⌋.
    ///   - maxWait: the longest the call may wait; `nil` for the configuration's `maxWait`.
    /// - Throws: ``RateLimitCostError`` when `cost` is out of range; nothing changes.
    @inlinable
    package mutating func acquire(
        cost: Int = 1, now: ClockOffset, maxWait: Duration? = nil
    ) throws(RateLimitCostError) -> RateLimitDecision {
        let validated = settings.validated
        let maxWait = maxWait?.attoseconds ?? validated.maxWaitAttoseconds
        let now = now.attoseconds
        guard cost >= 1, cost <= validated.maximumCost else {
            throw RateLimitCostError(cost: cost, maximumCost: validated.maximumCost)
        }
        if !waiters.isEmpty { settle(through: now) }
        let span = validated.span(ofCost: cost)
        // The bucket holds `cost` permits once it lacks at most burst − cost, i.e. at
        // fullAt − (burst − cost) permits' time.
        var start = fullAt.adding(span, denominator: validated.denominator)
            .subtracting(validated.capacity, denominator: validated.denominator).ceiling
        // Waiters are served in arrival order: never before the last one. (After `settle`, a waiter's
        // instant is after `now`, so a call is admitted at once only when nobody waits.)
        if let last = waiters.last, last.offset > start { start = last.offset }
        if start <= now {
            fullAt = fullAt.atLeast(now).adding(span, denominator: validated.denominator)
            settledFullAt = fullAt
            return .admitted
        }
        let delay = start - now
        guard delay <= maxWait else { return .rejected(retryAfter: Duration(attoseconds: delay)) }
        lastReservationID += 1
        waiters.append(PermitBooking(offset: start, permits: cost, reservation: lastReservationID))
        fullAt = fullAt.atLeast(start).adding(span, denominator: validated.denominator)
        return .reserved(
            RateLimitReservation(
                id: lastReservationID, cost: cost, delay: Duration(attoseconds: delay),
                readyAt: ClockOffset(attoseconds: start)))
    }

    /// Hands back a reservation whose call will not go ahead (for example, because it was cancelled while
    /// waiting): it is removed as if it had never been made (see the rules above).
    /// - Returns: whether it was returned; `false` when it is unknown to this machine or was already
    ///   settled (a request or read at or after its instant counted it as gone ahead).
    @discardableResult
    @usableFromInline package mutating func returnReservation(_ reservation: RateLimitReservation, now: ClockOffset) -> Bool {
        guard let index = waiters.firstIndex(where: { $0.reservation == reservation.id }) else { return false }
        waiters.remove(at: index)
        // The calls behind it keep their instants; the bucket's future is recomputed without it.
        fullAt = settledFullAt
        for waiter in waiters { fullAt = add(waiter, to: fullAt) }
        settle(through: now.attoseconds)
        return true
    }

    // MARK: - Reconfiguring

    /// Runs with `settings` (a new rate, burst or `maxWait`) from `now` on, keeping what the bucket has
    /// given (a hot reload): the permits it lacks at `now`, not counting the waiting calls', stay
    /// lacking (at most the new `burst`) and are added back at the new rate, so a drained bucket stays
    /// drained and a full one stays full. The conversion goes through a `Double` and is rounded up to
    /// the attosecond, so it never grants a permit more. Calls already waiting keep their instants
    /// (their permits were promised) and count against the bucket at the new rate.
    /// ``reconfigure(_:now:)`` with a configuration to validate first.
    /// - Throws: ``ConfigurationError`` naming the invalid key; nothing changes then.
    @usableFromInline package mutating func reconfigure(_ configuration: RateLimiterConfiguration, now: ClockOffset) throws(ConfigurationError) {
        reconfigure(TokenBucketSettings(validated: try ValidatedRateLimiterConfiguration(configuration)), now: now)
    }

    mutating func reconfigure(_ settings: TokenBucketSettings, now: ClockOffset) {
        let now = now.attoseconds
        settle(through: now)
        let old = self.settings.validated
        let new = settings.validated
        self.settings = settings
        // The same rate and burst: the bucket is exactly as it was (only `maxWait` may differ).
        guard old.raw.permitsPerSecond != new.raw.permitsPerSecond || old.raw.burst != new.raw.burst else { return }
        let lacking = settledFullAt.subtracting(ExactSpan(attoseconds: now), denominator: old.denominator)
        if lacking.whole < 0 {
            settledFullAt = ExactSpan(attoseconds: now)
        } else {
            let permits = lacking.attosecondsApproximately(denominator: old.denominator)
                / old.perPermit.attosecondsApproximately(denominator: old.denominator)
            let span = permits * new.perPermit.attosecondsApproximately(denominator: new.denominator)
            let capacity = new.capacity.attosecondsApproximately(denominator: new.denominator)
            settledFullAt = span >= capacity
                ? ExactSpan(attoseconds: now).adding(new.capacity, denominator: new.denominator)
                : ExactSpan(attoseconds: now + Int128(span.rounded(.up)))
        }
        fullAt = settledFullAt
        for waiter in waiters { fullAt = add(waiter, to: fullAt) }
    }

    // MARK: - Reading

    /// The permits in the bucket at `now`, counting waiting calls' permits as taken (so it is negative
    /// while calls wait). An approximation for display; decisions never use it.
    @usableFromInline package func availablePermits(now: ClockOffset) -> Double {
        let validated = settings.validated
        let lacking = fullAt.subtracting(ExactSpan(attoseconds: now.attoseconds), denominator: validated.denominator)
        guard lacking.whole >= 0 else { return validated.raw.burst }
        let perPermit = validated.perPermit.attosecondsApproximately(denominator: validated.denominator)
        return validated.raw.burst - lacking.attosecondsApproximately(denominator: validated.denominator) / perPermit
    }

    /// The number of reservations whose instant is after `now`.
    @usableFromInline package func waitingCount(now: ClockOffset) -> Int {
        waiters.reversed().prefix { $0.offset > now.attoseconds }.count
    }

    /// Whether the bucket is full at `now` (attoseconds) with nobody waiting: then it behaves exactly
    /// like a new bucket, and a keyed limiter may drop it.
    @inlinable
    func isFull(at now: Int128) -> Bool { fullAt.isAtMost(now) }

    /// The first instant (attoseconds, rounded up) at which the bucket is full again if no more calls
    /// come.
    @inlinable
    var fullAtCeiling: Int128 { fullAt.ceiling }

    // MARK: - Internals

    /// Counts the waiters whose instant has come as gone ahead.
    @inlinable
    mutating func settle(through now: Int128) {
        while let first = waiters.first, first.offset <= now {
            settledFullAt = add(first, to: settledFullAt)
            waiters.removeFirst()
        }
    }

    /// GCRA's step: the full-at instant after `waiter`'s call goes ahead at its instant.
    @inlinable
    func add(_ waiter: PermitBooking, to fullAt: ExactSpan) -> ExactSpan {
        fullAt.atLeast(waiter.offset).adding(
            settings.validated.span(ofCost: waiter.permits), denominator: settings.validated.denominator)
    }
}

/// What every bucket of one limiter shares: the validated configuration. A class, so that a keyed
/// limiter's buckets hold one reference each rather than a copy.
@usableFromInline
final class TokenBucketSettings: Sendable {
    @usableFromInline let validated: ValidatedRateLimiterConfiguration

    @usableFromInline
    init(validated: ValidatedRateLimiterConfiguration) {
        self.validated = validated
    }
}
