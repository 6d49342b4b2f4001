/// A value of one configuration key: what a file or an environment variable gives, and what is written
/// back.
@usableFromInline
package enum ConfigurationValue: Sendable, Hashable {
    case integer(Int)
    case number(Double)
    /// `true` or `false`.
    case boolean(Bool)
    /// A duration, written as a string with a unit (`"250ms"`).
    case duration(Duration)
    /// A string: one of a key's choices.
    case string(String)
    /// Off: `null` in a file or an environment variable, for a key that can be turned off.
    case off
    /// An object key that is present: its own keys hold the values.
    case object
}

/// One key of a configuration section, described once: its name, what it holds, what it means, what
/// is allowed, and how it is read from and written to the configuration. Everything that reads or
/// writes configuration works from these descriptions: the policy files of `resilience-lab`, the
/// `ResilienceConfiguration` module, the JSON writer, the tuner's search space (by key name) and the
/// configuration reference.
///
/// A key either holds a value (``Kind/integer``, ``Kind/number``, ``Kind/duration``,
/// ``Kind/choice(_:)``) or is an object of keys of its own (``Kind/object(_:)``: a load shedder's
/// thresholds, a concurrency limit's algorithm parameters).
package struct ConfigurationKey<Configuration>: Sendable {
    /// What a key holds.
    package enum Kind: Sendable {
        case integer
        case number
        /// `true` or `false`: a switch (a chaos section's `enabled`).
        case boolean
        case duration
        /// A string, one of these.
        case choice([String])
        /// Any string (a URL, a name).
        case text
        /// An object with these keys.
        case object([ConfigurationKey<Configuration>])
    }

    /// The key, as files write it (`failureRatio`).
    package let name: String
    package let kind: Kind
    /// Whether `null` is accepted: it turns the setting off.
    package let canBeOff: Bool
    /// Why a file must give the key (it has no default), or `nil` when it has a default.
    package let requiredBecause: String?
    /// What the key means, for the configuration reference.
    package let meaning: String
    /// The allowed values, as ``ConfigurationError`` states them (`(0, 1]`, `1...1000`).
    package let allowed: String
    /// Whether the key's value is a secret (a database URL with a password): it is never shown, in
    /// an error message, in printed configuration, or in swift-configuration's access reports.
    package private(set) var isSecret = false
    /// The default as the configuration reference states it, when it is not a value of the section's
    /// defaults (a default that follows another key: a rate limiter's `burst`); `nil` otherwise.
    package private(set) var defaultText: String?
    /// The key's value in a configuration; `nil` when the key is not written at all (an object that is
    /// not used).
    package let value: @Sendable (Configuration) -> ConfigurationValue?
    /// Sets the key in a configuration. For an object key, ``ConfigurationValue/object`` puts the object
    /// in place (with its defaults, if it was not there) so that its own keys can be set, and
    /// ``ConfigurationValue/off`` removes it where it is optional; it throws when the object cannot be
    /// used with the rest of the configuration (another algorithm's parameters).
    package let apply: @Sendable (inout Configuration, ConfigurationValue) throws(ConfigurationError) -> Void

    package init(
        _ name: String, _ kind: Kind, canBeOff: Bool = false, requiredBecause: String? = nil, allowed: String,
        meaning: String, value: @escaping @Sendable (Configuration) -> ConfigurationValue?,
        apply: @escaping @Sendable (inout Configuration, ConfigurationValue) throws(ConfigurationError) -> Void
    ) {
        self.name = name
        self.kind = kind
        self.canBeOff = canBeOff
        self.requiredBecause = requiredBecause
        self.allowed = allowed
        self.meaning = meaning
        self.value = value
        self.apply = apply
    }

    /// This key as a secret (see ``isSecret``).
    package func secret() -> Self {
        var key = self
        key.isSecret = true
        return key
    }

    /// The text that stands for a secret value wherever a value would be shown.
    package static var redacted: String { "<redacted>" }

    /// This key with the default the configuration reference states (see ``defaultText``).
    package func documentingDefault(_ text: String) -> Self {
        var key = self
        key.defaultText = text
        return key
    }

    /// The keys of an object key; empty for a key that holds a value.
    package var keys: [ConfigurationKey<Configuration>] {
        if case .object(let keys) = kind { return keys }
        return []
    }
}

// MARK: - Keys of the common kinds, over key paths

