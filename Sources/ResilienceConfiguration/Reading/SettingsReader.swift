import Configuration
import Resilience

extension ResilienceSettings {
    /// Reads the configuration under `resilience` from `files` (JSON, or YAML by their names' `.yaml` or
    /// `.yml`; a later file overrides an earlier one) and `environment`, over the defaults.
    ///
    /// **Precedence:** environment variables over files over the defaults of the profile. Environment
    /// variable names follow swift-configuration's own mapping of a key: its components upper-cased,
    /// an underscore between a lowercase and an uppercase letter, non-alphanumeric characters as `_`,
    /// components joined by `_` (`resilience.policies.payments.circuitBreaker.failureRatio` is
    /// `RESILIENCE_POLICIES_PAYMENTS_CIRCUIT_BREAKER_FAILURE_RATIO`). An environment variable turns a
    /// key off with the value `null`. The profile is `profile` when given, else
    /// `RESILIENCE_PROFILE`, else the files' `resilience.profile`, else `production`.
    ///
    /// **Validation:** everything is checked before anything is used, and every problem is reported at
    /// once: each bad key with its full path, the value and what is allowed; unknown keys under
    /// `resilience` in a file and `RESILIENCE_*` variables that map to no key (typos must not silently
    /// become defaults); policy names other than lowercase letters, digits and `-`.
    /// - Throws: ``ConfigurationProblems`` listing every problem.
    public static func read(
        files: [String], environment: [String: String], profile: ResilienceProfile? = nil
    ) throws(ConfigurationProblems) -> ResilienceSettings {
        try read(documents: files.map(ConfigurationDocument.init(path:)), environment: environment, profile: profile)
    }

    /// ``read(files:environment:profile:)`` with the files already read.
    package static func read(
        documents: [ConfigurationDocument], environment: [String: String], profile: ResilienceProfile?
    ) throws(ConfigurationProblems) -> ResilienceSettings {
        var reader = SettingsReader(environment: environment)
        for document in documents { reader.read(document) }
        reader.readEnvironment()
        let settings = reader.settings(profile: profile)
        guard reader.problems.isEmpty else { throw ConfigurationProblems(reader.problems) }
        return settings
    }
}

/// The steps of ``ResilienceSettings/read(files:environment:profile:)``: each file's keys checked
/// against the schema and kept as text, the environment's `RESILIENCE_*` variables mapped to keys,
/// then every key looked up through a swift-configuration `ConfigReader` (environment first, then the
/// files, last first) and parsed by its kind.
struct SettingsReader {
    typealias Problem = ConfigurationProblems.Problem

    let environment: [String: String]
    /// The environment as swift-configuration reads it; also what maps a key to a variable's name.
    let environmentProvider: EnvironmentVariablesProvider
    var problems: [Problem] = []
    /// Each file that was read, with the text of each key it gives (values in the form an environment
    /// variable would give them, so that one parser reads both), by dotted key path.
    var files: [(path: String, values: [String: String])] = []
    /// The keys that environment variables give: dotted key path to the variable's name.
    var environmentKeys: [String: String] = [:]
    /// The policy names, in the order first met.
    var policyNames: [String] = []

    init(environment: [String: String]) {
        self.environment = environment
        // swift-configuration's access reports redact the values of secret keys' variables too.
        let secretSuffixes = PolicyConfiguration.secretKeyNames.map { "_" + Self.encodedSuffix(of: $0) }
        environmentProvider = EnvironmentVariablesProvider(
            environmentVariables: environment,
            secretsSpecifier: .dynamic { name, _ in secretSuffixes.contains { name.hasSuffix($0) } })
    }

    /// The environment-variable form of a `section.key` name (`CIRCUIT_BREAKER_FAILURE_RATIO`), by
    /// swift-configuration's own mapping.
    static func encodedSuffix(of keyName: String) -> String {
        let key = AbsoluteConfigKey(keyName.split(separator: ".").map(String.init))
        return (try? EnvironmentVariablesProvider(environmentVariables: [:]).value(forKey: key, type: .string).encodedKey) ?? keyName
    }

    // MARK: - Files

