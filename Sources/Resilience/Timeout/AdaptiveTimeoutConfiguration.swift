/// How an ``AdaptiveTimeout`` derives each key's timeout from its recent latencies.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `percentile` | 0.99 | the latency percentile the timeout follows |
/// | `multiplier` | 1.5 | timeout = percentile × multiplier, before clamping |
/// | `minimum` | 50 ms | the shortest adaptive timeout |
/// | `maximum` | 30 s | the longest adaptive timeout |
/// | `baseTimeout` | 30 s | the timeout of a key until it has `warmupCalls` latencies |
/// | `warmupCalls` | 100 | latencies a key needs before its timeout adapts |
/// | `windowSize` | 1000 | the number of most recent latencies per key that count |
/// | `maxKeys` | 10000 | the most keys tracked at once (least recently used is evicted) |
///
/// ``validate()`` rejects a value outside its allowed range with a ``ConfigurationError`` naming the
/// key, the value and the range; nothing is clamped.
public struct AdaptiveTimeoutConfiguration: Sendable, Hashable {
    /// The latency percentile the timeout follows. In (0, 1], at most 9 decimal places. Default: 0.99.
    public var percentile: Double
    /// The factor applied to the percentile. ≥ 1, at most 9 decimal places. Default: 1.5.
    public var multiplier: Double
    /// The shortest adaptive timeout. > 0. Default: 50 ms.
    public var minimum: Duration
    /// The longest adaptive timeout. ≥ `minimum`. Default: 30 s.
    public var maximum: Duration
    /// The timeout used for a key until it has `warmupCalls` latencies. > 0 (not bound to
    /// [`minimum`, `maximum`]). Default: 30 s.
    public var baseTimeout: Duration
    /// Latencies a key needs before its timeout adapts. In 1...`windowSize`. Default: 100.
    public var warmupCalls: Int
    /// The number of most recent latencies per key that count. In 1...1000000. Default: 1000.
    public var windowSize: Int
    /// The most keys tracked at once. ≥ 1. Default: 10000.
    public var maxKeys: Int

    /// A configuration with the documented defaults, changed where you pass a value.
    public init(
        percentile: Double = 0.99,
        multiplier: Double = 1.5,
        minimum: Duration = .milliseconds(50),
        maximum: Duration = .seconds(30),
        baseTimeout: Duration = .seconds(30),
        warmupCalls: Int = 100,
        windowSize: Int = 1_000,
        maxKeys: Int = 10_000
    ) {
        self.percentile = percentile
        self.multiplier = multiplier
        self.minimum = minimum
        self.maximum = maximum
        self.baseTimeout = baseTimeout
        self.warmupCalls = warmupCalls
        self.windowSize = windowSize
        self.maxKeys = maxKeys
    }

    /// Checks every key against its allowed range.
    /// - Throws: ``ConfigurationError`` for the first key out of range, naming key, value and range.
    public func validate() throws(ConfigurationError) {
        _ = try ValidatedAdaptiveTimeoutConfiguration(self)
    }
}

/// An adaptive-timeout configuration that passed validation, with its numbers in exact form.
struct ValidatedAdaptiveTimeoutConfiguration: Sendable {
    let raw: AdaptiveTimeoutConfiguration
    let percentile: ExactRatio
    /// Attoseconds per nanosecond of percentile: 10⁹ × multiplier, a whole number because the multiplier
    /// has at most 9 decimal places. The timeout before clamping is `nanoseconds × this`, exactly.
    let attosecondsPerPercentileNanosecond: Int128
    let minimumAttoseconds: Int128
    let maximumAttoseconds: Int128

    init(_ configuration: AdaptiveTimeoutConfiguration) throws(ConfigurationError) {
        let c = configuration
        let places = "at most \(ExactRatio.maximumDecimalPlaces) decimal places"
        guard c.percentile > 0, c.percentile <= 1, let percentile = ExactRatio(c.percentile) else {
            throw ConfigurationError(key: "percentile", value: "\(c.percentile)", allowed: "(0, 1], with \(places)")
        }
        guard c.multiplier >= 1, let multiplier = ExactRatio(c.multiplier) else {
            throw ConfigurationError(key: "multiplier", value: "\(c.multiplier)", allowed: ">= 1, with \(places)")
        }
        try ConfigurationError.checkPositive(c.minimum, "minimum")
        try ConfigurationError.check(
            c.maximum >= c.minimum, "maximum", DurationText.format(c.maximum),
            ">= minimum (\(DurationText.format(c.minimum)))")
        try ConfigurationError.checkPositive(c.baseTimeout, "baseTimeout")
        try ConfigurationError.check(
            (1...LatencyTracker.maximumWindowSize).contains(c.windowSize), "windowSize", "\(c.windowSize)",
            "1...\(LatencyTracker.maximumWindowSize)")
        try ConfigurationError.check(
            (1...c.windowSize).contains(c.warmupCalls), "warmupCalls", "\(c.warmupCalls)",
            "1...windowSize (\(c.windowSize))")
        try ConfigurationError.check(c.maxKeys >= 1, "maxKeys", "\(c.maxKeys)", ">= 1")
        raw = configuration
        self.percentile = percentile
        // The denominator is a power of ten up to 10⁹, so it divides 10⁹.
        attosecondsPerPercentileNanosecond =
            Int128(multiplier.numerator) * (1_000_000_000 / Int128(multiplier.denominator))
        minimumAttoseconds = c.minimum.attoseconds
        maximumAttoseconds = c.maximum.attoseconds
    }
}

extension AdaptiveTimeoutConfiguration: ConfigurationSection {
    package static var defaults: Self { Self() }

    package static var keys: [ConfigurationKey<Self>] {
        [
            .number("percentile", \.percentile, allowed: "(0, 1]", meaning: "the latency percentile the timeout follows"),
            .number("multiplier", \.multiplier, allowed: ">= 1", meaning: "the factor applied to the percentile"),
            .duration("minimum", \.minimum, allowed: "> 0", meaning: "the shortest adaptive timeout"),
            .duration("maximum", \.maximum, allowed: ">= minimum", meaning: "the longest adaptive timeout"),
            .duration("baseTimeout", \.baseTimeout, allowed: "> 0", meaning: "the timeout of an endpoint until it has `warmupCalls` latencies"),
            .integer("warmupCalls", \.warmupCalls, allowed: "1...windowSize", meaning: "latencies an endpoint needs before its timeout adapts"),
            .integer("windowSize", \.windowSize, allowed: "1...1000000", meaning: "the most recent latencies per endpoint that count"),
            .integer("maxKeys", \.maxKeys, allowed: ">= 1", meaning: "the most endpoints tracked at once"),
        ]
    }
}
