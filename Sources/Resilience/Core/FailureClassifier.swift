/// Decides whether a call's thrown error or returned value counts as a success, a failure or neither.
///
/// The default classification of errors is:
/// - `CancellationError` → ``CallOutcome/ignored`` (a cancelled call says nothing about the dependency);
/// - errors conforming to ``NotADependencyFailure`` → ``CallOutcome/ignored``;
/// - a ``ResilienceError`` from an inner policy that refused to call the dependency (a bulkhead, rate
///   limiter, load shedder, concurrency limit or another breaker: every code but
///   ``ResilienceError/Code/timedOut``) → ``CallOutcome/ignored``: the dependency was never asked, so
///   the rejection says nothing about its health, and local overload must not trip the breaker of a
///   healthy dependency;
/// - a ``ResilienceError/Code/timedOut`` rejection → ``CallOutcome/failure`` (the dependency was slow);
/// - every other error → ``CallOutcome/failure``.
///
/// Returned values are successes unless a result classifier says otherwise, for example an HTTP response
/// whose status is 503:
///
/// ```swift
/// let classifier = FailureClassifier.default.classifyingResults { (response: HTTPResponse) in
///     response.status.code >= 500 ? .failure : .success
/// }
/// ```
///
/// The caller always receives the real value or the real error; classification only affects what the
/// policy records.
public struct FailureClassifier: Sendable {
    @usableFromInline
    let errorClassifier: @Sendable (any Error) -> CallOutcome

    /// Classifies a result, or returns `nil` when it does not apply to the result's type.
    @usableFromInline
    let resultClassifier: (@Sendable (Any) -> CallOutcome?)?

    /// Cancellation and ``NotADependencyFailure`` errors are ignored, every other error is a failure,
    /// every returned value is a success.
    public static let `default` = FailureClassifier()

    /// Creates a classifier from a function over thrown errors. Results are successes.
    /// - Parameter errors: classifies a thrown error; defaults to ``defaultErrorOutcome(_:)``.
    public init(errors: @escaping @Sendable (any Error) -> CallOutcome = FailureClassifier.defaultErrorOutcome) {
        self.errorClassifier = errors
        self.resultClassifier = nil
    }

    @usableFromInline
    init(
        errorClassifier: @escaping @Sendable (any Error) -> CallOutcome,
        resultClassifier: (@Sendable (Any) -> CallOutcome?)?
    ) {
        self.errorClassifier = errorClassifier
        self.resultClassifier = resultClassifier
    }

    /// The default classification of a thrown error: `CancellationError`, ``NotADependencyFailure`` and
    /// rejections by inner policies other than ``ResilienceError/Code/timedOut`` are
    /// ``CallOutcome/ignored``, everything else is a ``CallOutcome/failure``.
    public static func defaultErrorOutcome(_ error: any Error) -> CallOutcome {
        if error is CancellationError || error is any NotADependencyFailure {
            return .ignored
        }
        if let rejection = error as? ResilienceError {
            return defaultOutcome(ofRejection: rejection.code)
        }
        return .failure
    }

    /// What the default classification makes of a rejection with `code` thrown by an inner policy:
    /// ``ResilienceError/Code/timedOut`` is a ``CallOutcome/failure`` (the dependency was too slow);
    /// every other code is ``CallOutcome/ignored`` (the dependency was never asked, so the rejection
    /// says nothing about its health, and local overload must not trip the breaker of a healthy
    /// dependency). `resilience-lab` records simulated rejections with this same rule.
    public static func defaultOutcome(ofRejection code: ResilienceError.Code) -> CallOutcome {
        code == .timedOut ? .failure : .ignored
    }

    /// Returns a classifier that also classifies returned values of type `Result`.
    ///
    /// Values of other types keep the classification they had (a success by default). Several result
    /// types can be chained; the first classifier whose type matches decides.
    /// - Parameter classify: decides the outcome of a returned `Result`.
    public func classifyingResults<Result>(
        _ classify: @escaping @Sendable (Result) -> CallOutcome
    ) -> FailureClassifier {
        let previous = resultClassifier
        return FailureClassifier(errorClassifier: errorClassifier) { value in
            if let typed = value as? Result { return classify(typed) }
            return previous?(value)
        }
    }

    /// The outcome of a call that threw `error`.
    @inlinable
    public func classify(error: any Error) -> CallOutcome {
        errorClassifier(error)
    }

    /// The outcome of a call that returned `result`. Without a result classifier this is always
    /// ``CallOutcome/success`` and costs nothing.
    @inlinable
    public func classify<Result>(result: Result) -> CallOutcome {
        guard let resultClassifier else { return .success }
        return resultClassifier(result) ?? .success
    }
}

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
