import Testing
@testable import Resilience

struct Throttled: Error, RetryAfterProviding { var retryAfter: Duration? }

/// A retry policy on a manual clock without jitter: delays 200 ms, 400 ms, 800 ms, ...
func makeRetry(
    clock: ManualClock, maxAttempts: Int = 3, predicate: RetryPredicate = .default,
    budget: RetryBudgetChoice<ManualClock> = .unlimited, events: SharedRetryEvents? = nil
) throws -> Retry<ManualClock> {
    var onRetry: (@Sendable (RetryEvent) -> Void)?
    if let events { onRetry = { event in events.append(event) } }
    return Retry(
        name: "test", configuration: RetryConfiguration(maxAttempts: maxAttempts, jitter: .none),
        predicate: predicate, budget: budget, clock: clock, onRetry: onRetry)
}

final class SharedRetryEvents: Sendable {
    private let storage = Locked<[(attempt: Int, retry: Int, delay: Duration)]>([])
    func append(_ event: RetryEvent) { storage.withLock { $0.append((event.attempt, event.retry, event.delay)) } }
    var all: [(attempt: Int, retry: Int, delay: Duration)] { storage.withLock { $0 } }
}

/// Steps a manual clock through a retrying call: waits for each sleep, checks its deadline, advances.
func advanceThroughSleeps(_ clock: ManualClock, _ delays: [Duration]) async {
    for delay in delays {
        await eventually { clock.sleeperCount == 1 }
        clock.advance(by: delay)
    }
}

@Suite("Retry")
struct RetryTests {
    @Test("a first success runs once, with attempt 1 in the context")
    func firstSuccess() async throws {
        let retry = try makeRetry(clock: ManualClock())
        let attempts = SharedCounter()
        let value = try await retry.execute(context: ResilienceContext()) { context in
            attempts.increment()
            return context.attempt
        }
        #expect(value == 1)
        #expect(attempts.value == 1)
    }

    @Test("failures are retried after 200 ms, then 400 ms, with attempt and retry numbers")
    func retriesUntilSuccess() async throws {
        let clock = ManualClock()
        let events = SharedRetryEvents()
        let retry = try makeRetry(clock: clock, events: events)
        let startedAt = Locked<[Duration]>([])
        let call = Task {
            try await retry.execute(context: ResilienceContext()) { context in
                startedAt.withLock { $0.append(clock.now.offset) }
                if context.attempt < 3 { throw Boom(id: context.attempt) }
                return context.attempt
            }
        }
        await advanceThroughSleeps(clock, [.milliseconds(200), .milliseconds(400)])
        #expect(try await call.value == 3)
        #expect(startedAt.withLock { $0 } == [.zero, .milliseconds(200), .milliseconds(600)])
        #expect(events.all.map(\.attempt) == [2, 3])
        #expect(events.all.map(\.retry) == [1, 2])
        #expect(events.all.map(\.delay) == [.milliseconds(200), .milliseconds(400)])
    }

