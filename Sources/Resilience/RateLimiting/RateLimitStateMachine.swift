/// What ``RateLimitShell`` needs of a rate limiter's state machine: take permits from a bucket at an
/// instant, and take back a reservation whose call will not go ahead. The token bucket, the sliding
/// window and the keyed token bucket conform, so the three public rate limiters share one shell.
@usableFromInline
package protocol RateLimitStateMachine: Sendable {
    /// Which bucket a request draws from: `Void` for a limiter with one bucket.
    associatedtype Key

    /// Decides a request for `cost` permits of `key`'s bucket at `now`, waiting at most `maxWait`
    /// (`nil`: the configuration's `maxWait`); with the change of the key table the request made, when
    /// the machine has one.
    /// - Throws: ``RateLimitCostError`` when `cost` is out of range; nothing changes.
    mutating func admit(
        key: Key, cost: Int, now: ClockOffset, maxWait: Duration?
    ) throws(RateLimitCostError) -> RateLimitAdmission

    /// Hands back a reservation of `key` whose call will not go ahead; returns whether it was taken back.
    mutating func returnReservation(_ reservation: RateLimitReservation, key: Key, now: ClockOffset) -> Bool
}

/// A rate limiter's state machine with a single bucket: its `acquire(cost:now:maxWait:)` and
/// `returnReservation(_:now:)` serve as ``RateLimitStateMachine``'s requirements, with no key.
@usableFromInline
package protocol SingleBucketRateLimitStateMachine: RateLimitStateMachine where Key == Void {
    mutating func acquire(cost: Int, now: ClockOffset, maxWait: Duration?) throws(RateLimitCostError) -> RateLimitDecision
    mutating func returnReservation(_ reservation: RateLimitReservation, now: ClockOffset) -> Bool
}

extension SingleBucketRateLimitStateMachine {
    @inlinable
    package mutating func admit(
        key: Void, cost: Int, now: ClockOffset, maxWait: Duration?
    ) throws(RateLimitCostError) -> RateLimitAdmission {
        RateLimitAdmission(decision: try acquire(cost: cost, now: now, maxWait: maxWait))
    }

    @inlinable
    package mutating func returnReservation(_ reservation: RateLimitReservation, key: Void, now: ClockOffset) -> Bool {
        returnReservation(reservation, now: now)
    }
}

extension TokenBucketStateMachine: SingleBucketRateLimitStateMachine {}
extension SlidingWindowRateLimiterStateMachine: SingleBucketRateLimitStateMachine {}

/// A rate limiter state machine's answer to one request: the decision, and for a keyed machine the
/// change of its key table that the shell reports to telemetry.
@usableFromInline
package struct RateLimitAdmission: Sendable {
    /// A change of a keyed limiter's key table seen by one request.
    @usableFromInline
    package struct KeyTableChange: Sendable, Hashable {
        /// The keys held after the request.
        @usableFromInline package let keyCount: Int
        /// The bound on keys.
        @usableFromInline package let maxKeys: Int
        /// The request was a new key's, rejected at `maxKeys`.
        @usableFromInline package let atKeyLimit: Bool
        /// ... and the first such rejection since the table last had room.
        @usableFromInline package let firstAtKeyLimit: Bool

        @inlinable
        package init(keyCount: Int, maxKeys: Int, atKeyLimit: Bool, firstAtKeyLimit: Bool) {
            self.keyCount = keyCount
            self.maxKeys = maxKeys
            self.atKeyLimit = atKeyLimit
            self.firstAtKeyLimit = firstAtKeyLimit
        }
    }

    @usableFromInline package let decision: RateLimitDecision
    /// `nil` when the key table did not change (always, for a single bucket).
    @usableFromInline package let keyTableChange: KeyTableChange?

    @inlinable
    package init(decision: RateLimitDecision, keyTableChange: KeyTableChange? = nil) {
        self.decision = decision
        self.keyTableChange = keyTableChange
    }
}
