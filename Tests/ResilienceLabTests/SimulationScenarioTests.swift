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
            == "s.json: dependency.phases[3].latencyMultiplier: 0.5 is not allowed; allowed: >= 1")
        #expect(errorInFull(#""from": "70s""#, #""from": "50s""#)
            == "s.json: dependency.phases[2].from: 50s is not allowed; allowed: > 1m (phases[1].from)")
        #expect(errorInFull(#""p99": "200ms""#, #""p99": "10ms""#)
            == "s.json: dependency.serviceTime.logNormal.p99: 10ms is not allowed; allowed: > median (20ms)")
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
