import Synchronization

/// What a circuit breaker does without its lock: admit calls in closed state, and count the successes
/// of those calls, which the breaker hands to its state machine the next time it takes the lock.
///
/// Everything lives in one atomic word, published by the lock holder from the state machine:
///
/// | bits  | meaning |
/// |-------|---------|
/// | 0     | calls are admitted without the lock (closed, forced closed) |
/// | 1     | the state is forced |
/// | 2     | successes may be counted without the lock |
/// | 3–23  | successes counted since the lock holder last took them |
/// | 24–31 | the low bits of a time window's newest bucket |
/// | 32–63 | the generation (`CircuitBreakerStateMachine/generation`) |
///
/// A time window's newest bucket end is published beside the word. A success is counted with one
/// compare-and-exchange that also checks the word has not changed since the bucket end was read, so a
/// success is never counted against a bucket or generation that the lock holder has moved past.
///
/// Protocol, for the lock holder: ``takeSuccesses(into:batch:)`` first (it closes counting and hands the
/// counted successes to the machine), then change the machine, then ``publish(_:counting:)`` and keep
/// the batch it returns for the next ``takeSuccesses(into:batch:)``.
@usableFromInline
struct CircuitBreakerFastPath: ~Copyable, Sendable {
    @usableFromInline typealias Machine = CircuitBreakerStateMachine

    @usableFromInline static var admitsBit: UInt64 { 1 }
    @usableFromInline static var forcedBit: UInt64 { 2 }
    @usableFromInline static var countingBit: UInt64 { 4 }
    @usableFromInline static var pendingShift: UInt64 { 3 }
    @usableFromInline static var pendingMask: UInt64 { (1 << 21) - 1 }
    @usableFromInline static var bucketShift: UInt64 { 24 }
    @usableFromInline static var generationShift: UInt64 { 32 }

    @usableFromInline let word: Atomic<UInt64>
    /// A time window's newest bucket end, in attoseconds since the origin, as two halves.
    @usableFromInline let bucketEndHigh: Atomic<Int64>
    @usableFromInline let bucketEndLow: Atomic<UInt64>

    /// Publishes nothing: call ``publish(_:counting:)`` before use.
    init() {
        word = Atomic(0)
        bucketEndHigh = Atomic(0)
        bucketEndLow = Atomic(0)
    }

    // MARK: - Without the lock

    /// The permit for a call, when the state admits calls without the lock.
    @inlinable
    func admit() -> Machine.Permit? {
        let word = word.load(ordering: .acquiring)
        guard word & Self.admitsBit != 0 else { return nil }
        return Machine.Permit(generation: UInt32(truncatingIfNeeded: word >> Self.generationShift))
    }

    /// Counts a successful, not slow, call of `permit` that ended `now` (attoseconds since the origin;
    /// ignored by a count window). Returns `false` when the lock holder must record it instead: counting
    /// is closed, the permit is of another generation, `now` is past the newest bucket, or the counter is
    /// full.
    @inlinable
    func countSuccess(of permit: Machine.Permit, now: Int128) -> Bool {
        var current = word.load(ordering: .acquiring)
        while true {
            guard current & Self.countingBit != 0,
                  UInt32(truncatingIfNeeded: current >> Self.generationShift) == permit.generation,
                  current >> Self.pendingShift & Self.pendingMask != Self.pendingMask,
                  now < bucketEnd
            else { return false }
            let (exchanged, original) = word.compareExchange(
                expected: current, desired: current &+ 1 << Self.pendingShift,
                successOrdering: .acquiringAndReleasing, failureOrdering: .acquiring)
            if exchanged { return true }
            current = original
        }
    }

    /// The newest bucket's end (the largest value for a count window). A value torn by a concurrent
    /// publish is harmless: the lock holder changed the word first, so the exchange that follows fails.
    @inlinable
    var bucketEnd: Int128 {
        Int128(bucketEndHigh.load(ordering: .acquiring)) << 64 | Int128(bucketEndLow.load(ordering: .acquiring))
    }

    /// Whether the breaker is closed and not forced. A closed breaker has no pending time-driven
    /// transition, so the answer is exact at the moment of the read.
    var isPlainlyClosed: Bool {
        word.load(ordering: .acquiring) & (Self.admitsBit | Self.forcedBit) == Self.admitsBit
    }

    // MARK: - Under the lock

    /// Closes counting, and records the successes counted so far in `machine`, for `batch` (what the
    /// last ``publish(_:counting:)`` returned).
    @inlinable
    func takeSuccesses(into machine: inout Machine, batch: Machine.SuccessBatch?) {
        let taken = word.bitwiseAnd(
            ~(Self.countingBit | Self.pendingMask << Self.pendingShift), ordering: .acquiringAndReleasing
        ).oldValue
        let count = Int(taken >> Self.pendingShift & Self.pendingMask)
        guard count > 0, let batch else { return }
        machine.recordSuccesses(count, in: batch)
    }

    /// Publishes what `machine` allows without the lock; `counting` says whether successes may be
    /// counted (a breaker with observers reports every outcome, so it does not count). Returns the batch
    /// successes are now counted for.
    @inlinable
    func publish(_ machine: borrowing Machine, counting: Bool) -> Machine.SuccessBatch? {
        let forced: UInt64 = switch machine.currentState {
        case .forcedOpen, .forcedClosed: Self.forcedBit
        case .closed, .open, .halfOpen: 0
        }
        guard let batch = machine.successBatch else {
            word.store(forced, ordering: .releasing)
            return nil
        }
        let end = batch.bucketEnd?.attoseconds ?? Int128.max
        bucketEndHigh.store(Int64(truncatingIfNeeded: end >> 64), ordering: .releasing)
        bucketEndLow.store(UInt64(truncatingIfNeeded: end), ordering: .releasing)
        let bucketBits = UInt64(truncatingIfNeeded: batch.bucket) & 0xFF
        word.store(
            UInt64(batch.generation) << Self.generationShift | bucketBits << Self.bucketShift
                | (counting ? Self.countingBit : 0) | forced | Self.admitsBit,
            ordering: .releasing)
        return batch
    }
}
