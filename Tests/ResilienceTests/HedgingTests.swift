import Testing
@testable import Resilience

/// A hedging policy on a manual clock, waiting 2 s before each extra attempt.
func makeHedging(
    clock: ManualClock, maxHedgedAttempts: Int = 1, budget: RetryBudget<ManualClock>? = nil,
    metrics: TestMetrics? = nil
) throws -> Hedging<ManualClock> {
    Hedging(
        name: "test",
        configuration: HedgingConfiguration(hedgingDelay: .seconds(2), maxHedgedAttempts: maxHedgedAttempts),
        budget: budget, clock: clock, metricsFactory: metrics)
}

/// The executions a hedged call made, by number, and the ones that saw cancellation.
final class HedgeLog: Sendable {
    private let state = Locked<(started: [Int], cancelled: [Int])>(([], []))
    func started(_ context: ResilienceContext) -> Int {
        let attempt = context.metadata[HedgedAttemptKey.self] ?? 0
        state.withLock { $0.started.append(attempt) }
        return attempt
    }
    func cancelled(_ attempt: Int) { state.withLock { $0.cancelled.append(attempt) } }
    var started: [Int] { state.withLock { $0.started.sorted() } }
    var cancelled: [Int] { state.withLock { $0.cancelled.sorted() } }
}

@Suite("Hedging")
struct HedgingTests {
    static let wins = "resilience_hedging_wins_total"
    static let hedges = "resilience_hedging_hedges_total"

