import Testing
@testable import Resilience

private struct Failure: Error, Equatable {}

private enum Tenant: ResilienceContextKey { typealias Value = String }

/// A token-bucket limiter on a manual clock.
private func limiter(
    _ clock: ManualClock, rate: Double = 1, burst: Double? = nil, maxWait: Duration = .zero, metrics: TestMetrics? = nil
) throws -> RateLimiter<ManualClock> {
    RateLimiter(
        name: "test", configuration: RateLimiterConfiguration(permitsPerSecond: rate, burst: burst, maxWait: maxWait),
        clock: clock, metricsFactory: metrics)
}

/// Expects `body` to throw a `rateLimited` error from `policy` with exactly `retryAfter`.
private func expectRateLimited(
    _ policy: String = "test", retryAfter: Duration, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async {
    do {
        try await body()
        Issue.record("expected a rateLimited rejection", sourceLocation: sourceLocation)
    } catch let error as ResilienceError {
        #expect(error.code == .rateLimited, sourceLocation: sourceLocation)
        #expect(error.policyName == policy, sourceLocation: sourceLocation)
        #expect(error.retryAfter == retryAfter, sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Rate limiter (token bucket shell)")
struct RateLimiterTests {
    @Test("admits while permits last, then rejects with rateLimited and the exact retryAfter without running the operation")
    func rejects() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let limiter = try limiter(clock, rate: 2, metrics: metrics)
        #expect(try await limiter.execute { 1 } == 1)
        #expect(try await limiter.execute { 2 } == 2)
        let ran = SharedCounter()
        clock.advance(by: .milliseconds(100))
        await expectRateLimited(retryAfter: .milliseconds(400)) { _ = try await limiter.execute { ran.increment() } }
        #expect(ran.value == 0)
        clock.advance(by: .milliseconds(400))
        await #expect(throws: Failure()) { try await limiter.execute { () async throws -> Int in throw Failure() } }
        let outcome = { (name: String) in
            metrics.counter("resilience_rate_limiter_calls_total", [("policy", "test"), ("outcome", name)])
        }
        #expect(outcome("admitted") == 3)
        #expect(outcome("rejected") == 1)
        #expect(outcome("delayed") == 0)
    }

    @Test("a call waits on the clock until its reserved instant, then runs")
    func waitsThenRuns() async throws {
        let clock = ManualClock()
        let limiter = try limiter(clock, rate: 1, maxWait: .seconds(2))
        try await limiter.acquire()
        let ran = SharedCounter()
        let waiter = Task { try await limiter.execute { ran.increment() } }
        await eventually { clock.sleeperCount == 1 }
        #expect(limiter.waitingCount == 1)
        clock.advance(by: .seconds(1) - Duration(attoseconds: 1))
        for _ in 0..<100 { await Task.yield() }
        #expect(ran.value == 0)
        clock.advance(by: Duration(attoseconds: 1))
        #expect(try await waiter.value == 1)
        #expect(limiter.waitingCount == 0)
    }

    @Test("a cancelled waiter throws CancellationError and its reservation goes to the next caller")
    func cancelledWaiterReturnsItsReservation() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let limiter = try limiter(clock, rate: 1, maxWait: .seconds(1), metrics: metrics)
        try await limiter.acquire()
        let cancelled = Task { try await limiter.execute { 1 } }
        await eventually { clock.sleeperCount == 1 }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        #expect(limiter.waitingCount == 0)
        #expect(clock.sleeperCount == 0)
        #expect(metrics.counter("resilience_rate_limiter_cancelled_waits_total", [("policy", "test")]) == 1)
        // Without the return, the next caller would need 2 s (> maxWait) and be rejected. It gets the 1 s instant.
        clock.advance(by: .milliseconds(300))
        let next = Task { try await limiter.execute { 2 } }
        await eventually { clock.sleeperCount == 1 }
        clock.advance(to: ManualClock.Instant(offset: .seconds(1)))
        #expect(try await next.value == 2)
        #expect(metrics.counter("resilience_rate_limiter_calls_total", [("policy", "test"), ("outcome", "delayed")]) == 2)
    }

    @Test("a wait longer than maxWait is rejected at once, before any sleep")
    func failsFast() async throws {
        let clock = ManualClock()
        let limiter = try limiter(clock, rate: 1, maxWait: .milliseconds(500))
        try await limiter.acquire()
        await expectRateLimited(retryAfter: .seconds(1)) { try await limiter.acquire() }
        #expect(clock.sleeperCount == 0)
    }

    @Test("cost per call: execute(cost:) and RateLimitCost in the context; a cost above the burst throws RateLimitCostError")
    func costs() async throws {
        let clock = ManualClock()
        let limiter = try limiter(clock, rate: 100, burst: 100)
        _ = try await limiter.execute(cost: 60) { 0 }
        var context = ResilienceContext()
        context.metadata[RateLimitCost.self] = 40
        _ = try await limiter.execute(context: context) { _ in 0 }
        await expectRateLimited(retryAfter: .milliseconds(10)) { try await limiter.acquire() }
        await #expect(throws: RateLimitCostError(cost: 101, maximumCost: 100)) { try await limiter.acquire(cost: 101) }
    }

    @Test("in a pipeline: composes with other policies, and never waits past the context's deadline")
    func pipeline() async throws {
        let clock = ManualClock()
        let limiter = try limiter(clock, rate: 1, maxWait: .seconds(5))
        let breaker = CircuitBreaker(name: "cb", clock: clock)
        let pipeline = ResiliencePipeline {
            limiter
            breaker
        }
        #expect(try await pipeline.execute(operationName: "op") { 7 } == 7)
        var context = ResilienceContext(operationName: "op")
        context.deadline = clock.now.advanced(by: .milliseconds(500))
        await expectRateLimited(retryAfter: .seconds(1)) {
            _ = try await pipeline.execute(context: context) { _ in 8 }
        }
        #expect(clock.sleeperCount == 0)
        context.deadline = ContinuousClock.now
        await #expect(throws: ResilienceContext.DeadlineClockMismatch.self) {
            _ = try await pipeline.execute(context: context) { _ in 9 }
        }
        #expect(breaker.stats.successfulCalls == 1)
    }
}

