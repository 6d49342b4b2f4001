import Testing
@testable import Resilience

/// A bulkhead named `test` on a manual clock.
func makeBulkhead(
    maxConcurrent: Int, maxQueued: Int = 0, maxWait: Duration? = nil, clock: ManualClock = ManualClock(),
    metrics: TestMetrics? = nil
) throws -> Bulkhead<ManualClock> {
    Bulkhead(
        name: "test",
        configuration: BulkheadConfiguration(maxConcurrent: maxConcurrent, maxQueued: maxQueued, maxWait: maxWait),
        clock: clock, metricsFactory: metrics ?? TestMetrics())
}

/// Expects `call` to end with a `bulkheadFull` rejection from the bulkhead named `test`, without
/// `retryAfter`.
func expectBulkheadFull<Value: Sendable>(
    _ call: Task<Value, any Error>, sourceLocation: SourceLocation = #_sourceLocation
) async {
    do {
        let value = try await call.value
        Issue.record("expected bulkheadFull, got \(value)", sourceLocation: sourceLocation)
    } catch let error as ResilienceError {
        #expect(error.code == .bulkheadFull, sourceLocation: sourceLocation)
        #expect(error.policyName == "test", sourceLocation: sourceLocation)
        #expect(error.retryAfter == nil, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected bulkheadFull, got \(error)", sourceLocation: sourceLocation)
    }
}

/// Expects `call` to end with `CancellationError`.
func expectCancelled<Value: Sendable>(
    _ call: Task<Value, any Error>, sourceLocation: SourceLocation = #_sourceLocation
) async {
    do {
        let value = try await call.value
        Issue.record("expected CancellationError, got \(value)", sourceLocation: sourceLocation)
    } catch {
        #expect(error is CancellationError, "got \(error)", sourceLocation: sourceLocation)
    }
}

private struct OperationFailed: Error {}

/// A value shared between tasks, behind a lock.
final class BulkheadTestBox<Value: Sendable>: Sendable {
    private let state: Locked<Value>
    init(_ value: Value) { state = Locked(value) }
    func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result { state.withLock { body(&$0) } }
}

/// Labels of the bulkhead named `test`.
private let policy = [("policy", "test")]

@Suite("Bulkhead")
struct BulkheadTests {
    @Test("calls beyond running + queued are rejected at once with bulkheadFull; the others run in turn")
    func rejectsBeyondCapacity() async throws {
        let metrics = TestMetrics()
        let bulkhead = try makeBulkhead(maxConcurrent: 1, maxQueued: 1, metrics: metrics)
        let gate = Gate()
        let holder = Task { try await bulkhead.execute { await gate.wait(); return 1 } }
        await eventually { bulkhead.inFlight == 1 }
        let waiter = Task { try await bulkhead.execute { 2 } }
        await eventually { bulkhead.queued == 1 }
        #expect(metrics.gauge("resilience_bulkhead_in_flight", policy) == 1)
        #expect(metrics.gauge("resilience_bulkhead_queued", policy) == 1)

        let ran = SharedCounter()
        await expectBulkheadFull(Task { try await bulkhead.execute { ran.increment() } })
        #expect(ran.value == 0)
        #expect(metrics.counter("resilience_bulkhead_rejections_total", policy + [("reason", "full")]) == 1)

        gate.open()
        #expect(try await holder.value == 1)
        #expect(try await waiter.value == 2)
        let stats = bulkhead.stats
        #expect(stats.inFlight == 0)
        #expect(stats.queued == 0)
        #expect(stats.admittedCalls == 2)
        #expect(stats.admittedAfterWaiting == 1)
        #expect(stats.rejectedCalls == 1)
        #expect(metrics.gauge("resilience_bulkhead_in_flight", policy) == 0)
        #expect(metrics.gauge("resilience_bulkhead_queued", policy) == 0)
    }

    @Test("a queued call that waits maxWait is rejected with bulkheadFull and never gets the slot")
    func maxWaitElapses() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let bulkhead = try makeBulkhead(
            maxConcurrent: 1, maxQueued: 1, maxWait: .seconds(2), clock: clock, metrics: metrics)
        let gate = Gate()
        let holder = Task { try await bulkhead.execute { await gate.wait() } }
        await eventually { bulkhead.inFlight == 1 }
        let ran = SharedCounter()
        let waiter = Task { try await bulkhead.execute { ran.increment() } }
        await eventually { bulkhead.queued == 1 && clock.sleeperCount == 1 }  // its maxWait timer

        clock.advance(by: .milliseconds(1_999))
        #expect(bulkhead.queued == 1)
        clock.advance(by: .milliseconds(1))
        await expectBulkheadFull(waiter)
        #expect(ran.value == 0)
        #expect(bulkhead.queued == 0)
        #expect(metrics.counter("resilience_bulkhead_rejections_total", policy + [("reason", "maxWaitElapsed")]) == 1)

