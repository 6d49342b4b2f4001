import Resilience

/// The configuration reference's table of every key a policy can have, made from the sections' key
/// descriptions (``ConfigurationKey``): name, default, allowed values and meaning. The DocC article
/// `ConfigurationReference` holds it verbatim, and a test checks that it does, so the table cannot
/// fall behind the schema.
package enum ConfigurationReferenceTable {
    /// The table, in Markdown: a header and one row per key, in the documented order of the sections
    /// and each section's order of keys, with `section.object.key` for the keys inside an object.
    package static var markdown: String {
        struct Rows: PolicySectionVisitor {
            var rows: [String] = []
            mutating func visit<Section: ConfigurationSection>(
                _ kind: PolicyKind, _ section: WritableKeyPath<PolicyConfiguration, Section?>
            ) {
                add(Section.keys, of: Section.defaults, prefix: kind.rawValue + ".")
            }
            mutating func add<Root>(_ keys: [ConfigurationKey<Root>], of defaults: Root, prefix: String) {
                for key in keys {
                    let allowed = key.allowed.replacingPipes
                    rows.append("| `\(prefix + key.name)` | \(defaultText(key, defaults)) | \(allowed) | \(key.meaning.replacingPipes) |")
                    add(key.keys, of: defaults, prefix: prefix + key.name + ".")
                }
            }
            func defaultText<Root>(_ key: ConfigurationKey<Root>, _ defaults: Root) -> String {
                if key.requiredBecause != nil { return "required" }
                if let text = key.defaultText { return "`\(text)`" }
                switch key.value(defaults) {
                case .integer(let integer): return "`\(integer)`"
                case .number(let number): return "`\(JSONWriter.text(.number(number)))`"
                case .boolean(let boolean): return "`\(boolean)`"
                case .duration(let duration): return "`\(DurationText.format(duration))`"
                case .string(let text): return "`\(text)`"
                case .off: return "`null` (off)"
                case .object: return "an object"
                case nil: return "not set"
                }
            }
        }
        var rows = Rows()
        PolicyConfiguration.visitSections(&rows)
        return (["| key | default | allowed | meaning |", "|---|---|---|---|"] + rows.rows).joined(separator: "\n")
    }
}

extension String {
    /// The text with `|` escaped, for a cell of a Markdown table.
    fileprivate var replacingPipes: String {
        var result = ""
        for character in self { result += character == "|" ? "\\|" : String(character) }
        return result
    }
}
