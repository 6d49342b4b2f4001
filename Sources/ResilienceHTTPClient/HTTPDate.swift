/// An HTTP-date (RFC 9110 §5.6.7) as whole seconds since 1970-01-01T00:00:00Z, read from any of the three
/// formats a recipient must accept:
///
/// - IMF-fixdate, the one senders use: `Sun, 06 Nov 1994 08:49:37 GMT`;
/// - the obsolete RFC 850 format: `Sunday, 06-Nov-94 08:49:37 GMT`, whose two-digit year is read as the
///   year with those last two digits that is at most 50 years after the current one (a year that would be
///   more than 50 years in the future is taken from the previous century);
/// - the obsolete asctime format: `Sun Nov  6 08:49:37 1994`.
///
/// The grammar is matched exactly, case-sensitively as the RFC says: names of days and months, `GMT`,
/// one space between fields, two-digit day, hour, minute and second. Calendar values are checked (no
/// 30 February, hour ≤ 23, minute ≤ 59, second ≤ 60 — 60 being a leap second, read as the next minute's
/// first second). The day name must be one of the seven but is not checked against the date, as the RFC
/// asks recipients to be robust there. Anything else is not a date (`nil`).
struct HTTPDate: Hashable, Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    var secondsSince1970: Int64

    static let shortDayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    static let longDayNames = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
    }

    /// Parses `text` (without surrounding whitespace) in any of the three formats; `currentYear` decides
    /// the century of an RFC 850 date.
    init?(parsing text: some StringProtocol, currentYear: Int64) {
        var scanner = Scanner(bytes: Array(text.utf8))
        guard let date = Self.imfFixdate(&scanner) ?? Self.rfc850(&scanner, currentYear: currentYear)
            ?? Self.asctime(&scanner)
        else { return nil }
        self = date
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT`
    private static func imfFixdate(_ scanner: inout Scanner) -> HTTPDate? {
        scanner.position = 0
        guard scanner.word(in: shortDayNames) != nil, scanner.literal(", "),
            let day = scanner.digits(2), scanner.literal(" "),
            let month = scanner.word(in: monthNames), scanner.literal(" "),
            let year = scanner.digits(4), scanner.literal(" "),
            let time = scanner.timeOfDay(), scanner.literal(" GMT"), scanner.atEnd
        else { return nil }
        return make(year: year, month: Int64(month + 1), day: day, time: time)
    }

    /// `Sunday, 06-Nov-94 08:49:37 GMT`
    private static func rfc850(_ scanner: inout Scanner, currentYear: Int64) -> HTTPDate? {
        scanner.position = 0
        guard scanner.word(in: longDayNames) != nil, scanner.literal(", "),
            let day = scanner.digits(2), scanner.literal("-"),
            let month = scanner.word(in: monthNames), scanner.literal("-"),
            let shortYear = scanner.digits(2), scanner.literal(" "),
            let time = scanner.timeOfDay(), scanner.literal(" GMT"), scanner.atEnd
        else { return nil }
        var year = currentYear - currentYear % 100 + shortYear
        if year - currentYear > 50 { year -= 100 }
        return make(year: year, month: Int64(month + 1), day: day, time: time)
    }

    /// `Sun Nov  6 08:49:37 1994` (or `Sun Nov 16 ...`)
    private static func asctime(_ scanner: inout Scanner) -> HTTPDate? {
        scanner.position = 0
        guard scanner.word(in: shortDayNames) != nil, scanner.literal(" "),
            let month = scanner.word(in: monthNames), scanner.literal(" ")
        else { return nil }
        let day: Int64
        if scanner.literal(" "), let digit = scanner.digits(1) {
            day = digit
        } else if let digits = scanner.digits(2) {
            day = digits
        } else {
            return nil
        }
        guard scanner.literal(" "), let time = scanner.timeOfDay(), scanner.literal(" "),
            let year = scanner.digits(4), scanner.atEnd
        else { return nil }
        return make(year: year, month: Int64(month + 1), day: day, time: time)
    }

    /// The date, or `nil` when a field is out of its calendar range.
    private static func make(year: Int64, month: Int64, day: Int64, time: (Int64, Int64, Int64)) -> HTTPDate? {
        let (hour, minute, second) = time
        guard (1...daysInMonth(year: year, month: month)).contains(day), hour <= 23, minute <= 59, second <= 60 else {
            return nil
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        return HTTPDate(secondsSince1970: days * 86_400 + hour * 3_600 + minute * 60 + second)
    }

    static func isLeapYear(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The year (proleptic Gregorian, UTC) of an instant given in seconds since 1970.
    static func year(ofSecondsSince1970 seconds: Int64) -> Int64 {
        // Howard Hinnant's `civil_from_days`, keeping only the year.
        let z = (seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// A cursor over the bytes of a field value.
    struct Scanner {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position == bytes.count }

        /// Consumes `text` if the bytes continue with it.
        mutating func literal(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard bytes.count - position >= count else { return false }
            let matches = text.withUTF8Buffer { expected in
                expected.indices.allSatisfy { bytes[position + $0] == expected[$0] }
            }
            if matches { position += count }
            return matches
        }

        /// Consumes one of `words` (the longest that matches) and returns its index.
        mutating func word(in words: [String]) -> Int? {
            var best: (index: Int, length: Int)?
            for (index, word) in words.enumerated() {
                let utf8 = Array(word.utf8)
                guard bytes.count - position >= utf8.count, bytes[position..<position + utf8.count].elementsEqual(utf8)
                else { continue }
                if utf8.count > best?.length ?? 0 { best = (index, utf8.count) }
            }
            guard let best else { return nil }
            position += best.length
            return best.index
        }

        /// Consumes exactly `count` ASCII digits and returns their value.
        mutating func digits(_ count: Int) -> Int64? {
            guard bytes.count - position >= count else { return nil }
            var value: Int64 = 0
            for offset in 0..<count {
                let byte = bytes[position + offset]
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            position += count
            return value
        }

        /// Consumes `hh:mm:ss`.
        mutating func timeOfDay() -> (Int64, Int64, Int64)? {
            guard let hour = digits(2), literal(":"), let minute = digits(2), literal(":"), let second = digits(2) else {
                return nil
            }
            return (hour, minute, second)
        }
    }
}
