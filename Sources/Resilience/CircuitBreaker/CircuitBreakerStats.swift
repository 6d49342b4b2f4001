/// A snapshot of a circuit breaker.
public struct CircuitBreakerStats: Sendable, Hashable {
    /// The state, after applying any time-driven transition that was due.
    public var state: CircuitState
    /// Calls in the window (ignored calls are never counted).
    public var windowCalls: Int
    /// Failed calls in the window.
    public var windowFailures: Int
    /// Slow calls in the window.
    public var windowSlowCalls: Int
    /// Calls that succeeded since creation, including outcomes that arrived after a state change.
    public var successfulCalls: Int
    /// Calls that failed since creation, including outcomes that arrived after a state change.
    public var failedCalls: Int
    /// Calls whose outcome was ignored since creation.
    public var ignoredCalls: Int
    /// Calls that were slow since creation.
    public var slowCalls: Int
    /// Calls rejected since creation.
    public var rejectedCalls: Int
    /// How long the breaker has been in its state.
    public var timeInState: Duration
    /// The break an open breaker serves now, or would serve after its next trip.
    public var currentBreakDuration: Duration
    /// Time left in the break when open; `nil` otherwise.
    public var retryAfter: Duration?
    /// Probes admitted in the current half-open period (0 outside half-open).
    public var probesAdmitted: Int
    /// Probes that succeeded in the current half-open period.
    public var probesSucceeded: Int
    /// Probes that failed in the current half-open period.
    public var probesFailed: Int

    /// failures / calls in the window, or 0 for an empty window.
    public var failureRatio: Double {
        windowCalls == 0 ? 0 : Double(windowFailures) / Double(windowCalls)
    }

    /// slow calls / calls in the window, or 0 for an empty window.
    public var slowCallRatio: Double {
        windowCalls == 0 ? 0 : Double(windowSlowCalls) / Double(windowCalls)
    }
}
