import Foundation
import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

@Suite("Tuner: POLICY.json writing, search space, successive halving")
struct TunerTests {
    /// 20 s of 200 calls/s against 10 workers (capacity about 300 calls/s), with `phases`.
    static func shortScenario(_ name: String, phases: String) throws -> ScenarioDefinition {
        try ScenarioDefinition.parse(
            """
            {"name": "\(name)", "duration": "20s", "seed": 7,
             "traffic": {"rates": [{"from": "0s", "ratePerSecond": 200}]},
             "dependency": {"workers": 10, "maxQueue": 50,
                            "serviceTime": {"logNormal": {"median": "20ms", "p99": "200ms"}},
                            "phases": [\(phases)]}}
            """, file: "\(name).json")
    }

    static func outage() throws -> ScenarioDefinition {
        try shortScenario("short-outage", phases: #"{"from": "5s", "condition": "down"}, {"from": "12s", "condition": "healthy"}"#)
    }

    static func errorBurst() throws -> ScenarioDefinition {
        try shortScenario(
            "short-error-burst",
            phases: #"{"from": "5s", "condition": "failing", "fraction": 0.6}, {"from": "10s", "condition": "healthy"}"#)
    }

    static func brownout() throws -> ScenarioDefinition {
        try shortScenario(
            "short-brownout",
            phases: #"{"from": "5s", "condition": "brownout", "latencyMultiplier": 4}, {"from": "12s", "condition": "healthy"}"#)
    }

    // MARK: - POLICY.json

    @Test("a policy is written with every key, in the reader's order, 2-space indent")
    func exactText() throws {
        let policy = PolicyFile(
            timeout: TimeoutConfiguration(duration: .milliseconds(1500)),
            bulkhead: BulkheadConfiguration(maxConcurrent: 4, maxQueued: 2, maxWait: nil))
        let expected = """
            {
              "timeout": {
                "duration": "1.5s",
                "firstByte": null,
                "mode": "enforce",
                "enforcement": "cancel"
              },
              "bulkhead": {
                "maxConcurrent": 4,
                "maxQueued": 2,
                "maxWait": null,
                "mode": "enforce"
              }
            }

            """
        #expect(try policy.jsonText() == expected)
        #expect(try PolicyFile().jsonText() == "{}\n")
    }

    @Test("the retry and breaker sections list all their keys, in the reader's order")
    func keyOrder() throws {
        let text = try SuitePolicy.defaultPipeline.jsonText()
        var positions: [String.Index] = []
        let keys = RetryConfiguration.keys.map(\.name) + CircuitBreakerConfiguration.keys.map(\.name) + TimeoutConfiguration.keys.map(\.name)
        // "mode" ends both the breaker and the timeout: checked below.
        for key in keys where key != "mode" {
            let range = try #require(text.range(of: "\"\(key)\":"), "missing \(key)")
            positions.append(range.lowerBound)
        }
        // "maxDelay" and "duration" are unique; the order of first appearance is the reader's.
        #expect(positions == positions.sorted())
        #expect(text.contains(#""slowCallDuration": null"#))
        #expect(text.contains(#""halfOpenMaxDuration": "1m""#))
        #expect(text.components(separatedBy: #""mode": "enforce""#).count == 3)
    }

    @Test("the suite's policies read back equal", arguments: SuitePolicy.fixed.map(\.name))
    func suiteRoundTrip(name: String) throws {
        let policy = try #require(SuitePolicy.named(name))
        #expect(try PolicyFile.parse(policy.jsonText(), file: "\(name).json") == policy)
    }

    @Test("every section with values off its defaults reads back equal")
    func allSectionsRoundTrip() throws {
        let policies = [
            PolicyFile(
                retry: RetryConfiguration(
                    maxAttempts: 4, backoff: .linear, baseDelay: .microseconds(1500), multiplier: 1.25,
                    maxDelay: .seconds(90), jitter: .decorrelated, budgetRatio: 0.125, budgetMinPerSecond: 0,
                    budgetWindow: .milliseconds(2500)),
                circuitBreaker: CircuitBreakerConfiguration(
                    window: .count, samplingDuration: .seconds(7), windowBuckets: 7, windowSize: 33,
                    minimumThroughput: 3, failureRatio: 0.333, slowCallDuration: .nanoseconds(1_000_001),
                    slowCallRatio: 0.7, breakDuration: .seconds(3), breakDurationMultiplier: 1.5,
                    maxBreakDuration: .seconds(3600), halfOpenPermittedCalls: 2, halfOpenSuccessRatio: 1,
                    halfOpenMaxDuration: nil),
                timeout: TimeoutConfiguration(duration: .nanoseconds(1)),
                loadShedder: LoadShedderConfiguration(
                    inFlight: LoadShedThresholds(low: 5, normal: 9, high: nil), retryAfter: nil),
                rateLimiter: KeyedRateLimiterConfiguration(permitsPerSecond: 0.5, burst: 2.5, maxWait: .milliseconds(20), maxKeys: 7),
                concurrencyLimit: ConcurrencyLimitConfiguration(
                    algorithm: .gradient2(.init(smoothing: 0.3, rttTolerance: 2, queueSize: 3, probeMultiplier: 12)),
                    initialLimit: 8, minLimit: 2, maxLimit: 50, maxQueued: 4, maxWait: .milliseconds(30)),
                bulkhead: BulkheadConfiguration(maxConcurrent: 3, maxQueued: 1, maxWait: .milliseconds(250))),
            PolicyFile(
                loadShedder: LoadShedderConfiguration(queueDepth: LoadShedThresholds(low: 1, normal: 2, high: nil)),
                concurrencyLimit: ConcurrencyLimitConfiguration(algorithm: .vegas(.init(smoothing: 0.5, alphaFactor: 2, betaFactor: 4, probeMultiplier: 10))),
                bulkhead: BulkheadConfiguration()),
            PolicyFile(concurrencyLimit: ConcurrencyLimitConfiguration(algorithm: .aimd(.init(backoffRatio: 0.75, timeout: .seconds(2))))),
        ]
        for policy in policies {
            let text = try policy.jsonText()
            #expect(try PolicyFile.parse(text, file: "p.json") == policy, "\(text)")
        }
    }

    @Test("a setting a policy file cannot hold is an error naming it, not dropped")
    func unwritable() {
        let pressure = PolicyFile(loadShedder: LoadShedderConfiguration(pressure: ["cpu": LoadShedThresholds(low: 0.7, normal: 0.9, high: nil)]))
        #expect(throws: ConfigurationError(key: "loadShedder.pressure", value: "cpu", allowed: "no pressure signals (a policy file cannot configure them)")) {
            try pressure.jsonText()
        }
        let subNanosecond = PolicyFile(timeout: TimeoutConfiguration(duration: Duration(secondsComponent: 1, attosecondsComponent: 5)))
        #expect(throws: ConfigurationError.self) { try subNanosecond.jsonText() }
        do {
            _ = try subNanosecond.jsonText()
        } catch {
            #expect(error.key == "timeout.duration")
        }
    }

    // MARK: - Search space

    @Test("every drawn policy validates and reads back equal from its JSON")
    func drawsValidateAndRoundTrip() throws {
        var random = SplitMix64(seed: 99)
        for index in 0..<400 {
            let policy = index.isMultiple(of: 2) ? TuningSearchSpace.draw(&random) : TuningSearchSpace.drawNear(SuitePolicy.defaultPipeline, &random)
            try policy.retry?.validate()
            try policy.circuitBreaker?.validate()
            try policy.timeout?.validate()
            let retry = try #require(policy.retry)
            let breaker = try #require(policy.circuitBreaker)
            let timeout = try #require(policy.timeout)
            #expect(TuningSearchSpace.maxAttempts.contains(retry.maxAttempts))
            #expect(TuningSearchSpace.baseDelay.contains(retry.baseDelay))
            #expect(retry.maxDelay >= retry.baseDelay && retry.maxDelay <= TuningSearchSpace.maxDelay.upperBound)
            #expect(TuningSearchSpace.failureRatio.contains(breaker.failureRatio) || breaker.failureRatio == 0.5)
            #expect(TuningSearchSpace.breakDuration.contains(breaker.breakDuration) || breaker.breakDuration == .seconds(30))
            #expect(TuningSearchSpace.timeout.contains(timeout.duration))
            #expect(try PolicyFile.parse(policy.jsonText(), file: "draw-\(index).json") == policy)
        }
    }

    @Test("a neighbour of the default differs from it, but keeps most of it")
    func neighbours() throws {
        var random = SplitMix64(seed: 3)
        var unchangedTimeouts = 0
        for _ in 0..<200 {
            let policy = TuningSearchSpace.drawNear(SuitePolicy.defaultPipeline, &random)
            #expect(policy != SuitePolicy.defaultPipeline)
            if policy.timeout == SuitePolicy.defaultPipeline.timeout { unchangedTimeouts += 1 }
        }
        // Each group changes with probability 1/4 (a little more with the "at least one" rule).
        #expect((120...170).contains(unchangedTimeouts))
    }

    // MARK: - Schedule

    @Test("the budget decides the number of candidates; runs never exceed it")
    func schedule() {
        #expect(Tuner.drawnCandidates(budget: 120) == 49)
        #expect(Tuner.runs(drawn: 49) == 120)
        #expect(Tuner.drawnCandidates(budget: Tuner.suiteBudget) == 18)
        #expect(Tuner.runs(drawn: 1) == Tuner.budgetRange.lowerBound)
        #expect(Tuner.drawnSurvivors(drawn: 49) == [49, 16, 5])
        for budget in Tuner.budgetRange.lowerBound...400 {
            let drawn = Tuner.drawnCandidates(budget: budget)
            #expect(Tuner.runs(drawn: drawn) <= budget && Tuner.runs(drawn: drawn + 1) > budget)
        }
        let seeds = Tuner.evaluationSeeds(42)
        #expect(seeds.count == 9 && seeds[0] == 42 && Set(seeds).count == 9)
    }

    @Test("a budget outside 18...10000 is an error naming the budget and the range")
    func budgetErrors() throws {
        let scenario = try Self.outage()
        for budget in [-1, 0, 17, 10_001] {
            #expect(throws: LabInputError(file: "short-outage", message: "budget: \(budget) is not allowed; allowed: 18...10000 simulation runs")) {
                try Tuner.tune(scenario, budget: budget)
            }
        }
    }

    // MARK: - Tuning

    @Test("the same seed gives the same result; another seed other candidates")
    func determinism() throws {
        let scenario = try Self.outage()
        let first = try Tuner.tune(scenario, budget: 24, seed: 11)
        let second = try Tuner.tune(scenario, budget: 24, seed: 11)
        #expect(first == second)
        let other = try Tuner.tune(scenario, budget: 24, seed: 12)
        #expect(other.candidates.map(\.policy) != first.candidates.map(\.policy))
        #expect(other.evaluationSeeds[0] == 12)
    }

    @Test(
        "the tuned policy is no worse than the default on its objective, on the scenario's seed",
        arguments: [("short-outage", TuningObjective.goodput), ("short-error-burst", .goodput), ("short-brownout", .goodput),
                    ("short-outage", .p99), ("short-brownout", .amplification)])
    func noWorseThanDefault(name: String, objective: TuningObjective) throws {
        let scenario = try [Self.outage(), Self.errorBurst(), Self.brownout()].first { $0.name == name }!
        let result = try Tuner.tune(scenario, objective: objective, budget: 24)
        #expect(result.runs == Tuner.runs(drawn: Tuner.drawnCandidates(budget: 24)) && result.runs <= 24)
        #expect(result.candidates.count == Tuner.drawnCandidates(budget: 24) + 1)
        #expect(result.candidates[0].policy == SuitePolicy.defaultPipeline && result.candidates[0].rung == 2)
        #expect(result.evaluationSeeds.first == scenario.seed && result.bestMetrics.seeds == 9)
        for candidate in result.candidates {
            #expect(Tuner.isValid(candidate.policy))
        }

        let tuned = try Simulator.run(scenario, policy: result.best, policyName: "tuned")
        let base = try Simulator.run(scenario, policy: SuitePolicy.defaultPipeline, policyName: "default")
        switch objective {
        case .goodput:
            #expect(tuned.goodput >= base.goodput)
            #expect(result.bestMetrics.goodput >= result.baselineMetrics.goodput)
        case .p99:
            #expect(tuned.latency.p99 <= base.latency.p99)
            #expect(result.bestMetrics.p99 <= result.baselineMetrics.p99)
        case .amplification:
            #expect(tuned.amplification <= base.amplification)
            #expect(result.bestMetrics.amplification <= result.baselineMetrics.amplification)
        }
        if objective != .goodput {
            #expect(result.bestMetrics.goodput >= result.baselineMetrics.goodput - TuningObjective.goodputTolerance)
        }
        // A candidate dropped after rung 0 ran on the first seed only: its metrics are a plain run's.
        let dropped = try #require(result.candidates.last { $0.rung == 0 })
        #expect(dropped.metrics.seeds == 1)
        let plain = try Simulator.run(scenario, policy: dropped.policy, policyName: "dropped")
        #expect(dropped.metrics == TuningMetrics(plain))
    }

    @Test("an outage is where the default's 30 s break loses calls: tuning finds better")
    func outageImproves() throws {
        let scenario = try Self.outage()
        let result = try Tuner.tune(scenario, budget: 24)
        #expect(!result.bestIsBaseline)
        #expect(result.bestMetrics.goodput > result.baselineMetrics.goodput + 0.02)
        let text = try result.best.jsonText()
        #expect(try PolicyFile.parse(text, file: "tuned.json") == result.best)
    }

    @Test("a given baseline is the policy to beat: every candidate keeps its other sections and keys, and stays valid")
    func baseline() throws {
        let scenario = try Self.outage()
        var baseline = SuitePolicy.defaultPipeline
        baseline.bulkhead = BulkheadConfiguration(maxConcurrent: 40, maxQueued: 5, maxWait: .milliseconds(100))
        baseline.circuitBreaker?.breakDuration = .seconds(2)
        baseline.circuitBreaker?.maxBreakDuration = .seconds(3)  // below most drawn breakDurations: those are drawn again
        baseline.circuitBreaker?.mode = .shadow
        let result = try Tuner.tune(scenario, budget: 24, baseline: baseline)
        #expect(result.baseline == baseline && result.candidates[0].policy == baseline)
        for candidate in result.candidates {
            #expect(candidate.policy.problems() == [])
            #expect(candidate.policy.bulkhead == baseline.bulkhead)
            #expect(candidate.policy.circuitBreaker?.maxBreakDuration == .seconds(3))
            #expect(candidate.policy.circuitBreaker?.mode == .shadow)
        }
        let breaks = Set(result.candidates.compactMap { $0.policy.circuitBreaker?.breakDuration })
        #expect(breaks.count >= 2 && breaks.allSatisfy { $0 <= .seconds(3) })  // still a search, within the baseline's bound
        #expect(result.bestMetrics.goodput >= result.baselineMetrics.goodput)
        let base = try Simulator.run(scenario, policy: baseline, policyName: "baseline")
        #expect(try Simulator.run(scenario, policy: result.best, policyName: "tuned").goodput >= base.goodput)
    }

    @Test("a baseline that is invalid, or has an adaptive timeout the search would clash with, is an error naming it")
    func badBaseline() throws {
        let scenario = try Self.outage()
        var invalid = SuitePolicy.defaultPipeline
        invalid.retry?.maxAttempts = 0
        #expect(throws: LabInputError(file: "baseline", message: "retry.maxAttempts: 0 is not allowed; allowed: 1...1000")) {
            try Tuner.tune(scenario, budget: 24, baseline: invalid)
        }
        var adaptive = SuitePolicy.defaultPipeline
        adaptive.timeout = nil
        adaptive.adaptiveTimeout = AdaptiveTimeoutConfiguration()
        do {
            _ = try Tuner.tune(scenario, budget: 24, baseline: adaptive)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("baseline: adaptiveTimeout: tune searches timeout.duration"), "\(error)")
        }
    }

    @Test("the objectives rank as documented")
    func ranking() {
        func metrics(_ goodput: Double, _ amplification: Double, _ p99: Int) -> TuningMetrics {
            TuningMetrics(seeds: 1, goodput: goodput, amplification: amplification, p99: .milliseconds(p99), timeToDetect: nil, timeToRecover: nil)
        }
        // goodput: higher first, then lower amplification.
        #expect(TuningObjective.goodput.ranks(metrics(0.9, 2, 9), before: metrics(0.8, 1, 1), baselineGoodput: 0.9) == true)
        #expect(TuningObjective.goodput.ranks(metrics(0.9, 1, 9), before: metrics(0.9, 2, 1), baselineGoodput: 0.9) == true)
        #expect(TuningObjective.goodput.ranks(metrics(0.9, 1, 9), before: metrics(0.9, 1, 1), baselineGoodput: 0.9) == nil)
        // Within a 0.1 % step, amplification decides; then the exact goodput.
        #expect(TuningObjective.goodput.ranks(metrics(0.9005, 1.2, 1), before: metrics(0.9001, 1.0, 1), baselineGoodput: 0.9) == false)
        #expect(TuningObjective.goodput.ranks(metrics(0.9011, 1.2, 1), before: metrics(0.9001, 1.0, 1), baselineGoodput: 0.9) == true)
        #expect(TuningObjective.goodput.ranks(metrics(0.9005, 1.0, 1), before: metrics(0.9001, 1.0, 1), baselineGoodput: 0.9) == true)
        // p99: a 1 ms p99 with too little goodput ranks after any candidate within the floor.
        #expect(TuningObjective.p99.ranks(metrics(0.5, 1, 1), before: metrics(0.89, 1, 500), baselineGoodput: 0.9) == false)
        #expect(TuningObjective.p99.ranks(metrics(0.891, 1, 100), before: metrics(0.95, 1, 500), baselineGoodput: 0.9) == true)
        #expect(TuningObjective.p99.isFeasible(metrics(0.885, 1, 1), baselineGoodput: 0.9) == false)
        // amplification: lower first among the feasible, then higher goodput.
        #expect(TuningObjective.amplification.ranks(metrics(0.9, 0.5, 1), before: metrics(0.95, 0.6, 1), baselineGoodput: 0.9) == true)
        #expect(TuningObjective.amplification.ranks(metrics(0.95, 0.5, 1), before: metrics(0.9, 0.5, 1), baselineGoodput: 0.9) == true)
    }
}

@Suite("Tuner: the search space by key name")
struct TuningSearchSpaceKeyTests {
    @Test("Every key a group names is a key of the schema, and no key is in two groups")
    func groupsNameSchemaKeys() {
        let names = Set(PolicyFile.keyNames)
        let grouped = TuningSearchSpace.groups.flatMap { $0 }
        #expect(grouped.allSatisfy(names.contains), "\(grouped.filter { !names.contains($0) })")
        #expect(Set(grouped).count == grouped.count)
    }

    @Test("A neighbour of the default differs from it only in whole groups")
    func neighboursDifferByGroup() {
        var random = SplitMix64(seed: 42)
        let base = SuitePolicy.defaultPipeline
        var differing = 0
        for _ in 0..<50 {
            let neighbour = TuningSearchSpace.drawNear(SuitePolicy.defaultPipeline, &random)
            var restored = neighbour
            for key in TuningSearchSpace.groups.flatMap({ $0 }) { restored.copyKey(key, from: base) }
            #expect(restored == base)
            if neighbour != base { differing += 1 }  // a group can be drawn with the default's own values
        }
        #expect(differing >= 45)
    }
}