    /// Checks the file's `resilience` object against the schema and keeps the text of each key.
    mutating func read(_ document: ConfigurationDocument) {
        let path = document.file
        let root: JSONObject
        switch document.root {
        case .success(let object):
            root = object
        case .failure(let error):
            problems.append(Problem(key: path, message: error.description))
            return
        }
        var values: [String: String] = [:]
        defer { files.append((path, values)) }
        guard let resilience = root["resilience"] else { return }
        guard case .object(let object) = resilience else {
            problems.append(Problem(key: "resilience", message: "resilience must be an object, got \(resilience.kindDescription)", source: path))
            return
        }
        let reader = FieldReader(object, path: "resilience")
        for (key, message) in reader.unknownKeys(known: Self.topLevelKeys) {
            problems.append(Problem(key: key, message: message, source: path))
        }
        check(path) { () throws(FieldError) in
            if let value = object["enabled"] {
                guard case .bool(let enabled) = value else { throw reader.typeError("enabled", expected: "true or false", got: value) }
                values["resilience.enabled"] = String(enabled)
            }
        }
        check(path) { () throws(FieldError) in
            if let profile = try reader.choice("profile", of: ResilienceProfile.self) {
                values["resilience.profile"] = profile.rawValue
            }
        }
        check(path) { () throws(FieldError) in
            guard let timeouts = try reader.object("timeouts") else { return }
            for type in timeouts.object.keys {
                guard Self.isName(type) else {
                    throw FieldError(message: "\(timeouts.name(type)): an operation type is lowercase letters, digits and -, got \(jsonQuoted(type))")
                }
                if let duration = try timeouts.duration(type) { values[timeouts.name(type)] = DurationText.format(duration) }
            }
        }
        var policies: FieldReader?
        check(path) { () throws(FieldError) in policies = try reader.object("policies") }
        for name in policies?.object.keys ?? [] {
            var policy: FieldReader?
            check(path) { () throws(FieldError) in
                guard let policies else { return }
                guard Self.isName(name) else {
                    throw FieldError(message: "\(policies.name(name)): a policy name is lowercase letters, digits and -, got \(jsonQuoted(name))")
                }
                policy = try policies.object(name)
            }
            guard let policy else { continue }
            notePolicy(name)
            readPolicy(policy, file: path, into: &values)
        }
    }

    /// The keys directly under `resilience`.
    static let topLevelKeys = ["enabled", "profile", "timeouts", "policies"]

    /// Checks one policy's sections and keys, keeping their values as text.
    mutating func readPolicy(_ policy: FieldReader, file: String, into values: inout [String: String]) {
        struct Sections: PolicySectionVisitor {
            let policy: FieldReader
            var problems: [FieldError] = []
            var values: [String: String] = [:]

            mutating func visit<Section: ConfigurationSection>(
                _ kind: PolicyKind, _ section: WritableKeyPath<PolicyConfiguration, Section?>
            ) {
                do throws(FieldError) {
                    guard let object = try policy.object(kind.rawValue) else { return }
                    values[object.path] = "{}"
                    collect(Section.keys, in: object)
                } catch {
                    problems.append(error)
                }
            }

            mutating func collect<Root>(_ keys: [ConfigurationKey<Root>], in object: FieldReader) {
                do throws(FieldError) {
                    try object.rejectUnknownKeys(known: keys.map(\.name))
                } catch {
                    problems.append(error)
                }
                for key in keys {
                    guard let raw = object.object[key.name] else { continue }
                    do throws(FieldError) {
                        let value = try object.value(of: key, raw)
                        values[object.name(key.name)] = value.text
                        if case .object(let nested) = key.kind, case .object = value, let inner = try object.object(key.name) {
                            collect(nested, in: inner)
                        }
                    } catch {
                        problems.append(error)
                    }
                }
            }
        }
        check(file) { () throws(FieldError) in
            try policy.rejectUnknownKeys(known: PolicyConfiguration.sectionNames, what: "section")
        }
        var sections = Sections(policy: policy)
        PolicyConfiguration.visitSections(&sections)
        for error in sections.problems { problems.append(Problem(key: policy.path, message: error.message, source: file)) }
        values.merge(sections.values) { _, new in new }
    }

    /// Runs `body`, noting its error as a problem of `file`.
    mutating func check(_ file: String, _ body: () throws(FieldError) -> Void) {
        do {
            try body()
        } catch {
            problems.append(Problem(key: "resilience", message: error.message, source: file))
        }
    }

    mutating func notePolicy(_ name: String) {
        if !policyNames.contains(name) { policyNames.append(name) }
    }

