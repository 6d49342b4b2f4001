/// An error or a result that carries a server's hint of when to try again (an HTTP `Retry-After`
/// header, a gRPC `RetryInfo`). A ``Retry`` policy waits that long (capped by its `maxDelay`) instead of
/// its backoff when the default ``RetryPredicate`` retries it.
///
/// ```swift
/// struct TooManyRequests: Error, RetryAfterProviding {
///     var retryAfter: Duration?
/// }
/// ```
public protocol RetryAfterProviding {
    /// How long the server asked to wait, if it said.
    var retryAfter: Duration? { get }
}
