/// Marks an error that is not the dependency's fault, so resilience policies never count it as a failure.
///
/// Conform errors that mean "the caller asked for something wrong" — bad input, not found, invalid state,
/// configuration problems — so that a flood of them cannot trip a circuit breaker or trigger retries.
/// The default ``FailureClassifier`` classifies them as ``CallOutcome/ignored``; the error itself is
/// always rethrown to the caller unchanged.
///
/// ```swift
/// struct UserNotFound: Error, NotADependencyFailure { let id: String }
/// ```
public protocol NotADependencyFailure: Error {}
