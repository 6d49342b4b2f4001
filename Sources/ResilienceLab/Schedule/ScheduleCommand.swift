import Resilience
import ResilienceConfiguration

/// `resilience-lab schedule --policy POLICY.json [--seed N]`, as a library call: the delays a retry
/// policy would wait before each retry of one call, so that a configuration can be seen before it is
/// deployed.
///
/// One JSON object per retry, retries 1 to `maxAttempts − 1`:
///
/// ```json
/// {"retry": 1, "delayMs": 153.25, "minMs": 0, "maxMs": 200}
/// ```
///
/// `delayMs` is the delay ``RetrySchedule`` computes with the jitter drawn from ``SplitMix64`` seeded
/// with `seed`; `minMs` and `maxMs` are the bounds of the jitter's range, capped by `maxDelay` like the
/// delay itself, so `minMs ≤ delayMs ≤ maxMs` always holds. Milliseconds are exact: an integer when
/// whole, else a decimal without trailing zeros.
public enum ScheduleCommand {
    /// The schedule of the retry policy in the file at `policyPath`, or nil when the file has no
    /// `retry` section.
    /// - Throws: ``LabInputError`` naming the file and the first problem.
    public static func run(policyPath: String, seed: UInt64 = 0) throws(LabInputError) -> [String]? {
        try run(policy: PolicyFile.load(path: policyPath), policyLabel: policyPath, seed: seed)
    }

    /// The schedule of `policy`'s retry section, or nil when it has none; errors name the policy as
    /// `policyLabel`.
    /// - Throws: ``LabInputError`` naming the policy and the first problem.
    public static func run(policy: PolicyConfiguration, policyLabel: String, seed: UInt64 = 0) throws(LabInputError) -> [String]? {
        guard let configuration = policy.retry else { return nil }
        do throws(ConfigurationError) {
            return try lines(for: configuration, seed: seed)
        } catch {
            throw LabInputError(file: policyLabel, message: error.prefixingKey(with: "retry").description)
        }
    }

    /// The output lines for `configuration`: one per retry of one call.
    /// - Throws: ``ConfigurationError`` naming the invalid key.
    public static func lines(for configuration: RetryConfiguration, seed: UInt64 = 0) throws(ConfigurationError) -> [String] {
        var schedule = try RetrySchedule(configuration: configuration)
        var random = SplitMix64(seed: seed)
        let cap = configuration.maxDelay
        var lines: [String] = []
        lines.reserveCapacity(configuration.maxAttempts - 1)
        for _ in 1..<configuration.maxAttempts {
            let delay = schedule.next(using: &random)
            lines.append(JSONWriter.text(.object([
                ("retry", .integer(delay.retry)), ("delayMs", .milliseconds(delay.delay)),
                ("minMs", .milliseconds(min(delay.lowerBound, cap))), ("maxMs", .milliseconds(min(delay.upperBound, cap))),
            ])))
        }
        return lines
    }
}
