import Resilience
import Testing

@testable import ResilienceConfiguration
@testable import ResilienceLab

/// A scenario with exact instants: `calls` at 0 (a burst over no time), one worker, no queue,
/// constant service time.
private func exactScenario(
    calls: Int, workers: Int = 1, maxQueue: Int = 0, service: Duration = .milliseconds(10),
    phases: [DependencyBehaviour.Phase] = [], duration: Duration = .seconds(1)
) throws -> ScenarioDefinition {
    try ScenarioDefinition(
        name: "exact", duration: duration,
        traffic: TrafficModel(bursts: [.init(at: .zero, calls: calls, over: .zero)]),
        dependency: DependencyModel(
            workers: workers, maxQueue: maxQueue, serviceTime: .constant(service),
            behaviour: DependencyBehaviour(phases: phases)))
}

/// Every call ends exactly one way, and the dependency's counters add up.
private func expectConservation(_ r: SimulationResult, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.calls == r.succeeded + r.failed + r.endedByPolicyTotal, "calls", sourceLocation: sourceLocation)
    let d = r.dependency
    #expect(d.received == r.attempts, "attempts", sourceLocation: sourceLocation)
    #expect(d.received == d.served + d.overloaded + d.rateLimited + d.refused + d.abandonedWhileQueued,
            "dependency", sourceLocation: sourceLocation)
    #expect(d.served == d.succeeded + d.failed, "served", sourceLocation: sourceLocation)
    #expect(r.latency.count == r.calls, "latencies", sourceLocation: sourceLocation)
    #expect(r.successLatency.count == r.succeeded, "success latencies", sourceLocation: sourceLocation)
    #expect(r.intervals.map(\.calls).reduce(0, +) == r.calls, "interval calls", sourceLocation: sourceLocation)
    let ended = r.intervals.map { $0.succeeded + $0.failed + $0.endedByPolicy }.reduce(0, +)
    #expect(ended == r.calls, "interval ends", sourceLocation: sourceLocation)
    #expect(r.intervals.map(\.dependencyReceived).reduce(0, +) == d.received, "interval load", sourceLocation: sourceLocation)
}

@Suite("Simulator: exact scenarios")
struct SimulatorExactTests {
    @Test("two calls at 0 against one worker without a queue: the second gets a 503")
    func overloadedAnswer() throws {
        let r = try Simulator.run(exactScenario(calls: 2), policy: SuitePolicy.none, policyName: "none")
        #expect(r.calls == 2)
        #expect(r.succeeded == 1)
        #expect(r.failed == 1)
        #expect(r.dependency.overloaded == 1)
        // Latencies are kept to 3 significant digits.
        #expect(r.latency.max >= .milliseconds(10) && r.latency.max <= .microseconds(10_010))
        #expect(r.endedAt == .milliseconds(10))
        expectConservation(r)
    }

    @Test("the charts stop when the last call has ended, not when the last stale timer fires")
    func intervalsEndWithTheLastCall() throws {
        // The second call waits in the queue with a 30 s timeout, is served at 10 ms and answered at
        // 20 ms; its timer stays in the calendar until 30 s, stale.
        let policy = PolicyFile(timeout: TimeoutConfiguration(duration: .seconds(30)))
        let r = try Simulator.run(
            exactScenario(calls: 2, maxQueue: 1, duration: .seconds(3)), policy: policy, policyName: "timeout")
        #expect(r.succeeded == 2)
        #expect(r.endedAt == .milliseconds(20))
        #expect(r.intervals.map(\.start) == [.zero, .seconds(1), .seconds(2)])
        expectConservation(r)
    }

    @Test("the 503 is retried 10 ms later, when the worker is free again: both succeed, at 10 ms and 20 ms")
    func retryAfterOverload() throws {
        let policy = PolicyFile(retry: RetryConfiguration(
            maxAttempts: 2, backoff: .constant, baseDelay: .milliseconds(10), jitter: .none, budgetRatio: 1_000))
        let r = try Simulator.run(exactScenario(calls: 2), policy: policy, policyName: "retry")
        #expect(r.succeeded == 2)
        #expect(r.retries == 1)
        #expect(r.attempts == 3)
        #expect(r.amplification == 1.5)
        #expect(r.endedAt == .milliseconds(20))
        expectConservation(r)
    }

