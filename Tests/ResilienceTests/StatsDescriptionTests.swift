import Testing
@testable import Resilience

/// The stats print as one line fit for a log, durations rounded to the millisecond.
@Suite("Stats describe themselves in one log line")
struct StatsDescriptionTests {
    @Test("A circuit breaker's stats: state with its break or probes, the window, the lifetime counts")
    func breaker() {
        var stats = CircuitBreakerStats(
            state: .open, windowCalls: 20, windowFailures: 12, windowSlowCalls: 0, successfulCalls: 180, failedCalls: 31,
            ignoredCalls: 0, slowCalls: 0, rejectedCalls: 44, timeInState: .nanoseconds(3_200_400_000),
            currentBreakDuration: .seconds(30), retryAfter: .nanoseconds(26_799_600_000), probesAdmitted: 0,
            probesSucceeded: 0, probesFailed: 0)
        #expect(stats.description == "open for 3.2s (retry after 26.8s, break 30s); window 20 calls, 12 failed (60.0 %), 0 slow; since creation 180 succeeded, 31 failed, 0 ignored, 0 slow, 44 rejected")
        stats.state = .halfOpen
        stats.retryAfter = nil
        stats.timeInState = .nanoseconds(76_337_645)
        stats.probesAdmitted = 2
        stats.probesSucceeded = 1
        #expect(stats.description.hasPrefix("halfOpen for 76ms (probes: 2 admitted, 1 succeeded, 0 failed); window"))
        #expect(!stats.description.contains("Optional"))
    }

    @Test("A bulkhead's, a cascade preventor's, a load shedder's and an adaptive timeout's stats")
    func others() {
        let bulkhead = BulkheadStats(
            maxConcurrent: 10, maxQueued: 20, inFlight: 7, queued: 2, admittedCalls: 1500, admittedAfterWaiting: 40,
            queuedCalls: 41, rejectedCalls: 3, expiredWaiters: 1, cancelledWaiters: 0)
        #expect(bulkhead.description == "7 of 10 running, 2 of 20 queued; since creation 1500 admitted (40 after waiting), 3 rejected, 1 expired, 0 cancelled while waiting")
        let cascade = CascadePreventorStats(mode: .fastFail, callsInWindow: 40, failuresInWindow: 25, rejectedCalls: 118, fastFailCount: 3)
        #expect(cascade.description == "fastFail; window 40 calls, 25 failed; since creation 3 fast-fail periods, 118 rejected")
        let shedder = LoadShedderStats(
            inFlight: 12, inFlightByPriority: [.low: 0, .normal: 9, .high: 3, .critical: 0],
            admitted: [.low: 10, .normal: 900, .high: 50, .critical: 2], shed: [.low: 4, .normal: 0, .high: 0, .critical: 0],
            shedByReason: [.inFlight: 4])
        #expect(shedder.description == "12 in flight (low 0, normal 9, high 3, critical 0); admitted low 10, normal 900, high 50, critical 2; shed low 4, normal 0, high 0, critical 0; shed by in_flight 4")
        let timeout = AdaptiveTimeoutStats(
            recordedCalls: 5230, windowCalls: 1000, isWarmingUp: false, timeout: .nanoseconds(1_203_900_000),
            p50: .lessThan(.nanoseconds(121_200_000)), p99: .lessThan(.milliseconds(802)))
        #expect(timeout.description == "timeout 1.204s from p99 < 802ms, p50 < 121ms; window 1000 of 5230 calls")
    }

    @Test("Durations are rounded to the millisecond, to the microsecond below one")
    func rounding() {
        #expect(DurationText.rounded(.nanoseconds(76_337_645)) == "76ms")
        #expect(DurationText.rounded(.nanoseconds(3_253_716_000)) == "3.254s")
        #expect(DurationText.rounded(.nanoseconds(420_400)) == "420us")
        #expect(DurationText.rounded(.seconds(120)) == "2m")
        #expect(DurationText.rounded(.zero) == "0s")
    }
}
