/// The latencies of the calls that ended in one interval of a simulation, for the report's
/// per-interval percentiles.
///
/// Each latency costs one append of its whole microseconds (the same rounding and 1 µs...1 h bounds as
/// ``LatencyRecorder``, without counting them twice); percentiles are exact, by nearest rank on the
/// values kept (the value of rank `⌈p/100 × n⌉`), found by selection in O(n) when the interval
/// closes. Cheaper than a histogram per interval, whose reset and percentile walks cost O(buckets)
/// however few calls ended.
///
/// ```swift
/// var latencies = IntervalLatencies()
/// for ms in 1...100 { latencies.record(microseconds: UInt32(ms * 1_000)) }
/// latencies.percentiles(50, 99)   // [.milliseconds(50), .milliseconds(99)]
/// latencies.reset()
/// ```
struct IntervalLatencies {
    private var microseconds: [UInt32] = []

    /// Latencies recorded since the last reset.
    var count: Int { microseconds.count }

    /// Records one latency of `microseconds` (already rounded and bounded: at most 1 h, which fits).
    @inline(__always)
    mutating func record(microseconds value: UInt64) {
        microseconds.append(UInt32(truncatingIfNeeded: value))
    }

    /// Forgets every latency, keeping the memory.
    mutating func reset() {
        microseconds.removeAll(keepingCapacity: true)
    }

    /// The latencies at `percentiles` (each in 0...100, in increasing order), by nearest rank; zero when
    /// nothing was recorded. Reorders the values kept (the set is unchanged).
    mutating func percentiles(_ percentiles: Double...) -> [Duration] {
        let count = microseconds.count
        guard count > 0 else { return percentiles.map { _ in .zero } }
        var lowerBound = 0
        return microseconds.withUnsafeMutableBufferPointer { values in
            percentiles.map { percentile in
                precondition((0...100).contains(percentile), "percentile \(percentile) is outside 0...100")
                let rank = Swift.max(1, Int((percentile / 100 * Double(count)).rounded(.up)))
                let index = Swift.min(rank, count) - 1
                precondition(index >= lowerBound, "percentiles must be in increasing order")
                Self.select(index, in: values, from: lowerBound)
                lowerBound = index
                return .microseconds(Int64(values[index]))
            }
        }
    }

    /// Reorders `values[from...]` so that `values[index]` holds the value it would hold sorted, smaller
    /// or equal values before it and larger or equal after (Hoare's quickselect, median-of-three pivot).
    private static func select(_ index: Int, in values: UnsafeMutableBufferPointer<UInt32>, from start: Int) {
        var low = start
        var high = values.count - 1
        while high > low {
            let middle = low + (high - low) / 2
            // Order low, middle, high so the median of the three is at `middle`.
            if values[middle] < values[low] { values.swapAt(middle, low) }
            if values[high] < values[low] { values.swapAt(high, low) }
            if values[high] < values[middle] { values.swapAt(high, middle) }
            let pivot = values[middle]
            var left = low
            var right = high
            while left <= right {
                while values[left] < pivot { left += 1 }
                while values[right] > pivot { right -= 1 }
                if left <= right {
                    values.swapAt(left, right)
                    left += 1
                    right -= 1
                }
            }
            // Now values[low...right] <= pivot <= values[left...high], and right < left.
            if index <= right {
                high = right
            } else if index >= left {
                low = left
            } else {
                return
            }
        }
    }
}
