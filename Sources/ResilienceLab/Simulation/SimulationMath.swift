import Resilience
import ResilienceConfiguration

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The exact transforms from ``SplitMix64``'s bits to the numbers the simulator needs. Every model
/// draws through these, so a seed gives the same numbers on every platform with IEEE 754 doubles and a
/// correctly rounded `log` (glibc's and Apple's libm agree on the inputs drawn here).
enum SimulationMath {
    /// `2⁻⁵³`: the spacing of the doubles drawn by ``unitInterval(_:)``.
    static let twoToMinus53 = 1.0 / 9_007_199_254_740_992.0

    /// A uniform double in `[0, 1)`: the top 53 bits of one draw times `2⁻⁵³`.
    @inline(__always)
    static func unitInterval(_ random: inout SplitMix64) -> Double {
        Double(random.next() >> 11) * twoToMinus53
    }

    /// A uniform double in `(0, 1]`: (the top 53 bits of one draw + 1) times `2⁻⁵³`; never 0, so its
    /// logarithm is finite (at most 36.7 in magnitude).
    @inline(__always)
    static func openClosedUnitInterval(_ random: inout SplitMix64) -> Double {
        Double((random.next() >> 11) + 1) * twoToMinus53
    }

    /// An exponential variate with mean 1 by inversion of its distribution function: `−ln U` with `U`
    /// from ``openClosedUnitInterval(_:)`` (one draw; at most 36.7).
    @inline(__always)
    static func standardExponential(_ random: inout SplitMix64) -> Double {
        -log(openClosedUnitInterval(&random))
    }

    /// A standard normal variate by the Box–Muller transform, cosine branch only:
    /// `√(−2 ln U₁) · cos(2π U₂)` with `U₁` from ``openClosedUnitInterval(_:)`` and `U₂` from
    /// ``unitInterval(_:)`` (two draws, in that order; the sine branch is discarded so that every sample
    /// costs the same draws). Its magnitude is at most 8.57.
    @inline(__always)
    static func standardNormal(_ random: inout SplitMix64) -> Double {
        let radius = (-2 * log(openClosedUnitInterval(&random))).squareRoot()
        let angle = 2 * Double.pi * unitInterval(&random)
        return radius * cos(angle)
    }

    /// A uniform index in `0..<count` by Lemire's multiply-shift: the high 64 bits of `draw × count`
    /// (one draw; the bias is below `count / 2⁶⁴`).
    @inline(__always)
    static func index(below count: Int, _ random: inout SplitMix64) -> Int {
        Int(truncatingIfNeeded: random.next().multipliedFullWidth(by: UInt64(count)).high)
    }

    static func naturalLog(_ value: Double) -> Double { log(value) }
    static func exponential(_ value: Double) -> Double { exp(value) }
    static func power(_ base: Double, _ exponent: Double) -> Double { pow(base, exponent) }

    /// Whole nanoseconds of a duration (truncated toward zero below a nanosecond).
    @inline(__always)
    static func nanoseconds(_ duration: Duration) -> Int64 {
        nanoseconds(attoseconds: duration.attoseconds)
    }

    /// Whole nanoseconds of `attoseconds` (truncated toward zero below a nanosecond). Below 18.4 s (the
    /// simulator's usual latencies and service times) one 64-bit division, without calling into
    /// `Duration`.
    @inline(__always)
    static func nanoseconds(attoseconds: Int128) -> Int64 {
        if attoseconds >= 0 && attoseconds <= Int128(UInt64.max) {
            return Int64(UInt64(truncatingIfNeeded: attoseconds) / 1_000_000_000)
        }
        let (seconds, remainder) = Duration(attoseconds: attoseconds).components
        return seconds &* 1_000_000_000 &+ remainder / 1_000_000_000
    }

    /// `a + b` on attoseconds: inline, where `Duration`'s `+` is a call into the runtime (same result,
    /// same trap on overflow).
    @inline(__always)
    static func sum(_ a: Duration, _ b: Duration) -> Duration {
        Duration(attoseconds: a.attoseconds + b.attoseconds)
    }

    /// A duration of `nanoseconds` rounded to the nearest whole nanosecond, limited to
    /// `0...Int64.max` ns (292 years) so that no sample can trap.
    @inline(__always)
    static func duration(nanoseconds: Double) -> Duration {
        if !(nanoseconds > 0) { return .zero }
        if nanoseconds >= 9.2e18 { return .nanoseconds(Int64.max) }
        return .nanoseconds(nearestInteger(nanoseconds))
    }

    /// `value` rounded to the nearest integer, halves away from zero — exactly `Int64(value.rounded())`
    /// for `value` in `0..<2⁶³`, without calling into libm (`rounded()` is a call to `round` on
    /// baseline x86-64): the conversion truncates in one instruction, and the fraction it drops is
    /// exact.
    @inline(__always)
    static func nearestInteger(_ value: Double) -> Int64 {
        let whole = Int64(value)
        return value - Double(whole) >= 0.5 ? whole + 1 : whole
    }
}
