import Histogram

/// Latencies measured in a simulation, kept in an HdrHistogram: microseconds from 1 µs to 1 h with 3
/// significant digits (every value recorded within 0.1 % of itself), whatever the number of calls.
///
/// ```swift
/// var latencies = LatencyRecorder()
/// latencies.record(.milliseconds(20))
/// latencies.p99   // 20ms, to 3 significant digits
/// ```
///
/// A latency is recorded as its number of microseconds rounded to the nearest; below 1 µs it counts as
/// 1 µs, above 1 h as 1 h, and those are counted in ``clampedCount`` so that nothing is lost silently.
/// Percentiles are HdrHistogram's `valueAtPercentile`: the highest value equivalent (within the
/// precision) to the value at that percentile. The mean is exact: the sum of the microseconds recorded
/// (after rounding and bounds) over their count.
public struct LatencyRecorder: Sendable {
    /// The smallest latency told apart: 1 µs.
    public static let lowest: Duration = .microseconds(1)
    /// The largest latency told apart: 1 h.
    public static let highest: Duration = .seconds(3_600)

    private static let highestMicroseconds: UInt64 = 3_600_000_000

    private var histogram: Histogram<UInt64>

    /// Latencies recorded outside 1 µs...1 h (recorded at the nearest bound).
    public private(set) var clampedCount = 0

    /// The sum of the microseconds recorded, for the exact mean.
    private var totalMicroseconds: UInt64 = 0

    /// An empty recorder, precise to 3 significant digits.
    public init() {
        histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: Self.highestMicroseconds, numberOfSignificantValueDigits: .three)
    }

    /// Records one latency (see the type's documentation for rounding and bounds).
    @inline(__always)
    public mutating func record(_ latency: Duration) {
        record(nanoseconds: SimulationMath.nanoseconds(latency))
    }

    /// Records one latency of `nanoseconds` (see the type's documentation for rounding and bounds), and
    /// returns the microseconds recorded.
    @inline(__always) @discardableResult
    mutating func record(nanoseconds: Int64) -> UInt64 {
        var microseconds = nanoseconds <= 0 ? 0 : UInt64((nanoseconds + 500) / 1_000)
        if microseconds < 1 {
            microseconds = 1
            clampedCount += 1
        } else if microseconds > Self.highestMicroseconds {
            microseconds = Self.highestMicroseconds
            clampedCount += 1
        }
        totalMicroseconds += microseconds
        _ = histogram.record(microseconds)
        return microseconds
    }

    /// Adds every latency of `other` (for example, recorders of several runs or operations).
    public mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
        clampedCount += other.clampedCount
        totalMicroseconds += other.totalMicroseconds
    }

    /// How many latencies were recorded.
    public var count: Int { Int(histogram.totalCount) }

    /// The latency at `percentile` (0...100), or zero when nothing was recorded.
    public func percentile(_ percentile: Double) -> Duration {
        guard histogram.totalCount > 0 else { return .zero }
        return .microseconds(Int64(histogram.valueAtPercentile(percentile)))
    }

    /// The median.
    public var p50: Duration { percentile(50) }
    /// The 90th percentile.
    public var p90: Duration { percentile(90) }
    /// The 99th percentile.
    public var p99: Duration { percentile(99) }
    /// The 99.9th percentile.
    public var p999: Duration { percentile(99.9) }
    /// The largest latency recorded (to the histogram's precision), or zero when nothing was recorded.
    public var max: Duration { histogram.totalCount > 0 ? .microseconds(Int64(histogram.max)) : .zero }
    /// The mean latency, or zero when nothing was recorded.
    public var mean: Duration {
        histogram.totalCount > 0
            ? SimulationMath.duration(nanoseconds: Double(totalMicroseconds) / Double(histogram.totalCount) * 1_000) : .zero
    }
}
