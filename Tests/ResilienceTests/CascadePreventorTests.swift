import Testing
@testable import Resilience

typealias CascadeMachine = CascadePreventorStateMachine

/// A small configuration: window 1 s in 10 buckets, 4 calls, 50 %, cool-down 5 s.
func cascadeConfig(
    minimum: Int = 4, ratio: Double = 0.5, coolDownMs: Int = 5_000, admitted: Priority = .critical
) -> CascadePreventorConfiguration {
    CascadePreventorConfiguration(
        samplingDuration: .seconds(1), windowBuckets: 10, minimumThroughput: minimum, failureRatio: ratio,
        coolDown: .milliseconds(coolDownMs), minimumAdmittedPriority: admitted)
}

@Suite("CascadePreventorStateMachine")
struct CascadePreventorStateMachineTests {
    @Test("fast-fail starts at the failure that makes the ratio reach the threshold with enough calls")
    func tripsAtThreshold() throws {
        var machine = try CascadeMachine(configuration: cascadeConfig())
        #expect(machine.record(.failure, now: ms(10)) == nil)
        #expect(machine.record(.failure, now: ms(20)) == nil)  // 2 of 2: ratio reached, too few calls
        #expect(machine.record(.success, now: ms(30)) == nil)
        let change = machine.record(.failure, now: ms(40))  // 3 of 4 ≥ 0.5
        #expect(change == CascadeModeChange(kind: .fastFailStarted, calls: 4, failures: 3))
        #expect(machine.mode == .fastFail)
    }

    @Test("a success never trips, even with the ratio reached; ignored outcomes are not counted")
    func successesAndIgnored() throws {
        var machine = try CascadeMachine(configuration: cascadeConfig())
        _ = machine.record(.failure, now: ms(1))
        _ = machine.record(.failure, now: ms(2))
        _ = machine.record(.ignored, now: ms(3))
        _ = machine.record(.ignored, now: ms(3))
        #expect(machine.record(.success, now: ms(4)) == nil)  // 2 of 3
        let stats = machine.stats(now: ms(5)).stats
        #expect(stats.callsInWindow == 3 && stats.failuresInWindow == 2 && stats.mode == .normal)
        #expect(machine.record(.success, now: ms(6)) == nil)  // 2 of 4, but a success
        #expect(machine.mode == .normal)
    }

    @Test("failures older than the window no longer count")
    func windowExpiry() throws {
        var machine = try CascadeMachine(configuration: cascadeConfig())
        _ = machine.record(.failure, now: ms(0))
        _ = machine.record(.failure, now: ms(50))
        _ = machine.record(.failure, now: ms(99))
        // Bucket [0, 100 ms) counts while now < 1,000 ms.
        #expect(machine.record(.success, now: ms(999)) == nil)
        #expect(machine.stats(now: ms(999)).stats.callsInWindow == 4)
        #expect(machine.record(.failure, now: ms(1_000)) == nil)  // the three old failures expired: 1 of 2
        #expect(machine.stats(now: ms(1_000)).stats.callsInWindow == 2)
    }

    @Test("in fast-fail, calls below the admitted priority are rejected with the remaining cool-down")
    func rejectsBelowPriority() throws {
        var machine = try CascadeMachine(configuration: cascadeConfig(admitted: .high))
        for t in 0..<4 { _ = machine.record(.failure, now: ms(t)) }
        #expect(machine.mode == .fastFail)
        for priority in [Priority.low, .normal] {
            #expect(machine.admit(priority: priority, now: ms(1_003)).decision == .rejected(retryAfter: .seconds(4)))
        }
        #expect(machine.admit(priority: .high, now: ms(1_003)).decision == .admitted)
        #expect(machine.admit(priority: .critical, now: ms(4_999)).decision == .admitted)
        #expect(machine.stats(now: ms(4_999)).stats.rejectedCalls == 2)
    }

    @Test("in normal mode every priority is admitted")
    func normalAdmitsAll() throws {
        var machine = try CascadeMachine(configuration: cascadeConfig())
        for priority in Priority.allCases {
            #expect(machine.admit(priority: priority, now: ms(1)) == (.admitted, nil))
        }
    }

    @Test("the cool-down ends with recovery when too few calls were made during it")
    func recoversWithoutEvidence() throws {
        var machine = try CascadeMachine(configuration: cascadeConfig())
        for t in 0..<4 { _ = machine.record(.failure, now: ms(t)) }  // fast-fail until 5,003 ms
        #expect(machine.admit(priority: .low, now: ms(5_002)).decision == .rejected(retryAfter: .milliseconds(1)))
        let (decision, change) = machine.admit(priority: .low, now: ms(5_003))
        #expect(decision == .admitted)
        #expect(change == CascadeModeChange(kind: .recovered, calls: 0, failures: 0))
        #expect(machine.mode == .normal)
    }

