import Configuration

/// A configuration file read by this project's own JSON and YAML readers, as a swift-configuration
/// snapshot: what a `FileProvider` or a `ReloadingFileProvider` holds for a resilience configuration
/// file.
///
/// swift-configuration's own `JSONSnapshot` and `YAMLSnapshot` drop JSON `null` (so
/// `halfOpenMaxDuration: null` would silently become a default) and reject lists of mappings; this
/// snapshot keeps the document exactly as the lab reads it, with the same error messages and YAML
/// alias bounds.
///
/// **A file that does not parse is still a snapshot**, holding its error: a reloading provider keeps
/// its old snapshot when parsing throws and says so only at debug level, so the error is carried to
/// ``ResilienceConfigurationReloader``, which rejects the reload, logs the error and counts it.
///
/// As a `ConfigSnapshot` it serves the file's scalars by key path (`service.port`), so a service may
/// read its own keys from the same provider: strings, integers, numbers and booleans of the requested
/// type; `null`, objects and arrays are absent (swift-configuration has no null and no nesting).
public struct ResilienceFileSnapshot: FileConfigSnapshot {
    /// Where the snapshot's bytes come from: the file's name, which says whether it is YAML
    /// (`.yaml`, `.yml`) or JSON, and names it in errors.
    public struct ParsingOptions: FileParsingOptions {
        /// The file's path, as the user named it.
        public var file: String

        /// Options for `file`.
        public init(file: String) {
            self.file = file
        }

        /// A JSON document without a name; give the file's path instead.
        public static var `default`: ParsingOptions { ParsingOptions(file: "configuration.json") }
    }

    public let providerName: String
    /// The file as read: its top-level object, or its error.
    let document: ConfigurationDocument

    public init(data: RawSpan, providerName: String, parsingOptions: ParsingOptions) {
        self.providerName = providerName
        let bytes = data.withUnsafeBytes { Array($0) }
        document = ConfigurationDocument(bytes: bytes, file: parsingOptions.file)
    }

    /// The scalar at `key` (its components, from the top level), as `type`.
    /// - Throws: ``ResilienceFileSnapshot/TypeMismatch`` when the value there is of another type.
    public func value(forKey key: AbsoluteConfigKey, type: ConfigType) throws -> LookupResult {
        let encodedKey = key.components.joined(separator: ".")
        guard case .success(let root) = document.root, let value = Self.value(at: key.components[...], in: root) else {
            return LookupResult(encodedKey: encodedKey, value: nil)
        }
        let content: ConfigContent? = switch (value, type) {
        case (.string(let text), .string): .string(text)
        case (.number(let number), .double): .double(number)
        case (.number(let number), .int) where number == number.rounded() && abs(number) < 9.0e15: .int(Int(number))
        case (.bool(let bool), .bool): .bool(bool)
        case (.null, _), (.object, _), (.array, _): nil
        default: throw TypeMismatch(key: encodedKey, expected: type.rawValue, found: value.kindDescription)
        }
        return LookupResult(encodedKey: encodedKey, value: content.map { ConfigValue($0, isSecret: false) })
    }

    private static func value(at path: ArraySlice<String>, in object: JSONObject) -> JSONValue? {
        guard let first = path.first, let value = object[first] else { return nil }
        guard path.count > 1 else { return value }
        guard case .object(let nested) = value else { return nil }
        return Self.value(at: path.dropFirst(), in: nested)
    }

    public var description: String { "ResilienceFileSnapshot[\(document.file)]" }
    public var debugDescription: String { description }

    /// A key read as a type its value does not have.
    public struct TypeMismatch: Error, CustomStringConvertible {
        public var key: String
        public var expected: String
        public var found: String
        public var description: String { "\(key): expected \(expected), found \(found)" }
    }
}
