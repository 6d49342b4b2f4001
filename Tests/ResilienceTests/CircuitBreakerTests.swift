import Synchronization
import Testing
@testable import Resilience

struct Boom: Error, Equatable { var id = 0 }
struct NotFound: Error, NotADependencyFailure {}
struct HTTPResponse: Sendable { var status: Int }

/// A count-window breaker on a manual clock: trips after `windowSize` failures, break 1 s.
func makeBreaker(
    clock: ManualClock, windowSize: Int = 2, permitted: Int = 5, successRatio: Double = 0.6,
    slowCall: Duration? = nil, classifier: FailureClassifier = .default, metrics: TestMetrics? = nil
) throws -> CircuitBreaker<ManualClock> {
    CircuitBreaker(
        name: "test",
        configuration: CircuitBreakerConfiguration(
            window: .count, windowSize: windowSize, minimumThroughput: windowSize, failureRatio: 1.0,
            slowCallDuration: slowCall, slowCallRatio: 1.0, breakDuration: .seconds(1),
            halfOpenPermittedCalls: permitted, halfOpenSuccessRatio: successRatio),
        classifier: classifier, clock: clock, metricsFactory: metrics)
}

extension CircuitBreaker {
    /// Runs a call that fails with `Boom`, swallowing the error.
    func fail() async {
        _ = try? await execute { () async throws -> Int in throw Boom() }
    }
}

/// Events collected by an observer.
final class SharedEvents: Sendable {
    private let storage = Locked<[CircuitBreakerEvent]>([])
    func append(_ event: CircuitBreakerEvent) { storage.withLock { $0.append(event) } }
    var events: [CircuitBreakerEvent] { storage.withLock { $0 } }
}

@Suite("Circuit breaker")
struct CircuitBreakerTests {
    @Test("returns the operation's value and rethrows its error unchanged")
    func passesThrough() async throws {
        let breaker = try makeBreaker(clock: ManualClock())
        #expect(try await breaker.execute { 42 } == 42)
        await #expect(throws: Boom(id: 7)) { try await breaker.execute { () async throws -> Int in throw Boom(id: 7) } }
        #expect(breaker.stats.failedCalls == 1)
        #expect(breaker.stats.successfulCalls == 1)
    }

