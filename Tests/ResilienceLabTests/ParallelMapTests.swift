import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

@Suite("ParallelMap: every job once, results by index (also run under TSan in CI)")
struct ParallelMapTests {
    @Test("results come back in job order, each job runs exactly once")
    func orderAndCount() {
        let runs = Locked([Int](repeating: 0, count: 200))
        let results = ParallelMap.map(count: 200) { index in
            runs.withLock { $0[index] += 1 }
            // Uneven work, so that jobs finish out of order.
            var sum = 0
            for value in 0..<((index % 7) * 2_000) { sum &+= value }
            return index * 10 + (sum == -1 ? 1 : 0)
        }
        #expect(results == (0..<200).map { $0 * 10 })
        #expect(runs.withLock { $0 } == [Int](repeating: 1, count: 200))
    }

    @Test("no jobs, no results")
    func empty() {
        #expect(ParallelMap.map(count: 0) { $0 }.isEmpty)
    }

    @Test("whole simulations in parallel give the results of running them one by one")
    func simulationsInParallel() throws {
        let scenario = try ScenarioDefinition.parse("""
            {"name": "short", "duration": "5s", "traffic": {"rates": [{"from": "0s", "ratePerSecond": 200}]},
             "dependency": {"workers": 10, "maxQueue": 20, "serviceTime": {"logNormal": {"median": "20ms", "p99": "200ms"}},
                            "phases": [{"from": "2s", "condition": "down"}, {"from": "3s", "condition": "healthy"}]}}
            """, file: "short.json")
        let policies = SuitePolicy.fixed
        let parallel = ParallelMap.map(count: policies.count) { index in
            try? Simulator.run(scenario, policy: policies[index].policy, policyName: policies[index].name)
        }
        let serial = policies.map { try? Simulator.run(scenario, policy: $0.policy, policyName: $0.name) }
        #expect(parallel == serial)
        #expect(parallel.allSatisfy { $0 != nil })
    }
}
