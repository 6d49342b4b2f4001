import NIOHTTP1
import Testing

@testable import ResilienceHTTPClient

#if canImport(FoundationEssentials)
import struct FoundationEssentials.Date
#else
import struct Foundation.Date
#endif

/// 1994-11-06T08:49:37Z, the RFC's example instant.
let rfcExample = Date(timeIntervalSince1970: 784_111_777)

@Suite("Retry-After")
struct RetryAfterTests {
    @Test("delay-seconds are read exactly, surrounding whitespace ignored", arguments: [
        ("0", Duration.zero), ("1", .seconds(1)), ("120", .seconds(120)), ("  5\t", .seconds(5)),
        ("007", .seconds(7)),
    ])
    func deltaSeconds(value: String, expected: Duration) {
        #expect(RetryAfter.delay(fromFieldValue: value, now: rfcExample) == expected)
    }

    @Test("delay-seconds beyond 2^31 are read as 2^31 (RFC 9111 §1.2.2)")
    func hugeDelaySeconds() {
        #expect(RetryAfter.delay(fromFieldValue: "2147483648", now: rfcExample) == .seconds(2_147_483_648))
        #expect(RetryAfter.delay(fromFieldValue: "99999999999999999999999999", now: rfcExample) == .seconds(2_147_483_648))
    }

    @Test("the three HTTP-date formats give the time until the date", arguments: [
        "Sun, 06 Nov 1994 08:50:37 GMT",  // IMF-fixdate
        "Sunday, 06-Nov-94 08:50:37 GMT",  // RFC 850
        "Sun Nov  6 08:50:37 1994",  // asctime, day padded with a space
    ])
    func httpDates(value: String) {
        #expect(RetryAfter.delay(fromFieldValue: value, now: rfcExample) == .seconds(60))
    }

    @Test("sub-second precision of now is kept")
    func fractionalNow() {
        let now = Date(timeIntervalSince1970: 784_111_777.25)
        #expect(RetryAfter.delay(fromFieldValue: "Sun, 06 Nov 1994 08:49:38 GMT", now: now) == .milliseconds(750))
    }

    @Test("asctime with a two-digit day")
    func asctimeTwoDigitDay() {
        let now = Date(timeIntervalSince1970: 785_321_377)  // 1994-11-20T08:49:37Z
        #expect(RetryAfter.delay(fromFieldValue: "Sun Nov 20 08:49:47 1994", now: now) == .seconds(10))
    }

    @Test("a date in the past, or now itself, is a delay of zero")
    func pastDate() {
        #expect(RetryAfter.delay(fromFieldValue: "Sun, 06 Nov 1994 08:49:37 GMT", now: rfcExample) == .zero)
        #expect(RetryAfter.delay(fromFieldValue: "Thu, 01 Jan 1970 00:00:00 GMT", now: rfcExample) == .zero)
    }

    @Test("an RFC 850 year more than 50 years ahead is from the previous century")
    func rfc850Century() {
        let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        // 76 → 2076 (50 years ahead: kept); 77 → 1977 (51 years ahead: the past).
        #expect(RetryAfter.delay(fromFieldValue: "Wednesday, 01-Jan-76 00:00:00 GMT", now: now) == .seconds(1_577_836_800))
        #expect(RetryAfter.delay(fromFieldValue: "Saturday, 01-Jan-77 00:00:00 GMT", now: now) == .zero)
    }

    @Test("leap second 60 is the next minute's first second")
    func leapSecond() {
        #expect(RetryAfter.delay(fromFieldValue: "Sun, 06 Nov 1994 08:49:60 GMT", now: rfcExample) == .seconds(23))
    }

    @Test("garbage is no hint, never a delay of zero", arguments: [
        "", "   ", "-1", "+5", "1.5", "5s", "1e3", "soon", "0x10", "١٢",  // Arabic-Indic digits are not ASCII digits
        "Sun, 06 Nov 1994 08:49:37 UTC",  // not GMT
        "sun, 06 Nov 1994 08:49:37 GMT",  // day names are case-sensitive
        "Sun, 06 nov 1994 08:49:37 GMT",  // month names are case-sensitive
        "Sun, 6 Nov 1994 08:49:37 GMT",  // IMF-fixdate needs a two-digit day
        "Sun,  06 Nov 1994 08:49:37 GMT",  // one space only
        "Sun, 30 Feb 1994 08:49:37 GMT",  // no 30 February
        "Sun, 29 Feb 1995 08:49:37 GMT",  // 1995 is not a leap year
        "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT junk", "Sun, 06 Nov 94 08:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994",  // asctime pads a one-digit day with a space
        "Xyz, 06 Nov 1994 08:49:37 GMT",
    ])
    func garbage(value: String) {
        #expect(RetryAfter.delay(fromFieldValue: value, now: rfcExample) == nil)
    }

    @Test("29 February of a leap year is a date")
    func leapDay() {
        let now = Date(timeIntervalSince1970: 951_782_400)  // 2000-02-29T00:00:00Z
        #expect(RetryAfter.delay(fromFieldValue: "Tue, 29 Feb 2000 00:00:05 GMT", now: now) == .seconds(5))
    }

    @Test("from headers: the response's Date is now; no field, two fields or garbage is no hint")
    func headers() {
        let localNow = Date(timeIntervalSince1970: 1_000_000_000)  // far from the server's clock
        var headers: HTTPHeaders = ["Date": "Sun, 06 Nov 1994 08:49:37 GMT", "Retry-After": "Sun, 06 Nov 1994 08:49:39 GMT"]
        #expect(RetryAfter.delay(in: headers, localNow: localNow) == .seconds(2))
        headers = ["Retry-After": "Sun, 06 Nov 1994 08:49:39 GMT"]  // no Date: the local clock, the date is past
        #expect(RetryAfter.delay(in: headers, localNow: localNow) == .zero)
        headers = ["Date": "yesterday", "Retry-After": "3"]
        #expect(RetryAfter.delay(in: headers, localNow: localNow) == .seconds(3))
        headers = [:]
        #expect(RetryAfter.delay(in: headers, localNow: localNow) == nil)
        headers = ["Retry-After": "3", "retry-after": "4"]
        #expect(RetryAfter.delay(in: headers, localNow: localNow) == nil)
        headers = ["Retry-After": "later"]
        #expect(RetryAfter.delay(in: headers, localNow: localNow) == nil)
    }

    @Test("the year of an instant", arguments: [
        (Int64(0), Int64(1970)), (784_111_777, 1994), (951_782_399, 2000), (978_307_199, 2000), (978_307_200, 2001),
        (-1, 1969),
    ])
    func yearOfInstant(seconds: Int64, year: Int64) {
        #expect(HTTPDate.year(ofSecondsSince1970: seconds) == year)
    }
}
