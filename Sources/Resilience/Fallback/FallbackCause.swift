/// Why a fallback is being asked for a value: the error that ended the call, and the call's context.
///
/// A rejection by a policy inside (a ``ResilienceError``, such as `circuitOpen` from a breaker or
/// `timedOut` from a timeout) is told apart from the operation's own error, so a fallback can choose
/// by the rejection's code:
///
/// ```swift
/// .computed { cause in
///     switch cause.kind {
///     case .rejection(let rejection) where rejection.code == .circuitOpen: .value(.temporarilyUnavailable)
///     case .rejection, .failure: .decline
///     }
/// }
/// ```
public struct FallbackCause: Sendable {
    /// What ended the call.
    public enum Kind: Sendable {
        /// A policy inside refused or gave up on the call; its ``ResilienceError/code`` says which.
        case rejection(ResilienceError)
        /// The operation itself threw this error.
        case failure(any Error)
    }

    /// What ended the call.
    public var kind: Kind
    /// The context the fallback's ``FallbackPolicy/execute(context:_:)`` was called with.
    public var context: ResilienceContext

    /// The cause of a call that threw `error`: a ``Kind/rejection(_:)`` when it is a
    /// ``ResilienceError``, a ``Kind/failure(_:)`` otherwise.
    public init(error: any Error, context: ResilienceContext) {
        if let rejection = error as? ResilienceError {
            kind = .rejection(rejection)
        } else {
            kind = .failure(error)
        }
        self.context = context
    }

    /// The error, exactly as it was thrown.
    public var error: any Error {
        switch kind {
        case .rejection(let rejection): rejection
        case .failure(let error): error
        }
    }

    /// The rejection's code, or `nil` when the operation itself failed.
    public var rejectionCode: ResilienceError.Code? {
        if case .rejection(let rejection) = kind { return rejection.code }
        return nil
    }

    /// The value of the `cause` metric label and log field: the rejection's code (`circuitOpen`,
    /// `timedOut`, ...) or `failure`. Low-cardinality by construction.
    public var label: String {
        rejectionCode?.description ?? FallbackCause.failureLabel
    }

    /// The ``label`` of an operation's own error.
    public static let failureLabel = "failure"
}
