/// What a simulated dependency answers to one call.
public enum DependencyAnswer: Sendable, Hashable {
    /// Served and succeeded.
    case success
    /// Served and failed after its service time (a 500): see
    /// ``DependencyBehaviour/Condition/failing(fraction:)``.
    case failure
    /// Answered 503 at once: every worker was busy and the queue was full.
    case overloaded
    /// Answered 429 at once with this `Retry-After` hint: see
    /// ``DependencyBehaviour/Condition/rateLimiting(capacityPerSecond:retryAfter:)``.
    case rateLimited(retryAfter: Duration)
    /// The connection was refused at once: the dependency is down.
    case refused

    /// Whether the call was served by a worker (``success`` or ``failure``); every other answer is
    /// given at once without one.
    public var wasServed: Bool {
        switch self {
        case .success, .failure: true
        case .overloaded, .rateLimited, .refused: false
        }
    }
}
