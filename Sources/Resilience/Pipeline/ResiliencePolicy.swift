/// Something that runs an operation under a resilience rule: a circuit breaker, a retry, a timeout...
///
/// Policies compose: a ``ResiliencePipeline`` passes each policy an operation that runs the policies
/// inside it. A policy receives the call's ``ResilienceContext``, may change it for the policies inside
/// (a retry sets the attempt number), and must either return what the operation returned, rethrow what
/// it threw, or throw a ``ResilienceError`` of its own.
///
/// `execute` is `nonisolated(nonsending)`: the operation runs on the caller's executor, so a
/// `@MainActor` caller pays no executor hop.
public protocol ResiliencePolicy: Sendable {
    /// Runs `operation` under this policy.
    nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value
}

extension ResiliencePolicy {
    /// Runs `operation` under this policy with a fresh context named `operationName`.
    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        operationName: String = "",
        _ operation: nonisolated(nonsending) () async throws -> Value
    ) async throws -> Value {
        try await execute(context: ResilienceContext(operationName: operationName)) { _ in
            try await operation()
        }
    }
}
