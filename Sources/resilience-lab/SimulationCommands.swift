import ArgumentParser
import Foundation
import ResilienceConfiguration
import ResilienceLab

/// `resilience-lab` with no arguments: the built-in suite.
struct Suite: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the built-in load scenarios under four policies and write resilience-report.html.",
        discussion: """
            Simulates, in virtual time, each built-in scenario (steady-state, outage-and-recovery, \
            brownout, error-burst, flapping-dependency, overload-with-naive-retries) under four \
            policies: none (no protection), naive-retry (3 attempts 10 ms apart, no budget, 1 s \
            timeout), default (the library's default retry > circuit breaker > timeout) and tuned \
            (found for each scenario by `tune` with --budget runs). Prints a comparison table per \
            scenario, with a progress bar on stderr while it runs, and writes a self-contained HTML \
            report with charts of goodput, latency, dependency load and breaker state over time.

            The table's columns:
            \(ComparisonTable.legend)
            """)

    @Option(help: "Where to write the HTML report.")
    var report = "resilience-report.html"

    @Option(help: "Also write every run's metrics as a JSON array to this file.")
    var json: String?

    @Option(help: "Simulation runs the tuner may spend per scenario (\(Tuner.budgetRange.lowerBound)...\(Tuner.budgetRange.upperBound)).")
    var budget = Tuner.suiteBudget

    @Flag(help: "No progress bar.")
    var quiet = false

    func run() throws {
        guard Tuner.budgetRange.contains(budget) else {
            throw ValidationError("--budget: \(budget) is not allowed; allowed: \(Tuner.budgetRange.lowerBound)...\(Tuner.budgetRange.upperBound)")
        }
        try checkOutputPaths([("--report", report), ("--json", json)])
        let budget = budget
        let scenarios = ScenarioDefinition.builtIn
        let runsPerScenario = SuitePolicy.fixed.count + 1
        let bar = ProgressBarBox(ProgressBar(total: scenarios.count * runsPerScenario, style: quiet ? .disabled : .automatic))
        let runs = try SuiteRunner.run(
            scenarios,
            tune: { scenario throws(LabInputError) in
                try Tuner.tune(scenario, objective: .goodput, budget: budget).best
            },
            progress: { scenario, policy in bar.advance(label: "\(scenario)/\(policy)") })
        bar.finish()
        var output = ""
        for run in runs {
            output += ComparisonTable.render(run.results, for: run.scenario) + "\n"
        }
        var sections: [SimulationReport.Section] = []
        for run in runs {
            var notes: String?
            if let tuned = run.tunedPolicy {
                do {
                    notes = try tuned.jsonText()
                } catch {
                    throw LabInputError(file: "the tuned policy of \(run.scenario.name)", message: "\(error)")
                }
            }
            sections.append(SimulationReport.Section(
                scenario: run.scenario, results: run.results, notes: notes, notesTitle: "Tuned policy (POLICY.json)"))
        }
        try writeFile(SimulationReport(sections: sections).html(), to: report)
        output += "Report: \(report)\n"
        if let json {
            try writeFile(SimulationResultJSON.render(runs.flatMap(\.results)), to: json)
            output += "Metrics: \(json)\n"
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}

/// `resilience-lab run`: one scenario under one policy.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Simulate one load scenario under one policy in virtual time and print its metrics.",
        discussion: """
            SCENARIO is a built-in scenario's name (\(ScenarioDefinition.builtIn.map(\.name).joined(separator: ", "))) \
            or a scenario file (.json, or .yaml/.yml); the \
            policy is --policy POLICY.json (or .yaml), or a built-in policy (--policy none, \
            naive-retry or default), or --config FILE --policy-name NAME, a policy of a service's \
            configuration as production reads it. \
            Prints the comparison table row on stdout; --json writes the metrics as JSON (the same \
            seed always writes the same bytes) and --report an HTML report with charts.

            A scenario file, every field but "description" shown (durations are strings with a unit: ns, us, ms, s, m, h; \
            the fields, their defaults and ranges: README.md, "Scenario files", or the \
            ScenarioDefinition documentation):
              {"name": "checkout-outage", "duration": "120s", "seed": 42,
               "traffic": {
                 "rates": [{"from": "0s", "ratePerSecond": 800}],
                 "bursts": [{"at": "90s", "calls": 2000, "over": "2s"}],
                 "closedLoop": {"clients": 20,
                                "thinkTime": {"constant": "100ms"}},
                 "priorities": {"low": 0.2, "normal": 0.8},
                 "operations": {"authorize": 0.9, "refund": 0.1}},
               "dependency": {
                 "workers": 50, "maxQueue": 100,
                 "serviceTime": {"logNormal": {"median": "20ms",
                                               "p99": "200ms"}},
                 "phases": [
                   {"from": "30s", "condition": "down"},
                   {"from": "60s", "condition": "healthy"},
                   {"from": "70s", "condition": "failing", "fraction": 0.3},
                   {"from": "80s", "condition": "brownout",
                    "latencyMultiplier": 4},
                   {"from": "90s", "condition": "flapping", "period": "5s",
                    "downFraction": 0.4},
                   {"from": "100s", "condition": "rateLimiting",
                    "capacityPerSecond": 500, "retryAfter": "1s"}]}}

            The table's columns:
            \(ComparisonTable.legend)
            """)

    @Option(help: "A built-in scenario's name or a scenario file (.json, .yaml); - reads JSON from standard input.")
    var scenario: String

    @OptionGroup var policy: PolicyOptions

    @Option(help: "Overrides the scenario's seed, 0...18446744073709551615.", transform: parseSeed)
    var seed: UInt64?

    @Option(help: "Write an HTML report with charts to this file.")
    var report: String?

    @Option(help: "Write the metrics as JSON to this file.")
    var json: String?

    func run() throws {
        try checkOutputPaths([("--report", report), ("--json", json)])
        let definition = try loadScenario(scenario)
        let source = policy.source
        let policyFile = try policy.policy.flatMap(SuitePolicy.named) ?? policy.loadForSimulation()
        let result = try Simulator.run(definition, policy: policyFile, policyName: policy.policyName ?? source.label, seed: seed)
        if let json { try writeFile(SimulationResultJSON.render(result), to: json) }
        if let report {
            try writeFile(SimulationReport(sections: [.init(scenario: definition, results: [result])]).html(), to: report)
        }
        let text = ComparisonTable.render([result], for: definition) + "\n"
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// The built-in scenario named `name`, or the scenario file at that path.
func loadScenario(_ name: String) throws(LabInputError) -> ScenarioDefinition {
    if let builtIn = ScenarioDefinition.builtIn(named: name) { return builtIn }
    guard name == TextFile.standardInput || FileManager.default.fileExists(atPath: name) else {
        let names = ScenarioDefinition.builtIn.map(\.name).joined(separator: ", ")
        throw LabInputError(file: name, message: "no such file, and not a built-in scenario (\(names))")
    }
    return try ScenarioDefinition.load(path: name)
}

/// Writes `text` to `path`, or throws an error naming the file.
func writeFile(_ text: String, to path: String) throws(LabInputError) {
    try TextFile.write(text, to: path)
}

/// Checks, before any simulation, that every file a command will write can be written: each path is
/// non-empty, is not a directory, is writable if it exists, and lies in an existing, writable directory;
/// no two options name the same file. A long run then never fails at its end on a mistyped path.
/// - Parameter outputs: each option's name (`--report`) and the path given to it, `nil` when not given.
func checkOutputPaths(_ outputs: [(option: String, path: String?)]) throws(LabInputError) {
    var seen: [String: String] = [:]
    for case let (option, path?) in outputs {
        try checkOutputPath(path, option: option)
        let key = URL(fileURLWithPath: path).standardizedFileURL.path
        if let first = seen[key] {
            throw LabInputError(file: path, message: "\(first) and \(option) name the same file: give each output its own file")
        }
        seen[key] = option
    }
}

/// One path of ``checkOutputPaths(_:)``.
func checkOutputPath(_ path: String, option: String) throws(LabInputError) {
    guard !path.isEmpty else {
        throw LabInputError(file: "\(option) \"\"", message: "the path is empty; give the file to write")
    }
    let files = FileManager.default
    var isDirectory: ObjCBool = false
    if files.fileExists(atPath: path, isDirectory: &isDirectory) {
        if isDirectory.boolValue {
            throw LabInputError(file: path, message: "cannot write \(option) there: it is a directory, not a file")
        }
        guard files.isWritableFile(atPath: path) else {
            throw LabInputError(file: path, message: "cannot write \(option) there: the file is not writable (permission denied)")
        }
        return
    }
    let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
    var parentIsDirectory: ObjCBool = false
    guard files.fileExists(atPath: parent, isDirectory: &parentIsDirectory) else {
        throw LabInputError(file: path, message: "cannot write \(option) there: no such directory \(parent)")
    }
    guard parentIsDirectory.boolValue else {
        throw LabInputError(file: path, message: "cannot write \(option) there: \(parent) is not a directory")
    }
    guard files.isWritableFile(atPath: parent) else {
        throw LabInputError(file: path, message: "cannot write \(option) there: the directory \(parent) is not writable (permission denied)")
    }
}
