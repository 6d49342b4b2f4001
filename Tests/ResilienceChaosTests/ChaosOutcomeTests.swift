import MetricsTestKit
import Resilience
import ResilienceChaos
import Testing

/// A stand-in for an HTTP response.
private struct Response: Sendable, Equatable {
    var status: Int
}

@Suite("ChaosOutcome and ChaosBehavior")
struct ChaosOutcomeTests {
    @Test("An injected call of the outcome's type returns the outcome without running the operation")
    func outcome() async throws {
        let reached = Reached()
        let unavailable = ChaosOutcome(
            name: "inventory", rate: 0.25, enabled: true, outcome: Response(status: 503), random: ChaosRandom(seed: 42))
        var statuses: [Int] = []
        for call in 1...7 {
            let response = try await unavailable.execute { () async throws -> Response in
                reached.record(call)
                return Response(status: 200)
            }
            statuses.append(response.status)
        }
        #expect(statuses == [200, 503, 200, 200, 503, 200, 503])
        #expect(reached.numbers == [1, 3, 4, 6])
    }

    @Test("Calls of any other type run unchanged, draw nothing and count nothing: not Optional, not Any")
    func otherTypes() async throws {
        let metrics = TestMetrics()
        let random = ChaosRandom(seed: 42)
        let unavailable = ChaosOutcome(
            name: "inventory", rate: 1, enabled: true, outcome: Response(status: 503), random: random, metricsFactory: metrics)
        #expect(try await unavailable.execute { 5 } == 5)
        #expect(try await unavailable.execute { () -> Response? in Response(status: 200) } == Response(status: 200))
        let any: Any = try await unavailable.execute { () -> Any in Response(status: 201) }
        #expect(any as? Response == Response(status: 201))
        #expect(try metrics.expectCounter("resilience_chaos_injections_total", [("policy", "inventory"), ("kind", "outcome")]).totalValue == 0)
        #expect(random.nextUnit() == 0x1.7bae644c5fd6dp-1)  // nothing drawn: SplitMix64(42)'s first number
        #expect(try await unavailable.execute { Response(status: 200) } == Response(status: 503))
    }

    @Test("In a pipeline, an injected 503 is a failure to a breaker that classifies results")
    func outcomeTripsABreaker() async throws {
        let classifier = FailureClassifier.default.classifyingResults { (response: Response) in
            response.status >= 500 ? .failure : .success
        }
        let breaker = CircuitBreaker(
            name: "inventory",
            configuration: CircuitBreakerConfiguration(window: .count, windowSize: 4, minimumThroughput: 4, failureRatio: 1),
            classifier: classifier, clock: ManualClock())
        let pipeline = ResiliencePipeline {
            breaker
            ChaosOutcome(name: "inventory", rate: 1, enabled: true, outcome: Response(status: 503))
        }
        for _ in 0..<4 { #expect(try await pipeline.execute { Response(status: 200) } == Response(status: 503)) }
        #expect(breaker.state == .open)
    }

    @Test("A behaviour runs before the operation of the calls it injects into, with their context")
    func behavior() async throws {
        let ran = Reached()
        let reached = Reached()
        let chaos = ChaosBehavior(name: "cache", rate: 0.25, enabled: true, random: ChaosRandom(seed: 42)) { context in
            ran.record(context.attempt)
        }
        for call in 1...7 {
            _ = try await chaos.execute(context: ResilienceContext(attempt: call)) { context in
                reached.record(context.attempt)
                #expect(ran.numbers.last ?? 0 <= call)
                return call
            }
        }
        #expect(ran.numbers == [2, 5, 7])
        #expect(reached.numbers == Array(1...7))
    }

    @Test("A behaviour that throws ends the call with its error; the operation does not run")
    func throwingBehavior() async throws {
        let reached = Reached()
        let chaos = ChaosBehavior(name: "cache", rate: 1, enabled: true) { _ in throw Injected() }
        await #expect(throws: Injected.self) {
            try await chaos.execute { () async throws -> Int in
                reached.record(1)
                return 1
            }
        }
        #expect(reached.count == 0)
    }

    @Test("Rates outside [0, 1] are refused by every strategy, naming the key")
    func rates() {
        let outcome = ChaosOutcome(name: "x", rate: 0, enabled: true, outcome: 1)
        let behavior = ChaosBehavior(name: "x", rate: 0, enabled: true) { _ in }
        #expect(throws: ConfigurationError(key: "rate", value: "2.0", allowed: "[0, 1]")) { try outcome.setRate(2) }
        #expect(throws: ConfigurationError(key: "rate", value: "-1.0", allowed: "[0, 1]")) { try behavior.setRate(-1) }
    }
}
