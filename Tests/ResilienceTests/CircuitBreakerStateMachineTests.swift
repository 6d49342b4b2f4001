import Testing
@testable import Resilience

typealias Instant = ClockOffset
typealias Machine = CircuitBreakerStateMachine

/// The instant `ms` milliseconds after zero.
func ms(_ value: Int) -> Instant { Instant(.milliseconds(value)) }

/// A count-window configuration, small enough to reason about by hand.
func countConfig(
    size: Int = 10, minimum: Int = 10, failureRatio: Double = 0.5, breakMs: Int = 1_000,
    permitted: Int = 5, successRatio: Double = 0.6, halfOpenMaxMs: Int? = nil
) -> CircuitBreakerConfiguration {
    CircuitBreakerConfiguration(
        window: .count, windowSize: size, minimumThroughput: minimum, failureRatio: failureRatio,
        breakDuration: .milliseconds(breakMs), halfOpenPermittedCalls: permitted,
        halfOpenSuccessRatio: successRatio, halfOpenMaxDuration: halfOpenMaxMs.map { .milliseconds($0) })
}

extension Machine {
    struct Rejected: Error { let decision: Decision }

    /// Acquires at `now` and returns the permit; throws (failing the test) when rejected.
    mutating func permit(at now: Instant) throws -> Permit {
        let (decision, _) = acquire(now: now)
        guard case .permitted(let permit) = decision else { throw Rejected(decision: decision) }
        return permit
    }

    /// Acquires and records one call of zero duration at `now`.
    @discardableResult
    mutating func call(_ outcome: CallOutcome, at now: Instant) -> CircuitTransition? {
        guard case .permitted(let permit) = acquire(now: now).decision else {
            Issue.record("expected a permit at \(now)")
            return nil
        }
        return record(outcome, of: permit, duration: .zero, now: now)
    }

    mutating func stateAt(_ now: Instant) -> CircuitState { state(now: now).state }

    /// Trips a count-window breaker with `n` failures at `now`.
    mutating func trip(at now: Instant, failures n: Int) {
        for _ in 0..<n { call(.failure, at: now) }
    }
}

@Suite("Circuit breaker state machine")
struct CircuitBreakerStateMachineTests {
    // MARK: Rule 1–2: recording and tripping

