import MetricsTestKit
import Resilience
import Synchronization
import Testing
@testable import ResilienceConfiguration

private struct Failure: Error {}

/// Counts the calls that reached the operation.
private final class Calls: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// A breaker that trips after 2 failures of 2 calls, with a 10 s break.
private func trippingBreaker(breakSeconds: Int64 = 10) -> CircuitBreakerConfiguration {
    CircuitBreakerConfiguration(
        window: .count, windowSize: 2, minimumThroughput: 2, failureRatio: 1, breakDuration: .seconds(breakSeconds),
        maxBreakDuration: .seconds(100))
}

private func settings(_ policies: [String: PolicyConfiguration], enabled: Bool = true, timeouts: [String: Duration]? = nil) -> ResilienceSettings {
    var settings = ResilienceSettings(isEnabled: enabled, policies: policies)
    if let timeouts { settings.operationTimeouts = timeouts }
    return settings
}

private func fail<C>(_ pipeline: ConfiguredPipeline<C>, _ calls: Calls) async {
    _ = try? await pipeline.execute { () async throws -> Int in
        calls.increment()
        throw Failure()
    }
}

/// The code of the `ResilienceError` a call through `pipeline` ends with, or `nil` when it succeeds.
private func rejection<C>(_ pipeline: ConfiguredPipeline<C>, operationType: String? = nil) async -> ResilienceError.Code? {
    do {
        _ = try await pipeline.execute(context: ResilienceContext(operationType: operationType)) { _ in 1 }
        return nil
    } catch let error as ResilienceError {
        return error.code
    } catch {
        return nil
    }
}

@Suite("ResiliencePolicies: pipelines from configuration")
struct ResiliencePoliciesTests {
    @Test("One pipeline and one instance per policy name, whoever asks")
    func sharedInstances() async throws {
        let policies = try ResiliencePolicies(
            settings: settings(["payments": PolicyConfiguration(circuitBreaker: trippingBreaker())]), clock: ManualClock())
        let first = try policies.pipeline(named: "payments")
        let second = try policies.pipeline(named: "payments")
        #expect(first === second)
        let calls = Calls()
        await fail(first, calls)
        await fail(second, calls)
        #expect(policies.circuitBreaker(named: "payments")?.state == .open)
        #expect(await rejection(first) == .circuitOpen)
        #expect(policies.retry(named: "payments") == nil)
        #expect(throws: ConfigurationProblems.self) { _ = try policies.pipeline(named: "orders") }
    }

    @Test("The classifier given decides for every breaker and retry: what it ignores trips nothing and is not retried")
    func classifierApplies() async throws {
        struct ClientMistake: Error {}
        let classifier = FailureClassifier(errors: { $0 is ClientMistake ? .ignored : FailureClassifier.defaultErrorOutcome($0) })
        let policy = PolicyConfiguration(
            retry: RetryConfiguration(maxAttempts: 3, baseDelay: .milliseconds(1), jitter: .none), circuitBreaker: trippingBreaker())
        let policies = try ResiliencePolicies(settings: settings(["partner": policy]), clock: ContinuousClock(), classifier: classifier)
        let pipeline = try policies.pipeline(named: "partner")
        let calls = Calls()
        for _ in 0..<4 {
            _ = try? await pipeline.execute { () async throws -> Int in
                calls.increment()
                throw ClientMistake()
            }
        }
        #expect(calls.value == 4)  // one attempt each: ignored outcomes are not retried
        #expect(policies.circuitBreaker(named: "partner")?.state == .closed)
        // A real failure: retried; the breaker counts both attempts and opens, so the third is refused.
        await fail(pipeline, calls)
        #expect(calls.value == 6)
        #expect(policies.circuitBreaker(named: "partner")?.state == .open)
    }

    @Test("A policy with no sections is a pass-through")
    func emptyPolicy() async throws {
        let policies = try ResiliencePolicies(settings: settings(["audit": PolicyConfiguration()]), clock: ManualClock())
        #expect(try await policies.pipeline(named: "audit").execute { 7 } == 7)
    }

    @Test("The kill switch: off, every call runs as it is; on again, the sections resume with their state")
    func killSwitch() async throws {
        let policies = try ResiliencePolicies(
            settings: settings(["payments": PolicyConfiguration(circuitBreaker: trippingBreaker())]), clock: ManualClock())
        let pipeline = try policies.pipeline(named: "payments")
        let calls = Calls()
        await fail(pipeline, calls)
        await fail(pipeline, calls)
        #expect(await rejection(pipeline) == .circuitOpen)
        policies.setEnabled(false)
        #expect(!policies.isEnabled)
        #expect(await rejection(pipeline) == nil)
        await fail(pipeline, calls)
        #expect(calls.value == 3)
        policies.setEnabled(true)
        #expect(await rejection(pipeline) == .circuitOpen)
        // The same through a reload of resilience.enabled.
        try policies.apply(settings(["payments": PolicyConfiguration(circuitBreaker: trippingBreaker())], enabled: false))
        #expect(await rejection(pipeline) == nil)
    }

