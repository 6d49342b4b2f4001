import Resilience

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How long an injected latency lasts: always the same, uniform between two bounds, or log-normal
/// (the shape of real service times) by its median and 99th percentile.
///
/// ```swift
/// .fixed(.milliseconds(500))
/// .uniform(min: .milliseconds(100), max: .seconds(1))
/// .logNormal(median: .milliseconds(200), p99: .seconds(2))
/// ```
///
/// Every duration is at most 1 hour: an injected latency is an experiment, not an outage. How each one
/// is drawn, with the strategy's ``ChaosRandom`` (after the draw that decided to inject):
///
/// - `fixed(d)`: d, no draw.
/// - `uniform(min:max:)`: min + ⌊(max − min) × k / 2⁵³⌋ attoseconds, for the next 53 random bits k:
///   exact integer arithmetic, in [min, max) (min when they are equal).
/// - `logNormal(median:p99:)`: exp(μ + σz) seconds, with μ = ln(median), σ = ln(p99 / median) / 2.3263478740408408
///   (the standard normal's 99th percentile) and z = √(−2 ln(1 − u₁)) cos(2π u₂) for two draws u₁, u₂
///   (Box–Muller), rounded to the nanosecond. Half the draws are below the median and 1 % above the
///   p99. The tail is cut at 1 hour (a draw above it is 1 hour), so that every draw is a latency an
///   experiment can use; with p99 well below an hour the cut is never reached in practice.
public enum ChaosLatencyDistribution: Sendable, Hashable, CustomStringConvertible {
    /// The same latency for every injected call. In (0, 1 h].
    case fixed(Duration)
    /// A latency uniform in [min, max): 0 ≤ min ≤ max ≤ 1 h, max > 0.
    case uniform(min: Duration, max: Duration)
    /// A log-normal latency with this median and 99th percentile: 0 < median ≤ p99 ≤ 1 h
    /// (p99 = median: always the median).
    case logNormal(median: Duration, p99: Duration)

    /// The longest latency any distribution gives: 1 hour.
    public static let maximum = Duration.seconds(3_600)

    /// The standard normal distribution's 99th percentile.
    static let normal99 = 2.3263478740408408

    /// Checks every duration against its allowed range.
    /// - Throws: `ConfigurationError` naming the key as a configuration file writes it: `duration`
    ///   (fixed), `uniform.min`, `uniform.max`, `logNormal.median`, `logNormal.p99`.
    public func validate() throws(ConfigurationError) {
        let hour = DurationText.format(Self.maximum)
        switch self {
        case .fixed(let duration):
            try Self.check(duration > .zero && duration <= Self.maximum, "duration", duration, "(0, \(hour)]")
        case .uniform(let min, let max):
            try Self.check(min >= .zero && min <= Self.maximum, "uniform.min", min, "[0, \(hour)]")
            try Self.check(max > .zero && max >= min && max <= Self.maximum, "uniform.max", max, "(0, \(hour)] and >= min")
        case .logNormal(let median, let p99):
            try Self.check(median > .zero && median <= Self.maximum, "logNormal.median", median, "(0, \(hour)]")
            try Self.check(p99 >= median && p99 <= Self.maximum, "logNormal.p99", p99, "[median, \(hour)]")
        }
    }

    private static func check(_ ok: Bool, _ key: String, _ value: Duration, _ allowed: String) throws(ConfigurationError) {
        guard ok else { throw ConfigurationError(key: key, value: DurationText.format(value), allowed: allowed) }
    }

    /// A latency drawn from this distribution with `random` (see the type's documentation).
    func sample(_ random: ChaosRandom) -> Duration {
        switch self {
        case .fixed(let duration):
            return duration
        case .uniform(let min, let max):
            let span = max.attoseconds - min.attoseconds  // < 2^72: the product is < 2^125
            let offset = (span * Int128(random.nextBits53())) >> 53
            return Duration(attoseconds: min.attoseconds + offset)
        case .logNormal(let median, let p99):
            let mu = log(median.secondsValue)
            let sigma = log(p99.secondsValue / median.secondsValue) / Self.normal99
            let u1 = 1 - random.nextUnit()  // (0, 1]: the logarithm is finite
            let u2 = random.nextUnit()
            let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            let seconds = Swift.min(exp(mu + sigma * z), Self.maximum.secondsValue)
            return .nanoseconds(Int64((seconds * 1e9).rounded()))
        }
    }

    /// `fixed 500ms`, `uniform 100ms..1s`, `logNormal median 200ms p99 2s`.
    public var description: String {
        switch self {
        case .fixed(let duration): "fixed \(DurationText.format(duration))"
        case .uniform(let min, let max): "uniform \(DurationText.format(min))..\(DurationText.format(max))"
        case .logNormal(let median, let p99):
            "logNormal median \(DurationText.format(median)) p99 \(DurationText.format(p99))"
        }
    }
}

extension Duration {
    /// This duration in seconds.
    var secondsValue: Double { Double(attoseconds) / 1e18 }
}
