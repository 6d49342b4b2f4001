/// The calls a circuit breaker remembers: the last N calls, or the calls of a rolling time span.
///
/// - Count mode keeps the last `size` recorded calls in a ring.
/// - Time mode divides time, counted from the origin, into buckets of width `w = span / buckets`; an outcome
///   recorded in bucket `k` (the interval `[k·w, (k+1)·w)`) counts while
///   `now < k·w + span`. The ring holds `buckets + 1` slots, so memory is O(buckets), and
///   recording costs one comparison unless a bucket boundary was crossed (no division per call).
///
/// Pure: no locks, no clock. Every time-dependent method takes `now`, the time elapsed since the
/// window's origin: plain `Duration`s keep the layout fixed, so nothing is looked up at run time
/// whatever the caller's clock.
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
        case time(width: Duration, span: Duration)
    }

    @usableFromInline let mode: Mode
    /// Count mode: one entry per call. Time mode: one entry per bucket, slot `k % slots.count`.
    @usableFromInline var slots: [Counts]
    /// The sum of the live slots.
    @usableFromInline private(set) var totals = Counts()

    // Count mode: the slot the next call goes to.
    @usableFromInline var nextSlot = 0

    // Time mode: the newest bucket index and where it ends; the oldest bucket that may still hold
    // counts and the instant at which it expires.
    @usableFromInline var newestBucket = 0
    @usableFromInline var newestBucketEnd: Duration = .zero
    @usableFromInline var oldestBucket = 0
    @usableFromInline var oldestBucketExpiry: Duration = .zero
    /// The earliest instant at which ``advance(to:)`` has anything to do: one comparison per call
    /// instead of two (`Duration` comparisons are calls into the runtime).
    @usableFromInline var nextBoundary: Duration = .zero

    /// A window of the last `size` calls.
    init(size: Int) {
        mode = .count(size: size)
        slots = Array(repeating: Counts(), count: size)
    }

    /// A rolling window of `span`, in `buckets` buckets counted from the origin (elapsed time zero).
    init(span: Duration, buckets: Int) {
        let width = span / buckets
        mode = .time(width: width, span: span)
        slots = Array(repeating: Counts(), count: buckets + 1)
        newestBucketEnd = width
        oldestBucketExpiry = span
        nextBoundary = width
    }

    /// Records one call at `now` (which a count window ignores).
    @inlinable
    mutating func record(failure: Bool, slow: Bool, now: Duration) {
        guard isTimeBased else { return recordInCountMode(failure: failure, slow: slow) }
        advance(to: now)
        let slot = newestBucket % slots.count
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

    /// Whether recording needs the current instant (time mode) or not (count mode).
    @inlinable
    var isTimeBased: Bool {
        if case .time = mode { return true }
        return false
    }

    /// The counts of the calls that are still in the window at `now`.
    @inlinable
    mutating func counts(now: Duration) -> Counts {
        advance(to: now)
        return totals
    }

    /// Forgets every call. In time mode the bucket grid stays anchored at its origin.
    mutating func clear(now: Duration) {
        for index in slots.indices { slots[index] = Counts() }
        totals = Counts()
        nextSlot = 0
        if case .time(let width, let span) = mode {
            advance(to: now)
            oldestBucket = newestBucket
            oldestBucketExpiry = width * oldestBucket + span
            nextBoundary = min(newestBucketEnd, oldestBucketExpiry)
        }
    }

    /// Time mode: expires buckets whose span has elapsed at `now` and moves the newest bucket to `now`.
    @inlinable
    mutating func advance(to now: Duration) {
        guard case .time(let width, let span) = mode, now >= nextBoundary else { return }
        defer { nextBoundary = min(newestBucketEnd, oldestBucket <= newestBucket ? oldestBucketExpiry : newestBucketEnd) }
        while oldestBucket <= newestBucket && now >= oldestBucketExpiry {
            let slot = oldestBucket % slots.count
            totals.subtract(slots[slot])
            slots[slot] = Counts()
            oldestBucket += 1
            oldestBucketExpiry += width
        }
        guard now >= newestBucketEnd else { return }
        let target: Int
        if now < newestBucketEnd + width {
            target = newestBucket + 1
        } else {
            target = Int(now.totalAttoseconds / width.totalAttoseconds)
        }
        newestBucket = target
        newestBucketEnd = width * (target + 1)
        // Buckets older than the ring can hold are expired (their span ended before `now`) and were
        // subtracted above; skip the empty ones in between rather than walking them one by one.
        let oldestPossible = target - (slots.count - 1)
        if oldestBucket < oldestPossible {
            oldestBucket = oldestPossible
            oldestBucketExpiry = width * oldestPossible + span
        }
    }
}
