/// How long a caching fallback (``CachedFallback``, ``StaleDataFallback``) keeps the last good value
/// fresh, and for how many keys.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `timeToLive` | none: required | how long after a success its value is served as fresh; a value whose age is exactly `timeToLive` is expired |
/// | `maximumKeys` | 1000 | the most keys cached at once; storing a new key beyond it evicts the key stored longest ago |
///
/// `timeToLive` has no default on purpose: how old a value may be and still be served is a decision
/// about the data (a price, a feature list), not about the library.
///
/// ``validate()`` rejects a value outside its allowed range with a ``ConfigurationError`` naming the
/// key, the value and the range; nothing is clamped.
public struct FallbackCacheConfiguration: Sendable, Hashable {
    /// How long after a success its value is served as fresh. > 0. Ages are measured on the fallback's
    /// clock from the instant the value was stored; an age equal to `timeToLive` is expired.
    public var timeToLive: Duration
    /// The most keys cached at once. In 1...``maximumKeysLimit``. Default: 1000.
    public var maximumKeys: Int

    /// The largest accepted `maximumKeys`.
    public static let maximumKeysLimit = 1_000_000

    /// A configuration with `timeToLive` and the documented default for the rest.
    public init(timeToLive: Duration, maximumKeys: Int = 1_000) {
        self.timeToLive = timeToLive
        self.maximumKeys = maximumKeys
    }

    /// Checks every key against its allowed range.
    /// - Throws: ``ConfigurationError`` for the first key out of range, naming key, value and range.
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.check(
            timeToLive > .zero, "timeToLive", DurationText.format(timeToLive), "> 0")
        try ConfigurationError.check(
            (1...Self.maximumKeysLimit).contains(maximumKeys), "maximumKeys", "\(maximumKeys)",
            "1...\(Self.maximumKeysLimit)")
    }
}

extension FallbackCacheConfiguration: ConfigurationSection {
    /// A placeholder `timeToLive` that the required key replaces.
    package static var defaults: Self { Self(timeToLive: .seconds(60)) }

    package static var keys: [ConfigurationKey<Self>] {
        [
            ConfigurationKey(
                "timeToLive", .duration, requiredBecause: "how old a value may be and still be served is the service's decision",
                allowed: "> 0", meaning: "how long after a success its value is served as fresh",
                value: { .duration($0.timeToLive) }
            ) { configuration, value throws(ConfigurationError) in
                if case .duration(let duration) = value { configuration.timeToLive = duration }
            },
            .integer("maximumKeys", \.maximumKeys, allowed: "1...\(maximumKeysLimit)", meaning: "the most keys cached at once"),
        ]
    }
}
