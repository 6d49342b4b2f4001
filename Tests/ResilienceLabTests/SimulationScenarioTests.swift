import Foundation
import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

@Suite("Simulation: scenario files and built-in scenarios")
struct SimulationScenarioTests {
    static let full = """
        {
          "name": "checkout-outage",
          "description": "The payment provider goes down for 30 s during a sale.",
          "duration": "120s",
          "seed": 42,
          "traffic": {
            "rates": [{"from": "0s", "ratePerSecond": 800}, {"from": "60s", "ratePerSecond": 1200}],
            "bursts": [{"at": "90s", "calls": 2000, "over": "2s"}],
            "closedLoop": {"clients": 20, "thinkTime": {"constant": "100ms"}},
            "priorities": {"low": 0.2, "normal": 0.6, "high": 0.15, "critical": 0.05},
            "operations": {"authorize": 0.9, "refund": 0.1}
          },
          "dependency": {
            "workers": 50,
            "maxQueue": 100,
            "serviceTime": {"logNormal": {"median": "20ms", "p99": "200ms"}},
            "phases": [
              {"from": "30s", "condition": "down"},
              {"from": "60s", "condition": "healthy"},
              {"from": "70s", "condition": "failing", "fraction": 0.3},
              {"from": "80s", "condition": "brownout", "latencyMultiplier": 4},
              {"from": "90s", "condition": "flapping", "period": "5s", "downFraction": 0.4},
              {"from": "100s", "condition": "rateLimiting", "capacityPerSecond": 500, "retryAfter": "1s"}
            ]
          }
        }
        """

    func error(_ text: String) -> String? {
        do {
            _ = try ScenarioDefinition.parse(text, file: "s.json")
            return nil
        } catch {
            return error.description
        }
    }

    /// The full example with `old` replaced by `new`.
    func errorInFull(_ old: String, _ new: String) -> String? {
        #expect(Self.full.contains(old))
        return error(Self.full.replacingOccurrences(of: old, with: new))
    }

    @Test("the documented example parses into exactly its fields")
    func fullExample() throws {
        let scenario = try ScenarioDefinition.parse(Self.full, file: "s.json")
        let expected = try ScenarioDefinition(
            name: "checkout-outage", summary: "The payment provider goes down for 30 s during a sale.",
            duration: .seconds(120), seed: 42,
            traffic: TrafficModel(
                rates: [.init(from: .zero, ratePerSecond: 800), .init(from: .seconds(60), ratePerSecond: 1_200)],
                bursts: [.init(at: .seconds(90), calls: 2_000, over: .seconds(2))],
                closedLoop: .init(clients: 20, thinkTime: .constant(.milliseconds(100))),
                priorities: WeightedMix([(.low, 0.2), (.normal, 0.6), (.high, 0.15), (.critical, 0.05)]),
                operations: WeightedMix([("authorize", 0.9), ("refund", 0.1)])),
            dependency: DependencyModel(
                workers: 50, maxQueue: 100, serviceTime: .logNormal(median: .milliseconds(20), p99: .milliseconds(200)),
                behaviour: DependencyBehaviour(phases: [
                    .init(from: .seconds(30), condition: .down),
                    .init(from: .seconds(60), condition: .healthy),
                    .init(from: .seconds(70), condition: .failing(fraction: 0.3)),
                    .init(from: .seconds(80), condition: .brownout(latencyMultiplier: 4)),
                    .init(from: .seconds(90), condition: .flapping(period: .seconds(5), downFraction: 0.4)),
                    .init(from: .seconds(100), condition: .rateLimiting(capacityPerSecond: 500, retryAfter: .seconds(1))),
                ])))
        #expect(scenario == expected)
        let minimal = try ScenarioDefinition.parse("""
            {"name": "m", "duration": "1s", "traffic": {"bursts": [{"at": "0s", "calls": 3}]},
             "dependency": {"workers": 1, "maxQueue": 0, "serviceTime": {"empirical": ["1ms", "2ms"]}}}
            """, file: "s.json")
        #expect(minimal.seed == 0 && minimal.traffic.priorities == .only(.normal) && minimal.dependency.behaviour.phases.isEmpty)
        #expect(minimal.dependency.serviceTime == .empirical([.milliseconds(1), .milliseconds(2)]))
    }

