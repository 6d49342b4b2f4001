/// The calls a circuit breaker remembers: the last N calls, or the calls of a rolling time span.
///
/// - Count mode keeps the last `size` recorded calls in a ring.
/// - Time mode divides time, counted from the origin, into buckets of width `w = span / buckets`; an
///   outcome recorded in bucket `k` (the interval `[k·w, (k+1)·w)`) counts while `now < k·w + span`.
///   The ring holds one slot per bucket that can be live at once (`buckets + 1` when `span` divides
///   evenly), so memory is O(buckets), and recording costs one comparison unless a bucket boundary
///   was crossed (no division per call).
///
/// Pure: no locks, no clock. Time is the number of attoseconds elapsed since the window's origin (as
/// `Duration.attoseconds` gives it): exact, and integer comparisons inline, where `Duration`'s operators
/// are calls into the runtime.
@usableFromInline
struct SlidingWindow: Sendable {
    /// Counts of calls, failures and slow calls.
    @usableFromInline
    struct Counts: Sendable, Hashable {
        @usableFromInline var calls = 0
        @usableFromInline var failures = 0
        @usableFromInline var slowCalls = 0

        @inlinable init() {}

        /// The counts of one call.
        @inlinable
        init(failure: Bool, slow: Bool) {
            calls = 1
            failures = failure ? 1 : 0
            slowCalls = slow ? 1 : 0
        }

        @inlinable
        mutating func subtract(_ other: Counts) {
            calls &-= other.calls
            failures &-= other.failures
            slowCalls &-= other.slowCalls
        }
    }

    @usableFromInline
    enum Mode: Sendable {
        case count(size: Int)
        /// Bucket width and span, in attoseconds.
        case time(width: Int128, span: Int128)
    }

    @usableFromInline let mode: Mode
    /// Count mode: one entry per call. Time mode: one entry per bucket, slot `k % slots.count`.
    @usableFromInline var slots: [Counts]
    /// The sum of the live slots.
    @usableFromInline private(set) var totals = Counts()

    // Count mode: the slot the next call goes to.
    @usableFromInline var nextSlot = 0

    // Time mode, in attoseconds since the origin: the newest bucket index, its slot and where it ends;
    // the oldest bucket that may still hold counts, its slot and the instant at which it expires; and
    // the earliest instant at which `advance(to:)` has anything to do. Slots are tracked alongside the
    // indices so that no 128-bit division happens per call.
    @usableFromInline var newestBucket: Int128 = 0
    @usableFromInline var newestSlot = 0
    @usableFromInline var newestBucketEnd: Int128 = 0
    @usableFromInline var oldestBucket: Int128 = 0
    @usableFromInline var oldestSlot = 0
    @usableFromInline var oldestBucketExpiry: Int128 = 0
    @usableFromInline var nextBoundary: Int128 = 0

    /// A window of the last `size` calls.
    init(size: Int) {
        mode = .count(size: size)
        slots = Array(repeating: Counts(), count: size)
    }

    /// A rolling window of `span` attoseconds in `buckets` buckets, counted from the origin (time 0).
    /// `span / buckets` must be at least 1.
    init(spanAttoseconds span: Int128, buckets: Int) {
        let width = span / Int128(buckets)
        mode = .time(width: width, span: span)
        // Bucket k is live while now < k·w + span, and now ≥ c·w in the current bucket c, so the live
        // buckets are those with k > c − span/w: at most ceil(span / w) + 1 of them.
        let live = (span + width - 1) / width + 1
        slots = Array(repeating: Counts(), count: Int(live))
        newestBucketEnd = width
        oldestBucketExpiry = span
        nextBoundary = width
    }

    /// Checks the keys of a time window: `samplingDuration` > 0, `windowBuckets` in
    /// 1...``CircuitBreakerConfiguration/maximumWindowBuckets``, and at least 1 ns per bucket.
    static func validateTimeWindow(samplingDuration: Duration, buckets: Int) throws(ConfigurationError) {
        try ConfigurationError.checkPositive(samplingDuration, "samplingDuration")
        let maximum = CircuitBreakerConfiguration.maximumWindowBuckets
        try ConfigurationError.check((1...maximum).contains(buckets), "windowBuckets", "\(buckets)", "1...\(maximum)")
        try ConfigurationError.check(
            samplingDuration / buckets >= .nanoseconds(1),
            "samplingDuration", DurationText.format(samplingDuration),
            "at least 1ns per bucket (windowBuckets = \(buckets))")
    }

    /// Whether recording needs the current instant (time mode) or not (count mode).
    @inlinable
    var isTimeBased: Bool {
        if case .time = mode { return true }
        return false
    }

    /// Records one call at `now` (which a count window ignores).
    @inlinable
    mutating func record(failure: Bool, slow: Bool, now: Int128) {
        guard isTimeBased else { return recordInCountMode(failure: failure, slow: slow) }
        advance(to: now)
        let slot = newestSlot
        slots[slot].calls &+= 1
        totals.calls &+= 1
        if failure {
            slots[slot].failures &+= 1
            totals.failures &+= 1
        }
        if slow {
            slots[slot].slowCalls &+= 1
            totals.slowCalls &+= 1
        }
    }