    @Test("trips when the failure ratio is exactly at the threshold")
    func tripsAtExactThreshold() throws {
        var machine = try Machine(configuration: countConfig())
        for _ in 0..<5 { #expect(machine.call(.success, at: ms(0)) == nil) }
        for _ in 0..<4 { #expect(machine.call(.failure, at: ms(0)) == nil) }
        // 5 failures of 10 calls: ratio 0.5 ≥ 0.5.
        #expect(machine.call(.failure, at: ms(0)) == CircuitTransition(from: .closed, to: .open, reason: .failureRatioReached))
        #expect(machine.stateAt(ms(0)) == .open)
    }

    @Test("does not trip just below the threshold, nor before the minimum throughput")
    func belowThresholdOrMinimum() throws {
        var machine = try Machine(configuration: countConfig())
        for _ in 0..<9 { machine.call(.failure, at: ms(0)) }  // 9 calls < minimum 10
        #expect(machine.stateAt(ms(0)) == .closed)

        var other = try Machine(configuration: countConfig(failureRatio: 0.6))
        for _ in 0..<5 { other.call(.success, at: ms(0)) }
        for _ in 0..<5 { other.call(.failure, at: ms(0)) }  // 0.5 < 0.6
        #expect(other.stateAt(ms(0)) == .closed)
        #expect(other.call(.failure, at: ms(0)) != nil)  // the oldest success leaves: 6 of 10 = 0.6
    }

    @Test("the trip condition is evaluated after failures, never after a fast success")
    func notEvaluatedAfterSuccess() throws {
        var machine = try Machine(configuration: countConfig(size: 10, minimum: 4))
        machine.call(.failure, at: ms(0))
        machine.call(.failure, at: ms(0))
        machine.call(.success, at: ms(0))
        // The minimum is reached by a success with ratio 2/4 = 0.5: no evaluation, still closed.
        #expect(machine.call(.success, at: ms(0)) == nil)
        #expect(machine.stateAt(ms(0)) == .closed)
        #expect(machine.call(.failure, at: ms(0))?.to == .open)  // 3/5
    }

    @Test("a count window smaller than the minimum throughput trips once full")
    func countWindowSmallerThanMinimum() throws {
        var machine = try Machine(configuration: countConfig(size: 3, minimum: 10, failureRatio: 1.0))
        machine.call(.failure, at: ms(0))
        machine.call(.failure, at: ms(0))
        #expect(machine.stateAt(ms(0)) == .closed)
        #expect(machine.call(.failure, at: ms(0))?.reason == .failureRatioReached)
    }

    @Test("the count window forgets the oldest call")
    func countWindowSlides() throws {
        var machine = try Machine(configuration: countConfig(size: 4, minimum: 4, failureRatio: 0.75))
        machine.call(.failure, at: ms(0))
        machine.call(.failure, at: ms(0))
        machine.call(.success, at: ms(0))
        machine.call(.success, at: ms(0))
        // Window [F F S S] → [F S S F] → 2/4 < 0.75
        #expect(machine.call(.failure, at: ms(0)) == nil)
        #expect(machine.stats(now: ms(0)).stats.windowFailures == 2)
        // → [S S F F] 2/4, → [S F F F] 3/4
        #expect(machine.call(.failure, at: ms(0)) == nil)
        #expect(machine.call(.failure, at: ms(0))?.to == .open)
    }

    @Test("ignored outcomes are not counted anywhere in the window, even when slow")
    func ignoredNotCounted() throws {
        var config = countConfig(size: 10, minimum: 2, failureRatio: 1.0)
        config.slowCallDuration = .milliseconds(100)
        config.slowCallRatio = 0.5
        var machine = try Machine(configuration: config)
        for _ in 0..<20 {
            let permit = try machine.permit(at: ms(0))
            #expect(machine.record(.ignored, of: permit, duration: .seconds(5), now: ms(0)) == nil)
        }
        let stats = machine.stats(now: ms(0)).stats
        #expect(stats.windowCalls == 0)
        #expect(stats.windowSlowCalls == 0)
        #expect(stats.ignoredCalls == 20)
        #expect(stats.slowCalls == 0)
        #expect(stats.state == .closed)
    }

    @Test("a failure that is also slow counts as both")
    func slowFailureCountsTwice() throws {
        var config = countConfig(size: 10, minimum: 10, failureRatio: 1.0)
        config.slowCallDuration = .milliseconds(100)
        var machine = try Machine(configuration: config)
        let permit = try machine.permit(at: ms(0))
        _ = machine.record(.failure, of: permit, duration: .milliseconds(100), now: ms(100))
        let stats = machine.stats(now: ms(100)).stats
        #expect(stats.windowCalls == 1)
        #expect(stats.windowFailures == 1)
        #expect(stats.windowSlowCalls == 1)
    }

    @Test("slow successes trip the breaker on the slow-call ratio, at exactly the slow duration")
    func slowCallRatioTrips() throws {
        var config = countConfig(size: 4, minimum: 4, failureRatio: 1.0)
        config.slowCallDuration = .milliseconds(500)
        config.slowCallRatio = 0.5
        var machine = try Machine(configuration: config)
        func run(_ durationMs: Int) -> CircuitTransition? {
            guard case .permitted(let permit) = machine.acquire(now: ms(0)).decision else { return nil }
            return machine.record(.success, of: permit, duration: .milliseconds(durationMs), now: ms(durationMs))
        }
        #expect(run(499) == nil)  // fast
        #expect(run(10) == nil)
        #expect(run(500) == nil)  // slow, but 3 calls < minimum 4
        #expect(run(600) == CircuitTransition(from: .closed, to: .open, reason: .slowCallRatioReached))  // 2/4
    }

    // MARK: Time window

    @Test("an outcome in bucket k counts while now < k·w + samplingDuration")
    func timeWindowBucketExpiry() throws {
        let config = CircuitBreakerConfiguration(
            window: .time, samplingDuration: .seconds(10), windowBuckets: 10, minimumThroughput: 100)
        var machine = try Machine(configuration: config)
        machine.call(.failure, at: ms(1_500))   // bucket 1 = [1s, 2s): counts while now < 11s
        machine.call(.success, at: ms(2_000))   // bucket 2: counts while now < 12s
        #expect(machine.stats(now: ms(10_999)).stats.windowCalls == 2)
        #expect(machine.stats(now: ms(11_000)).stats.windowCalls == 1)
        #expect(machine.stats(now: ms(11_000)).stats.windowFailures == 0)
        #expect(machine.stats(now: ms(11_999)).stats.windowCalls == 1)
        #expect(machine.stats(now: ms(12_000)).stats.windowCalls == 0)
    }

    @Test("the time window keeps counting across many bucket boundaries and long idle gaps")
    func timeWindowLongRun() throws {
        let config = CircuitBreakerConfiguration(
            window: .time, samplingDuration: .seconds(1), windowBuckets: 4, minimumThroughput: 1_000_000)
        var machine = try Machine(configuration: config)
        // One call every 100 ms for 10 s: the window (1 s) always holds the last 10, 9 or 8 calls
        // depending on the position in the 250 ms bucket.
        for step in 0..<100 {
            machine.call(.success, at: ms(step * 100))
            let now = step * 100
            let expected = (0...step).filter { call in
                let bucket = (call * 100) / 250
                return now < bucket * 250 + 1_000
            }.count
            #expect(machine.stats(now: ms(now)).stats.windowCalls == expected, "at \(now) ms")
        }
        // An hour of silence, then one call.
        machine.call(.failure, at: ms(3_600_000))
        let stats = machine.stats(now: ms(3_600_000)).stats
        #expect(stats.windowCalls == 1)
        #expect(stats.windowFailures == 1)
    }

    @Test("a time window trips with the calls of the span and not older ones")
    func timeWindowTrips() throws {
        let config = CircuitBreakerConfiguration(
            window: .time, samplingDuration: .seconds(10), windowBuckets: 10, minimumThroughput: 4,
            failureRatio: 0.5)
        var machine = try Machine(configuration: config)
        machine.call(.failure, at: ms(0))
        machine.call(.failure, at: ms(0))
        machine.call(.failure, at: ms(0))
        // At 10 s the three failures of bucket 0 have expired.
        machine.call(.success, at: ms(10_000))
        machine.call(.success, at: ms(10_000))
        machine.call(.success, at: ms(10_000))
        #expect(machine.call(.failure, at: ms(10_000)) == nil)  // 1/4
        #expect(machine.call(.failure, at: ms(10_000)) == nil)  // 2/5 = 0.4
        #expect(machine.call(.failure, at: ms(10_000))?.to == .open)  // 3/6 = 0.5
    }

    // MARK: Rule 3: open

    @Test("open rejects with circuitOpen and the exact time left, and half-opens at exactly the break")
    func openThenHalfOpenAtExactBreak() throws {
        var machine = try Machine(configuration: countConfig(size: 2, minimum: 2, breakMs: 30_000))
        machine.trip(at: ms(1_000), failures: 2)
        let (decision, transition) = machine.acquire(now: ms(30_999))
        #expect(decision == .rejected(.circuitOpen, retryAfter: .milliseconds(1)))
        #expect(transition == nil)
        let (late, halfOpen) = machine.acquire(now: ms(31_000))
        guard case .permitted = late else { Issue.record("expected a probe at the break's end, got \(late)"); return }
        #expect(halfOpen == CircuitTransition(from: .open, to: .halfOpen, reason: .breakElapsed))
        #expect(machine.stats(now: ms(31_000)).stats.probesAdmitted == 1)
    }

    @Test("a state read at the break's end already shows half-open")
    func stateReadAppliesBreakElapsed() throws {
        var machine = try Machine(configuration: countConfig(size: 2, minimum: 2, breakMs: 30_000))
        machine.trip(at: ms(0), failures: 2)
        #expect(machine.stateAt(ms(29_999)) == .open)
        let (state, transition) = machine.state(now: ms(30_000))
        #expect(state == .halfOpen)
        #expect(transition?.reason == .breakElapsed)
        #expect(machine.state(now: ms(30_000)).transition == nil)  // applied once
        // The half-open period started at the read, not at the due instant.
        #expect(machine.stats(now: ms(30_500)).stats.timeInState == .milliseconds(500))
    }

    @Test("while open, the window keeps the calls that tripped it; rejections are counted")
    func openKeepsStats() throws {
        var machine = try Machine(configuration: countConfig(size: 4, minimum: 4))
        machine.call(.success, at: ms(0))
        machine.call(.success, at: ms(0))
        machine.call(.failure, at: ms(0))
        machine.call(.failure, at: ms(0))
        _ = machine.acquire(now: ms(10))
        _ = machine.acquire(now: ms(20))
        let stats = machine.stats(now: ms(20)).stats
        #expect(stats.state == .open)
        #expect(stats.windowCalls == 4)
        #expect(stats.windowFailures == 2)
        #expect(stats.failureRatio == 0.5)
        #expect(stats.rejectedCalls == 2)
        #expect(stats.retryAfter == .milliseconds(980))
    }

    // MARK: Rule 4: half-open

    /// A machine that is half-open at 1 s (tripped at 0, break 1 s), with the first probe admitted.
    func halfOpenMachine(
        permitted: Int = 5, successRatio: Double = 0.6, halfOpenMaxMs: Int? = nil, multiplier: Double = 1,
        maxBreakMs: Int = 300_000
    ) throws -> Machine {
        var config = countConfig(size: 2, minimum: 2, permitted: permitted, successRatio: successRatio, halfOpenMaxMs: halfOpenMaxMs)
        config.breakDurationMultiplier = multiplier
        config.maxBreakDuration = .milliseconds(maxBreakMs)
        var machine = try Machine(configuration: config)
        machine.trip(at: ms(0), failures: 2)
        #expect(machine.stateAt(ms(1_000)) == .halfOpen)
        return machine
    }

    @Test("half-open admits the permitted probes in total, then rejects with halfOpenFull")
    func halfOpenLimit() throws {
        var machine = try halfOpenMachine()
        for _ in 0..<5 { _ = try machine.permit(at: ms(1_000)) }
        #expect(machine.acquire(now: ms(1_000)).decision == .rejected(.halfOpenFull, retryAfter: nil))
        #expect(machine.stats(now: ms(1_000)).stats.rejectedCalls == 1)
    }

    @Test("S = ceil(5 × 0.6) = 3 successful probes close the breaker")
    func halfOpenCloses() throws {
        var machine = try halfOpenMachine()
        let probes = try (0..<5).map { _ in try machine.permit(at: ms(1_000)) }
        #expect(machine.record(.success, of: probes[0], duration: .zero, now: ms(1_100)) == nil)
        #expect(machine.record(.failure, of: probes[1], duration: .zero, now: ms(1_100)) == nil)
        #expect(machine.record(.success, of: probes[2], duration: .zero, now: ms(1_100)) == nil)
        #expect(machine.record(.failure, of: probes[3], duration: .zero, now: ms(1_100)) == nil)
        #expect(
            machine.record(.success, of: probes[4], duration: .zero, now: ms(1_100))
                == CircuitTransition(from: .halfOpen, to: .closed, reason: .probesSucceeded))
        let stats = machine.stats(now: ms(1_100)).stats
        #expect(stats.windowCalls == 0)  // cleared on entering closed
    }

    @Test("half-open re-opens as soon as S can no longer be reached")
    func halfOpenReopensEarly() throws {
        var machine = try halfOpenMachine()
        let probes = try (0..<5).map { _ in try machine.permit(at: ms(1_000)) }
        #expect(machine.record(.failure, of: probes[0], duration: .zero, now: ms(1_100)) == nil)
        #expect(machine.record(.failure, of: probes[1], duration: .zero, now: ms(1_100)) == nil)
        // A third failure leaves at most 2 successes < 3.
        #expect(
            machine.record(.failure, of: probes[2], duration: .zero, now: ms(1_100))
                == CircuitTransition(from: .halfOpen, to: .open, reason: .probesFailed))
        // The two outstanding probes are of the old generation now.
        #expect(machine.record(.success, of: probes[3], duration: .zero, now: ms(1_200)) == nil)
        #expect(machine.stateAt(ms(1_200)) == .open)
    }

