/// Writes a ``JSONWriter/Value`` as YAML block text, for the configuration files `resilience-lab tune
/// --write-config` writes: every mapping in block style (one key per line, nested ones indented two
/// spaces), scalars exactly as JSON writes them (strings double-quoted with JSON's escapes, which are
/// YAML's too; numbers in their shortest form; `null`). ``YAMLReader`` reads the text back to the same
/// values.
///
/// ```yaml
/// resilience:
///   policies:
///     payments:
///       timeout:
///         duration: "2s"
/// ```
///
/// An empty object is `{}` and an array is written inline in JSON form (valid YAML flow style); the
/// text ends with a newline.
package enum YAMLWriter {
    /// The YAML text of `value`, with a final newline.
    package static func text(_ value: JSONWriter.Value) -> String {
        guard case .object(let members, _) = value, !members.isEmpty else {
            return JSONWriter.text(value) + "\n"
        }
        var output = ""
        write(members, to: &output, indent: 0)
        return output
    }

    /// Appends one line per member at `indent`, nested non-empty objects below their key.
    private static func write(_ members: [JSONWriter.Member], to output: inout String, indent: Int) {
        let spaces = String(repeating: " ", count: indent)
        for member in members {
            output += spaces + jsonQuotedIfNeeded(member.key) + ":"
            if case .object(let nested, _) = member.value, !nested.isEmpty {
                output += "\n"
                write(nested, to: &output, indent: indent + 2)
            } else {
                output += " " + JSONWriter.text(inline(member.value)) + "\n"
            }
        }
    }

    /// A value written on its key's line: containers in JSON's inline form.
    private static func inline(_ value: JSONWriter.Value) -> JSONWriter.Value {
        switch value {
        case .array(let elements, _): .array(elements.map(inline), layout: .inline)
        case .object(let members, _): .object(members.map { ($0.key, inline($0.value)) }, layout: .inline)
        default: value
        }
    }

    /// A key as written: plain when it is letters, digits, `-` and `_` starting with a letter (so that
    /// no YAML reading turns it into a number, a boolean or null), else double-quoted.
    private static func jsonQuotedIfNeeded(_ key: String) -> String {
        let plain = key.first.map(\.isLetter) == true
            && key.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
            && !["null", "true", "false", "yes", "no", "on", "off", "y", "n"].contains(key.lowercased())
        return plain ? key : jsonQuoted(key)
    }
}
