import Testing
@testable import ResilienceConfiguration

// MARK: - Helpers

/// A document the reader must reject, with the exact position and message expected.
struct JSONRejection: Sendable, CustomTestStringConvertible {
    var text: String
    var line: Int
    var column: Int
    var message: String

    init(_ text: String, _ line: Int, _ column: Int, _ message: String) {
        self.text = text
        self.line = line
        self.column = column
        self.message = message
    }

    var testDescription: String { jsonQuoted(text) }
}

private func parseError(_ text: String) -> JSONReadError? {
    do {
        let value = try JSONReader.parse(text)
        Issue.record("expected \(jsonQuoted(text)) to be rejected, got \(value)")
        return nil
    } catch {
        return error
    }
}

private func expectRejected(_ rejection: JSONRejection, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error = parseError(rejection.text) else { return }
    let expected = JSONReadError(line: rejection.line, column: rejection.column, message: rejection.message)
    #expect(error == expected, "input: \(jsonQuoted(rejection.text))", sourceLocation: sourceLocation)
}

// MARK: - Valid documents

@Suite("JSONReader accepts valid documents")
struct JSONReaderValidTests {
    @Test func literals() throws {
        #expect(try JSONReader.parse("null") == .null)
        #expect(try JSONReader.parse("true") == .bool(true))
        #expect(try JSONReader.parse("false") == .bool(false))
        #expect(try JSONReader.parse(" \t\r\n null \n\r\t ") == .null)
    }

    @Test func integers() throws {
        #expect(try JSONReader.parse("0") == .number(0))
        #expect(try JSONReader.parse("42") == .number(42))
        #expect(try JSONReader.parse("-17") == .number(-17))
        #expect(try JSONReader.parse("999999999999999") == .number(999_999_999_999_999))
        #expect(try JSONReader.parse("-999999999999999") == .number(-999_999_999_999_999))
        #expect(try JSONReader.parse("9007199254740993") == .number(9_007_199_254_740_992))
    }

    @Test func negativeZeroKeepsItsSign() throws {
        for text in ["-0", "-0.0", "-0e5"] {
            guard case .number(let value) = try JSONReader.parse(text) else {
                Issue.record("\(text) is not a number")
                continue
            }
            #expect(value == 0 && value.sign == .minus, "\(text)")
        }
        guard case .number(let positive) = try JSONReader.parse("0") else { return }
        #expect(positive.sign == .plus)
    }

    @Test func fractionsAndExponents() throws {
        #expect(try JSONReader.parse("1.5") == .number(1.5))
        #expect(try JSONReader.parse("-12.5e-3") == .number(-0.0125))
        #expect(try JSONReader.parse("1E+2") == .number(100))
        #expect(try JSONReader.parse("1e2") == .number(100))
        #expect(try JSONReader.parse("2.5E-1") == .number(0.25))
        #expect(try JSONReader.parse("0.1") == .number(0.1))
        #expect(try JSONReader.parse("3.141592653589793") == .number(3.141592653589793))
        #expect(try JSONReader.parse("1e-400") == .number(0))
        #expect(try JSONReader.parse("1.7976931348623157e308") == .number(.greatestFiniteMagnitude))
    }

    @Test(arguments: [
        "0", "-0", "1", "-1", "0.1", "0.30000000000000004", "123456789012345678901234567890",
        "-123456789012345", "1234567890123456", "4.9e-324", "2.2250738585072014e-308",
        "1e-400", "-1e-400", "1.7976931348623157e308", "6.02214076e23", "1E-7", "100e-2",
    ])
    func numbersMatchDoubleInitializer(text: String) throws {
        let expected = try #require(Double(text))
        guard case .number(let value) = try JSONReader.parse(text) else {
            Issue.record("\(text) is not a number")
            return
        }
        #expect(value.bitPattern == expected.bitPattern)
    }

    @Test func simpleStrings() throws {
        #expect(try JSONReader.parse(#""""#) == .string(""))
        #expect(try JSONReader.parse(#""hello""#) == .string("hello"))
        #expect(try JSONReader.parse(#""héllo 😀 中文""#) == .string("héllo 😀 中文"))
        #expect(try JSONReader.parse("\"del\u{7F}\"") == .string("del\u{7F}"))
    }

