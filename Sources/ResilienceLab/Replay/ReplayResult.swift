import Resilience

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
    /// Calls the policies let through.
    public var permitted = 0
    /// Calls rejected, by rejection code name.
    public var rejected: [String: Int] = [:]
    /// Outcomes of the calls that were let through, by outcome.
    public var outcomes: [CallOutcome: Int] = [:]
}
