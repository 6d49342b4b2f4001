/// The top-level object of one of the lab's input documents (a scenario, a policy file), written in
/// JSON or in YAML: the one place that reads a document's text, so that every kind of document reports
/// syntax errors and a wrong top-level value the same way.
///
/// ```swift
/// let root = try InputDocument.root(path: "outage.yaml", what: "scenario")   // YAML by its name
/// let same = try InputDocument.jsonRoot(#"{"name": "x"}"#, file: "x.json", what: "scenario")
/// ```
package enum InputDocument {
    /// The top-level object of the file at `path`: YAML (``YAMLReader/rootObject(_:file:what:)``) when
    /// the name ends in `.yaml` or `.yml` (in any letter case), JSON (``jsonRoot(_:file:what:)``)
    /// otherwise.
    /// `path` may be `-` (standard input, read as JSON and named `standard input` in errors) or any
    /// readable stream (``TextFile/read(_:)``).
    /// - Throws: ``InputFileError`` naming `path`: it cannot be read, or as the readers below.
    package static func root(path: String, what: String) throws(InputFileError) -> JSONObject {
        try root(text: TextFile.read(path), file: TextFile.displayName(path), what: what)
    }

    /// The top-level object of `text`, the contents of `file`: YAML or JSON by the file's name, as
    /// ``root(path:what:)``.
    package static func root(text: String, file: String, what: String) throws(InputFileError) -> JSONObject {
        YAMLReader.isYAMLPath(file)
            ? try YAMLReader.rootObject(text, file: file, what: what) : try jsonRoot(text, file: file, what: what)
    }

    /// The top-level object of JSON `text`; `file` names the text and `what` its role in errors
    /// (`"policy"` gives `the policy must be a JSON object, got an array`).
    /// - Throws: ``InputFileError`` naming `file`, with the line and column of a syntax error.
    package static func jsonRoot(_ text: String, file: String, what: String) throws(InputFileError) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONReader.parse(text)
        } catch {
            throw InputFileError(file: file, line: error.line, message: "column \(error.column): \(error.message)")
        }
        guard case .object(let root) = value else {
            throw InputFileError(file: file, message: "the \(what) must be a JSON object, got \(value.kindDescription)")
        }
        return root
    }
}
