/// One configuration file as read: its top-level object, or why it could not be read. Reading a file
/// never stops at a bad one: ``ResilienceSettings`` reports its problem beside those of the others.
package struct ConfigurationDocument: Sendable {
    /// The file, as named by the user.
    package let file: String
    package let root: Result<JSONObject, InputFileError>

    /// Reads the file at `path` (JSON, or YAML by its name).
    package init(path: String) {
        file = TextFile.displayName(path)
        root = Result { () throws(InputFileError) in try InputDocument.root(path: path, what: "configuration") }
    }

    /// Parses the contents of `file` (JSON, or YAML by its name).
    package init(bytes: some Collection<UInt8>, file: String) {
        self.file = file
        root = Result { () throws(InputFileError) in
            try InputDocument.root(text: TextFile.text(of: bytes, file: file), file: file, what: "configuration")
        }
    }
}