    @Test("a call that times out at 5 ms keeps the worker busy until 10 ms: the retry at 6 ms is refused with a 503")
    func abandonedWorkStillCosts() throws {
        let policy = PolicyFile(
            retry: RetryConfiguration(maxAttempts: 2, backoff: .constant, baseDelay: .milliseconds(1), jitter: .none),
            timeout: TimeoutConfiguration(duration: .milliseconds(5)))
        let r = try Simulator.run(exactScenario(calls: 1), policy: policy, policyName: "timeout")
        #expect(r.dependency.abandonedWhileServed == 1)
        #expect(r.dependency.overloaded == 1)
        #expect(r.failed == 1)
        #expect(r.endedAt == .milliseconds(6))
        expectConservation(r)
    }

    @Test("a queued call whose client gives up leaves the queue and costs no work")
    func abandonedWhileQueued() throws {
        let policy = PolicyFile(timeout: TimeoutConfiguration(duration: .milliseconds(15)))
        let r = try Simulator.run(exactScenario(calls: 2, maxQueue: 1, service: .milliseconds(20)), policy: policy, policyName: "t")
        // The first is served until 20 ms and times out at 15 ms; the second waits and gives up at 15 ms.
        #expect(r.endedByPolicy == ["timeout": 2])
        #expect(r.dependency.abandonedWhileQueued == 1)
        #expect(r.dependency.abandonedWhileServed == 1)
        #expect(r.dependency.served == 1)
        expectConservation(r)
    }

    @Test("a 429 is retried after its Retry-After hint, not the backoff")
    func retryAfterHint() throws {
        let scenario = try exactScenario(
            calls: 2, workers: 2, phases: [.init(from: .zero, condition: .rateLimiting(capacityPerSecond: 1, retryAfter: .milliseconds(1_500)))],
            duration: .seconds(3))
        let policy = PolicyFile(retry: RetryConfiguration(
            maxAttempts: 2, backoff: .constant, baseDelay: .milliseconds(10), jitter: .none, budgetRatio: 1_000))
        let r = try Simulator.run(scenario, policy: policy, policyName: "hint")
        // Bucket of 1 token, 1 per second: the first call passes; the second gets a 429 and retries at
        // 1.5 s, when a token is back.
        #expect(r.dependency.rateLimited == 1)
        #expect(r.succeeded == 2)
        #expect(r.endedAt == .milliseconds(1_510))
        expectConservation(r)
    }

    @Test("an open breaker rejects at once; the outage's detection and recovery are measured from its phases")
    func detectAndRecover() throws {
        let scenario = try ScenarioDefinition(
            name: "outage", duration: .seconds(4),
            traffic: TrafficModel(rates: [.init(from: .zero, ratePerSecond: 100)]),
            dependency: DependencyModel(
                workers: 10, maxQueue: 0, serviceTime: .constant(.milliseconds(10)),
                behaviour: DependencyBehaviour(phases: [
                    .init(from: .seconds(1), condition: .down), .init(from: .seconds(2), condition: .healthy),
                ])))
        var breaker = CircuitBreakerConfiguration()
        breaker.window = .count
        breaker.windowSize = 5
        breaker.minimumThroughput = 5
        breaker.breakDuration = .milliseconds(500)
        let r = try Simulator.run(scenario, policy: PolicyFile(circuitBreaker: breaker), policyName: "breaker")
        #expect(r.outageStart == .seconds(1))
        #expect(r.outageEnd == .seconds(2))
        // About 3 refused calls make 3 of the last 5 fail: the breaker opens and the next call is rejected.
        let detect = try #require(r.timeToDetect)
        #expect(detect > .zero && detect < .milliseconds(200))
        let recover = try #require(r.timeToRecover)
        #expect(recover <= .milliseconds(500) + .milliseconds(100))
        #expect(r.breakerChanges.first?.to == .open)
        #expect(r.intervals.count == 4)
        expectConservation(r)
    }
}