    /// Whether `name` is a valid policy name or operation type: lowercase letters, digits and `-`.
    static func isName(_ name: String) -> Bool {
        ResilienceSettings.isPolicyName(name)
    }

    // MARK: - The environment

    /// The name of the environment variable of `keyPath` (dotted), by swift-configuration's mapping.
    func environmentName(of keyPath: String) -> String {
        let key = AbsoluteConfigKey(keyPath.split(separator: ".").map(String.init))
        return (try? environmentProvider.value(forKey: key, type: .string).encodedKey) ?? keyPath
    }

    /// Maps every `RESILIENCE_*` variable to its key; one that maps to no key is a problem.
    mutating func readEnvironment() {
        let names = environment.keys.filter { $0.hasPrefix("RESILIENCE_") }.sorted()
        let suffixes = Self.policyKeySuffixes.map { (path: $0, name: environmentName(of: $0)) }
        for name in names {
            if name == environmentName(of: "resilience.enabled") {
                environmentKeys["resilience.enabled"] = name
            } else if name == environmentName(of: "resilience.profile") {
                environmentKeys["resilience.profile"] = name
            } else if let type = name.dropPrefix("RESILIENCE_TIMEOUTS_"), !type.isEmpty {
                environmentKeys["resilience.timeouts.\(Self.name(fromEnvironment: type))"] = name
            } else if let rest = name.dropPrefix("RESILIENCE_POLICIES_") {
                switch policyKey(rest, suffixes: suffixes) {
                case .key(let policy, let path):
                    notePolicy(policy)
                    environmentKeys["resilience.policies.\(policy).\(path)"] = name
                case .ambiguous(let keys):
                    problems.append(Problem(
                        key: name,
                        message: "\(name): ambiguous environment variable: it could set \(keys.joined(separator: " or ")); set the key in a file instead",
                        source: "environment"))
                case .unknown:
                    problems.append(Self.unknownVariable(name))
                }
            } else {
                problems.append(Self.unknownVariable(name))
            }
        }
    }

    static func unknownVariable(_ name: String) -> Problem {
        Problem(key: name, message: "\(name): unknown environment variable: it maps to no key under resilience", source: "environment")
    }

    /// What a `RESILIENCE_POLICIES_` variable names.
    enum PolicyVariable: Equatable {
        /// The key `path` (`circuitBreaker.failureRatio`) of the policy `policy`.
        case key(policy: String, path: String)
        /// More than one key, none of a policy the files name: these full key paths.
        case ambiguous([String])
        case unknown
    }

    /// The key a `RESILIENCE_POLICIES_` variable names, from the rest of its name (`PAYMENTS_RETRY_MAX_ATTEMPTS`):
    /// it ends with the encoding of one of a policy's keys (`RETRY_MAX_ATTEMPTS`), and what comes before
    /// is the policy's name (`-` is `_` there). Policy names are lowercase letters, digits and `-`, so
    /// each maps to its own prefix and back; a variable that could be read two ways is read as the key
    /// of a policy the files name, and is otherwise an error rather than a guess.
    func policyKey(_ rest: String, suffixes: [(path: String, name: String)]) -> PolicyVariable {
        let matches = suffixes.compactMap { suffix -> (policy: String, path: String)? in
            let encodedSuffix = "_" + suffix.name
            guard rest.hasSuffix(encodedSuffix), rest.count > encodedSuffix.count else { return nil }
            let policy = Self.name(fromEnvironment: String(rest.dropLast(encodedSuffix.count)))
            guard Self.isName(policy), !policy.hasPrefix("-"), !policy.hasSuffix("-") else { return nil }
            return (policy, suffix.path)
        }
        let known = matches.filter { policyNames.contains($0.policy) }
        let candidates = known.isEmpty ? matches : known
        guard let first = candidates.first else { return .unknown }
        guard candidates.count == 1 else {
            return .ambiguous(candidates.map { "resilience.policies.\($0.policy).\($0.path)" })
        }
        return .key(policy: first.policy, path: first.path)
    }

    /// `section.key` (and `section.object.key`) of every key a policy can have.
    static var policyKeySuffixes: [String] { PolicyConfiguration.keyNames }

    /// A name written in an environment variable: lowercased, `_` back to `-`.
    static func name(fromEnvironment text: String) -> String {
        String(text.lowercased().map { $0 == "_" ? "-" : $0 })
    }

