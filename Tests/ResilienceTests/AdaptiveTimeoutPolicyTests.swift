import Testing
@testable import Resilience

@Suite("Timeout with an adaptive duration, and hedging at a percentile")
struct AdaptiveTimeoutPolicyTests {
    /// p100 × 2 of the endpoint's last 10 latencies, after 3 calls; 10 s before.
    static func makeAdaptive() throws -> AdaptiveTimeout {
        AdaptiveTimeout(name: "test", configuration: AdaptiveTimeoutConfiguration(
            percentile: 1.0, multiplier: 2, minimum: .milliseconds(50), maximum: .seconds(30),
            baseTimeout: .seconds(10), warmupCalls: 3, windowSize: 10))
    }

    /// Runs one call through `timeout` that takes `latency` of the clock, and returns its limit.
    static func call(
        _ timeout: Timeout<ManualClock>, _ clock: ManualClock, latency: Duration, endpoint: String = "a"
    ) async throws -> Duration {
        let start = clock.now
        return try await timeout.execute(context: ResilienceContext(operationName: endpoint)) { context in
            clock.advance(by: latency)
            return start.duration(to: try #require(try context.deadline(on: clock)))
        }
    }

    @Test("the base timeout during warm-up, then the latency percentile × multiplier, per endpoint")
    func learns() async throws {
        let clock = ManualClock()
        let adaptive = try Self.makeAdaptive()
        let timeout = Timeout(name: "test", adaptive: adaptive, clock: clock)
        for _ in 0..<3 {
            #expect(try await Self.call(timeout, clock, latency: .milliseconds(100)) == .seconds(10))
        }
        let learned = try await Self.call(timeout, clock, latency: .milliseconds(100))
        #expect(learned >= .milliseconds(200) && learned <= .milliseconds(200) * 1.0079, "\(learned)")
        #expect(try await Self.call(timeout, clock, latency: .milliseconds(1), endpoint: "b") == .seconds(10))
        #expect(adaptive.stats(for: "a")?.recordedCalls == 4)
    }

    @Test("a timed-out call records its timeout; one cut short by a deadline or cancelled records nothing")
    func recordsTimeouts() async throws {
        let clock = ManualClock()
        let adaptive = try Self.makeAdaptive()
        let timeout = Timeout(name: "test", adaptive: adaptive, clock: clock)
        let slow = Task {
            try await timeout.execute(context: ResilienceContext(operationName: "a")) { _ in
                try await clock.sleep(for: .seconds(60))
            }
        }
        await eventually { clock.sleeperCount == 2 }
        clock.advance(by: .seconds(10))
        await #expect(throws: ResilienceError.self) { try await slow.value }
        #expect(adaptive.stats(for: "a")?.recordedCalls == 1)

        let deadline = clock.now.advanced(by: .seconds(1))
        let cut = Task {
            try await timeout.execute(context: ResilienceContext(operationName: "a", deadline: deadline)) { _ in
                try await clock.sleep(for: .seconds(60))
            }
        }
        await eventually { clock.sleeperCount == 2 }
        clock.advance(by: .seconds(1))
        await #expect(throws: ResilienceError.self) { try await cut.value }

        let cancelled = Task {
            try await timeout.execute(context: ResilienceContext(operationName: "a")) { _ in
                try await clock.sleep(for: .seconds(60))
            }
        }
        await eventually { clock.sleeperCount == 2 }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(adaptive.stats(for: "a")?.recordedCalls == 1)
    }

    @Test("hedging waits for the endpoint's latency percentile, or the fallback during warm-up")
    func hedgingAtPercentile() async throws {
        let adaptive = try Self.makeAdaptive()
        let delay = HedgingDelay.percentile(0.5, of: adaptive, fallback: .seconds(3))
        #expect(delay.duration(for: ResilienceContext(operationName: "a")) == .seconds(3))
        for _ in 0..<3 { adaptive.record(.milliseconds(400), for: "a") }
        let learned = delay.duration(for: ResilienceContext(operationName: "a"))
        #expect(learned >= .milliseconds(400) && learned <= .milliseconds(400) * 1.0079, "\(learned)")
    }
}
