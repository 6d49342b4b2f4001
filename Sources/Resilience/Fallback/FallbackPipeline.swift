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
///
/// A fallback around a named ``ResiliencePipeline`` moves the pipeline's telemetry outside it: the span
/// then covers the fallback too (its `resilience.fallback` event included), and the duration's outcome
/// is the one the caller gets — `success` when the fallback served a value.
public struct FallbackPipeline<Outer: FallbackPolicy, Inner: ResiliencePolicy>: FallbackPolicy {
    /// The fallback, outermost.
    public let fallback: Outer
    /// The policy (or pipeline) the fallback runs.
    public let policy: Inner
    /// The telemetry of the named pipeline this fallback was put around, if any.
    @usableFromInline let telemetry: PipelineTelemetry?

    /// Puts `fallback` around `policy`.
    @inlinable
    public init(fallback: Outer, policy: Inner) {
        self.fallback = fallback
        self.policy = policy
        telemetry = nil
    }

    /// Puts `fallback` around `policy`, the whole measured and traced by `telemetry`.
    @inlinable
    init(fallback: Outer, policy: Inner, telemetry: PipelineTelemetry?) {
        self.fallback = fallback
        self.policy = policy
        self.telemetry = telemetry
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
        guard let telemetry else {
            return try await fallback.execute(context: context) { context in
                try await policy.execute(context: context, operation)
            }
        }
        return try await telemetry.run(context: context) { context in
            try await fallback.execute(context: context) { context in
                try await policy.execute(context: context, operation)
            }
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
        guard let telemetry else {
            return try await fallback.execute(context: context, { context in
                try await policy.execute(context: context, operation)
            }, otherwise: handler)
        }
        return try await telemetry.run(context: context) { context in
            try await fallback.execute(context: context, { context in
                try await policy.execute(context: context, operation)
            }, otherwise: handler)
        }
    }
}

extension ResiliencePolicy {
    /// This policy (or pipeline) with `fallback` around it: see ``FallbackPipeline``.
    @inlinable
    public func withFallback<F: FallbackPolicy>(_ fallback: F) -> FallbackPipeline<F, Self> {
        FallbackPipeline(fallback: fallback, policy: self)
    }
}

extension ResiliencePipeline {
    /// This pipeline with `fallback` around it: see ``FallbackPipeline``. A named pipeline's duration
    /// and span then cover the fallback too.
    @inlinable
    public func withFallback<F: FallbackPolicy>(_ fallback: F) -> FallbackPipeline<F, Self> {
        FallbackPipeline(fallback: fallback, policy: ResiliencePipeline(policy), telemetry: telemetry)
    }
}
