#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One axis of a report chart: its range, how a value maps to a position, and its labelled ticks.
/// Every position is finite: values outside the range (or not finite) are clamped to its ends.
struct ChartAxis {
    /// A labelled tick.
    struct Tick {
        var value: Double
        var label: String
    }

    /// Linear from ``lower`` to ``upper``, or logarithmic (both bounds `> 0`).
    let logarithmic: Bool
    let lower: Double
    let upper: Double
    let ticks: [Tick]

    /// The position of `value` from 0 (``lower``) to 1 (``upper``), clamped.
    func fraction(_ value: Double) -> Double {
        guard value.isFinite else { return 0 }
        let position: Double
        if logarithmic {
            position = value <= lower ? 0 : (log10(value) - log10(lower)) / (log10(upper) - log10(lower))
        } else {
            position = (value - lower) / (upper - lower)
        }
        guard position.isFinite else { return 0 }
        return min(1, max(0, position))
    }

    /// A linear axis from 0 to a round number at or above `maximum` (1 when `maximum` is not
    /// positive), with 4 to 10 ticks at a round step; labels from `label`.
    static func linear(upTo maximum: Double, label: (Double) -> String) -> ChartAxis {
        let maximum = maximum.isFinite && maximum > 0 ? maximum : 1
        let step = roundStep(maximum / 5)
        let top = (maximum / step - 1e-9).rounded(.up) * step
        var ticks: [Tick] = []
        var index = 0.0
        while index * step <= top * (1 + 1e-9) {
            ticks.append(Tick(value: index * step, label: label(index * step)))
            index += 1
        }
        return ChartAxis(logarithmic: false, lower: 0, upper: top, ticks: ticks)
    }

    /// The percent axis: 0 to 100 with a tick every 20.
    static let percent = ChartAxis(
        logarithmic: false, lower: 0, upper: 100,
        ticks: stride(from: 0, through: 100, by: 20).map { Tick(value: Double($0), label: "\($0) %") })

    /// A logarithmic axis of milliseconds from the power of ten at or below `minimum` to the one at or
    /// above `maximum` (at least one decade; 1 ms to 1 s without data), ticked at each power of ten,
    /// and also at 2 and 5 times it when the range spans at most two decades.
    static func logarithmicMilliseconds(from minimum: Double, to maximum: Double) -> ChartAxis {
        guard minimum.isFinite, maximum.isFinite, minimum > 0, maximum > 0 else {
            return logarithmicMilliseconds(from: 1, to: 1_000)
        }
        let lowerExponent = Int(log10(minimum).rounded(.down))
        var upperExponent = Int(log10(maximum).rounded(.up))
        if upperExponent <= lowerExponent { upperExponent = lowerExponent + 1 }
        let lower = power(lowerExponent)
        let upper = power(upperExponent)
        let detailed = upperExponent - lowerExponent <= 2
        var ticks: [Tick] = []
        for exponent in lowerExponent...upperExponent {
            let decade = power(exponent)
            ticks.append(Tick(value: decade, label: millisecondsLabel(decade)))
            if detailed, exponent < upperExponent {
                ticks.append(Tick(value: 2 * decade, label: millisecondsLabel(2 * decade)))
                ticks.append(Tick(value: 5 * decade, label: millisecondsLabel(5 * decade)))
            }
        }
        return ChartAxis(logarithmic: true, lower: lower, upper: upper, ticks: ticks)
    }

    /// The time axis: seconds from 0 to `end` (1 when not positive), ticked at a round step.
    static func seconds(upTo end: Double) -> ChartAxis {
        let end = end.isFinite && end > 0 ? end : 1
        let step = roundStep(end / 8)
        var ticks: [Tick] = []
        var index = 0.0
        while index * step <= end * (1 + 1e-9) {
            ticks.append(Tick(value: index * step, label: numberLabel(index * step)))
            index += 1
        }
        return ChartAxis(logarithmic: false, lower: 0, upper: end, ticks: ticks)
    }

    /// The smallest of 1, 2, 2.5, 5 times a power of ten at or above `rough` (`> 0`).
    static func roundStep(_ rough: Double) -> Double {
        guard rough.isFinite, rough > 0 else { return 1 }
        let magnitude = power(Int(log10(rough).rounded(.down)))
        for multiple in [1, 2, 2.5, 5, 10] where multiple * magnitude >= rough * (1 - 1e-9) {
            return multiple * magnitude
        }
        return 10 * magnitude
    }

    /// `10^exponent`.
    static func power(_ exponent: Int) -> Double {
        var value = 1.0
        if exponent >= 0 {
            for _ in 0..<exponent { value *= 10 }
        } else {
            for _ in 0..<(-exponent) { value /= 10 }
        }
        return value
    }

    /// A tick label for a plain number: grouped integers (`1,500`), else up to 3 decimals.
    static func numberLabel(_ value: Double) -> String {
        if value == value.rounded(), value.magnitude < 1e15 { return ReportNumber.grouped(Int(value)) }
        var text = ReportNumber.fixed(value, decimals: 3)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A tick label for milliseconds: `0.5 ms`, `20 ms`, `1 s`, `2.5 s`.
    static func millisecondsLabel(_ milliseconds: Double) -> String {
        milliseconds >= 1_000 ? numberLabel(milliseconds / 1_000) + " s" : numberLabel(milliseconds) + " ms"
    }
}
