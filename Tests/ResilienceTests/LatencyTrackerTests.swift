import Testing
@testable import Resilience

@Suite("Latency tracker")
struct LatencyTrackerTests {
    typealias Bins = LatencyTracker.Bins

    func tracker(windowSize: Int = 1_000, recording milliseconds: some Sequence<Int>) throws -> LatencyTracker {
        var tracker = try LatencyTracker(windowSize: windowSize)
        for value in milliseconds { tracker.record(.milliseconds(value)) }
        return tracker
    }

    /// What the tracker reports for a sample of `nanoseconds` that is the percentile: its bin's upper bound.
    func reported(_ nanoseconds: UInt64) -> LatencyTracker.Percentile {
        .lessThan(.nanoseconds(Bins.upperBoundNanoseconds(ofBin: Bins.regularBin(ofNanoseconds: nanoseconds))!))
    }

    @Test("the layout's literal constants are the ones its rule gives")
    func constants() {
        #expect(Bins.subBinCount == 1 << Bins.subBinBits)
        #expect(Bins.subBinMask == Bins.subBinCount - 1)
        #expect(Bins.overflowAttoseconds == Duration.seconds(3_600).attoseconds)
        #expect(Bins.overflowNanoseconds == 3_600 * 1_000_000_000)
        #expect(Bins.overflowBin == Bins.regularBin(ofNanoseconds: Bins.overflowNanoseconds) + 1)
        #expect(Bins.blockCount == Bins.overflowBin / Bins.subBinCount + 1)
    }