extension ConfigurationKey {
    /// An integer key.
    package static func integer(
        _ name: String, _ path: any WritableKeyPath<Configuration, Int> & Sendable, allowed: String, meaning: String
    ) -> Self {
        Self(name, .integer, allowed: allowed, meaning: meaning, value: { .integer($0[keyPath: path]) }) {
            configuration, value throws(ConfigurationError) in
            if case .integer(let integer) = value { configuration[keyPath: path] = integer }
        }
    }

    /// A number key.
    package static func number(
        _ name: String, _ path: any WritableKeyPath<Configuration, Double> & Sendable, allowed: String, meaning: String
    ) -> Self {
        Self(name, .number, allowed: allowed, meaning: meaning, value: { .number($0[keyPath: path]) }) {
            configuration, value throws(ConfigurationError) in
            if let number = value.number { configuration[keyPath: path] = number }
        }
    }

    /// A duration key.
    package static func duration(
        _ name: String, _ path: any WritableKeyPath<Configuration, Duration> & Sendable, allowed: String, meaning: String
    ) -> Self {
        Self(name, .duration, allowed: allowed, meaning: meaning, value: { .duration($0[keyPath: path]) }) {
            configuration, value throws(ConfigurationError) in
            if case .duration(let duration) = value { configuration[keyPath: path] = duration }
        }
    }

    /// A duration key that `null` turns off.
    package static func duration(
        _ name: String, _ path: any WritableKeyPath<Configuration, Duration?> & Sendable, allowed: String, meaning: String
    ) -> Self {
        Self(
            name, .duration, canBeOff: true, allowed: allowed, meaning: meaning,
            value: { $0[keyPath: path].map(ConfigurationValue.duration) ?? .off }
        ) { configuration, value throws(ConfigurationError) in
            switch value {
            case .duration(let duration): configuration[keyPath: path] = duration
            case .off: configuration[keyPath: path] = nil
            case .integer, .number, .boolean, .string, .object: break
            }
        }
    }

    /// A key that holds `true` or `false`.
    package static func boolean(
        _ name: String, _ path: any WritableKeyPath<Configuration, Bool> & Sendable, meaning: String
    ) -> Self {
        Self(name, .boolean, allowed: "true, false", meaning: meaning, value: { .boolean($0[keyPath: path]) }) {
            configuration, value throws(ConfigurationError) in
            if case .boolean(let boolean) = value { configuration[keyPath: path] = boolean }
        }
    }

    /// A key that holds any string.
    package static func text(
        _ name: String, _ path: any WritableKeyPath<Configuration, String> & Sendable, allowed: String, meaning: String
    ) -> Self {
        Self(name, .text, allowed: allowed, meaning: meaning, value: { .string($0[keyPath: path]) }) {
            configuration, value throws(ConfigurationError) in
            if case .string(let text) = value { configuration[keyPath: path] = text }
        }
    }

    /// A key that holds one of the cases of `Choice`, by raw value.
    package static func choice<Choice: RawRepresentable & CaseIterable & Sendable>(
        _ name: String, _ path: any WritableKeyPath<Configuration, Choice> & Sendable, meaning: String
    ) -> Self where Choice.RawValue == String {
        let names = Choice.allCases.map(\.rawValue)
        return Self(
            name, .choice(names), allowed: names.joined(separator: ", "), meaning: meaning,
            value: { .string($0[keyPath: path].rawValue) }
        ) { configuration, value throws(ConfigurationError) in
            if case .string(let text) = value, let choice = Choice(rawValue: text) { configuration[keyPath: path] = choice }
        }
    }
}

extension ConfigurationKey {
    /// This key of an optional part of a larger configuration (a concurrency limit's algorithm
    /// parameters), reached through `path`. Where the part is absent its value is that of `defaults`
    /// (what putting the part back would give), and setting it changes nothing.
    package func lifted<Root>(
        to path: any WritableKeyPath<Root, Configuration?> & Sendable, defaults: Configuration
    ) -> ConfigurationKey<Root> where Configuration: Sendable {
        let value = self.value
        let apply = self.apply
        var lifted = ConfigurationKey<Root>(
            name, kind.lifted(to: path, defaults: defaults), canBeOff: canBeOff, requiredBecause: requiredBecause,
            allowed: allowed, meaning: meaning, value: { value($0[keyPath: path] ?? defaults) }
        ) { root, newValue throws(ConfigurationError) in
            guard var part = root[keyPath: path] else { return }
            try apply(&part, newValue)
            root[keyPath: path] = part
        }
        lifted.isSecret = isSecret
        lifted.defaultText = defaultText
        return lifted
    }
}

