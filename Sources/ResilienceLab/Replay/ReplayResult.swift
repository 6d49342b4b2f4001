import Resilience
import ResilienceConfiguration

/// What a replay decided, line by line, plus a summary.
public struct ReplayResult: Sendable, Hashable {
    /// A state change and when it happened, from the start of the trace.
    public struct TimedTransition: Sendable, Hashable {
        /// When.
        public var at: Duration
        /// What changed.
        public var transition: CircuitTransition
    }

    /// One JSON object per input line, in input order: the `replay` command's output.
    public var lines: [String]
    /// Every state change, in order.
    public var transitions: [TimedTransition]
    /// Calls in the trace.
    public var calls = 0
    /// Calls whose first attempt the policies let through.
    public var permitted = 0
    /// Calls whose first attempt was rejected, by rejection code name.
    public var rejected: [String: Int] = [:]
    /// Calls let through whose final outcome came from the dependency, by outcome: the outcome of the
    /// call's last attempt.
    public var outcomes: [CallOutcome: Int] = [:]
    /// Calls let through whose final outcome came from a policy, by code name: `timedOut` (the last
    /// attempt timed out), `circuitOpen` or `halfOpenFull` (the circuit breaker rejected a retry).
    public var endedByPolicy: [String: Int] = [:]
    /// Attempts executed, over all calls (a rejected attempt is not executed).
    public var executions = 0
    /// Retries the retry policy decided on (each then started, possibly to be rejected by the breaker).
    public var retries = 0
    /// Retries the retry budget denied (each ended its call).
    public var retriesDeniedByBudget = 0
}
