import Synchronization

/// A clock whose time moves only when told to: for tests, and for simulations in virtual time.
///
/// ```swift
/// let clock = ManualClock()
/// let breaker = CircuitBreaker(name: "db", clock: clock)
/// clock.advance(by: .seconds(30))   // the break has elapsed
/// ```
///
/// Sleepers wake when ``advance(by:)`` or ``advance(to:)`` reaches their deadline, in deadline order;
/// a cancelled sleeper wakes at once with `CancellationError`.
public final class ManualClock: Clock, Sendable {
    /// An instant of a ``ManualClock``: a duration since the clock's zero.
    public struct Instant: InstantProtocol, Sendable, Hashable, Comparable, CustomStringConvertible {
        /// The time since the clock's zero.
        public var offset: Duration

        /// The instant `offset` after zero.
        public init(offset: Duration) { self.offset = offset }

        /// The clock's zero.
        public static let zero = Instant(offset: .zero)

        // On attoseconds (128-bit integers, inline) rather than `Duration`'s operators, which are calls
        // into the runtime: the simulator steps through millions of instants per second. Same results,
        // same traps on overflow.
        @inlinable
        public func advanced(by duration: Duration) -> Instant {
            Instant(offset: Duration(attoseconds: offset.attoseconds + duration.attoseconds))
        }
        @inlinable
        public func duration(to other: Instant) -> Duration {
            Duration(attoseconds: other.offset.attoseconds - offset.attoseconds)
        }
        @inlinable
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset.attoseconds < rhs.offset.attoseconds }
        public var description: String { "ManualClock.Instant(\(offset))" }
    }

    private struct Sleeper {
        let id: UInt64
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Instant
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
    }

    private let state: Locked<State>

    /// Creates a clock that starts at `now`.
    public init(now: Instant = .zero) {
        state = Locked(State(now: now))
    }

    /// The current instant.
    public var now: Instant { state.withLock { $0.now } }

    /// The smallest step this clock can take.
    public var minimumResolution: Duration { .zero }

    /// How many tasks are sleeping on this clock.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// Moves time forward by `duration` (≥ 0) and wakes the sleepers that are due.
    public func advance(by duration: Duration) {
        precondition(duration >= .zero, "ManualClock.advance(by:) needs a non-negative duration, got \(duration)")
        advance(to: now.advanced(by: duration))
    }

    /// Moves time forward to `instant` (if it is later than now) and wakes the sleepers that are due.
    public func advance(to instant: Instant) {
        let due = state.withLock { state -> [Sleeper] in
            if instant > state.now { state.now = instant }
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    /// Suspends until the clock reaches `deadline`, or throws `CancellationError` when cancelled.
    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Result<Void, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if deadline <= state.now { return .success(()) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }
}