    @Test("an open breaker rejects with circuitOpen, its name and the exact time left, without running the operation")
    func rejectsWhenOpen() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(clock: clock)
        await breaker.fail()
        await breaker.fail()
        clock.advance(by: .milliseconds(250))
        let ran = SharedCounter()
        do {
            _ = try await breaker.execute { ran.increment() }
            Issue.record("expected a rejection")
        } catch let error as ResilienceError {
            #expect(error.code == .circuitOpen)
            #expect(error.policyName == "test")
            #expect(error.retryAfter == .milliseconds(750))
            #expect(error.underlyingError == nil)
        }
        #expect(ran.value == 0)
        #expect(breaker.stats.rejectedCalls == 1)
    }

    @Test("a result classifier counts a 503 response as a failure and still returns it")
    func classifiesResults() async throws {
        let classifier = FailureClassifier.default.classifyingResults { (response: HTTPResponse) in
            response.status >= 500 ? .failure : .success
        }
        let breaker = try makeBreaker(clock: ManualClock(), classifier: classifier)
        #expect(try await breaker.execute { HTTPResponse(status: 503) }.status == 503)
        #expect(try await breaker.execute { HTTPResponse(status: 200) }.status == 200)
        #expect(try await breaker.execute { "not a response" } == "not a response")
        let stats = breaker.stats
        #expect(stats.failedCalls == 1)
        #expect(stats.successfulCalls == 2)
    }

    @Test("errors that are not the dependency's fault and cancellations never trip the breaker")
    func ignoresNonFailures() async throws {
        let breaker = try makeBreaker(clock: ManualClock())
        for _ in 0..<50 {
            await #expect(throws: NotFound.self) { try await breaker.execute { () async throws -> Int in throw NotFound() } }
            await #expect(throws: CancellationError.self) {
                try await breaker.execute { () async throws -> Int in throw CancellationError() }
            }
        }
        #expect(breaker.state == .closed)
        #expect(breaker.stats.ignoredCalls == 100)
        #expect(breaker.stats.windowCalls == 0)
    }

    @Test("slow calls are measured on the breaker's clock")
    func measuresSlowCalls() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(clock: clock, slowCall: .milliseconds(100))
        _ = try await breaker.execute { clock.advance(by: .milliseconds(99)) }
        #expect(breaker.stats.windowSlowCalls == 0)
        _ = try await breaker.execute { clock.advance(by: .milliseconds(100)) }
        #expect(breaker.stats.windowSlowCalls == 1)
        _ = try await breaker.execute { clock.advance(by: .milliseconds(150)) }
        #expect(breaker.state == .open)  // 2 slow of 2 calls (window 2) → slow ratio 1.0
    }

    @Test("1,000 concurrent callers never get more than the permitted probes in a half-open period")
    func halfOpenUnderConcurrency() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(clock: clock, permitted: 5)
        await breaker.fail()
        await breaker.fail()
        clock.advance(by: .seconds(1))
        let gate = Gate()
        let admitted = SharedCounter()
        let rejected = SharedCounter()
        let maxInFlight = SharedCounter()
        let inFlight = SharedCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<1_000 {
                group.addTask {
                    do {
                        try await breaker.execute {
                            admitted.increment()
                            maxInFlight.raise(to: inFlight.increment())
                            await gate.wait()
                            inFlight.decrement()
                        }
                    } catch let error as ResilienceError {
                        #expect(error.code == .halfOpenFull)
                        rejected.increment()
                    }
                }
            }
            // Every caller has either been admitted (and waits at the gate) or been rejected.
            await eventually { admitted.value + rejected.value == 1_000 }
            gate.open()
            try await group.waitForAll()
        }
        #expect(admitted.value == 5)
        #expect(maxInFlight.value == 5)
        #expect(rejected.value == 995)
        #expect(breaker.state == .closed)
    }

    @Test("a cancelled probe gives its slot back: probe slots never leak")
    func cancelledProbeDoesNotLeak() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(clock: clock, permitted: 1, successRatio: 1)
        await breaker.fail()
        await breaker.fail()
        clock.advance(by: .seconds(1))
        for round in 0..<100 {
            let probe = Task { try await breaker.execute { try await clock.sleep(for: .seconds(60)) } }
            await eventually { clock.sleeperCount == 1 }
            // The only slot is taken.
            await #expect(throws: ResilienceError.self) { try await breaker.execute { () } }
            probe.cancel()
            await #expect(throws: CancellationError.self) { try await probe.value }
            #expect(breaker.state == .halfOpen, "round \(round)")
        }
        #expect(breaker.stats.ignoredCalls == 100)
        try await breaker.execute { () }  // the slot is free: this probe closes the breaker
        #expect(breaker.state == .closed)
    }

    @Test("the operation runs outside the breaker's lock")
    func operationOutsideLock() async throws {
        let breaker = try makeBreaker(clock: ManualClock())
        // Each of these takes the breaker's lock; under the lock they would deadlock.
        let state = try await breaker.execute { () -> CircuitState in
            let id = breaker.addObserver { _ in }
            breaker.removeObserver(id)
            _ = breaker.stats
            return breaker.state
        }
        #expect(state == .closed)
    }

    @Test("observers and the event stream see outcomes, transitions and rejections in order")
    func events() async throws {
        let clock = ManualClock()
        let breaker = try makeBreaker(clock: clock)
        let seen = SharedEvents()
        let id = breaker.addObserver { event in seen.append(event) }
        let stream = breaker.events()
        await breaker.fail()
        await breaker.fail()
        _ = try? await breaker.execute { () }
        breaker.reset()
        breaker.removeObserver(id)
        breaker.forceOpen()
        let expected: [CircuitBreakerEvent] = [
            .outcomeRecorded(.failure),
            .outcomeRecorded(.failure),
            .stateChanged(CircuitTransition(from: .closed, to: .open, reason: .failureRatioReached)),
            .callRejected(.circuitOpen),
            .stateChanged(CircuitTransition(from: .open, to: .closed, reason: .reset)),
        ]
        #expect(seen.events == expected)
        var streamed: [CircuitBreakerEvent] = []
        for await event in stream {
            streamed.append(event)
            if streamed.count == expected.count + 1 { break }
        }
        #expect(streamed == expected + [.stateChanged(CircuitTransition(from: .closed, to: .forcedOpen, reason: .forcedOpen))])
    }

    @Test("metrics count outcomes, rejections and transitions, and the state gauge follows the state")
    func metrics() async throws {
        let metrics = TestMetrics()
        let breaker = try makeBreaker(clock: ManualClock(), metrics: metrics)
        _ = try await breaker.execute { () }
        await breaker.fail()
        await breaker.fail()
        _ = try? await breaker.execute { () }
        let policy = ("policy", "test")
        #expect(metrics.counter("resilience_circuit_breaker_calls_total", [policy, ("outcome", "success")]) == 1)
        #expect(metrics.counter("resilience_circuit_breaker_calls_total", [policy, ("outcome", "failure")]) == 2)
        #expect(metrics.counter("resilience_circuit_breaker_rejections_total", [policy, ("reason", "circuitOpen")]) == 1)
        #expect(metrics.counter("resilience_circuit_breaker_transitions_total", [policy, ("from", "closed"), ("to", "open")]) == 1)
        #expect(metrics.gauge("resilience_circuit_breaker_state", [policy, ("state", "open")]) == 1)
        #expect(metrics.gauge("resilience_circuit_breaker_state", [policy, ("state", "closed")]) == 0)
    }

    @Test("the ratio gauges follow the window at each locked update; successes counted without the lock join at the next")
    func ratioGauges() async throws {
        let metrics = TestMetrics()
        let clock = ManualClock()
        let breaker = try makeBreaker(clock: clock, windowSize: 4, slowCall: .seconds(1), metrics: metrics)
        let policy = [("policy", "test")]
        #expect(metrics.gauge("resilience_circuit_breaker_failure_ratio", policy) == 0)
        _ = try await breaker.execute { () }
        await breaker.fail()
        #expect(metrics.gauge("resilience_circuit_breaker_failure_ratio", policy) == 0.5)
        #expect(metrics.gauge("resilience_circuit_breaker_slow_call_ratio", policy) == 0)
        _ = try await breaker.execute { () }
        _ = try await breaker.execute { () async throws -> Int in
            clock.advance(by: .seconds(2))
            return 1
        }
        #expect(metrics.gauge("resilience_circuit_breaker_failure_ratio", policy) == 0.25)
        #expect(metrics.gauge("resilience_circuit_breaker_slow_call_ratio", policy) == 0.25)
    }

    @Test("each open period is timed: to the end of its break when half-open is noticed late, to a manual reset when earlier")
    func openPeriods() async throws {
        let metrics = TestMetrics()
        let clock = ManualClock()
        let breaker = try makeBreaker(clock: clock, windowSize: 2, permitted: 1, successRatio: 1, metrics: metrics)
        let label = [("policy", "test")]
        await breaker.fail()
        await breaker.fail()
        #expect(breaker.state == .open)
        clock.advance(by: .seconds(5))                   // the break is 1 s: half-open noticed 4 s late
        #expect(breaker.state == .halfOpen)
        #expect(metrics.timer("resilience_circuit_breaker_open_seconds", label) == [.seconds(1)])
        await breaker.fail()                             // the probe fails: open again, for 1 s
        #expect(breaker.state == .open)
        clock.advance(by: .milliseconds(300))
        breaker.reset()                                  // ended by hand after 300 ms
        #expect(metrics.timer("resilience_circuit_breaker_open_seconds", label) == [.seconds(1), .milliseconds(300)])
        breaker.forceOpen()                              // forced open is not `open`: not timed
        breaker.reset()
        #expect(metrics.timer("resilience_circuit_breaker_open_seconds", label).count == 2)
    }

    @Test("a time-window breaker on the default configuration trips and recovers through the shell")
    func timeWindowShell() async throws {
        let clock = ManualClock()
        let breaker = CircuitBreaker(name: "time", clock: clock)  // defaults: 60 s window, 10 calls, 50 %
        for _ in 0..<5 { _ = try await breaker.execute { () } }
        for _ in 0..<5 { await breaker.fail() }
        #expect(breaker.state == .open)
        clock.advance(by: .seconds(30))
        #expect(breaker.state == .halfOpen)
        for _ in 0..<3 { _ = try await breaker.execute { () } }
        #expect(breaker.state == .closed)
    }

    @Test("forceClosed admits every call even at 100 % failures; forceOpen rejects without retryAfter")
    func manualControl() async throws {
        let breaker = try makeBreaker(clock: ManualClock())
        breaker.forceClosed()
        for _ in 0..<10 { await breaker.fail() }
        #expect(breaker.state == .forcedClosed)
        breaker.forceOpen()
        await #expect {
            try await breaker.execute { () }
        } throws: { error in
            (error as? ResilienceError)?.code == .circuitOpen && (error as? ResilienceError)?.retryAfter == nil
        }
    }

    @Test("after a reset or force in the same state, new calls carry the new generation and still count")
    func manualControlRepublishesAdmission() async throws {
        let breaker = try makeBreaker(clock: ManualClock())
        breaker.reset()            // closed → closed: no state change, but a new generation
        await breaker.fail()
        await breaker.fail()
        #expect(breaker.state == .open)
        breaker.forceClosed()
        breaker.forceClosed()      // forcedClosed → forcedClosed: a new generation again
        _ = try await breaker.execute { () }
        #expect(breaker.stats.windowFailures == 1)  // the window of 2 is now [failure, success]
    }

    @Test("invalid configuration is an error naming the key, never a default")
    func invalidConfiguration() {
        #expect(throws: ConfigurationError(key: "failureRatio", value: "1.5", allowed: "(0, 1] with at most 9 decimal places")) {
            try CircuitBreakerConfiguration(failureRatio: 1.5).validate()
        }
    }
}

@MainActor
@Suite("Circuit breaker from the main actor")
struct MainActorCallerTests {
    var counter = 0  // main-actor state, mutated by the operation without any hop

    @Test("the operation runs on the caller's executor")
    mutating func runsOnMainActor() async throws {
        let breaker = CircuitBreaker(name: "main", configuration: CircuitBreakerConfiguration(window: .count))
        for _ in 0..<10 {
            try await breaker.execute {
                MainActor.preconditionIsolated("the operation left the main actor")
                counter += 1
            }
        }
        #expect(counter == 10)
    }
}
