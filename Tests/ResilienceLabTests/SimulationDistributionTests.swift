import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

@Suite("Simulation: service-time distributions, weighted mixes, latency recorder")
struct SimulationDistributionTests {
    let logNormal = ServiceTimeDistribution.logNormal(median: .milliseconds(20), p99: .milliseconds(200))

    func samples(_ distribution: ServiceTimeDistribution, count: Int, seed: UInt64) -> [Duration] {
        var random = SplitMix64(seed: seed)
        var sampler = ServiceTimeSampler(distribution)
        return (0..<count).map { _ in sampler.sample(&random) }
    }

    @Test("the same seed gives the same samples; another seed other ones")
    func determinism() {
        let first = samples(logNormal, count: 1_000, seed: 7)
        #expect(first == samples(logNormal, count: 1_000, seed: 7))
        #expect(first != samples(logNormal, count: 1_000, seed: 8))
        var random = SplitMix64(seed: 7)
        #expect(logNormal.sample(using: &random) == first[0])
        // Box–Muller draws exactly two numbers per sample.
        #expect(random.state == SplitMix64(seed: 7).state &+ 2 &* 0x9E37_79B9_7F4A_7C15)
    }

    @Test("log-normal: median and p99 of 100k samples within 3 % of the parameters; mean as documented")
    func logNormalPercentiles() {
        let sorted = samples(logNormal, count: 100_000, seed: 1).sorted()
        let median = Double(SimulationMath.nanoseconds(sorted[50_000])) / 1e6
        let p99 = Double(SimulationMath.nanoseconds(sorted[99_000])) / 1e6
        #expect(abs(median - 20) / 20 < 0.03, "median \(median) ms")
        #expect(abs(p99 - 200) / 200 < 0.03, "p99 \(p99) ms")
        let total = sorted.reduce(0.0) { $0 + Double(SimulationMath.nanoseconds($1)) }
        let mean = total / 100_000 / 1e6
        let expected = Double(SimulationMath.nanoseconds(logNormal.mean)) / 1e6
        #expect(abs(expected - 32.61) < 0.05, "documented mean \(expected)")
        #expect(abs(mean - expected) / expected < 0.03, "sample mean \(mean)")
    }

