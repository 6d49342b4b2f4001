import Synchronization

/// Which clock reads a circuit breaker's calls need, derived from its configuration and read on every
/// call without the lock: whether a call's duration is measured (slow-call detection on), the slow-call
/// threshold, and whether a success is recorded without reading the clock at all (a count window
/// without slow-call detection).
///
/// Atomics, so that ``CircuitBreaker/reconfigure(_:)`` can change them while calls run; the loads are
/// relaxed (plain loads on x86-64 and arm64). A call that overlaps a reconfiguration may see the old
/// facts or the new ones: the state machine, under the lock, judges every outcome it records by its
/// own configuration, so at worst such a call takes the locked path where the lock-free one would do.
@usableFromInline
struct CircuitBreakerTiming: ~Copyable, Sendable {
    /// 0: count window without slow-call detection; 1: time window without slow-call detection;
    /// 2: slow-call detection on.
    @usableFromInline let mode: Atomic<Int>
    /// `slowCallDuration` in attoseconds as two halves (the largest value when detection is off).
    @usableFromInline let slowCallHigh: Atomic<Int64>
    @usableFromInline let slowCallLow: Atomic<UInt64>

    init(_ configuration: CircuitBreakerConfiguration) {
        mode = Atomic(0)
        slowCallHigh = Atomic(0)
        slowCallLow = Atomic(0)
        set(configuration)
    }

    /// Publishes the facts of `configuration`.
    func set(_ configuration: CircuitBreakerConfiguration) {
        let threshold = configuration.slowCallDuration?.attoseconds ?? .max
        slowCallHigh.store(Int64(truncatingIfNeeded: threshold >> 64), ordering: .relaxed)
        slowCallLow.store(UInt64(truncatingIfNeeded: threshold), ordering: .relaxed)
        let mode = configuration.slowCallDuration != nil ? 2 : configuration.window == .time ? 1 : 0
        self.mode.store(mode, ordering: .relaxed)
    }

    /// Whether a call's duration is measured: slow-call detection is on.
    @inlinable
    var measuresDuration: Bool { mode.load(ordering: .relaxed) == 2 }

    /// Whether a success may be recorded without the current instant.
    @inlinable
    var recordsSuccessWithoutTime: Bool { mode.load(ordering: .relaxed) == 0 }

    /// The slow-call threshold in attoseconds.
    @inlinable
    var slowCallAttoseconds: Int128 {
        Int128(slowCallHigh.load(ordering: .relaxed)) << 64 | Int128(slowCallLow.load(ordering: .relaxed))
    }
}
