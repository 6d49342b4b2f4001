import Testing
@testable import Resilience

/// Records the order in which operations ran.
private final class Journal: Sendable {
    private let entries = Locked<[String]>([])
    func append(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

private struct LimitBoom: Error {}
private struct LimitNotFound: Error {}

private func code(of result: Result<Void, any Error>) -> ResilienceError.Code? {
    guard case .failure(let error) = result, let rejection = error as? ResilienceError else { return nil }
    return rejection.code
}

@Suite("Concurrency limit: async shell")
struct ConcurrencyLimitShellTests {
    private func limiter(
        _ configuration: ConcurrencyLimitConfiguration, clock: ManualClock,
        classifier: FailureClassifier = .default, metrics: TestMetrics = TestMetrics()
    ) throws -> ConcurrencyLimiter<ManualClock> {
        ConcurrencyLimiter(
            name: "db", configuration: configuration, classifier: classifier, clock: clock, randomSeed: 1,
            metricsFactory: metrics)
    }

    private func fixed(_ limit: Int, maxQueued: Int = 0, maxWait: Duration = .seconds(10)) -> ConcurrencyLimitConfiguration {
        .init(initialLimit: limit, minLimit: limit, maxLimit: limit, maxQueued: maxQueued, maxWait: maxWait)
    }

    @Test("latency is measured on the clock: a call slower than the AIMD timeout shrinks the limit")
    func latencyOnTheClock() async throws {
        let clock = ManualClock()
        let limiter = try limiter(.init(algorithm: .aimd(.init(timeout: .milliseconds(100))), initialLimit: 4), clock: clock)
        try await limiter.execute { clock.advance(by: .milliseconds(150)) }
        #expect(limiter.limit == 3)
        try await limiter.execute { clock.advance(by: .milliseconds(100)) }     // not slower than the timeout
        #expect(limiter.limit == 3)                                              // 1 in flight of 3: no growth
        #expect(limiter.inFlight == 0)
    }

    @Test("a success while the caller uses the limit grows it (slow start)")
    func successGrows() async throws {
        let limiter = try limiter(.init(initialLimit: 2), clock: ManualClock())
        let value = try await limiter.execute { 42 }
        #expect(value == 42)
        #expect(limiter.limit == 3)
    }

    @Test("failures and timeouts are drops; cancellation and ignored errors are not samples")
    func outcomes() async throws {
        let clock = ManualClock()
        let classifier = FailureClassifier { error in error is LimitNotFound ? .ignored : .failure }
        let limiter = try limiter(.init(initialLimit: 20), clock: clock, classifier: classifier)
        await #expect(throws: LimitBoom.self) { try await limiter.execute { throw LimitBoom() } }
        #expect(limiter.limit == 18)
        await #expect(throws: LimitNotFound.self) { try await limiter.execute { throw LimitNotFound() } }
        await #expect(throws: CancellationError.self) { try await limiter.execute { throw CancellationError() } }
        #expect(limiter.limit == 18)
        #expect(limiter.inFlight == 0)

        let ignoresAll = try self.limiter(
            .init(initialLimit: 20), clock: clock, classifier: FailureClassifier { _ in .ignored })
        await #expect(throws: ResilienceError.self) {
            try await ignoresAll.execute { throw ResilienceError(code: .timedOut, policyName: "timeout") }
        }
        #expect(ignoresAll.limit == 18)    // a timeout is a drop whatever the classifier says

        let countsEverything = try self.limiter(
            .init(initialLimit: 20), clock: clock, classifier: FailureClassifier { _ in .failure })
        await #expect(throws: CancellationError.self) { try await countsEverything.execute { throw CancellationError() } }
        #expect(countsEverything.limit == 20)    // cancellation is never a sample

        let results = try self.limiter(
            .init(initialLimit: 20), clock: clock,
            classifier: FailureClassifier.default.classifyingResults { (status: Int) in status >= 500 ? .failure : .success })
        let status = try await results.execute { 503 }
        #expect(status == 503)
        #expect(results.limit == 18)
    }

    @Test("beyond the limit without a queue: loadShed at once, no retryAfter, counted")
    func rejection() async throws {
        let metrics = TestMetrics()
        let limiter = try limiter(fixed(1), clock: ManualClock(), metrics: metrics)
        let gate = Gate()
        let running = Task { try await limiter.execute { await gate.wait() } }
        await eventually { limiter.inFlight == 1 }
        do {
            try await limiter.execute {}
            Issue.record("admitted beyond the limit")
        } catch let error as ResilienceError {
            #expect(error.code == .loadShed)
            #expect(error.retryAfter == nil)
            #expect(error.policyName == "db")
        }
        #expect(metrics.counter("resilience_concurrency_limit_rejections_total", [("policy", "db"), ("reason", "limitReached")]) == 1)
        #expect(metrics.gauge("resilience_concurrency_limit_in_flight", [("policy", "db")]) == 1)
        gate.open()
        try await running.value
        #expect(limiter.inFlight == 0)
        #expect(metrics.gauge("resilience_concurrency_limit_in_flight", [("policy", "db")]) == 0)
        #expect(metrics.gauge("resilience_concurrency_limit_limit", [("policy", "db")]) == 1)
    }

    @Test("LIFO queue: the newest waiter runs first; a full queue evicts its oldest with loadShed")
    func lifoQueue() async throws {
        let metrics = TestMetrics()
        let limiter = try limiter(fixed(1, maxQueued: 2), clock: ManualClock(), metrics: metrics)
        let journal = Journal()
        let gate = Gate()
        let a = Task { try await limiter.execute { journal.append("a"); await gate.wait() } }
        await eventually { limiter.inFlight == 1 }
        let b = Task { try await limiter.execute { journal.append("b") } }
        await eventually { limiter.queued == 1 }
        let c = Task { try await limiter.execute { journal.append("c") } }
        await eventually { limiter.queued == 2 }
        let d = Task { try await limiter.execute { journal.append("d") } }
        let evicted = await b.result
        #expect(code(of: evicted) == .loadShed)
        #expect(limiter.queued == 2)
        #expect(metrics.counter("resilience_concurrency_limit_rejections_total", [("policy", "db"), ("reason", "queueFull")]) == 1)
        gate.open()
        try await a.value
        try await d.value
        try await c.value
        #expect(journal.all == ["a", "d", "c"])
        #expect(limiter.inFlight == 0 && limiter.queued == 0)
        #expect(metrics.gauge("resilience_concurrency_limit_queued", [("policy", "db")]) == 0)
    }

    @Test("a waiter is rejected with loadShed when maxWait elapses on the clock, not before")
    func expiry() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let limiter = try limiter(fixed(1, maxQueued: 1, maxWait: .milliseconds(100)), clock: clock, metrics: metrics)
        let gate = Gate()
        let a = Task { try await limiter.execute { await gate.wait() } }
        await eventually { limiter.inFlight == 1 }
        let b = Task { try await limiter.execute {} }
        await eventually { limiter.queued == 1 && clock.sleeperCount == 1 }
        clock.advance(by: .milliseconds(99))
        #expect(limiter.queued == 1)
        clock.advance(by: .milliseconds(1))
        #expect(code(of: await b.result) == .loadShed)
        #expect(limiter.queued == 0)
        #expect(metrics.counter("resilience_concurrency_limit_rejections_total", [("policy", "db"), ("reason", "queueTimeout")]) == 1)
        gate.open()
        try await a.value
        #expect(limiter.inFlight == 0)
    }

