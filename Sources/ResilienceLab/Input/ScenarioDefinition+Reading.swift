import ResilienceConfiguration

/// Reading a scenario file (format in ``ScenarioDefinition``'s documentation), in JSON or YAML; the
/// fields are read by ``ScenarioFileReader``.
extension ScenarioDefinition {
    /// Reads and validates the scenario file at `path`: YAML (``parseYAML(_:file:)``) when the name ends
    /// in `.yaml` or `.yml` (in any letter case), JSON (``parse(_:file:)``) otherwise.
    /// - Throws: ``LabInputError`` naming `path`.
    public static func load(path: String) throws(LabInputError) -> ScenarioDefinition {
        try read(InputDocument.root(path: path, what: "scenario"), file: TextFile.displayName(path))
    }

    /// Parses and validates scenario JSON (format in the type's documentation); `file` names it in errors.
    /// - Throws: ``LabInputError`` naming `file` and, for a bad field, the field with its path.
    public static func parse(_ text: String, file: String) throws(LabInputError) -> ScenarioDefinition {
        try read(InputDocument.jsonRoot(text, file: file, what: "scenario"), file: file)
    }

    /// Parses and validates a scenario written in YAML: the same fields as the JSON form (see the type's
    /// documentation), read by the same checks after ``YAMLReader`` turns the document into JSON
    /// values. Scalars follow the YAML 1.2 core schema: `20ms` and `yes` are strings, `42` and `0.3` numbers;
    /// a quoted scalar (`"42"`) is always a string. `file` names the text in errors.
    /// - Throws: ``LabInputError`` naming `file`: with the line and column of a YAML syntax error, a
    ///   duplicate key, a non-string key or a second document; naming the field with its path for a bad
    ///   field (`dependency.phases[2].fraction: 1.5 is not allowed; allowed: [0, 1]`); or `the scenario
    ///   must be a mapping, got ...` for an empty file or another kind of document.
    public static func parseYAML(_ text: String, file: String) throws(LabInputError) -> ScenarioDefinition {
        try read(YAMLReader.rootObject(text, file: file, what: "scenario"), file: file)
    }

    private static func read(_ root: JSONObject, file: String) throws(LabInputError) -> ScenarioDefinition {
        do {
            return try ScenarioFileReader.scenario(FieldReader(root))
        } catch {
            throw LabInputError(file: file, message: error.message)
        }
    }
}
