import ArgumentParser
import Foundation
import Resilience
import ResilienceConfiguration
import ResilienceLab

/// The options that choose a command's policy: `--policy FILE`, or `--config FILE... --policy-name NAME`
/// (one named policy of a service's configuration, with its environment variables, as production
/// reads it).
struct PolicyOptions: ParsableArguments {
    @Option(help: "A POLICY.json file (YAML when named .yaml or .yml); - reads JSON from standard input.")
    var policy: String?

    @Option(help: "A configuration file (JSON, or YAML when named .yaml or .yml) whose resilience.policies holds the policy; repeat for more files, a later one overriding an earlier one. RESILIENCE_* environment variables apply as in production.")
    var config: [String] = []

    @Option(help: "The policy under resilience.policies to use, with --config.")
    var policyName: String?

    func validate() throws {
        switch (policy, config.isEmpty, policyName) {
        case (.some, true, nil), (nil, false, .some):
            return
        case (.some, _, _):
            throw ValidationError("--policy cannot be combined with --config or --policy-name: give one source of the policy")
        case (nil, true, nil):
            throw ValidationError("give the policy: --policy FILE, or --config FILE --policy-name NAME")
        case (nil, true, .some):
            throw ValidationError("--policy-name needs --config FILE: the configuration to find the policy in")
        case (nil, false, nil):
            throw ValidationError("--config needs --policy-name NAME: the policy under resilience.policies to use")
        }
    }

    /// Where the policy comes from.
    var source: PolicySource {
        if let policy { return .file(policy) }
        return .configuration(files: config, policyName: policyName ?? "")
    }

    /// The policy, read from its source with the process environment.
    func load() throws(ConfigurationProblems) -> PolicyConfiguration {
        try source.load(environment: ProcessInfo.processInfo.environment)
    }

    /// ``load()`` for a command that simulates the policy (`run`, `replay`): the sections the lab does
    /// not simulate are named on stderr, never ignored silently.
    func loadForSimulation() throws(ConfigurationProblems) -> PolicyConfiguration {
        let policy = try load()
        noteNotSimulated(policy, label: source.label)
        return policy
    }
}

/// Names on stderr the sections and keys of `policy` that `run` and `replay` accept but do not simulate.
func noteNotSimulated(_ policy: PolicyConfiguration, label: String) {
    let sections = policy.sectionsNotSimulated
    if !sections.isEmpty {
        let names = sections.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data(
            "resilience-lab: \(label): not simulated: \(names) (accepted; the other sections run as configured)\n".utf8))
    }
    let keys = policy.keysNotSimulated
    if !keys.isEmpty {
        FileHandle.standardError.write(Data(
            "resilience-lab: \(label): not simulated: \(keys.joined(separator: ", ")) (accepted; a simulated call has no response head: timeout.duration bounds each attempt)\n".utf8))
    }
}
