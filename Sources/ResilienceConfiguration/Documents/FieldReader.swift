import Resilience

/// A problem with one field of a JSON object, before the file and line are known.
package struct FieldError: Error {
    package var message: String

    package init(message: String) {
        self.message = message
    }
}

/// Reads typed fields of a JSON object strictly: wrong types and unknown keys are errors that name the
/// key with its full path (`circuitBreaker.failureRatio`).
package struct FieldReader {
    package let object: JSONObject
    /// The path of the object, prefixed to keys in messages (`""` for the top level).
    package let path: String

    package init(_ object: JSONObject, path: String = "") {
        self.object = object
        self.path = path
    }

    package func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Every key not in `known`, each with its full path and a message listing the known ones, in
    /// document order: for readers that report every problem at once.
    package func unknownKeys(known: [String]) -> [(key: String, message: String)] {
        object.keys.filter { !known.contains($0) }.map { key in
            (name(key), "unknown key \(jsonQuoted(name(key))); known: \(known.joined(separator: ", "))")
        }
    }

    /// Fails on the first key not in `known`, listing the known ones.
    package func rejectUnknownKeys(known: [String], what: String = "key") throws(FieldError) {
        for key in object.keys where !known.contains(key) {
            throw FieldError(message: "unknown \(what) \(jsonQuoted(name(key))); known: \(known.joined(separator: ", "))")
        }
    }

    package func typeError(_ key: String, expected: String, got value: JSONValue) -> FieldError {
        FieldError(message: "\(name(key)) must be \(expected), got \(value.kindDescription)")
    }

    package func number(_ key: String) throws(FieldError) -> Double? {
        guard let value = object[key] else { return nil }
        guard case .number(let number) = value else { throw typeError(key, expected: "a number", got: value) }
        return number
    }

    package func nonNegativeNumber(_ key: String) throws(FieldError) -> Double? {
        guard let number = try number(key) else { return nil }
        guard number >= 0 else { throw FieldError(message: "\(name(key)) must not be negative, got \(number)") }
        return number
    }

    /// The largest magnitude of an integer field: a file's numbers are read as `Double`s, exact to 2⁵³
    /// (about 9.007e15), so larger integers could not be told apart.
    package static let integerLimit = 8_999_999_999_999_999

    /// An integer: a number without a fraction, within ±``integerLimit``.
    /// - Throws: ``FieldError`` naming the key: not a number, a fraction, or out of range (with the range).
    package func integer(_ key: String) throws(FieldError) -> Int? {
        guard let value = object[key] else { return nil }
        guard case .number(let number) = value, number == number.rounded() else {
            throw typeError(key, expected: "an integer", got: value)
        }
        guard abs(number) <= Double(Self.integerLimit) else {
            throw FieldError(message: "\(name(key)): \(Self.integerText(number)) is out of range; allowed: an integer from -\(Self.integerLimit) to \(Self.integerLimit)")
        }
        return Int(number)
    }

    /// A whole number of any size (the caller checks its range), as the file's `Double`.
    /// - Throws: ``FieldError`` naming the key when the value is not a number or has a fraction.
    package func wholeNumber(_ key: String) throws(FieldError) -> Double? {
        guard let value = object[key] else { return nil }
        guard case .number(let number) = value, number == number.rounded() else {
            throw typeError(key, expected: "an integer", got: value)
        }
        return number
    }

    /// A whole `number` as a message shows it: its digits when it fits an `Int64`, else as Swift writes
    /// the `Double` (`1.8446744073709552e+19`), which is what the file's number was read as.
    package static func integerText(_ number: Double) -> String {
        if let exact = Int64(exactly: number) { return String(exact) }
        return "\(number)"
    }

    /// An integer that may also be `null` (off): `.none` when absent, `.some(nil)` when `null`.
    package func optionalInteger(_ key: String) throws(FieldError) -> Int?? {
        guard let value = object[key] else { return .none }
        if case .null = value { return .some(nil) }
        return .some(try integer(key))
    }

    package func string(_ key: String) throws(FieldError) -> String? {
        guard let value = object[key] else { return nil }
        guard case .string(let string) = value else { throw typeError(key, expected: "a string", got: value) }
        return string
    }

    /// A string that must be one of `choices`.
    package func choice<Choice: RawRepresentable & CaseIterable>(
        _ key: String, of type: Choice.Type = Choice.self
    ) throws(FieldError) -> Choice? where Choice.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let choice = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map { jsonQuoted($0.rawValue) }.joined(separator: ", ")
            throw FieldError(message: "\(name(key)) must be one of \(allowed), got \(jsonQuoted(text))")
        }
        return choice
    }

    /// A duration written as a string with a unit (`"250ms"`).
    package func duration(_ key: String) throws(FieldError) -> Duration? {
        guard let value = object[key] else { return nil }
        return try duration(key, value)
    }

    /// A duration that may also be `null` (off): `.none` when absent, `.some(nil)` when `null`.
    package func optionalDuration(_ key: String) throws(FieldError) -> Duration?? {
        guard let value = object[key] else { return .none }
        if case .null = value { return .some(nil) }
        return .some(try duration(key, value))
    }

    private func duration(_ key: String, _ value: JSONValue) throws(FieldError) -> Duration {
        guard case .string(let text) = value else {
            throw typeError(key, expected: "a duration string with a unit such as \"250ms\"", got: value)
        }
        do {
            return try DurationText.parse(text)
        } catch {
            throw FieldError(message: "\(name(key)): \(error)")
        }
    }

    /// Runs a configuration's validation; its error is reported with this section's path in front of
    /// the key (`circuitBreaker.failureRatio: ...`).
    package func validate(_ check: () throws(ConfigurationError) -> Void) throws(FieldError) {
        do {
            try check()
        } catch {
            throw FieldError(message: error.prefixingKey(with: path).description)
        }
    }

    package func object(_ key: String) throws(FieldError) -> FieldReader? {
        guard let value = object[key] else { return nil }
        guard case .object(let nested) = value else { throw typeError(key, expected: "an object", got: value) }
        return FieldReader(nested, path: name(key))
    }
}