    @Test("bins tile [0, ∞) without gaps; above 128 ns each is at most 1/128 of its lower bound wide")
    func layout() throws {
        for bin in 0..<Bins.overflowBin {
            let lower = Bins.lowerBoundNanoseconds(ofBin: bin)
            let upper = UInt64(try #require(Bins.upperBoundNanoseconds(ofBin: bin)))
            #expect(lower < upper)
            #expect(Bins.lowerBoundNanoseconds(ofBin: bin + 1) == upper, "bin \(bin)")
            #expect(Bins.regularBin(ofNanoseconds: lower) == bin)
            #expect(Bins.regularBin(ofNanoseconds: upper - 1) == bin)
            if lower >= 128 {
                #expect((upper - lower) * 128 <= lower, "bin \(bin): [\(lower), \(upper))")
            } else {
                #expect(upper - lower == 1)
            }
        }
        #expect(Bins.upperBoundNanoseconds(ofBin: Bins.overflowBin) == nil)
        #expect(Bins.lowerBoundNanoseconds(ofBin: Bins.overflowBin) == 3_600_000_000_000)
        // The bin holding 1 h is cut there: [209 · 2³⁴ ns, 1 h).
        #expect(Bins.lowerBoundNanoseconds(ofBin: 4_561) == 209 << 34)
        #expect(Bins.upperBoundNanoseconds(ofBin: 4_561) == 3_600_000_000_000)
    }

    @Test("a latency goes to the bin of its whole nanoseconds; 1 h and more to the overflow bin")
    func binOfLatency() {
        #expect(Bins.bin(ofAttoseconds: 0) == 0)
        #expect(Bins.bin(ofAttoseconds: 999_999_999) == 0)              // 0.999… ns
        #expect(Bins.bin(ofAttoseconds: 1_000_000_000) == 1)
        #expect(Bins.bin(ofAttoseconds: Duration.nanoseconds(1_000).attoseconds) == 506)   // [1000, 1004) ns
        #expect(Bins.bin(ofAttoseconds: Duration.milliseconds(990).attoseconds) == 3_052)
        #expect(Bins.bin(ofAttoseconds: Bins.overflowAttoseconds - 1) == 4_561)
        #expect(Bins.bin(ofAttoseconds: Bins.overflowAttoseconds) == Bins.overflowBin)
        #expect(Bins.bin(ofAttoseconds: Duration.seconds(86_400 * 365).attoseconds) == Bins.overflowBin)
        #expect(Bins.bin(ofAttoseconds: Int128(Int64.max) * 1_000_000_000_000_000_000) == Bins.overflowBin)
    }

    @Test("1…1000 ms: nearest-rank percentiles report the exact upper bound of the sample's bin")
    func knownSamples() throws {
        // Recorded in a scrambled order: the order must not matter.
        var tracker = try tracker(recording: (1...1_000).map { ($0 * 379) % 1_000 + 1 })
        #expect(tracker.count == 1_000)
        // p99: rank ⌈0.99 × 1000⌉ = 990 → 990 ms, in bin [236 · 2²², 237 · 2²²) ns = [989.855744, 994.050048) ms.
        let p99 = tracker.percentile(0.99)
        #expect(p99 == .lessThan(.nanoseconds(994_050_048)))
        let p50 = tracker.percentile(0.5)                       // 500 ms in [499.122176, 501.219328) ms
        #expect(p50 == .lessThan(.nanoseconds(501_219_328)))
        let p100 = tracker.percentile(1)                        // 1000 ms in [998.244352, 1002.438656) ms
        #expect(p100 == .lessThan(.nanoseconds(1_002_438_656)))
        let p999 = tracker.percentile(0.999)                    // rank 999 → 999 ms, same bin as 1000 ms
        #expect(p999 == .lessThan(.nanoseconds(1_002_438_656)))
        let p0001 = tracker.percentile(0.001)                   // rank 1 → 1 ms in [999.424, 1003.52) µs
        #expect(p0001 == .lessThan(.nanoseconds(1_003_520)))
        let tiny = tracker.percentile(0.000000001)              // rank ⌈10⁻⁶⌉ = 1
        #expect(tiny == .lessThan(.nanoseconds(1_003_520)))
        // Within the documented bound: 990 ms < 994.050048 ms ≤ 990 ms × 129/128.
        #expect(994_050_048 * 128 <= 990_000_000 * 129)
    }

    @Test("ranks are exact decimals: p = 0.07 of 100 samples is rank 7, not 8")
    func exactRank() throws {
        var tracker = try tracker(windowSize: 100, recording: 1...100)
        let p07 = tracker.percentile(0.07)                      // 0.07 × 100 is 7.000000000000001 in Double
        #expect(p07 == reported(7_000_000))
        let p1 = tracker.percentile(0.1)                        // rank 10
        #expect(p1 == reported(10_000_000))
    }

    @Test("an empty tracker has no percentile")
    func empty() throws {
        var tracker = try LatencyTracker()
        #expect(tracker.percentile(0.5) == nil)
        #expect(tracker.count == 0)
        #expect(tracker.recordedCount == 0)
    }

    @Test("old samples stop counting exactly when windowSize newer ones have been recorded")
    func ringEviction() throws {
        var tracker = try tracker(windowSize: 10, recording: repeatElement(1_000, count: 10))
        let oneSecond = LatencyTracker.Percentile.lessThan(.nanoseconds(1_002_438_656))
        let oneMillisecond = LatencyTracker.Percentile.lessThan(.nanoseconds(1_003_520))
        for newer in 1...9 {
            tracker.record(.milliseconds(1))
            let max = tracker.percentile(1)
            #expect(max == oneSecond, "after \(newer) newer samples a 1 s one is still in the window")
            let median = tracker.percentile(0.5)
            #expect(median == (newer >= 5 ? oneMillisecond : oneSecond), "after \(newer)")
        }
        tracker.record(.milliseconds(1))
        let max = tracker.percentile(1)
        #expect(max == oneMillisecond)
        #expect(tracker.count == 10)
        #expect(tracker.recordedCount == 20)
        // And the other way round: the window follows a slow-down, one sample at a time.
        for _ in 0..<9 { tracker.record(.seconds(1)) }
        let min = tracker.percentile(0.1)
        #expect(min == oneMillisecond)
        tracker.record(.seconds(1))
        let minAfter = tracker.percentile(0.1)
        #expect(minAfter == oneSecond)
    }

    @Test("a window of one reports its latest sample")
    func windowOfOne() throws {
        var tracker = try tracker(windowSize: 1, recording: [5, 1_000, 2])
        let p = tracker.percentile(0.5)
        #expect(p == reported(2_000_000))
    }

    @Test("1 h and more is reported as at least 1 h; just under 1 h as below 1 h; below 128 ns to the nanosecond")
    func edges() throws {
        var tracker = try LatencyTracker(windowSize: 3)
        tracker.record(.seconds(7_200))
        let overflow = tracker.percentile(1)
        #expect(overflow == .atLeast(.seconds(3_600)))
        #expect(overflow?.duration == .seconds(3_600))
        tracker.record(.seconds(3_600))
        let exactlyOneHour = tracker.percentile(0.5)               // rank 1 of {1 h, 2 h}
        #expect(exactlyOneHour == .atLeast(.seconds(3_600)))
        tracker.record(.seconds(3_600) - .nanoseconds(1))
        let justUnder = tracker.percentile(0.1)
        #expect(justUnder == .lessThan(.seconds(3_600)))

        var small = try LatencyTracker(windowSize: 2)
        small.record(.zero)
        let zero = small.percentile(1)
        #expect(zero == .lessThan(.nanoseconds(1)))
        small.record(Duration(attoseconds: 127_999_999_999))       // 127.999999999 ns
        let below128 = small.percentile(1)
        #expect(below128 == .lessThan(.nanoseconds(128)))
    }

    @Test("memory grows by one block of 128 counters per octave seen")
    func lazyBlocks() throws {
        var tracker = try tracker(recording: 1...1_000)             // 1 ms ... 1 s: octaves 2¹⁹ ... 2²⁹ ns
        #expect(tracker.allocatedBlocks == 11)
        for _ in 0..<5_000 { tracker.record(.milliseconds(500)) }
        #expect(tracker.allocatedBlocks == 11)
        tracker.record(.seconds(7_200))
        #expect(tracker.allocatedBlocks == 12)
    }

    @Test("windowSize outside 1...1000000 is rejected, naming the key")
    func invalidWindow() {
        #expect(throws: ConfigurationError(key: "windowSize", value: "0", allowed: "1...1000000")) {
            try LatencyTracker(windowSize: 0)
        }
        #expect(throws: ConfigurationError(key: "windowSize", value: "1000001", allowed: "1...1000000")) {
            try LatencyTracker(windowSize: 1_000_001)
        }
        #expect(throws: Never.self) { try LatencyTracker(windowSize: 1_000_000) }
    }

    @Test("a negative latency is a programming error")
    func negativeLatency() async {
        await #expect(processExitsWith: .failure) {
            var tracker = try! LatencyTracker()
            tracker.record(.milliseconds(-1))
        }
    }

    @Test("a percentile outside (0, 1] or with more than 9 decimals is a programming error")
    func invalidPercentile() async {
        await #expect(processExitsWith: .failure) {
            var tracker = try! LatencyTracker()
            _ = tracker.percentile(0)
        }
        await #expect(processExitsWith: .failure) {
            var tracker = try! LatencyTracker()
            _ = tracker.percentile(1.0 / 3.0)
        }
    }

    /// The reference: the last `windowSize` latencies in arrival order and sorted; the nearest-rank
    /// percentile is the sorted array's element `rank − 1`.
    struct SortedWindow {
        let windowSize: Int
        var arrivals: [Duration] = []
        var oldest = 0
        var sorted: [Duration] = []

        mutating func record(_ latency: Duration) {
            if arrivals.count - oldest == windowSize {
                sorted.remove(at: insertionIndex(of: arrivals[oldest]))
                oldest += 1
            }
            arrivals.append(latency)
            sorted.insert(latency, at: insertionIndex(of: latency))
        }

        /// The first index whose element is not below `latency`.
        func insertionIndex(of latency: Duration) -> Int {
            var low = 0
            var high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if sorted[middle] < latency { low = middle + 1 } else { high = middle }
            }
            return low
        }
    }

    @Test("agrees with a sorted-array reference within the documented bound, over random histories",
          arguments: 0..<300)
    func randomized(seed: Int) throws {
        var random = SeededGenerator(state: UInt64(seed))
        let windowSize = [1, 2, 7, 100, 1_000, Int.random(in: 1...3_000, using: &random)].randomElement(using: &random)!
        var tracker = try LatencyTracker(windowSize: windowSize)
        var reference = SortedWindow(windowSize: windowSize)
        let records = Int.random(in: 1...(3 * windowSize + 10), using: &random)
        // A few distributions: spread over all scales (0 to 2⁷² as ≈ 78 min), clustered, and exact duplicates.
        let style = Int.random(in: 0..<3, using: &random)
        let centre = Int128.random(in: 1...(Int128(1) << 72), using: &random)
        // p with its exact decimal value, for the reference rank ⌈p × count⌉.
        let percentiles: [(p: Double, numerator: Int, denominator: Int)] = [
            (0.5, 1, 2), (0.9, 9, 10), (0.95, 19, 20), (0.99, 99, 100), (0.999, 999, 1_000), (1, 1, 1),
            (0.001, 1, 1_000), (0.07, 7, 100), (0.333, 333, 1_000),
        ]
        for index in 0..<records {
            let latency: Duration
            switch style {
            case 0:
                let bits = Int.random(in: 0...72, using: &random)
                latency = Duration(attoseconds: Int128.random(in: 0..<(Int128(1) << bits), using: &random))
            case 1:
                latency = Duration(attoseconds: centre + Int128.random(in: 0...(centre / 4), using: &random))
            default:
                latency = .milliseconds([1, 2, 50, 990, 1_000, 3_600_000, 4_000_000].randomElement(using: &random)!)
            }
            tracker.record(latency)
            reference.record(latency)
            // Ask sometimes after a record, with varying p, so that the cached position walks up and down.
            if index % 7 == 0 || index == records - 1 {
                let (p, numerator, denominator) = percentiles.randomElement(using: &random)!
                let rank = (reference.sorted.count * numerator + denominator - 1) / denominator
                try check(tracker.percentile(p), against: reference.sorted[rank - 1], seed: seed)
            }
        }
        #expect(tracker.count == Swift.min(records, windowSize))
        #expect(tracker.recordedCount == records)
    }

    func check(_ reported: LatencyTracker.Percentile?, against truth: Duration, seed: Int) throws {
        let reported = try #require(reported)
        let v = truth.attoseconds
        switch reported {
        case .atLeast(let bound):
            #expect(bound == .seconds(3_600))
            #expect(v >= bound.attoseconds, "seed \(seed): \(truth) reported as ≥ 1 h")
        case .lessThan(let bound):
            let r = bound.attoseconds
            #expect(v < r, "seed \(seed): \(truth) is not below \(bound)")
            if v >= Duration.nanoseconds(128).attoseconds {
                #expect(r * 128 <= v * 129, "seed \(seed): \(bound) is more than 1/128 above \(truth)")
            } else {
                #expect(r <= v + Duration.nanoseconds(1).attoseconds, "seed \(seed): \(truth) → \(bound)")
            }
            // And it is exactly the upper bound of the truth's bin.
            let bin = Bins.bin(ofAttoseconds: v)
            #expect(bound == .nanoseconds(try #require(Bins.upperBoundNanoseconds(ofBin: bin))))
        }
    }
}
