import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

@Suite("JSONWriter")
struct JSONWriterTests {
    @Test("inline: members and elements separated by a comma and a space, keys escaped, empty containers bare")
    func inline() {
        let value = JSONWriter.Value.object([
            ("line", .integer(3)), ("reason", .null), ("a\"b", .string("x\ny")),
            ("list", .array([.integer(1), .integer(-2)])), ("none", .object([])), ("empty", .array([])),
        ])
        #expect(JSONWriter.text(value) == #"{"line": 3, "reason": null, "a\"b": "x\ny", "list": [1, -2], "none": {}, "empty": []}"#)
    }

    @Test("lines: one item per line, two spaces deeper per level, closing bracket at the opening line's indent")
    func lines() {
        let value = JSONWriter.Value.array([
            .object([
                ("retry", .object([("maxAttempts", .integer(3))], layout: .lines)),
                ("changes", .array([.object([("atMs", .milliseconds(.milliseconds(5)))])], layout: .lines)),
                ("empty", .object([], layout: .lines)),
            ], layout: .lines),
        ], layout: .lines)
        #expect(JSONWriter.text(value) == """
            [
              {
                "retry": {
                  "maxAttempts": 3
                },
                "changes": [
                  {"atMs": 5}
                ],
                "empty": {}
              }
            ]
            """)
        #expect(JSONWriter.text(.array([], layout: .lines)) == "[]")
    }

    @Test("numbers: shortest Double without .0 when integral, exact milliseconds, fixed-decimal ratios, unsigned")
    func numbers() {
        let numbers: [JSONWriter.Value] = [
            .number(2), .number(0.97), .number(-1.5), .number(1e-05), .number(1e16), .number(-0.0),
            .milliseconds(.microseconds(153_250)), .milliseconds(Duration(attoseconds: 1)),
            .ratio(1, 8, decimals: 6), .ratio(2, 3, decimals: 6), .unsigned(UInt64.max), .integer(Int.min),
        ]
        #expect(JSONWriter.text(.array(numbers)) == """
            [2, 0.97, -1.5, 1e-05, 1e+16, 0, 153.25, 0.000000000000001, 0.125000, 0.666667, \
            18446744073709551615, -9223372036854775808]
            """)
    }
}
