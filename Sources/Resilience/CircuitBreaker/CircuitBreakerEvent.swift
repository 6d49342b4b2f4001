/// Something a circuit breaker did, delivered to its observers.
public enum CircuitBreakerEvent: Sendable, Hashable {
    /// The state changed.
    case stateChanged(CircuitTransition)
    /// A call was rejected with this code (``ResilienceError/Code/circuitOpen`` or
    /// ``ResilienceError/Code/halfOpenFull``).
    case callRejected(ResilienceError.Code)
    /// A call's outcome was recorded (also when it arrived after a state change and changed nothing).
    case outcomeRecorded(CallOutcome)
}

/// Identifies an observer added with ``CircuitBreaker/addObserver(_:)``, to remove it again.
public struct CircuitBreakerObserverID: Sendable, Hashable {
    @usableFromInline let value: UInt64
    @usableFromInline init(value: UInt64) { self.value = value }
}
