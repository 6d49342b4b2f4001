/// How long a ``Timeout`` policy lets one attempt run.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `duration` | 30 s | the longest an attempt may run before it is cancelled with `timedOut` |
///
/// ``validate()`` rejects a value outside its allowed range with a ``ConfigurationError`` naming the
/// key, the value and the range; nothing is clamped.
public struct TimeoutConfiguration: Sendable, Hashable {
    /// The longest an attempt may run. > 0. Default: 30 s.
    public var duration: Duration

    /// A configuration with the documented default, changed where you pass a value.
    public init(duration: Duration = .seconds(30)) {
        self.duration = duration
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
        [.duration("duration", \.duration, allowed: "> 0", meaning: "the longest an attempt may run before it is cancelled with `timedOut`")]
    }
}
