/// How a token-bucket ``RateLimiter`` (or each key of a ``KeyedRateLimiter``) admits calls.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `permitsPerSecond` | required | the sustained rate; may be fractional (`0.5` is one call every 2 s) |
/// | `burst` | max(1, `permitsPerSecond`) | the bucket size: how many permits may be taken at once after a quiet period; the bucket starts full |
/// | `maxWait` | 0 | how long a call may wait for its permits; 0 rejects at once when none is available |
///
/// ```swift
/// // 2.5 calls per second on average, at most 5 back to back, callers wait up to 1 s for a permit.
/// let limiter = RateLimiter(
///     name: "geocoder",
///     configuration: RateLimiterConfiguration(permitsPerSecond: 2.5, burst: 5, maxWait: .seconds(1)))
/// ```
///
/// Numbers are used exactly: `permitsPerSecond` and `burst` may have at most 9 decimal places (so
/// `1.0 / 3.0` is refused: write the rate you mean, e.g. `0.333333333`), and every instant the limiter
/// computes is exact to the attosecond, rounded up (never early).
///
/// ``validate()`` rejects a value outside its allowed range with a ``ConfigurationError`` naming the
/// key, the value and the range; nothing is clamped.
public struct RateLimiterConfiguration: Sendable, Hashable {
    /// Permits added to the bucket per second. In (0, 1 000 000 000], at most 9 decimal places.
    public var permitsPerSecond: Double
    /// The bucket size, in permits. In [1, 1 000 000 000], at most 9 decimal places. Default:
    /// max(1, `permitsPerSecond`) as computed when the configuration is created; changing
    /// `permitsPerSecond` afterwards does not change it.
    ///
    /// A call takes whole permits, so a burst of 2.5 lets 2 calls through at once and the third
    /// (after a quiet period) when the missing half permit has been added.
    public var burst: Double
    /// How long a call may wait for its permits. ≥ 0. Default: 0 (reject at once).
    ///
    /// A call that would have to wait longer is rejected immediately (it does not wait and then fail),
    /// with the exact `retryAfter`.
    public var maxWait: Duration

    /// A configuration with the documented defaults, changed where you pass a value.
    public init(permitsPerSecond: Double, burst: Double? = nil, maxWait: Duration = .zero) {
        self.permitsPerSecond = permitsPerSecond
        self.burst = burst ?? max(1, permitsPerSecond)
        self.maxWait = maxWait
    }

    /// The highest `permitsPerSecond` and `burst`.
    public static let maximumPermits: Double = 1_000_000_000

    /// Checks every key against its allowed range.
    /// - Throws: ``ConfigurationError`` for the first key out of range, naming key, value and range.
    public func validate() throws(ConfigurationError) {
        _ = try ValidatedRateLimiterConfiguration(self)
    }
}

/// A token-bucket configuration that passed validation, with its numbers in exact form: the time one
/// permit takes to be added and the time the whole bucket takes, as `ExactSpan`s over one
/// denominator.
@usableFromInline
struct ValidatedRateLimiterConfiguration: Sendable {
    let raw: RateLimiterConfiguration
    /// The denominator of every fraction of an attosecond below.
    @usableFromInline let denominator: Int128
    /// The time one permit takes to be added: 1 / `permitsPerSecond` seconds.
    @usableFromInline let perPermit: ExactSpan
    /// The time a whole bucket takes to be added: `burst` / `permitsPerSecond` seconds.
    @usableFromInline let capacity: ExactSpan
    /// The most permits one call may take: ⌊`burst`⌋.
    @usableFromInline let maximumCost: Int
    @usableFromInline let maxWaitAttoseconds: Int128

    init(_ configuration: RateLimiterConfiguration) throws(ConfigurationError) {
        let c = configuration
        let places = "at most \(ExactRatio.maximumDecimalPlaces) decimal places"
        let maximum = RateLimiterConfiguration.maximumPermits
        guard c.permitsPerSecond > 0, c.permitsPerSecond <= maximum, let rate = ExactRatio(c.permitsPerSecond) else {
            throw ConfigurationError(
                key: "permitsPerSecond", value: "\(c.permitsPerSecond)", allowed: "(0, 1000000000], with \(places)")
        }
        guard c.burst >= 1, c.burst <= maximum, let burst = ExactRatio(c.burst) else {
            throw ConfigurationError(key: "burst", value: "\(c.burst)", allowed: "[1, 1000000000], with \(places)")
        }
        try ConfigurationError.check(c.maxWait >= .zero, "maxWait", DurationText.format(c.maxWait), ">= 0")
        raw = configuration

        // rate = r / q permits per second, burst = b / p permits, both in lowest terms.
        let rateDivisor = greatestCommonDivisor(Int128(rate.numerator), Int128(rate.denominator))
        let r = Int128(rate.numerator) / rateDivisor
        let q = Int128(rate.denominator) / rateDivisor
        let burstDivisor = greatestCommonDivisor(Int128(burst.numerator), Int128(burst.denominator))
        let b = Int128(burst.numerator) / burstDivisor
        let p = Int128(burst.denominator) / burstDivisor
        let attosecondsPerSecond: Int128 = 1_000_000_000_000_000_000
        // One permit: q / r s = q·10¹⁸·p / (r·p) as. r < 9·10¹⁵ (ExactRatio's limit) and p ≤ 10⁹, so the
        // denominator stays below 9·10²⁴ and the numerator below 10³⁶: no overflow.
        denominator = r * p
        perPermit = ExactSpan(numerator: q * attosecondsPerSecond * p, denominator: denominator)
        // The bucket: (b / p)·(q / r) s = ⌊b/p⌋ permits + (b mod p)·q·10¹⁸ / (r·p) as, computed in two
        // parts so that no product exceeds 10³⁶.
        let wholePermits = Int((b / p))
        let partOfPermit = ExactSpan(numerator: (b % p) * q * attosecondsPerSecond, denominator: denominator)
        capacity = perPermit.multiplied(by: wholePermits, denominator: denominator)
            .adding(partOfPermit, denominator: denominator)
        maximumCost = wholePermits
        maxWaitAttoseconds = c.maxWait.attoseconds
    }

    /// The time `cost` permits take to be added.
    @inlinable
    func span(ofCost cost: Int) -> ExactSpan {
        cost == 1 ? perPermit : perPermit.multiplied(by: cost, denominator: denominator)
    }
}
