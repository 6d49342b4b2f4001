import Testing
@testable import Resilience

@Suite("RetryPermission")
struct RetryPermissionTests {
    @Test("a call whose permission is refused runs once: its failure goes to the caller unretried")
    func refusedRunsOnce() async throws {
        let retry = try makeRetry(clock: ManualClock(), maxAttempts: 3)
        let attempts = SharedCounter()
        var context = ResilienceContext(operationName: "POST /orders")
        context.metadata[RetryPermission.self] = RetryPermission(granted: false)
        await #expect(throws: Boom.self) {
            try await retry.execute(context: context) { _ in
                attempts.increment()
                throw Boom(id: 1)
            }
        }
        #expect(attempts.value == 1)
    }

    @Test("revoked during the first attempt: that attempt's failure is not retried")
    func revokedDuringAttempt() async throws {
        let retry = try makeRetry(clock: ManualClock(), maxAttempts: 3)
        let attempts = SharedCounter()
        let permission = RetryPermission()
        var context = ResilienceContext()
        context.metadata[RetryPermission.self] = permission
        await #expect(throws: Boom.self) {
            try await retry.execute(context: context) { context in
                attempts.increment()
                #expect(context.mayRunAgain)
                permission.revoke()  // e.g. a proxy wrote the response head to its client
                #expect(!context.mayRunAgain)
                throw Boom(id: 1)
            }
        }
        #expect(attempts.value == 1)
    }

    @Test("revoked during the second attempt: two attempts, the second's failure returned")
    func revokedDuringSecondAttempt() async throws {
        let clock = ManualClock()
        let retry = try makeRetry(clock: clock, maxAttempts: 5)
        let permission = RetryPermission()
        var context = ResilienceContext()
        context.metadata[RetryPermission.self] = permission
        let call = Task {
            try await retry.execute(context: context) { context -> Int in
                if context.attempt == 2 { permission.revoke() }
                throw Boom(id: context.attempt)
            }
        }
        await advanceThroughSleeps(clock, [.milliseconds(200)])
        await #expect(throws: Boom(id: 2)) { try await call.value }
    }

    @Test("a granted permission, or none, changes nothing: retried until success")
    func grantedRetries() async throws {
        let clock = ManualClock()
        let retry = try makeRetry(clock: clock, maxAttempts: 3)
        var context = ResilienceContext()
        context.metadata[RetryPermission.self] = RetryPermission()
        let call = Task {
            try await retry.execute(context: context) { context in
                if context.attempt < 2 { throw Boom(id: context.attempt) }
                return context.attempt
            }
        }
        await advanceThroughSleeps(clock, [.milliseconds(200)])
        #expect(try await call.value == 2)
        #expect(ResilienceContext().mayRunAgain)
    }

    @Test("hedging starts no extra attempt for a call whose permission is refused")
    func hedgingRespectsRefusal() async throws {
        let clock = ManualClock()
        let hedging = try makeHedging(clock: clock, maxHedgedAttempts: 2)
        let log = HedgeLog()
        var context = ResilienceContext()
        context.metadata[RetryPermission.self] = RetryPermission(granted: false)
        await #expect(throws: Boom.self) {
            try await hedging.execute(context: context) { context -> Int in
                throw Boom(id: log.started(context))
            }
        }
        #expect(log.started == [1])
    }
}
