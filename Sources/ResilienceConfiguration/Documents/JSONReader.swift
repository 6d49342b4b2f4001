/// Where parsing failed: 1-based line and column within the text, and what was wrong.
///
/// Lines are separated by `\n`, `\r\n` or `\r`. Columns count Unicode scalars from the start
/// of the line, so a non-ASCII character counts as one column.
public struct JSONReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line of the offending character.
    public var line: Int
    /// The 1-based column of the offending character, counted in Unicode scalars.
    public var column: Int
    /// A short description of what was wrong, such as `unterminated string`.
    public var message: String

    /// Creates an error at the given 1-based position.
    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    /// The error as `line L, column C: MESSAGE`.
    public var description: String {
        "line \(line), column \(column): \(message)"
    }
}

/// A strict JSON reader following the RFC 8259 grammar.
public enum JSONReader {
    /// The deepest nesting of arrays and objects that ``parse(_:)`` accepts.
    package static let maximumDepth = 512

    /// Parses exactly one JSON value (RFC 8259) surrounded by optional whitespace.
    ///
    /// Anything outside the grammar is rejected: trailing commas, comments, single-quoted
    /// strings, leading zeros, `+1`, `.5`, `1.`, `NaN` and `Infinity`, unescaped control
    /// characters in strings, invalid or unpaired surrogate escapes, duplicate keys within
    /// one object, nesting deeper than 512 levels, numbers that overflow `Double`, empty
    /// input and anything after the value.
    ///
    /// - Parameter text: The JSON text.
    /// - Returns: The parsed value.
    /// - Throws: A ``JSONReadError`` giving the position of the first problem.
    public static func parse(_ text: String) throws(JSONReadError) -> JSONValue {
        var text = text
        let result: Result<JSONValue, JSONReadError> = text.withUTF8 { bytes in
            var parser = JSONParser(bytes: bytes)
            do throws(JSONReadError) {
                return .success(try parser.parseDocument())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// An array or object that is still being read.
private struct OpenContainer {
    package var isObject: Bool
    package var elements: [JSONValue] = []
    package var members: [(key: String, value: JSONValue)] = []
    /// The key whose value is being read; only meaningful for objects.
    package var pendingKey = ""
    /// Keys seen so far, built only once the object grows beyond a few members.
    package var keySet: Set<String>?

    /// Records `key` and returns `false` if the object already has a member with that key.
    package mutating func insertKey(_ key: String) -> Bool {
        if let inserted = keySet?.insert(key).inserted {
            return inserted
        }
        for member in members where member.key == key {
            return false
        }
        if members.count >= 8 {
            var set = Set(members.map(\.key))
            set.insert(key)
            keySet = set
        }
        return true
    }
}

/// The parsing state over the UTF-8 bytes of one document.
private struct JSONParser {
    package let bytes: UnsafeBufferPointer<UInt8>
    package var index = 0
    /// Reused buffer for decoding strings that contain escape sequences.
    package var scratch: [UInt8] = []

    package init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: Document and containers

    package mutating func parseDocument() throws(JSONReadError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw error("empty input", at: index) }
        let value = try parseValueTree()
        skipWhitespace()
        guard index == bytes.count else {
            throw unexpected("trailing characters after JSON value", at: index)
        }
        return value
    }

    /// Reads one value, iteratively so that deep nesting cannot exhaust the stack.
    package mutating func parseValueTree() throws(JSONReadError) -> JSONValue {
        var stack: [OpenContainer] = []
        while true {
            skipWhitespace()
            var value: JSONValue
            switch current {
            case UInt8(ascii: "["):
                guard stack.count < JSONReader.maximumDepth else {
                    throw error("nesting depth exceeds the limit of \(JSONReader.maximumDepth)", at: index)
                }
                index += 1
                skipWhitespace()
                if current == UInt8(ascii: "]") {
                    index += 1
                    value = .array([])
                } else {
                    stack.append(OpenContainer(isObject: false))
                    continue
                }
            case UInt8(ascii: "{"):
                guard stack.count < JSONReader.maximumDepth else {
                    throw error("nesting depth exceeds the limit of \(JSONReader.maximumDepth)", at: index)
                }
                index += 1
                skipWhitespace()
                if current == UInt8(ascii: "}") {
                    index += 1
                    value = .object(JSONObject())
                } else {
                    var container = OpenContainer(isObject: true)
                    try parseKey(into: &container, afterComma: false)
                    stack.append(container)
                    continue
                }
            default:
                value = try parseScalar()
            }

            // Attach the finished value to the enclosing containers, closing them as needed.
            closing: while true {
                let top = stack.count - 1
                guard top >= 0 else { return value }
                skipWhitespace()
                if stack[top].isObject {
                    stack[top].members.append((key: stack[top].pendingKey, value: value))
                    switch current {
                    case UInt8(ascii: ","):
                        index += 1
                        skipWhitespace()
                        try parseKey(into: &stack[top], afterComma: true)
                        break closing
                    case UInt8(ascii: "}"):
                        index += 1
                        let container = stack.removeLast()
                        value = .object(JSONObject(members: container.members))
                    default:
                        throw unexpected("expected ',' or '}' after object member", at: index)
                    }
                } else {
                    stack[top].elements.append(value)
                    switch current {
                    case UInt8(ascii: ","):
                        index += 1
                        skipWhitespace()
                        if current == UInt8(ascii: "]") {
                            throw error("trailing comma before ']'", at: index)
                        }
                        break closing
                    case UInt8(ascii: "]"):
                        index += 1
                        let container = stack.removeLast()
                        value = .array(container.elements)
                    default:
                        throw unexpected("expected ',' or ']' after array element", at: index)
                    }
                }
            }
        }
    }

    /// Reads `"key" :` (whitespace already skipped) and makes it the container's pending key.
    package mutating func parseKey(into container: inout OpenContainer, afterComma: Bool) throws(JSONReadError) {
        guard current == JSONBytes.quote else {
            if afterComma, current == UInt8(ascii: "}") {
                throw error("trailing comma before '}'", at: index)
            }
            if current == UInt8(ascii: "'") {
                throw error("strings must use double quotes", at: index)
            }
            let message = afterComma ? "expected string key after ','" : "expected string key or '}'"
            throw unexpected(message, at: index)
        }
        let keyStart = index
        let key = try parseString()
        guard container.insertKey(key) else {
            throw error("duplicate key \(jsonQuoted(key))", at: keyStart)
        }
        skipWhitespace()
        guard current == UInt8(ascii: ":") else {
            throw unexpected("expected ':' after object key", at: index)
        }
        index += 1
        container.pendingKey = key
    }

    // MARK: Scalars

    /// Reads a string, number or literal at `index` (whitespace already skipped).
    package mutating func parseScalar() throws(JSONReadError) -> JSONValue {
        guard let byte = current else {
            throw error("unexpected end of input, expected a value", at: index)
        }
        switch byte {
        case JSONBytes.quote:
            return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        case UInt8(ascii: "t") where matchLiteral("true"):
            return .bool(true)
        case UInt8(ascii: "f") where matchLiteral("false"):
            return .bool(false)
        case UInt8(ascii: "n") where matchLiteral("null"):
            return .null
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"):
            throw error("invalid literal '\(word(at: index))'", at: index)
        case UInt8(ascii: "+"):
            throw error("numbers cannot start with '+'", at: index)
        case UInt8(ascii: "."):
            throw error("numbers cannot start with '.'", at: index)
        case UInt8(ascii: "'"):
            throw error("strings must use double quotes", at: index)
        default:
            throw unexpected("expected a value, found \(describe(at: index))", at: index)
        }
    }

    /// Consumes `literal` if it is at `index` and not followed by more letters or digits.
    package mutating func matchLiteral(_ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard bytes.count - index >= length else { return false }
        let matches = literal.withUTF8Buffer { expected in
            for offset in 0..<length where bytes[index + offset] != expected[offset] {
                return false
            }
            return true
        }
        guard matches else { return false }
        if index + length < bytes.count, isWordByte(bytes[index + length]) { return false }
        index += length
        return true
    }

    package mutating func parseNumber() throws(JSONReadError) -> Double {
        let start = index
        let negative = current == UInt8(ascii: "-")
        if negative { index += 1 }

        let integerStart = index
        guard let first = current, isDigit(first) else {
            throw error("expected digit after '-'", at: index)
        }
        index += 1
        if first == UInt8(ascii: "0") {
            if let next = current, isDigit(next) {
                throw error("leading zeros are not allowed", at: integerStart)
            }
        } else {
            skipDigits()
        }
        let integerEnd = index

        var isInteger = true
        if current == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard let next = current, isDigit(next) else {
                throw error("expected digit after '.'", at: index)
            }
            skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let next = current, isDigit(next) else {
                throw error("expected digit in exponent", at: index)
            }
            skipDigits()
        }

        // Integers below 10^15 are exactly representable, so this matches Double(String).
        if isInteger, integerEnd - integerStart <= 15 {
            var magnitude = 0
            for position in integerStart..<integerEnd {
                magnitude = magnitude * 10 + Int(bytes[position] &- UInt8(ascii: "0"))
            }
            return negative ? -Double(magnitude) : Double(magnitude)
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let number = Double(text), number.isFinite else {
            throw error("number out of range", at: start)
        }
        return number
    }

    /// Reads a string starting at the opening quote at `index`.
    package mutating func parseString() throws(JSONReadError) -> String {
        let quote = index
        index += 1
        let contentStart = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == JSONBytes.quote {
                let string = String(decoding: UnsafeBufferPointer(rebasing: bytes[contentStart..<index]), as: UTF8.self)
                index += 1
                return string
            }
            if byte == JSONBytes.backslash {
                return try parseEscapedString(quote: quote, contentStart: contentStart)
            }
            if byte < 0x20 {
                throw controlCharacterError(byte)
            }
            index += 1
        }
        throw error("unterminated string", at: quote)
    }

    /// Continues reading a string at its first backslash, decoding into `scratch`.
    package mutating func parseEscapedString(quote: Int, contentStart: Int) throws(JSONReadError) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[contentStart..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == JSONBytes.quote {
                index += 1
                return String(decoding: scratch, as: UTF8.self)
            }
            if byte < 0x20 {
                throw controlCharacterError(byte)
            }
            guard byte == JSONBytes.backslash else {
                scratch.append(byte)
                index += 1
                continue
            }

            let escapeStart = index
            index += 1
            guard let escaped = current else { break }
            index += 1
            switch escaped {
            case JSONBytes.quote, JSONBytes.backslash, UInt8(ascii: "/"): scratch.append(escaped)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                try appendUnicodeEscape(escapeStart: escapeStart, quote: quote)
            default:
                let shown = describe(at: escapeStart + 1)
                throw error("invalid escape sequence: '\\' followed by \(shown)", at: escapeStart)
            }
        }
        throw error("unterminated string", at: quote)
    }

    /// Decodes the `XXXX` of `\uXXXX` (and a following low surrogate escape) into `scratch`.
    package mutating func appendUnicodeEscape(escapeStart: Int, quote: Int) throws(JSONReadError) {
        let unit = try readHex4(escapeStart: escapeStart, quote: quote)
        var scalar = unit
        switch unit {
        case 0xD800...0xDBFF:
            guard let next = current, !(next == JSONBytes.backslash && index + 1 == bytes.count) else {
                throw error("unterminated string", at: quote)
            }
            guard next == JSONBytes.backslash, bytes[index + 1] == UInt8(ascii: "u") else {
                throw error("unpaired high surrogate \(source(escapeStart, escapeStart + 6))", at: escapeStart)
            }
            let lowStart = index
            index += 2
            let low = try readHex4(escapeStart: lowStart, quote: quote)
            guard (0xDC00...0xDFFF).contains(low) else {
                let message = "expected low surrogate after \(source(escapeStart, escapeStart + 6)), "
                    + "found \(source(lowStart, lowStart + 6))"
                throw error(message, at: lowStart)
            }
            scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        case 0xDC00...0xDFFF:
            throw error("unpaired low surrogate \(source(escapeStart, escapeStart + 6))", at: escapeStart)
        default:
            break
        }
        appendUTF8(scalar)
    }

    /// Reads four hex digits at `index`, which follow the `\u` that starts at `escapeStart`.
    package mutating func readHex4(escapeStart: Int, quote: Int) throws(JSONReadError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current else {
                throw error("unterminated string", at: quote)
            }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw error("invalid \\u escape: expected 4 hex digits", at: escapeStart)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    package mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: Bytes

    package var current: UInt8? {
        index < bytes.count ? bytes[index] : nil
    }

    package mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    package mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    package func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    package func isWordByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    // MARK: Errors

    /// An error at byte `offset`, converted to a line and a column.
    package func error(_ message: String, at offset: Int) -> JSONReadError {
        var line = 1
        var lineStart = 0
        var position = 0
        while position < offset {
            switch bytes[position] {
            case 0x0A:
                line += 1
                lineStart = position + 1
            case 0x0D:
                if position + 1 < offset, bytes[position + 1] == 0x0A { position += 1 }
                line += 1
                lineStart = position + 1
            default:
                break
            }
            position += 1
        }
        var column = 1
        for position in lineStart..<offset where bytes[position] & 0xC0 != 0x80 {
            column += 1
        }
        return JSONReadError(line: line, column: column, message: message)
    }

    /// Like ``error(_:at:)``, but reports an attempted comment as such.
    package func unexpected(_ message: String, at offset: Int) -> JSONReadError {
        if offset + 1 < bytes.count, bytes[offset] == UInt8(ascii: "/"),
           bytes[offset + 1] == UInt8(ascii: "/") || bytes[offset + 1] == UInt8(ascii: "*") {
            return error("comments are not allowed", at: offset)
        }
        return error(message, at: offset)
    }

    package func controlCharacterError(_ byte: UInt8) -> JSONReadError {
        error("unescaped control character \(scalarName(UInt32(byte))) in string", at: index)
    }

    /// The source text between two byte offsets, clamped to the input.
    package func source(_ start: Int, _ end: Int) -> String {
        let end = min(end, bytes.count)
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    /// The run of ASCII letters, digits and underscores at `offset`, shortened if very long.
    package func word(at offset: Int) -> String {
        var end = offset
        while end < bytes.count, isWordByte(bytes[end]) { end += 1 }
        return end - offset > 32 ? source(offset, offset + 32) + "..." : source(offset, end)
    }

    /// The character at `offset` for a message: `'x'` if printable, `U+XXXX` otherwise.
    package func describe(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let lead = bytes[offset]
        let length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
        guard let scalar = source(offset, offset + length).unicodeScalars.first else {
            return "end of input"
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator,
             .unassigned, .privateUse, .surrogate, .nonspacingMark, .enclosingMark:
            return scalarName(scalar.value)
        default:
            return "'\(scalar)'"
        }
    }

    package func scalarName(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
