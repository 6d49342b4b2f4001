import MetricsTestKit
import Resilience
@testable import ResilienceChaos
import Testing

@Suite("ChaosLatency: waits on the policy's clock, honours cancellation and the call's deadline")
struct ChaosLatencyTests {
    @Test("An injected call waits exactly its latency on the manual clock, then runs the operation")
    func fixedLatency() async throws {
        let clock = ManualClock()
        let reached = Reached()
        let latency = ChaosLatency(name: "db", rate: 1, enabled: true, latency: .fixed(.milliseconds(500)), clock: clock)
        let call = Task {
            try await latency.execute { () async throws -> Int in
                reached.record(1)
                return 7
            }
        }
        await waitForSleepers(clock)
        clock.advance(by: .milliseconds(499))
        await Task.yield()
        #expect(reached.count == 0)
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .milliseconds(1))
        #expect(try await call.value == 7)
        #expect(reached.count == 1)
        #expect(clock.now == ManualClock.Instant(offset: .milliseconds(500)))
    }

    @Test("A call that is not injected runs at once, without touching the clock")
    func notInjected() async throws {
        let clock = ManualClock()
        let latency = ChaosLatency(name: "db", rate: 0, enabled: true, latency: .fixed(.seconds(5)), clock: clock)
        #expect(try await latency.execute { 3 } == 3)
        let off = ChaosLatency(name: "db", rate: 1, enabled: false, latency: .fixed(.seconds(5)), clock: clock)
        #expect(try await off.execute { 4 } == 4)
        #expect(clock.sleeperCount == 0)
    }

    @Test("Cancelled during the injected wait: CancellationError at once, and the operation never runs")
    func cancellation() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let reached = Reached()
        let latency = ChaosLatency(
            name: "db", rate: 1, enabled: true, latency: .fixed(.seconds(10)), clock: clock, metricsFactory: metrics)
        let call = Task {
            try await latency.execute { () async throws -> Int in
                reached.record(1)
                return 1
            }
        }
        await waitForSleepers(clock)
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(reached.count == 0)
        #expect(clock.now == .zero)
        #expect(try metrics.expectCounter("resilience_chaos_injections_total", [("policy", "db"), ("kind", "latency")]).totalValue == 1)
    }

    @Test("A latency that reaches the call's deadline waits until the deadline, then throws timedOut without running the operation")
    func deadline() async throws {
        let clock = ManualClock()
        let reached = Reached()
        let latency = ChaosLatency(name: "db", rate: 1, enabled: true, latency: .fixed(.milliseconds(500)), clock: clock)
        let context = ResilienceContext(deadline: clock.now.advanced(by: .milliseconds(300)))
        let call = Task {
            try await latency.execute(context: context) { _ in
                reached.record(1)
                return 1
            }
        }
        await waitForSleepers(clock)
        clock.advance(by: .milliseconds(300))
        expectTimedOut(by: "db", await #expect(throws: ResilienceError.self) { try await call.value })
        #expect(reached.count == 0)
        #expect(clock.now == ManualClock.Instant(offset: .milliseconds(300)))

        // Ending exactly at the deadline counts as reaching it; ending before it does not.
        let exact = ResilienceContext(deadline: clock.now.advanced(by: .milliseconds(500)))
        let atDeadline = Task { try await latency.execute(context: exact) { _ in 1 } }
        await waitForSleepers(clock)
        clock.advance(by: .milliseconds(500))
        expectTimedOut(by: "db", await #expect(throws: ResilienceError.self) { try await atDeadline.value })
        let roomy = ResilienceContext(deadline: clock.now.advanced(by: .milliseconds(501)))
        let inTime = Task { try await latency.execute(context: roomy) { _ in 2 } }
        await waitForSleepers(clock)
        clock.advance(by: .milliseconds(500))
        #expect(try await inTime.value == 2)
    }

    @Test("A deadline already past throws timedOut at once; a deadline of another clock is a mismatch")
    func pastAndForeignDeadlines() async throws {
        let clock = ManualClock(now: ManualClock.Instant(offset: .seconds(10)))
        let latency = ChaosLatency(name: "db", rate: 1, enabled: true, latency: .fixed(.seconds(1)), clock: clock)
        expectTimedOut(by: "db", await #expect(throws: ResilienceError.self) {
            try await latency.execute(context: ResilienceContext(deadline: ManualClock.Instant(offset: .seconds(5)))) { _ in 1 }
        })
        await #expect(throws: ResilienceContext.DeadlineClockMismatch.self) {
            try await latency.execute(context: ResilienceContext(deadline: ContinuousClock.now)) { _ in 1 }
        }
    }

    @Test("Behind a Timeout, the injected latency is cut at the timeout's limit: the call ends timedOut, the operation never runs")
    func behindATimeout() async throws {
        let clock = ManualClock()
        let reached = Reached()
        let pipeline = ResiliencePipeline {
            Timeout(name: "payments", duration: .milliseconds(200), clock: clock)
            ChaosLatency(name: "payments-chaos", rate: 1, enabled: true, latency: .fixed(.seconds(2)), clock: clock)
        }
        let call = Task {
            try await pipeline.execute { () async throws -> Int in
                reached.record(1)
                return 1
            }
        }
        await waitForSleepers(clock, 2)  // the timeout's timer and the injected wait
        clock.advance(by: .milliseconds(200))
        let error = await #expect(throws: ResilienceError.self) { try await call.value }
        #expect(error?.code == .timedOut)
        #expect(reached.count == 0)
        #expect(clock.now == ManualClock.Instant(offset: .milliseconds(200)))
    }

    @Test("Uniform latencies are exact for a seed: min + (max − min) × k / 2⁵³ for the next 53 bits k")
    func uniformIsExact() async throws {
        let clock = ManualClock()
        let latency = ChaosLatency(
            name: "db", rate: 1, enabled: true, latency: .uniform(min: .milliseconds(100), max: .milliseconds(200)),
            random: ChaosRandom(seed: 42), clock: clock)
        // Each call draws its decision, then its latency (SplitMix64(42)'s 2nd, 4th and 6th numbers).
        let expected: [Int128] = [115_991_039_287_692_010, 134_419_071_652_363_752, 186_822_807_654_653_233]
        for attoseconds in expected {
            let start = clock.now
            let call = Task { try await latency.execute { 1 } }
            await waitForSleepers(clock)
            clock.advance(by: Duration(attoseconds: attoseconds - 1))
            await Task.yield()
            #expect(clock.sleeperCount == 1)  // one attosecond short
            clock.advance(by: Duration(attoseconds: 1))
            _ = try await call.value
            #expect(start.duration(to: clock.now) == Duration(attoseconds: attoseconds))
        }
    }

    @Test("Log-normal latencies have the configured median and 99th percentile")
    func logNormal() {
        let random = ChaosRandom(seed: 7)
        let distribution = ChaosLatencyDistribution.logNormal(median: .milliseconds(200), p99: .seconds(2))
        let draws = (0..<20_000).map { _ in distribution.sample(random) }.sorted()
        let median = draws[10_000]
        let p99 = draws[19_800]
        #expect(median > .milliseconds(194) && median < .milliseconds(206), "\(median)")
        #expect(p99 > .milliseconds(1_850) && p99 < .milliseconds(2_150), "\(p99)")
        #expect(draws.allSatisfy { $0 > .zero && $0 <= ChaosLatencyDistribution.maximum })
        let fixed = ChaosLatencyDistribution.logNormal(median: .milliseconds(300), p99: .milliseconds(300))
        #expect((0..<100).allSatisfy { _ in fixed.sample(random) == .milliseconds(300) })
    }

    @Test("Bad latencies are refused, naming the key as a file writes it")
    func validation() {
        let hour = "(0, 1h]"
        let cases: [(ChaosLatencyDistribution, ConfigurationError)] = [
            (.fixed(.zero), ConfigurationError(key: "duration", value: "0s", allowed: hour)),
            (.fixed(.seconds(3_601)), ConfigurationError(key: "duration", value: "3601s", allowed: hour)),
            (.uniform(min: .milliseconds(-1), max: .seconds(1)), ConfigurationError(key: "uniform.min", value: "-1ms", allowed: "[0, 1h]")),
            (.uniform(min: .seconds(2), max: .seconds(1)), ConfigurationError(key: "uniform.max", value: "1s", allowed: "(0, 1h] and >= min")),
            (.uniform(min: .zero, max: .zero), ConfigurationError(key: "uniform.max", value: "0s", allowed: "(0, 1h] and >= min")),
            (.logNormal(median: .zero, p99: .seconds(1)), ConfigurationError(key: "logNormal.median", value: "0s", allowed: hour)),
            (.logNormal(median: .seconds(2), p99: .seconds(1)), ConfigurationError(key: "logNormal.p99", value: "1s", allowed: "[median, 1h]")),
        ]
        for (distribution, error) in cases {
            #expect(throws: error) { try distribution.validate() }
        }
        #expect(throws: Never.self) { try ChaosLatencyDistribution.uniform(min: .zero, max: .seconds(3_600)).validate() }
    }

    @Test("The latency changes at run time, validated")
    func setLatency() async throws {
        let clock = ManualClock()
        let latency = ChaosLatency(name: "db", rate: 1, enabled: true, latency: .fixed(.seconds(1)), clock: clock)
        try latency.setLatency(.fixed(.milliseconds(20)))
        let call = Task { try await latency.execute { 1 } }
        await waitForSleepers(clock)
        clock.advance(by: .milliseconds(20))
        #expect(try await call.value == 1)
        #expect(throws: ConfigurationError.self) { try latency.setLatency(.fixed(.zero)) }
        #expect(latency.latency == .fixed(.milliseconds(20)))
    }
}
