/// A configuration value is out of its allowed range. Names the key, the bad value and what is allowed.
///
/// A configuration is never silently corrected: an invalid value is never replaced by a default. Where
/// the check happens depends on where the configuration comes from:
///
/// - **Written in code** (`CircuitBreaker(name: "payments")`, `Retry(name: "llm", maxAttempts: 4)`):
///   policy initializers do not throw, so a policy can be a global, a static or a stored property's
///   default value. An invalid value there is a programming error, like an index out of range: the
///   initializer stops the process with this error's message, naming the policy and the key.
/// - **From outside the code** (a file, an environment variable, a request): check it first with the
///   configuration's `validate()`, which throws this error, or read it with `ResilienceConfiguration`,
///   which lists every bad key of every file at once before it builds anything.
public struct ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The key, as written in configuration files (for example `failureRatio`, or
    /// `circuitBreaker.failureRatio` once a file reader has added the section).
    public var key: String
    /// The rejected value, as text.
    public var value: String
    /// What would have been accepted, for example `(0, 1]` or `>= 1`.
    public var allowed: String

    /// Creates an error for `key`.
    public init(key: String, value: String, allowed: String) {
        self.key = key
        self.value = value
        self.allowed = allowed
    }

    /// Throws an error for `key` unless `ok`: the one validation step every configuration uses.
    static func check(_ ok: Bool, _ key: String, _ value: String, _ allowed: String) throws(ConfigurationError) {
        if !ok { throw ConfigurationError(key: key, value: value, allowed: allowed) }
    }

    /// Throws unless `value` is longer than zero.
    static func checkPositive(_ value: Duration, _ key: String) throws(ConfigurationError) {
        try check(value > .zero, key, DurationText.format(value), "> 0")
    }

    /// Throws unless `firstByte`, when set, is in (0, `duration`]: the wait for a response head is part
    /// of the whole exchange's. The one check of every `firstByte` key (the `timeout` section's, the
    /// HTTP client's), so that they read alike.
    package static func checkFirstByte(_ firstByte: Duration?, within duration: Duration) throws(ConfigurationError) {
        guard let firstByte else { return }
        try check(
            firstByte > .zero && firstByte <= duration, "firstByte", DurationText.format(firstByte),
            "(0, duration (\(DurationText.format(duration)))]")
    }

    /// The value `body` builds from a configuration written in code; an invalid one stops the process
    /// with a message naming `policy` (`CircuitBreaker "payments"`) and the key: see the type's
    /// documentation.
    package static func required<T>(
        _ policy: @autoclosure () -> String, _ body: () throws(ConfigurationError) -> T
    ) -> T {
        do {
            return try body()
        } catch {
            fatalError(
                "\(policy()): \(error) (a configuration written in code must be valid; check one that comes from outside the code with validate(), which throws)")
        }
    }

    /// The same error with `prefix.` in front of the key.
    public func prefixingKey(with prefix: String) -> ConfigurationError {
        ConfigurationError(key: "\(prefix).\(key)", value: value, allowed: allowed)
    }

    public var description: String {
        "\(key): \(value) is not allowed; allowed: \(allowed)"
    }
}
