import Testing
@testable import Resilience

/// A cooperative timeout on a manual clock, limit 2 s.
func makeCooperativeTimeout(clock: ManualClock, metrics: TestMetrics? = nil) -> Timeout<ManualClock> {
    Timeout(
        name: "test", configuration: TimeoutConfiguration(duration: .seconds(2), enforcement: .cooperative),
        clock: clock, metricsFactory: metrics)
}

@Suite("Timeout, cooperative enforcement")
struct TimeoutCooperativeTests {
    @Test("the operation runs in the caller's task with the limit as its deadline; in time, its value")
    func inTime() async throws {
        let clock = ManualClock()
        let timeout = makeCooperativeTimeout(clock: clock)
        #expect(timeout.enforcement == .cooperative)
        let deadline = try await timeout.execute(context: ResilienceContext()) { context in
            clock.advance(by: .milliseconds(1_999))
            return try context.deadline(on: clock)
        }
        #expect(deadline == ManualClock.Instant(offset: .seconds(2)))
        #expect(clock.sleeperCount == 0)  // no timer was ever armed
    }

    @Test("an operation that honours the deadline and throws at it: the caller gets timedOut, counted, with the overrun")
    func honouredDeadline() async throws {
        struct DeadlineExceeded: Error {}
        let clock = ManualClock()
        let metrics = TestMetrics()
        let timeout = makeCooperativeTimeout(clock: clock, metrics: metrics)
        let call = Task {
            try await timeout.execute(context: ResilienceContext()) { context -> Int in
                // What async-http-client does with its deadline: fail when it passes.
                try await clock.sleep(until: try #require(try context.deadline(on: clock)))
                clock.advance(by: .milliseconds(3))
                throw DeadlineExceeded()
            }
        }
        await eventually { clock.sleeperCount == 1 }
        clock.advance(by: .seconds(2))
        await expectTimedOut(call)
        #expect(metrics.counter("resilience_timeout_timed_out_total", [("policy", "test")]) == 1)
        #expect(metrics.timer("resilience_timeout_overrun_seconds", [("policy", "test")]) == [.milliseconds(3)])
    }

    @Test("a value that arrives at or past the limit is not a success: timedOut")
    func lateValue() async throws {
        let clock = ManualClock()
        let timeout = makeCooperativeTimeout(clock: clock)
        let call = Task {
            try await timeout.execute(context: ResilienceContext()) { _ in
                clock.advance(by: .seconds(2))
                return "late"
            }
        }
        await expectTimedOut(call)
    }

    @Test("an error before the limit passes through unchanged; a passed deadline is not started")
    func errorsAndPassedDeadline() async throws {
        let clock = ManualClock()
        let timeout = makeCooperativeTimeout(clock: clock)
        await #expect(throws: Boom(id: 7)) {
            try await timeout.execute(context: ResilienceContext()) { _ -> Int in throw Boom(id: 7) }
        }
        let started = SharedCounter()
        let passed = ResilienceContext(deadline: clock.now)
        let call = Task {
            try await timeout.execute(context: passed) { _ -> Int in
                started.increment()
                return 1
            }
        }
        await expectTimedOut(call)
        #expect(started.value == 0)
    }

    @Test("the caller's cancellation is passed through, not a timeout")
    func callerCancellation() async throws {
        let clock = ManualClock()
        let timeout = makeCooperativeTimeout(clock: clock)
        let call = Task {
            try await timeout.execute(context: ResilienceContext()) { _ -> Int in
                try await clock.sleep(for: .seconds(10))
                return 1
            }
        }
        await eventually { clock.sleeperCount == 1 }
        clock.advance(by: .seconds(5))  // past the limit, but the operation still sleeps: it ignores the deadline
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
    }

    @Test("reconfigure switches the enforcement for the calls that start after it")
    func reconfigure() async throws {
        let clock = ManualClock()
        let timeout = makeCooperativeTimeout(clock: clock)
        try timeout.reconfigure(TimeoutTable(default: .seconds(2)), enforcement: .cancel)
        #expect(timeout.enforcement == .cancel)
        let call = Task {
            try await timeout.execute(context: ResilienceContext()) { _ in
                try await clock.sleep(for: .seconds(10))
                return 1
            }
        }
        await eventually { clock.sleeperCount == 2 }  // the operation and the timer: cancel enforcement
        clock.advance(by: .seconds(2))
        await expectTimedOut(call)
    }
}
