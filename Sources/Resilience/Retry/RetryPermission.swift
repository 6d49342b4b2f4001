import Synchronization

/// A call's permission to be run again, carried in its ``ResilienceContext``'s metadata and revocable
/// while an attempt runs. A ``Retry`` policy does not retry a call whose permission is revoked, and a
/// ``Hedging`` policy starts no further attempt for it: its outcome goes to the caller as it is.
///
/// Two cases need it, both from HTTP:
/// - **A request that must not be repeated** (RFC 9110 §9.2.2: a `POST` without an idempotency key):
///   revoke the permission before the call.
/// - **An attempt that did something it cannot undo** while it ran, such as writing a response head to
///   its own client (a proxy streaming the upstream's answer): revoke it at that moment. Whatever the
///   attempt ends with afterwards — a reset in the middle of the body, a timeout — is not retried,
///   although the breaker still counts it.
///
/// ```swift
/// var context = ResilienceContext(operationName: "POST /orders")
/// context.metadata[RetryPermission.self] = RetryPermission(granted: false)
/// try await pipeline.execute(context: context) { _ in try await orders.create(order) }   // at most once
/// ```
///
/// Without a permission in the context, a call may be retried (what the policy's predicate says). The
/// permission is checked only after an attempt failed, so a call that succeeds at once pays nothing.
public final class RetryPermission: ResilienceContextKey, Sendable {
    public typealias Value = RetryPermission

    private let granted: Atomic<Bool>

    /// A permission, granted unless `granted` is `false`.
    public init(granted: Bool = true) {
        self.granted = Atomic(granted)
    }

    /// Whether the call may still be run again.
    public var isGranted: Bool { granted.load(ordering: .acquiring) }

    /// Revokes the permission, for good: from now on the call is not run again.
    public func revoke() {
        granted.store(false, ordering: .releasing)
    }
}

extension ResilienceContext {
    /// Whether the call may be run again: `false` once its ``RetryPermission`` is revoked; `true` when
    /// it has none.
    public var mayRunAgain: Bool {
        metadata[RetryPermission.self]?.isGranted ?? true
    }
}
