/// Builds a ``ResiliencePipeline`` from a list of policies, outermost first.
@resultBuilder
public enum ResiliencePipelineBuilder {
    /// An empty list runs the operation as it is.
    @inlinable
    public static func buildBlock() -> PassThroughPolicy { PassThroughPolicy() }

    /// The first policy of the list.
    @inlinable
    public static func buildPartialBlock<First: ResiliencePolicy>(first: First) -> First { first }

    /// Every next policy runs inside the ones before it.
    @inlinable
    public static func buildPartialBlock<Outer: ResiliencePolicy, Inner: ResiliencePolicy>(
        accumulated: Outer, next: Inner
    ) -> ComposedPolicy<Outer, Inner> {
        ComposedPolicy(outer: accumulated, inner: next)
    }

    /// `if` without `else`.
    @inlinable
    public static func buildOptional<Wrapped: ResiliencePolicy>(_ wrapped: Wrapped?) -> OptionalPolicy<Wrapped> {
        OptionalPolicy(wrapped)
    }

    /// The `if` branch of `if`/`else`.
    @inlinable
    public static func buildEither<First: ResiliencePolicy, Second: ResiliencePolicy>(
        first: First
    ) -> EitherPolicy<First, Second> {
        .first(first)
    }

    /// The `else` branch of `if`/`else`.
    @inlinable
    public static func buildEither<First: ResiliencePolicy, Second: ResiliencePolicy>(
        second: Second
    ) -> EitherPolicy<First, Second> {
        .second(second)
    }
}
