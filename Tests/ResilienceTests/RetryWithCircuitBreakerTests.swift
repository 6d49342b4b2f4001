import Testing
@testable import Resilience

@Suite("Retry with circuit breaker")
struct RetryWithCircuitBreakerTests {
    /// Retries every 200 ms (no jitter) up to 5 attempts, through a breaker that opens after 2 failures.
    func makePolicy(clock: ManualClock) throws -> RetryWithCircuitBreaker<ManualClock> {
        RetryWithCircuitBreaker(
            retry: try makeRetry(clock: clock, maxAttempts: 5),
            circuitBreaker: try makeBreaker(clock: clock, windowSize: 2))
    }

    @Test("the breaker opening mid-retry ends the call with circuitOpen; the dependency is not hammered")
    func openingEndsTheRetries() async throws {
        let clock = ManualClock()
        let policy = try makePolicy(clock: clock)
        let executions = SharedCounter()
        let call = Task {
            try await policy.execute(context: ResilienceContext()) { _ in
                executions.increment()
                throw Boom(id: 1)
            }
        }
        await advanceThroughSleeps(clock, [.milliseconds(200), .milliseconds(400)])
        do {
            _ = try await call.value
            Issue.record("expected circuitOpen")
        } catch let error as ResilienceError {
            #expect(error.code == .circuitOpen)
        }
        #expect(policy.circuitBreaker.stats.rejectedCalls == 1)
        #expect(executions.value == 2)  // the third attempt was rejected without reaching the dependency
        #expect(policy.circuitBreaker.state == .open)
    }

    @Test("an open breaker rejects the first attempt, and nothing is retried")
    func openFromTheStart() async throws {
        let clock = ManualClock()
        let policy = try makePolicy(clock: clock)
        policy.circuitBreaker.forceOpen()
        let executions = SharedCounter()
        await #expect(throws: ResilienceError.self) {
            try await policy.execute { executions.increment() }
        }
        #expect(executions.value == 0)
        #expect(clock.sleeperCount == 0)
    }

    @Test("a transient failure is retried through the closed breaker, which counts each attempt")
    func transientFailure() async throws {
        let clock = ManualClock()
        let policy = try makePolicy(clock: clock)
        let call = Task {
            try await policy.execute(context: ResilienceContext()) { context in
                if context.attempt == 1 { throw Boom(id: 1) }
                return context.attempt
            }
        }
        await advanceThroughSleeps(clock, [.milliseconds(200)])
        #expect(try await call.value == 2)
        let stats = policy.circuitBreaker.stats
        #expect(stats.failedCalls == 1)
        #expect(stats.successfulCalls == 1)
    }

    @Test("configuration errors name the policy they belong to")
    func configurationErrors() {
        #expect(throws: ConfigurationError(key: "retry.maxAttempts", value: "0", allowed: "1...1000")) {
            try RetryWithCircuitBreaker<ContinuousClock>.validate(retry: RetryConfiguration(maxAttempts: 0), circuitBreaker: CircuitBreakerConfiguration())
        }
        #expect(throws: ConfigurationError(key: "circuitBreaker.failureRatio", value: "2.0", allowed: "(0, 1] with at most 9 decimal places")) {
            try RetryWithCircuitBreaker<ContinuousClock>.validate(retry: RetryConfiguration(), circuitBreaker: CircuitBreakerConfiguration(failureRatio: 2))
        }
    }
}
