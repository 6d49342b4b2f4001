/// The state of a circuit breaker.
public enum CircuitState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Calls flow; outcomes are recorded and may trip the breaker.
    case closed
    /// Calls are rejected with ``ResilienceError/Code/circuitOpen`` until the break has elapsed.
    case open
    /// A limited number of probe calls are admitted to decide whether to close or re-open.
    case halfOpen
    /// Opened by ``CircuitBreaker/forceOpen()``: every call is rejected, with no automatic recovery.
    case forcedOpen
    /// Closed by ``CircuitBreaker/forceClosed()``: every call is admitted and recorded, and it never trips.
    case forcedClosed

    /// The state's name (`closed`, `open`, `halfOpen`, `forcedOpen`, `forcedClosed`).
    public var description: String { rawValue }
}

/// Why a circuit breaker changed state.
public enum CircuitTransitionReason: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Closed → open: the failure ratio in the window reached `failureRatio`.
    case failureRatioReached
    /// Closed → open: the slow-call ratio in the window reached `slowCallRatio`.
    case slowCallRatioReached
    /// Open → half-open: the break elapsed.
    case breakElapsed
    /// Half-open → closed: enough probes succeeded.
    case probesSucceeded
    /// Half-open → open: too many probes failed for the success threshold to be reached.
    case probesFailed
    /// Half-open → open: `halfOpenMaxDuration` elapsed without a decision.
    case halfOpenTimedOut
    /// ``CircuitBreaker/forceOpen()`` was called.
    case forcedOpen
    /// ``CircuitBreaker/forceClosed()`` was called.
    case forcedClosed
    /// ``CircuitBreaker/reset()`` was called.
    case reset

    public var description: String { rawValue }
}

/// One change of a circuit breaker's state.
public struct CircuitTransition: Sendable, Hashable, CustomStringConvertible {
    /// The state before.
    public var from: CircuitState
    /// The state after.
    public var to: CircuitState
    /// Why it changed.
    public var reason: CircuitTransitionReason

    /// Creates a transition.
    public init(from: CircuitState, to: CircuitState, reason: CircuitTransitionReason) {
        self.from = from
        self.to = to
        self.reason = reason
    }

    public var description: String { "\(from) → \(to) (\(reason))" }
}
