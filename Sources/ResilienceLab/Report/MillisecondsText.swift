import ResilienceConfiguration

/// Writes durations as milliseconds for the lab's JSON output, exactly.
///
/// A `Duration` is a whole number of attoseconds, and a millisecond is 10¹⁵ attoseconds, so every
/// duration has an exact decimal number of milliseconds with at most 15 fractional digits: an integer
/// when the duration is a whole number of milliseconds (`200`), otherwise the decimal with its trailing
/// zeros removed (`153.25`, `0.000000000000001`). No floating point is involved, so no value is rounded.
enum MillisecondsText {
    /// Attoseconds in a millisecond.
    static let attosecondsPerMillisecond: UInt128 = 1_000_000_000_000_000
    /// Fractional digits of a millisecond that an attosecond needs.
    static let fractionalDigits = 15

    /// `duration` in milliseconds, as a JSON number.
    static func format(_ duration: Duration) -> String {
        let attoseconds = duration.attoseconds
        let sign = attoseconds < 0 ? "-" : ""
        let magnitude = attoseconds.magnitude
        let whole = magnitude / attosecondsPerMillisecond
        var fraction = magnitude % attosecondsPerMillisecond
        guard fraction != 0 else { return "\(sign)\(whole)" }
        var digits = fractionalDigits
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = String(fraction)
        return "\(sign)\(whole)." + String(repeating: "0", count: digits - text.count) + text
    }
}

extension JSONWriter.Value {
    /// Exact milliseconds (``MillisecondsText``): `200`, `153.25`.
    static func milliseconds(_ duration: Duration) -> Self {
        .numberText(MillisecondsText.format(duration))
    }

    /// `numerator / denominator` with exactly `decimals` fractional digits, rounded half up
    /// (``ReportNumber/fixedRatio(_:_:decimals:)``): `0.791667`, `0.125000`.
    static func ratio(_ numerator: Int, _ denominator: Int, decimals: Int) -> Self {
        .numberText(ReportNumber.fixedRatio(numerator, denominator, decimals: decimals))
    }
}
