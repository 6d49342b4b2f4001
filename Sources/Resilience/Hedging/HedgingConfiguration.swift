/// When a ``Hedging`` policy starts extra attempts.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `hedgingDelay` | 2 s | how long an attempt may run without an acceptable outcome before the next one starts |
/// | `maxHedgedAttempts` | 1 | extra attempts at most, besides the first |
///
/// ``validate()`` rejects a value outside its allowed range with a ``ConfigurationError`` naming the
/// key, the value and the range; nothing is clamped.
public struct HedgingConfiguration: Sendable, Hashable {
    /// How long to wait for an acceptable outcome before starting the next attempt. ≥ 0 (0 starts all
    /// attempts at once). Default: 2 s.
    public var hedgingDelay: Duration
    /// Extra attempts at most, besides the first. In 1...10. Default: 1.
    public var maxHedgedAttempts: Int

    /// The largest accepted `maxHedgedAttempts`: each hedge multiplies the load on the dependency.
    public static let maximumHedgedAttempts = 10

    /// A configuration with the documented defaults, changed where you pass a value.
    public init(hedgingDelay: Duration = .seconds(2), maxHedgedAttempts: Int = 1) {
        self.hedgingDelay = hedgingDelay
        self.maxHedgedAttempts = maxHedgedAttempts
    }

    /// Checks every key against its allowed range.
    /// - Throws: ``ConfigurationError`` naming the key, the value and the range.
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.check(
            hedgingDelay >= .zero, "hedgingDelay", DurationText.format(hedgingDelay), ">= 0")
        try ConfigurationError.check(
            (1...Self.maximumHedgedAttempts).contains(maxHedgedAttempts), "maxHedgedAttempts", "\(maxHedgedAttempts)",
            "1...\(Self.maximumHedgedAttempts)")
    }
}

extension HedgingConfiguration: ConfigurationSection {
    package static var defaults: Self { Self() }

    package static var keys: [ConfigurationKey<Self>] {
        [
            .duration("hedgingDelay", \.hedgingDelay, allowed: ">= 0", meaning: "how long an attempt may run without an acceptable outcome before the next one starts (0: all at once)"),
            .integer("maxHedgedAttempts", \.maxHedgedAttempts, allowed: "1...\(maximumHedgedAttempts)", meaning: "extra attempts at most, besides the first"),
        ]
    }
}
