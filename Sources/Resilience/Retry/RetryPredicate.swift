/// Whether to retry after an outcome, and when.
public enum RetryDecision: Sendable, Hashable {
    /// Do not retry: the caller gets this outcome.
    case doNotRetry
    /// Retry after the backoff's delay.
    case retry
    /// Retry after this delay (a server's hint), capped by `maxDelay`.
    case retryAfter(Duration)
}

/// Decides which thrown errors and returned results a ``Retry`` policy retries.
///
/// The default retries what the ``FailureClassifier`` counts as a failure, except:
/// - `CancellationError` is never retried (whatever the predicate says: a cancelled call stops);
/// - a ``ResilienceError`` (a rejection by an inner policy, such as `circuitOpen`) is not retried
///   unless its code is in `retryingRejections`; then its `retryAfter` is used as a hint. By default
///   that set holds only `timedOut`: an inner per-attempt timeout reports a slow dependency, not a
///   policy refusing to try, and retrying it is what a per-attempt timeout is for (as in Polly and
///   resilience4j). Pass `retryingRejections: []` to stop retrying timeouts;
/// - an error conforming to ``RetryAfterProviding`` with a hint is retried after that hint.
///
/// Returned values are not retried unless the classifier counts them as failures (an HTTP 503), or
/// ``retryingResults(_:)`` says so:
///
/// ```swift
/// let predicate = RetryPredicate.default.retryingResults { (response: HTTPResponse) in
///     switch response.status {
///     case 429, 503: response.retryAfter.map(RetryDecision.retryAfter) ?? .retry
///     default: .doNotRetry
///     }
/// }
/// ```
public struct RetryPredicate: Sendable {
    @usableFromInline let errorDecision: @Sendable (any Error) -> RetryDecision
    /// Decides for a result, or returns `nil` when it does not apply to the result's type.
    @usableFromInline let resultDecision: (@Sendable (Any) -> RetryDecision?)?

    /// Failures by ``FailureClassifier/default`` and inner timeouts; never other rejections, never
    /// cancellation.
    public static let `default` = RetryPredicate()

    /// The rejection codes the default predicate retries: ``ResilienceError/Code/timedOut`` only. An inner
    /// per-attempt timeout reports a slow dependency; every other code is a policy refusing to try.
    public static let defaultRetriedRejections: Set<ResilienceError.Code> = [.timedOut]

    /// Whether the default predicate retries an attempt that ended with the dependency's `outcome`:
    /// only a ``CallOutcome/failure`` (never a success, never an outcome the classifier ignores).
    /// `resilience-lab` retries simulated attempts with this same rule and ``defaultRetriedRejections``.
    public static func retriesByDefault(_ outcome: CallOutcome) -> Bool {
        outcome == .failure
    }

    /// Retries what `classifier` counts as a failure, and the rejections whose code is listed.
    public init(
        classifier: FailureClassifier = .default,
        retryingRejections: Set<ResilienceError.Code> = RetryPredicate.defaultRetriedRejections
    ) {
        errorDecision = { error in
            if let rejection = error as? ResilienceError {
                guard retryingRejections.contains(rejection.code) else { return .doNotRetry }
                return rejection.retryAfter.map(RetryDecision.retryAfter) ?? .retry
            }
            guard RetryPredicate.retriesByDefault(classifier.classify(error: error)) else { return .doNotRetry }
            return Self.hintedDecision(for: error)
        }
        if let classify = classifier.resultClassifier {
            resultDecision = { value -> RetryDecision? in
                guard let outcome = classify(value), RetryPredicate.retriesByDefault(outcome) else { return nil }
                return RetryPredicate.hintedDecision(for: value)
            }
        } else {
            resultDecision = nil
        }
    }

    /// A predicate from a function over thrown errors; results are not retried.
    public init(errors: @escaping @Sendable (any Error) -> RetryDecision) {
        errorDecision = errors
        resultDecision = nil
    }

    init(errorDecision: @escaping @Sendable (any Error) -> RetryDecision, resultDecision: (@Sendable (Any) -> RetryDecision?)?) {
        self.errorDecision = errorDecision
        self.resultDecision = resultDecision
    }

    /// Returns a predicate that also decides for returned values of type `Result`; values of other
    /// types keep the decision they had. The first matching type decides.
    public func retryingResults<Result>(_ decide: @escaping @Sendable (Result) -> RetryDecision) -> RetryPredicate {
        let previous = resultDecision
        return RetryPredicate(errorDecision: errorDecision) { value in
            if let typed = value as? Result { return decide(typed) }
            return previous?(value)
        }
    }

    /// The decision for a call that threw `error`. Cancellation is never retried.
    public func decision(for error: any Error) -> RetryDecision {
        if error is CancellationError { return .doNotRetry }
        return errorDecision(error)
    }

    /// The decision for a call that returned `result`; free when no result decision was configured.
    @inlinable
    public func decision<Result>(for result: Result) -> RetryDecision {
        guard let resultDecision else { return .doNotRetry }
        return resultDecision(result) ?? .doNotRetry
    }

    /// `.retryAfter(hint)` when `outcome` carries a server hint, `.retry` otherwise.
    static func hintedDecision(for outcome: Any) -> RetryDecision {
        if let hinted = outcome as? any RetryAfterProviding, let hint = hinted.retryAfter { return .retryAfter(hint) }
        return .retry
    }
}

/// An error or a result that carries a server's hint of when to try again (an HTTP `Retry-After`
/// header, a gRPC `RetryInfo`). A ``Retry`` policy waits that long (capped by its `maxDelay`) instead of
/// its backoff when the default ``RetryPredicate`` retries it.
///
/// ```swift
/// struct TooManyRequests: Error, RetryAfterProviding {
///     var retryAfter: Duration?
/// }
/// ```
public protocol RetryAfterProviding {
    /// How long the server asked to wait, if it said.
    var retryAfter: Duration? { get }
}
