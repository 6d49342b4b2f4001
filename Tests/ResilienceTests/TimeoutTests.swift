import Testing
@testable import Resilience

/// A timeout on a manual clock, reporting to `metrics` when given.
func makeTimeout(
    clock: ManualClock, duration: Duration = .seconds(2), metrics: TestMetrics? = nil
) throws -> Timeout<ManualClock> {
    Timeout(
        name: "test", configuration: TimeoutConfiguration(duration: duration), clock: clock, metricsFactory: metrics)
}

/// Expects `call` to end with a `timedOut` rejection from the policy named `test`.
func expectTimedOut<Value: Sendable>(
    _ call: Task<Value, any Error>, sourceLocation: SourceLocation = #_sourceLocation
) async {
    do {
        let value = try await call.value
        Issue.record("expected timedOut, got \(value)", sourceLocation: sourceLocation)
    } catch let error as ResilienceError {
        #expect(error.code == .timedOut, sourceLocation: sourceLocation)
        #expect(error.policyName == "test", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected timedOut, got \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Timeout")
struct TimeoutTests {
    @Test("an operation that finishes in time returns its value and leaves no timer sleeping")
    func finishesInTime() async throws {
        let clock = ManualClock()
        let timeout = try makeTimeout(clock: clock)
        let value = try await timeout.execute(context: ResilienceContext()) { _ in 42 }
        #expect(value == 42)
        await eventually { clock.sleeperCount == 0 }
    }

    @Test("at the limit the operation is cancelled and the caller gets timedOut; nothing keeps running")
    func cancelsAtTheLimit() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let timeout = try makeTimeout(clock: clock, metrics: metrics)
        let sawCancellation = SharedCounter()
        let call = Task {
            try await timeout.execute(context: ResilienceContext()) { _ in
                do {
                    try await clock.sleep(for: .seconds(10))
                } catch {
                    if error is CancellationError { sawCancellation.increment() }
                    throw error
                }
                return "too late"
            }
        }
        await eventually { clock.sleeperCount == 2 }  // the operation and the timer
        clock.advance(by: .milliseconds(1_999))
        #expect(clock.sleeperCount == 2)
        clock.advance(by: .milliseconds(1))
        await expectTimedOut(call)
        #expect(sawCancellation.value == 1)
        #expect(clock.sleeperCount == 0)
        #expect(metrics.counter("resilience_timeout_timed_out_total", [("policy", "test")]) == 1)
    }

    @Test("the operation sees the limit as its context's deadline")
    func passesTheLimitOn() async throws {
        let clock = ManualClock(now: ManualClock.Instant(offset: .seconds(100)))
        let timeout = try makeTimeout(clock: clock)
        let deadline = try await timeout.execute(context: ResilienceContext()) { context in
            try context.deadline(on: clock)
        }
        #expect(deadline == ManualClock.Instant(offset: .seconds(102)))
    }

    @Test("an earlier deadline in the context bounds the timeout")
    func deadlineBoundsTheTimeout() async throws {
        let clock = ManualClock()
        let timeout = try makeTimeout(clock: clock, duration: .seconds(30))
        let context = ResilienceContext(deadline: ManualClock.Instant(offset: .seconds(5)))
        let seen = try await timeout.execute(context: context) { context in try context.deadline(on: clock) }
        #expect(seen == ManualClock.Instant(offset: .seconds(5)))

        let call = Task {
            try await timeout.execute(context: context) { _ in try await clock.sleep(for: .seconds(60)) }
        }
        await eventually { clock.sleeperCount == 2 }
        clock.advance(by: .seconds(5))
        await expectTimedOut(call)
    }

    @Test("a later deadline in the context does not extend the timeout")
    func laterDeadlineKeepsTheTimeout() async throws {
        let clock = ManualClock()
        let timeout = try makeTimeout(clock: clock, duration: .seconds(2))
        let context = ResilienceContext(deadline: ManualClock.Instant(offset: .seconds(60)))
        let seen = try await timeout.execute(context: context) { context in try context.deadline(on: clock) }
        #expect(seen == ManualClock.Instant(offset: .seconds(2)))
    }

    @Test("a call whose deadline has passed is not started")
    func passedDeadline() async throws {
        let clock = ManualClock(now: ManualClock.Instant(offset: .seconds(10)))
        let timeout = try makeTimeout(clock: clock)
        let runs = SharedCounter()
        for deadline in [Duration.seconds(9), .seconds(10)] {
            let call = Task {
                try await timeout.execute(context: ResilienceContext(deadline: ManualClock.Instant(offset: deadline))) { _ in
                    runs.increment()
                }
            }
            await expectTimedOut(call)
        }
        #expect(runs.value == 0)
    }

    @Test("a deadline on another clock is an error, not ignored")
    func deadlineOnAnotherClock() async throws {
        let timeout = try makeTimeout(clock: ManualClock())
        await #expect(throws: ResilienceContext.DeadlineClockMismatch.self) {
            try await timeout.execute(context: ResilienceContext(deadline: ContinuousClock.now)) { _ in 1 }
        }
    }

    @Test("nested timeouts: the inner one gets the outer limit when that is earlier")
    func nested() async throws {
        let clock = ManualClock()
        let outer = try makeTimeout(clock: clock, duration: .seconds(1))
        let inner = try makeTimeout(clock: clock, duration: .seconds(5))
        let seen = try await outer.execute(context: ResilienceContext()) { context in
            try await inner.execute(context: context) { context in try context.deadline(on: clock) }
        }
        #expect(seen == ManualClock.Instant(offset: .seconds(1)))
    }

    @Test("the duration is chosen by the context's operation type; other types get the default")
    func perOperationType() async throws {
        let clock = ManualClock()
        let timeout = Timeout(name: "test", table: .typicalService, clock: clock)
        for (type, expected) in [("llm", 60), ("auth", 5), ("db", 10), ("http", 15), ("search", 30)] as [(String?, Int64)]
            + [(nil, 30)]
        {
            let context = ResilienceContext(operationName: "call", operationType: type)
            let seen = try await timeout.execute(context: context) { context in try context.deadline(on: clock) }
            #expect(seen == ManualClock.Instant(offset: .seconds(expected)), "type \(type ?? "nil")")
        }
    }

    @Test("an operation that ignores cancellation: the call waits for it, then still throws timedOut")
    func ignoresCancellation() async throws {
        let clock = ManualClock()
        let timeout = try makeTimeout(clock: clock)
        let gate = Gate()
        let started = SharedCounter()
        let finished = SharedCounter()
        let call = Task {
            try await timeout.execute(context: ResilienceContext()) { _ in
                started.increment()
                await gate.wait()  // does not honour cancellation
                finished.increment()
                return "late value"
            }
        }
        await eventually { clock.sleeperCount == 1 && started.value == 1 }
        clock.advance(by: .seconds(2))
        gate.open()
        await expectTimedOut(call)
        #expect(finished.value == 1)  // structured: the operation ended before the call returned
    }

    @Test("the caller's cancellation reaches the operation and is not reported as a timeout")
    func callerCancellation() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let timeout = try makeTimeout(clock: clock, metrics: metrics)
        let call = Task {
            try await timeout.execute(context: ResilienceContext()) { _ in try await clock.sleep(for: .seconds(10)) }
        }
        await eventually { clock.sleeperCount == 2 }
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(clock.sleeperCount == 0)
        #expect(metrics.counter("resilience_timeout_timed_out_total", [("policy", "test")]) == 0)
    }

    @Test("the operation's own error passes through unchanged")
    func operationError() async throws {
        let timeout = try makeTimeout(clock: ManualClock())
        await #expect(throws: Boom(id: 7)) {
            try await timeout.execute(context: ResilienceContext()) { _ in throw Boom(id: 7) }
        }
    }

    @Test("detached: the caller returns at the limit; the orphan is counted until it ends")
    func detachedReturnsOnTime() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let timeout = try makeTimeout(clock: clock, metrics: metrics)
        let gate = Gate()
        let started = SharedCounter()
        let finished = SharedCounter()
        let call = Task {
            try await timeout.executeDetached { _ in
                started.increment()
                await gate.wait()  // does not honour cancellation
                finished.increment()
                return 1
            }
        }
        await eventually { clock.sleeperCount == 1 && started.value == 1 }
        clock.advance(by: .seconds(2))
        await expectTimedOut(call)
        #expect(finished.value == 0)
        #expect(timeout.orphanCount == 1)
        #expect(metrics.gauge("resilience_timeout_orphans", [("policy", "test")]) == 1)
        gate.open()
        await eventually { timeout.orphanCount == 0 }
        #expect(finished.value == 1)
        #expect(metrics.gauge("resilience_timeout_orphans", [("policy", "test")]) == 0)
    }

    @Test("detached: a fast operation's value is returned and its timer stopped")
    func detachedInTime() async throws {
        let clock = ManualClock()
        let timeout = try makeTimeout(clock: clock)
        let value = try await timeout.executeDetached { _ in "fast" }
        #expect(value == "fast")
        await eventually { clock.sleeperCount == 0 }
        #expect(timeout.orphanCount == 0)
    }

    @Test("detached: the caller's cancellation returns at once and cancels the operation")
    func detachedCallerCancellation() async throws {
        let clock = ManualClock()
        let timeout = try makeTimeout(clock: clock)
        let call = Task {
            try await timeout.executeDetached { _ in try await clock.sleep(for: .seconds(10)) }
        }
        await eventually { clock.sleeperCount == 2 }
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        await eventually { clock.sleeperCount == 0 && timeout.orphanCount == 0 }
    }

    @Test("200 concurrent calls, half of them too slow: each gets its own outcome, nothing is left")
    func manyConcurrentCalls() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let timeout = try makeTimeout(clock: clock, duration: .seconds(1), metrics: metrics)
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<200 {
                group.addTask {
                    do {
                        try await timeout.execute(context: ResilienceContext()) { _ in
                            if index.isMultiple(of: 2) { try await clock.sleep(for: .seconds(5)) }
                        }
                        return true
                    } catch let error as ResilienceError where error.code == .timedOut {
                        return false
                    }
                }
            }
            await eventually { clock.sleeperCount == 200 }  // 100 slow operations, 100 timers
            clock.advance(by: .seconds(1))
            return try await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 100)
        #expect(outcomes.filter { !$0 }.count == 100)
        #expect(clock.sleeperCount == 0)
        #expect(metrics.counter("resilience_timeout_timed_out_total", [("policy", "test")]) == 100)
    }

    @Test("a retry outside the timeout retries timed-out attempts by default, and not when told so")
    func retryRetriesTimeouts() async throws {
        for (predicate, expectedAttempts) in [(RetryPredicate.default, 3), (RetryPredicate(retryingRejections: []), 1)] {
            let clock = ManualClock()
            let events = SharedRetryEvents()
            let retry = try makeRetry(clock: clock, predicate: predicate, events: events)
            let timeout = try makeTimeout(clock: clock, duration: .seconds(1))
            let attempts = SharedCounter()
            let call = Task {
                try await retry.execute(context: ResilienceContext()) { context in
                    try await timeout.execute(context: context) { _ in
                        attempts.increment()
                        try await clock.sleep(for: .seconds(5))
                    }
                }
            }
            for attempt in 1...expectedAttempts {
                await eventually { attempts.value == attempt && clock.sleeperCount == 2 }
                clock.advance(by: .seconds(1))  // the attempt times out
                if attempt < expectedAttempts {
                    await eventually { events.all.count == attempt && clock.sleeperCount == 1 }  // the retry's delay
                    clock.advance(by: .seconds(1))
                }
            }
            await expectTimedOut(call)
            #expect(attempts.value == expectedAttempts)
        }
    }

    @Test("invalid durations are rejected, naming the key")
    func validation() {
        #expect(throws: ConfigurationError(key: "duration", value: "0s", allowed: "> 0")) {
            try TimeoutConfiguration(duration: .zero).validate()
        }
        #expect(throws: ConfigurationError(key: "default", value: "-1s", allowed: "> 0")) {
            try TimeoutTable(default: .seconds(-1)).validate()
        }
        #expect(throws: ConfigurationError(key: "byOperationType.llm", value: "0s", allowed: "> 0")) {
            try TimeoutTable(default: .seconds(1), byOperationType: ["llm": .zero]).validate()
        }
    }
}