// MARK: - Sections described by their keys

extension FieldReader {
    /// Reads a configuration section from its keys (``ConfigurationSection/keys``), starting from its
    /// defaults: unknown keys, wrong types, a missing required key and the configuration's own
    /// validation are errors that name the key with its path (`circuitBreaker.failureRatio`).
    package func section<Section: ConfigurationSection>(_ type: Section.Type = Section.self) throws(FieldError) -> Section {
        var configuration = Section.defaults
        try read(Section.keys, into: &configuration)
        try validate { () throws(ConfigurationError) in
            do throws(ConfigurationError) {
                try configuration.validate()
            } catch {
                throw Section.redactingSecrets(error)
            }
        }
        return configuration
    }

    /// Sets the keys of this object that are among `keys` in `configuration`, in the order of `keys`.
    package func read<Section>(_ keys: [ConfigurationKey<Section>], into configuration: inout Section) throws(FieldError) {
        try rejectUnknownKeys(known: keys.map(\.name))
        for key in keys {
            guard let raw = object[key.name] else {
                if let reason = key.requiredBecause {
                    throw FieldError(message: "missing \(jsonQuoted(name(key.name))) (\(reason))")
                }
                continue
            }
            let value = try value(of: key, raw)
            do {
                try key.apply(&configuration, value)
            } catch {
                throw FieldError(message: error.prefixingKey(with: path).description)
            }
            if case .object(let nested) = key.kind, let reader = try object(key.name) {
                try reader.read(nested, into: &configuration)
            }
        }
    }

    /// The value a file gives `key`, checked against the key's kind.
    package func value<Section>(of key: ConfigurationKey<Section>, _ raw: JSONValue) throws(FieldError) -> ConfigurationValue {
        if case .null = raw, key.canBeOff { return .off }
        switch key.kind {
        case .integer:
            return .integer(try integer(key.name) ?? 0)
        case .number:
            return .number(try number(key.name) ?? 0)
        case .boolean:
            guard case .bool(let boolean) = raw else { throw typeError(key.name, expected: "true or false", got: raw) }
            return .boolean(boolean)
        case .duration:
            return .duration(try duration(key.name) ?? .zero)
        case .choice(let names):
            guard let text = try string(key.name) else { return .off }
            guard names.contains(text) else {
                let allowed = names.map(jsonQuoted).joined(separator: ", ")
                throw FieldError(message: "\(name(key.name)) must be one of \(allowed), got \(jsonQuoted(text))")
            }
            return .string(text)
        case .text:
            return .string(try string(key.name) ?? "")
        case .object:
            guard case .object = raw else { throw typeError(key.name, expected: "an object", got: raw) }
            return .object
        }
    }
}