extension ConfigurationKey.Kind {
    /// The kind with its object keys lifted as by ``ConfigurationKey/lifted(to:defaults:)``.
    func lifted<Root>(
        to path: any WritableKeyPath<Root, Configuration?> & Sendable, defaults: Configuration
    ) -> ConfigurationKey<Root>.Kind where Configuration: Sendable {
        switch self {
        case .integer: .integer
        case .number: .number
        case .boolean: .boolean
        case .duration: .duration
        case .choice(let names): .choice(names)
        case .text: .text
        case .object(let keys): .object(keys.map { $0.lifted(to: path, defaults: defaults) })
        }
    }
}

extension ConfigurationValue {
    /// The value as a number: a number, or an integer (a file may write `1` for `1.0`).
    package var number: Double? {
        switch self {
        case .number(let number): number
        case .integer(let integer): Double(integer)
        case .boolean, .duration, .string, .off, .object: nil
        }
    }
}

/// A configuration that describes its keys: a section of a policy in a file (`circuitBreaker`,
/// `retry`, ...), read, written, validated and documented from its ``keys``.
package protocol ConfigurationSection: Sendable, Hashable {
    /// The keys, in the order files and the configuration reference list them.
    static var keys: [ConfigurationKey<Self>] { get }
    /// The configuration of a section that gives no key: every default (for a section with a required
    /// key, a placeholder that the required key replaces).
    static var defaults: Self { get }
    /// Checks every key against its allowed range; throws for the first that is not.
    func validate() throws(ConfigurationError)
}

extension ConfigurationSection {
    /// Every key that fails validation, each with its value and what is allowed, in the order
    /// ``validate()`` checks them: after each error the key it names is put back to its default and
    /// validation goes on, so that one pass reports every bad key rather than only the first.
    package func validationErrors() -> [ConfigurationError] {
        var configuration = self
        var errors: [ConfigurationError] = []
        for _ in 0...Self.leafCount {
            do throws(ConfigurationError) {
                try configuration.validate()
                return errors
            } catch {
                // A key whose default cannot be restored would report the same error again: stop.
                let error = Self.redactingSecrets(error)
                guard errors.last != error else { return errors }
                errors.append(error)
                guard Self.resetKey(named: error.key, in: &configuration) else { return errors }
            }
        }
        return errors
    }

    /// The number of keys that hold values, nested ones included.
    static var leafCount: Int {
        func count(_ keys: [ConfigurationKey<Self>]) -> Int {
            keys.reduce(0) { $0 + ($1.keys.isEmpty ? 1 : count($1.keys) + 1) }
        }
        return count(keys)
    }

    /// `error` with its value replaced by ``ConfigurationKey/redacted`` when it names a secret key.
    package static func redactingSecrets(_ error: ConfigurationError) -> ConfigurationError {
        guard key(at: error.key)?.isSecret == true else { return error }
        return ConfigurationError(key: error.key, value: ConfigurationKey<Self>.redacted, allowed: error.allowed)
    }

    /// The key at `path` (`failureRatio`, `aimd.timeout`), if there is one.
    static func key(at path: String) -> ConfigurationKey<Self>? {
        var keys = Self.keys
        var key: ConfigurationKey<Self>?
        for component in path.split(separator: ".") {
            guard let found = keys.first(where: { $0.name == component }) else { return nil }
            key = found
            keys = found.keys
        }
        return key
    }

    /// Puts the key at `path` (`failureRatio`, `aimd.timeout`) back to its default value; returns
    /// whether there was such a key whose default could be restored.
    static func resetKey(named path: String, in configuration: inout Self) -> Bool {
        var keys = Self.keys
        var key: ConfigurationKey<Self>?
        for component in path.split(separator: ".") {
            guard let found = keys.first(where: { $0.name == component }) else { return false }
            key = found
            keys = found.keys
        }
        guard let key else { return false }
        let value = key.value(defaults) ?? .off
        do {
            try key.apply(&configuration, value)
            // An object is back to its defaults only once each of its keys is.
            for child in key.keys {
                if let childValue = child.value(defaults) { try child.apply(&configuration, childValue) }
            }
        } catch {
            return false
        }
        return true
    }
}
