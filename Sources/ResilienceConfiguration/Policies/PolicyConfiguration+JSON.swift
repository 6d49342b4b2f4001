import Resilience

/// Writing a policy file back as `POLICY.json` text.
extension PolicyConfiguration {
    /// The policy as `POLICY.json` text that ``parse(_:file:)`` reads back to an equal value.
    ///
    /// Every section that is set is written with **all** its keys, explicit (defaults included), in the
    /// documented order of the sections (`PolicyKind/recommendedOrder`: `loadShedder`, `retry`,
    /// `circuitBreaker`, `rateLimiter`, `concurrencyLimit`, `timeout`, `bulkhead`, `chaos`), keys in the order
    /// of the configurations' key descriptions. Durations are strings with a unit (`DurationText/format(_:)`: `"250ms"`,
    /// `"1.5s"`), an optional setting that is off is `null` (a load shedder's unused `inFlight` or
    /// `queueDepth` thresholds are left out: the reader takes no `null` for them), numbers are the shortest text that reads
    /// back to the same `Double`. Pretty-printed with a 2-space indent and a final newline; a policy with
    /// no section is `{}`.
    ///
    /// ```json
    /// {
    ///   "timeout": {
    ///     "duration": "2s"
    ///   }
    /// }
    /// ```
    /// - Throws: `ConfigurationError` for a setting a policy file cannot express, naming its key: a
    ///   load shedder's `pressure` signals (not a key of the file: a trace has no readings), a duration
    ///   that is not a whole number of nanoseconds, or a number that is not finite. Nothing is dropped.
    public func jsonText() throws(ConfigurationError) -> String {
        JSONWriter.text(try jsonValue()) + "\n"
    }

    /// The policy as the JSON value ``jsonText()`` writes, to be placed in a larger document (the
    /// printed configuration, a configuration file).
    package func jsonValue() throws(ConfigurationError) -> JSONWriter.Value {
        if let loadShedder, !loadShedder.pressure.isEmpty {
            throw ConfigurationError(
                key: "loadShedder.pressure", value: loadShedder.pressureSignalNames.joined(separator: ", "),
                allowed: "no pressure signals (a policy file cannot configure them)")
        }
        struct Writer: PolicySectionVisitor {
            let policy: PolicyConfiguration
            var sections: [JSONWriter.Member] = []
            var error: ConfigurationError?

            mutating func visit<Section: ConfigurationSection>(
                _ kind: PolicyKind, _ section: WritableKeyPath<PolicyConfiguration, Section?>
            ) {
                guard error == nil, let configuration = policy[keyPath: section] else { return }
                do throws(ConfigurationError) {
                    sections.append((kind.rawValue, try PolicyConfiguration.json(Section.keys, of: configuration, path: kind.rawValue)))
                } catch {
                    self.error = error
                }
            }
        }
        var writer = Writer(policy: self)
        Self.visitSections(&writer)
        if let error = writer.error { throw error }
        return .object(writer.sections, layout: .lines)
    }

    /// `keys` of `configuration` as a JSON object, one member per line, in the order of `keys`, each
    /// checked as it is written so that an error names its path (`retry.baseDelay`). An object key that
    /// is not used (a load shedder's unused thresholds) is left out.
    package static func json<Section>(
        _ keys: [ConfigurationKey<Section>], of configuration: Section, path: String
    ) throws(ConfigurationError) -> JSONWriter.Value {
        var members: [JSONWriter.Member] = []
        for key in keys {
            guard let value = key.value(configuration) else { continue }
            let keyPath = "\(path).\(key.name)"
            switch value {
            case .integer(let integer): members.append((key.name, .integer(integer)))
            case .boolean(let boolean): members.append((key.name, .boolean(boolean)))
            case .string(let text): members.append((key.name, .string(key.isSecret ? ConfigurationKey<Section>.redacted : text)))
            case .off: members.append((key.name, .null))
            case .number(let number):
                guard number.isFinite else {
                    throw ConfigurationError(key: keyPath, value: "\(number)", allowed: "a finite number")
                }
                members.append((key.name, .number(number)))
            case .duration(let duration):
                let text = DurationText.format(duration)
                guard duration >= .zero, (try? DurationText.parse(text)) == duration else {
                    throw ConfigurationError(key: keyPath, value: "\(duration)", allowed: "a whole number of nanoseconds >= 0")
                }
                members.append((key.name, .string(text)))
            case .object:
                members.append((key.name, try json(key.keys, of: configuration, path: keyPath)))
            }
        }
        return .object(members, layout: .lines)
    }
}
