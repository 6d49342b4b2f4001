import Synchronization
import Testing
@testable import Resilience

@Suite("Circuit breaker: reconfigure while running")
struct CircuitBreakerReconfigureShellTests {
    @Test("An open breaker stays open for the rest of its break; the new configuration shows and applies")
    func openStaysOpen() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(clock: clock)
        await breaker.fail()
        await breaker.fail()
        #expect(breaker.state == .open)
        clock.advance(by: .milliseconds(300))
        var longer = breaker.configuration
        longer.breakDuration = .seconds(10)
        longer.maxBreakDuration = .seconds(10)
        try breaker.reconfigure(longer)
        #expect(breaker.configuration == longer)
        #expect(breaker.state == .open)
        #expect(breaker.stats.retryAfter == .milliseconds(700))
        clock.advance(by: .milliseconds(700))
        #expect(breaker.state == .halfOpen)
    }

    @Test("Turning slow-call detection on by reconfiguring makes the next slow successes trip the breaker")
    func slowCallsTurnedOn() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(clock: clock, windowSize: 2)
        #expect(try await breaker.execute { 1 } == 1)  // fast path, no clock read
        var slow = breaker.configuration
        slow.slowCallDuration = .milliseconds(100)
        try breaker.reconfigure(slow)
        for _ in 0..<2 {
            _ = try await breaker.execute { () async -> Int in
                clock.advance(by: .milliseconds(150))
                return 1
            }
        }
        #expect(breaker.state == .open)
        #expect(breaker.stats.slowCalls == 2)
    }

    @Test("Successes counted without the lock before a reconfiguration are kept in the window")
    func countedSuccessesKept() async throws {
        let breaker = try makeBreaker(clock: ManualClock(), windowSize: 10)
        for _ in 0..<7 { _ = try await breaker.execute { 1 } }
        var smaller = breaker.configuration
        smaller.windowSize = 5
        smaller.minimumThroughput = 5
        try breaker.reconfigure(smaller)
        #expect(breaker.stats.windowCalls == 5)
        #expect(breaker.stats.successfulCalls == 7)
    }

    @Test("An invalid configuration is refused whole and the breaker runs on unchanged")
    func invalidRefused() throws {
        let breaker = try makeBreaker(clock: ManualClock())
        let before = breaker.configuration
        var bad = before
        bad.halfOpenPermittedCalls = 0
        #expect(throws: ConfigurationError(key: "halfOpenPermittedCalls", value: "0", allowed: ">= 1")) { try breaker.reconfigure(bad) }
        #expect(breaker.configuration == before)
    }

    @Test("Observers see a transition the reconfiguration causes")
    func transitionDelivered() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(clock: clock, permitted: 5, successRatio: 0.6)
        let events = SharedEvents()
        breaker.addObserver { events.append($0) }
        await breaker.fail()
        await breaker.fail()
        clock.advance(by: .seconds(1))
        _ = try await breaker.execute { 1 }  // one probe of S = 3 succeeded
        var lenient = breaker.configuration
        lenient.halfOpenPermittedCalls = 1
        lenient.halfOpenSuccessRatio = 1
        try breaker.reconfigure(lenient)
        #expect(breaker.state == .closed)
        #expect(events.events.last == .stateChanged(CircuitTransition(from: .halfOpen, to: .closed, reason: .probesSucceeded)))
    }

    @Test("Calls from many tasks while the configuration flips back and forth: every outcome is counted once")
    func concurrentReconfigure() async throws {
        let breaker = CircuitBreaker(
            name: "flip", configuration: CircuitBreakerConfiguration(window: .count, windowSize: 50, minimumThroughput: 1_000))
        let configurations = [
            CircuitBreakerConfiguration(window: .count, windowSize: 50, minimumThroughput: 1_000),
            CircuitBreakerConfiguration(window: .time, samplingDuration: .seconds(5), minimumThroughput: 1_000),
            CircuitBreakerConfiguration(window: .count, windowSize: 7, minimumThroughput: 1_000, slowCallDuration: .seconds(1)),
        ]
        let tasks = 8
        let callsPerTask = 500
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for call in 0..<callsPerTask {
                        if (task + call) % 5 == 0 {
                            _ = try? await breaker.execute { () async throws -> Int in throw Boom() }
                        } else {
                            _ = try? await breaker.execute { 1 }
                        }
                    }
                }
            }
            group.addTask {
                for round in 0..<300 {
                    try? breaker.reconfigure(configurations[round % configurations.count])
                    await Task.yield()
                }
            }
        }
        let stats = breaker.stats
        #expect(stats.successfulCalls + stats.failedCalls == tasks * callsPerTask)
        #expect(stats.failedCalls == tasks * callsPerTask / 5)
        #expect(stats.state == .closed)
    }
}