    @Test("empirical picks only the given values, each about equally often; constant is constant")
    func empiricalAndConstant() {
        let values: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(40)]
        let drawn = samples(.empirical(values), count: 30_000, seed: 3)
        #expect(Set(drawn) == Set(values))
        for value in values {
            let share = drawn.filter { $0 == value }.count
            #expect(abs(share - 10_000) < 400, "\(value): \(share)")
        }
        #expect(Set(samples(.constant(.milliseconds(3)), count: 10, seed: 3)) == [.milliseconds(3)])
        #expect(ServiceTimeDistribution.empirical(values).mean == .nanoseconds(15_333_333))
    }

    @Test("invalid distributions name the parameter")
    func validation() {
        #expect(throws: ConfigurationError(key: "logNormal.p99", value: "20ms", allowed: "> median (20ms) and <= 1h")) {
            try ServiceTimeDistribution.logNormal(median: .milliseconds(20), p99: .milliseconds(20)).validate()
        }
        #expect(throws: ConfigurationError(key: "logNormal.median", value: "0s", allowed: "(0s, 1h]")) {
            try ServiceTimeDistribution.logNormal(median: .zero, p99: .milliseconds(20)).validate()
        }
        #expect(throws: ConfigurationError(key: "empirical", value: "[]", allowed: "at least one duration")) {
            try ServiceTimeDistribution.empirical([]).validate()
        }
    }

    @Test("a weighted mix picks by weight and never a zero weight")
    func weightedMix() throws {
        let mix = try WeightedMix<Priority>([(.low, 1), (.normal, 0), (.high, 3)])
        var random = SplitMix64(seed: 5)
        var counts: [Priority: Int] = [:]
        for _ in 0..<40_000 { counts[mix.pick(&random), default: 0] += 1 }
        #expect(counts[.normal] == nil)
        #expect(abs((counts[.low] ?? 0) - 10_000) < 400)
        #expect(abs((counts[.high] ?? 0) - 30_000) < 400)
        #expect(throws: ConfigurationError(key: "[1].weight", value: "-1", allowed: ">= 0")) {
            try WeightedMix<String>([("a", 1), ("b", -1)])
        }
    }

    @Test("latency recorder: percentiles to 3 significant digits, merge adds counts")
    func latencyRecorder() {
        var first = LatencyRecorder()
        for millisecond in 1...1_000 { first.record(.milliseconds(Int64(millisecond))) }
        #expect(first.count == 1_000)
        #expect(first.mean == .microseconds(500_500))  // exact: (1 + ... + 1000) ms / 1000
        #expect(abs(SimulationMath.nanoseconds(first.p50) - 500_000_000) <= 500_000)
        #expect(abs(SimulationMath.nanoseconds(first.p90) - 900_000_000) <= 900_000)
        #expect(abs(SimulationMath.nanoseconds(first.p99) - 990_000_000) <= 990_000)
        #expect(abs(SimulationMath.nanoseconds(first.p999) - 999_000_000) <= 999_000)
        var second = LatencyRecorder()
        for _ in 0..<1_000 { second.record(.seconds(2)) }
        second.record(.nanoseconds(10))
        second.record(.seconds(7_200))
        #expect(second.clampedCount == 2)
        first.merge(second)
        #expect(first.count == 2_002)
        #expect(first.clampedCount == 2)
        // The mean of what was recorded, clamped values at their bounds: 6,100,500,001 µs / 2,002.
        #expect(first.mean == .nanoseconds(3_047_202_798))
        #expect(abs(SimulationMath.nanoseconds(first.p90) - 2_000_000_000) <= 2_000_000)
        #expect(first.max == .microseconds(3_600_000_000) || abs(SimulationMath.nanoseconds(first.max) - 3_600_000_000_000) <= 3_600_000_000)
        #expect(LatencyRecorder().p99 == .zero)
        #expect(LatencyRecorder().mean == .zero)
    }

    @Test("interval latencies: exact nearest-rank percentiles, whatever the order and count")
    func intervalLatencies() {
        var latencies = IntervalLatencies()
        #expect(latencies.percentiles(50, 99) == [.zero, .zero])
        for ms in (1...100).reversed() { latencies.record(microseconds: UInt64(ms * 1_000)) }
        #expect(latencies.percentiles(50, 99) == [.milliseconds(50), .milliseconds(99)])
        #expect(latencies.percentiles(0, 100) == [.milliseconds(1), .milliseconds(100)])
        latencies.reset()
        #expect(latencies.count == 0)
        latencies.record(microseconds: 7)
        #expect(latencies.percentiles(50, 99) == [.microseconds(7), .microseconds(7)])

        // Against sorting, with duplicates, for many counts.
        var random = SplitMix64(seed: 3)
        for count in 1...300 {
            latencies.reset()
            var values: [UInt64] = []
            for _ in 0..<count {
                let value = UInt64(SimulationMath.index(below: 50, &random))
                values.append(value)
                latencies.record(microseconds: value)
            }
            values.sort()
            let expected = [10.0, 50, 90, 99, 99.9].map { percentile -> Duration in
                let rank = max(1, Int((percentile / 100 * Double(count)).rounded(.up)))
                return .microseconds(Int64(values[rank - 1]))
            }
            #expect(latencies.percentiles(10, 50, 90, 99, 99.9) == expected, "count \(count)")
        }
    }

    @Test("nanoseconds of a duration: exact on both sides of the 64-bit fast path, truncated below 1 ns")
    func nanoseconds() {
        #expect(SimulationMath.nanoseconds(.zero) == 0)
        #expect(SimulationMath.nanoseconds(Duration(attoseconds: 1_999_999_999)) == 1)
        let fastLimit = Duration(attoseconds: Int128(UInt64.max))  // 18.446744073709551615 s
        #expect(SimulationMath.nanoseconds(fastLimit) == 18_446_744_073)
        #expect(SimulationMath.nanoseconds(fastLimit + .nanoseconds(1)) == 18_446_744_074)
        #expect(SimulationMath.nanoseconds(.seconds(3_600)) == 3_600_000_000_000)
        #expect(SimulationMath.nanoseconds(.milliseconds(-1_500)) == -1_500_000_000)
        #expect(SimulationMath.nanoseconds(.nanoseconds(Int64.max)) == Int64.max)
    }

    @Test("nearest integer without libm: exactly Int64(rounded()) on edge cases and random values")
    func nearestInteger() {
        let edges: [Double] = [0, 0.49999999999999994, 0.5, 1.5, 2.5, 1e15 + 0.5, 4_503_599_627_370_495.5, 9.2e18, 123.456]
        for value in edges {
            #expect(SimulationMath.nearestInteger(value) == Int64(value.rounded()), "\(value)")
        }
        var random = SplitMix64(seed: 9)
        for _ in 0..<100_000 {
            let value = SimulationMath.unitInterval(&random) * SimulationMath.power(10, Double(SimulationMath.index(below: 16, &random)))
            #expect(SimulationMath.nearestInteger(value) == Int64(value.rounded()))
        }
    }
}
