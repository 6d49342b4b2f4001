import Resilience

/// Replays a ``Trace`` through the policies of a ``PolicyFile`` in virtual time, with the same pure
/// logic the policies use in production: ``CircuitBreakerStateMachine``, ``RetrySchedule`` and
/// ``RetryBudgetStateMachine``.
///
/// **Order.** The policies run outermost first as retry ▸ circuit breaker ▸ timeout ▸ dependency; each
/// section of the policy file is optional.
///
/// **Attempts.** Attempt k of a call starts at instant s_k (s_1 is the line's `at`). The breaker, if
/// any, is asked at s_k. A rejection ends the call at s_k with the rejection code (`circuitOpen`,
/// `halfOpenFull`) as its final outcome; rejections are never retried. A permitted attempt takes the
/// duration d_k its line gives. With a timeout t, an attempt with d_k ≥ t ends at s_k + t as
/// `timedOut`, which the breaker records as a failure that lasted t. The breaker records each outcome
/// at the attempt's end.
///
/// **Retries.** At an attempt's end, `success` and `ignored` end the call. `failure` and `timedOut`
/// are retried if k < `maxAttempts` and the retry budget grants a retry at that instant; otherwise the
/// call ends with that outcome. The budget counts each call's first attempt at the call's start
/// (rejected or not). Attempt k + 1 starts at the end of attempt k plus the delay from the call's own
/// ``RetrySchedule`` (traces carry no `Retry-After` hints). A retry the budget denies draws no delay.
///
/// **Randomness.** Jitter draws from one ``SplitMix64`` seeded with `seed` (0 by default), shared by
/// every call in the order the retries are decided; `none` jitter draws nothing. The same trace,
/// policy and seed always give the same output.
///
/// **Same instant.** Everything waits in one queue ordered by (instant, kind, sequence). At one
/// instant, the outcomes that are due are recorded first (in due order, then admission order), then
/// the retries that are due start (in the order they were scheduled), then the line itself.
///
/// **Output.** One JSON object per line, in input order. A call line gets
/// `{"line": N, "decision": D, "reason": R, "state": S}`: D and R are the first attempt's admission
/// (`permitted` / `rejected` with the code), S the breaker's state right after the call's final outcome
/// was recorded or its rejection (no `state` without a breaker). A line with `attempts` adds
/// `"attempts": K` (attempts executed), `"outcome"` (the final outcome: `success`, `failure`,
/// `ignored`, `timedOut`, `circuitOpen` or `halfOpenFull`) and `"finishedAt"` (when the call ended,
/// in milliseconds, exact: `153.25`). A single-outcome line keeps the four fields only, whatever the
/// policy. Controls and observations get `{"line": N, "state": S}`.
public enum Replayer {
    typealias Instant = ManualClock.Instant
    typealias Machine = CircuitBreakerStateMachine<Instant>

    /// Replays `trace` through `policy`, with the jitter drawn from ``SplitMix64`` seeded with `seed`.
    /// - Parameters:
    ///   - policyFile: the policy's file, named in errors about the policy.
    ///   - traceFile: the trace's file, named in errors about a line.
    /// - Throws: ``LabInputError`` naming `policyFile` if a configuration is rejected, or naming
    ///   `traceFile` and the line when a call executes more attempts than its line lists.
    public static func replay(
        _ trace: Trace, policy: PolicyFile, policyFile: String, traceFile: String, seed: UInt64 = 0
    ) throws(LabInputError) -> ReplayResult {
        var run = try Run(policy: policy, policyFile: policyFile, traceFile: traceFile, seed: seed)
        for entry in trace.entries {
            try run.handle(entry)
        }
        try run.processEvents(upTo: nil)
        return run.result
    }
}
