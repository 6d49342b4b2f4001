/// The calls a circuit breaker remembers: the last N calls, or the calls of a rolling time span.
///
/// - Count mode keeps the last `size` recorded calls in a ring.
/// - Time mode divides time, counted from `origin`, into buckets of width `w = span / buckets`; an outcome
///   recorded in bucket `k` (the interval `[origin + k·w, origin + (k+1)·w)`) counts while
///   `now < origin + k·w + span`. The ring holds `buckets + 1` slots, so memory is O(buckets), and
///   recording costs one comparison unless a bucket boundary was crossed (no division per call).
///
/// Pure: no locks, no clock. Every time-dependent method takes `now`.
@usableFromInline
struct SlidingWindow<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// Counts of calls, failures and slow calls.
    @usableFromInline
    struct Counts: Sendable, Hashable {
        @usableFromInline var calls = 0
        @usableFromInline var failures = 0
        @usableFromInline var slowCalls = 0

        @inlinable init() {}

        @inlinable
        mutating func add(_ other: Counts) {
            calls &+= other.calls
            failures &+= other.failures
            slowCalls &+= other.slowCalls
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
        case time(origin: Instant, width: Duration, span: Duration)
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
    @usableFromInline var newestBucketEnd: Instant
    @usableFromInline var oldestBucket = 0
    @usableFromInline var oldestBucketExpiry: Instant

    /// A window of the last `size` calls.
    init(size: Int, now: Instant) {
        mode = .count(size: size)
        slots = Array(repeating: Counts(), count: size)
        newestBucketEnd = now
        oldestBucketExpiry = now
    }

    /// A rolling window of `span`, in `buckets` buckets counted from `origin`.
    init(span: Duration, buckets: Int, origin: Instant) {
        let width = span / buckets
        mode = .time(origin: origin, width: width, span: span)
        slots = Array(repeating: Counts(), count: buckets + 1)
        newestBucketEnd = origin.advanced(by: width)
        oldestBucketExpiry = origin.advanced(by: span)
    }

    /// Records one call at `now`.
    @inlinable
    mutating func record(failure: Bool, slow: Bool, now: Instant) {
        var entry = Counts()
        entry.calls = 1
        entry.failures = failure ? 1 : 0
        entry.slowCalls = slow ? 1 : 0
        switch mode {
        case .count(let size):
            totals.subtract(slots[nextSlot])
            slots[nextSlot] = entry
            totals.add(entry)
            nextSlot = nextSlot + 1 == size ? 0 : nextSlot + 1
        case .time:
            advance(to: now)
            slots[newestBucket % slots.count].add(entry)
            totals.add(entry)
        }
    }

    /// Whether recording needs the current instant (time mode) or not (count mode).
    @inlinable
    var isTimeBased: Bool {
        if case .time = mode { return true }
        return false
    }

    /// The counts of the calls that are still in the window at `now`.
    @inlinable
    mutating func counts(now: Instant) -> Counts {
        advance(to: now)
        return totals
    }

    /// Forgets every call. In time mode the bucket grid stays anchored at its origin.
    mutating func clear(now: Instant) {
        for index in slots.indices { slots[index] = Counts() }
        totals = Counts()
        nextSlot = 0
        if case .time = mode {
            advance(to: now)
            oldestBucket = newestBucket
            if case .time(let origin, let width, let span) = mode {
                oldestBucketExpiry = origin.advanced(by: width * oldestBucket + span)
            }
        }
    }

    /// Time mode: expires buckets whose span has elapsed at `now` and moves the newest bucket to `now`.
    @inlinable
    mutating func advance(to now: Instant) {
        guard case .time(let origin, let width, let span) = mode else { return }
        while oldestBucket <= newestBucket && now >= oldestBucketExpiry {
            let slot = oldestBucket % slots.count
            totals.subtract(slots[slot])
            slots[slot] = Counts()
            oldestBucket += 1
            oldestBucketExpiry = oldestBucketExpiry.advanced(by: width)
        }
        guard now >= newestBucketEnd else { return }
        let target: Int
        if now < newestBucketEnd.advanced(by: width) {
            target = newestBucket + 1
        } else {
            target = Int(origin.duration(to: now).totalAttoseconds / width.totalAttoseconds)
        }
        newestBucket = target
        newestBucketEnd = origin.advanced(by: width * (target + 1))
        // Buckets older than the ring can hold are expired (their span ended before `now`) and were
        // subtracted above; skip the empty ones in between rather than walking them one by one.
        let oldestPossible = target - (slots.count - 1)
        if oldestBucket < oldestPossible {
            oldestBucket = oldestPossible
            oldestBucketExpiry = origin.advanced(by: width * oldestPossible + span)
        }
    }
}
