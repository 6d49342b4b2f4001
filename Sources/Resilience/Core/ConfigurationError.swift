/// A configuration value is out of its allowed range. Names the key, the bad value and what is allowed.
///
/// Configurations are validated when a policy is created; an invalid value is never replaced by a
/// default.
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

    /// The same error with `prefix.` in front of the key.
    public func prefixingKey(with prefix: String) -> ConfigurationError {
        ConfigurationError(key: "\(prefix).\(key)", value: value, allowed: allowed)
    }

    public var description: String {
        "\(key): \(value) is not allowed; allowed: \(allowed)"
    }
}