@Suite("Simulator: determinism and conservation")
struct SimulatorConservationTests {
    /// Every feature at once: open and closed loop, bursts, priorities, every dependency condition, and
    /// every policy of a policy file.
    static func everything() throws -> (ScenarioDefinition, PolicyFile) {
        let scenario = try ScenarioDefinition(
            name: "everything", duration: .seconds(20), seed: 7,
            traffic: TrafficModel(
                rates: [.init(from: .zero, ratePerSecond: 400), .init(from: .seconds(10), ratePerSecond: 900)],
                bursts: [.init(at: .seconds(5), calls: 500, over: .milliseconds(200))],
                closedLoop: .init(clients: 20, thinkTime: .constant(.milliseconds(50))),
                priorities: WeightedMix([(.low, 0.3), (.normal, 0.5), (.high, 0.15), (.critical, 0.05)]),
                operations: WeightedMix([("read", 0.7), ("write", 0.3)])),
            dependency: DependencyModel(
                workers: 20, maxQueue: 40, serviceTime: .logNormal(median: .milliseconds(15), p99: .milliseconds(150)),
                behaviour: DependencyBehaviour(phases: [
                    .init(from: .seconds(3), condition: .failing(fraction: 0.4)),
                    .init(from: .seconds(6), condition: .brownout(latencyMultiplier: 3)),
                    .init(from: .seconds(9), condition: .down),
                    .init(from: .seconds(11), condition: .flapping(period: .seconds(2), downFraction: 0.5)),
                    .init(from: .seconds(15), condition: .rateLimiting(capacityPerSecond: 300, retryAfter: .milliseconds(200))),
                    .init(from: .seconds(18), condition: .healthy),
                ])))
        let policy = try PolicyFile.parse("""
            {"loadShedder": {"inFlight": {"low": 30, "normal": 60, "high": 90}},
             "retry": {"maxAttempts": 3, "baseDelay": "20ms"},
             "circuitBreaker": {"window": "count", "windowSize": 50, "minimumThroughput": 20, "breakDuration": "1s"},
             "rateLimiter": {"permitsPerSecond": 600, "burst": 100},
             "concurrencyLimit": {"algorithm": "aimd", "initialLimit": 30, "maxWait": "20ms", "maxQueued": 10},
             "timeout": {"duration": "100ms"},
             "bulkhead": {"maxConcurrent": 25, "maxQueued": 5, "maxWait": "50ms"}}
            """, file: "everything.json")
        return (scenario, policy)
    }

    @Test("the same seed gives the same result; another seed another")
    func determinism() throws {
        let (scenario, policy) = try Self.everything()
        let first = try Simulator.run(scenario, policy: policy, policyName: "all")
        let second = try Simulator.run(scenario, policy: policy, policyName: "all")
        #expect(first == second)
        #expect(SimulationResultJSON.render(first) == SimulationResultJSON.render(second))
        let other = try Simulator.run(scenario, policy: policy, policyName: "all", seed: 8)
        #expect(other != first)
        #expect(other.seed == 8)
    }

    @Test("every call ends one way, with every policy and every dependency condition")
    func conservationWithEverything() throws {
        let (scenario, policy) = try Self.everything()
        let r = try Simulator.run(scenario, policy: policy, policyName: "all")
        expectConservation(r)
        // The scenario is built so that every policy and every kind of dependency answer happens.
        for name in ["circuitBreaker", "loadShedder", "rateLimiter", "concurrencyLimit", "bulkhead"] {
            #expect((r.endedByPolicy[name] ?? 0) > 0, "\(name) never ended a call: \(r.endedByPolicy)")
        }
        // Timed-out attempts are retried (and then rejected by the open breaker or answered); without
        // the retry, timeouts end calls.
        #expect(r.dependency.abandonedWhileServed > 0)
        var withoutRetry = policy
        withoutRetry.retry = nil
        let single = try Simulator.run(scenario, policy: withoutRetry, policyName: "all-but-retry")
        #expect((single.endedByPolicy["timeout"] ?? 0) > 0, "\(single.endedByPolicy)")
        expectConservation(single)
        #expect(r.dependency.refused > 0)
        #expect(r.dependency.rateLimited > 0)
        #expect(r.dependency.failed > 0)
        #expect(r.retries > 0)
    }