    @Test func shortEscapes() throws {
        #expect(try JSONReader.parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{08}\u{0C}\n\r\t"))
        #expect(try JSONReader.parse(#""a\nb""#) == .string("a\nb"))
        #expect(try JSONReader.parse(#""é\"x""#) == .string("é\"x"))
    }

    @Test func unicodeEscapes() throws {
        #expect(try JSONReader.parse(#""\u0041\u00e9\u4E2D""#) == .string("Aé中"))
        #expect(try JSONReader.parse(#""\u0000""#) == .string("\u{0}"))
        #expect(try JSONReader.parse(#""\u001F\u007f""#) == .string("\u{1F}\u{7F}"))
        #expect(try JSONReader.parse(#""\uFFFF""#) == .string("\u{FFFF}"))
    }

    @Test func surrogatePairs() throws {
        #expect(try JSONReader.parse(#""\uD83D\uDE00""#) == .string("😀"))
        #expect(try JSONReader.parse(#""\ud834\udd1e""#) == .string("𝄞"))
        #expect(try JSONReader.parse(#""\uDBFF\uDFFF""#) == .string("\u{10FFFF}"))
        #expect(try JSONReader.parse(#""a\uD800\uDC00b""#) == .string("a\u{10000}b"))
    }

    @Test func arrays() throws {
        #expect(try JSONReader.parse("[]") == .array([]))
        #expect(try JSONReader.parse("[ \n ]") == .array([]))
        #expect(try JSONReader.parse("[[]]") == .array([.array([])]))
        #expect(
            try JSONReader.parse(#"[1, "two", [true, null], {}, -3.5e2]"#)
                == .array([
                    .number(1), .string("two"), .array([.bool(true), .null]),
                    .object(JSONObject()), .number(-350),
                ])
        )
    }

    @Test func objectsKeepDocumentOrder() throws {
        let value = try JSONReader.parse(#"{"b": 1, "a": [2], "c": {"d": null}, "": "empty"}"#)
        guard case .object(let object) = value else {
            Issue.record("not an object: \(value)")
            return
        }
        #expect(object.keys == ["b", "a", "c", ""])
        #expect(object["b"] == .number(1))
        #expect(object["a"] == .array([.number(2)]))
        #expect(object["c"] == .object(JSONObject(members: [(key: "d", value: .null)])))
        #expect(object[""] == .string("empty"))
        #expect(object["missing"] == nil)
        #expect(
            object == JSONObject(members: [
                (key: "b", value: .number(1)),
                (key: "a", value: .array([.number(2)])),
                (key: "c", value: .object(JSONObject(members: [(key: "d", value: .null)]))),
                (key: "", value: .string("empty")),
            ])
        )
    }

    @Test func objectEqualityIsOrderSensitive() {
        let ab = JSONObject(members: [(key: "a", value: .number(1)), (key: "b", value: .number(2))])
        let ba = JSONObject(members: [(key: "b", value: .number(2)), (key: "a", value: .number(1))])
        let abOther = JSONObject(members: [(key: "a", value: .number(1)), (key: "b", value: .number(3))])
        #expect(ab == ab)
        #expect(ab != ba)
        #expect(ab != abOther)
        #expect(ab != JSONObject(members: [(key: "a", value: .number(1))]))
    }

    @Test func emptyObjectsAndEscapedKeys() throws {
        #expect(try JSONReader.parse("{}") == .object(JSONObject()))
        #expect(try JSONReader.parse("{ \r\n\t }") == .object(JSONObject()))
        #expect(
            try JSONReader.parse(#"{"a\"b\u00e9": 1}"#)
                == .object(JSONObject(members: [(key: "a\"bé", value: .number(1))]))
        )
    }

    @Test func sameKeyInDifferentObjectsIsAllowed() throws {
        let value = try JSONReader.parse(#"{"x": {"x": 1}, "y": [{"x": 2}, {"x": 3}]}"#)
        guard case .object(let object) = value else {
            Issue.record("not an object")
            return
        }
        #expect(object.keys == ["x", "y"])
    }

    @Test func manyKeysInOneObject() throws {
        let members = (0..<50).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        guard case .object(let object) = try JSONReader.parse("{\(members)}") else {
            Issue.record("not an object")
            return
        }
        #expect(object.keys == (0..<50).map { "k\($0)" })
        #expect(object["k37"] == .number(37))
    }

    @Test func traceLikeRecord() throws {
        let line = #"{"t":1712.25,"event":"retry","attempt":3,"ok":false,"tags":["net","io"],"err":null}"#
        let value = try JSONReader.parse(line)
        #expect(
            value == .object(JSONObject(members: [
                (key: "t", value: .number(1712.25)),
                (key: "event", value: .string("retry")),
                (key: "attempt", value: .number(3)),
                (key: "ok", value: .bool(false)),
                (key: "tags", value: .array([.string("net"), .string("io")])),
                (key: "err", value: .null),
            ]))
        )
    }

