import Foundation
import MetricsTestKit
import Resilience
import ResilienceChaos
import Synchronization
import Testing
@testable import ResilienceConfiguration

/// Counts the calls that reached the operation.
private final class Reached: Sendable {
    private let count = Atomic<Int>(0)
    func increment() { count.add(1, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}

/// A call through `pipeline` whose operation returns 1: its value, or the error it threw.
private func call<C>(_ pipeline: ConfiguredPipeline<C>, _ reached: Reached) async -> Result<Int, any Error> {
    do {
        return .success(try await pipeline.execute { () async throws -> Int in
            reached.increment()
            return 1
        })
    } catch {
        return .failure(error)
    }
}

private func isInjected(_ result: Result<Int, any Error>, message: String = "injected by chaos") -> Bool {
    guard case .failure(let error) = result, let injected = error as? ChaosInjectedError else { return false }
    return injected.message == message
}

/// The `chaos` section: read from files and the environment like every section, validated with the key
/// path, built as the innermost stage of a configured pipeline and switched by reloads.
@Suite("The chaos section of the configuration")
struct ChaosSectionTests {
    static let yaml = """
        resilience:
          policies:
            payments:
              retry: {maxAttempts: 3, baseDelay: 0s}
              chaos:
                enabled: false
                fault: {rate: 0.1, message: "payments down (chaos)"}
                latency: {rate: 0.2, logNormal: {median: 200ms, p99: 2s}}
        """

    static let expected = ChaosConfiguration(
        enabled: false,
        fault: ChaosFaultConfiguration(rate: 0.1, message: "payments down (chaos)"),
        latency: ChaosLatencyConfiguration(rate: 0.2, distribution: .logNormal(median: .milliseconds(200), p99: .seconds(2))))

    // MARK: - Reading

    @Test("A YAML file's chaos section, and each way of giving the latency")
    func readsFromYAML() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.yaml", Self.yaml)
        let settings = try ResilienceSettings.read(files: [path], environment: [:])
        #expect(settings.policies["payments"]?.chaos == Self.expected)

        let others = try files.write("others.yaml", """
            resilience:
              policies:
                fixed: {chaos: {latency: {rate: 1, duration: 500ms}}}
                uniform: {chaos: {enabled: true, latency: {rate: 0.5, uniform: {max: 1s}}}}
                bare: {chaos: {}}
            """)
        let read = try ResilienceSettings.read(files: [others], environment: [:])
        #expect(read.policies["fixed"]?.chaos == ChaosConfiguration(
            latency: ChaosLatencyConfiguration(rate: 1, distribution: .fixed(.milliseconds(500)))))
        #expect(read.policies["uniform"]?.chaos == ChaosConfiguration(
            enabled: true, latency: ChaosLatencyConfiguration(rate: 0.5, distribution: .uniform(min: .zero, max: .seconds(1)))))
        #expect(read.policies["bare"]?.chaos == ChaosConfiguration())
    }

    @Test("Environment variables: ENABLED overrides the file; a section can come from the environment alone; null removes a part")
    func environment() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.yaml", Self.yaml)
        let settings = try ResilienceSettings.read(files: [path], environment: [
            "RESILIENCE_POLICIES_PAYMENTS_CHAOS_ENABLED": "true",
            "RESILIENCE_POLICIES_PAYMENTS_CHAOS_FAULT": "null",
            "RESILIENCE_POLICIES_SEARCH_CHAOS_LATENCY_RATE": "0.25",
            "RESILIENCE_POLICIES_SEARCH_CHAOS_LATENCY_UNIFORM_MIN": "10ms",
            "RESILIENCE_POLICIES_SEARCH_CHAOS_LATENCY_UNIFORM_MAX": "90ms",
        ])
        var payments = Self.expected
        payments.enabled = true
        payments.fault = nil
        #expect(settings.policies["payments"]?.chaos == payments)
        #expect(settings.policies["search"]?.chaos == ChaosConfiguration(
            latency: ChaosLatencyConfiguration(rate: 0.25, distribution: .uniform(min: .milliseconds(10), max: .milliseconds(90)))))
        // The environment may swap the file's distribution for another by turning the file's off.
        let swapped = try ResilienceSettings.read(files: [path], environment: [
            "RESILIENCE_POLICIES_PAYMENTS_CHAOS_LATENCY_LOG_NORMAL": "null",
            "RESILIENCE_POLICIES_PAYMENTS_CHAOS_LATENCY_DURATION": "50ms",
        ])
        #expect(swapped.policies["payments"]?.chaos?.latency?.distribution == .fixed(.milliseconds(50)))
    }

    @Test("Every bad value is a problem naming its full key path, the value, what is allowed and where it came from")
    func badValues() throws {
        let files = try ConfigurationFiles()
        let path = try files.write("service.yaml", """
            resilience:
              policies:
                a: {chaos: {enabled: yes, fault: {rate: 1.5}}}
                b: {chaos: {fault: {message: "no rate"}, latency: {rate: 0.1}}}
                c: {chaos: {latency: {rate: 0.1, duration: 1s, uniform: {max: 2s}}}}
                d: {chaos: {latency: {rate: -1, logNormal: {median: 2s, p99: 1s}}}}
                e: {chaos: {latency: {rate: 0.1, uniform: {min: 1s}}, outcome: {rate: 1}}}
            """)
        #expect(problemLines(files: [path], environment: ["RESILIENCE_POLICIES_F_CHAOS_ENABLED": "maybe"]) == [
            "resilience.policies.a.chaos.enabled must be true or false, got a string (in \(path))",
            "unknown key \"resilience.policies.e.chaos.outcome\"; known: enabled, fault, latency (in \(path))",
            "resilience.policies.a.chaos.fault.rate: 1.5 is not allowed; allowed: [0, 1] (in \(path))",
            #"missing "resilience.policies.b.chaos.fault.rate" (how often to inject is the experiment's decision)"#,
            "resilience.policies.b.chaos.latency: no distribution is not allowed; allowed: one of duration, uniform {min, max} or logNormal {median, p99} (in \(path))",
            "resilience.policies.c.chaos.latency.uniform: an object is not allowed; allowed: only one of duration, uniform and logNormal (duration is given) (in \(path))",
            "resilience.policies.d.chaos.latency.rate: -1.0 is not allowed; allowed: [0, 1] (in \(path))",
            "resilience.policies.d.chaos.latency.logNormal.p99: 1s is not allowed; allowed: [median, 1h] (in \(path))",
            #"missing "resilience.policies.e.chaos.latency.uniform.max" (the distribution has no default)"#,
            "resilience.policies.f.chaos.enabled must be true or false, got \"maybe\" (in RESILIENCE_POLICIES_F_CHAOS_ENABLED)",
        ])
        // A POLICY.json reads with the same checks, and stops at the first problem.
        #expect(throws: InputFileError(file: "p.json", message: #"missing "chaos.latency.logNormal.p99" (the distribution has no default)"#)) {
            try PolicyConfiguration.parse(#"{"chaos": {"latency": {"rate": 0.1, "logNormal": {"median": "1s"}}}}"#, file: "p.json")
        }
        #expect(throws: InputFileError(file: "p.json", message: "chaos.latency: no distribution is not allowed; allowed: one of duration, uniform {min, max} or logNormal {median, p99}")) {
            try PolicyConfiguration.parse(#"{"chaos": {"latency": {"rate": 0.1}}}"#, file: "p.json")
        }
        #expect(throws: InputFileError(file: "p.json", message: "chaos.enabled must be true or false, got a string")) {
            try PolicyConfiguration.parse(#"{"chaos": {"enabled": "true"}}"#, file: "p.json")
        }
    }

    @Test("A POLICY.json chaos section: read with the same checks, written back with every key, read back equal")
    func policyFileRoundTrip() throws {
        let policy = try PolicyConfiguration.parse("""
            {"chaos": {"enabled": true, "fault": {"rate": 0.5}, "latency": {"rate": 0.25, "uniform": {"min": "5ms", "max": "15ms"}}}}
            """, file: "policy.json")
        #expect(policy.chaos == ChaosConfiguration(
            enabled: true, fault: ChaosFaultConfiguration(rate: 0.5),
            latency: ChaosLatencyConfiguration(rate: 0.25, distribution: .uniform(min: .milliseconds(5), max: .milliseconds(15)))))
        let text = try policy.jsonText()
        #expect(text == """
            {
              "chaos": {
                "enabled": true,
                "fault": {
                  "rate": 0.5,
                  "message": "injected by chaos"
                },
                "latency": {
                  "rate": 0.25,
                  "uniform": {
                    "min": "5ms",
                    "max": "15ms"
                  }
                }
              }
            }

            """)
        #expect(try PolicyConfiguration.parse(text, file: "policy.json") == policy)
        #expect(policy.sectionsNotSimulated == [.chaos])
        #expect(throws: InputFileError.self) {
            try PolicyConfiguration.parse(#"{"chaos": {"latency": {"rate": 0.1, "duration": "1s", "logNormal": {"median": "1s", "p99": "2s"}}}}"#, file: "p.json")
        }
    }

    // MARK: - The configured pipeline

    @Test("The innermost stage: a retry retries an injected fault and a breaker counts it; the operation never runs")
    func innermostStage() async throws {
        let policies = try ResiliencePolicies(settings: ResilienceSettings(policies: ["payments": PolicyConfiguration(
            retry: RetryConfiguration(maxAttempts: 3, baseDelay: .zero, jitter: .none),
            circuitBreaker: CircuitBreakerConfiguration(window: .count, windowSize: 3, minimumThroughput: 3, failureRatio: 1),
            chaos: ChaosConfiguration(enabled: true, fault: ChaosFaultConfiguration(rate: 1)))]), clock: ManualClock())
        let pipeline = try policies.pipeline(named: "payments")
        let reached = Reached()
        let result = await call(pipeline, reached)
        // Three attempts, each failed by the chaos stage: the breaker, above it, saw them and opened.
        #expect(isInjected(result))
        #expect(reached.value == 0)
        #expect(policies.circuitBreaker(named: "payments")?.state == .open)
        #expect(policies.chaos(named: "payments")?.name == "payments")
    }

    @Test("A reload that flips enabled applies to the running instance: off, on, off, one instance throughout")
    func reloadFlipsEnabled() async throws {
        func settings(enabled: Bool) -> ResilienceSettings {
            ResilienceSettings(policies: ["payments": PolicyConfiguration(
                chaos: ChaosConfiguration(enabled: enabled, fault: ChaosFaultConfiguration(rate: 1)))])
        }
        let metrics = TestMetrics()
        let policies = try ResiliencePolicies(settings: settings(enabled: false), clock: ManualClock(), metricsFactory: metrics)
        let pipeline = try policies.pipeline(named: "payments")
        let chaos = try #require(policies.chaos(named: "payments"))
        let reached = Reached()
        #expect(try await call(pipeline, reached).get() == 1)
        try policies.apply(settings(enabled: true))
        #expect(isInjected(await call(pipeline, reached)))
        #expect(isInjected(await call(pipeline, reached)))
        try policies.apply(settings(enabled: false))
        #expect(try await call(pipeline, reached).get() == 1)
        #expect(reached.value == 2)
        #expect(policies.chaos(named: "payments") === chaos)
        #expect(try policies.pipeline(named: "payments") === pipeline)
        #expect(try metrics.expectCounter("resilience_chaos_injections_total", [("policy", "payments"), ("kind", "fault")]).totalValue == 2)
    }

    @Test("Strategies built in code follow the section's switch; a reload that removes the section turns it off")
    func sharedSwitch() async throws {
        let on = ResilienceSettings(policies: ["inventory": PolicyConfiguration(chaos: ChaosConfiguration(enabled: true))])
        let policies = try ResiliencePolicies(settings: on, clock: ManualClock())
        let chaos = try #require(policies.chaos(named: "inventory"))
        let unavailable = ChaosOutcome(name: "inventory", rate: 1, enabled: chaos.enabled, outcome: -1)
        #expect(try await unavailable.execute { 5 } == -1)
        try policies.apply(ResilienceSettings(policies: ["inventory": PolicyConfiguration()]))
        #expect(policies.chaos(named: "inventory") == nil)
        #expect(try await unavailable.execute { 5 } == 5)
        try policies.apply(on)
        #expect(policies.chaos(named: "inventory") === chaos)
        #expect(try await unavailable.execute { 5 } == -1)
    }

    @Test("The kill switch bypasses the chaos stage too")
    func killSwitch() async throws {
        let policies = try ResiliencePolicies(settings: ResilienceSettings(policies: ["payments": PolicyConfiguration(
            chaos: ChaosConfiguration(enabled: true, fault: ChaosFaultConfiguration(rate: 1)))]), clock: ManualClock())
        let pipeline = try policies.pipeline(named: "payments")
        let reached = Reached()
        #expect(isInjected(await call(pipeline, reached)))
        policies.setEnabled(false)
        #expect(try await call(pipeline, reached).get() == 1)
    }

    @Test("Staging turns chaos on without a deploy: the reloader applies a changed file's enabled to the running pipeline")
    func reloaderFlipsEnabled() async throws {
        let files = try ConfigurationFiles()
        func text(enabled: Bool) -> String {
            "resilience: {policies: {payments: {chaos: {enabled: \(enabled), fault: {rate: 1, message: staging}}}}}"
        }
        let path = try files.write("service.yaml", text(enabled: false))
        let policies = try ResiliencePolicies(files: [path], environment: [:])
        let reloader = ResilienceConfigurationReloader(
            policies: policies, files: [path], environment: [:], pollInterval: .milliseconds(20))
        let running = Task {
            do { try await reloader.run() } catch is CancellationError {} catch { Issue.record("the reloader stopped: \(error)") }
        }
        defer { running.cancel() }
        let pipeline = try policies.pipeline(named: "payments")
        let chaos = try #require(policies.chaos(named: "payments"))
        let reached = Reached()
        #expect(try await call(pipeline, reached).get() == 1)

        func rewrite(_ text: String, tick: Int) throws {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
            try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(Double(tick))], ofItemAtPath: path)
        }
        try rewrite(text(enabled: true), tick: 5)
        try await waitUntil("chaos is on") { chaos.enabled.isOn }
        #expect(isInjected(await call(pipeline, reached), message: "staging"))
        try rewrite(text(enabled: false), tick: 10)
        try await waitUntil("chaos is off") { !chaos.enabled.isOn }
        #expect(try await call(pipeline, reached).get() == 1)
        #expect(policies.chaos(named: "payments") === chaos)
    }
}
