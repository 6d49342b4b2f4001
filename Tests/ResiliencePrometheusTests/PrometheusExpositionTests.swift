import Prometheus
import Resilience
import Testing

/// The metrics of a scripted scenario, as swift-prometheus renders them for a scrape: every family's
/// `# TYPE` line and every sample's exact value.
@Suite("Prometheus exposition")
struct PrometheusExpositionTests {
    /// The scenario's policies, on one manual clock, reporting to one registry with the library's
    /// recommended buckets.
    struct Scenario {
        let clock = ManualClock()
        let registry = PrometheusCollectorRegistry()
        let breaker: CircuitBreaker<ManualClock>
        let inventory: ResiliencePipeline<Retry<ManualClock>>
        let bulkhead: Bulkhead<ManualClock>
        let shedder: LoadShedder<ManualClock>

        init() {
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.durationHistogramBuckets.merge(ResilienceMetrics.durationBuckets) { _, recommended in recommended }
            breaker = CircuitBreaker(
                name: "payments",
                configuration: CircuitBreakerConfiguration(
                    window: .count, windowSize: 2, minimumThroughput: 2, failureRatio: 0.5,
                    breakDuration: .seconds(5), halfOpenPermittedCalls: 1, halfOpenSuccessRatio: 1),
                clock: clock, metricsFactory: factory)
            let retry = Retry(
                name: "inventory",
                configuration: RetryConfiguration(
                    maxAttempts: 2, baseDelay: .milliseconds(100), jitter: .none,
                    budgetRatio: 0.5, budgetMinPerSecond: 0.2, budgetWindow: .seconds(10)),
                clock: clock, metricsFactory: factory)
            inventory = ResiliencePipeline(name: "inventory", clock: clock, metricsFactory: factory) { retry }
            bulkhead = Bulkhead(
                name: "pool", configuration: BulkheadConfiguration(maxConcurrent: 1, maxQueued: 0), clock: clock,
                metricsFactory: factory)
            shedder = LoadShedder(
                name: "api",
                configuration: LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 1, normal: 2, high: 3)),
                clock: clock, metricsFactory: factory)
        }

        /// Waits until `count` tasks sleep on the clock.
        func sleepers(_ count: Int) async {
            while clock.sleeperCount != count { await Task.yield() }
        }

        /// The scripted scenario.
        func run() async throws {
            struct Boom: Error {}
            // The breaker trips on two failures, rejects a call, and closes after a 5 s break and one probe.
            for _ in 0..<2 { _ = try? await breaker.execute { () throws -> Int in throw Boom() } }
            _ = try? await breaker.execute { 1 }
            clock.advance(by: .seconds(5))
            _ = try await breaker.execute { 1 }

            // A retry succeeds after one failure, 100 ms later, in a named pipeline.
            let retried = Task { [inventory] in
                try await inventory.execute(context: ResilienceContext(operationName: "reserve")) { context in
                    if context.attempt == 1 { throw Boom() }
                    return context.attempt
                }
            }
            await sleepers(1)
            clock.advance(by: .milliseconds(100))
            _ = try await retried.value

            // The bulkhead's one slot is taken for 1 s: a call meanwhile is rejected.
            let holder = Task { [bulkhead, clock] in try await bulkhead.execute { try await clock.sleep(for: .seconds(1)) } }
            await sleepers(1)
            _ = try? await bulkhead.execute { 1 }
            clock.advance(by: .seconds(1))
            try await holder.value

            // One call in flight: the shedder sheds a low-priority call and admits a normal one.
            let inFlight = Task { [shedder, clock] in
                try await shedder.execute(context: ResilienceContext()) { _ in try await clock.sleep(for: .seconds(1)) }
            }
            await sleepers(1)
            _ = try? await shedder.execute(context: ResilienceContext(priority: .low)) { _ in 1 }
            _ = try await shedder.execute(context: ResilienceContext(priority: .normal)) { _ in 1 }
            clock.advance(by: .seconds(1))
            try await inFlight.value
        }
    }

    /// The exposition with its families in name order and each family's series in label order, since
    /// the registry emits them in no fixed order; a histogram's lines stay together, in their order.
    static func normalized(_ exposition: String) -> String {
        var families: [(type: String, series: [[String]])] = []
        for line in exposition.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# TYPE ") {
                families.append((line, []))
            } else if let last = families.last?.series.last?.last,
                last.contains("_bucket{") || last.contains("_sum{") {
                families[families.count - 1].series[families[families.count - 1].series.count - 1].append(line)
            } else {
                families[families.count - 1].series.append([line])
            }
        }
        return families.sorted { $0.type < $1.type }
            .map { family in
                ([family.type] + family.series.sorted { $0[0] < $1[0] }.flatMap { $0 }).joined(separator: "\n")
            }
            .joined(separator: "\n") + "\n"
    }

    @Test("a breaker trips, a retry succeeds after one failure, a bulkhead rejects, a load shedder sheds: every family exactly")
    func scriptedScenario() async throws {
        let scenario = Scenario()
        try await scenario.run()
        let exposition = Self.normalized(scenario.registry.emitToString())
        if exposition != expectedScenarioExposition + "\n" {
            let expected = Set(expectedScenarioExposition.split(separator: "\n"))
            let actual = Set(exposition.split(separator: "\n"))
            Issue.record("""
                the exposition differs; lines expected and missing: \(expected.subtracting(actual).sorted()); \
                lines not expected: \(actual.subtracting(expected).sorted())
                """)
        }
    }

    @Test("the buckets are the backend's: without the recommended ones, a breaker's open time falls in swift-prometheus' defaults")
    func bucketsAreConfigurable() async throws {
        let clock = ManualClock()
        let registry = PrometheusCollectorRegistry()
        let breaker = CircuitBreaker(
            name: "payments",
            configuration: CircuitBreakerConfiguration(
                window: .count, windowSize: 1, minimumThroughput: 1, breakDuration: .seconds(30),
                halfOpenPermittedCalls: 1, halfOpenSuccessRatio: 1),
            clock: clock, metricsFactory: PrometheusMetricsFactory(registry: registry))
        _ = try? await breaker.execute { () throws -> Int in throw CancellationError() }  // not a failure
        _ = try? await breaker.execute { () throws -> Int in throw DependencyDown() }
        clock.advance(by: .seconds(30))
        _ = try await breaker.execute { 1 }
        let lines = registry.emitToString().split(separator: "\n").filter { $0.hasPrefix("resilience_circuit_breaker_open_seconds") }
        #expect(lines == [
            #"resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="0.005"} 0"#,
            #"resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="0.01"} 0"#,
            #"resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="0.025"} 0"#,
            #"resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="0.05"} 0"#,
            #"resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="0.1"} 0"#,
            #"resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="0.25"} 0"#,
            #"resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="0.5"} 0"#,
            #"resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="1.0"} 0"#,
            #"resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="2.5"} 0"#,
            #"resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="5.0"} 0"#,
            #"resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="10.0"} 0"#,
            #"resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="+Inf"} 1"#,
            #"resilience_circuit_breaker_open_seconds_sum{policy="payments"} 30.0"#,
            #"resilience_circuit_breaker_open_seconds_count{policy="payments"} 1"#,
        ])
    }
}

/// A dependency failure.
struct DependencyDown: Error {}