    /// Records one call in a count window, which needs no instant.
    @inlinable
    mutating func recordInCountMode(failure: Bool, slow: Bool) {
        guard case .count(let size) = mode else { return }
        let leaving = slots[nextSlot]
        totals.calls &+= 1 &- leaving.calls
        totals.failures &+= (failure ? 1 : 0) &- leaving.failures
        totals.slowCalls &+= (slow ? 1 : 0) &- leaving.slowCalls
        slots[nextSlot] = Counts(failure: failure, slow: slow)
        nextSlot = nextSlot &+ 1 == size ? 0 : nextSlot &+ 1
    }

    /// Records `count` successful, not slow, calls: in count mode as `count` calls in a row, in time
    /// mode in the newest bucket (without advancing it).
    mutating func recordSuccesses(_ count: Int) {
        switch mode {
        case .count(let size):
            guard count < size else {
                // The whole ring becomes successes; the next slot moves on as if recorded one by one.
                for index in slots.indices { slots[index] = Counts(failure: false, slow: false) }
                totals = Counts()
                totals.calls = size
                nextSlot = (nextSlot + count % size) % size
                return
            }
            for _ in 0..<count { recordInCountMode(failure: false, slow: false) }
        case .time:
            slots[newestSlot].calls &+= count
            totals.calls &+= count
        }
    }

    /// The counts of the calls that are still in the window at `now`.
    @inlinable
    mutating func counts(now: Int128) -> Counts {
        advance(to: now)
        return totals
    }

    /// Forgets every call. In time mode the bucket grid stays anchored at its origin.
    mutating func clear(now: Int128) {
        for index in slots.indices { slots[index] = Counts() }
        totals = Counts()
        nextSlot = 0
        if case .time(let width, let span) = mode {
            advance(to: now)
            oldestBucket = newestBucket
            oldestSlot = newestSlot
            oldestBucketExpiry = width * oldestBucket + span
            nextBoundary = min(newestBucketEnd, oldestBucketExpiry)
        }
    }

    /// This window's calls carried into `target`, an empty window of another shape, at `now` (see
    /// ``CircuitBreakerStateMachine/reconfigure(_:now:)``):
    /// - count to count: the newest `min(recorded, size)` calls, in their order;
    /// - time to time: each live bucket's calls, recorded in `target` at the instant the bucket starts,
    ///   oldest first, as if they had happened then: a call leaves the window no later than it would
    ///   have, possibly earlier (by less than one old bucket width plus one new one), and calls already
    ///   older than the new span at `now` are dropped;
    /// - count to time or time to count: none (a count window does not know when its calls happened, and
    ///   a time window does not know their order), so `target` starts empty at `now`.
    mutating func carried(into target: SlidingWindow, now: Int128) -> SlidingWindow {
        var target = target
        switch (mode, target.mode) {
        case (.count(let size), .count):
            // Oldest first: the ring from the next slot round; a slot never written holds no call.
            let order = (0..<size).map { (nextSlot + $0) % size }
            for counts in order.map({ slots[$0] }) where counts.calls == 1 {
                target.recordInCountMode(failure: counts.failures == 1, slow: counts.slowCalls == 1)
            }
        case (.time(let width, _), .time(_, let span)):
            advance(to: now)
            var bucket = oldestBucket
            var slot = oldestSlot
            while bucket <= newestBucket {
                let counts = slots[slot]
                let start = bucket * width
                if counts.calls > 0 && start + span > now {
                    target.advance(to: start)
                    target.add(counts)
                }
                bucket += 1
                slot = slot + 1 == slots.count ? 0 : slot + 1
            }
            target.advance(to: now)
        case (.count, .time), (.time, .count):
            target.clear(now: now)
        }
        return target
    }

    /// Time mode: adds `counts` to the newest bucket.
    mutating func add(_ counts: Counts) {
        slots[newestSlot].calls &+= counts.calls
        slots[newestSlot].failures &+= counts.failures
        slots[newestSlot].slowCalls &+= counts.slowCalls
        totals.calls &+= counts.calls
        totals.failures &+= counts.failures
        totals.slowCalls &+= counts.slowCalls
    }

    /// Time mode: expires buckets whose span has elapsed at `now` and moves the newest bucket to `now`.
    @inlinable
    mutating func advance(to now: Int128) {
        guard case .time(let width, let span) = mode, now >= nextBoundary else { return }
        defer { nextBoundary = oldestBucket <= newestBucket ? min(newestBucketEnd, oldestBucketExpiry) : newestBucketEnd }
        while oldestBucket <= newestBucket && now >= oldestBucketExpiry {
            totals.subtract(slots[oldestSlot])
            slots[oldestSlot] = Counts()
            oldestBucket += 1
            oldestSlot = oldestSlot + 1 == slots.count ? 0 : oldestSlot + 1
            oldestBucketExpiry += width
        }
        guard now >= newestBucketEnd else { return }
        let ring = Int128(slots.count)
        if now < newestBucketEnd + width {
            newestBucket += 1
            newestSlot = newestSlot + 1 == slots.count ? 0 : newestSlot + 1
        } else {
            newestBucket = now / width
            newestSlot = Int(newestBucket % ring)
        }
        newestBucketEnd = width * (newestBucket + 1)
        // Buckets older than the ring can hold are expired (their span ended before `now`) and were
        // subtracted above; skip the empty ones in between rather than walking them one by one.
        let oldestPossible = newestBucket - (ring - 1)
        if oldestBucket < oldestPossible {
            oldestBucket = oldestPossible
            oldestSlot = Int(oldestPossible % ring)
            oldestBucketExpiry = width * oldestPossible + span
        }
    }
}
