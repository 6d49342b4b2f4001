import Testing
@testable import Resilience

/// The package API that lets a slot outlive one `execute` (a streamed HTTP response holds its slot until its
/// body ends): the same admission rules, a wait bounded by the call's deadline, an explicit release.
@Suite("Bulkhead slots held beyond one call")
struct BulkheadSlotTests {
    @Test("a slot taken at once is held until released, exactly like a running call")
    func acquireAndRelease() async throws {
        let bulkhead = try makeBulkhead(maxConcurrent: 1)
        #expect(try await bulkhead.acquireSlot(until: nil) == .acquired)
        #expect(bulkhead.inFlight == 1)
        await expectBulkheadFull(Task { try await bulkhead.execute { 1 } })
        await #expect(throws: ResilienceError.self) { try await bulkhead.acquireSlot(until: nil) }
        bulkhead.releaseSlot()
        #expect(bulkhead.inFlight == 0)
        #expect(try await bulkhead.execute { 2 } == 2)
    }

    @Test("a queued slot is handed over by a release, first in first out")
    func queuedThenHandedOver() async throws {
        let clock = ManualClock()
        let bulkhead = try makeBulkhead(maxConcurrent: 1, maxQueued: 1, clock: clock)
        #expect(try await bulkhead.acquireSlot(until: nil) == .acquired)
        let waiter = Task { try await bulkhead.acquireSlot(until: clock.now.advanced(by: .seconds(5))) }
        await eventually { bulkhead.queued == 1 && clock.sleeperCount == 1 }  // the deadline's timer
        bulkhead.releaseSlot()
        #expect(try await waiter.value == .acquired)
        #expect(bulkhead.inFlight == 1)
        await eventually { clock.sleeperCount == 0 }  // the timer is cancelled
        bulkhead.releaseSlot()
        #expect(bulkhead.stats.admittedAfterWaiting == 1)
    }

    @Test("a queued call whose deadline comes first leaves the queue as a cancelled waiter, holding nothing")
    func deadlineWhileQueued() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let bulkhead = try makeBulkhead(maxConcurrent: 1, maxQueued: 1, maxWait: .seconds(10), clock: clock, metrics: metrics)
        #expect(try await bulkhead.acquireSlot(until: nil) == .acquired)
        let waiter = Task { try await bulkhead.acquireSlot(until: clock.now.advanced(by: .seconds(2))) }
        await eventually { bulkhead.queued == 1 && clock.sleeperCount == 1 }
        clock.advance(by: .milliseconds(1_999))
        #expect(bulkhead.queued == 1)
        clock.advance(by: .milliseconds(1))
        #expect(try await waiter.value == .deadlineReached)
        #expect(bulkhead.queued == 0)
        #expect(bulkhead.inFlight == 1)
        #expect(metrics.counter("resilience_bulkhead_cancelled_waiters_total", [("policy", "test")]) == 1)
        #expect(metrics.counter("resilience_bulkhead_rejections_total", [("policy", "test"), ("reason", "maxWaitElapsed")]) == 0)
        #expect(bulkhead.stats.cancelledWaiters == 1 && bulkhead.stats.expiredWaiters == 0)
        bulkhead.releaseSlot()
        #expect(bulkhead.inFlight == 0)
    }

    @Test("maxWait earlier than the deadline still rejects with bulkheadFull")
    func maxWaitFirst() async throws {
        let clock = ManualClock()
        let bulkhead = try makeBulkhead(maxConcurrent: 1, maxQueued: 1, maxWait: .seconds(1), clock: clock)
        #expect(try await bulkhead.acquireSlot(until: nil) == .acquired)
        let waiter = Task { try await bulkhead.acquireSlot(until: clock.now.advanced(by: .seconds(5))) }
        await eventually { bulkhead.queued == 1 && clock.sleeperCount == 1 }
        clock.advance(by: .seconds(1))
        await expectBulkheadFull(waiter)
        bulkhead.releaseSlot()
    }

    @Test("in shadow mode a full bulkhead takes no slot and the call goes on")
    func shadow() async throws {
        let bulkhead = Bulkhead(
            name: "test", configuration: BulkheadConfiguration(maxConcurrent: 1, mode: .shadow), clock: ManualClock(),
            metricsFactory: TestMetrics())
        #expect(try await bulkhead.acquireSlot(until: nil) == .acquired)
        #expect(try await bulkhead.acquireSlot(until: nil) == .notTaken)
        #expect(bulkhead.inFlight == 1)
        bulkhead.releaseSlot()
        #expect(bulkhead.inFlight == 0)
    }
}
