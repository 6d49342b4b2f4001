/// Number formatting shared by the report's JSON, table and charts: fixed decimals computed without
/// Foundation, deterministic for a given input, never `nan` or `inf`.
enum ReportNumber {
    /// `numerator / denominator` rounded half up to `decimals` fractional digits, computed exactly in
    /// integers (`fixedRatio(1, 3, decimals: 6)` is `0.333333`); `"0.000000"` (with that many zeros)
    /// when `denominator` is zero.
    static func fixedRatio(_ numerator: Int, _ denominator: Int, decimals: Int) -> String {
        guard denominator != 0 else { return fixedDecimals(scaled: 0, decimals: decimals) }
        var scale: Int128 = 1
        for _ in 0..<decimals { scale *= 10 }
        let numerator = Int128(numerator) * scale
        let denominator = Int128(denominator)
        let negative = (numerator < 0) != (denominator < 0)
        let magnitude = (numerator.magnitude * 2 + denominator.magnitude) / (denominator.magnitude * 2)
        let scaled = negative && magnitude != 0 ? -Int128(magnitude) : Int128(magnitude)
        return fixedDecimals(scaled: scaled, decimals: decimals)
    }

    /// `value` rounded to nearest (ties away from zero) with `decimals` fractional digits (`0` for a
    /// value that is not finite: the report never writes `nan` or `inf`).
    static func fixed(_ value: Double, decimals: Int) -> String {
        fixed(value, decimals: decimals, rounding: .toNearestOrAwayFromZero)
    }

    /// `value` rounded down (towards minus infinity) to `decimals` fractional digits, so that a value
    /// just below a bound never shows as the bound (99.96 % shows as `99.9`, not `100.0`).
    static func fixedRoundedDown(_ value: Double, decimals: Int) -> String {
        fixed(value, decimals: decimals, rounding: .down)
    }

    private static func fixed(_ value: Double, decimals: Int, rounding: FloatingPointRoundingRule) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaledValue = (value * scale).rounded(rounding)
        guard scaledValue.isFinite, scaledValue.magnitude < 1e30 else {
            return fixedDecimals(scaled: 0, decimals: decimals)
        }
        return fixedDecimals(scaled: Int128(scaledValue), decimals: decimals)
    }

    /// A number for an SVG attribute: at most 2 decimals, no trailing zeros, `0` when not finite.
    static func svg(_ value: Double) -> String {
        var text = fixed(value, decimals: 2)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }

    /// Milliseconds to about 3 significant digits for people: `0.512`, `4.35`, `20.1`, `1250`.
    static func milliseconds(_ duration: Duration) -> String {
        let value = Self.milliseconds(of: duration)
        if value < 1 { return fixed(value, decimals: 3) }
        if value < 10 { return fixed(value, decimals: 2) }
        if value < 100 { return fixed(value, decimals: 1) }
        return fixed(value, decimals: 0)
    }

    /// Seconds with 2 decimals for people (`1.25`).
    static func seconds(_ duration: Duration) -> String {
        fixed(Self.seconds(of: duration), decimals: 2)
    }

    /// `duration` in milliseconds, as a double.
    static func milliseconds(of duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
    }

    /// `duration` in seconds, as a double.
    static func seconds(of duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// An integer with thin grouping for people: `120000` → `120,000`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return value < 0 ? "-" + result : result
    }

    private static func fixedDecimals(scaled: Int128, decimals: Int) -> String {
        let sign = scaled < 0 ? "-" : ""
        let digits = String(scaled.magnitude)
        guard decimals > 0 else { return sign + digits }
        let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
        let split = padded.index(padded.endIndex, offsetBy: -decimals)
        return sign + padded[..<split] + "." + padded[split...]
    }
}