@Suite("Timeout: reconfigure")
struct TimeoutReconfigureTests {
    @Test("A new duration applies to the next call; the table's operation types too")
    func nextCallUsesNewDuration() async throws {
        let clock = ManualClock()
        let timeout = try makeTimeout(clock: clock, duration: .seconds(2))
        try timeout.reconfigure(TimeoutTable(default: .milliseconds(500), byOperationType: ["db": .seconds(1)]))
        let call = Task { try await timeout.execute(context: ResilienceContext()) { _ in try await clock.sleep(for: .seconds(10)) } }
        await eventually { clock.sleeperCount == 2 }
        clock.advance(by: .milliseconds(500))
        await expectTimedOut(call)
        let db = Task { try await timeout.execute(context: ResilienceContext(operationType: "db")) { _ in try await clock.sleep(for: .seconds(10)) } }
        await eventually { clock.sleeperCount == 2 }
        clock.advance(by: .milliseconds(999))
        #expect(clock.sleeperCount == 2)
        clock.advance(by: .milliseconds(1))
        await expectTimedOut(db)
    }

    @Test("An invalid table is refused and the timeout keeps its durations")
    func invalidRefused() throws {
        let timeout = try makeTimeout(clock: ManualClock(), duration: .seconds(2))
        #expect(throws: ConfigurationError.self) { try timeout.reconfigure(TimeoutTable(default: .zero)) }
        guard case .table(let table) = timeout.source else { Issue.record("expected a table"); return }
        #expect(table.defaultDuration == .seconds(2))
    }
}
