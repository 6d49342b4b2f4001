/// What a rate limiter's state machine decided for one request for permits.
///
/// Returned by `TokenBucketStateMachine/acquire(cost:now:maxWait:)`,
/// `KeyedTokenBucketStateMachine/acquire(key:cost:now:maxWait:)` and
/// `SlidingWindowRateLimiterStateMachine/acquire(cost:now:maxWait:)`.
@usableFromInline
package enum RateLimitDecision: Sendable, Hashable {
    /// The permits are taken: the call may go ahead now.
    case admitted
    /// The permits are booked for a later instant (within the allowed wait): the call may go ahead once
    /// ``RateLimitReservation/delay`` has passed. If it will not go ahead after all (it was cancelled),
    /// hand the reservation back with the state machine's `returnReservation(_:now:)`.
    case reserved(RateLimitReservation)
    /// No permits now, and not within the allowed wait. Nothing was taken. Trying again exactly
    /// `retryAfter` later succeeds, unless other calls took the permits meanwhile.
    case rejected(retryAfter: Duration)
}

/// Permits booked for a later instant by a rate limiter's state machine (see
/// ``RateLimitDecision/reserved(_:)``).
///
/// Until that instant the permits are counted as taken; returning the reservation before then gives
/// them back as if it had never been made.
@usableFromInline
package struct RateLimitReservation: Sendable, Hashable, CustomStringConvertible {
    /// Identifies the reservation within its state machine (for a keyed machine: within its key).
    @usableFromInline package let id: UInt64
    /// The number of permits booked.
    @usableFromInline package let cost: Int
    /// How long after the `now` of the request the call may go ahead.
    @usableFromInline package let delay: Duration
    /// The instant the call may go ahead.
    @usableFromInline package let readyAt: ClockOffset

    @inlinable
    init(id: UInt64, cost: Int, delay: Duration, readyAt: ClockOffset) {
        self.id = id
        self.cost = cost
        self.delay = delay
        self.readyAt = readyAt
    }

    @usableFromInline package var description: String {
        "RateLimitReservation(id: \(id), cost: \(cost), delay: \(DurationText.format(delay)))"
    }
}
