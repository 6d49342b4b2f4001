import Resilience
import ResilienceConfiguration

/// Runs scenarios under the suite's policies — `none`, `naive-retry`, `default` and, when a tuner is
/// given, `tuned` (the policy it finds for each scenario) — in that order, spreading the runs over the
/// machine's cores. The results are the same whatever the number of cores: each run is deterministic
/// and results are kept by position.
public enum SuiteRunner {
    /// One scenario and its results, one per policy in the suite's order.
    public struct ScenarioRuns: Sendable {
        /// The scenario.
        public var scenario: ScenarioDefinition
        /// The results, one per policy.
        public var results: [SimulationResult]
        /// The tuned policy, when the suite tuned one.
        public var tunedPolicy: PolicyFile?
    }

    /// Runs every scenario of `scenarios` under the fixed policies, and under the policy `tune`
    /// returns for it (named `tuned`) when `tune` is given.
    /// - Parameters:
    ///   - tune: finds the tuned policy of a scenario (called once per scenario, possibly on several
    ///     threads at once).
    ///   - progress: called after each finished run, with the scenario and policy names (serialised:
    ///     never twice at once).
    public static func run(
        _ scenarios: [ScenarioDefinition],
        tune: (@Sendable (ScenarioDefinition) throws(LabInputError) -> PolicyFile)?,
        progress: @escaping @Sendable (_ scenario: String, _ policy: String) -> Void = { _, _ in }
    ) throws(LabInputError) -> [ScenarioRuns] {
        let fixed = SuitePolicy.fixed
        let policiesPerScenario = fixed.count + (tune == nil ? 0 : 1)
        // Each job is one scenario's tuning and tuned run, or one fixed policy's run: the tuning jobs
        // are the longest, so they are started first.
        let tuningJobs = tune == nil ? 0 : scenarios.count
        let fixedJobs = scenarios.count * fixed.count
        let report = Locked(())
        let finished = ParallelMap.map(count: tuningJobs + fixedJobs) { job -> Result<(SimulationResult, PolicyFile?), LabInputError> in
            let scenario = scenarios[job < tuningJobs ? job : (job - tuningJobs) / fixed.count]
            let policyName = job < tuningJobs ? "tuned" : fixed[(job - tuningJobs) % fixed.count].name
            let outcome: Result<(SimulationResult, PolicyFile?), LabInputError>
            do throws(LabInputError) {
                if job < tuningJobs, let tune {
                    let policy = try tune(scenario)
                    outcome = .success((try Simulator.run(scenario, policy: policy, policyName: policyName), policy))
                } else {
                    let policy = fixed[(job - tuningJobs) % fixed.count].policy
                    outcome = .success((try Simulator.run(scenario, policy: policy, policyName: policyName), nil))
                }
            } catch {
                outcome = .failure(error)
            }
            report.withLock { _ in progress(scenario.name, policyName) }
            return outcome
        }
        var runs: [ScenarioRuns] = []
        for (index, scenario) in scenarios.enumerated() {
            var results: [SimulationResult] = []
            results.reserveCapacity(policiesPerScenario)
            for policy in 0..<fixed.count {
                results.append(try finished[tuningJobs + index * fixed.count + policy].get().0)
            }
            var tuned: PolicyFile?
            if tuningJobs > 0 {
                let (result, policy) = try finished[index].get()
                results.append(result)
                tuned = policy
            }
            runs.append(ScenarioRuns(scenario: scenario, results: results, tunedPolicy: tuned))
        }
        return runs
    }
}