    @Test func substringBackedText() throws {
        let full = "xx[1,2]yy"
        let middle = String(full.dropFirst(2).dropLast(2))
        #expect(try JSONReader.parse(middle) == .array([.number(1), .number(2)]))
    }

    @Test func kindDescriptions() {
        #expect(JSONValue.null.kindDescription == "null")
        #expect(JSONValue.bool(true).kindDescription == "a boolean")
        #expect(JSONValue.number(1).kindDescription == "a number")
        #expect(JSONValue.string("").kindDescription == "a string")
        #expect(JSONValue.array([]).kindDescription == "an array")
        #expect(JSONValue.object(JSONObject()).kindDescription == "an object")
    }
}

// MARK: - Rejections

@Suite("JSONReader rejects invalid documents")
struct JSONReaderRejectionTests {
    @Test(arguments: [
        JSONRejection("", 1, 1, "empty input"),
        JSONRejection("   ", 1, 4, "empty input"),
        JSONRejection("  \n ", 2, 2, "empty input"),
    ])
    func emptyInput(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test(arguments: [
        JSONRejection("[1,]", 1, 4, "trailing comma before ']'"),
        JSONRejection("[1, 2, ]", 1, 8, "trailing comma before ']'"),
        JSONRejection(#"{"a":1,}"#, 1, 8, "trailing comma before '}'"),
        JSONRejection("{\"a\":1,\n}", 2, 1, "trailing comma before '}'"),
    ])
    func trailingCommas(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test(arguments: [
        JSONRejection("// note\n1", 1, 1, "comments are not allowed"),
        JSONRejection("/* note */ 1", 1, 1, "comments are not allowed"),
        JSONRejection("[1 /* c */]", 1, 4, "comments are not allowed"),
        JSONRejection("[1, // c\n2]", 1, 5, "comments are not allowed"),
        JSONRejection(#"{"a": 1 // c"#, 1, 9, "comments are not allowed"),
        JSONRejection("1 // c", 1, 3, "comments are not allowed"),
        JSONRejection("{/*k*/\"a\":1}", 1, 2, "comments are not allowed"),
    ])
    func comments(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test(arguments: [
        JSONRejection("'a'", 1, 1, "strings must use double quotes"),
        JSONRejection("{'a': 1}", 1, 2, "strings must use double quotes"),
        JSONRejection(#"{"a": 1, 'b': 2}"#, 1, 10, "strings must use double quotes"),
        JSONRejection("['x']", 1, 2, "strings must use double quotes"),
    ])
    func singleQuotes(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test(arguments: [
        JSONRejection("01", 1, 1, "leading zeros are not allowed"),
        JSONRejection("-01", 1, 2, "leading zeros are not allowed"),
        JSONRejection("[00]", 1, 2, "leading zeros are not allowed"),
        JSONRejection("+1", 1, 1, "numbers cannot start with '+'"),
        JSONRejection(".5", 1, 1, "numbers cannot start with '.'"),
        JSONRejection("[-.5]", 1, 3, "expected digit after '-'"),
        JSONRejection("1.", 1, 3, "expected digit after '.'"),
        JSONRejection("1.e5", 1, 3, "expected digit after '.'"),
        JSONRejection("1e", 1, 3, "expected digit in exponent"),
        JSONRejection("1e+", 1, 4, "expected digit in exponent"),
        JSONRejection("1E-x", 1, 4, "expected digit in exponent"),
        JSONRejection("-", 1, 2, "expected digit after '-'"),
        JSONRejection("- 1", 1, 2, "expected digit after '-'"),
        JSONRejection("0x10", 1, 2, "trailing characters after JSON value"),
        JSONRejection("1.5.3", 1, 4, "trailing characters after JSON value"),
    ])
    func malformedNumbers(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test(arguments: [
        JSONRejection("NaN", 1, 1, "invalid literal 'NaN'"),
        JSONRejection("[1, nan]", 1, 5, "invalid literal 'nan'"),
        JSONRejection("Infinity", 1, 1, "invalid literal 'Infinity'"),
        JSONRejection("-Infinity", 1, 2, "expected digit after '-'"),
        JSONRejection("1e400", 1, 1, "number out of range"),
        JSONRejection("[-1e400]", 1, 2, "number out of range"),
        JSONRejection("1" + String(repeating: "0", count: 400), 1, 1, "number out of range"),
    ])
    func nonFiniteNumbers(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test(arguments: [
        JSONRejection("tru", 1, 1, "invalid literal 'tru'"),
        JSONRejection("truex", 1, 1, "invalid literal 'truex'"),
        JSONRejection("True", 1, 1, "invalid literal 'True'"),
        JSONRejection("[nul]", 1, 2, "invalid literal 'nul'"),
        JSONRejection("nullx", 1, 1, "invalid literal 'nullx'"),
        JSONRejection("undefined", 1, 1, "invalid literal 'undefined'"),
        JSONRejection(
            String(repeating: "a", count: 40), 1, 1,
            "invalid literal '\(String(repeating: "a", count: 32))...'"
        ),
    ])
    func badLiterals(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test(arguments: [
        JSONRejection("\"a\u{01}b\"", 1, 3, "unescaped control character U+0001 in string"),
        JSONRejection("\"a\nb\"", 1, 3, "unescaped control character U+000A in string"),
        JSONRejection("\"tab\there\"", 1, 5, "unescaped control character U+0009 in string"),
        JSONRejection("\"\u{1F}\"", 1, 2, "unescaped control character U+001F in string"),
        JSONRejection("\"\\n\u{00}\"", 1, 4, "unescaped control character U+0000 in string"),
        JSONRejection("\"é\r\"", 1, 3, "unescaped control character U+000D in string"),
    ])
    func controlCharactersInStrings(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test(arguments: [
        JSONRejection(#""\x""#, 1, 2, #"invalid escape sequence: '\' followed by 'x'"#),
        JSONRejection(#""ab\'""#, 1, 4, #"invalid escape sequence: '\' followed by '''"#),
        JSONRejection(#""\U0041""#, 1, 2, #"invalid escape sequence: '\' followed by 'U'"#),
        JSONRejection(#""\é""#, 1, 2, #"invalid escape sequence: '\' followed by 'é'"#),
        JSONRejection("\"\\\u{01}\"", 1, 2, #"invalid escape sequence: '\' followed by U+0001"#),
        JSONRejection(#""\u12G4""#, 1, 2, #"invalid \u escape: expected 4 hex digits"#),
        JSONRejection(#""\u12""#, 1, 2, #"invalid \u escape: expected 4 hex digits"#),
        JSONRejection(#""x\u""#, 1, 3, #"invalid \u escape: expected 4 hex digits"#),
    ])
    func invalidEscapes(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test(arguments: [
        JSONRejection(#""\uD800""#, 1, 2, #"unpaired high surrogate \uD800"#),
        JSONRejection(#""\ud83dx""#, 1, 2, #"unpaired high surrogate \ud83d"#),
        JSONRejection(#""\uD83D\n""#, 1, 2, #"unpaired high surrogate \uD83D"#),
        JSONRejection(#""\uDC00""#, 1, 2, #"unpaired low surrogate \uDC00"#),
        JSONRejection(#""ab\uDE00\uD83D""#, 1, 4, #"unpaired low surrogate \uDE00"#),
        JSONRejection(#""\uD83D\u0041""#, 1, 8, #"expected low surrogate after \uD83D, found \u0041"#),
        JSONRejection(#""\uD83D\uD83D""#, 1, 8, #"expected low surrogate after \uD83D, found \uD83D"#),
        JSONRejection(#""\uD83D\uZZZZ""#, 1, 8, #"invalid \u escape: expected 4 hex digits"#),
    ])
    func badSurrogates(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test(arguments: [
        JSONRejection(#""abc"#, 1, 1, "unterminated string"),
        JSONRejection(#"["abc"#, 1, 2, "unterminated string"),
        JSONRejection(#""abc\"#, 1, 1, "unterminated string"),
        JSONRejection(#""esc\"x"#, 1, 1, "unterminated string"),
        JSONRejection(#""\u12"#, 1, 1, "unterminated string"),
        JSONRejection(#""\uD83D"#, 1, 1, "unterminated string"),
        JSONRejection(#"{"a"#, 1, 2, "unterminated string"),
        JSONRejection("[1,\n  \"x", 2, 3, "unterminated string"),
    ])
    func unterminatedStrings(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test(arguments: [
        JSONRejection("1 2", 1, 3, "trailing characters after JSON value"),
        JSONRejection("{} x", 1, 4, "trailing characters after JSON value"),
        JSONRejection("[1]]", 1, 4, "trailing characters after JSON value"),
        JSONRejection(#""a""b""#, 1, 4, "trailing characters after JSON value"),
        JSONRejection("null\n\n  ,", 3, 3, "trailing characters after JSON value"),
        JSONRejection("1\u{0C}", 1, 2, "trailing characters after JSON value"),
        JSONRejection("true\u{A0}", 1, 5, "trailing characters after JSON value"),
    ])
    func trailingGarbage(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test(arguments: [
        JSONRejection(#"{"a" 1}"#, 1, 6, "expected ':' after object key"),
        JSONRejection(#"{"a""#, 1, 5, "expected ':' after object key"),
        JSONRejection(#"{"a":1 "b":2}"#, 1, 8, "expected ',' or '}' after object member"),
        JSONRejection(#"{"a":1"#, 1, 7, "expected ',' or '}' after object member"),
        JSONRejection(#"{"a":1]"#, 1, 7, "expected ',' or '}' after object member"),
        JSONRejection("[1 2]", 1, 4, "expected ',' or ']' after array element"),
        JSONRejection("[1", 1, 3, "expected ',' or ']' after array element"),
        JSONRejection("[1}", 1, 3, "expected ',' or ']' after array element"),
        JSONRejection("{1:2}", 1, 2, "expected string key or '}'"),
        JSONRejection("{a:2}", 1, 2, "expected string key or '}'"),
        JSONRejection("{", 1, 2, "expected string key or '}'"),
        JSONRejection(#"{"a":1,2}"#, 1, 8, "expected string key after ','"),
        JSONRejection(#"{"a":1,"#, 1, 8, "expected string key after ','"),
        JSONRejection("[,1]", 1, 2, "expected a value, found ','"),
        JSONRejection(#"{"a":}"#, 1, 6, "expected a value, found '}'"),
        JSONRejection("]", 1, 1, "expected a value, found ']'"),
        JSONRejection("[1,", 1, 4, "unexpected end of input, expected a value"),
        JSONRejection("[", 1, 2, "unexpected end of input, expected a value"),
        JSONRejection(#"{"a": "#, 1, 7, "unexpected end of input, expected a value"),
        JSONRejection("[é]", 1, 2, "expected a value, found 'é'"),
        JSONRejection("\u{FEFF}1", 1, 1, "expected a value, found U+FEFF"),
        JSONRejection("\u{A0}1", 1, 1, "expected a value, found U+00A0"),
        JSONRejection("\u{0C}1", 1, 1, "expected a value, found U+000C"),
    ])
    func structuralErrors(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test(arguments: [
        JSONRejection("{\n  \"a\": 1,\n  \"b\": [1, 2,]\n}", 3, 14, "trailing comma before ']'"),
        JSONRejection("[1,\r\n2,\r\n]", 3, 1, "trailing comma before ']'"),
        JSONRejection("[\r\r x]", 3, 2, "invalid literal 'x'"),
        JSONRejection("[\"é😀\", x]", 1, 8, "invalid literal 'x'"),
        JSONRejection("{\"ключ\": 1 2}", 1, 12, "expected ',' or '}' after object member"),
    ])
    func positionsAcrossLinesAndNonASCII(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test(arguments: [
        JSONRejection(#"{"x":1,"x":2}"#, 1, 8, #"duplicate key "x""#),
        JSONRejection(#"{"x":1, "y":2, "x":3}"#, 1, 16, #"duplicate key "x""#),
        JSONRejection(#"{"a\"b":1,"a\u0022b":2}"#, 1, 11, #"duplicate key "a\"b""#),
        JSONRejection(#"[{"ok":1}, {"k":{"z":1,"z":2}}]"#, 1, 24, #"duplicate key "z""#),
        JSONRejection(#"{"":1,"":2}"#, 1, 7, #"duplicate key """#),
    ])
    func duplicateKeys(_ rejection: JSONRejection) { expectRejected(rejection) }

    @Test func duplicateKeyInLargeObject() {
        let members = (0..<20).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let text = "{\(members),\"k13\":0}"
        let column = text.utf8.count - 8 + 1
        expectRejected(JSONRejection(text, 1, column, #"duplicate key "k13""#))
    }
}

// MARK: - Nesting depth

@Suite("JSONReader nesting depth limit")
struct JSONReaderDepthTests {
    @Test func maximumDepthIs512() {
        #expect(JSONReader.maximumDepth == 512)
    }

    @Test func arraysAtTheLimitAreAccepted() throws {
        let text = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        var value = try JSONReader.parse(text)
        var depth = 0
        while case .array(let elements) = value {
            depth += 1
            guard let first = elements.first else { break }
            value = first
        }
        #expect(depth == 512)
    }

    @Test func objectsAtTheLimitAreAccepted() throws {
        let text = String(repeating: #"{"a":"#, count: 511) + "{}" + String(repeating: "}", count: 511)
        var value = try JSONReader.parse(text)
        var depth = 0
        while case .object(let object) = value {
            depth += 1
            guard let inner = object["a"] else { break }
            value = inner
        }
        #expect(depth == 512)
    }

    @Test func arraysBeyondTheLimitAreRejected() {
        let text = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        expectRejected(JSONRejection(text, 1, 513, "nesting depth exceeds the limit of 512"))
    }

    @Test func emptyContainerBeyondTheLimitIsRejected() {
        let text = String(repeating: #"{"a":"#, count: 512) + "{}" + String(repeating: "}", count: 512)
        expectRejected(JSONRejection(text, 1, 512 * 5 + 1, "nesting depth exceeds the limit of 512"))
    }

    @Test func veryDeepInputFailsCleanly() {
        let text = String(repeating: "[", count: 200_000)
        expectRejected(JSONRejection(text, 1, 513, "nesting depth exceeds the limit of 512"))
    }
}

// MARK: - Errors and quoting

@Suite("JSONReadError and jsonQuoted")
struct JSONQuotingTests {
    @Test func errorDescription() {
        let error = JSONReadError(line: 3, column: 14, message: "unterminated string")
        #expect(error.description == "line 3, column 14: unterminated string")
        #expect("\(error)" == "line 3, column 14: unterminated string")
    }

    @Test func plainStrings() {
        #expect(jsonQuoted("") == #""""#)
        #expect(jsonQuoted("plain") == #""plain""#)
        #expect(jsonQuoted("a/b") == #""a/b""#)
    }

    @Test func quotesAndBackslashes() {
        #expect(jsonQuoted(#"a"b"#) == #""a\"b""#)
        #expect(jsonQuoted(#"a\b"#) == #""a\\b""#)
        #expect(jsonQuoted(#"\""#) == #""\\\"""#)
    }

    @Test func controlCharacters() {
        #expect(jsonQuoted("line\nnext") == #""line\nnext""#)
        #expect(jsonQuoted("a\tb") == #""a\tb""#)
        #expect(jsonQuoted("\r\u{08}\u{0C}") == #""\r\b\f""#)
        #expect(jsonQuoted("\u{01}") == #""\u0001""#)
        #expect(jsonQuoted("x\u{00}y\u{1F}") == #""x\u0000y\u001f""#)
        #expect(jsonQuoted("\u{7F}") == "\"\u{7F}\"")
    }

    @Test func nonASCIIIsLeftAsIs() {
        #expect(jsonQuoted("héllo 😀 中文") == "\"héllo 😀 中文\"")
        #expect(jsonQuoted("é\n😀") == "\"é\\n😀\"")
    }

    @Test func quotedStringsParseBack() throws {
        var samples = (0..<0x80).map { String(UnicodeScalar(UInt8($0))) }
        samples += ["", "héllo\t\"😀\"\\", "\u{10FFFF}\u{0}", "e\u{301}", "\u{2028}\u{2029}"]
        for sample in samples {
            #expect(try JSONReader.parse(jsonQuoted(sample)) == .string(sample), "\(jsonQuoted(sample))")
        }
    }

    @Test func duplicateKeyMessageUsesQuoting() {
        expectRejected(JSONRejection(#"{"a\nb":1,"a\nb":2}"#, 1, 11, #"duplicate key "a\nb""#))
    }
}
