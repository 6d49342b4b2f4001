import Testing
@testable import Resilience

/// A deterministic random source (SplitMix64), so a failing case can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Sliding window against a naive model")
struct SlidingWindowModelTests {
    /// The rule, written the slow and obvious way: an outcome recorded at t falls in bucket
    /// k = floor(t / w) and counts while now < k·w + span.
    struct NaiveTimeWindow {
        let width: Int128
        let span: Int128
        var records: [(bucket: Int128, failure: Bool, slow: Bool)] = []

        mutating func record(failure: Bool, slow: Bool, at now: Int128) {
            records.append((now / width, failure, slow))
        }

        func counts(at now: Int128) -> (calls: Int, failures: Int, slow: Int) {
            let live = records.filter { now < width * $0.bucket + span }
            return (live.count, live.filter(\.failure).count, live.filter(\.slow).count)
        }
    }

    @Test("time windows agree with the naive model over random schedules", arguments: 0..<200)
    func timeWindow(seed: Int) {
        var random = SeededGenerator(state: UInt64(seed))
        let buckets = Int.random(in: 1...7, using: &random)
        // Spans that do not divide evenly into buckets, and buckets only a few nanoseconds wide, are
        // included on purpose.
        let span = Int128(Int64.random(in: Int64(buckets)...50_000, using: &random))
        var window = SlidingWindow(spanAttoseconds: span, buckets: buckets)
        var model = NaiveTimeWindow(width: span / Int128(buckets), span: span)
        var now: Int128 = 0
        for step in 0..<300 {
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<3: now += span * Int128(Int.random(in: 1...50, using: &random))      // a long idle gap
            case 3..<30: now += Int128(Int.random(in: 0...2_000, using: &random))
            default: now += Int128(Int.random(in: 0...200, using: &random))
            }
            if Bool.random(using: &random) {
                let failure = Bool.random(using: &random)
                let slow = Int.random(in: 0..<4, using: &random) == 0
                window.record(failure: failure, slow: slow, now: now)
                model.record(failure: failure, slow: slow, at: now)
            }
            let expected = model.counts(at: now)
            let actual = window.counts(now: now)
            #expect(
                actual.calls == expected.calls && actual.failures == expected.failures
                    && actual.slowCalls == expected.slow,
                "seed \(seed), step \(step), at \(now): \(actual) vs \(expected)")
            if actual.calls != expected.calls { return }
        }
    }

    @Test("count windows keep exactly the last N calls", arguments: 0..<50)
    func countWindow(seed: Int) {
        var random = SeededGenerator(state: UInt64(seed) &+ 1_000)
        let size = Int.random(in: 1...12, using: &random)
        var window = SlidingWindow(size: size)
        var model: [(failure: Bool, slow: Bool)] = []
        for _ in 0..<200 {
            let failure = Bool.random(using: &random)
            let slow = Bool.random(using: &random)
            window.record(failure: failure, slow: slow, now: .zero)
            model.append((failure, slow))
            let last = model.suffix(size)
            let counts = window.counts(now: .zero)
            #expect(counts.calls == last.count)
            #expect(counts.failures == last.filter(\.failure).count)
            #expect(counts.slowCalls == last.filter(\.slow).count)
        }
    }
}
