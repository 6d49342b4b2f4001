import Resilience
import ResilienceConfiguration

/// A choice among values with weights: the priorities or operation types of simulated traffic.
///
/// ```swift
/// let operations = try WeightedMix([("read", 8), ("write", 2)])   // 80 % reads
/// ```
///
/// Weights are relative (they need not sum to 1). **Drawing** (``pick(_:)``): one 64-bit draw `x` picks
/// the first entry whose cumulative threshold exceeds it, the thresholds being the cumulative weights
/// over the total scaled to `2⁶⁴` (the last entry with a positive weight ends at `2⁶⁴ − 1`). An entry
/// of weight 0 is never picked. A mix of one entry draws nothing. Validating, building and drawing
/// take O(n), O(n) and O(log n) for n entries.
public struct WeightedMix<Value: Sendable & Hashable>: Sendable, Hashable {
    /// One value and its weight.
    public struct Entry: Sendable, Hashable {
        /// The value.
        public var value: Value
        /// Its relative weight (`>= 0`).
        public var weight: Double

        /// Creates an entry.
        public init(value: Value, weight: Double) {
            self.value = value
            self.weight = weight
        }
    }

    /// The entries, in the order given.
    public let entries: [Entry]
    /// Cumulative thresholds of the entries, in units of `2⁻⁶⁴`.
    private let thresholds: [UInt64]

    /// A mix that is always `value`.
    public static func only(_ value: Value) -> Self {
        Self(unchecked: [Entry(value: value, weight: 1)])
    }

    /// A mix of `entries`.
    /// - Throws: ``ConfigurationError`` naming `[i].weight` when a weight is negative or not finite,
    ///   `[i]` when a value repeats, or the mix itself (key `""`) when it is empty or every weight is 0.
    public init(_ entries: [(Value, Double)]) throws(ConfigurationError) {
        let entries = entries.map { Entry(value: $0.0, weight: $0.1) }
        try Self.validate(entries)
        self.init(unchecked: entries)
    }

    /// A mix of `entries`, not validated: for the built-in scenarios only, whose tests call
    /// ``validate()``. Invalid entries give a mix that draws wrongly but never traps.
    init(unchecked entries: [(Value, Double)]) {
        self.init(unchecked: entries.map { Entry(value: $0.0, weight: $0.1) })
    }

    private init(unchecked entries: [Entry]) {
        self.entries = entries
        let total = entries.reduce(0) { $0 + $1.weight }
        let lastPositive = entries.lastIndex { $0.weight > 0 } ?? (entries.count - 1)
        var cumulative = 0.0
        var thresholds: [UInt64] = []
        for (index, entry) in entries.enumerated() {
            cumulative += entry.weight
            let fraction = cumulative / total
            if index >= lastPositive || !(fraction < 1) {
                thresholds.append(UInt64.max)
            } else if !(fraction > 0) {
                thresholds.append(0)
            } else {
                thresholds.append(UInt64(fraction * 18_446_744_073_709_551_616.0))
            }
        }
        self.thresholds = thresholds
    }

    /// Checks the entries, as ``init(_:)`` does.
    /// - Throws: ``ConfigurationError`` naming `[i].weight`, `[i]`, or the mix itself (key `""`).
    public func validate() throws(ConfigurationError) {
        try Self.validate(entries)
    }

    static func validate(_ entries: [Entry]) throws(ConfigurationError) {
        try SimulationCheck.that(!entries.isEmpty, "", "{}", "at least one entry")
        var total = 0.0
        var seen = Set<Value>(minimumCapacity: entries.count)
        for (index, entry) in entries.enumerated() {
            try SimulationCheck.that(
                entry.weight >= 0 && entry.weight.isFinite, "[\(index)].weight", SimulationCheck.text(entry.weight), ">= 0")
            try SimulationCheck.that(seen.insert(entry.value).inserted, "[\(index)]", "\(entry.value)", "each value once")
            total += entry.weight
        }
        try SimulationCheck.that(total > 0, "", "weights summing to 0", "at least one weight > 0")
    }

    /// The index in ``entries`` of one value drawn from `random` (see the type's documentation).
    @inline(__always)
    public func pickIndex(_ random: inout SplitMix64) -> Int {
        if thresholds.count == 1 { return 0 }
        let draw = random.next()
        // The first threshold above the draw (the last entry when none is): the thresholds never
        // decrease, so a binary search finds it, in O(log n) for a mix of many operations.
        var low = 0
        var high = thresholds.count - 1
        while low < high {
            let middle = (low + high) / 2
            if draw < thresholds[middle] { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// One value drawn from `random` (see the type's documentation).
    @inline(__always)
    public func pick(_ random: inout SplitMix64) -> Value {
        entries[pickIndex(&random)].value
    }
}
