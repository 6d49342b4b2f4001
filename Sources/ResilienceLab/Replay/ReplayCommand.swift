/// `resilience-lab replay --policy POLICY.json --trace TRACE.jsonl`, as a library call.
public enum ReplayCommand {
    /// Validates the policy file, then the whole trace, then replays it. Nothing is produced for input
    /// that fails validation.
    /// - Throws: ``LabInputError`` naming the file (and line) of the first problem.
    public static func run(policyPath: String, tracePath: String) throws(LabInputError) -> (trace: Trace, result: ReplayResult) {
        let policy = try PolicyFile.load(path: policyPath)
        let trace = try Trace.load(path: tracePath)
        let result = try Replayer.replay(trace, policy: policy, policyFile: policyPath)
        return (trace, result)
    }
}
