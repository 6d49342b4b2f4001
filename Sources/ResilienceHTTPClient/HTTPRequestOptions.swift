/// Per-request choices of a ``ResilientHTTPClient`` call that are not configuration of the host.
///
/// ```swift
/// // A POST the server deduplicates by its Idempotency-Key header: safe to retry.
/// var request = HTTPClientRequest(url: "https://payments.example.com/charges")
/// request.method = .POST
/// request.headers.add(name: "Idempotency-Key", value: key)
/// request.body = .bytes(ByteBuffer(string: json))
/// let response = try await client.execute(request, options: HTTPRequestOptions(retryable: true))
/// ```
public struct HTTPRequestOptions: Sendable, Hashable {
    /// Whether the request may be retried: `nil` (the default) follows the method
    /// (``HTTPRetryRules/isIdempotent(_:)``: GET, HEAD, OPTIONS, TRACE, PUT and DELETE are retried); `true`
    /// retries any method, `false` none. A body that cannot be replayed is never retried, whatever this
    /// says (``HTTPRetryRules/canReplay(_:)``).
    public var retryable: Bool?

    /// Options with the documented defaults, changed where you pass a value.
    public init(retryable: Bool? = nil) {
        self.retryable = retryable
    }
}
