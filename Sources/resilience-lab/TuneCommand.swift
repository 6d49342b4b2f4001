import ArgumentParser
import Foundation
import Resilience
import ResilienceConfiguration
import ResilienceLab

/// `resilience-lab tune`: searches retry, breaker and timeout parameters for a scenario.
struct Tune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search retry, circuit breaker and timeout parameters for a scenario and print the best POLICY.json.",
        discussion: """
            Prints the best policy as POLICY.json on stdout (every key explicit, usable by `run \
            --policy`, `replay --policy` and PolicyFile.load) and its comparison with the baseline on \
            stderr. The baseline is the default pipeline (retry + circuit breaker + timeout with \
            their documented defaults), or the policy a service runs today, given with --policy FILE \
            or --config FILE --policy-name NAME: the search then starts from it and must beat it, and \
            every candidate keeps its other keys and sections (a bulkhead, a rate limiter, modes). \
            In the text below, "the default" is the baseline.

            Search: successive halving over seeds. The default pipeline and N random policies run on \
            the first seed; the best third of the random ones (and the default) run on 3 seeds, the \
            best third of those (and the default) on 9; rankings use the mean over the seeds run so \
            far. N is the largest that fits in --budget runs (120: N = 49); two thirds of the random \
            policies change about a quarter of the default's keys, one third draw every key. The \
            answer is the best-ranked policy of the last rung that is no worse than the default on \
            the objective averaged over the 9 seeds and on the first seed, else the default itself. \
            The first seed is --seed (the scenario's own by default); the others and the random \
            policies derive from it, so a run is repeatable.

            Objectives: goodput (highest mean goodput, in steps of 0.1 %; within a step, lower \
            amplification), p99 (lowest mean p99 latency of all calls) and amplification (lowest \
            mean attempts per call); p99 and amplification only among policies whose mean goodput \
            is at least the default's minus 0.01.

            Ranges (log: log-uniform; durations rounded to 2 significant digits of a millisecond; \
            other keys keep their defaults):
            \(TuningSearchSpace.summary.map { "  " + $0 }.joined(separator: "\n"))

            Bad input exits with status 2 and prints nothing on stdout.
            """
    )

    @Option(help: "A built-in scenario's name (\(ScenarioDefinition.builtIn.map(\.name).joined(separator: ", "))) or a scenario file (.json, .yaml).")
    var scenario: String

    @Option(help: "What to optimise: goodput, p99 or amplification.")
    var objective: TuningObjective = .goodput

    @Option(help: "The most simulation runs to make, \(Tuner.budgetRange.lowerBound)...\(Tuner.budgetRange.upperBound).")
    var budget: Int = Tuner.defaultBudget

    @Option(help: "The first evaluation seed, from which every other draw derives (default: the scenario's seed).", transform: parseSeed)
    var seed: UInt64?

    @Option(help: "Start from this POLICY.json (YAML when named .yaml or .yml) instead of the default pipeline: the policy to beat.")
    var policy: String?

    @Option(help: "Start from the policy --policy-name of this configuration file (JSON, or YAML when named .yaml or .yml), with the RESILIENCE_* environment as production reads it; repeat for more files, a later one overriding an earlier one.")
    var config: [String] = []

    @Option(help: "Also write the best POLICY.json to this file.")
    var output: String?

    @Option(help: "Also write the best policy as a new configuration file (JSON, or YAML when named .yaml or .yml) holding it under resilience.policies.NAME (--policy-name); an existing file is never overwritten.")
    var writeConfig: String?

    @Option(help: "The policy's name under resilience.policies: the one --config reads, and the one --write-config writes; lowercase letters, digits and -.")
    var policyName: String?

    @Flag(help: "Also list every candidate on stderr: its rung, seeds and mean metrics, best rung first.")
    var showCandidates = false

    /// Why `--write-config` refuses a file that exists.
    static let existingFile = "the file exists; --write-config writes a new file and never overwrites one"

    func validate() throws {
        if policy != nil && !config.isEmpty {
            throw ValidationError("--policy cannot be combined with --config: give one source of the policy to start from")
        }
        switch (writeConfig, policyName) {
        case (.some, nil): throw ValidationError("--write-config needs --policy-name NAME: the name of the policy in the file")
        case (nil, nil) where !config.isEmpty:
            throw ValidationError("--config needs --policy-name NAME: the policy under resilience.policies to start from")
        case (nil, .some) where config.isEmpty:
            throw ValidationError("--policy-name needs --config FILE (the policy to start from) or --write-config FILE (the file to write the policy to)")
        case (_, .some(let name)):
            guard ResilienceSettings.isPolicyName(name) else {
                throw ValidationError("--policy-name: \(jsonQuoted(name)) is not allowed; allowed: lowercase letters, digits and -")
            }
        case (nil, nil): break
        }
        guard Tuner.budgetRange.contains(budget) else {
            throw ValidationError("--budget: \(budget) is not allowed; allowed: \(Tuner.budgetRange.lowerBound)...\(Tuner.budgetRange.upperBound) simulation runs")
        }
    }

    func run() throws {
        if let writeConfig, FileManager.default.fileExists(atPath: writeConfig) {
            throw LabInputError(file: writeConfig, message: Self.existingFile)
        }
        try checkOutputPaths([("--output", output), ("--write-config", writeConfig)])
        let definition = try loadScenario(scenario)
        let baseline = try baselineSource.map { source throws(ConfigurationProblems) in
            try source.load(environment: ProcessInfo.processInfo.environment)
        }
        let start = ContinuousClock.now
        let result = try Tuner.tune(
            definition, objective: objective, budget: budget, seed: seed, baseline: baseline ?? SuitePolicy.defaultPipeline)
        let elapsed = ContinuousClock.now - start
        let text = try result.best.jsonText()
        if let output {
            try TextFile.write(text, to: output)
        }
        if let writeConfig, let policyName {
            try writeConfigurationFile(result.best, named: policyName, to: writeConfig)
        }
        FileHandle.standardOutput.write(Data(text.utf8))
        FileHandle.standardError.write(Data(TuneReport.render(result, baseline: baselineSource?.label, elapsed: elapsed).utf8))
        if showCandidates {
            FileHandle.standardError.write(Data(TuneReport.renderCandidates(result, baseline: baselineSource?.label).utf8))
        }
    }
}

