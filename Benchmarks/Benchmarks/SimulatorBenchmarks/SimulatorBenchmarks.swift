// How fast resilience-lab simulates (issue 5's bar: at least 2 million simulated calls per second per
// core), one scenario run per sample, on one core:
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target SimulatorBenchmarks
//
// Each benchmark runs a 600 s scenario at 1,000 calls/s (≈ 600k calls) with an outage and an error
// burst, under one of the suite's policies, and records "simulated calls/s": the calls the clients
// made divided by the wall-clock time of the run (higher is better).

@preconcurrency import Benchmark
import Resilience
import ResilienceLab

/// 600 s at 1,000 calls/s against the built-in dependency: healthy, down 100–140 s, 50 % failures
/// 300–330 s.
let longScenario = try! ScenarioDefinition.parse("""
    {"name": "long", "duration": "600s", "seed": 1,
     "traffic": {"rates": [{"from": "0s", "ratePerSecond": 1000}],
                 "priorities": {"low": 0.2, "normal": 0.6, "high": 0.15, "critical": 0.05},
                 "operations": {"read": 0.8, "write": 0.2}},
     "dependency": {"workers": 50, "maxQueue": 100, "serviceTime": {"logNormal": {"median": "20ms", "p99": "200ms"}},
                    "phases": [{"from": "100s", "condition": "down"}, {"from": "140s", "condition": "healthy"},
                               {"from": "300s", "condition": "failing", "fraction": 0.5}, {"from": "330s", "condition": "healthy"}]}}
    """, file: "long.json")

let callsPerSecond = BenchmarkMetric.custom("simulated calls/s", polarity: .prefersLarger, useScalingFactor: false)

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, callsPerSecond], maxDuration: .seconds(20), maxIterations: 10)
    for (name, policy) in SuitePolicy.fixed {
        Benchmark("Simulator: 600 s, \(name) policy", configuration: configuration) { benchmark in
            let start = ContinuousClock.now
            let result = try Simulator.run(longScenario, policy: policy, policyName: name)
            let elapsed = start.duration(to: ContinuousClock.now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            benchmark.measurement(callsPerSecond, Int(Double(result.calls) / seconds))
            blackHole(result)
        }
    }
}
