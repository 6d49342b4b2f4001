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

extension CircuitBreakerStats: CustomStringConvertible {
    /// One line for a log: the state and what decides it, then the lifetime counts. For example
    /// `open for 3.2s (retry after 26.8s, break 30s); window 20 calls, 12 failed (60.0 %), 0 slow;
    /// since creation 180 succeeded, 31 failed, 0 ignored, 0 slow, 44 rejected`.
    public var description: String {
        var head = "\(state) for \(DurationText.rounded(timeInState))"
        switch state {
        case .open:
            let left = retryAfter.map { "retry after \(DurationText.rounded($0)), " } ?? ""
            head += " (\(left)break \(DurationText.rounded(currentBreakDuration)))"
        case .halfOpen:
            head += " (probes: \(probesAdmitted) admitted, \(probesSucceeded) succeeded, \(probesFailed) failed)"
        case .closed, .forcedOpen, .forcedClosed:
            break
        }
        let percent = (failureRatio * 1000).rounded() / 10
        return "\(head); window \(windowCalls) calls, \(windowFailures) failed (\(percent) %), \(windowSlowCalls) slow; "
            + "since creation \(successfulCalls) succeeded, \(failedCalls) failed, \(ignoredCalls) ignored, "
            + "\(slowCalls) slow, \(rejectedCalls) rejected"
    }
}
