import Testing
@testable import Resilience

/// A time-window configuration: `samplingMs` in `buckets` buckets, tripping at `minimum` calls.
private func timeConfig(samplingMs: Int, buckets: Int, minimum: Int = 100) -> CircuitBreakerConfiguration {
    CircuitBreakerConfiguration(
        window: .time, samplingDuration: .milliseconds(samplingMs), windowBuckets: buckets, minimumThroughput: minimum)
}

extension Machine {
    /// The window's calls and failures at `now`.
    mutating func windowCounts(at now: Instant) -> (calls: Int, failures: Int) {
        let stats = stats(now: now).stats
        return (stats.windowCalls, stats.windowFailures)
    }
}

@Suite("Circuit breaker state machine: reconfigure keeps the state")
struct CircuitBreakerReconfigureTests {
    @Test("An open breaker stays open for the rest of its break, however the break duration changes")
    func openStaysOpen() throws {
        var machine = try Machine(configuration: countConfig(size: 4, minimum: 4, breakMs: 1_000))
        machine.trip(at: ms(0), failures: 4)
        #expect(try machine.reconfigure(countConfig(size: 4, minimum: 4, breakMs: 5_000), now: ms(400)) == [])
        #expect(machine.acquire(now: ms(400)).decision == .rejected(.circuitOpen, retryAfter: .milliseconds(600)))
        #expect(machine.stateAt(ms(999)) == .open)
        #expect(machine.stateAt(ms(1_000)) == .halfOpen)

        var shorter = try Machine(configuration: countConfig(size: 4, minimum: 4, breakMs: 10_000))
        shorter.trip(at: ms(0), failures: 4)
        _ = try shorter.reconfigure(countConfig(size: 4, minimum: 4, breakMs: 2_000), now: ms(1_000))
        #expect(shorter.stateAt(ms(9_999)) == .open)
        #expect(shorter.stateAt(ms(10_000)) == .halfOpen)
    }

    @Test("The next trip serves the new break duration")
    func nextTripUsesNewBreak() throws {
        var machine = try Machine(configuration: countConfig(size: 4, minimum: 4, breakMs: 1_000, permitted: 1, successRatio: 1))
        _ = try machine.reconfigure(countConfig(size: 4, minimum: 4, breakMs: 3_000, permitted: 1, successRatio: 1), now: ms(0))
        machine.trip(at: ms(10), failures: 4)
        #expect(machine.stateAt(ms(3_009)) == .open)
        #expect(machine.stateAt(ms(3_010)) == .halfOpen)
    }

    @Test("A growing break is kept within the new bounds")
    func growingBreakClamped() throws {
        var config = countConfig(size: 2, minimum: 2, breakMs: 1_000, permitted: 1, successRatio: 1)
        config.breakDurationMultiplier = 4
        config.maxBreakDuration = .seconds(60)
        var machine = try Machine(configuration: config)
        machine.trip(at: ms(0), failures: 2)
        machine.call(.failure, at: ms(1_000))  // the probe fails: re-opens for 4 s, until 5 s
        #expect(machine.stats(now: ms(1_000)).stats.currentBreakDuration == .seconds(4))
        config.maxBreakDuration = .seconds(2)
        _ = try machine.reconfigure(config, now: ms(2_000))
        // The break being served ends as planned, at 5 s; the next one is capped at 2 s.
        #expect(machine.stats(now: ms(2_000)).stats.currentBreakDuration == .seconds(2))
        #expect(machine.stateAt(ms(4_999)) == .open)
        machine.call(.failure, at: ms(5_000))
        #expect(machine.stateAt(ms(6_999)) == .open)
        #expect(machine.stateAt(ms(7_000)) == .halfOpen)
    }

    @Test("A count window that shrinks keeps its newest calls; one that grows keeps them all")
    func countWindowResize() throws {
        var machine = try Machine(configuration: countConfig(size: 10, minimum: 10))
        for _ in 0..<4 { machine.call(.failure, at: ms(0)) }
        for _ in 0..<6 { machine.call(.success, at: ms(0)) }
        var grown = machine
        _ = try machine.reconfigure(countConfig(size: 5, minimum: 5), now: ms(0))
        #expect(machine.windowCounts(at: ms(0)) == (5, 0))  // the newest 5: successes
        _ = try grown.reconfigure(countConfig(size: 20, minimum: 20), now: ms(0))
        #expect(grown.windowCounts(at: ms(0)) == (10, 4))
        // The grown window fills on: 6 more failures make 10 failures of 16 calls.
        for _ in 0..<6 { grown.call(.failure, at: ms(0)) }
        #expect(grown.windowCounts(at: ms(0)) == (16, 10))
    }

