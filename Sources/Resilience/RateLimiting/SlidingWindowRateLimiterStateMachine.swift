import DequeModule

/// The whole logic of a sliding-window rate limiter, with no locks, no clock and no concurrency.
///
/// Every method takes the current instant `now` explicitly. ``SlidingWindowRateLimiter`` wraps it in
/// a lock and reads the clock; `resilience-lab` can drive it in virtual time.
///
/// **The guarantee, exact:** for every instant s, the calls going ahead in [s, s + `window`) take at
/// most `limit` permits (each call counted at the instant it goes ahead). Unlike a fixed window (which
/// lets 2 × `limit` through around a boundary) or a window of segments (which approximates), the
/// machine keeps the instant of every call of the last `window`.
///
/// **The rules.** A request for `cost` permits at `now`:
///
/// 1. is **admitted** if the calls of (`now` − `window`, `now`] took at most `limit` − `cost`
///    permits and nobody is waiting;
/// 2. else is **reserved** for the first instant t, not before any waiting call's instant, at which
///    the calls of (t − `window`, t] (waiting ones included) took at most `limit` − `cost` permits —
///    the instant the oldest permits in the way leave the window — if t is at most `maxWait` away;
/// 3. else is **rejected** with `retryAfter` = t − `now`, exact to the attosecond, and nothing
///    changes. Trying again exactly `retryAfter` later is admitted unless other calls took the permits
///    meanwhile.
///
/// A reservation handed back with ``returnReservation(_:now:)`` before its instant is removed as if it
/// had never been made (removing a call can never break the guarantee); waiting calls keep their
/// instants.
///
/// **Memory: O(`limit`).** One 32-byte entry per instant at which calls went ahead in the last
/// `window` (calls at the same instant share one), plus one per waiting call: at most
/// `limit` × (1 + ⌈`maxWait` / `window`⌉) entries, 320 KB for a limit of 10 000 without waiting. The
/// deque keeps its largest size. An admission is O(1) amortized; a rejection or reservation walks the
/// oldest entries until enough permits leave the window: O(1) for `cost` 1, O(`cost`) at most.
@usableFromInline
package struct SlidingWindowRateLimiterStateMachine: Sendable {
    @usableFromInline let limit: Int
    @usableFromInline let windowAttoseconds: Int128
    @usableFromInline let maxWaitAttoseconds: Int128
    /// The configuration the machine runs with.
    @usableFromInline package let configuration: SlidingWindowRateLimiterConfiguration
    /// Permits taken in the last `window` and by waiting calls, in instant order.
    @usableFromInline var entries: Deque<PermitBooking> = []
    /// The sum of `entries`' counts.
    @usableFromInline var taken = 0
    @usableFromInline var lastReservationID: UInt64 = 0
    /// The latest `now` of a request.
    @usableFromInline var latest: Int128 = 0

    /// An empty window.
    /// - Throws: ``ConfigurationError`` when `configuration` is invalid.
    @usableFromInline package init(configuration: SlidingWindowRateLimiterConfiguration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        limit = configuration.limit
        windowAttoseconds = configuration.window.attoseconds
        maxWaitAttoseconds = configuration.maxWait.attoseconds
    }

    // MARK: - Acquiring

    /// Decides a request for `cost` permits at `now` (see the rules above).
    /// - Parameters:
    ///   - cost: the number of permits, in 1...`limit`.
    ///   - maxWait: the longest the call may wait; `nil` for the configuration's `maxWait`.
    /// - Throws: ``RateLimitCostError`` when `cost` is out of range; nothing changes.
    @inlinable
    package mutating func acquire(
        cost: Int = 1, now: ClockOffset, maxWait: Duration? = nil
    ) throws(RateLimitCostError) -> RateLimitDecision {
        guard cost >= 1, cost <= limit else { throw RateLimitCostError(cost: cost, maximumCost: limit) }
        let maxWait = maxWait?.attoseconds ?? maxWaitAttoseconds
        // Time never goes back for the machine: a shell reads its clock before taking its lock, so a
        // request may arrive with an instant slightly before one already decided.
        let now = max(now.attoseconds, latest)
        latest = now
        forget(through: now)
        var start = now
        if let last = entries.last, last.offset > start { start = last.offset }
        let excess = taken + cost - limit
        if excess > 0 {
            // The oldest permits must leave the window first: the entry that frees the last of them
            // leaves it `window` after its instant.
            var freed = 0
            for entry in entries {
                freed += entry.permits
                if freed >= excess {
                    start = max(start, entry.offset + windowAttoseconds)
                    break
                }
            }
        }
        if start == now {
            // Nobody is waiting (a waiter's instant is after `now`).
            taken += cost
            if let last = entries.last, last.offset == now, last.reservation == 0 {
                entries[entries.count - 1].permits += cost
            } else {
                entries.append(PermitBooking(offset: now, permits: cost, reservation: 0))
            }
            return .admitted
        }
        let delay = start - now
        guard delay <= maxWait else { return .rejected(retryAfter: Duration(attoseconds: delay)) }
        lastReservationID += 1
        taken += cost
        entries.append(PermitBooking(offset: start, permits: cost, reservation: lastReservationID))
        return .reserved(
            RateLimitReservation(
                id: lastReservationID, cost: cost, delay: Duration(attoseconds: delay),
                readyAt: ClockOffset(attoseconds: start)))
    }

    /// Hands back a reservation whose call will not go ahead: it is removed as if it had never been
    /// made.
    /// - Returns: whether it was returned; `false` when it is unknown to this machine or its instant
    ///   has left the window already.
    @discardableResult
    @usableFromInline package mutating func returnReservation(_ reservation: RateLimitReservation, now: ClockOffset) -> Bool {
        // Reservations are the newest entries: search from the back.
        guard let index = entries.lastIndex(where: { $0.reservation == reservation.id }) else { return false }
        taken -= entries[index].permits
        entries.remove(at: index)
        forget(through: now.attoseconds)
        return true
    }

    // MARK: - Reading

    /// The permits a call could take at `now` without waiting: `limit` minus those taken in
    /// (`now` − `window`, `now`] and by waiting calls (0 while calls wait).
    @usableFromInline package func availablePermits(now: ClockOffset) -> Int {
        let cutoff = now.attoseconds - windowAttoseconds
        var counted = 0
        for entry in entries where entry.offset > cutoff { counted += entry.permits }
        return max(0, limit - counted)
    }

    /// The number of entries held (see the memory note above).
    @usableFromInline package var entryCount: Int { entries.count }

    // MARK: - Internals

    /// Drops the entries that no window containing `now` or a later instant can hold.
    @inlinable
    mutating func forget(through now: Int128) {
        let cutoff = now - windowAttoseconds
        while let first = entries.first, first.offset <= cutoff {
            taken -= first.permits
            entries.removeFirst()
        }
    }
}
