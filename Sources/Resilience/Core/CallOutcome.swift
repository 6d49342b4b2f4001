/// How one call ended, as far as a resilience policy is concerned.
///
/// A ``FailureClassifier`` turns a thrown error or a returned value into a `CallOutcome`.
public enum CallOutcome: String, Sendable, Hashable, CaseIterable {
    /// The dependency did its job.
    case success
    /// The dependency failed: counts against it (for example towards tripping a circuit breaker).
    case failure
    /// Neither: not the dependency's fault (cancellation, bad input, not found). Ignored outcomes are not
    /// counted anywhere, and a half-open circuit breaker's probe that ends ignored gives its slot back.
    case ignored
}