        gate.open()
        try await holder.value
        let stats = bulkhead.stats
        #expect(stats.inFlight == 0)
        #expect(stats.expiredWaiters == 1)
        #expect(stats.admittedAfterWaiting == 0)
    }

    @Test("a queued call served before maxWait runs, and its timer is cancelled")
    func servedBeforeMaxWait() async throws {
        let clock = ManualClock()
        let bulkhead = try makeBulkhead(maxConcurrent: 1, maxQueued: 1, maxWait: .seconds(2), clock: clock)
        let gate = Gate()
        let holder = Task { try await bulkhead.execute { await gate.wait() } }
        await eventually { bulkhead.inFlight == 1 }
        let waiter = Task { try await bulkhead.execute { "served" } }
        await eventually { bulkhead.queued == 1 && clock.sleeperCount == 1 }
        clock.advance(by: .seconds(1))
        gate.open()
        try await holder.value
        #expect(try await waiter.value == "served")
        await eventually { clock.sleeperCount == 0 }
        clock.advance(by: .seconds(5))
        let stats = bulkhead.stats
        #expect(stats.expiredWaiters == 0)
        #expect(stats.admittedAfterWaiting == 1)
        #expect(stats.inFlight == 0)
    }

    @Test("a call cancelled while queued throws CancellationError at once, never runs, never takes a slot")
    func cancelledWhileQueued() async throws {
        let metrics = TestMetrics()
        let bulkhead = try makeBulkhead(maxConcurrent: 1, maxQueued: 2, metrics: metrics)
        let gate = Gate()
        let holder = Task { try await bulkhead.execute { await gate.wait() } }
        await eventually { bulkhead.inFlight == 1 }
        let ran = SharedCounter()
        let cancelled = Task { try await bulkhead.execute { ran.increment() } }
        await eventually { bulkhead.queued == 1 }
        let behind = Task { try await bulkhead.execute { "behind" } }
        await eventually { bulkhead.queued == 2 }

        cancelled.cancel()
        await expectCancelled(cancelled)            // while the holder still runs
        #expect(bulkhead.queued == 1)
        #expect(metrics.counter("resilience_bulkhead_cancelled_waiters_total", policy) == 1)

        gate.open()
        try await holder.value
        #expect(try await behind.value == "behind")
        #expect(ran.value == 0)
        let stats = bulkhead.stats
        #expect(stats.inFlight == 0)
        #expect(stats.cancelledWaiters == 1)
        #expect(stats.admittedCalls == 2)           // the holder and `behind`
    }

    @Test("a task already cancelled when it would have to queue throws CancellationError without waiting")
    func alreadyCancelled() async throws {
        let bulkhead = try makeBulkhead(maxConcurrent: 1, maxQueued: 1)
        let gate = Gate()
        let holder = Task { try await bulkhead.execute { await gate.wait() } }
        await eventually { bulkhead.inFlight == 1 }
        let ran = SharedCounter()
        let call = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await bulkhead.execute { ran.increment() }
        }
        await expectCancelled(call)
        #expect(ran.value == 0)
        #expect(bulkhead.queued == 0)
        gate.open()
        try await holder.value
        #expect(bulkhead.inFlight == 0)
    }

    @Test("a thrown error, and a cancellation while running, give the slot back")
    func releasesOnErrors() async throws {
        let clock = ManualClock()
        let bulkhead = try makeBulkhead(maxConcurrent: 1, maxQueued: 1, clock: clock)
        do {
            try await bulkhead.execute { throw OperationFailed() }
            Issue.record("the operation's error was not rethrown")
        } catch {
            #expect(error is OperationFailed)
        }
        #expect(bulkhead.inFlight == 0)

        let running = Task { try await bulkhead.execute { try await clock.sleep(for: .seconds(10)) } }
        await eventually { clock.sleeperCount == 1 }
        #expect(bulkhead.inFlight == 1)
        running.cancel()
        await expectCancelled(running)
        #expect(bulkhead.inFlight == 0)
        #expect(try await bulkhead.execute { "free again" } == "free again")
    }

    @Test("queued calls run first in first out")
    func fifo() async throws {
        let bulkhead = try makeBulkhead(maxConcurrent: 1, maxQueued: 3)
        let gate = Gate()
        let holder = Task { try await bulkhead.execute { await gate.wait() } }
        await eventually { bulkhead.inFlight == 1 }
        let order = BulkheadTestBox<[Int]>([])
        var waiters: [Task<Void, any Error>] = []
        for index in 0..<3 {
            waiters.append(Task { try await bulkhead.execute { order.withLock { $0.append(index) } } })
            await eventually { bulkhead.queued == index + 1 }
        }
        gate.open()
        try await holder.value
        for waiter in waiters { try await waiter.value }
        #expect(order.withLock { $0 } == [0, 1, 2])
    }

    @Test("growing the capacity admits waiters at once; shrinking it lets running calls finish first")
    func capacityChanges() async throws {
        let metrics = TestMetrics()
        let bulkhead = try makeBulkhead(maxConcurrent: 1, maxQueued: 5, metrics: metrics)
        let gate = Gate()
        let running = SharedCounter()
        let blocked = (0..<3).map { _ in
            Task {
                try await bulkhead.execute {
                    running.increment()
                    await gate.wait()
                    running.decrement()
                }
            }
        }
        await eventually { bulkhead.inFlight == 1 && bulkhead.queued == 2 }

        try bulkhead.setMaxConcurrent(3)
        await eventually { running.value == 3 }     // both waiters admitted without any release
        #expect(bulkhead.queued == 0)
        #expect(metrics.gauge("resilience_bulkhead_max_concurrent", policy) == 3)

        try bulkhead.setMaxConcurrent(1)
        #expect(bulkhead.inFlight == 3)             // nobody is interrupted
        let seenRunning = SharedCounter()
        let late = Task { try await bulkhead.execute { seenRunning.raise(to: running.increment()) } }
        await eventually { bulkhead.queued == 1 }
        gate.open()
        for call in blocked { try await call.value }
        try await late.value
        #expect(seenRunning.value == 1)             // admitted only once all three had finished
        #expect(bulkhead.inFlight == 0)
        #expect(bulkhead.configuration.maxConcurrent == 1)
    }

    @Test("an invalid update is refused, naming the key, and changes nothing")
    func invalidUpdate() throws {
        let bulkhead = try makeBulkhead(maxConcurrent: 2)
        #expect(throws: ConfigurationError(key: "maxConcurrent", value: "0", allowed: "1...1000000")) {
            try bulkhead.setMaxConcurrent(0)
        }
        #expect(throws: ConfigurationError(key: "maxWait", value: "1s", allowed: "none when maxQueued is 0 (no call ever waits)")) {
            try bulkhead.reconfigure(BulkheadConfiguration(maxConcurrent: 4, maxWait: .seconds(1)))
        }
        #expect(bulkhead.configuration == BulkheadConfiguration(maxConcurrent: 2))
        #expect(bulkhead.stats.maxConcurrent == 2)
    }

    @Test("a new maxWait applies to calls that queue after the change")
    func maxWaitUpdate() async throws {
        let clock = ManualClock()
        let bulkhead = try makeBulkhead(maxConcurrent: 1, maxQueued: 2, clock: clock)
        let gate = Gate()
        let holder = Task { try await bulkhead.execute { await gate.wait() } }
        await eventually { bulkhead.inFlight == 1 }
        let patient = Task { try await bulkhead.execute { "patient" } }
        await eventually { bulkhead.queued == 1 }
        try bulkhead.reconfigure(BulkheadConfiguration(maxConcurrent: 1, maxQueued: 2, maxWait: .seconds(1)))
        let hurried = Task { try await bulkhead.execute { "hurried" } }
        await eventually { bulkhead.queued == 2 && clock.sleeperCount == 1 }
        clock.advance(by: .seconds(1))
        await expectBulkheadFull(hurried)
        gate.open()
        try await holder.value
        #expect(try await patient.value == "patient")
    }

    @Test("in a pipeline, a timeout outside the bulkhead also bounds the wait in its queue")
    func pipelineWithTimeout() async throws {
        let clock = ManualClock()
        let bulkhead = try makeBulkhead(maxConcurrent: 1, maxQueued: 1, clock: clock)
        let timeout = try makeTimeout(clock: clock, duration: .seconds(2))
        let pipeline = ResiliencePipeline {
            timeout
            bulkhead
        }
        let gate = Gate()
        let holder = Task { try await bulkhead.execute { await gate.wait() } }
        await eventually { bulkhead.inFlight == 1 }
        let ran = SharedCounter()
        let call = Task { try await pipeline.execute(operationName: "op") { ran.increment() } }
        await eventually { bulkhead.queued == 1 && clock.sleeperCount == 1 }  // the timeout's timer
        clock.advance(by: .seconds(2))
        await expectTimedOut(call)
        #expect(ran.value == 0)
        #expect(bulkhead.queued == 0)
        #expect(bulkhead.stats.cancelledWaiters == 1)
        gate.open()
        try await holder.value
        #expect(bulkhead.inFlight == 0)
    }

    @Test("in a pipeline, the bulkhead passes the context through and composes with other policies")
    func pipelineContext() async throws {
        let bulkhead = try makeBulkhead(maxConcurrent: 1)
        let pipeline = ResiliencePipeline {
            PassThroughPolicy()
            bulkhead
        }
        let name = try await pipeline.execute(context: ResilienceContext(operationName: "users.get")) { context in
            context.operationName
        }
        #expect(name == "users.get")
        #expect(bulkhead.stats.admittedCalls == 1)
        #expect(bulkhead.inFlight == 0)
    }
}