extension Tune {
    /// The policy to start from, when one is given (else the default pipeline).
    var baselineSource: PolicySource? {
        if let policy { return .file(policy) }
        guard !config.isEmpty, let policyName else { return nil }
        return .configuration(files: config, policyName: policyName)
    }
}

/// Writes `policy` under `resilience.policies.<name>` to a new file at `path`, YAML when its name says
/// so; fails rather than replace a file, even one created while the tuner ran.
func writeConfigurationFile(_ policy: PolicyConfiguration, named name: String, to path: String) throws(LabInputError) {
    let text: String
    do {
        text = try ResilienceSettings.fileText(policy: policy, named: name, yaml: YAMLReader.isYAMLPath(path))
    } catch {
        throw LabInputError(file: path, message: "cannot write the policy: \(error)")
    }
    do {
        try TextFile.write(text, to: path, replacing: false)
    } catch {
        let exists = error.message.hasSuffix("it already exists")
        throw exists ? LabInputError(file: path, message: Tune.existingFile) : error
    }
}

extension TuningObjective: ExpressibleByArgument {}

/// The comparison `tune` prints on stderr.
enum TuneReport {
    /// - Parameter baseline: how the policy the search started from is named (`--policy` or
    ///   `--config`), or `nil` for the default pipeline.
    static func render(_ result: TuningResult, baseline: String?, elapsed: Duration) -> String {
        let tuned = result.bestMetrics
        let base = result.baselineMetrics
        let (column, described, short) = baseline.map { ("current", "the current policy (\($0))", "the current policy") }
            ?? ("default", "the default pipeline", "the default")
        var lines = [
            "\(result.scenario): objective \(result.objective.rawValue), \(result.runs) runs of \(result.budget), \(result.candidates.count - 1) random candidates, \(format(elapsed)) s",
            result.bestIsBaseline
                ? "no candidate beat \(described) (on average over \(result.evaluationSeeds.count) seeds and on seed \(result.seed)): \(short) is printed"
                : "tuned vs \(column), averaged over \(result.evaluationSeeds.count) seeds:",
            pad("", column, "tuned"),
            pad("goodput", percent(base.goodput), percent(tuned.goodput)),
            pad("p99 latency", milliseconds(base.p99), milliseconds(tuned.p99)),
            pad("amplification", format(base.amplification, decimals: 3), format(tuned.amplification, decimals: 3)),
            pad("time to detect", optional(base.timeToDetect), optional(tuned.timeToDetect)),
            pad("time to recover", optional(base.timeToRecover), optional(tuned.timeToRecover)),
        ]
        lines.append("")
        return lines.joined(separator: "\n")
    }

    /// One line per candidate, the last rung first, then by index.
    static func renderCandidates(_ result: TuningResult, baseline: String?) -> String {
        let ordered = result.candidates.sorted { a, b in
            if a.rung != b.rung { return a.rung > b.rung }
            return a.index < b.index
        }
        var lines = ["candidates (rung, seeds, goodput, p99, amplification; \(baseline == nil ? "the default" : "the current policy") is #0):"]
        for candidate in ordered {
            let m = candidate.metrics
            let chosen = candidate.policy == result.best ? " <- best" : ""
            lines.append(
                "  #\(candidate.index) rung \(candidate.rung) seeds \(m.seeds): \(percent(m.goodput)), \(milliseconds(m.p99)), \(format(m.amplification, decimals: 3))\(chosen)")
        }
        lines.append("")
        return lines.joined(separator: "\n")
    }

    private static func pad(_ label: String, _ left: String, _ right: String) -> String {
        func padded(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        return "  " + padded(label, 17) + padded(left, 12) + right
    }

    private static func percent(_ value: Double) -> String { format(value * 100, decimals: 2) + " %" }

    private static func milliseconds(_ duration: Duration) -> String {
        format(Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15, decimals: 1) + " ms"
    }

    private static func optional(_ duration: Duration?) -> String {
        guard let duration else { return "-" }
        return format(duration) + " s"
    }

    private static func format(_ duration: Duration) -> String {
        format(Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18, decimals: 2)
    }

    private static func format(_ value: Double, decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }
}
