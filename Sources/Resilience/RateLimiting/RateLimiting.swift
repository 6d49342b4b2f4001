/// A rate limiter without keys: ``RateLimiter`` (a token bucket) and ``SlidingWindowRateLimiter``. They
/// differ in how permits come back; how a call takes them is the same, written once here.
///
/// ```swift
/// func fetchAll(_ pages: [URL], through limiter: some RateLimiting) async throws {
///     for page in pages {
///         try await limiter.execute { try await download(page) }
///     }
/// }
/// ```
public protocol RateLimiting: ResiliencePolicy {
    /// Takes `cost` permits, at once or after waiting up to the limiter's `maxWait`, without running
    /// anything: for work that is not one operation (a stream's chunks, a loop's iterations).
    /// - Throws: ``ResilienceError`` with code ``ResilienceError/Code/rateLimited`` and the exact
    ///   `retryAfter` when the permits are not available within that wait; `CancellationError` when
    ///   cancelled while waiting (the permits are returned); ``RateLimitCostError`` when `cost` is more
    ///   than the limiter can ever hold, or less than 1.
    nonisolated(nonsending) func acquire(cost: Int) async throws

    /// ``acquire(cost:)`` for a call with `context`: never waiting past the context's deadline.
    /// - Throws: as ``acquire(cost:)``, and ``ResilienceContext/DeadlineClockMismatch`` when the deadline
    ///   is not an instant of the limiter's clock.
    nonisolated(nonsending) func acquire(cost: Int, context: ResilienceContext) async throws
}

extension RateLimiting {
    /// Runs `operation` once `cost` permits are taken (at once, or after waiting up to `maxWait`).
    /// - Returns: what `operation` returned.
    /// - Throws: as ``acquire(cost:)`` (the operation did not run), otherwise what `operation` threw.
    @inlinable @inline(__always)
    public nonisolated(nonsending) func execute<Value>(
        cost: Int = 1,
        _ operation: nonisolated(nonsending) () async throws -> Value
    ) async throws -> Value {
        try await acquire(cost: cost)
        return try await operation()
    }

    /// Runs `operation`, with `context`, once its permits are taken: ``RateLimitCost`` from the
    /// context's metadata (1 when absent), waiting at most `maxWait` and never past the context's
    /// deadline. See ``execute(cost:_:)``.
    @inlinable @inline(__always)
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        try await acquire(cost: context.rateLimitCost, context: context)
        return try await operation(context)
    }
}
