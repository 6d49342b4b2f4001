import InMemoryTracing
import MetricsTestKit
import Resilience
import ResilienceChaos
import Testing
import Tracing

@Suite("ChaosInjection: a chaos configuration section as one pipeline stage")
struct ChaosInjectionTests {
    static let section = ChaosConfiguration(
        enabled: true,
        fault: ChaosFaultConfiguration(rate: 0.25, message: "db down (chaos)"),
        latency: ChaosLatencyConfiguration(rate: 0.5, distribution: .fixed(.milliseconds(100))))

    @Test("Latency first, then the fault, each an independent draw from one source; the fault is a ChaosInjectedError")
    func latencyThenFault() async throws {
        // SplitMix64(42): each call draws for the latency (< 0.5), then for the fault (< 0.25):
        // call 1: 0.742 0.160 → fault; call 2: 0.279 0.344 → wait; call 3: 0.038 0.868 → wait;
        // call 4: 0.218 0.801 → wait; call 5: 0.340 0.618 → wait; call 6: 0.205 0.493 → wait.
        let clock = ManualClock()
        let metrics = TestMetrics()
        let chaos = ChaosInjection(
            name: "db", configuration: Self.section, random: ChaosRandom(seed: 42), clock: clock, metricsFactory: metrics)
        await #expect(throws: ChaosInjectedError(policyName: "db", message: "db down (chaos)")) {
            try await chaos.execute { 1 }
        }
        for call in 2...6 {
            let task = Task { try await chaos.execute { call } }
            await waitForSleepers(clock)
            clock.advance(by: .milliseconds(100))
            #expect(try await task.value == call)
        }
        #expect(clock.now == ManualClock.Instant(offset: .milliseconds(500)))
        #expect(try metrics.expectCounter("resilience_chaos_injections_total", [("policy", "db"), ("kind", "latency")]).totalValue == 5)
        #expect(try metrics.expectCounter("resilience_chaos_injections_total", [("policy", "db"), ("kind", "fault")]).totalValue == 1)
    }

    @Test("Reconfiguring in place: enabled flips the shared switch; rates, message and latency change for the next call")
    func reconfigure() async throws {
        let clock = ManualClock()
        var configuration = Self.section
        configuration.enabled = false
        configuration.fault?.rate = 1
        let chaos = ChaosInjection(name: "db", configuration: configuration, clock: clock)
        let outcome = ChaosOutcome(name: "db", rate: 1, enabled: chaos.enabled, outcome: "injected")
        #expect(try await chaos.execute { 1 } == 1)
        #expect(try await outcome.execute { "real" } == "real")

        configuration.enabled = true
        configuration.latency = nil
        configuration.fault?.message = "now"
        try chaos.reconfigure(configuration)
        #expect(chaos.enabled.isOn)
        await #expect(throws: ChaosInjectedError(policyName: "db", message: "now")) { try await chaos.execute { 1 } }
        #expect(try await outcome.execute { "real" } == "injected")  // follows the section's switch
        #expect(clock.sleeperCount == 0)  // no latency any more

        configuration.fault = nil
        try chaos.reconfigure(configuration)
        #expect(try await chaos.execute { 2 } == 2)
        #expect(chaos.configuration == configuration)
    }

    @Test("An invalid reconfiguration is refused naming the key, and changes nothing")
    func invalidReconfiguration() async throws {
        let chaos = ChaosInjection(name: "db", configuration: Self.section, clock: ManualClock())
        var bad = Self.section
        bad.enabled = false
        bad.latency?.rate = 1.5
        #expect(throws: ConfigurationError(key: "latency.rate", value: "1.5", allowed: "[0, 1]")) { try chaos.reconfigure(bad) }
        #expect(chaos.configuration == Self.section)
        #expect(chaos.enabled.isOn)
    }

    @Test("Each injection is a resilience.chaos event on the named pipeline's span")
    func spanEvents() async throws {
        let clock = ManualClock()
        let tracer = InMemoryTracer()
        let pipeline = ResiliencePipeline(name: "payments", clock: clock, tracer: tracer) {
            ChaosLatency(name: "payments", rate: 1, enabled: true, latency: .fixed(.milliseconds(250)), clock: clock)
            ChaosFault(name: "payments", rate: 1, enabled: true, error: Injected())
        }
        let call = Task { try await pipeline.execute(operationName: "charge") { 1 } }
        await waitForSleepers(clock)
        clock.advance(by: .milliseconds(250))
        await #expect(throws: Injected.self) { try await call.value }
        let span = try #require(tracer.finishedSpans.first)
        #expect(span.events.map(\.name) == ["resilience.chaos", "resilience.chaos"])
        #expect(span.events[0].attributes.get("resilience.policy") == .string("payments"))
        #expect(span.events[0].attributes.get("resilience.kind") == .string("latency"))
        #expect(span.events[0].attributes.get("resilience.delay_seconds") == .double(0.25))
        #expect(span.events[1].attributes.get("resilience.kind") == .string("fault"))
        #expect(span.events[1].attributes.get("resilience.delay_seconds") == nil)
    }

    @Test("Configuration written in code: bad rates and latencies are errors naming the key with its part")
    func configurationValidation() {
        #expect(throws: Never.self) {
            try ChaosConfiguration(latency: ChaosLatencyConfiguration(rate: 0.1, distribution: .fixed(.seconds(1)))).validate()
        }
        #expect(throws: ConfigurationError(key: "fault.rate", value: "-0.5", allowed: "[0, 1]")) {
            try ChaosConfiguration(fault: ChaosFaultConfiguration(rate: -0.5)).validate()
        }
        #expect(throws: ConfigurationError(key: "latency.logNormal.p99", value: "1ms", allowed: "[median, 1h]")) {
            try ChaosConfiguration(latency: ChaosLatencyConfiguration(
                rate: 0.1, distribution: .logNormal(median: .milliseconds(5), p99: .milliseconds(1)))).validate()
        }
    }
}