    @Test("A shrunk count window evicts in the order the calls came")
    func countWindowOrderKept() throws {
        var machine = try Machine(configuration: countConfig(size: 4, minimum: 4, failureRatio: 1))
        // Ring wraps: F S S F S S → the window holds S F S S (oldest first).
        for outcome: CallOutcome in [.failure, .success, .success, .failure, .success, .success] { machine.call(outcome, at: ms(0)) }
        _ = try machine.reconfigure(countConfig(size: 3, minimum: 3, failureRatio: 1), now: ms(0))
        #expect(machine.windowCounts(at: ms(0)) == (3, 1))  // F S S
        machine.call(.success, at: ms(0))  // pushes out the failure
        #expect(machine.windowCounts(at: ms(0)) == (3, 0))
    }

    @Test("Changing thresholds never trips by itself; the next failure is checked against them")
    func thresholdsApplyAtNextFailure() throws {
        var machine = try Machine(configuration: countConfig(size: 10, minimum: 10, failureRatio: 0.5))
        for _ in 0..<6 { machine.call(.success, at: ms(0)) }
        for _ in 0..<3 { machine.call(.failure, at: ms(0)) }
        #expect(try machine.reconfigure(countConfig(size: 10, minimum: 4, failureRatio: 0.3), now: ms(0)) == [])
        #expect(machine.stateAt(ms(0)) == .closed)
        #expect(machine.call(.failure, at: ms(1)) == CircuitTransition(from: .closed, to: .open, reason: .failureRatioReached))
    }

    @Test("A window of another kind starts empty")
    func kindChangeEmptiesWindow() throws {
        var machine = try Machine(configuration: countConfig(size: 10, minimum: 10))
        for _ in 0..<5 { machine.call(.failure, at: ms(0)) }
        _ = try machine.reconfigure(timeConfig(samplingMs: 10_000, buckets: 10), now: ms(500))
        #expect(machine.windowCounts(at: ms(500)) == (0, 0))
        machine.call(.failure, at: ms(600))
        #expect(machine.windowCounts(at: ms(600)) == (1, 1))
        #expect(machine.windowCounts(at: ms(9_999)) == (1, 1))  // recorded in bucket [0, 1 s): leaves at 10 s
        #expect(machine.windowCounts(at: ms(10_000)) == (0, 0))
    }

    @Test("A time window with the same bucket width that shrinks drops the calls older than the new span")
    func timeWindowShrinks() throws {
        var machine = try Machine(configuration: timeConfig(samplingMs: 10_000, buckets: 10))  // 1 s buckets
        machine.call(.failure, at: ms(2_500))  // bucket [2 s, 3 s)
        machine.call(.success, at: ms(7_500))  // bucket [7 s, 8 s)
        machine.call(.failure, at: ms(7_900))
        _ = try machine.reconfigure(timeConfig(samplingMs: 4_000, buckets: 4), now: ms(8_000))
        // Under a 4 s span, bucket [2 s, 3 s) left at 6 s; bucket [7 s, 8 s) stays until 11 s.
        #expect(machine.windowCounts(at: ms(8_000)) == (2, 1))
        #expect(machine.windowCounts(at: ms(10_999)) == (2, 1))
        #expect(machine.windowCounts(at: ms(11_000)) == (0, 0))
    }

    @Test("A time window re-bucketed to wider buckets counts each call from its old bucket's start")
    func timeWindowRebucketed() throws {
        var machine = try Machine(configuration: timeConfig(samplingMs: 10_000, buckets: 10))  // 1 s buckets
        machine.call(.failure, at: ms(5_200))  // old bucket [5 s, 6 s)
        machine.call(.failure, at: ms(6_700))  // old bucket [6 s, 7 s)
        _ = try machine.reconfigure(timeConfig(samplingMs: 20_000, buckets: 5), now: ms(7_000))  // 4 s buckets
        // As if at 5 s and 6 s: both in the new bucket [4 s, 8 s), which leaves at 24 s.
        #expect(machine.windowCounts(at: ms(7_000)) == (2, 2))
        // New calls land in the new grid.
        machine.call(.success, at: ms(8_100))  // bucket [8 s, 12 s): leaves at 28 s
        #expect(machine.windowCounts(at: ms(23_999)) == (3, 2))
        #expect(machine.windowCounts(at: ms(24_000)) == (1, 0))
        #expect(machine.windowCounts(at: ms(27_999)) == (1, 0))
        #expect(machine.windowCounts(at: ms(28_000)) == (0, 0))
    }

