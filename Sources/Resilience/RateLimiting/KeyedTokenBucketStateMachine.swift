/// The logic of a keyed rate limiter: one `TokenBucketStateMachine` per key, in bounded memory, with
/// no locks, no clock and no concurrency.
///
/// **Expiry that changes nothing.** A key's bucket is dropped only once it is full again with nobody
/// waiting: it then behaves exactly like the new, full bucket the key would get if it came back, so
/// dropping it never gives a key more (or fewer) permits than one bucket that was never dropped.
/// Dropping happens in sweeps, which run after as many requests as there are keys (at least 64: O(1)
/// amortized per request) and when a new key arrives at the bound.
///
/// **At the bound (`maxKeys`).** When a new key arrives while `maxKeys` keys are held and a sweep frees
/// none (every bucket is still refilling or has waiters), the request is **rejected** with
/// ``ResilienceError/Code/rateLimited`` and `retryAfter` = the time until the first held bucket is
/// full again (and can be dropped). Keys already held are served as usual. Nothing is evicted early,
/// so no key ever gets a free burst; the price is that new keys wait while the table is full of active
/// keys. These rejections are counted (``keyLimitRejections``, and the metric
/// `resilience_rate_limiter_key_limit_rejections_total`); size `maxKeys` above the number of keys active
/// within one refill time (`burst` / `permitsPerSecond`). Between a failed sweep and that instant, new
/// keys are rejected without sweeping again (O(1)).
///
/// All buckets share one origin and one configuration.
@usableFromInline
package struct KeyedTokenBucketStateMachine<Key: Hashable & Sendable>: Sendable {
    @usableFromInline var settings: TokenBucketSettings
    @usableFromInline var maxKeys: Int
    @usableFromInline var buckets: [Key: TokenBucketStateMachine] = [:]
    /// Requests since the last sweep.
    @usableFromInline var requestsSinceSweep = 0
    /// Set by a sweep: the first instant a held bucket can be full again. Reset when a key is added or a
    /// reservation returned, after which it may be too late.
    @usableFromInline var fullUntil: Int128?
    /// Keys to drop, kept between sweeps so that a sweep allocates only when it needs more room.
    @usableFromInline var sweepScratch: [Key] = []

    /// Buckets dropped because they were full again (expired keys), since creation.
    @usableFromInline package private(set) var droppedKeys = 0
    /// Requests of new keys rejected because `maxKeys` keys were held and none could be dropped.
    @usableFromInline package private(set) var keyLimitRejections = 0
    /// Such rejections since a new key was last added (1 for the first of a run).
    @usableFromInline package private(set) var consecutiveKeyLimitRejections = 0

    /// Sweeps run after at least this many requests (and after as many requests as there are keys).
    @usableFromInline package static var minimumRequestsBetweenSweeps: Int { 64 }

    /// The configuration the machine runs with.
    @usableFromInline package private(set) var configuration: KeyedRateLimiterConfiguration

    /// No keys yet.
    /// - Throws: ``ConfigurationError`` when `configuration` is invalid.
    @usableFromInline package init(configuration: KeyedRateLimiterConfiguration) throws(ConfigurationError) {
        try configuration.validate()
        self.configuration = configuration
        settings = TokenBucketSettings(validated: try ValidatedRateLimiterConfiguration(configuration.bucket))
        maxKeys = configuration.maxKeys
    }

    // MARK: - Acquiring

    /// Decides a request for `cost` permits of `key`'s bucket at `now` (see
    /// `TokenBucketStateMachine` for the rules, and above for the bound).
    /// - Parameter maxWait: the longest the call may wait; `nil` for the configuration's `maxWait`.
    /// - Returns: the decision, and whether it is a rejection at the key bound (rather than `key`'s
    ///   bucket lacking permits).
    /// - Throws: ``RateLimitCostError`` when `cost` is out of range; nothing changes.
    @inlinable
    package mutating func acquire(
        key: Key, cost: Int = 1, now: ClockOffset, maxWait: Duration? = nil
    ) throws(RateLimitCostError) -> (decision: RateLimitDecision, atKeyLimit: Bool) {
        requestsSinceSweep += 1
        if requestsSinceSweep >= max(buckets.count, Self.minimumRequestsBetweenSweeps) { sweep(at: now.attoseconds) }
        if let index = buckets.index(forKey: key) {
            return (try buckets.values[index].acquire(cost: cost, now: now, maxWait: maxWait), false)
        }
        return try acquireForNewKey(key, cost: cost, now: now, maxWait: maxWait)
    }

    @usableFromInline
    mutating func acquireForNewKey(
        _ key: Key, cost: Int, now: ClockOffset, maxWait: Duration?
    ) throws(RateLimitCostError) -> (decision: RateLimitDecision, atKeyLimit: Bool) {
        let now = now.attoseconds
        let maximumCost = settings.validated.maximumCost
        guard cost >= 1, cost <= maximumCost else { throw RateLimitCostError(cost: cost, maximumCost: maximumCost) }
        if buckets.count >= maxKeys {
            // While the table is at the bound no key is added, and buckets only get emptier (a return
            // resets `fullUntil`), so no bucket can be dropped before `fullUntil`: no need to sweep.
            if !(fullUntil.map { now < $0 } ?? false) { sweep(at: now) }
            if buckets.count >= maxKeys {
                keyLimitRejections += 1
                consecutiveKeyLimitRejections += 1
                // `sweep` set `fullUntil` (the table is not empty: maxKeys ≥ 1).
                let retryAfter = (fullUntil ?? now) - now
                return (.rejected(retryAfter: Duration(attoseconds: retryAfter)), true)
            }
        }
        var bucket = TokenBucketStateMachine(settings: settings, now: ClockOffset(attoseconds: now))
        let decision = try bucket.acquire(cost: cost, now: ClockOffset(attoseconds: now), maxWait: maxWait)
        buckets[key] = bucket
        fullUntil = nil
        consecutiveKeyLimitRejections = 0
        return (decision, false)
    }

    /// Hands back a reservation of `key` whose call will not go ahead (see
    /// `TokenBucketStateMachine/returnReservation(_:now:)`).
    /// - Returns: whether it was returned.
    @discardableResult
    @usableFromInline package mutating func returnReservation(_ reservation: RateLimitReservation, key: Key, now: ClockOffset) -> Bool {
        // A bucket with a waiter is not full, so it has not been dropped.
        guard let index = buckets.index(forKey: key) else { return false }
        fullUntil = nil  // the bucket is fuller: it may be dropped sooner
        return buckets.values[index].returnReservation(reservation, now: now)
    }

    // MARK: - Reconfiguring

    /// Runs with `configuration` from `now` on, keeping every key's bucket (a hot reload): each keeps
    /// the permits it lacks, at most the new `burst`, added back at the new rate, and its waiting calls
    /// keep their instants (see `TokenBucketStateMachine`). A smaller `maxKeys` drops the buckets that
    /// are full at `now`, as a sweep does; if more keys than the new bound are still held, none is
    /// dropped early (no key gets a free burst): new keys are rejected until enough buckets refill.
    /// - Throws: ``ConfigurationError`` naming the invalid key; nothing changes then.
    @usableFromInline package mutating func reconfigure(
        _ configuration: KeyedRateLimiterConfiguration, now: ClockOffset
    ) throws(ConfigurationError) {
        try configuration.validate()
        let settings = TokenBucketSettings(validated: try ValidatedRateLimiterConfiguration(configuration.bucket))
        self.configuration = configuration
        self.settings = settings
        maxKeys = configuration.maxKeys
        for index in buckets.values.indices { buckets.values[index].reconfigure(settings, now: now) }
        fullUntil = nil
        if buckets.count > maxKeys { sweep(at: now.attoseconds) }
    }

    // MARK: - Reading

    /// The number of keys held.
    @usableFromInline package var keyCount: Int { buckets.count }

    /// The bucket of `key`, if held (a copy, for inspection).
    @usableFromInline package func bucket(for key: Key) -> TokenBucketStateMachine? { buckets[key] }

    /// Drops every bucket that is full at `now` (see above); the next sweep also does.
    @usableFromInline package mutating func sweep(now: ClockOffset) {
        sweep(at: now.attoseconds)
    }

    // MARK: - Internals

    /// Drops the buckets that are full at `now`, and notes when the first remaining one will be.
    @usableFromInline
    mutating func sweep(at now: Int128) {
        requestsSinceSweep = 0
        var earliestFull: Int128?
        sweepScratch.removeAll(keepingCapacity: true)
        for (key, bucket) in buckets {
            if bucket.isFull(at: now) {
                sweepScratch.append(key)
            } else {
                let full = bucket.fullAtCeiling
                if earliestFull.map({ full < $0 }) ?? true { earliestFull = full }
            }
        }
        for key in sweepScratch { buckets[key] = nil }
        droppedKeys += sweepScratch.count
        sweepScratch.removeAll(keepingCapacity: true)
        fullUntil = earliestFull
    }
}

extension KeyedTokenBucketStateMachine: RateLimitStateMachine {
    /// ``acquire(key:cost:now:maxWait:)``, with the change of the key table for telemetry.
    @inlinable
    package mutating func admit(
        key: Key, cost: Int, now: ClockOffset, maxWait: Duration?
    ) throws(RateLimitCostError) -> RateLimitAdmission {
        let keys = keyCount
        let (decision, atKeyLimit) = try acquire(key: key, cost: cost, now: now, maxWait: maxWait)
        guard atKeyLimit || keyCount != keys else { return RateLimitAdmission(decision: decision) }
        return RateLimitAdmission(decision: decision, keyTableChange: RateLimitAdmission.KeyTableChange(
            keyCount: keyCount, maxKeys: maxKeys, atKeyLimit: atKeyLimit,
            firstAtKeyLimit: consecutiveKeyLimitRejections == 1))
    }
}
