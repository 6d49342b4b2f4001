import Synchronization

/// The latest reading of one load signal, written by whoever measures it and read by load shedders
/// without a lock: a pressure in 0…1 (CPU, memory, event-loop lag as a fraction of a budget), or a
/// queue depth.
///
/// ```swift
/// let cpu = PressureGauge(name: "cpu")              // fed by a PressureSampler
/// let queue = PressureGauge(name: "queue_depth")    // fed by you
/// try queue.record(count: waiters.count)
/// ```
///
/// A gauge starts *unavailable* (no reading) and becomes so again with ``markUnavailable()``; an
/// unavailable gauge sheds nothing. A pressure above 1 is a valid reading (over the budget, or a CPU
/// sample that straddled a scheduling period) and is kept as it is, never clamped.
///
/// Cost: recording is one atomic store, reading one atomic load.
public final class PressureGauge: Sendable {
    /// The signal's name: the key of its thresholds in ``LoadShedderConfiguration/pressure`` and its
    /// metric label.
    public let name: String
    /// The reading's bit pattern; a NaN (never a valid reading) means unavailable.
    @usableFromInline let bits: Atomic<UInt64>
    /// The refresh interval in nanoseconds, or -1 when unknown.
    let refreshNanoseconds: Atomic<Int64>

    @usableFromInline static let unavailableBits = Double.nan.bitPattern

    /// An unavailable gauge.
    /// - Parameters:
    ///   - name: the signal's name.
    ///   - refreshInterval: how often it is refreshed, if known (a ``PressureSampler`` sets it).
    public init(name: String, refreshInterval: Duration? = nil) {
        self.name = name
        self.bits = Atomic(Self.unavailableBits)
        self.refreshNanoseconds = Atomic(refreshInterval.map(\.clampedNanoseconds) ?? -1)
    }

    /// The latest reading, or `nil` when unavailable.
    @inlinable
    public var reading: Double? {
        let value = Double(bitPattern: bits.load(ordering: .relaxed))
        return value.isNaN ? nil : value
    }

    /// Records a reading.
    /// - Throws: ``PressureReadingError`` when `value` is negative, infinite or NaN; the gauge keeps its
    ///   previous reading.
    public func record(_ value: Double) throws(PressureReadingError) {
        guard value.isFinite, value >= 0 else {
            throw PressureReadingError(gauge: name, value: "\(value)", allowed: "a finite number >= 0")
        }
        bits.store(value.bitPattern, ordering: .relaxed)
    }

    /// Records a count, such as a queue depth.
    /// - Throws: ``PressureReadingError`` when `count` is negative.
    public func record(count: Int) throws(PressureReadingError) {
        guard count >= 0 else {
            throw PressureReadingError(gauge: name, value: "\(count)", allowed: ">= 0")
        }
        bits.store(Double(count).bitPattern, ordering: .relaxed)
    }

    /// Forgets the reading: the gauge sheds nothing until the next ``record(_:)``. For a source that
    /// failed, so that an old reading does not keep shedding.
    public func markUnavailable() {
        bits.store(Self.unavailableBits, ordering: .relaxed)
    }

    /// How often the gauge is refreshed, when known; load shedders use it for their retry hint.
    public var refreshInterval: Duration? {
        get {
            let nanoseconds = refreshNanoseconds.load(ordering: .relaxed)
            return nanoseconds < 0 ? nil : .nanoseconds(nanoseconds)
        }
        set { refreshNanoseconds.store(newValue.map(\.clampedNanoseconds) ?? -1, ordering: .relaxed) }
    }
}

/// A reading that no gauge accepts: names the gauge, the value and what is allowed.
public struct PressureReadingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The gauge's name.
    public var gauge: String
    /// The rejected value, as text.
    public var value: String
    /// What would have been accepted.
    public var allowed: String

    public var description: String { "pressure gauge '\(gauge)': \(value) is not a reading; allowed: \(allowed)" }
}