@Suite("Keyed rate limiter shell")
struct KeyedRateLimiterTests {
    @Test("the key comes from the context or is passed explicitly; keys have separate buckets")
    func keys() async throws {
        let clock = ManualClock()
        let limiter = KeyedRateLimiter(
            name: "tenants", configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 1),
            key: { $0.metadata[Tenant.self] ?? "anonymous" }, clock: clock)
        var acme = ResilienceContext()
        acme.metadata[Tenant.self] = "acme"
        #expect(try await limiter.execute(context: acme) { _ in 1 } == 1)
        await expectRateLimited("tenants", retryAfter: .seconds(1)) {
            _ = try await limiter.execute(key: "acme") { 2 }
        }
        #expect(try await limiter.execute(context: ResilienceContext()) { _ in 3 } == 3)
        #expect(try await limiter.execute(key: "globex") { 4 } == 4)
        #expect(limiter.keyCount == 3)
        #expect(limiter.availablePermits(for: "acme") == 0)
        #expect(limiter.availablePermits(for: "unknown") == 1)
    }

    @Test("at maxKeys a new key is rejected (counted, logged once) while held keys are served")
    func keyBound() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let limiter = KeyedRateLimiter(
            name: "tenants", configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 1, maxKeys: 1),
            key: { _ in "unused" }, clock: clock, metricsFactory: metrics)
        try await limiter.acquire(key: "a")
        await expectRateLimited("tenants", retryAfter: .seconds(1)) { try await limiter.acquire(key: "b") }
        clock.advance(by: .milliseconds(250))
        await expectRateLimited("tenants", retryAfter: .milliseconds(750)) { try await limiter.acquire(key: "b") }
        #expect(limiter.keyLimitRejections == 2)
        #expect(metrics.counter("resilience_rate_limiter_key_limit_rejections_total", [("policy", "tenants")]) == 2)
        #expect(metrics.gauge("resilience_rate_limiter_keys", [("policy", "tenants")]) == 1)
        clock.advance(by: .milliseconds(750))
        try await limiter.acquire(key: "b")
        #expect(limiter.droppedKeys == 1)
    }

    @Test("a cancelled waiter returns its reservation to its key's bucket")
    func cancelledKeyedWaiter() async throws {
        let clock = ManualClock()
        let limiter = KeyedRateLimiter(
            name: "tenants", configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 1, maxWait: .seconds(1)),
            key: { _ in "k" }, clock: clock)
        try await limiter.acquire(key: "k")
        let waiter = Task { try await limiter.acquire(key: "k") }
        await eventually { clock.sleeperCount == 1 }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        let next = Task { try await limiter.acquire(key: "k") }
        await eventually { clock.sleeperCount == 1 }
        clock.advance(by: .seconds(1))
        try await next.value
    }
}

@Suite("Sliding window rate limiter shell")
struct SlidingWindowRateLimiterTests {
    @Test("rejects the call over the limit with the exact retryAfter, waits when allowed, returns a cancelled wait")
    func shell() async throws {
        let clock = ManualClock()
        let limiter = SlidingWindowRateLimiter(
            name: "partner", configuration: SlidingWindowRateLimiterConfiguration(limit: 2, window: .seconds(60)),
            clock: clock)
        try await limiter.acquire()
        clock.advance(by: .seconds(10))
        try await limiter.acquire()
        #expect(limiter.availablePermits == 0)
        await expectRateLimited("partner", retryAfter: .seconds(50)) { try await limiter.acquire() }

        let patient = SlidingWindowRateLimiter(
            name: "partner", configuration: SlidingWindowRateLimiterConfiguration(
                limit: 1, window: .seconds(1), maxWait: .seconds(1)), clock: clock)
        try await patient.acquire()
        let cancelled = Task { try await patient.execute { 1 } }
        await eventually { clock.sleeperCount == 1 }
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        let next = Task { try await patient.execute { 2 } }
        await eventually { clock.sleeperCount == 1 }
        clock.advance(by: .seconds(1))
        #expect(try await next.value == 2)
    }

    @Test("composes in a pipeline with a per-call cost from the context")
    func pipeline() async throws {
        let clock = ManualClock()
        let limiter = SlidingWindowRateLimiter(
            name: "tokens", configuration: SlidingWindowRateLimiterConfiguration(limit: 1_000, window: .seconds(60)),
            clock: clock)
        let pipeline = ResiliencePipeline { limiter }
        var context = ResilienceContext(operationName: "llm")
        context.metadata[RateLimitCost.self] = 700
        _ = try await pipeline.execute(context: context) { _ in 0 }
        clock.advance(by: .seconds(1))
        await expectRateLimited("tokens", retryAfter: .seconds(59)) {
            _ = try await pipeline.execute(context: context) { _ in 0 }
        }
    }
}
