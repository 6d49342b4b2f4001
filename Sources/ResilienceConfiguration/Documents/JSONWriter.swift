/// Writes JSON text: every JSON output of the lab (`run --json`, the suite's metrics, `tune`'s
/// POLICY.json, `replay` and `schedule` lines) goes through here, so numbers, spacing and escaping are
/// formatted in one place.
///
/// The output is a tree of ``Value``s whose objects keep their members in the given order. Numbers say
/// how they are written (``JSONValue`` holds a `Double`, which cannot keep `153.000000000000001` ms or
/// the trailing zeros of `0.125000`). Each object and array chooses its ``Layout``:
///
/// ```swift
/// JSONWriter.text(.object([("retry", .integer(1)), ("delayMs", .milliseconds(.microseconds(153_250)))]))
/// // {"retry": 1, "delayMs": 153.25}
/// JSONWriter.text(.object([("timeout", .object([("duration", .string("2s"))], layout: .lines))], layout: .lines))
/// // {
/// //   "timeout": {
/// //     "duration": "2s"
/// //   }
/// // }
/// ```
///
/// Strings are escaped by ``jsonQuoted(_:)``. The text has no final newline.
package enum JSONWriter {
    /// A JSON value to write.
    package indirect enum Value {
        case null
        case boolean(Bool)
        case integer(Int)
        /// For the integers above `Int.max` that seeds may be.
        case unsigned(UInt64)
        /// The shortest text that reads back to the same `Double`, without `.0` when integral
        /// (`2`, `0.97`, `1e-05`). Must be finite: JSON has no `nan` or `inf`.
        case number(Double)
        /// A number already written as JSON text by its producer (exact milliseconds, a fixed number of
        /// decimals), copied as is.
        case numberText(String)
        case string(String)
        case array([Value], layout: Layout = .inline)
        /// Members in the given order; the writer does not check that keys are unique.
        case object([Member], layout: Layout = .inline)
    }

    /// A member of an object: its key and its value.
    package typealias Member = (key: String, value: Value)

    /// How an object or an array is laid out. An empty one is always `{}` or `[]`.
    package enum Layout {
        /// On one line: `{"a": 1, "b": [1, 2]}`.
        case inline
        /// One member or element per line, indented two spaces more than the line where the
        /// container starts; the closing bracket on its own line at that line's indent.
        case lines
    }

    /// The JSON text of `value`, without a final newline.
    package static func text(_ value: Value) -> String {
        var output = ""
        write(value, to: &output, indent: 0)
        return output
    }

    /// Appends `value`; `indent` is the indent of the line it starts on.
    private static func write(_ value: Value, to output: inout String, indent: Int) {
        switch value {
        case .null: output += "null"
        case .boolean(let value): output += value ? "true" : "false"
        case .integer(let value): output += String(value)
        case .unsigned(let value): output += String(value)
        case .number(let value):
            precondition(value.isFinite, "JSON has no number \(value)")
            // Swift writes the shortest text that reads back to the same Double; JSON has no "1e-05"
            // problem (an exponent may have leading zeros). Integral values drop the ".0".
            if value == value.rounded(), abs(value) < 1e15 {
                output += String(Int64(value))
            } else {
                output += "\(value)"
            }
        case .numberText(let text): output += text
        case .string(let value): output += jsonQuoted(value)
        case .array(let elements, let layout):
            writeContainer(elements, open: "[", close: "]", layout: layout, to: &output, indent: indent) { element, output, indent in
                write(element, to: &output, indent: indent)
            }
        case .object(let members, let layout):
            writeContainer(members, open: "{", close: "}", layout: layout, to: &output, indent: indent) { member, output, indent in
                output += jsonQuoted(member.key)
                output += ": "
                write(member.value, to: &output, indent: indent)
            }
        }
    }

    /// Appends the brackets, the items laid out by `layout`, and the separators between them.
    private static func writeContainer<Item>(
        _ items: [Item], open: String, close: String, layout: Layout, to output: inout String, indent: Int,
        item writeItem: (Item, inout String, Int) -> Void
    ) {
        output += open
        guard !items.isEmpty else {
            output += close
            return
        }
        switch layout {
        case .inline:
            for (index, item) in items.enumerated() {
                if index > 0 { output += ", " }
                writeItem(item, &output, indent)
            }
        case .lines:
            let inner = String(repeating: " ", count: indent + 2)
            for (index, item) in items.enumerated() {
                output += index > 0 ? ",\n" : "\n"
                output += inner
                writeItem(item, &output, indent + 2)
            }
            output += "\n" + String(repeating: " ", count: indent)
        }
        output += close
    }
}

extension JSONWriter.Value {
    /// A value read by ``JSONReader``, to be written again (objects and arrays inline, members in
    /// document order).
    package init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let bool): self = .boolean(bool)
        case .number(let number): self = .number(number)
        case .string(let string): self = .string(string)
        case .array(let elements): self = .array(elements.map(JSONWriter.Value.init))
        case .object(let object): self = .object(object.members.map { ($0.key, JSONWriter.Value($0.value)) })
        }
    }
}
