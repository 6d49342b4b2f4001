/// A fallback: runs an operation that produces a `Value` and, when it fails, answers in its place.
///
/// Unlike a ``ResiliencePolicy``, which passes through values of any type, a fallback produces values
/// of one type, so it is generic over `Value` and runs outermost: around a ``ResiliencePipeline``
/// (`pipeline.execute(...)` inside `fallback.execute(...)`, or ``ResiliencePolicy/withFallback(_:)``).
///
/// Implemented by ``Fallback`` (a static or computed value), ``CachedFallback`` (the last good value
/// within a time to live) and ``StaleDataFallback`` (the last good value however old, marked stale).
/// `Output` is `Value`, or ``FallbackResult`` when the caller must be able to tell a stale value.
public protocol FallbackPolicy<Value, Output>: Sendable {
    /// The type the operation produces and the fallback can replace.
    associatedtype Value: Sendable
    /// What ``execute(context:_:)`` returns: `Value`, or a `Value` with its ``FallbackSource``.
    associatedtype Output: Sendable

    /// The name used in metrics labels and logs.
    var name: String { get }

    /// Runs `operation` with `context`; if it throws an error this fallback handles, answers with the
    /// fallback's configured strategy (and, for caching fallbacks, the cache) instead.
    /// - Throws: the operation's error, unchanged, when it is not handled or the fallback declines;
    ///   the strategy's error when the strategy throws.
    nonisolated(nonsending) func execute(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Output

    /// Runs `operation` like ``execute(context:_:)``, but answers a handled failure with `handler`
    /// instead of the configured strategy: for fallbacks that need the call's own input, such as
    /// "return the original text when translation fails". A caching fallback still tries its cache
    /// first. The handler is not escaping: it may capture the call's values at no cost.
    nonisolated(nonsending) func execute(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value,
        otherwise handler: nonisolated(nonsending) (FallbackCause) async throws -> FallbackDecision<Value>
    ) async throws -> Output
}

extension FallbackPolicy {
    /// Runs `operation` with a fresh context named `operationName`: see ``execute(context:_:)``.
    @inlinable
    public nonisolated(nonsending) func execute(
        operationName: String = "",
        _ operation: nonisolated(nonsending) () async throws -> Value
    ) async throws -> Output {
        try await execute(context: ResilienceContext(operationName: operationName)) { _ in try await operation() }
    }
}
