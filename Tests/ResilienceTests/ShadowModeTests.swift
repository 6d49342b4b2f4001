import Synchronization
import Testing
@testable import Resilience

/// The `resilience_<kind>_shadow_rejections_total` count for `reason`, of the policy named `test`.
private func shadowCount(_ metrics: TestMetrics, _ kind: String, _ reason: String) -> Int64 {
    metrics.counter("resilience_\(kind)_shadow_rejections_total", [("policy", "test"), ("reason", reason)])
}

@Suite("Shadow mode: every decision computed and counted, every call let through")
struct ShadowModeTests {
    @Test("A shadow breaker opens as an enforcing one would, lets the calls it would reject run, and does not record them")
    func circuitBreaker() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let breaker = CircuitBreaker(
            name: "test",
            configuration: CircuitBreakerConfiguration(
                window: .count, windowSize: 2, minimumThroughput: 2, failureRatio: 1, breakDuration: .seconds(1), mode: .shadow),
            clock: clock, metricsFactory: metrics)
        await breaker.fail()
        await breaker.fail()
        #expect(breaker.state == .open)
        let ran = SharedCounter()
        for _ in 0..<3 { _ = try await breaker.execute { ran.increment() } }
        #expect(ran.value == 3)
        #expect(shadowCount(metrics, "circuit_breaker", "circuitOpen") == 3)
        #expect(breaker.stats.successfulCalls == 0)  // what it let through is not recorded
        #expect(metrics.counter("resilience_circuit_breaker_rejections_total", [("policy", "test"), ("reason", "circuitOpen")]) == 0)
        // Enforcing again (a reload), it rejects.
        var enforcing = breaker.configuration
        enforcing.mode = .enforce
        try breaker.reconfigure(enforcing)
        await #expect(throws: ResilienceError.self) { try await breaker.execute { 1 } }
    }

    @Test("A shadow bulkhead runs the calls it would reject without a slot; its occupancy stays an enforcing one's")
    func bulkhead() async throws {
        let metrics = TestMetrics()
        let bulkhead = Bulkhead(
            name: "test", configuration: BulkheadConfiguration(maxConcurrent: 1, mode: .shadow), clock: ManualClock(),
            metricsFactory: metrics)
        let gate = Gate()
        let holder = Task { try await bulkhead.execute { await gate.wait() } }
        await eventually { bulkhead.inFlight == 1 }
        #expect(try await bulkhead.execute { 7 } == 7)
        #expect(bulkhead.inFlight == 1)
        #expect(shadowCount(metrics, "bulkhead", "full") == 1)
        gate.open()
        try await holder.value
        #expect(bulkhead.inFlight == 0)
    }

    @Test("A shadow rate limiter lets a call it would reject run without taking a permit, and does not make a call wait")
    func rateLimiter() async throws {
        let metrics = TestMetrics()
        let clock = ManualClock()
        let limiter = KeyedRateLimiter<String, ManualClock>(
            name: "test", configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 1, burst: 1, mode: .shadow),
            key: { $0.operationName }, clock: clock, metricsFactory: metrics)
        let context = ResilienceContext(operationName: "a")
        for _ in 0..<3 { #expect(try await limiter.execute(context: context) { _ in 1 } == 1) }
        #expect(shadowCount(metrics, "rate_limiter", "rateLimited") == 2)
        clock.advance(by: .seconds(1))
        #expect(try await limiter.execute(context: context) { _ in 1 } == 1)
        #expect(shadowCount(metrics, "rate_limiter", "rateLimited") == 2)  // refilled: admitted for real

        let waiting = KeyedRateLimiter<String, ManualClock>(
            name: "test", configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 1, burst: 1, maxWait: .seconds(10), mode: .shadow),
            key: { $0.operationName }, clock: clock, metricsFactory: TestMetrics())
        _ = try await waiting.execute(context: context) { _ in 1 }
        #expect(try await waiting.execute(context: context) { _ in 2 } == 2)  // would wait 1 s: runs now
        #expect(clock.sleeperCount == 0)
    }

    @Test("A shadow load shedder lets a call it would shed run, uncounted in flight")
    func loadShedder() async throws {
        let metrics = TestMetrics()
        let shedder = LoadShedder(
            name: "test",
            configuration: LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 1, normal: nil, high: nil), mode: .shadow),
            clock: ManualClock(), metricsFactory: metrics)
        let gate = Gate()
        let holder = Task { try await shedder.execute(priority: .low) { await gate.wait() } }
        await eventually { shedder.inFlight == 1 }
        #expect(try await shedder.execute(priority: .low) { 3 } == 3)
        #expect(shedder.inFlight == 1)
        #expect(shadowCount(metrics, "load_shedder", "in_flight") == 1)
        gate.open()
        try await holder.value
        #expect(shedder.inFlight == 0)
    }

    @Test("A shadow concurrency limiter runs a call beyond its limit without a slot or a sample")
    func concurrencyLimiter() async throws {
        let metrics = TestMetrics()
        let limiter = ConcurrencyLimiter(
            name: "test",
            configuration: ConcurrencyLimitConfiguration(initialLimit: 1, minLimit: 1, maxLimit: 1, mode: .shadow),
            clock: ManualClock(), metricsFactory: metrics)
        let gate = Gate()
        let holder = Task { try await limiter.execute { await gate.wait() } }
        await eventually { limiter.inFlight == 1 }
        #expect(try await limiter.execute { 5 } == 5)
        #expect(limiter.inFlight == 1)
        #expect(shadowCount(metrics, "concurrency_limit", "limitReached") == 1)
        gate.open()
        try await holder.value
    }

    @Test("A shadow timeout lets a call run past its limit, and counts it once it ends")
    func timeout() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let timeout = Timeout(
            name: "test", configuration: TimeoutConfiguration(duration: .seconds(1), mode: .shadow), clock: clock,
            metricsFactory: metrics)
        #expect(timeout.mode == .shadow)
        let value = try await timeout.execute(context: ResilienceContext()) { context in
            #expect(context.deadline == nil)  // the operation is not given the limit as a deadline
            clock.advance(by: .seconds(3))
            return "late"
        }
        #expect(value == "late")
        #expect(shadowCount(metrics, "timeout", "timedOut") == 1)
        #expect(metrics.counter("resilience_timeout_timed_out_total", [("policy", "test")]) == 0)
        _ = try await timeout.execute(context: ResilienceContext()) { _ in "fast" }
        #expect(shadowCount(metrics, "timeout", "timedOut") == 1)
    }
}
