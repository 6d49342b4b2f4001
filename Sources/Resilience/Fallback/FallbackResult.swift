/// A value returned through a fallback, and where it came from.
///
/// ``StaleDataFallback`` returns this so that a stale value can never pass for a fresh one:
///
/// ```swift
/// let prices = try await priceFallback.execute(context: context) { context in
///     try await pipeline.execute(context: context) { _ in try await api.prices() }
/// }
/// if prices.source.isStale { response.headers.add(name: "Warning", value: "110 - \"Response is Stale\"") }
/// return prices.value
/// ```
public struct FallbackResult<Value: Sendable>: Sendable {
    /// The value.
    public var value: Value
    /// Where it came from.
    public var source: FallbackSource

    /// Creates a result.
    @inlinable
    public init(value: Value, source: FallbackSource) {
        self.value = value
        self.source = source
    }

    /// Whether the value is a cached one past its time to live.
    public var isStale: Bool { source.isStale }

    /// Whether the value came from anywhere but the operation itself.
    public var isFallback: Bool { source != .primary }
}

extension FallbackResult: Equatable where Value: Equatable {}
extension FallbackResult: Hashable where Value: Hashable {}
