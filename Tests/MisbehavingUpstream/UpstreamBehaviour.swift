/// How ``MisbehavingUpstream`` answers a request: chosen per request path, or for every path without one,
/// and changeable while the server runs.
public enum UpstreamBehaviour: Sendable, Hashable {
    /// `200 OK`, body `ok`.
    case healthy
    /// The given status, body `status <code>` (a 500, a 404, a 400, ...).
    case status(Int)
    /// `200 OK` after `headDelay`; then a chunked body of `chunks` chunks (`chunk 1\n`, `chunk 2\n`, ...),
    /// the first at once and each next one `chunkDelay` after the previous.
    case slow(headDelay: Duration, chunks: Int = 1, chunkDelay: Duration = .zero)
    /// Reads the request, then resets the connection (TCP RST, no response).
    case reset
    /// `status` (429 or 503 in practice) with a `Retry-After` field and a `Date` field; body `status <code>`.
    case retryAfter(status: Int, RetryAfterValue)
    /// Fails the first `failures` requests to its path with `failureStatus`, answers the next `successes`
    /// with `200 OK`, and starts over.
    case flapping(failures: Int, successes: Int, failureStatus: Int = 500)
    /// `200 OK` with a chunked body, `text/event-stream`: the `chunks` written one by one, the first at once
    /// and each next one `interval` after the previous.
    case stream(chunks: [String], interval: Duration)
    /// Answers the n-th request to its path (counting from 0) as the n-th behaviour of the list, and every
    /// request after the list's end as its last one: `.sequence([.reset, .healthy])` resets the first
    /// connection and answers every later request. An empty list is ``healthy``.
    indirect case sequence([UpstreamBehaviour])

    /// The value of a `Retry-After` field.
    public enum RetryAfterValue: Sendable, Hashable {
        /// delay-seconds: `Retry-After: 1`.
        case seconds(Int)
        /// An IMF-fixdate this many seconds after the response's `Date` (both from the same whole second).
        case dateAfter(seconds: Int)
        /// The text as given, valid or not.
        case raw(String)
    }
}
