import Resilience
import ResilienceConfiguration

/// Replays a ``Trace`` through the policies of a ``PolicyFile`` in virtual time, with the same pure
/// logic the policies use in production: ``CircuitBreakerStateMachine``, ``RetrySchedule``,
/// ``RetryBudgetStateMachine``, ``LoadShedderStateMachine``, ``KeyedTokenBucketStateMachine``,
/// ``ConcurrencyLimiterStateMachine`` and ``BulkheadStateMachine``.
///
/// **Order.** The policies run outermost first as load shedder ▸ retry ▸ circuit breaker ▸ rate
/// limiter ▸ concurrency limit ▸ timeout ▸ bulkhead ▸ dependency; each section of the policy file is
/// optional. Why this order: shed work costs nothing (the shedder decides once per call, before any
/// retry); a rejection by any inner policy ends the retry loop instead of hammering (rejections are
/// not retried); an open breaker takes no rate-limit permit; every attempt counts against the rate
/// limit (a provider's quota counts retries too); the concurrency limit sees each attempt's latency,
/// timeouts included, as drops; the timeout bounds the bulkhead's queue and the dependency. The first
/// policy in this order that refuses an attempt is the one named in the output.
///
/// **Calls.** Calls overlap: a call still running when the next line arrives holds its places in the
/// policies, which is what makes the concurrency limits real. A call line's `priority` (default
/// `normal`) is what the load shedder sees; its `key` chooses the rate limiter's bucket (lines without
/// a key share one bucket).
///
/// **Load shedder.** At the call's start, with the queue depth signal = calls queued in the bulkhead
/// and in the concurrency limit at that instant (pressure signals are not replayed). A shed call ends
/// at once, rejected with `loadShed`; an admitted one holds its place until the call ends.
///
/// **Attempts.** Attempt k of a call starts at instant s_k (s_1 is the line's `at`). The breaker, if
/// any, is asked at s_k; its rejection ends the attempt with the code (`circuitOpen`,
/// `halfOpenFull`). The rate limiter then takes a permit from the key's bucket: at once, or after the
/// wait of a reservation within its `maxWait` (the attempt goes on at that instant), or it rejects
/// (`rateLimited`). The concurrency limit admits the attempt, queues it (LIFO; a full queue evicts its
/// oldest waiter, which is rejected; a waiter not admitted within `maxWait` is rejected), or rejects
/// it: both with `loadShed`. The attempt's timeout t starts when it passes the concurrency limit, at
/// c_k. The bulkhead admits it, queues it (FIFO; rejected with `bulkheadFull` after `maxWait`), or
/// rejects it with `bulkheadFull`; if the timeout fires while it waits in the bulkhead's queue, it
/// leaves the queue and ends `timedOut`. Admitted by the bulkhead at a_k, the dependency answers as
/// the line says after d_k: the attempt ends at a_k + d_k, unless a_k + d_k ≥ c_k + t, in which case
/// it ends `timedOut` at c_k + t.
///
/// **Ends.** When an attempt ends (at any stage), it gives back its bulkhead slot (the oldest waiter
/// is admitted at that instant) and its concurrency token (the limit learns: a success is a sample, a
/// failure or `timedOut` a drop, a rejection nothing; waiters are admitted up to the new limit,
/// newest first), and the breaker records it: the dependency's outcome, `timedOut` as a failure, an
/// inner rejection as ignored (as the default ``FailureClassifier``), with the duration since the
/// breaker admitted it.
///
/// **Retries.** At an attempt's end, `failure` and `timedOut` are retried if k < `maxAttempts` and the
/// retry budget grants a retry at that instant; every other end finishes the call. The budget counts
/// each call's first attempt at the call's start (rejected or not). Attempt k + 1 starts at the end of
/// attempt k plus the delay from the call's own ``RetrySchedule`` (traces carry no `Retry-After`
/// hints). A retry the budget denies draws no delay.
///
/// **Randomness.** Jitter draws from one ``SplitMix64`` seeded with `seed` (0 by default), shared by
/// every call in the order the retries are decided; `none` jitter draws nothing. The same trace,
/// policy and seed always give the same output.
///
/// **Same instant.** Everything waits in one queue ordered by (instant, kind, sequence). At one
/// instant, the outcomes that are due are recorded first (in due order, then admission order; the
/// slots they free go to waiters at that instant), then the waits that end (`maxWait`, a timeout in
/// the bulkhead's queue; in the order they were scheduled), then the retries and rate-limit
/// reservations that are due (in the order they were scheduled), then the line itself.
///
/// **Output.** One JSON object per line, in input order. A call line gets
/// `{"line": N, "decision": D, "reason": R, "state": S}`: D is `rejected` when a policy refused the
/// call's first attempt — R is then the code: `loadShed`, `circuitOpen`, `halfOpenFull`,
/// `rateLimited`, `bulkheadFull` — and `permitted` otherwise (R is `null`; a first attempt that timed
/// out waiting in the bulkhead's queue is permitted and may be retried); S is the breaker's state
/// right after the call ended (no `state` without a breaker). A line with `attempts` adds
/// `"attempts": K` (attempts that reached the dependency), `"outcome"` (the final outcome: `success`,
/// `failure`, `ignored`, `timedOut`, or the code of the rejection that ended it) and `"finishedAt"`
/// (when the call ended, in milliseconds, exact: `153.25`). A single-outcome line keeps the four fields
/// only, whatever the policy. Controls and observations get `{"line": N, "state": S}`.
public enum Replayer {
    /// Replays `trace` through `policy`, with the jitter drawn from ``SplitMix64`` seeded with `seed`.
    /// - Parameters:
    ///   - policyFile: the policy's file, named in errors about the policy.
    ///   - traceFile: the trace's file, named in errors about a line.
    /// - Throws: ``LabInputError`` naming `policyFile` if a configuration is rejected, or naming
    ///   `traceFile` and the line when a call executes more attempts than its line lists.
    public static func replay(
        _ trace: Trace, policy: PolicyFile, policyFile: String, traceFile: String, seed: UInt64 = 0
    ) throws(LabInputError) -> ReplayResult {
        var run = try PolicyRun(
            policy: policy, policyFile: policyFile, seed: seed, host: TraceReplayHost(traceFile: traceFile))
        for entry in trace.entries {
            try TraceReplayHost.handle(entry, in: &run)
        }
        try run.processEvents(upTo: nil)
        var result = run.host.result
        result.executions = run.executions
        result.retries = run.retries
        result.retriesDeniedByBudget = run.retriesDeniedByBudget
        return result
    }
}
