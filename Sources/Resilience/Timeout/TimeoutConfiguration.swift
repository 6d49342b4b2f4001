/// How long a ``Timeout`` policy lets one attempt run, and, for operations that have a response head,
/// how long an attempt may wait for it.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `mode` | `enforce` | `shadow`: a call past its limit is counted and logged, not cancelled |
/// | `duration` | 30 s | the longest an attempt may run before it is cancelled with `timedOut` |
/// | `firstByte` | `nil` | the longest an attempt may wait for a response head, for operations that have one; `nil`: `duration` bounds the head too |
/// | `enforcement` | `cancel` | `cooperative`: no task; the operation enforces the limit, given as its deadline (see ``TimeoutEnforcement``) |
///
/// **`firstByte` is not enforced by the ``Timeout`` policy**, which knows nothing of a response head
/// and cuts an attempt at `duration` only. It is read by the operations that have a head: the
/// resilience-proxy sidecar gives it to async-http-client as the deadline of the response head, so
/// that with `timeout: {duration: 30s, firstByte: 2s}` an upstream that sends no head within 2 s
/// fails the attempt, while `duration` still bounds the whole exchange. An operation without a
/// response head ignores it, and so does `resilience-lab`, whose simulated calls have no head (it
/// names the key on stderr).
///
/// ``validate()`` rejects a value outside its allowed range with a ``ConfigurationError`` naming the
/// key, the value and the range; nothing is clamped.
public struct TimeoutConfiguration: Sendable, Hashable {
    /// The longest an attempt may run. > 0. Default: 30 s.
    public var duration: Duration
    /// The longest an attempt may wait for a response head, for operations that have one (an HTTP
    /// exchange); `nil`: `duration` bounds the head too. In (0, `duration`]. Default: `nil`.
    ///
    /// The ``Timeout`` policy does not enforce it: it cuts an attempt at `duration` only. The
    /// operations that have a response head read it (the resilience-proxy sidecar gives it to
    /// async-http-client as the deadline of the head); an operation without one ignores it.
    public var firstByte: Duration?
    /// Whether the timeout cuts calls at their limit (`enforce`, the default) or only counts and logs
    /// those that run past it (`shadow`): such a call is not cancelled; it runs to its end, and is
    /// counted when it ends past its limit.
    public var mode: PolicyMode
    /// How calls are stopped at their limit: by cancelling the operation's task (`cancel`, the
    /// default), or by the operation itself, given the limit as its deadline (`cooperative`: no task).
    public var enforcement: TimeoutEnforcement

    /// A configuration with the documented default, changed where you pass a value.
    public init(
        duration: Duration = .seconds(30), mode: PolicyMode = .enforce, enforcement: TimeoutEnforcement = .cancel,
        firstByte: Duration? = nil
    ) {
        self.duration = duration
        self.firstByte = firstByte
        self.mode = mode
        self.enforcement = enforcement
    }

    /// Checks every key against its allowed range.
    /// - Throws: ``ConfigurationError`` naming the key (`duration`, `firstByte`), the value and the range.
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.checkPositive(duration, "duration")
        try ConfigurationError.checkFirstByte(firstByte, within: duration)
    }
}

extension TimeoutConfiguration: ConfigurationSection {
    package static var defaults: Self { Self() }

    package static var keys: [ConfigurationKey<Self>] {
        [
            .duration("duration", \.duration, allowed: "> 0", meaning: "the longest an attempt may run before it is cancelled with `timedOut`"),
            .duration("firstByte", \.firstByte, allowed: "(0, duration], or null (duration bounds the head too)", meaning: "the longest an attempt may wait for a response head, for operations that have one; null: `duration` bounds the head too. The `Timeout` policy does not enforce it (it cuts at `duration` only): the operations that have a response head read it (resilience-proxy gives it to async-http-client as the deadline of the head)"),
            .choice("mode", \.mode, meaning: "`enforce`: cut calls at the limit; `shadow`: count and log the calls that run past it, and let them run"),
            .choice("enforcement", \.enforcement, meaning: "`cancel`: run the operation in a child task and cancel it at the limit; `cooperative`: create no task, give the operation the limit as its deadline (it must enforce it, as async-http-client's `deadline` does), and answer `timedOut` when it ends at or past the limit"),
        ]
    }
}
