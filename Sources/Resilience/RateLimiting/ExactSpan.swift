/// A span of time held exactly: whole attoseconds plus a fraction of an attosecond, the fraction being
/// `fraction / denominator` with a denominator that the owner keeps (one per rate).
///
/// A rate of 3 permits per second spaces permits 1/3 s = 333 333 333 333 333 333⅓ attoseconds apart; held
/// as a rounded number of attoseconds, the error would grow with every permit (after 3 × 10⁹ permits the
/// limiter would be a whole second off). Held exactly, the 3 000th permit is due at exactly 1 000 s.
///
/// `whole` is the floor (it may be negative); `fraction` is always in `0..<denominator`.
@usableFromInline
struct ExactSpan: Sendable, Hashable, Comparable {
    @usableFromInline var whole: Int128
    @usableFromInline var fraction: Int128

    @inlinable
    init(whole: Int128, fraction: Int128) {
        self.whole = whole
        self.fraction = fraction
    }

    /// Exactly `attoseconds`.
    @inlinable
    init(attoseconds: Int128) {
        whole = attoseconds
        fraction = 0
    }

    /// `numerator / denominator` attoseconds. `numerator ≥ 0`, `denominator > 0`.
    @inlinable
    init(numerator: Int128, denominator: Int128) {
        whole = numerator / denominator
        fraction = numerator % denominator
    }

    /// The smallest whole number of attoseconds at or after this span: rounding up, so that an instant
    /// computed from it is never early.
    @inlinable
    var ceiling: Int128 { fraction == 0 ? whole : whole + 1 }

    @inlinable
    func adding(_ other: ExactSpan, denominator: Int128) -> ExactSpan {
        var sum = ExactSpan(whole: whole + other.whole, fraction: fraction + other.fraction)
        if sum.fraction >= denominator {
            sum.fraction -= denominator
            sum.whole += 1
        }
        return sum
    }

    @inlinable
    func subtracting(_ other: ExactSpan, denominator: Int128) -> ExactSpan {
        var difference = ExactSpan(whole: whole - other.whole, fraction: fraction - other.fraction)
        if difference.fraction < 0 {
            difference.fraction += denominator
            difference.whole -= 1
        }
        return difference
    }

    /// This span `count` times (`count ≥ 0`).
    @inlinable
    func multiplied(by count: Int, denominator: Int128) -> ExactSpan {
        let fractions = fraction * Int128(count)
        return ExactSpan(whole: whole * Int128(count) + fractions / denominator, fraction: fractions % denominator)
    }

    /// Whether this span is at most `attoseconds`.
    @inlinable
    func isAtMost(_ attoseconds: Int128) -> Bool {
        whole < attoseconds || (whole == attoseconds && fraction == 0)
    }

    /// The later of this span and `attoseconds`.
    @inlinable
    func atLeast(_ attoseconds: Int128) -> ExactSpan {
        isAtMost(attoseconds) ? ExactSpan(attoseconds: attoseconds) : self
    }

    /// An approximation, for display only.
    func attosecondsApproximately(denominator: Int128) -> Double {
        Double(whole) + Double(fraction) / Double(denominator)
    }

    @inlinable
    static func < (lhs: ExactSpan, rhs: ExactSpan) -> Bool {
        lhs.whole < rhs.whole || (lhs.whole == rhs.whole && lhs.fraction < rhs.fraction)
    }
}

/// The greatest common divisor of two non-negative numbers.
func greatestCommonDivisor(_ a: Int128, _ b: Int128) -> Int128 {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