    // MARK: - Merging

    /// The settings: every key looked up through swift-configuration (environment first, then the
    /// files, last first), parsed by its kind, and each policy's sections validated.
    mutating func settings(profile option: ResilienceProfile?) -> ResilienceSettings {
        let lookup = Lookup(reader: self)
        var settings = ResilienceSettings()
        if case .string(let text)? = lookup.value("resilience.enabled", &problems, parse: Self.boolean) {
            settings.isEnabled = text == "true"
        }
        if let option {
            settings.profile = option
        } else if case .string(let text)? = lookup.value("resilience.profile", &problems, parse: Self.choice(ResilienceProfile.allCases.map(\.rawValue))) {
            settings.profile = ResilienceProfile(rawValue: text) ?? .production
        }
        for path in lookup.keys.sorted() where path.hasPrefix("resilience.timeouts.") {
            guard case .duration(let duration)? = lookup.value(path, &problems, parse: Self.duration(canBeOff: false)) else { continue }
            guard duration > .zero else {
                problems.append(Problem(key: path, message: "\(path): \(DurationText.format(duration)) is not allowed; allowed: > 0", source: lookup.source(of: path)))
                continue
            }
            settings.operationTimeouts[String(path.dropFirst("resilience.timeouts.".count))] = duration
        }
        for name in policyNames {
            var builder = PolicyBuilder(name: name, profile: settings.profile, lookup: lookup)
            PolicyConfiguration.visitSections(&builder)
            problems += builder.problems
            let path = "resilience.policies.\(name)"
            problems += builder.policy.conflicts(path: path).map { Problem(key: path, message: $0) }
            settings.policies[name] = builder.policy
        }
        return settings
    }

    /// Looks keys up through swift-configuration, and parses their text.
    struct Lookup {
        let configReader: ConfigReader
        /// Every key some source gives, dotted.
        let keys: Set<String>
        let environmentKeys: [String: String]
        let files: [(path: String, values: [String: String])]

        init(reader: SettingsReader) {
            let secrets = PolicyConfiguration.secretKeyNames
            let fileProviders = reader.files.reversed().map { file in
                InMemoryProvider(name: file.path, values: Dictionary(uniqueKeysWithValues: file.values.map { path, text in
                    let isSecret = secrets.contains { path.hasSuffix("." + $0) }
                    return (AbsoluteConfigKey(path.split(separator: ".").map(String.init)), ConfigValue(.string(text), isSecret: isSecret))
                }))
            }
            configReader = ConfigReader(providers: [reader.environmentProvider] + fileProviders)
            keys = Set(reader.files.flatMap(\.values.keys)).union(reader.environmentKeys.keys)
            environmentKeys = reader.environmentKeys
            files = reader.files
        }

        /// Where the value of `path` comes from: its environment variable, or the last file giving it;
        /// for an object, the source of the first of its keys.
        func source(of path: String) -> String? {
            func gives(_ key: String) -> Bool { key == path || key.hasPrefix(path + ".") }
            if let variable = environmentKeys[path] ?? environmentKeys.filter({ gives($0.key) }).min(by: { $0.key < $1.key })?.value {
                return variable
            }
            return files.last { $0.values.keys.contains(where: gives) }?.path
        }

        /// The value of `path`, parsed by `parse`; `nil` when no source gives it, or when it is bad (a
        /// problem then says why).
        func value(
            _ path: String, _ problems: inout [Problem],
            parse: (String) -> Result<ConfigurationValue, ParseError>
        ) -> ConfigurationValue? {
            guard keys.contains(path), let text = configReader.string(forKey: ConfigKey(path.split(separator: ".").map(String.init)))
            else { return nil }
            switch parse(text) {
            case .success(let value):
                return value
            case .failure(let error):
                problems.append(Problem(key: path, message: "\(path) \(error.message)", source: source(of: path)))
                return nil
            }
        }
    }

    /// Why a text is not a value of a key's kind.
    struct ParseError: Error {
        var message: String
    }

    static func boolean(_ text: String) -> Result<ConfigurationValue, ParseError> {
        text == "true" || text == "false" ? .success(.string(text)) : .failure(ParseError(message: "must be true or false, got \(jsonQuoted(text))"))
    }

