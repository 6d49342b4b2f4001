import NIOHTTP1

#if canImport(FoundationEssentials)
import struct FoundationEssentials.Date
#else
import struct Foundation.Date
#endif

/// Reads the `Retry-After` response field (RFC 9110 §10.2.3): how long the server asks a client to wait
/// before its next request.
///
/// ```swift
/// RetryAfter.delay(fromFieldValue: "120", now: Date())                             // 120 s
/// RetryAfter.delay(fromFieldValue: "Sun, 06 Nov 1994 08:49:37 GMT", now: someDate) // the time until then, or 0
/// RetryAfter.delay(fromFieldValue: "soon", now: Date())                            // nil: no hint
/// ```
///
/// The value is either delay-seconds (one or more ASCII digits, nothing else: no sign, no fraction, no
/// unit) or an HTTP-date in any of the three formats RFC 9110 §5.6.7 requires a recipient to read
/// (IMF-fixdate, RFC 850, asctime; see the rules below). Surrounding spaces and tabs are ignored.
///
/// - A date in the past, or `now` itself, gives a delay of zero.
/// - delay-seconds beyond 2³¹ are read as 2³¹ seconds, as RFC 9111 §1.2.2 prescribes for delta-seconds.
/// - Anything else — empty, `-1`, `1.5`, `+5`, `5s`, a malformed date, 30 February — is *no hint*
///   (`nil`): never a delay of zero, so garbage cannot make a client retry at once. Other libraries'
///   users were hurt by both mistakes: seconds-only parsers that dropped HTTP-dates and retried a
///   throttling server within a second, and `parseInt`-style parsers that read garbage as 0.
///
/// Dates: matched exactly and case-sensitively as the RFC's grammar says (day and month names, `GMT`,
/// two-digit fields, single spaces). A two-digit RFC 850 year is the year with those last digits at most
/// 50 years after `now`'s year. Calendar values are checked; second 60 (a leap second) is the next
/// minute's first second. The day name must be a valid one but is not checked against the date.
public enum RetryAfter {
    /// The largest delay-seconds value kept as it is (2³¹); larger values are read as this.
    public static let maximumDelaySeconds: Int64 = 2_147_483_648

    /// The delay one `Retry-After` field value asks for, as of `now`, or `nil` when it is not a valid
    /// value (see the type's rules).
    /// - Parameters:
    ///   - value: the field value.
    ///   - now: the current time, against which an HTTP-date is read.
    public static func delay(fromFieldValue value: some StringProtocol, now: Date) -> Duration? {
        let trimmed = trimmingWhitespace(value)
        guard !trimmed.isEmpty else { return nil }
        if trimmed.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            return .seconds(deltaSeconds(trimmed.utf8))
        }
        let nowSeconds = now.timeIntervalSince1970
        let currentYear = HTTPDate.year(ofSecondsSince1970: Int64(nowSeconds.rounded(.down)))
        guard let date = HTTPDate(parsing: trimmed, currentYear: currentYear) else { return nil }
        let delay = Duration.seconds(date.secondsSince1970) - Duration.seconds(nowSeconds)
        return max(delay, .zero)
    }

    /// The delay a response's `Retry-After` field asks for, or `nil` when the response has none, has more
    /// than one (the field is a singleton: several are ambiguous), or its value is invalid.
    ///
    /// An HTTP-date is read against the response's own `Date` field when that is a valid IMF-fixdate
    /// (or other HTTP-date): both come from the server's clock, so the delay does not depend on how far the
    /// client's clock is from the server's. Without a valid `Date` field it is read against `localNow`.
    /// - Parameters:
    ///   - headers: the response's header fields.
    ///   - localNow: the client's current time, used when the response carries no valid `Date`.
    public static func delay(in headers: HTTPHeaders, localNow: Date) -> Duration? {
        let values = headers["Retry-After"]
        guard values.count == 1, let value = values.first else { return nil }
        return delay(fromFieldValue: value, now: serverNow(in: headers, localNow: localNow) ?? localNow)
    }

    /// The response's `Date` field as a date, when there is exactly one and it is a valid HTTP-date (the
    /// century of an RFC 850 one read against `localNow`).
    static func serverNow(in headers: HTTPHeaders, localNow: Date) -> Date? {
        let values = headers["Date"]
        guard values.count == 1, let value = values.first else { return nil }
        let currentYear = HTTPDate.year(ofSecondsSince1970: Int64(localNow.timeIntervalSince1970.rounded(.down)))
        guard let date = HTTPDate(parsing: trimmingWhitespace(value), currentYear: currentYear) else { return nil }
        return Date(timeIntervalSince1970: Double(date.secondsSince1970))
    }

    /// `value` without leading and trailing spaces and tabs (the field's optional whitespace).
    static func trimmingWhitespace(_ value: some StringProtocol) -> Substring {
        let text = Substring(value)
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isWhitespace($0) }),
            let last = text.lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return text[first...last]
    }

    /// The value of a run of ASCII digits, saturating at ``maximumDelaySeconds``.
    static func deltaSeconds(_ digits: Substring.UTF8View) -> Int64 {
        var value: Int64 = 0
        for digit in digits {
            value = value * 10 + Int64(digit - UInt8(ascii: "0"))
            if value >= maximumDelaySeconds { return maximumDelaySeconds }
        }
        return value
    }
}