    @Test("a slow probe counts as a failed probe")
    func slowProbeFails() throws {
        var config = countConfig(size: 2, minimum: 2, permitted: 1, successRatio: 1.0)
        config.slowCallDuration = .milliseconds(100)
        config.slowCallRatio = 1.0
        var machine = try Machine(configuration: config)
        machine.trip(at: ms(0), failures: 2)
        let probe = try machine.permit(at: ms(1_000))
        #expect(
            machine.record(.success, of: probe, duration: .milliseconds(100), now: ms(1_100))?.reason == .probesFailed)
    }

    @Test("an ignored probe gives its slot back")
    func ignoredProbeReturnsSlot() throws {
        var machine = try halfOpenMachine()
        var probes = try (0..<5).map { _ in try machine.permit(at: ms(1_000)) }
        #expect(machine.acquire(now: ms(1_000)).decision == .rejected(.halfOpenFull, retryAfter: nil))
        #expect(machine.record(.ignored, of: probes[0], duration: .zero, now: ms(1_050)) == nil)
        #expect(machine.stateAt(ms(1_050)) == .halfOpen)
        probes[0] = try machine.permit(at: ms(1_050))
        #expect(machine.acquire(now: ms(1_050)).decision == .rejected(.halfOpenFull, retryAfter: nil))
        for probe in probes.prefix(2) { _ = machine.record(.success, of: probe, duration: .zero, now: ms(1_100)) }
        #expect(machine.record(.success, of: probes[2], duration: .zero, now: ms(1_100))?.to == .closed)
    }

    @Test("half-open re-opens when halfOpenMaxDuration elapses without a decision")
    func halfOpenTimesOut() throws {
        var machine = try halfOpenMachine(halfOpenMaxMs: 5_000, multiplier: 2)
        let probe = try machine.permit(at: ms(1_000))
        #expect(machine.stateAt(ms(5_999)) == .halfOpen)
        let (decision, transition) = machine.acquire(now: ms(6_000))
        #expect(transition == CircuitTransition(from: .halfOpen, to: .open, reason: .halfOpenTimedOut))
        // It counts as a re-open from half-open: the 1 s break doubled.
        #expect(decision == .rejected(.circuitOpen, retryAfter: .seconds(2)))
        // The late probe belongs to the old generation.
        #expect(machine.record(.success, of: probe, duration: .zero, now: ms(6_500)) == nil)
        #expect(machine.stateAt(ms(7_999)) == .open)
        #expect(machine.stateAt(ms(8_000)) == .halfOpen)
    }

    @Test("an outcome arriving after the half-open deadline re-opens by timeout and is not counted as a probe")
    func outcomeAfterHalfOpenDeadline() throws {
        var machine = try halfOpenMachine(halfOpenMaxMs: 5_000)
        let probe = try machine.permit(at: ms(1_000))
        #expect(
            machine.record(.success, of: probe, duration: .zero, now: ms(6_000))
                == CircuitTransition(from: .halfOpen, to: .open, reason: .halfOpenTimedOut))
        #expect(machine.stats(now: ms(6_000)).stats.successfulCalls == 1)
    }

    @Test("the break grows by the multiplier on each re-open from half-open, up to the cap, and resets on closing")
    func breakGrowth() throws {
        var machine = try halfOpenMachine(permitted: 1, successRatio: 1, multiplier: 3, maxBreakMs: 5_000)
        machine.call(.failure, at: ms(1_000))               // break 1 s × 3 = 3 s
        #expect(machine.acquire(now: ms(1_000)).decision == .rejected(.circuitOpen, retryAfter: .seconds(3)))
        machine.call(.failure, at: ms(4_000))               // 9 s, capped at 5 s
        #expect(machine.acquire(now: ms(4_000)).decision == .rejected(.circuitOpen, retryAfter: .seconds(5)))
        #expect(machine.call(.success, at: ms(9_000))?.to == .closed)
        machine.trip(at: ms(9_000), failures: 2)           // a trip from closed serves the base break
        #expect(machine.acquire(now: ms(9_000)).decision == .rejected(.circuitOpen, retryAfter: .seconds(1)))
    }

    // MARK: Rule 5: generations

    @Test("a late outcome from an older generation changes no state but shows in the counters")
    func lateOutcomeIgnored() throws {
        var machine = try Machine(configuration: countConfig(size: 2, minimum: 2))
        let early = try machine.permit(at: ms(0))
        machine.trip(at: ms(0), failures: 2)
        #expect(machine.stateAt(ms(1_000)) == .halfOpen)
        // The closed-state call ends during half-open: not a probe, no effect.
        #expect(machine.record(.success, of: early, duration: .zero, now: ms(1_000)) == nil)
        let stats = machine.stats(now: ms(1_000)).stats
        #expect(stats.state == .halfOpen)
        #expect(stats.probesSucceeded == 0)
        #expect(stats.windowCalls == 0)
        #expect(stats.successfulCalls == 1)
        #expect(stats.failedCalls == 2)
    }

    @Test("reset, forceOpen and forceClosed change the generation even when the state stays")
    func manualBumpsGeneration() throws {
        var machine = try Machine(configuration: countConfig(size: 2, minimum: 2))
        let before = try machine.permit(at: ms(0))
        #expect(machine.reset(now: ms(0)).isEmpty)  // closed → closed: no transition
        #expect(machine.generation != before.generation)
        _ = machine.record(.failure, of: before, duration: .zero, now: ms(0))
        #expect(machine.stats(now: ms(0)).stats.windowCalls == 0)

        _ = machine.forceClosed(now: ms(0))
        let forced = try machine.permit(at: ms(0))
        #expect(machine.forceClosed(now: ms(0)).isEmpty)
        _ = machine.record(.failure, of: forced, duration: .zero, now: ms(0))
        #expect(machine.stats(now: ms(0)).stats.windowCalls == 0)
    }

    // MARK: Rule 6–7: window clearing and manual control

    @Test("the window is cleared on entering half-open and closed")
    func windowClearedOnEntry() throws {
        var machine = try halfOpenMachine(permitted: 2, successRatio: 1)
        #expect(machine.stats(now: ms(1_000)).stats.windowCalls == 0)
        machine.call(.success, at: ms(1_000))
        #expect(machine.stats(now: ms(1_000)).stats.windowCalls == 1)  // probes show in the window
        #expect(machine.call(.success, at: ms(1_000))?.to == .closed)
        #expect(machine.stats(now: ms(1_000)).stats.windowCalls == 0)
    }

    @Test("forceOpen rejects without retryAfter and never recovers by itself")
    func forceOpen() throws {
        var machine = try Machine(configuration: countConfig())
        #expect(machine.forceOpen(now: ms(0)) == [CircuitTransition(from: .closed, to: .forcedOpen, reason: .forcedOpen)])
        #expect(machine.forceOpen(now: ms(5)).isEmpty)
        #expect(machine.acquire(now: ms(86_400_000)).decision == .rejected(.circuitOpen, retryAfter: nil))
        #expect(machine.stateAt(ms(86_400_000)) == .forcedOpen)
        #expect(machine.reset(now: ms(86_400_000)) == [CircuitTransition(from: .forcedOpen, to: .closed, reason: .reset)])
    }

    @Test("forceClosed admits everything, records stats and never trips")
    func forceClosed() throws {
        var machine = try Machine(configuration: countConfig(size: 4, minimum: 1))
        _ = machine.forceClosed(now: ms(0))
        for _ in 0..<10 { #expect(machine.call(.failure, at: ms(0)) == nil) }
        let stats = machine.stats(now: ms(0)).stats
        #expect(stats.state == .forcedClosed)
        #expect(stats.windowCalls == 4)
        #expect(stats.windowFailures == 4)
        #expect(machine.reset(now: ms(1)) == [CircuitTransition(from: .forcedClosed, to: .closed, reason: .reset)])
        #expect(machine.stats(now: ms(1)).stats.windowCalls == 0)
    }

    @Test("a manual call on an open breaker whose break elapsed reports both transitions")
    func manualAfterDueTransition() throws {
        var machine = try Machine(configuration: countConfig(size: 2, minimum: 2))
        machine.trip(at: ms(0), failures: 2)
        #expect(machine.reset(now: ms(1_000)) == [
            CircuitTransition(from: .open, to: .halfOpen, reason: .breakElapsed),
            CircuitTransition(from: .halfOpen, to: .closed, reason: .reset),
        ])
    }

    // MARK: Recording without time

    @Test("recordWithoutTime records successes of a count window exactly like record, and defers the rest")
    func recordWithoutTime() throws {
        var machine = try Machine(configuration: countConfig(size: 4, minimum: 4))
        let permit = try machine.permit(at: ms(0))
        #expect(machine.recordWithoutTime(.success, of: permit) == .recorded)
        #expect(machine.recordWithoutTime(.ignored, of: permit) == .recorded)
        #expect(machine.recordWithoutTime(.failure, of: permit) == .needsTime)
        let stats = machine.stats(now: ms(0)).stats
        #expect(stats.windowCalls == 1)
        #expect(stats.successfulCalls == 1)
        #expect(stats.ignoredCalls == 1)
        #expect(stats.failedCalls == 0)

        var timed = try Machine(configuration: CircuitBreakerConfiguration())
        let timedPermit = try timed.permit(at: ms(0))
        #expect(timed.recordWithoutTime(.success, of: timedPermit) == .needsTime)
        #expect(timed.stats(now: ms(0)).stats.successfulCalls == 0)
    }
}
