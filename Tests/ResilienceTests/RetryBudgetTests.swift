import Testing
@testable import Resilience

@Suite("Retry budget")
struct RetryBudgetTests {
    @Test("allowed = ⌊ratio × first attempts⌋ + ⌊minPerSecond × window⌋, minus the retries already granted")
    func arithmetic() throws {
        var budget = try RetryBudgetStateMachine(ratio: 0.2, minPerSecond: 1, window: .seconds(10))
        do { let result = budget.remainingRetries(now: ClockOffset(.zero)); #expect(result == 10) }              // the floor: 1/s × 10 s
        budget.recordFirstAttempts(104, now: ClockOffset(.zero))
        do { let result = budget.remainingRetries(now: ClockOffset(.zero)); #expect(result == 30) }              // ⌊20.8⌋ + 10
        for _ in 0..<30 { let result = budget.tryRetry(now: ClockOffset(.seconds(1))); #expect(result) }
        do { let result = budget.tryRetry(now: ClockOffset(.seconds(1))); #expect(!result) }
        budget.recordFirstAttempts(5, now: ClockOffset(.seconds(2)))
        do { let result = budget.remainingRetries(now: ClockOffset(.seconds(2))); #expect(result == 1) }         // ⌊21.8⌋ + 10 − 30
        do { let result = budget.tryRetry(now: ClockOffset(.seconds(2))); #expect(result) }
        do { let result = budget.tryRetry(now: ClockOffset(.seconds(2))); #expect(!result) }
    }

    @Test("first attempts and retries leave the window bucket by bucket")
    func expiry() throws {
        var budget = try RetryBudgetStateMachine(ratio: 0.5, minPerSecond: 0, window: .seconds(10))
        budget.recordFirstAttempts(10, now: ClockOffset(.milliseconds(500)))         // bucket [0 s, 1 s): counts until 10 s
        budget.recordFirstAttempts(10, now: ClockOffset(.milliseconds(1_500)))       // bucket [1 s, 2 s): counts until 11 s
        do { let result = budget.tryRetry(now: ClockOffset(.seconds(2))); #expect(result) }                      // bucket [2 s, 3 s): counts until 12 s
        do { let result = budget.remainingRetries(now: ClockOffset(.milliseconds(9_999))); #expect(result == 9) }
        do { let result = budget.remainingRetries(now: ClockOffset(.seconds(10))); #expect(result == 4) }        // 5 − 1
        do { let result = budget.remainingRetries(now: ClockOffset(.seconds(11))); #expect(result == 0) }        // 0 − 1, never negative
        do { let result = budget.remainingRetries(now: ClockOffset(.seconds(12))); #expect(result == 0) }
    }

    @Test("ratios are exact: 0.3 of 10 first attempts is 3 retries")
    func exactRatio() throws {
        var budget = try RetryBudgetStateMachine(ratio: 0.3, minPerSecond: 0, window: .seconds(1))
        budget.recordFirstAttempts(10, now: ClockOffset(.zero))
        do { let result = budget.remainingRetries(now: ClockOffset(.zero)); #expect(result == 3) }
    }

    @Test("a fractional floor over a short window rounds down: 2.5/s over 1.5 s allows 3")
    func fractionalFloor() throws {
        var budget = try RetryBudgetStateMachine(ratio: 0, minPerSecond: 2.5, window: .milliseconds(1_500))
        do { let result = budget.remainingRetries(now: ClockOffset(.zero)); #expect(result == 3) }
    }

    @Test("the shell dates pending first attempts at the last time it took its lock, never later")
    func shellDating() throws {
        let clock = ManualClock()
        let budget = RetryBudget(ratio: 1, minPerSecond: 0, window: .seconds(10), clock: clock)
        #expect(budget.remainingRetries == 0)                          // takes the lock at 0 s
        for _ in 0..<5 { budget.recordFirstAttempt() }
        clock.advance(by: .seconds(9))
        #expect(budget.remainingRetries == 5)                          // dated 0 s: still in the window
        for _ in 0..<3 { budget.recordFirstAttempt() }
        clock.advance(by: .seconds(1))
        // The 5 from 0 s expire at 10 s; the 3 are dated 9 s (the previous lock), so they count.
        #expect(budget.remainingRetries == 3)
        #expect(budget.tryRetry())
        #expect(budget.remainingRetries == 2)
    }

    @Test("every 1,024 first attempts are handed over without waiting for a retry")
    func periodicHandOver() throws {
        let clock = ManualClock()
        let budget = RetryBudget(ratio: 1, minPerSecond: 0, window: .seconds(10), clock: clock)
        clock.advance(by: .seconds(5))
        for _ in 0..<1_024 { budget.recordFirstAttempt() }               // handed over at 5 s, dated 0 s
        for _ in 0..<10 { budget.recordFirstAttempt() }
        clock.advance(by: .seconds(5))
        // The 1,024 dated 0 s have expired at 10 s; the 10 are dated 5 s, the last hand-over.
        #expect(budget.remainingRetries == 10)
    }
}

@Suite("Retry budget: reconfigure keeps what was counted")
struct RetryBudgetReconfigureTests {
    @Test("A new ratio and floor decide the next retry; the counted first attempts and retries stay")
    func newRatio() throws {
        var budget = try RetryBudgetStateMachine(ratio: 0.2, minPerSecond: 0, window: .seconds(10))
        budget.recordFirstAttempts(100, now: ClockOffset(.zero))
        for _ in 0..<15 { let result = budget.tryRetry(now: ClockOffset(.seconds(1))); #expect(result) }
        try budget.reconfigure(ratio: 0.1, minPerSecond: 0, window: .seconds(10), now: ClockOffset(.seconds(2)))
        do { let result = budget.remainingRetries(now: ClockOffset(.seconds(2))); #expect(result == 0) }   // 10 − 15
        try budget.reconfigure(ratio: 0.5, minPerSecond: 1, window: .seconds(10), now: ClockOffset(.seconds(2)))
        do { let result = budget.remainingRetries(now: ClockOffset(.seconds(2))); #expect(result == 45) }  // 50 + 10 − 15
    }

    @Test("A shorter window drops what is older than it, bucket by bucket")
    func shorterWindow() throws {
        var budget = try RetryBudgetStateMachine(ratio: 1, minPerSecond: 0, window: .seconds(10))
        budget.recordFirstAttempts(10, now: ClockOffset(.milliseconds(1_500)))   // bucket [1 s, 2 s)
        budget.recordFirstAttempts(20, now: ClockOffset(.milliseconds(7_500)))   // bucket [7 s, 8 s)
        // A 5 s window at 8 s: [1 s, 2 s) left at 6 s; [7 s, 8 s) is counted as of 7 s, in bucket [7 s, 7.5 s): until 12 s.
        try budget.reconfigure(ratio: 1, minPerSecond: 0, window: .seconds(5), now: ClockOffset(.seconds(8)))
        do { let result = budget.remainingRetries(now: ClockOffset(.seconds(8))); #expect(result == 20) }
        do { let result = budget.remainingRetries(now: ClockOffset(.milliseconds(11_999))); #expect(result == 20) }
        do { let result = budget.remainingRetries(now: ClockOffset(.seconds(12))); #expect(result == 0) }
    }

    @Test("Invalid limits change nothing")
    func invalid() throws {
        var budget = try RetryBudgetStateMachine(ratio: 0.2, minPerSecond: 1, window: .seconds(10))
        #expect(throws: ConfigurationError.self) {
            try budget.reconfigure(ratio: 2_000, minPerSecond: 1, window: .seconds(10), now: ClockOffset(.zero))
        }
        do { let result = budget.remainingRetries(now: ClockOffset(.zero)); #expect(result == 10) }
    }
}

@Suite("Retry budget: the remaining-retries gauge")
struct RetryBudgetGaugeTests {
    @Test("A shared budget's gauge, under its name, follows the retries it would grant")
    func sharedBudget() {
        let metrics = TestMetrics()
        let clock = ManualClock()
        let budget = RetryBudget(name: "payments", ratio: 0.5, minPerSecond: 1, window: .seconds(10), clock: clock, metricsFactory: metrics)
        let label = [("policy", "payments")]
        #expect(metrics.gauge("resilience_retry_budget_remaining", label) == 10)  // the floor: 1/s over 10 s
        #expect(budget.tryRetry())
        #expect(metrics.gauge("resilience_retry_budget_remaining", label) == Double(budget.remainingRetries))
        for _ in 0..<20 { budget.recordFirstAttempt() }
        _ = budget.remainingRetries
        #expect(metrics.gauge("resilience_retry_budget_remaining", label) == 19)  // 10 + 0.5 × 20 − 1
    }

    @Test("A retry's own budget is labelled with the retry's name; without a backend there is no gauge")
    func ownBudget() async throws {
        let metrics = TestMetrics()
        let retry = Retry(name: "llm", configuration: RetryConfiguration(maxAttempts: 2), clock: ManualClock(), metricsFactory: metrics)
        _ = try await retry.execute { 1 }
        #expect(metrics.gauge("resilience_retry_budget_remaining", [("policy", "llm")]) != nil)
        #expect(RetryBudget(name: "quiet", clock: ManualClock()).remainingGauge == nil)
    }
}
