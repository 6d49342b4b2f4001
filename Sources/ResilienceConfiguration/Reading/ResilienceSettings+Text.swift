import Resilience

extension ResilienceSettings {
    /// The settings as `resilience-lab config` prints them: one JSON object with `enabled` and
    /// `policies`, each policy (by name, in name order) written as ``PolicyConfiguration/jsonText()``
    /// writes a POLICY.json: every key of each section it configures, defaults filled in, durations as
    /// strings with a unit, `null` where a key is off. Pretty-printed with a 2-space indent and a final
    /// newline.
    ///
    /// ```json
    /// {
    ///   "enabled": true,
    ///   "policies": {
    ///     "payments": {
    ///       "timeout": {
    ///         "duration": "2s"
    ///       }
    ///     }
    ///   }
    /// }
    /// ```
    /// - Throws: `ConfigurationError` naming the full key path of a setting that cannot be written (see
    ///   ``PolicyConfiguration/jsonText()``).
    public func jsonText() throws(ConfigurationError) -> String {
        var policies: [JSONWriter.Member] = []
        for name in self.policies.keys.sorted() {
            policies.append((name, try Self.jsonValue(of: self.policies[name]!, named: name)))
        }
        let document = JSONWriter.Value.object(
            [("enabled", .boolean(isEnabled)), ("policies", .object(policies, layout: .lines))], layout: .lines)
        return JSONWriter.text(document) + "\n"
    }

    /// A configuration file that holds `policy` under `resilience.policies.<name>` and nothing else:
    /// YAML (block style) when `yaml`, else JSON. ``read(files:environment:profile:)`` reads it back to
    /// the same policy.
    /// - Throws: `ConfigurationError` naming the full key path of a setting that cannot be written, or
    ///   `resilience.policies` when `name` is not a valid policy name (``isPolicyName(_:)``).
    public static func fileText(policy: PolicyConfiguration, named name: String, yaml: Bool) throws(ConfigurationError) -> String {
        guard isPolicyName(name) else {
            throw ConfigurationError(key: "resilience.policies", value: jsonQuoted(name), allowed: "a name of lowercase letters, digits and -")
        }
        let document = JSONWriter.Value.object([
            ("resilience", .object([
                ("policies", .object([(name, try jsonValue(of: policy, named: name))], layout: .lines)),
            ], layout: .lines)),
        ], layout: .lines)
        return yaml ? YAMLWriter.text(document) : JSONWriter.text(document) + "\n"
    }

    /// Whether `name` can name a policy (or an operation type): lowercase letters, digits and `-`. Such
    /// names map one to one to environment variable prefixes (`llm-gateway` is `LLM_GATEWAY`).
    public static func isPolicyName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// `policy` as a JSON value; an error's key gets the policy's full path.
    private static func jsonValue(of policy: PolicyConfiguration, named name: String) throws(ConfigurationError) -> JSONWriter.Value {
        do {
            return try policy.jsonValue()
        } catch {
            throw error.prefixingKey(with: "resilience.policies.\(name)")
        }
    }
}
