/// Decides which failed calls a fallback handles at all, before its handler runs.
///
/// The default handles:
/// - every rejection by a policy inside (a ``ResilienceError`` of any code: `circuitOpen`,
///   `timedOut`, ...), since those are exactly the calls the dependency did not answer;
/// - every error the ``FailureClassifier`` counts as a ``CallOutcome/failure``.
///
/// It does not handle errors the classifier calls ``CallOutcome/ignored``: a ``NotADependencyFailure``
/// (bad input, not found) is the caller's answer, and a fallback value would hide it.
///
/// `CancellationError` is never handled, whatever the predicate says: a cancelled caller gets
/// `CancellationError`. (The fallback shells also skip the fallback when the calling task is
/// cancelled, whatever the error.)
///
/// ```swift
/// // Fall back only when the breaker is open or the call timed out; let other errors through.
/// let predicate = FallbackPredicate(classifier: FailureClassifier { _ in .ignored },
///                                   handlingRejections: [.circuitOpen, .timedOut])
/// ```
public struct FallbackPredicate: Sendable {
    @usableFromInline let decide: @Sendable (FallbackCause) -> Bool

    /// Classifies returned values for the caching fallbacks: a value it counts as a
    /// ``CallOutcome/failure`` (an HTTP 503 response) is returned to the caller but never cached as the
    /// last good value. ``FailureClassifier/default`` for a predicate made from a function.
    public let classifier: FailureClassifier

    /// Every rejection, and the failures of ``FailureClassifier/default``.
    public static let `default` = FallbackPredicate()

    /// Handles the failures of `classifier` and the rejections whose code is in `handlingRejections`.
    /// - Parameters:
    ///   - classifier: decides which of the operation's own errors are failures; ignored errors are
    ///     not handled.
    ///   - handlingRejections: the rejection codes handled; by default every code this version of the
    ///     library defines.
    public init(
        classifier: FailureClassifier = .default,
        handlingRejections: Set<ResilienceError.Code> = Set(ResilienceError.Code.allCodes)
    ) {
        self.classifier = classifier
        decide = { cause in
            switch cause.kind {
            case .rejection(let rejection): handlingRejections.contains(rejection.code)
            case .failure(let error): classifier.classify(error: error) == .failure
            }
        }
    }

    /// A predicate from a function over the cause. `CancellationError` is still never handled.
    /// - Parameters:
    ///   - classifier: classifies returned values for the caching fallbacks (see ``classifier``).
    ///   - handles: whether a cause is handled.
    public init(classifier: FailureClassifier = .default, _ handles: @escaping @Sendable (FallbackCause) -> Bool) {
        self.classifier = classifier
        decide = handles
    }

    /// Whether a fallback handles `cause`; always `false` for `CancellationError`.
    public func handles(_ cause: FallbackCause) -> Bool {
        if cause.error is CancellationError { return false }
        return decide(cause)
    }
}
