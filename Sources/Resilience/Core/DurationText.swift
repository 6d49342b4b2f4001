/// Durations written as text the way configuration files write them: a decimal number and a unit.
///
/// Units: `ns`, `us`, `ms`, `s`, `m`, `h` — `"250ms"`, `"1.5s"`, `"2m"`, `"1h"`. The number is a
/// plain non-negative decimal (no sign, no exponent); the result is exact to the nanosecond.
package enum DurationText {
    /// Why a text is not a duration.
    package struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong with a text.
        package enum Problem: Sendable, Hashable {
            /// It is not a number followed by a unit.
            case notADuration
            /// It is a duration, longer than ``DurationText/maximum``.
            case tooLarge
            /// It is a duration, with a part of a nanosecond (`"0.5ns"`).
            case partOfANanosecond
        }

        /// The text that was given.
        package var text: String
        /// What is wrong with it.
        package var problem: Problem

        package init(text: String, problem: Problem = .notADuration) {
            self.text = text
            self.problem = problem
        }

        package var description: String {
            switch problem {
            case .notADuration:
                "\"\(text)\" is not a duration; write a number and a unit: ns, us, ms, s, m or h (e.g. \"250ms\", \"1.5s\", \"2m\")"
            case .tooLarge:
                "\"\(text)\" is too large; the maximum duration is \(DurationText.maximumText) (about 292 years)"
            case .partOfANanosecond:
                "\"\(text)\" is not a whole number of nanoseconds"
            }
        }
    }

    /// The longest duration a text may give: `Int64.max` nanoseconds, 2562047h 47m 16.854775807s.
    package static let maximum = Duration.nanoseconds(Int64.max)
    /// ``maximum`` as a text ``parse(_:)`` reads.
    package static let maximumText = "9223372036.854775807s"

    private static let units: [(suffix: String, nanoseconds: Int128)] = [
        ("ns", 1), ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
        ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    /// Parses `"250ms"`, `"1.5s"`, `"2m"` and the like.
    /// - Throws: ``ParseError`` naming the text when it is not a number followed by a known unit, when
    ///   it is longer than ``maximum`` (`.tooLarge`), or when it is not a whole number of nanoseconds.
    package static func parse(_ text: String) throws(ParseError) -> Duration {
        let error = ParseError(text: text)
        // Longest suffix first, so "ms" is not read as "m" + "s".
        guard let unit = units.sorted(by: { $0.suffix.count > $1.suffix.count })
            .first(where: { text.hasSuffix($0.suffix) })
        else { throw error }
        let number = text.dropLast(unit.suffix.count)
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2,
              let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit)
        else { throw error }
        let tooLarge = ParseError(text: text, problem: .tooLarge)
        // Leading zeros aside, 19 digits hold any whole number up to the maximum (and overflow no Int128).
        let significant = whole.drop { $0 == "0" }
        guard significant.count <= 19 else { throw tooLarge }
        let wholeValue = Int128(significant) ?? 0
        var nanoseconds = wholeValue * unit.nanoseconds
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.allSatisfy(\.isASCIIDigit), fraction.count <= 18,
                  let fractionValue = Int128(fraction)
            else { throw error }
            var scale: Int128 = 1
            for _ in 0..<fraction.count { scale *= 10 }
            let scaled = fractionValue * unit.nanoseconds
            guard scaled % scale == 0 else { throw ParseError(text: text, problem: .partOfANanosecond) }
            nanoseconds += scaled / scale
        }
        guard nanoseconds <= Int128(Int64.max) else { throw tooLarge }
        return .nanoseconds(Int64(nanoseconds))
    }

    /// Writes a duration for a log line or a description: to the millisecond from 1 ms up
    /// (`"76ms"`, `"3.254s"`, `"2m"`), to the microsecond below (`"420us"`).
    package static func rounded(_ duration: Duration) -> String {
        let attoseconds = duration.attoseconds
        let step: Int128 = attoseconds.magnitude >= 1_000_000_000_000_000 ? 1_000_000_000_000_000 : 1_000_000_000_000
        let rounded = (attoseconds + (attoseconds < 0 ? -step / 2 : step / 2)) / step * step
        return format(Duration(attoseconds: rounded))
    }

    /// Writes a duration with the largest unit that shows it exactly, e.g. `"250ms"`, `"1.5s"`, `"2m"`.
    package static func format(_ duration: Duration) -> String {
        let attoseconds = duration.attoseconds
        let sign = attoseconds < 0 ? "-" : ""
        let magnitude = attoseconds.magnitude
        let nanosecondInAttoseconds: UInt128 = 1_000_000_000
        guard magnitude % nanosecondInAttoseconds == 0 else { return "\(duration)" }
        let nanoseconds = magnitude / nanosecondInAttoseconds
        if nanoseconds == 0 { return "0s" }
        for (suffix, size) in units.reversed() {
            let size = UInt128(size)
            // Whole units, or up to three decimals of the unit (but not below the next unit's size).
            if nanoseconds % size == 0 { return "\(sign)\(nanoseconds / size)\(suffix)" }
            if nanoseconds >= size, (nanoseconds * 1000) % size == 0 {
                let thousandths = nanoseconds * 1000 / size
                var fraction = String(thousandths % 1000)
                fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
                while fraction.hasSuffix("0") { fraction.removeLast() }
                return "\(sign)\(thousandths / 1000).\(fraction)\(suffix)"
            }
        }
        return "\(sign)\(nanoseconds)ns"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