    @Test("every bad field gets an error naming it with its path")
    func errors() {
        #expect(errorInFull(#""fraction": 0.3"#, #""fraction": 1.5"#)
            == "s.json: dependency.phases[2].fraction: 1.5 is not allowed; allowed: [0, 1]")
        #expect(errorInFull(#""latencyMultiplier": 4"#, #""latencyMultiplier": 0.5"#)
            == "s.json: dependency.phases[3].latencyMultiplier: 0.5 is not allowed; allowed: [1, 1000]")
        #expect(errorInFull(#""from": "70s""#, #""from": "50s""#)
            == "s.json: dependency.phases[2].from: 50s is not allowed; allowed: > 1m (phases[1].from)")
        #expect(errorInFull(#""p99": "200ms""#, #""p99": "10ms""#)
            == "s.json: dependency.serviceTime.logNormal.p99: 10ms is not allowed; allowed: > median (20ms) and <= 1h")
        #expect(errorInFull(#""workers": 50"#, #""workers": 0"#)
            == "s.json: dependency.workers: 0 is not allowed; allowed: 1...1000000")
        #expect(errorInFull(#""condition": "down""#, #""condition": "dead""#)
            == #"s.json: dependency.phases[0].condition must be one of "healthy", "down", "failing", "brownout", "flapping", "rateLimiting", got "dead""#)
        #expect(errorInFull(#""fraction": 0.3"#, #""ratio": 0.3"#)
            == "s.json: dependency.phases[2].fraction is required")
        #expect(errorInFull(#""condition": "down""#, #""condition": "down", "fraction": 1"#)
            == #"s.json: unknown key "dependency.phases[0].fraction"; known: from, condition"#)
        #expect(errorInFull(#""ratePerSecond": 800"#, #""ratePerSecond": -1"#)
            == "s.json: traffic.rates[0].ratePerSecond: -1 is not allowed; allowed: 0...1000000000")
        #expect(errorInFull(#""calls": 2000"#, #""calls": 0"#)
            == "s.json: traffic.bursts[0].calls: 0 is not allowed; allowed: 1...100000000")
        #expect(errorInFull(#""at": "90s""#, #""at": "119s""#)
            == "s.json: traffic.bursts[0].over: 2s is not allowed; allowed: at + over <= duration (2m)")
        #expect(errorInFull(#""from": "100s""#, #""from": "120s""#)
            == "s.json: dependency.phases[5].from: 2m is not allowed; allowed: < duration (2m)")
        #expect(errorInFull(#""clients": 20"#, #""clients": 0"#)
            == "s.json: traffic.closedLoop.clients: 0 is not allowed; allowed: 1...1000000")
        #expect(errorInFull(#""low": 0.2"#, #""lowest": 0.2"#)
            == #"s.json: unknown priority "traffic.priorities.lowest"; known: low, normal, high, critical"#)
        #expect(errorInFull(#""refund": 0.1"#, #""refund": -0.1"#)
            == "s.json: traffic.operations.refund: -0.1 is not allowed; allowed: >= 0")
        #expect(errorInFull(#""duration": "120s""#, #""duration": "soon""#)
            == #"s.json: duration: "soon" is not a duration; write a number and a unit: ns, us, ms, s, m or h (e.g. "250ms", "1.5s", "2m")"#)
        #expect(errorInFull(#""seed": 42"#, #""seed": -1"#)
            == "s.json: seed: -1 is not allowed; allowed: 0...8999999999999999 in a file (a file's numbers are exact only to 2^53); --seed takes 0...18446744073709551615")
        #expect(errorInFull(#""seed": 42"#, #""sead": 42"#)
            == "s.json: unknown key \"sead\"; known: name, description, duration, seed, traffic, dependency")
        #expect(errorInFull(#"{"logNormal": {"median": "20ms", "p99": "200ms"}}"#, #"{"constant": "1ms", "empirical": []}"#)
            == "s.json: dependency.serviceTime must have exactly one of constant, logNormal, empirical, got 2")
        #expect(errorInFull(#"{"constant": "100ms"}"#, #"{"empirical": ["1ms", 2]}"#)
            == #"s.json: traffic.closedLoop.thinkTime.empirical[1] must be a duration string with a unit such as "250ms", got a number"#)
        #expect(errorInFull(#"{"constant": "100ms"}"#, #"{"constant": "0s"}"#)
            == "s.json: traffic.closedLoop.thinkTime: a mean of 0s is not allowed; allowed: a mean > 0")
        #expect(error(#"{"name": "x", "duration": "1s", "traffic": {}, "dependency": {"workers": 1, "maxQueue": 0, "serviceTime": {"constant": "1ms"}}}"#)
            == "s.json: traffic: {} is not allowed; allowed: at least one of rates, bursts, closedLoop")
        #expect(error(#"{"duration": "1s"}"#) == "s.json: name is required")
        #expect(error("[1]") == "s.json: the scenario must be a JSON object, got an array")
        #expect(error("{") != nil)
    }

    /// Issue 21, items 1, 3 and 4: every numeric field has a physically meaningful range, and a value
    /// outside it is an error naming the field with its path (ranges in `ScenarioLimits`).
    @Test("absurd values of every numeric field are rejected, naming the field, at both ends of its range")
    func ranges() {
        // Item 1: a multiplier of 1e12 crashed after 52 s, 1e6 made a 10 s scenario simulate 20,001 s.
        #expect(errorInFull(#""latencyMultiplier": 4"#, #""latencyMultiplier": 1e12"#)
            == "s.json: dependency.phases[3].latencyMultiplier: 1000000000000 is not allowed; allowed: [1, 1000]")
        #expect(errorInFull(#""latencyMultiplier": 4"#, #""latencyMultiplier": 1e6"#)
            == "s.json: dependency.phases[3].latencyMultiplier: 1000000 is not allowed; allowed: [1, 1000]")
        #expect(errorInFull(#""latencyMultiplier": 4"#, #""latencyMultiplier": 1000.5"#)
            == "s.json: dependency.phases[3].latencyMultiplier: 1000.5 is not allowed; allowed: [1, 1000]")
        #expect(errorInFull(#""latencyMultiplier": 4"#, #""latencyMultiplier": 1000"#) == nil)
        #expect(errorInFull(#""latencyMultiplier": 4"#, #""latencyMultiplier": 1"#) == nil)
        // Item 3: a day of simulated time at most.
        #expect(errorInFull(#""duration": "120s""#, #""duration": "1000000h""#)
            == "s.json: duration: 1000000h is not allowed; allowed: (0s, 24h]")
        #expect(errorInFull(#""duration": "120s""#, #""duration": "100h""#)
            == "s.json: duration: 100h is not allowed; allowed: (0s, 24h]")
        #expect(errorInFull(#""duration": "120s""#, #""duration": "24h1s""#) != nil)
        // 24 h is allowed, but the example's traffic over a day is more calls than a run may make.
        #expect(errorInFull(#""duration": "120s""#, #""duration": "24h""#)
            == "s.json: traffic: 120938000 expected calls is not allowed; allowed: <= 100000000 expected calls (each rate × how long it lasts, plus bursts, plus closedLoop.clients × duration / mean thinkTime)")
        #expect(errorInFull(#""duration": "120s""#, #""duration": "10h""#) == nil)
        #expect(errorInFull(#""duration": "120s""#, #""duration": "0s""#)
            == "s.json: duration: 0s is not allowed; allowed: (0s, 24h]")
        // Item 4: flapping faster than a millisecond, a rate limit of one call in 30 years, a p99 of 6 weeks.
        #expect(errorInFull(#""period": "5s""#, #""period": "1ns""#)
            == "s.json: dependency.phases[4].period: 1ns is not allowed; allowed: [1ms, 24h]")
        #expect(errorInFull(#""period": "5s""#, #""period": "25h""#)
            == "s.json: dependency.phases[4].period: 25h is not allowed; allowed: [1ms, 24h]")
        #expect(errorInFull(#""period": "5s""#, #""period": "1ms""#) == nil)
        #expect(errorInFull(#""capacityPerSecond": 500"#, #""capacityPerSecond": 1e-9"#)
            == "s.json: dependency.phases[5].capacityPerSecond: 1e-09 is not allowed; allowed: [0.01, 1000000000]")
        #expect(errorInFull(#""capacityPerSecond": 500"#, #""capacityPerSecond": 2e9"#)
            == "s.json: dependency.phases[5].capacityPerSecond: 2000000000 is not allowed; allowed: [0.01, 1000000000]")
        #expect(errorInFull(#""capacityPerSecond": 500"#, #""capacityPerSecond": 0.01"#) == nil)
        #expect(errorInFull(#""retryAfter": "1s""#, #""retryAfter": "2h""#)
            == "s.json: dependency.phases[5].retryAfter: 2h is not allowed; allowed: [0s, 1h]")
        #expect(errorInFull(#""p99": "200ms""#, #""p99": "1000h""#)
            == "s.json: dependency.serviceTime.logNormal.p99: 1000h is not allowed; allowed: > median (20ms) and <= 1h")
        #expect(errorInFull(#""p99": "200ms""#, #""p99": "21s""#)
            == "s.json: dependency.serviceTime.logNormal.p99: 21s is not allowed; allowed: <= 1000 × median (20ms)")
        #expect(errorInFull(#""p99": "200ms""#, #""p99": "20s""#) == nil)
        #expect(errorInFull(#""median": "20ms""#, #""median": "2h""#)
            == "s.json: dependency.serviceTime.logNormal.median: 2h is not allowed; allowed: (0s, 1h]")
        #expect(errorInFull(#"{"constant": "100ms"}"#, #"{"constant": "61m"}"#)
            == "s.json: traffic.closedLoop.thinkTime.constant: 61m is not allowed; allowed: [0s, 1h]")
        #expect(errorInFull(#"{"constant": "100ms"}"#, #"{"empirical": ["1ms", "2h"]}"#)
            == "s.json: traffic.closedLoop.thinkTime.empirical[1]: 2h is not allowed; allowed: [0s, 1h]")
        // Item 4: traffic that makes no call.
        #expect(error(#"{"name": "x", "duration": "10s", "traffic": {"rates": [{"from": "0s", "ratePerSecond": 0}]}, "dependency": {"workers": 1, "maxQueue": 0, "serviceTime": {"constant": "1ms"}}}"#)
            == "s.json: traffic.rates: every ratePerSecond 0 is not allowed; allowed: a ratePerSecond > 0, or bursts or closedLoop: a run must make calls")
        // Item 3: traffic that would take hours to simulate.
        #expect(errorInFull(#""ratePerSecond": 1200"#, #""ratePerSecond": 1000000000"#)
            == "s.json: traffic: 60000074000 expected calls is not allowed; allowed: <= 100000000 expected calls (each rate × how long it lasts, plus bursts, plus closedLoop.clients × duration / mean thinkTime)")
        #expect(errorInFull(#""clients": 20"#, #""clients": 1000000"#)
            == "s.json: traffic: 1200122000 expected calls is not allowed; allowed: <= 100000000 expected calls (each rate × how long it lasts, plus bursts, plus closedLoop.clients × duration / mean thinkTime)")
    }

    /// A scenario of `duration` with Poisson traffic at `rate` against a dependency of `workers`
    /// workers, a queue of `maxQueue` and a constant service time `service`, plus an optional burst.
    static func scenario(
        duration: Duration, rate: Double, workers: Int = 10, maxQueue: Int = 100, service: Duration = .milliseconds(10),
        burst: Int? = nil
    ) throws -> ScenarioDefinition {
        try ScenarioDefinition(
            name: "limits", duration: duration, seed: 3,
            traffic: TrafficModel(
                rates: [.init(from: .zero, ratePerSecond: rate)],
                bursts: burst.map { [.init(at: .zero, calls: $0, over: .zero)] } ?? []),
            dependency: DependencyModel(workers: workers, maxQueue: maxQueue, serviceTime: .constant(service)))
    }

    @Test("a run that makes no calls is an error, not a goodput of 100 %")
    func noCalls() throws {
        let quiet = try Self.scenario(duration: .seconds(10), rate: 0.001)
        #expect(throws: LabInputError(
            file: "scenario limits",
            message: "the traffic made no calls in 10s (seed 3), so there is nothing to measure: raise traffic.rates' ratePerSecond, or add bursts or closedLoop clients")) {
            try Simulator.run(quiet, policy: PolicyFile(), policyName: "none")
        }
    }

    @Test("a run whose dependency cannot drain its queue within the run's limit is an error, found in bounded time")
    func runLimit() throws {
        // 1,000 calls at once on one worker that takes 1 h each: 1,000 h to drain.
        let stuck = try Self.scenario(duration: .seconds(10), rate: 0, workers: 1, maxQueue: 1_000, service: .seconds(3_600), burst: 1_000)
        #expect(throws: LabInputError(
            file: "scenario limits",
            message: "under policy none, 1000 calls had still not ended at 2000s of simulated time, 2000 intervals of 1s (the scenario lasts 10s); a run may last at most that long: shorten the dependency's serviceTime or latencyMultiplier, lower maxQueue, or add a timeout to the policy")) {
            try Simulator.run(stuck, policy: PolicyFile(), policyName: "none")
        }
        // With a timeout the same scenario ends.
        let result = try Simulator.run(
            stuck, policy: PolicyFile(timeout: TimeoutConfiguration(duration: .seconds(1))), policyName: "timeout")
        #expect(result.calls == 1_000 && result.endedByPolicy["timeout"] == 1_000)
    }

    @Test("a long run has a bounded number of intervals: 1 s up to 1,000 s of scenario, wider beyond")
    func intervalWidth() throws {
        #expect(ScenarioLimits.intervalWidth(for: .seconds(10)) == .seconds(1))
        #expect(ScenarioLimits.intervalWidth(for: .seconds(1_000)) == .seconds(1))
        #expect(ScenarioLimits.intervalWidth(for: .milliseconds(1_000_001)) == .seconds(2))
        #expect(ScenarioLimits.intervalWidth(for: .seconds(86_400)) == .seconds(87))
        let day = try Self.scenario(duration: .seconds(86_400), rate: 2)
        let result = try Simulator.run(day, policy: PolicyFile(), policyName: "none")
        #expect(result.intervalWidth == .seconds(87))
        #expect(result.intervals.count == 994)
        #expect(result.intervals.reduce(0) { $0 + $1.calls } == result.calls)
        // The built-in scenarios keep their one-second intervals.
        for scenario in ScenarioDefinition.builtIn {
            #expect(ScenarioLimits.intervalWidth(for: scenario.duration) == .seconds(1))
        }
    }

    @Test("the six built-in scenarios are valid, named, and small enough for the suite's time budget")
    func builtIns() throws {
        #expect(ScenarioDefinition.builtIn.map(\.name) == [
            "steady-state", "outage-and-recovery", "brownout", "error-burst", "flapping-dependency",
            "overload-with-naive-retries",
        ])
        for scenario in ScenarioDefinition.builtIn {
            try scenario.validate()
            #expect(!scenario.summary.isEmpty)
            var traffic = TrafficGenerator(model: scenario.traffic, duration: scenario.duration, seed: scenario.seed)
            while traffic.nextOpenLoopArrival() != nil {}
            // At most 150k client calls: even a retry storm of 3 attempts stays under ~500k calls.
            #expect(traffic.openLoopCalls > 50_000 && traffic.openLoopCalls < 150_000, "\(scenario.name): \(traffic.openLoopCalls)")
        }
        let overload = ScenarioDefinition.overloadWithNaiveRetries
        let capacity = Double(overload.dependency.workers) / (Double(SimulationMath.nanoseconds(overload.dependency.serviceTime.mean)) / 1e9)
        let load = overload.traffic.rates[0].ratePerSecond / capacity
        #expect(load > 0.85 && load < 0.95, "\(load)")
        #expect(ScenarioDefinition.builtIn(named: "brownout") == ScenarioDefinition.brownout)
        #expect(ScenarioDefinition.builtIn(named: "nope") == nil)
    }

    /// The built-ins are made with the unchecked initialisers; `validate()` must still reach every part
    /// of them (the dependency's phases and the traffic's mixes), or a bad built-in would pass `builtIns`.
    @Test("validate() checks every part of a scenario made with the unchecked initialisers")
    func uncheckedScenariosAreValidated() {
        func validationError(
            phases: [DependencyBehaviour.Phase] = [], priorities: [(Priority, Double)] = [(.normal, 1)],
            operations: [(String, Double)] = [("read", 1)], workers: Int = 1, name: String = "x"
        ) -> String? {
            let scenario = ScenarioDefinition(
                unchecked: name, duration: .seconds(10),
                traffic: TrafficModel(
                    unchecked: [.init(from: .zero, ratePerSecond: 1)],
                    priorities: WeightedMix(unchecked: priorities), operations: WeightedMix(unchecked: operations)),
                dependency: DependencyModel(
                    unchecked: workers, maxQueue: 0, serviceTime: .constant(.milliseconds(1)),
                    behaviour: DependencyBehaviour(unchecked: phases)))
            do {
                try scenario.validate()
                return nil
            } catch {
                return error.description
            }
        }
        #expect(validationError() == nil)
        #expect(validationError(phases: [.init(from: .seconds(1), condition: .failing(fraction: 1.5))])
            == "dependency.phases[0].fraction: 1.5 is not allowed; allowed: [0, 1]")
        #expect(validationError(phases: [.init(from: .seconds(2), condition: .down), .init(from: .seconds(1), condition: .healthy)])
            == "dependency.phases[1].from: 1s is not allowed; allowed: > 2s (phases[0].from)")
        #expect(validationError(priorities: [(.low, -1), (.high, 1)])
            == "traffic.priorities[0].weight: -1 is not allowed; allowed: >= 0")
        #expect(validationError(operations: [("read", 0)])
            == "traffic.operations: weights summing to 0 is not allowed; allowed: at least one weight > 0")
        #expect(validationError(operations: [("read", 1), ("read", 2)])
            == "traffic.operations[1]: read is not allowed; allowed: each value once")
        #expect(validationError(workers: 0) == "dependency.workers: 0 is not allowed; allowed: 1...1000000")
        #expect(validationError(name: "two words") == #"name: "two words" is not allowed; allowed: a non-empty name without spaces"#)
    }
}