    @Test("when attempts run out, the caller gets the last real error")
    func exhaustion() async throws {
        let clock = ManualClock()
        let retry = try makeRetry(clock: clock)
        let call = Task {
            try await retry.execute(context: ResilienceContext()) { context -> Int in throw Boom(id: context.attempt) }
        }
        await advanceThroughSleeps(clock, [.milliseconds(200), .milliseconds(400)])
        await #expect(throws: Boom(id: 3)) { try await call.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test("rejections, errors that are not the dependency's fault and cancellation are not retried")
    func notRetried() async throws {
        let retry = try makeRetry(clock: ManualClock())
        let attempts = SharedCounter()
        for error in [
            ResilienceError(code: .circuitOpen, policyName: "b", retryAfter: .seconds(1)) as any Error,
            NotFound(), CancellationError(),
        ] {
            _ = try? await retry.execute { () -> Int in
                attempts.increment()
                throw error
            }
        }
        #expect(attempts.value == 3)
    }

    @Test("an opted-in rejection is retried after its retryAfter")
    func optedInRejection() async throws {
        let clock = ManualClock()
        let retry = try makeRetry(clock: clock, predicate: RetryPredicate(retryingRejections: [.circuitOpen]))
        let call = Task {
            try await retry.execute(context: ResilienceContext()) { context in
                if context.attempt == 1 {
                    throw ResilienceError(code: .circuitOpen, policyName: "b", retryAfter: .milliseconds(750))
                }
                return clock.now.offset
            }
        }
        await advanceThroughSleeps(clock, [.milliseconds(750)])
        #expect(try await call.value == .milliseconds(750))
    }

    @Test("a server hint replaces the backoff, capped by maxDelay")
    func retryAfterHint() async throws {
        let clock = ManualClock()
        let events = SharedRetryEvents()
        let retry = try makeRetry(clock: clock, events: events)
        let call = Task {
            try await retry.execute(context: ResilienceContext()) { context in
                if context.attempt == 1 { throw Throttled(retryAfter: .seconds(3)) }
                if context.attempt == 2 { throw Throttled(retryAfter: .seconds(60)) }
                return clock.now.offset
            }
        }
        await advanceThroughSleeps(clock, [.seconds(3), .seconds(10)])
        #expect(try await call.value == .seconds(13))
        #expect(events.all.map(\.delay) == [.seconds(3), .seconds(10)])
    }

    @Test("results the predicate marks retryable are retried; the last one is returned")
    func retryableResults() async throws {
        let clock = ManualClock()
        let predicate = RetryPredicate.default.retryingResults { (response: HTTPResponse) in
            response.status == 503 ? .retry : .doNotRetry
        }
        let retry = try makeRetry(clock: clock, predicate: predicate)
        let call = Task {
            try await retry.execute(context: ResilienceContext()) { context in
                HTTPResponse(status: context.attempt == 2 ? 200 : 503)
            }
        }
        await advanceThroughSleeps(clock, [.milliseconds(200)])
        #expect(try await call.value.status == 200)

        let always = Task { try await retry.execute { HTTPResponse(status: 503) } }
        await advanceThroughSleeps(clock, [.milliseconds(200), .milliseconds(400)])
        #expect(try await always.value.status == 503)
    }

    @Test("cancellation in the middle of a delay ends the call at once, without another attempt")
    func cancelledMidDelay() async throws {
        let clock = ManualClock()
        let retry = try makeRetry(clock: clock)
        let attempts = SharedCounter()
        let call = Task {
            try await retry.execute { () -> Int in
                attempts.increment()
                throw Boom()
            }
        }
        await eventually { clock.sleeperCount == 1 }
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(attempts.value == 1)
        #expect(clock.sleeperCount == 0)
        #expect(clock.now == .zero)
    }

    @Test("no retry starts when the deadline would pass during its delay")
    func deadline() async throws {
        let clock = ManualClock()
        let retry = try makeRetry(clock: clock, maxAttempts: 5)
        let attempts = SharedCounter()
        let call = Task {
            try await retry.execute(
                context: ResilienceContext(deadline: ManualClock.Instant(offset: .milliseconds(600)))
            ) { context -> Int in
                attempts.increment()
                throw Boom(id: context.attempt)
            }
        }
        // Retry 1 waits 200 ms (ends at 200 < 600); retry 2 would wait 400 ms, ending at 600: not started.
        await advanceThroughSleeps(clock, [.milliseconds(200)])
        await eventually { attempts.value == 2 }
        for _ in 0..<1_000 { await Task.yield() }
        if clock.sleeperCount > 0 {
            Issue.record("the call waits for a retry that would end at the deadline")
            call.cancel()
        }
        await #expect(throws: Boom(id: 2)) { try await call.value }
        #expect(attempts.value == 2)
    }

    @Test("a retry the budget denies is not made: the last outcome comes back at once")
    func budgetDenies() async throws {
        let clock = ManualClock()
        let budget = RetryBudget(ratio: 0, minPerSecond: 0, window: .seconds(1), clock: clock)
        let retry = try makeRetry(clock: clock, budget: .shared(budget))
        let attempts = SharedCounter()
        await #expect(throws: Boom(id: 1)) {
            try await retry.execute(context: ResilienceContext()) { context -> Int in
                attempts.increment()
                throw Boom(id: context.attempt)
            }
        }
        #expect(attempts.value == 1)
    }

    @Test("a 10,000-call burst against a failing dependency stays within (1 + 20 %) × first attempts + floor")
    func burstWithinBudget() async throws {
        let clock = ManualClock()
        let retry = Retry(
            name: "burst", configuration: RetryConfiguration(baseDelay: .zero), clock: clock)
        let executions = SharedCounter()
        let calls = 10_000
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<calls {
                group.addTask {
                    _ = try? await retry.execute { () -> Int in
                        executions.increment()
                        throw Boom()
                    }
                }
            }
        }
        // The default budget: 20 % of first attempts plus 10/s over 10 s, all at instant 0.
        #expect(executions.value <= calls + calls / 5 + 100)
        #expect(executions.value >= calls + 100)
    }
}

@Suite("Retry: reconfigure")
struct RetryReconfigureTests {
    @Test("The next call makes the new number of attempts; the configuration shows it")
    func newMaxAttempts() async throws {
        let clock = ManualClock()
        let retry = try makeRetry(clock: clock, maxAttempts: 3)
        try retry.reconfigure(RetryConfiguration(maxAttempts: 1, jitter: .none))
        #expect(retry.configuration.maxAttempts == 1)
        let attempts = SharedCounter()
        await #expect(throws: Boom.self) {
            try await retry.execute { () async throws -> Int in
                attempts.increment()
                throw Boom()
            }
        }
        #expect(attempts.value == 1)
    }

    @Test("Its own budget takes the new limits; a shared one is left to its owner")
    func budgets() async throws {
        let own = Retry(name: "own", configuration: RetryConfiguration(budgetRatio: 0, budgetMinPerSecond: 1), clock: ManualClock())
        #expect(own.budget?.remainingRetries == 10)
        try own.reconfigure(RetryConfiguration(budgetRatio: 0, budgetMinPerSecond: 3))
        #expect(own.budget?.remainingRetries == 30)
        let shared = RetryBudget(ratio: 0, minPerSecond: 1, clock: ManualClock())
        let user = Retry(name: "user", budget: .shared(shared), clock: ManualClock())
        try user.reconfigure(RetryConfiguration(budgetRatio: 0, budgetMinPerSecond: 3))
        #expect(shared.remainingRetries == 10)
    }
}
