import Yams

/// Where reading YAML failed: the 1-based line and column that Yams reports (when it reports one),
/// and what was wrong.
package struct YAMLReadError: Error, Equatable {
    /// The 1-based line of the problem, if known.
    package var line: Int?
    /// The 1-based column of the problem (Unicode scalars, as libyaml counts), if known.
    package var column: Int?
    /// What was wrong; a problem with one node starts with the node's path (`traffic.operations: ...`).
    package var message: String

    /// The message as ``InputFileError`` shows it after the line: `column C: MESSAGE`.
    package var messageWithColumn: String {
        if let column { return "column \(column): \(message)" }
        return message
    }
}

/// Reads one YAML document into a ``JSONValue``, so that YAML files are checked by the same
/// ``FieldReader`` code as JSON files.
///
/// The document is composed with Yams' node API (`Yams.Parser`, never the `Any`-based `load`) and
/// converted as follows:
///
/// - A mapping becomes an ``JSONValue/object(_:)`` keeping the document's key order. Every key must be a
///   string scalar (`1: x` or `true: x` is an error naming the mapping's path; quote such keys); a
///   key that appears twice is an error naming it; merge keys (`<<`) are not supported.
/// - A sequence becomes an ``JSONValue/array(_:)``.
/// - A scalar is typed by its tag, resolved with the YAML 1.2 **core schema**: `null`, `Null`,
///   `NULL`, `~` or nothing → ``JSONValue/null``; `true`/`false` (also `True`, `TRUE`, ...) →
///   ``JSONValue/bool(_:)``; decimal, `0o` octal and `0x` hexadecimal integers and decimal floats →
///   ``JSONValue/number(_:)``; everything else (`20ms`, `yes`, `on`, `1_000`, `2024-01-01`) →
///   ``JSONValue/string(_:)``. A quoted scalar is always a string. Explicit core tags (`!!str 5`,
///   `!!int "5"`) are honoured; other tags (`!!timestamp`, `!!binary`, `!custom`) are errors.
///   `.inf` and `.nan` are errors, as JSON has no such numbers.
/// - Anchors and aliases are resolved by Yams (an alias is a copy of the anchored node). Aliases are
///   bounded, so that a small file cannot expand into a huge document (the "billion laughs"):
///   at most ``maximumAliases`` aliases, and at most ``maximumNodes`` nodes (scalars, sequences and
///   mappings, keys included) once every alias is expanded. Both are checked on Yams' tree, whose
///   aliases share their node, before anything is expanded.
/// - An empty stream (nothing but comments or blank lines) reads as `nil`; a second document is
///   an error.
package enum YAMLReader {
    /// Whether `path` names a YAML file: it ends in `.yaml` or `.yml`, in any letter case.
    package static func isYAMLPath(_ path: String) -> Bool {
        let lowercased = path.lowercased()
        return lowercased.hasSuffix(".yaml") || lowercased.hasSuffix(".yml")
    }

    /// The top-level mapping of the YAML file `file` whose text is `text`; `what` names the file's
    /// role in errors (`"scenario"` gives `the scenario must be a mapping, got a sequence`).
    /// - Throws: ``InputFileError`` naming `file`, with the line of a syntax error.
    package static func rootObject(_ text: String, file: String, what: String) throws(InputFileError) -> JSONObject {
        let value: JSONValue?
        do {
            value = try parse(text)
        } catch {
            throw InputFileError(file: file, line: error.line, message: error.messageWithColumn)
        }
        guard let value else {
            throw InputFileError(file: file, message: "the \(what) must be a mapping, got an empty file")
        }
        guard case .object(let root) = value else {
            throw InputFileError(file: file, message: "the \(what) must be a mapping, got \(kindDescription(value))")
        }
        return root
    }

    /// The single document of `text` as a ``JSONValue``, or `nil` when the text holds no document.
    package static func parse(_ text: String) throws(YAMLReadError) -> JSONValue? {
        let resolver: Resolver
        switch coreSchema {
        case .success(let value): resolver = value
        case .failure(let error): throw YAMLReadError(message: "the YAML core schema is unavailable: \(error)")
        }
        let root: Node
        do {
            let parser = try Parser(yaml: text, resolver: resolver, constructor: .default, encoding: .utf8)
            guard let first = try parser.nextRoot() else { return nil }
            if let second = try parser.nextRoot() {
                throw YAMLReadError(
                    line: second.mark?.line, column: second.mark?.column,
                    message: "a second YAML document; the file must hold exactly one")
            }
            root = first
            try checkAliasBounds(root)
        } catch let error as YAMLReadError {
            throw error
        } catch let error as YamlError {
            throw readError(error, in: text)
        } catch {
            throw YAMLReadError(message: "\(error)")
        }
        return try value(of: root, path: "")
    }

    /// The most aliases (`*name`) a document may use.
    package static let maximumAliases = 10_000
    /// The most nodes a document may hold once its aliases are expanded: far more than any policy,
    /// scenario or configuration needs (a scenario with 100,000 operations holds about 200,000), far
    /// fewer than a "billion laughs" makes of a few hundred bytes.
    package static let maximumNodes = 2_000_000

    /// Checks the alias bounds (``maximumAliases``, ``maximumNodes``) on `root`, whose aliases Yams
    /// has replaced by the anchored node itself: a node carrying an anchor met again is an alias, and
    /// its size is remembered, so this takes time in proportion to the file, not to its expansion.
    private static func checkAliasBounds(_ root: Node) throws(YAMLReadError) {
        struct Origin: Hashable {
            var anchor: String
            var line: Int
            var column: Int
        }
        var sizes: [Origin: Int] = [:]
        var aliases = 0
        /// The expanded size of `node`, at most `maximumNodes + 1`.
        func size(_ node: Node) throws(YAMLReadError) -> Int {
            var origin: Origin?
            if let anchor = node.anchor, let mark = node.mark {
                let key = Origin(anchor: anchor.rawValue, line: mark.line, column: mark.column)
                if let known = sizes[key] {
                    aliases += 1
                    guard aliases <= maximumAliases else {
                        throw YAMLReadError(
                            line: mark.line, column: mark.column,
                            message: "more than \(maximumAliases) aliases, the most a document may use (the one over refers to &\(anchor.rawValue))")
                    }
                    return known
                }
                origin = key
            }
            var total = 1
            switch node {
            case .scalar, .alias: break
            case .sequence(let sequence):
                for element in sequence { total = min(total + (try size(element)), maximumNodes + 1) }
            case .mapping(let mapping):
                for (key, value) in mapping {
                    total = min(total + (try size(key)) + (try size(value)), maximumNodes + 1)
                }
            }
            if let origin { sizes[origin] = total }
            return total
        }
        // A node's size counts once per use, so the root's size is the expanded document's.
        guard try size(root) > maximumNodes else { return }
        var message = "aliases expand the document to more than \(maximumNodes) nodes, the most allowed"
        let largest = sizes.max { ($0.value, $1.key.line) < ($1.value, $0.key.line) }
        if let largest {
            let count = largest.value > maximumNodes ? "more than \(maximumNodes)" : "\(largest.value)"
            message += "; the anchor &\(largest.key.anchor) expands to \(count) nodes"
        }
        throw YAMLReadError(line: largest?.key.line, column: largest?.key.column, message: message)
    }

    /// The YAML 1.2 core schema's implicit tags (yaml.org/spec/1.2.2, 10.3.2), in Yams' resolver form.
    /// Built once; a pattern that fails to compile is reported by ``parse(_:)`` (and by the tests).
    package static let coreSchema: Result<Resolver, any Error> = Result {
        try Resolver.basic
            .appending(.null, "^(?:~|null|Null|NULL|)$")
            .appending(.bool, "^(?:true|True|TRUE|false|False|FALSE)$")
            .appending(.int, "^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
            .appending(
                .float,
                "^(?:[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$")
    }

    // MARK: - Conversion

    private static func value(of node: Node, path: String) throws(YAMLReadError) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return try value(of: scalar, tag: tagName(of: node), path: path)
        case .sequence(let sequence):
            try expectTag(.seq, of: node, path: path)
            var elements: [JSONValue] = []
            elements.reserveCapacity(sequence.count)
            for (index, element) in sequence.enumerated() {
                elements.append(try value(of: element, path: "\(path)[\(index)]"))
            }
            return .array(elements)
        case .mapping(let mapping):
            try expectTag(.map, of: node, path: path)
            var members: [(key: String, value: JSONValue)] = []
            members.reserveCapacity(mapping.count)
            var keys = Set<String>(minimumCapacity: mapping.count)
            for (keyNode, valueNode) in mapping {
                let key = try self.key(keyNode, in: path)
                if !keys.insert(key).inserted {
                    throw error(at: keyNode, "\(describe(path)): duplicate key \(jsonQuoted(key))")
                }
                members.append((key, try value(of: valueNode, path: path.isEmpty ? key : "\(path).\(key)")))
            }
            return .object(JSONObject(members: members))
        case .alias:
            // `Parser` replaces every alias by the node it names; an alias here would be a Yams change.
            throw error(at: node, "\(describe(path)): an unresolved alias")
        }
    }

    private static func value(of scalar: Node.Scalar, tag: Tag.Name, path: String) throws(YAMLReadError) -> JSONValue {
        let text = scalar.string
        let node = Node.scalar(scalar)
        switch tag {
        case .str:
            return .string(text)
        case .null:
            return .null
        case .bool:
            switch text.lowercased() {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw error(at: node, "\(describe(path)): \(jsonQuoted(text)) is not a boolean; allowed: true, false")
            }
        case .int:
            guard let number = integer(text) else {
                throw error(at: node, "\(describe(path)): \(jsonQuoted(text)) is not an integer that fits in 64 bits")
            }
            return .number(number)
        case .float:
            if [".inf", "+.inf", "-.inf", ".nan"].contains(text.lowercased()) {
                throw error(at: node, "\(describe(path)): \(text) is not allowed; allowed: a finite number")
            }
            guard let number = Double(text) else {
                throw error(at: node, "\(describe(path)): \(jsonQuoted(text)) is not a number")
            }
            guard number.isFinite else {
                throw error(at: node, "\(describe(path)): \(text) is not allowed; allowed: a finite number")
            }
            return .number(number)
        default:
            throw error(at: node, "\(describe(path)): the tag \(shortTag(tag)) is not supported; allowed: !!str, !!int, !!float, !!bool, !!null")
        }
    }

    /// A core-schema integer (`-12`, `+7`, `0o17`, `0x1F`) as a `Double` (exact up to 2⁵³, like JSON).
    private static func integer(_ text: String) -> Double? {
        if text.hasPrefix("0o") { return Int64(text.dropFirst(2), radix: 8).map(Double.init) }
        if text.hasPrefix("0x") { return Int64(text.dropFirst(2), radix: 16).map(Double.init) }
        guard !text.isEmpty, text.dropFirst(text.first == "-" || text.first == "+" ? 1 : 0).allSatisfy(\.isASCIIDigit) else {
            return nil
        }
        return Double(text)
    }

    private static func key(_ node: Node, in path: String) throws(YAMLReadError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error(at: node, "\(describe(path)): a key must be a string, got \(nodeKind(node))")
        }
        let tag = tagName(of: node)
        if tag == .str {
            if scalar.string == "<<" && scalar.style == .plain {
                throw error(at: node, "\(describe(path)): merge keys (<<) are not supported; write the keys out")
            }
            return scalar.string
        }
        let kind = switch tag {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .float: "a number"
        default: "a scalar tagged \(shortTag(tag))"
        }
        throw error(
            at: node, "\(describe(path)): the key \(scalar.string) must be a string, got \(kind); quote it: \(jsonQuoted(scalar.string))")
    }

    private static func expectTag(_ expected: Tag.Name, of node: Node, path: String) throws(YAMLReadError) {
        let tag = tagName(of: node)
        guard tag == expected else {
            throw error(at: node, "\(describe(path)): the tag \(shortTag(tag)) is not supported here; allowed: \(shortTag(expected))")
        }
    }

    /// The node's resolved tag (Yams resolves an implicit tag with the parser's resolver).
    private static func tagName(of node: Node) -> Tag.Name {
        Tag.Name(rawValue: node.tag.rawValue)
    }

    private static func error(at node: Node, _ message: String) -> YAMLReadError {
        YAMLReadError(line: node.mark?.line, column: node.mark?.column, message: message)
    }

    /// `path`, or `the document` for the top level.
    private static func describe(_ path: String) -> String {
        path.isEmpty ? "the document" : path
    }

    /// `!!int` for `tag:yaml.org,2002:int`, other tags as written.
    private static func shortTag(_ tag: Tag.Name) -> String {
        let prefix = "tag:yaml.org,2002:"
        return tag.rawValue.hasPrefix(prefix) ? "!!" + tag.rawValue.dropFirst(prefix.count) : tag.rawValue
    }

    private static func nodeKind(_ node: Node) -> String {
        switch node {
        case .scalar: "a scalar"
        case .sequence: "a sequence"
        case .mapping: "a mapping"
        case .alias: "an alias"
        }
    }

    /// ``JSONValue/kindDescription`` in YAML's words (`a sequence`, `a mapping`).
    package static func kindDescription(_ value: JSONValue) -> String {
        switch value {
        case .array: "a sequence"
        case .object: "a mapping"
        default: value.kindDescription
        }
    }

    // MARK: - Yams errors

    /// A Yams error as a ``YAMLReadError`` at the position Yams reports.
    private static func readError(_ error: YamlError, in text: String) -> YAMLReadError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = problem
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return YAMLReadError(line: mark.line, column: mark.column, message: message)
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams marks the first occurrence of the (alphabetically first) repeated key.
            let keys = duplicates.map { jsonQuoted($0) }.joined(separator: ", ")
            let message = duplicates.count == 1
                ? "duplicate key \(keys): it appears again later in the same mapping"
                : "duplicate keys \(keys): each appears again later in the same mapping"
            return YAMLReadError(line: context.mark.line, column: context.mark.column, message: message)
        case .reader(let problem, let offset, _, _):
            guard let offset else { return YAMLReadError(message: problem) }
            let (line, column) = position(ofCharacter: offset, in: text)
            return YAMLReadError(line: line, column: column, message: problem)
        default:
            return YAMLReadError(message: "\(error)")
        }
    }

    /// The 1-based line and column of the character at `offset` (counted in `Character`s).
    private static func position(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}

extension Character {
    /// `0` through `9`.
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
