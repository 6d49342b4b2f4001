import Resilience
import ResilienceConfiguration

/// `resilience-lab replay --policy POLICY.json --trace TRACE.jsonl [--seed N]`, as a library call.
public enum ReplayCommand {
    /// Validates the policy file, then the whole trace, then replays it (see ``Replayer``), with the
    /// retry jitter drawn from ``SplitMix64`` seeded with `seed`. Nothing is produced for input that
    /// fails validation, nor for a trace the replay finds wanting.
    /// - Throws: ``LabInputError`` naming the file (and line) of the first problem.
    public static func run(
        policyPath: String, tracePath: String, seed: UInt64 = 0
    ) throws(LabInputError) -> (trace: Trace, result: ReplayResult) {
        try run(policy: PolicyFile.load(path: policyPath), policyLabel: policyPath, tracePath: tracePath, seed: seed)
    }

    /// Validates the trace, then replays it through `policy`, which errors name as `policyLabel` (its
    /// file, or where in a configuration it was read).
    /// - Throws: ``LabInputError`` naming the file (and line) of the first problem.
    public static func run(
        policy: PolicyConfiguration, policyLabel: String, tracePath: String, seed: UInt64 = 0
    ) throws(LabInputError) -> (trace: Trace, result: ReplayResult) {
        let trace = try Trace.load(path: tracePath)
        let result = try Replayer.replay(trace, policy: policy, policyFile: policyLabel, traceFile: tracePath, seed: seed)
        return (trace, result)
    }
}
