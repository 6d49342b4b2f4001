/// A call asked a rate limiter for a number of permits it can never grant at once: fewer than 1, or more
/// than the bucket holds (the token bucket's ⌊`burst`⌋, the sliding window's `limit`).
///
/// This is a caller's mistake, not a rejection: waiting would not help, so it is not a
/// ``ResilienceError`` with code ``ResilienceError/Code/rateLimited``. Split the work, or raise `burst`.
public struct RateLimitCostError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The number of permits asked for.
    public var cost: Int
    /// The most permits one call may take.
    public var maximumCost: Int

    /// Creates the error.
    public init(cost: Int, maximumCost: Int) {
        self.cost = cost
        self.maximumCost = maximumCost
    }

    public var description: String {
        "cost: \(cost) permits is not allowed; allowed: 1...\(maximumCost) (the most the limiter's bucket or window holds)"
    }
}

/// The number of permits a call takes from the rate limiters it passes through, when set in the call's
/// ``ResilienceContext/metadata``; 1 when absent.
///
/// ```swift
/// var context = ResilienceContext(operationName: "llm.complete")
/// context.metadata[RateLimitCost.self] = prompt.estimatedTokens   // e.g. a tokens-per-minute quota
/// let reply = try await pipeline.execute(context: context) { _ in try await llm.complete(prompt) }
/// ```
public enum RateLimitCost: ResilienceContextKey {
    /// The number of permits, in 1...the limiter's maximum cost.
    public typealias Value = Int
}

extension ResilienceContext {
    /// The permits this call takes from a rate limiter: ``RateLimitCost`` from the metadata, else 1.
    @inlinable
    var rateLimitCost: Int {
        metadata.isEmpty ? 1 : (metadata[RateLimitCost.self] ?? 1)
    }
}