    @Test("critical calls failing during the cool-down extend fast-fail from the instant it is checked")
    func extendsWhenCriticalCallsStillFail() throws {
        var machine = try CascadeMachine(configuration: cascadeConfig())
        for t in 0..<4 { _ = machine.record(.failure, now: ms(t)) }  // until 5,003 ms; the window was cleared
        // During the cool-down, critical calls go through and 3 of 4 fail: no change yet (already fast-fail).
        for (t, outcome) in [(4_500, CallOutcome.failure), (4_600, .failure), (4_700, .success), (4_800, .failure)] {
            #expect(machine.record(outcome, now: ms(t)) == nil)
        }
        let (mode, change) = machine.mode(now: ms(5_100))
        #expect(mode == .fastFail)
        #expect(change == CascadeModeChange(kind: .fastFailExtended, calls: 4, failures: 3))
        #expect(machine.admit(priority: .normal, now: ms(5_100)).decision == .rejected(retryAfter: .seconds(5)))
        #expect(machine.stats(now: ms(5_100)).stats.fastFailCount == 1)
        // The next cool-down saw nothing: recovered at 10,100 ms.
        #expect(machine.mode(now: ms(10_099)).mode == .fastFail)
        #expect(machine.mode(now: ms(10_100)).change?.kind == .recovered)
    }

    @Test("critical calls succeeding during the cool-down let it recover")
    func recoversWhenCriticalCallsSucceed() throws {
        var machine = try CascadeMachine(configuration: cascadeConfig())
        for t in 0..<4 { _ = machine.record(.failure, now: ms(t)) }
        for t in [4_500, 4_600, 4_700, 4_800] { _ = machine.record(.success, now: ms(t)) }
        _ = machine.record(.failure, now: ms(4_900))  // 1 of 5
        let change = machine.record(.success, now: ms(5_003))  // the record resolves the cool-down first
        #expect(change == CascadeModeChange(kind: .recovered, calls: 5, failures: 1))
        #expect(machine.stats(now: ms(5_003)).stats.callsInWindow == 6)
    }

    @Test("the configuration names the bad key", arguments: [
        (CascadePreventorConfiguration(samplingDuration: .zero), "samplingDuration"),
        (CascadePreventorConfiguration(windowBuckets: 0), "windowBuckets"),
        (CascadePreventorConfiguration(minimumThroughput: 0), "minimumThroughput"),
        (CascadePreventorConfiguration(failureRatio: 1.5), "failureRatio"),
        (CascadePreventorConfiguration(failureRatio: 0), "failureRatio"),
        (CascadePreventorConfiguration(coolDown: .seconds(-1)), "coolDown"),
    ])
    func validation(configuration: CascadePreventorConfiguration, key: String) {
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        do {
            try configuration.validate()
        } catch {
            #expect(error.key == key)
        }
        #expect(throws: Never.self) { try CascadePreventorConfiguration().validate() }
    }
}

@Suite("CascadePreventor")
struct CascadePreventorTests {
    @Test("fails fast for non-critical calls of every pipeline that shares it, then recovers on the clock")
    func sharedAcrossPipelines() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let storage = CascadePreventor(
            name: "storage", configuration: cascadeConfig(), clock: clock, metricsFactory: metrics)
        let events = EventLog<CascadePreventorEvent>()
        storage.addObserver { events.append($0) }
        let database = ResiliencePipeline { storage }
        let cache = ResiliencePipeline { storage }

        for pipeline in [database, cache, database, cache] {
            await #expect(throws: Boom.self) {
                try await pipeline.execute(context: ResilienceContext(operationName: "get")) { _ in throw Boom() }
            }
        }
        #expect(storage.mode == .fastFail)
        #expect(metrics.gauge("resilience_cascade_fast_fail", [("policy", "storage")]) == 1)

        var ran = false
        do {
            _ = try await cache.execute(context: ResilienceContext(operationName: "get", priority: .high)) { _ in
                ran = true
            }
            Issue.record("a high-priority call went through in fast-fail mode")
        } catch let error as ResilienceError {
            #expect(error.code == .loadShed && error.policyName == "storage" && error.retryAfter == .seconds(5))
        }
        #expect(!ran)
        let critical = try await database.execute(context: ResilienceContext(operationName: "pay", priority: .critical)) { _ in 7 }
        #expect(critical == 7)
        #expect(metrics.counter("resilience_cascade_rejected_total", [("policy", "storage"), ("priority", "high")]) == 1)

        clock.advance(by: .seconds(5))
        #expect(storage.mode == .normal)
        #expect(metrics.gauge("resilience_cascade_fast_fail", [("policy", "storage")]) == 0)
        #expect(events.entries == [
            .modeChanged(CascadeModeChange(kind: .fastFailStarted, calls: 4, failures: 4)),
            .callRejected(.high),
            // The critical call's success (at 0 s) left the 1 s window long before the cool-down ended.
            .modeChanged(CascadeModeChange(kind: .recovered, calls: 0, failures: 0)),
        ])
    }

    @Test("an inner policy's rejection is not a failure of the group; a timeout is")
    func classifiesRejections() async throws {
        let clock = ManualClock()
        let storage = CascadePreventor(name: "storage", configuration: cascadeConfig(), clock: clock)
        for _ in 0..<4 {
            await #expect(throws: ResilienceError.self) {
                try await storage.execute { throw ResilienceError(code: .circuitOpen, policyName: "db") }
            }
        }
        #expect(storage.stats.callsInWindow == 0)
        for _ in 0..<4 {
            await #expect(throws: ResilienceError.self) {
                try await storage.execute { throw ResilienceError(code: .timedOut, policyName: "db") }
            }
        }
        #expect(storage.mode == .fastFail)
    }
}

/// Collects events delivered from any task.
final class EventLog<Event: Sendable>: Sendable {
    private let storage = Locked<[Event]>([])
    func append(_ event: Event) { storage.withLock { $0.append(event) } }
    var entries: [Event] { storage.withLock { $0 } }
}
