/// A parsed JSON value. Objects keep their members in document order.
public enum JSONValue: Sendable, Equatable {
    /// The JSON literal `null`.
    case null
    /// The JSON literal `true` or `false`.
    case bool(Bool)
    /// A JSON number, as the `Double` that Swift's `Double(String)` produces for its text.
    case number(Double)
    /// A JSON string with all escape sequences decoded.
    case string(String)
    /// A JSON array, in document order.
    case array([JSONValue])
    /// A JSON object, with its members in document order.
    case object(JSONObject)

    /// Short name of the kind for error messages: "null", "a boolean", "a number", "a string", "an array", "an object".
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON object whose members keep the order in which they appear in the document.
///
/// ``JSONReader`` never produces two members with the same key. Lookups by key are linear
/// scans, which is fast for the small objects typical of trace records.
public struct JSONObject: Sendable, Equatable {
    /// The members of the object, in document order.
    public var members: [(key: String, value: JSONValue)]

    /// Creates an object with the given members, kept in the given order.
    public init(members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    /// The value of the first member named `key`, or `nil` if there is no such member.
    public subscript(key: String) -> JSONValue? {
        for member in members where member.key == key {
            return member.value
        }
        return nil
    }

    /// The keys of the members, in document order.
    public var keys: [String] {
        members.map(\.key)
    }

    /// Two objects are equal when they have the same members in the same order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (left, right) in zip(lhs.members, rhs.members) {
            guard left.key == right.key, left.value == right.value else { return false }
        }
        return true
    }
}

/// Escapes a string as a JSON string literal including the quotes, e.g. `"a\"b"`.
///
/// Quotes and backslashes are escaped, control characters U+0000 through U+001F use the
/// short escapes (`\n`, `\t`, `\r`, `\b`, `\f`) where JSON has one and `\u00XX` otherwise.
/// All other characters, including non-ASCII ones, are copied unchanged.
package func jsonQuoted(_ string: String) -> String {
    let utf8 = string.utf8
    let needsEscaping = utf8.contains { $0 < 0x20 || $0 == JSONBytes.quote || $0 == JSONBytes.backslash }
    guard needsEscaping else { return "\"" + string + "\"" }

    var output: [UInt8] = []
    output.reserveCapacity(utf8.count + 8)
    output.append(JSONBytes.quote)
    for byte in utf8 {
        switch byte {
        case JSONBytes.quote: output.append(JSONBytes.backslash); output.append(JSONBytes.quote)
        case JSONBytes.backslash: output.append(JSONBytes.backslash); output.append(JSONBytes.backslash)
        case 0x0A: output.append(JSONBytes.backslash); output.append(UInt8(ascii: "n"))
        case 0x0D: output.append(JSONBytes.backslash); output.append(UInt8(ascii: "r"))
        case 0x09: output.append(JSONBytes.backslash); output.append(UInt8(ascii: "t"))
        case 0x08: output.append(JSONBytes.backslash); output.append(UInt8(ascii: "b"))
        case 0x0C: output.append(JSONBytes.backslash); output.append(UInt8(ascii: "f"))
        case 0..<0x20:
            output.append(JSONBytes.backslash)
            output.append(UInt8(ascii: "u"))
            output.append(UInt8(ascii: "0"))
            output.append(UInt8(ascii: "0"))
            output.append(JSONBytes.hexDigit(byte >> 4))
            output.append(JSONBytes.hexDigit(byte & 0x0F))
        default:
            output.append(byte)
        }
    }
    output.append(JSONBytes.quote)
    return String(decoding: output, as: UTF8.self)
}

/// ASCII byte constants shared by the reader and ``jsonQuoted(_:)``.
package enum JSONBytes {
    package static let quote = UInt8(ascii: "\"")
    package static let backslash = UInt8(ascii: "\\")

    /// The lowercase hexadecimal digit for a value in `0..<16`.
    package static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + (value - 10)
    }
}