    static func choice(_ names: [String]) -> (String) -> Result<ConfigurationValue, ParseError> {
        { text in
            names.contains(text) ? .success(.string(text))
                : .failure(ParseError(message: "must be one of \(names.map(jsonQuoted).joined(separator: ", ")), got \(jsonQuoted(text))"))
        }
    }

    static func duration(canBeOff: Bool) -> (String) -> Result<ConfigurationValue, ParseError> {
        { text in
            if canBeOff && text == "null" { return .success(.off) }
            do {
                return .success(.duration(try DurationText.parse(text)))
            } catch {
                return .failure(ParseError(message: "must be a duration such as 250ms\(canBeOff ? ", or null" : ""): \(error)"))
            }
        }
    }

    /// The parser of a key's text, by its kind.
    static func parser<Root>(for key: ConfigurationKey<Root>) -> (String) -> Result<ConfigurationValue, ParseError> {
        { text in
            if key.canBeOff && text == "null" { return .success(.off) }
            switch key.kind {
            case .integer:
                guard let integer = Int(text) else { return .failure(ParseError(message: "must be an integer, got \(jsonQuoted(text))")) }
                return .success(.integer(integer))
            case .number:
                guard let number = Double(text), number.isFinite else { return .failure(ParseError(message: "must be a number, got \(jsonQuoted(text))")) }
                return .success(.number(number))
            case .boolean:
                return boolean(text).map { _ in .boolean(text == "true") }
            case .duration:
                return duration(canBeOff: key.canBeOff)(text)
            case .choice(let names):
                return choice(names)(text)
            case .text:
                return .success(.string(text))
            case .object:
                guard text == "{}" else {
                    return .failure(ParseError(message: key.canBeOff ? "must be null (off), got \(jsonQuoted(text))" : "is an object; set its keys"))
                }
                return .success(.object)
            }
        }
    }

    /// Builds each section of one policy from the values found for its keys.
    struct PolicyBuilder: PolicySectionVisitor {
        let name: String
        let profile: ResilienceProfile
        let lookup: Lookup
        var policy = PolicyConfiguration()
        var problems: [Problem] = []

        mutating func visit<Section: ConfigurationSection>(
            _ kind: PolicyKind, _ section: WritableKeyPath<PolicyConfiguration, Section?>
        ) {
            let prefix = "resilience.policies.\(name).\(kind.rawValue)"
            guard lookup.keys.contains(where: { $0 == prefix || $0.hasPrefix(prefix + ".") }) else { return }
            var configuration = profile.defaults(of: Section.self, in: kind.rawValue)
            apply(Section.keys, prefix: prefix, to: &configuration)
            for error in configuration.validationErrors() {
                let path = "\(prefix).\(error.key)"
                problems.append(Problem(key: path, message: error.prefixingKey(with: prefix).description, source: lookup.source(of: path)))
            }
            policy[keyPath: section] = configuration
        }

        mutating func apply<Root: ConfigurationSection>(_ keys: [ConfigurationKey<Root>], prefix: String, to configuration: inout Root) {
            for key in keys {
                let path = "\(prefix).\(key.name)"
                var value = lookup.value(path, &problems, parse: SettingsReader.parser(for: key))
                if case .object = key.kind, value == nil, lookup.keys.contains(where: { $0.hasPrefix(path + ".") }) {
                    value = .object  // an object some of whose keys are given
                }
                if value == nil, let reason = key.requiredBecause {
                    problems.append(Problem(key: path, message: "missing \(jsonQuoted(path)) (\(reason))"))
                    continue
                }
                guard let value else { continue }
                do {
                    try key.apply(&configuration, value)
                } catch {
                    let error = Root.redactingSecrets(error)
                    problems.append(Problem(key: path, message: error.prefixingKey(with: prefix).description, source: lookup.source(of: path)))
                    continue
                }
                if case .object = value { apply(key.keys, prefix: path, to: &configuration) }
            }
        }
    }
}

extension ConfigurationValue {
    /// The value as text, in the form an environment variable gives it (`30s`, `0.5`, `null`, `{}` for an
    /// object that is present).
    var text: String {
        switch self {
        case .integer(let integer): String(integer)
        case .number(let number): "\(number)"
        case .boolean(let boolean): String(boolean)
        case .duration(let duration): DurationText.format(duration)
        case .string(let text): text
        case .off: "null"
        case .object: "{}"
        }
    }
}

extension String {
    /// The rest of the string after `prefix`, or `nil` when it does not start with it.
    func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }
}
