/// How a ``KeyedRateLimiter`` admits calls: one token bucket per key (client, tenant, API key), and a
/// bound on the number of keys held at once.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `permitsPerSecond` | required | each key's sustained rate; may be fractional |
/// | `burst` | max(1, `permitsPerSecond`) | each key's bucket size; a new key's bucket starts full |
/// | `maxWait` | 0 | how long a call may wait for its key's permits |
/// | `maxKeys` | 10 000 | the most keys held at once (see `KeyedTokenBucketStateMachine` for what happens at the bound) |
///
/// ``validate()`` rejects a value outside its allowed range with a ``ConfigurationError`` naming the
/// key, the value and the range; nothing is clamped.
public struct KeyedRateLimiterConfiguration: Sendable, Hashable {
    /// Permits added to each key's bucket per second. In (0, 1 000 000 000], at most 9 decimal places.
    public var permitsPerSecond: Double
    /// Each key's bucket size. In [1, 1 000 000 000], at most 9 decimal places. Default: max(1,
    /// `permitsPerSecond`) as computed when the configuration is created.
    public var burst: Double
    /// How long a call may wait for its key's permits. ≥ 0. Default: 0 (reject at once).
    public var maxWait: Duration
    /// The most keys held at once. In 1...10 000 000. Default: 10 000. Memory: about 150 bytes per key
    /// plus the key itself and 48 bytes per waiting call.
    public var maxKeys: Int
    /// Whether the rate limiter refuses calls (`enforce`, the default) or only counts and logs those it would
    /// have refused and lets them through (`shadow`): a call it would have rejected runs at
    /// once and takes no permit; a call it would have made wait runs at once too, its permits taken
    /// as an enforcing limiter would take them (only rejections are shadow rejections).
    public var mode: PolicyMode

    /// A configuration with the documented defaults, changed where you pass a value.
    public init(
        permitsPerSecond: Double, burst: Double? = nil, maxWait: Duration = .zero, maxKeys: Int = 10_000,
        mode: PolicyMode = .enforce
    ) {
        self.permitsPerSecond = permitsPerSecond
        self.burst = burst ?? max(1, permitsPerSecond)
        self.maxWait = maxWait
        self.maxKeys = maxKeys
        self.mode = mode
    }

    /// The highest `maxKeys`.
    public static let maximumKeys = 10_000_000

    /// Each key's bucket.
    public var bucket: RateLimiterConfiguration {
        RateLimiterConfiguration(permitsPerSecond: permitsPerSecond, burst: burst, maxWait: maxWait)
    }

    /// Checks every key against its allowed range.
    /// - Throws: ``ConfigurationError`` for the first key out of range, naming key, value and range.
    public func validate() throws(ConfigurationError) {
        try bucket.validate()
        try ConfigurationError.check(
            (1...Self.maximumKeys).contains(maxKeys), "maxKeys", "\(maxKeys)", "1...\(Self.maximumKeys)")
    }
}

extension KeyedRateLimiterConfiguration: ConfigurationSection {
    /// A placeholder rate: `permitsPerSecond` is required, and a file that lacks it is an error.
    package static var defaults: Self { Self(permitsPerSecond: 1) }

    package static var keys: [ConfigurationKey<Self>] {
        [
            ConfigurationKey(
                "permitsPerSecond", .number, requiredBecause: "a rate limiter has no default rate",
                allowed: "(0, 1000000000]", meaning: "each key's sustained rate; may be fractional (required)",
                value: { .number($0.permitsPerSecond) }
            ) { configuration, value throws(ConfigurationError) in
                // The burst's default follows the rate: a burst given in the file replaces it next.
                if let rate = value.number {
                    configuration = Self(
                        permitsPerSecond: rate, maxWait: configuration.maxWait, maxKeys: configuration.maxKeys)
                }
            },
            .number("burst", \.burst, allowed: "[1, 1000000000]", meaning: "each key's bucket size (default: max(1, `permitsPerSecond`)); a new key's bucket starts full")
                .documentingDefault("max(1, permitsPerSecond)"),
            .duration("maxWait", \.maxWait, allowed: ">= 0", meaning: "how long a call may wait for its key's permits"),
            .integer("maxKeys", \.maxKeys, allowed: "1...\(maximumKeys)", meaning: "the most keys held at once"),
            .choice("mode", \.mode, meaning: "`enforce`: refuse calls; `shadow`: count and log the calls it would refuse, and let them through"),
        ]
    }
}
