import Resilience
import ResilienceConfiguration

/// A short human-readable account of a replay: the breaker's state timeline and what happened to calls.
public enum ReplaySummary {
    /// Renders `result` of replaying `tracePath` through `policyPath`.
    public static func render(_ result: ReplayResult, trace: Trace, tracePath: String, policyPath: String) -> String {
        var text = "Replaying a recorded trace through a circuit breaker, in virtual time.\n"
        let span = trace.entries.last.map { clockTime($0.at) } ?? "0:00.000"
        text += "  trace:  \(tracePath) (\(trace.entries.count) lines, \(span) of traffic)\n"
        text += "  policy: \(policyPath)\n\n"
        text += "What the breaker did:\n"
        text += "  \(clockTime(.zero))  closed\n"
        let width = result.transitions.map { "\($0.transition.from) → \($0.transition.to)".count }.max() ?? 0
        for timed in result.transitions {
            let change = "\(timed.transition.from) → \(timed.transition.to)"
            let padding = String(repeating: " ", count: width - change.count)
            text += "  \(clockTime(timed.at))  \(change)\(padding)  (\(words(timed.transition.reason)))\n"
        }
        let rejected = result.rejected.values.reduce(0, +)
        var outcomes = [CallOutcome.success, .failure, .ignored].map { outcome in
            "\(result.outcomes[outcome, default: 0]) \(outcome == .success ? "succeeded" : outcome == .failure ? "failed" : "ignored")"
        }
        outcomes += result.endedByPolicy.sorted { $0.key < $1.key }.map { "\($0.value) ended \($0.key)" }
        text += "\nCalls: \(result.calls) in the trace; \(result.permitted) let through (\(outcomes.joined(separator: ", "))), "
        text += "\(rejected) rejected at once"
        if rejected > 0 {
            let reasons = result.rejected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            text += " (\(reasons.joined(separator: ", ")))"
        }
        text += ".\n"
        if result.retries > 0 || result.retriesDeniedByBudget > 0 {
            text += "Attempts: \(result.executions) executed; \(result.retries) retries made, "
            text += "\(result.retriesDeniedByBudget) denied by the retry budget.\n"
        }
        if rejected > 0 {
            text += "Each rejected call failed fast instead of waiting on a failing dependency and adding to its load.\n"
        }
        return text
    }

    /// `m:ss.mmm` from the start of the trace.
    static func clockTime(_ duration: Duration) -> String {
        let totalMilliseconds = Int(duration.attoseconds / 1_000_000_000_000_000)
        let minutes = totalMilliseconds / 60_000
        let seconds = (totalMilliseconds / 1_000) % 60
        let milliseconds = totalMilliseconds % 1_000
        return "\(minutes):\(pad(seconds, 2)).\(pad(milliseconds, 3))"
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func words(_ reason: CircuitTransitionReason) -> String {
        switch reason {
        case .failureRatioReached: "failure ratio reached"
        case .slowCallRatioReached: "slow-call ratio reached"
        case .breakElapsed: "break elapsed, probing"
        case .probesSucceeded: "probes succeeded"
        case .probesFailed: "probes failed"
        case .halfOpenTimedOut: "half-open timed out"
        case .forcedOpen: "forced open by an operator"
        case .forcedClosed: "forced closed by an operator"
        case .reset: "reset by an operator"
        }
    }
}