    @Test("conservation under the suite's fixed policies", arguments: SuitePolicy.fixed.map(\.name))
    func conservationSuitePolicies(name: String) throws {
        let (scenario, _) = try Self.everything()
        let r = try Simulator.run(scenario, policy: try #require(SuitePolicy.named(name)), policyName: name)
        expectConservation(r)
    }

    @Test("closed-loop clients never have two calls in flight, so they make fewer calls when answers are slow")
    func closedLoop() throws {
        func run(service: Duration) throws -> SimulationResult {
            let scenario = try ScenarioDefinition(
                name: "closed", duration: .seconds(10),
                traffic: TrafficModel(closedLoop: .init(clients: 5, thinkTime: .constant(.milliseconds(10)))),
                dependency: DependencyModel(workers: 100, maxQueue: 0, serviceTime: .constant(service)))
            return try Simulator.run(scenario, policy: SuitePolicy.none, policyName: "none")
        }
        // Each client: 10 ms think, then the call: one call per 20 ms (or 40 ms) for 10 s.
        #expect(try run(service: .milliseconds(10)).calls == 5 * 500)
        #expect(try run(service: .milliseconds(30)).calls == 5 * 250)
    }

    @Test("a bad interval width is named")
    func badIntervalWidth() throws {
        #expect(throws: LabInputError.self) {
            try Simulator.run(exactScenario(calls: 1), policy: SuitePolicy.none, policyName: "none", intervalWidth: .zero)
        }
    }
}

@Suite("Simulator: the phenomena of the built-in suite")
struct SimulatorPhenomenaTests {
    @Test("overload: naive retry storms (amplification > 2), the default pipeline does not (< 1.3)")
    func retryStorm() throws {
        let scenario = ScenarioDefinition.overloadWithNaiveRetries
        let naive = try Simulator.run(scenario, policy: SuitePolicy.naiveRetry, policyName: "naive-retry")
        let pipeline = try Simulator.run(scenario, policy: SuitePolicy.defaultPipeline, policyName: "default")
        #expect(naive.amplification > 2)
        #expect(pipeline.amplification < 1.3)
        #expect(pipeline.goodput > naive.goodput)
        expectConservation(naive)
        expectConservation(pipeline)
    }

    @Test("outage: the default pipeline detects within its window and recovers within one break plus one probe")
    func outageDetection() throws {
        let scenario = ScenarioDefinition.outageAndRecovery
        let r = try Simulator.run(scenario, policy: SuitePolicy.defaultPipeline, policyName: "default")
        let breaker = try #require(SuitePolicy.defaultPipeline.circuitBreaker)
        // A time window holds at most samplingDuration plus one bucket of outcomes: that long after the
        // outage began, every outcome in it is a failure and the breaker must have opened.
        let bucket = breaker.samplingDuration / breaker.windowBuckets
        let detect = try #require(r.timeToDetect)
        #expect(detect <= breaker.samplingDuration + bucket)
        // The breaker goes half-open at most one break after the dependency returns; the first probe
        // then succeeds (a probe takes one service time: under a second here).
        let recover = try #require(r.timeToRecover)
        #expect(recover <= breaker.breakDuration + .seconds(1))
        #expect(r.breakerChanges.map(\.to).prefix(3) == [.open, .halfOpen, .closed])
        // Without a breaker nothing ever fails fast.
        let none = try Simulator.run(scenario, policy: SuitePolicy.none, policyName: "none")
        #expect(none.timeToDetect == nil)
        expectConservation(r)
    }
}
