/// How long a ``Timeout`` policy lets one attempt run.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `mode` | `enforce` | `shadow`: a call past its limit is counted and logged, not cancelled |
/// | `duration` | 30 s | the longest an attempt may run before it is cancelled with `timedOut` |
/// | `enforcement` | `cancel` | `cooperative`: no task; the operation enforces the limit, given as its deadline (see ``TimeoutEnforcement``) |
///
/// ``validate()`` rejects a value outside its allowed range with a ``ConfigurationError`` naming the
/// key, the value and the range; nothing is clamped.
public struct TimeoutConfiguration: Sendable, Hashable {
    /// The longest an attempt may run. > 0. Default: 30 s.
    public var duration: Duration
    /// Whether the timeout cuts calls at their limit (`enforce`, the default) or only counts and logs
    /// those that run past it (`shadow`): such a call is not cancelled; it runs to its end, and is
    /// counted when it ends past its limit.
    public var mode: PolicyMode
    /// How calls are stopped at their limit: by cancelling the operation's task (`cancel`, the
    /// default), or by the operation itself, given the limit as its deadline (`cooperative`: no task).
    public var enforcement: TimeoutEnforcement

    /// A configuration with the documented default, changed where you pass a value.
    public init(duration: Duration = .seconds(30), mode: PolicyMode = .enforce, enforcement: TimeoutEnforcement = .cancel) {
        self.duration = duration
        self.mode = mode
        self.enforcement = enforcement
    }

    /// Checks every key against its allowed range.
    /// - Throws: ``ConfigurationError`` naming the key, the value and the range.
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.checkPositive(duration, "duration")
    }
}

extension TimeoutConfiguration: ConfigurationSection {
    package static var defaults: Self { Self() }

    package static var keys: [ConfigurationKey<Self>] {
        [
            .duration("duration", \.duration, allowed: "> 0", meaning: "the longest an attempt may run before it is cancelled with `timedOut`"),
            .choice("mode", \.mode, meaning: "`enforce`: cut calls at the limit; `shadow`: count and log the calls that run past it, and let them run"),
            .choice("enforcement", \.enforcement, meaning: "`cancel`: run the operation in a child task and cancel it at the limit; `cooperative`: create no task, give the operation the limit as its deadline (it must enforce it, as async-http-client's `deadline` does), and answer `timedOut` when it ends at or past the limit"),
        ]
    }
}
