/// A non-negative decimal (a ratio, a multiplier) held as an exact decimal fraction, so threshold comparisons have no
/// floating-point surprises: `ceil(5 × 0.6)` is 3, and 3 failures of 6 calls reach a ratio of 0.5.
@usableFromInline
struct ExactRatio: Sendable, Hashable {
    /// The most decimal places a ratio may have.
    static let maximumDecimalPlaces = 9

    @usableFromInline let numerator: Int64
    @usableFromInline let denominator: Int64

    /// The exact decimal fraction that `value` was written as, or `nil` when it needs more than
    /// ``maximumDecimalPlaces`` decimal places (for example `1.0 / 3.0`).
    init?(_ value: Double) {
        guard value.isFinite else { return nil }
        var denominator: Int64 = 1
        for _ in 0...Self.maximumDecimalPlaces {
            // The product may be off by one ulp (1.000000001 × 10⁹ is 1000000001.0000001): round it, and
            // accept only if the fraction gives back exactly the value.
            let scaled = (value * Double(denominator)).rounded()
            if abs(scaled) < 9e15 {
                let numerator = Int64(scaled)
                // Round trip: the fraction must give back exactly the value the user wrote.
                if Double(numerator) / Double(denominator) == value {
                    self.numerator = numerator
                    self.denominator = denominator
                    return
                }
            }
            denominator *= 10
        }
        return nil
    }

    /// The exact form of a ratio in (0, 1] read from the configuration key `key`.
    /// - Throws: ``ConfigurationError`` naming `key` when `value` is out of range or has too many
    ///   decimal places.
    static func fraction(_ value: Double, key: String) throws(ConfigurationError) -> ExactRatio {
        guard value > 0, value <= 1, let exact = ExactRatio(value) else {
            throw ConfigurationError(
                key: key, value: "\(value)", allowed: "(0, 1] with at most \(maximumDecimalPlaces) decimal places")
        }
        return exact
    }

    /// Whether `part / whole ≥ self`. `whole` must be positive.
    @inlinable
    func isReached(by part: Int, of whole: Int) -> Bool {
        Int128(part) * Int128(denominator) >= Int128(numerator) * Int128(whole)
    }

    /// `ceil(count × self)`, exactly.
    func ceilOfProduct(with count: Int) -> Int {
        let product = Int128(count) * Int128(numerator)
        let denominator = Int128(self.denominator)
        return Int((product + denominator - 1) / denominator)
    }
}