    @Test("Each call of a configured pipeline is measured under the policy's name, also with the policies turned off")
    func operationDurations() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let policies = try ResiliencePolicies(
            settings: settings(["payments": PolicyConfiguration(circuitBreaker: trippingBreaker())]), clock: clock,
            metricsFactory: metrics)
        let pipeline = try policies.pipeline(named: "payments")
        _ = try await pipeline.execute { clock.advance(by: .milliseconds(40)) }
        let calls = Calls()
        await fail(pipeline, calls)
        await fail(pipeline, calls)
        #expect(await rejection(pipeline) == .circuitOpen)
        policies.setEnabled(false)
        _ = try await pipeline.execute { clock.advance(by: .milliseconds(7)) }
        func durations(_ outcome: String) throws -> [Int64] {
            try metrics.expectTimer(
                "resilience_operation_duration_seconds", [("policy", "payments"), ("outcome", outcome)]).values
        }
        #expect(try durations("success") == [40_000_000, 7_000_000])
        #expect(try durations("failure") == [0, 0])
        #expect(try durations("circuitOpen") == [0])
    }

    @Test("A reload that changes a section keeps its state: an open breaker stays open for the rest of its break")
    func reloadKeepsState() async throws {
        let clock = ManualClock()
        let policies = try ResiliencePolicies(
            settings: settings(["payments": PolicyConfiguration(circuitBreaker: trippingBreaker(breakSeconds: 10))]), clock: clock)
        let pipeline = try policies.pipeline(named: "payments")
        let calls = Calls()
        await fail(pipeline, calls)
        await fail(pipeline, calls)
        clock.advance(by: .seconds(4))
        try policies.apply(settings(["payments": PolicyConfiguration(circuitBreaker: trippingBreaker(breakSeconds: 60))]))
        let breaker = try #require(policies.circuitBreaker(named: "payments"))
        #expect(breaker.configuration.breakDuration == .seconds(60))
        #expect(breaker.stats.retryAfter == .seconds(6))
        clock.advance(by: .seconds(6))
        #expect(breaker.state == .halfOpen)
    }

    @Test("A reload with a problem is refused whole: nothing of it applies, every problem is listed")
    func reloadRefusedWhole() async throws {
        let before = settings([
            "payments": PolicyConfiguration(circuitBreaker: trippingBreaker(breakSeconds: 10)),
            "search": PolicyConfiguration(loadShedder: LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 10, normal: nil, high: nil))),
        ])
        let policies = try ResiliencePolicies(settings: before, clock: ManualClock())
        var after = before
        after.policies["payments"]?.circuitBreaker = trippingBreaker(breakSeconds: 60)
        after.policies["search"]?.loadShedder?.queueDepth = LoadShedThresholds(low: 5, normal: nil, high: nil)
        #expect(throws: ConfigurationProblems([.init(
            key: "resilience.policies.search.loadShedder.queueDepth",
            message: "resilience.policies.search.loadShedder.queueDepth: thresholds need the service's queue depth: pass a PressureGauge for \"search\" in queueDepthGauges")])
        ) {
            try policies.apply(after)
        }
        #expect(policies.settings == before)
        #expect(policies.circuitBreaker(named: "payments")?.configuration.breakDuration == .seconds(10))
    }

    @Test("A section a reload removes is skipped; given again, it resumes the state it had")
    func sectionRemovedAndBack() async throws {
        let policies = try ResiliencePolicies(
            settings: settings(["payments": PolicyConfiguration(circuitBreaker: trippingBreaker())]), clock: ManualClock())
        let pipeline = try policies.pipeline(named: "payments")
        let calls = Calls()
        await fail(pipeline, calls)
        await fail(pipeline, calls)
        try policies.apply(settings(["payments": PolicyConfiguration(timeout: TimeoutConfiguration(duration: .seconds(5)))]))
        #expect(policies.circuitBreaker(named: "payments") == nil)
        #expect(await rejection(pipeline) == nil)
        try policies.apply(settings(["payments": PolicyConfiguration(circuitBreaker: trippingBreaker())]))
        #expect(await rejection(pipeline) == .circuitOpen)
    }

    @Test("A policy a reload removes is gone by name, and its pipeline passes calls through")
    func policyRemoved() async throws {
        let policies = try ResiliencePolicies(
            settings: settings(["payments": PolicyConfiguration(circuitBreaker: trippingBreaker())]), clock: ManualClock())
        let pipeline = try policies.pipeline(named: "payments")
        pipelineForceOpen(policies)
        #expect(await rejection(pipeline) == .circuitOpen)
        try policies.apply(settings(["orders": PolicyConfiguration()]))
        #expect(throws: ConfigurationProblems.self) { _ = try policies.pipeline(named: "payments") }
        #expect(await rejection(pipeline) == nil)
        #expect(try policies.pipeline(named: "orders") !== pipeline)
    }

    private func pipelineForceOpen(_ policies: ResiliencePolicies<ManualClock>) {
        policies.circuitBreaker(named: "payments")?.forceOpen()
    }

    @Test("An operation type's timeout overrides the policy's timeout for calls of that type")
    func operationTypeTimeouts() async throws {
        let clock = ManualClock()
        let policies = try ResiliencePolicies(
            settings: settings(
                ["api": PolicyConfiguration(timeout: TimeoutConfiguration(duration: .seconds(10)))], timeouts: ["db": .seconds(1)]),
            clock: clock)
        let pipeline = try policies.pipeline(named: "api")
        let db = Task {
            try await pipeline.execute(context: ResilienceContext(operationType: "db")) { _ in try await clock.sleep(for: .seconds(30)) }
        }
        while clock.sleeperCount < 2 { await Task.yield() }
        clock.advance(by: .seconds(1))
        await #expect(throws: ResilienceError.self) { try await db.value }
        // A reload of the operation timeouts applies to the next call.
        try policies.apply(settings(
            ["api": PolicyConfiguration(timeout: TimeoutConfiguration(duration: .seconds(10)))], timeouts: ["db": .seconds(3)]))
        guard case .table(let table) = policies.timeout(named: "api")?.source else { Issue.record("expected a table"); return }
        #expect(table.duration(for: "db") == .seconds(3))
        #expect(table.duration(for: "llm") == .seconds(10))
    }

    @Test("The sections run in the documented order: the retry sees the breaker's rejection and stops")
    func documentedOrder() async throws {
        let policies = try ResiliencePolicies(
            settings: settings(["payments": PolicyConfiguration(
                retry: RetryConfiguration(maxAttempts: 5, baseDelay: .zero, jitter: .none), circuitBreaker: trippingBreaker())]),
            clock: ManualClock())
        let pipeline = try policies.pipeline(named: "payments")
        let calls = Calls()
        do {
            _ = try await pipeline.execute { () async throws -> Int in
                calls.increment()
                throw Failure()
            }
            Issue.record("expected the call to fail")
        } catch let error as ResilienceError {
            #expect(error.code == .circuitOpen)
        }
        #expect(calls.value == 2)  // attempts 1 and 2 failed and tripped the breaker; attempt 3 was rejected
    }

    @Test("Built from files: the policies the configuration names")
    func fromFiles() async throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.yaml", """
            resilience:
              policies:
                payments: {circuitBreaker: {failureRatio: 0.25}, bulkhead: {maxConcurrent: 3}}
            """)
        let policies = try ResiliencePolicies(files: [path], environment: ["RESILIENCE_POLICIES_PAYMENTS_BULKHEAD_MAX_CONCURRENT": "4"])
        #expect(policies.circuitBreaker(named: "payments")?.configuration.failureRatio == 0.25)
        #expect(policies.bulkhead(named: "payments")?.configuration.maxConcurrent == 4)
        #expect(try await policies.pipeline(named: "payments").execute { "ok" } == "ok")
    }

    @Test("Cascade, adaptive timeout and hedging are built; the fallback's cache is given as configured")
    func otherSections() async throws {
        let policy = PolicyConfiguration(
            retry: RetryConfiguration(maxAttempts: 2), fallback: FallbackCacheConfiguration(timeToLive: .seconds(60)),
            cascade: CascadePreventorConfiguration(minimumThroughput: 5), hedging: HedgingConfiguration(maxHedgedAttempts: 2),
            adaptiveTimeout: AdaptiveTimeoutConfiguration(baseTimeout: .seconds(3)))
        let policies = try ResiliencePolicies(settings: settings(["search": policy]), clock: ManualClock())
        #expect(policies.cascadePreventor(named: "search")?.configuration.minimumThroughput == 5)
        let hedging = try #require(policies.hedging(named: "search"))
        #expect(hedging.configuration.maxHedgedAttempts == 2)
        #expect(hedging.budget === policies.retry(named: "search")?.budget)
        guard case .adaptive(let adaptive, _)? = policies.adaptiveTimeout(named: "search")?.source else {
            Issue.record("expected an adaptive timeout")
            return
        }
        #expect(adaptive.configuration.baseTimeout == .seconds(3))
        #expect(policies.fallbackCache(named: "search") == FallbackCacheConfiguration(timeToLive: .seconds(60)))
        #expect(try await policies.pipeline(named: "search").execute { 1 } == 1)

        // They cannot change in place: a reload changing one is refused whole; removing one is fine.
        var changed = policy
        changed.cascade?.minimumThroughput = 50
        #expect(throws: ConfigurationProblems([.init(
            key: "resilience.policies.search.cascade",
            message: "resilience.policies.search.cascade: cannot be changed by a reload yet (only added or removed); restart the service to change it")])
        ) {
            try policies.apply(settings(["search": changed]))
        }
        changed.cascade = nil
        try policies.apply(settings(["search": changed]))
        #expect(policies.cascadePreventor(named: "search") == nil)
    }
}
