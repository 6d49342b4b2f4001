import ResilienceConfiguration

/// Where a lab command takes its policy from: a POLICY.json (or .yaml) file (`--policy`), or one named
/// policy of the service's configuration (`--config FILE... --policy-name NAME`), read through
/// ``ResilienceSettings/read(files:environment:profile:)`` exactly as production reads it: the same
/// files, the same `RESILIENCE_*` environment variables, the same profile.
public enum PolicySource: Sendable, Hashable {
    /// A POLICY.json or POLICY.yaml file.
    case file(String)
    /// The policy `name` under `resilience.policies` of these configuration files (later ones override
    /// earlier ones) and the environment.
    case configuration(files: [String], policyName: String)

    /// How errors and reports name the policy: the file (`standard input` for `-`), or
    /// `resilience.policies.NAME (FILES)`.
    public var label: String {
        switch self {
        case .file(let path): TextFile.displayName(path)
        case .configuration(let files, let name): "resilience.policies.\(name) (\(files.joined(separator: ", ")))"
        }
    }

    /// The policy.
    /// - Throws: ``ConfigurationProblems``: every problem of the configuration (a bad POLICY.json is one
    ///   problem, its ``LabInputError`` as the message), or that it has no policy named so.
    public func load(environment: [String: String]) throws(ConfigurationProblems) -> PolicyConfiguration {
        switch self {
        case .file(let path):
            do {
                return try PolicyConfiguration.load(path: path)
            } catch {
                throw ConfigurationProblems([.init(key: path, message: error.description)])
            }
        case .configuration(let files, let name):
            let settings = try ResilienceSettings.read(files: files, environment: environment)
            guard let policy = settings.policies[name] else {
                let known = settings.policies.keys.sorted()
                throw ConfigurationProblems([.init(
                    key: "resilience.policies.\(name)",
                    message: "resilience.policies.\(name): no such policy in \(files.joined(separator: ", ")) or the environment; "
                        + (known.isEmpty ? "there is none" : "policies: \(known.joined(separator: ", "))"))])
            }
            return policy
        }
    }
}
