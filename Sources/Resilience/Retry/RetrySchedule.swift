/// The delays of one call's retries: backoff, jitter and cap, computed exactly. Pure: the random source
/// is passed in, so a test or `resilience-lab schedule` gets exact, repeatable delays.
///
/// For retry n (n = 1 before the second attempt), the backoff gives d:
/// - `constant`: d = base; `linear`: d = base × n; `exponential`: d = base × multiplier^(n−1), computed
///   step by step as d(n) = d(n−1) × multiplier in exact integer arithmetic on attoseconds (the
///   multiplier is an exact decimal; each step rounds down to a whole attosecond). Durations saturate
///   at the largest `Duration` instead of overflowing.
///
/// The jitter then draws the delay x in [lower, upper]: `none` [d, d], `full` [0, d], `equal` [d/2, d],
/// `decorrelated` [base, max(base, previous × 3)]. The draw is
/// `x = lower + ⌊(upper − lower + 1 attosecond) × r / 2⁶⁴⌋` for the next `UInt64` r of the random
/// source (none is taken for `none`), so r = 0 gives `lower`. Finally the delay is min(x, `maxDelay`).
///
/// A server hint (`Retry-After`) replaces all of this: the delay is min(hint, `maxDelay`).
@usableFromInline package struct RetrySchedule: Sendable {
    /// One computed delay.
    @usableFromInline package struct Delay: Sendable, Hashable {
        /// The retry this delay precedes, from 1.
        @usableFromInline package var retry: Int
        /// How long to wait: the drawn value, capped by `maxDelay`.
        @usableFromInline package var delay: Duration
        /// The lower bound of the jitter's range (before the cap).
        @usableFromInline package var lowerBound: Duration
        /// The upper bound of the jitter's range (before the cap).
        @usableFromInline package var upperBound: Duration
        /// Whether the delay came from a server hint rather than the backoff.
        @usableFromInline package var isHint: Bool
    }

    let settings: ValidatedRetryConfiguration
    /// The backoff's d for the next retry, in attoseconds.
    var backoffValue: Int128
    /// The delay of the previous retry (decorrelated jitter), in attoseconds.
    var previousDelay: Int128
    /// The number of delays computed so far.
    @usableFromInline package private(set) var retries = 0

    /// A schedule for one call under `configuration`.
    /// - Throws: ``ConfigurationError`` naming the invalid key.
    @usableFromInline package init(configuration: RetryConfiguration) throws(ConfigurationError) {
        self.init(validated: try ValidatedRetryConfiguration(configuration))
    }

    init(validated: ValidatedRetryConfiguration) {
        settings = validated
        backoffValue = validated.baseAttoseconds
        previousDelay = validated.baseAttoseconds
    }

    /// The delay before the next retry.
    /// - Parameters:
    ///   - hint: a server's `Retry-After`, which replaces the backoff when present.
    ///   - random: the random source for the jitter.
    @usableFromInline package mutating func next(hint: Duration? = nil, using random: inout some RandomNumberGenerator) -> Delay {
        retries += 1
        let base = settings.baseAttoseconds
        let lower: Int128, upper: Int128, drawn: Int128
        if let hint {
            lower = max(hint.attoseconds, 0)
            upper = lower
            drawn = lower
        } else {
            let d = backoffValue
            switch settings.raw.jitter {
            case .none: (lower, upper) = (d, d)
            case .full: (lower, upper) = (0, d)
            case .equal: (lower, upper) = (d / 2, d)
            case .decorrelated: (lower, upper) = (base, max(base, Self.saturatingProduct(previousDelay, 3)))
            }
            drawn = settings.raw.jitter == .none ? d : Self.uniform(lower, upper, random.next())
        }
        let delay = min(drawn, settings.maxAttoseconds)
        previousDelay = delay
        advanceBackoff()
        return Delay(
            retry: retries, delay: Duration(attoseconds: delay), lowerBound: Duration(attoseconds: lower),
            upperBound: Duration(attoseconds: upper), isHint: hint != nil)
    }

    /// Moves the backoff's d to the value for the next retry.
    mutating func advanceBackoff() {
        let base = settings.baseAttoseconds
        switch settings.raw.backoff {
        case .constant:
            backoffValue = base
        case .linear:
            backoffValue = Self.saturatingProduct(base, Int128(retries + 1))
        case .exponential:
            let ratio = settings.multiplier
            backoffValue = Self.saturatingScale(backoffValue, by: Int128(ratio.numerator), over: Int128(ratio.denominator))
        }
    }

    /// `a × b`, or `Int128.max` when that overflows (both are non-negative).
    static func saturatingProduct(_ a: Int128, _ b: Int128) -> Int128 {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : product
    }

    /// `⌊value × numerator / denominator⌋` through a 256-bit intermediate, or `Int128.max` when the result
    /// does not fit (all non-negative, denominator > 0).
    static func saturatingScale(_ value: Int128, by numerator: Int128, over denominator: Int128) -> Int128 {
        let product = UInt128(value).multipliedFullWidth(by: UInt128(numerator))
        guard product.high < UInt128(denominator) else { return .max }
        let quotient = UInt128(denominator).dividingFullWidth(product).quotient
        return quotient > UInt128(Int128.max) ? .max : Int128(quotient)
    }

    /// `lower + ⌊(upper − lower + 1) × r / 2⁶⁴⌋`: uniform over [lower, upper] for a uniform r.
    static func uniform(_ lower: Int128, _ upper: Int128, _ r: UInt64) -> Int128 {
        let span = UInt128(upper - lower) + 1
        let product = span.multipliedFullWidth(by: UInt128(r))
        let offset = product.high << 64 | product.low >> 64
        return lower + Int128(offset)
    }
}