    @Test("a fast first attempt wins alone; no hedge, no timer left")
    func fastFirst() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let hedging = try makeHedging(clock: clock, metrics: metrics)
        let log = HedgeLog()
        let value = try await hedging.execute { context in log.started(context) }
        #expect(value == 1)
        #expect(log.started == [1])
        #expect(clock.sleeperCount == 0)
        #expect(metrics.counter(Self.hedges, [("policy", "test")]) == 0)
        #expect(metrics.counter(Self.wins, [("policy", "test"), ("winner", "first")]) == 1)
    }

    @Test("after the delay a hedge starts; the first acceptable outcome wins and the loser is cancelled")
    func slowFirst() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let hedging = try makeHedging(clock: clock, metrics: metrics)
        let log = HedgeLog()
        let call = Task {
            try await hedging.execute { context in
                let attempt = log.started(context)
                if attempt == 1 {
                    do { try await clock.sleep(for: .seconds(10)) } catch { log.cancelled(attempt); throw error }
                }
                return attempt
            }
        }
        await eventually { clock.sleeperCount == 2 }  // the first attempt and the delay
        clock.advance(by: .milliseconds(1_999))
        #expect(log.started == [1])
        clock.advance(by: .milliseconds(1))
        #expect(try await call.value == 2)
        #expect(log.started == [1, 2])
        #expect(log.cancelled == [1])
        #expect(clock.sleeperCount == 0)
        #expect(metrics.counter(Self.hedges, [("policy", "test")]) == 1)
        #expect(metrics.counter(Self.wins, [("policy", "test"), ("winner", "hedge")]) == 1)
    }

    @Test("a failed attempt starts the next one at once, without waiting for the delay")
    func failureHedgesAtOnce() async throws {
        let clock = ManualClock()
        let hedging = try makeHedging(clock: clock)
        let log = HedgeLog()
        let value = try await hedging.execute { context in
            let attempt = log.started(context)
            if attempt == 1 { throw Boom(id: 1) }
            return attempt
        }
        #expect(value == 2)
        #expect(clock.now == .zero)
    }

    @Test("when every attempt fails, the caller gets the last failure")
    func allFail() async throws {
        let clock = ManualClock()
        let hedging = try makeHedging(clock: clock, maxHedgedAttempts: 3)
        let log = HedgeLog()
        await #expect(throws: Boom(id: 4)) {
            try await hedging.execute { context in
                let attempt = log.started(context)
                throw Boom(id: attempt)
            }
        }
        #expect(log.started == [1, 2, 3, 4])
    }

    @Test("an error that is not the dependency's fault is an answer: it wins, no hedge")
    func ignoredErrorWins() async throws {
        let clock = ManualClock()
        let hedging = try makeHedging(clock: clock)
        let log = HedgeLog()
        await #expect(throws: NotFound.self) {
            try await hedging.execute { context in
                _ = log.started(context)
                throw NotFound()
            }
        }
        #expect(log.started == [1])
    }

    @Test("extra attempts start one delay apart, each numbered in the context")
    func severalHedges() async throws {
        let clock = ManualClock()
        let hedging = try makeHedging(clock: clock, maxHedgedAttempts: 2)
        let log = HedgeLog()
        let call = Task {
            try await hedging.execute { context in
                let attempt = log.started(context)
                if attempt < 3 {
                    do { try await clock.sleep(for: .seconds(60)) } catch { log.cancelled(attempt); throw error }
                }
                return attempt
            }
        }
        await eventually { clock.sleeperCount == 2 }
        clock.advance(by: .seconds(2))
        await eventually { log.started == [1, 2] && clock.sleeperCount == 3 }
        clock.advance(by: .seconds(2))
        #expect(try await call.value == 3)
        #expect(log.started == [1, 2, 3])
        #expect(log.cancelled == [1, 2])
    }

    @Test("hedges draw on the retry budget: an empty budget allows none")
    func budgetDenies() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let budget = RetryBudget(ratio: 0, minPerSecond: 0, clock: clock)
        let hedging = try makeHedging(clock: clock, budget: budget, metrics: metrics)
        let log = HedgeLog()
        let call = Task {
            try await hedging.execute { context in
                let attempt = log.started(context)
                try await clock.sleep(for: .seconds(5))
                return attempt
            }
        }
        await eventually { clock.sleeperCount == 2 }
        clock.advance(by: .seconds(2))  // the delay elapses, the budget refuses
        // Wait for the refusal itself: the sleeper count drops to 1 as soon as the clock advances,
        // before the hedging task has asked the budget.
        await eventually { metrics.counter("resilience_hedging_denied_total", [("policy", "test")]) == 1 }
        clock.advance(by: .seconds(3))
        #expect(try await call.value == 1)
        #expect(log.started == [1])
        #expect(metrics.counter("resilience_hedging_denied_total", [("policy", "test")]) == 1)
    }

    @Test("hedges use the budget's allowance, and count against it")
    func budgetAllows() async throws {
        let clock = ManualClock()
        let budget = RetryBudget(ratio: 0, minPerSecond: 0.1, window: .seconds(10), clock: clock)  // 1 retry
        let hedging = try makeHedging(clock: clock, budget: budget)
        #expect(budget.remainingRetries == 1)
        let value = try await hedging.execute { context in
            let attempt = context.metadata[HedgedAttemptKey.self] ?? 0
            if attempt == 1 { throw Boom(id: 1) }
            return attempt
        }
        #expect(value == 2)
        #expect(budget.remainingRetries == 0)
    }

    @Test("the caller's cancellation cancels every attempt")
    func callerCancellation() async throws {
        let clock = ManualClock()
        let hedging = try makeHedging(clock: clock)
        let log = HedgeLog()
        let call = Task {
            try await hedging.execute { context in
                let attempt = log.started(context)
                do { try await clock.sleep(for: .seconds(60)) } catch { log.cancelled(attempt); throw error }
            }
        }
        await eventually { clock.sleeperCount == 2 }
        clock.advance(by: .seconds(2))
        await eventually { log.started == [1, 2] && clock.sleeperCount == 2 }
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        #expect(log.cancelled == [1, 2])
        #expect(clock.sleeperCount == 0)
    }

    @Test("a per-call delay replaces the configured one")
    func computedDelay() async throws {
        let clock = ManualClock()
        let hedging = Hedging(
            name: "test", delay: .computed { context in context.operationName == "quick" ? .milliseconds(100) : .seconds(9) },
            budget: nil, clock: clock)
        let log = HedgeLog()
        let call = Task {
            try await hedging.execute(context: ResilienceContext(operationName: "quick")) { context in
                let attempt = log.started(context)
                if attempt == 1 { try await clock.sleep(for: .seconds(60)) }
                return attempt
            }
        }
        await eventually { clock.sleeperCount == 2 }
        clock.advance(by: .milliseconds(100))
        #expect(try await call.value == 2)
    }

    @Test("invalid configuration is rejected, naming the key")
    func validation() {
        #expect(throws: ConfigurationError(key: "maxHedgedAttempts", value: "0", allowed: "1...10")) {
            try HedgingConfiguration(maxHedgedAttempts: 0).validate()
        }
        #expect(throws: ConfigurationError(key: "hedgingDelay", value: "-1s", allowed: ">= 0")) {
            try HedgingConfiguration(hedgingDelay: .seconds(-1)).validate()
        }
    }
}