    @Test("a cancelled waiter leaves the queue at once with CancellationError, and its timer stops")
    func cancelledWaiter() async throws {
        let clock = ManualClock()
        let limiter = try limiter(fixed(1, maxQueued: 4), clock: clock)
        let gate = Gate()
        let a = Task { try await limiter.execute { await gate.wait() } }
        await eventually { limiter.inFlight == 1 }
        let ran = SharedCounter()
        let b = Task { try await limiter.execute { ran.increment() } }
        await eventually { limiter.queued == 1 && clock.sleeperCount == 1 }
        b.cancel()
        let result = await b.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(limiter.queued == 0)
        await eventually { clock.sleeperCount == 0 }
        gate.open()
        try await a.value
        #expect(ran.value == 0)
        #expect(limiter.inFlight == 0)
    }

    @Test("a task cancelled before it arrives still runs when admitted at once (the operation sees the cancellation)")
    func cancelledBeforeArrival() async throws {
        let limiter = try limiter(fixed(1, maxQueued: 1), clock: ManualClock())
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await limiter.execute { Task.isCancelled }
        }
        #expect(try await task.value == true)
        #expect(limiter.inFlight == 0)
    }

    @Test("reconfigure: a larger limit admits a waiter at once, a queue turned off rejects the others, running calls finish")
    func reconfigureWhileRunning() async throws {
        let clock = ManualClock()
        let limiter = try limiter(fixed(1, maxQueued: 4), clock: clock)
        let gate = Gate()
        let running = Task { try await limiter.execute { await gate.wait() } }
        await eventually { limiter.inFlight == 1 }
        let waiters = (0..<3).map { _ in Task { try await limiter.execute { await gate.wait() } } }
        await eventually { limiter.queued == 3 }
        try limiter.reconfigure(fixed(2, maxQueued: 0))
        #expect(limiter.configuration == fixed(2, maxQueued: 0))
        #expect(limiter.inFlight == 2)
        #expect(limiter.queued == 0)
        gate.open()
        try await running.value
        var rejected = 0
        for waiter in waiters {
            if code(of: await waiter.result) == .loadShed { rejected += 1 }
        }
        #expect(rejected == 2)
        #expect(limiter.inFlight == 0)
    }
}
