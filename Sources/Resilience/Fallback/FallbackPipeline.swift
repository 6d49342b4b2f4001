/// A fallback around a resilience policy or pipeline: one value that runs the whole chain.
///
/// ```swift
/// let products = ResiliencePipeline {
///     retry
///     breaker
/// }.withFallback(Fallback<[Product]>(name: "products", .empty))
///
/// let list = try await products.execute(operationName: "products.list") { try await api.products() }
/// ```
///
/// This is the recommended order's outermost step (fallback ▸ retry ▸ circuit breaker ▸ timeout ▸
/// bulkhead ▸ operation): the fallback sees the final outcome, after the retries, and the rejections of
/// the policies inside with their codes.
public struct FallbackPipeline<Outer: FallbackPolicy, Inner: ResiliencePolicy>: FallbackPolicy {
    /// The fallback, outermost.
    public let fallback: Outer
    /// The policy (or pipeline) the fallback runs.
    public let policy: Inner

    /// Puts `fallback` around `policy`.
    @inlinable
    public init(fallback: Outer, policy: Inner) {
        self.fallback = fallback
        self.policy = policy
    }

    /// The fallback's name.
    public var name: String { fallback.name }

    /// Runs `operation` through the policy, and the fallback around it (see
    /// ``FallbackPolicy/execute(context:_:)``).
    @inlinable
    public nonisolated(nonsending) func execute(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Outer.Value
    ) async throws -> Outer.Output {
        try await fallback.execute(context: context) { context in
            try await policy.execute(context: context, operation)
        }
    }

    /// Runs `operation` through the policy, and the fallback around it with a per-call `handler` (see
    /// ``FallbackPolicy/execute(context:_:otherwise:)``).
    @inlinable
    public nonisolated(nonsending) func execute(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Outer.Value,
        otherwise handler: nonisolated(nonsending) (FallbackCause) async throws -> FallbackDecision<Outer.Value>
    ) async throws -> Outer.Output {
        try await fallback.execute(context: context, { context in
            try await policy.execute(context: context, operation)
        }, otherwise: handler)
    }
}

extension ResiliencePolicy {
    /// This policy (or pipeline) with `fallback` around it: see ``FallbackPipeline``.
    @inlinable
    public func withFallback<F: FallbackPolicy>(_ fallback: F) -> FallbackPipeline<F, Self> {
        FallbackPipeline(fallback: fallback, policy: self)
    }
}
