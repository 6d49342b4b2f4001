import ArgumentParser
import Foundation
import ResilienceLab

/// `resilience-lab`: run resilience policies against load and traces in virtual time.
@main
struct ResilienceLabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resilience-lab",
        abstract: "Run resilience policies against recorded traces in virtual time.",
        discussion: """
            With no subcommand, replays the example incident shipped with the tool (a payment provider \
            that fails for two minutes) through an example circuit breaker, and prints what it did.
            """,
        subcommands: [ExampleIncident.self, Replay.self],
        defaultSubcommand: ExampleIncident.self
    )

    /// Like ArgumentParser's `main()`, but every kind of bad input exits with status 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as LabInputError {
            FileHandle.standardError.write(Data("resilience-lab: \(error)\n".utf8))
            Foundation.exit(2)
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data("resilience-lab: \(fullMessage(for: error))\n".utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a recorded trace of calls through a policy and print each decision as JSON.",
        discussion: """
            Prints one JSON object per trace line, in input order:
              {"line": N, "decision": "permitted"|"rejected", "reason": null|"circuitOpen"|"halfOpenFull", "state": S}
              {"line": N, "state": S}        for control and observe lines
            Bad input exits with status 2 and prints nothing on stdout.
            """
    )

    @Option(help: "The policy: {\"circuitBreaker\": {...}} with durations as strings such as \"250ms\".")
    var policy: String

    @Option(help: "The trace: one JSON object per line, times in milliseconds from its start.")
    var trace: String

    func run() throws {
        let (_, result) = try ReplayCommand.run(policyPath: policy, tracePath: trace)
        var output = result.lines.joined(separator: "\n")
        if !output.isEmpty { output += "\n" }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}

struct ExampleIncident: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example",
        abstract: "Replay the example incident shipped with the tool and summarise what the breaker did."
    )

    func run() throws {
        guard let directory = Bundle.module.url(forResource: "ExampleIncident", withExtension: nil) else {
            throw LabInputError(file: "ExampleIncident", message: "the example incident is missing from the tool's resources")
        }
        let policyPath = directory.appending(path: "policy.json").path
        let tracePath = directory.appending(path: "trace.jsonl").path
        let (trace, result) = try ReplayCommand.run(policyPath: policyPath, tracePath: tracePath)
        print(ReplaySummary.render(
            result, trace: trace, tracePath: "Sources/resilience-lab/ExampleIncident/trace.jsonl",
            policyPath: "Sources/resilience-lab/ExampleIncident/policy.json"))
        print("""
            The same replay, one JSON decision per trace line:
              swift run -c release resilience-lab replay \\
                --policy Sources/resilience-lab/ExampleIncident/policy.json \\
                --trace Sources/resilience-lab/ExampleIncident/trace.jsonl
            """)
    }
}