    @Test("Half-open probes already decided under the new ratio close or re-open the breaker at once")
    func halfOpenDecidedByNewRatio() throws {
        // 5 probes, S = ceil(5 × 0.6) = 3. Two succeed, then S becomes ceil(2 × 1) = 2: closes now.
        var machine = try Machine(configuration: countConfig(size: 4, minimum: 4, breakMs: 1_000, permitted: 5, successRatio: 0.6))
        machine.trip(at: ms(0), failures: 4)
        machine.call(.success, at: ms(1_000))
        machine.call(.success, at: ms(1_001))
        #expect(try machine.reconfigure(countConfig(size: 4, minimum: 4, breakMs: 1_000, permitted: 2, successRatio: 1), now: ms(1_002))
            == [CircuitTransition(from: .halfOpen, to: .closed, reason: .probesSucceeded)])
        #expect(machine.windowCounts(at: ms(1_002)) == (0, 0))

        // One failed probe of 5 (S = 3, at most 2 may fail); with 2 permitted and S = 2, none may fail: re-opens.
        var other = try Machine(configuration: countConfig(size: 4, minimum: 4, breakMs: 1_000, permitted: 5, successRatio: 0.6))
        other.trip(at: ms(0), failures: 4)
        other.call(.failure, at: ms(1_000))
        #expect(try other.reconfigure(countConfig(size: 4, minimum: 4, breakMs: 1_000, permitted: 2, successRatio: 1), now: ms(1_500))
            == [CircuitTransition(from: .halfOpen, to: .open, reason: .probesFailed)])
        #expect(other.stateAt(ms(2_499)) == .open)
        #expect(other.stateAt(ms(2_500)) == .halfOpen)
    }

    @Test("Undecided half-open keeps its probes; a permit issued before the reconfiguration still counts")
    func halfOpenKeepsProbes() throws {
        var machine = try Machine(configuration: countConfig(size: 4, minimum: 4, breakMs: 1_000, permitted: 3, successRatio: 1))
        machine.trip(at: ms(0), failures: 4)
        let probe = try machine.permit(at: ms(1_000))
        #expect(try machine.reconfigure(countConfig(size: 4, minimum: 4, breakMs: 1_000, permitted: 1, successRatio: 1), now: ms(1_100)) == [])
        #expect(machine.acquire(now: ms(1_100)).decision == .rejected(.halfOpenFull, retryAfter: nil))
        #expect(machine.record(.success, of: probe, duration: .zero, now: ms(1_200))
            == CircuitTransition(from: .halfOpen, to: .closed, reason: .probesSucceeded))
    }

    @Test("A break that ended before the reconfiguration moves to half-open first")
    func dueTransitionFirst() throws {
        var machine = try Machine(configuration: countConfig(size: 4, minimum: 4, breakMs: 1_000))
        machine.trip(at: ms(0), failures: 4)
        #expect(try machine.reconfigure(countConfig(size: 4, minimum: 4, breakMs: 1_000), now: ms(1_000))
            == [CircuitTransition(from: .open, to: .halfOpen, reason: .breakElapsed)])
    }

    @Test("Forced states stay forced; an invalid configuration changes nothing")
    func forcedAndInvalid() throws {
        var machine = try Machine(configuration: countConfig())
        _ = machine.forceOpen(now: ms(0))
        _ = try machine.reconfigure(countConfig(size: 3, minimum: 3), now: ms(10))
        #expect(machine.stateAt(ms(10)) == .forcedOpen)
        #expect(throws: ConfigurationError(key: "failureRatio", value: "2.0", allowed: "(0, 1] with at most 9 decimal places")) {
            _ = try machine.reconfigure(countConfig(failureRatio: 2), now: ms(20))
        }
        #expect(machine.configuration == countConfig(size: 3, minimum: 3))
    }
}
