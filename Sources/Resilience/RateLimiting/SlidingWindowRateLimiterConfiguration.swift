/// How a ``SlidingWindowRateLimiter`` admits calls: at most `limit` permits in any window of length
/// `window`, the way many APIs publish their quotas ("100 requests per minute").
///
/// | key | default | meaning |
/// |---|---|---|
/// | `limit` | required | the most permits in any window of length `window` |
/// | `window` | required | the window's length |
/// | `maxWait` | 0 | how long a call may wait for its permits; 0 rejects at once when none is available |
///
/// ```swift
/// // The partner allows 100 requests per rolling minute.
/// let limiter = SlidingWindowRateLimiter(
///     name: "partner-api",
///     configuration: SlidingWindowRateLimiterConfiguration(limit: 100, window: .seconds(60)))
/// ```
///
/// ``validate()`` rejects a value outside its allowed range with a ``ConfigurationError`` naming the
/// key, the value and the range; nothing is clamped.
public struct SlidingWindowRateLimiterConfiguration: Sendable, Hashable {
    /// The most permits in any window of length `window`. In 1...10 000 000 (memory grows with it: see
    /// `SlidingWindowRateLimiterStateMachine`).
    public var limit: Int
    /// The window's length. > 0.
    public var window: Duration
    /// How long a call may wait for its permits. ≥ 0. Default: 0 (reject at once).
    ///
    /// A call that would have to wait longer is rejected immediately, with the exact `retryAfter`.
    public var maxWait: Duration

    /// A configuration with the documented default, changed where you pass a value.
    public init(limit: Int, window: Duration, maxWait: Duration = .zero) {
        self.limit = limit
        self.window = window
        self.maxWait = maxWait
    }

    /// The highest `limit`.
    public static let maximumLimit = 10_000_000

    /// Checks every key against its allowed range.
    /// - Throws: ``ConfigurationError`` for the first key out of range, naming key, value and range.
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.check(
            (1...Self.maximumLimit).contains(limit), "limit", "\(limit)", "1...\(Self.maximumLimit)")
        try ConfigurationError.check(window > .zero, "window", DurationText.format(window), "> 0")
        try ConfigurationError.check(maxWait >= .zero, "maxWait", DurationText.format(maxWait), ">= 0")
    }
}
