/// Decides whether a call's thrown error or returned value counts as a success, a failure or neither.
///
/// The default classification of errors is:
/// - `CancellationError` → ``CallOutcome/ignored`` (a cancelled call says nothing about the dependency);
/// - errors conforming to ``NotADependencyFailure`` → ``CallOutcome/ignored``;
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

    /// The default classification of a thrown error: `CancellationError` and ``NotADependencyFailure``
    /// are ``CallOutcome/ignored``, everything else is a ``CallOutcome/failure``.
    public static func defaultErrorOutcome(_ error: any Error) -> CallOutcome {
        if error is CancellationError || error is any NotADependencyFailure {
            return .ignored
        }
        return .failure
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
