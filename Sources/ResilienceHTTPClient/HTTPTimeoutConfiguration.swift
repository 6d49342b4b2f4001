import Resilience

/// How long one attempt of a ``ResilientHTTPClient`` call may take.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `duration` | 30 s | the whole exchange of one attempt: until the last byte of the response body |
/// | `firstByte` | none | until the response head arrives; none: `duration` bounds the head too |
///
/// Both are measured from the start of the attempt (a wait in the host's bulkhead queue included) and
/// are cut short by the call's own deadline (`ResilienceContext.deadline`) when that comes first.
///
/// **How they are enforced: cooperatively, with no timer task per request.** The head's limit — the
/// earlier of `firstByte` (or `duration`) and the call's deadline — is given to async-http-client as its
/// `deadline`; AHC schedules its own timer on its event loop and fails the request with
/// `HTTPClientError.deadlineExceeded`, which the client reports as a `ResilienceError` with code
/// `timedOut`, so breakers and retries treat it as the library's timeout. AHC's deadline only covers the
/// time to the head (it says so: "the user specified deadline is only used until we received the
/// response head"), so the rest of `duration` is enforced by the response body itself: each chunk that
/// arrives after the limit ends the body with `timedOut` and cancels the request. A body that *stalls*
/// (no chunk at all) is cut by the client's read timeout (`HTTPClient.Configuration.Timeout.read`), not
/// at `duration`: waking a stalled reader at an instant needs a timer per request, which is what this
/// design avoids (the library's `Timeout` policy races each call against a timer task, about 12 µs
/// and 16 allocations per call; see the README's performance table). Set a read timeout on the
/// `HTTPClient` when bodies may stall.
///
/// ``validate()`` rejects a value outside its allowed range with a `ConfigurationError` naming the key,
/// the value and the range; nothing is clamped.
public struct HTTPTimeoutConfiguration: Sendable, Hashable {
    /// The longest one attempt's whole exchange may take, until the last byte of the body. In (0, 1 day].
    /// Default: 30 s.
    public var duration: Duration
    /// The longest one attempt may wait for the response head; `nil`: `duration` bounds it. In
    /// (0, `duration`]. Default: `nil`.
    public var firstByte: Duration?

    /// The longest accepted duration: one day (a deadline is `now` plus it, which must not overflow
    /// async-http-client's nanosecond deadline).
    public static let maximumDuration = Duration.seconds(86_400)

    /// A configuration with the documented defaults, changed where you pass a value.
    public init(duration: Duration = .seconds(30), firstByte: Duration? = nil) {
        self.duration = duration
        self.firstByte = firstByte
    }

    /// Checks every key against its allowed range.
    /// - Throws: `ConfigurationError` naming the key (`duration`, `firstByte`), the value and the range.
    public func validate() throws(ConfigurationError) {
        guard duration > .zero, duration <= Self.maximumDuration else {
            throw ConfigurationError(key: "duration", value: DurationText.format(duration), allowed: "(0, 24h]")
        }
        try ConfigurationError.checkFirstByte(firstByte, within: duration)
    }
}
