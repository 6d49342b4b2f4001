import ArgumentParser
import Foundation
import Resilience
import ResilienceConfiguration
import ResilienceLab

/// `resilience-lab`: run resilience policies against load and traces in virtual time.
@main
struct ResilienceLabCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resilience-lab",
        abstract: "Run resilience policies against simulated load and recorded traces in virtual time.",
        discussion: """
            With no subcommand, runs the built-in suite of load scenarios under four policies and \
            writes resilience-report.html (`suite`). `run` simulates one scenario under one policy; \
            `tune` searches for the best breaker, retry and timeout settings for a scenario; \
            `example` replays the incident shipped with the tool through an example breaker; \
            `replay` runs your own trace through your own policy; `schedule` prints the delays a \
            retry policy would wait, before you deploy it; `config` prints the policies a service's \
            configuration files and environment give.
            """,
        version: LabVersion.current,
        subcommands: [Suite.self, Run.self, Tune.self, ExampleIncident.self, Replay.self, Schedule.self, Config.self],
        defaultSubcommand: Suite.self
    )

    /// The subcommands' names, as typed.
    static var subcommandNames: [String] {
        configuration.subcommands.map { $0._commandName }
    }

    /// Why `arguments` (without the program's name) cannot be a command line, when their first word
    /// is neither an option nor a subcommand: with a default subcommand, ArgumentParser would take the
    /// word for an argument of `suite` and print the suite's usage, never saying the subcommand is
    /// unknown.
    static func unknownSubcommand(in arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        guard !subcommandNames.contains(first), first != "help" else { return nil }
        return "unknown subcommand \"\(first)\"; the subcommands are \(subcommandNames.joined(separator: ", ")) "
            + "(no subcommand runs suite; resilience-lab help SUBCOMMAND describes one)"
    }

    /// Like ArgumentParser's `main()`, but every kind of bad input exits with status 2.
    static func main() {
        if let message = unknownSubcommand(in: Array(CommandLine.arguments.dropFirst())) {
            FileHandle.standardError.write(Data("resilience-lab: \(message)\n".utf8))
            Foundation.exit(2)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as LabInputError {
            FileHandle.standardError.write(Data("resilience-lab: \(error)\n".utf8))
            Foundation.exit(2)
        } catch let error as ConfigurationProblems {
            FileHandle.standardError.write(Data(error.problems.map { "resilience-lab: \($0)\n" }.joined().utf8))
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
            POLICY.json may hold "loadShedder", "retry", "circuitBreaker", "rateLimiter", \
            "concurrencyLimit", "timeout" and "bulkhead" sections, each optional; they run outermost \
            first as load shedder > retry > circuit breaker > rate limiter > concurrency limit > \
            timeout > bulkhead > dependency, and the first that refuses an attempt names the reason. \
            The "fallback", "cascade", "hedging", "adaptiveTimeout" and "chaos" sections, and \
            timeout.firstByte (a simulated call has no response head), are accepted and not \
            simulated; stderr names them.

            A call line gives one outcome for every attempt, {"at": 0, "outcome": "failure", \
            "duration": 100}, or one per attempt, {"at": 0, "attempts": [{"outcome": "failure", \
            "duration": 100}, {"outcome": "success", "duration": 50}]}; either may add "priority" \
            (low, normal, high, critical: for the load shedder) and "key" (the rate limiter's bucket). \
            Calls overlap: a running call holds its places in the shedder, the concurrency limit and \
            the bulkhead. The shedder decides once per call. Attempt k starts at s_k (s_1 = at): the \
            breaker, then the rate limiter (at once, after a reservation within maxWait, or \
            rateLimited), then the concurrency limit (LIFO queue; loadShed), where the attempt's \
            timeout t starts (c_k), then the bulkhead (FIFO queue with maxWait; bulkheadFull). \
            Admitted at a_k, the dependency answers after d_k; if a_k + d_k >= c_k + t the attempt \
            ends timedOut at c_k + t (a failure for the breaker; inner rejections are ignored by it). \
            Rejections are never retried; failure and timedOut are retried while k < maxAttempts and \
            the retry budget (first attempts counted at each call's start) grants it; attempt k+1 \
            starts after the call's own backoff delay. Jitter draws from SplitMix64 seeded with \
            --seed (default 0). At one instant: due outcomes (due order, then admission order; freed \
            slots go to waiters), then ending waits, then due retries and reservations (in \
            scheduling order), then the line. A call that executes more attempts than its line lists \
            is bad input.

            Prints one JSON object per trace line, in input order. For a call:
              {"line": N, "decision": D, "reason": R, "state": S}
            D is "rejected" when a policy refused the first attempt, R then its code (loadShed, \
            circuitOpen, halfOpenFull, rateLimited, bulkheadFull), else "permitted" with R null; S is \
            the breaker's state right after the call ended (no "state" without a circuit breaker). \
            A line with "attempts" adds
              "attempts": K, "outcome": O, "finishedAt": MS
            K attempts that reached the dependency, O the final outcome (success, failure, ignored, \
            timedOut, or the code of the rejection that ended it), MS when the call ended (exact \
            milliseconds). A single-outcome line keeps the four fields only. A section with "mode": \
            "shadow" (circuitBreaker, rateLimiter, bulkhead, loadShedder, concurrencyLimit, timeout) \
            decides as it would enforce but lets the call go on (a shadow timeout does not cut the \
            attempt); a call such a section would have refused adds "shadowReason": the code of the \
            first such refusal (circuitOpen, halfOpenFull, rateLimited, bulkheadFull, loadShed, \
            timedOut). For a control or \
            observe line:
              {"line": N, "state": S}
            Bad input exits with status 2 and prints nothing on stdout.
            """
    )

    @OptionGroup var policy: PolicyOptions

    @Option(help: "The trace: one JSON object per line, times in milliseconds from its start; - reads standard input (a pipe, a FIFO or <(...) works too).")
    var trace: String

    @Option(help: "The seed of the retry jitter's random numbers (SplitMix64), 0...18446744073709551615.", transform: parseSeed)
    var seed: UInt64 = 0

    func run() throws {
        let (_, result) = try ReplayCommand.run(policy: policy.loadForSimulation(), policyLabel: policy.source.label, tracePath: trace, seed: seed)
        writeLines(result.lines)
    }
}

struct Schedule: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the delays a policy's retry section would wait before each retry of one call.",
        discussion: """
            Prints one JSON object per retry, retries 1 to maxAttempts - 1:
              {"retry": N, "delayMs": X, "minMs": A, "maxMs": B}
            X is the delay (backoff, then jitter drawn from SplitMix64 seeded with --seed, then the \
            maxDelay cap); A and B are the jitter's bounds, capped by maxDelay too, so A <= X <= B. \
            Milliseconds are exact decimals. A policy without a "retry" section prints nothing and \
            exits 0. Bad input exits with status 2 and prints nothing on stdout.
            """
    )

    @OptionGroup var policy: PolicyOptions

    @Option(help: "The seed of the jitter's random numbers (SplitMix64), 0...18446744073709551615.", transform: parseSeed)
    var seed: UInt64 = 0

    func run() throws {
        guard let lines = try ScheduleCommand.run(policy: policy.load(), policyLabel: policy.source.label, seed: seed) else {
            FileHandle.standardError.write(Data("resilience-lab: \(policy.source.label) has no \"retry\" section, so the policy makes no retries\n".utf8))
            return
        }
        writeLines(lines)
    }
}

/// Reads `--seed`: a decimal integer in 0...UInt64.max.
func parseSeed(_ text: String) throws -> UInt64 {
    guard let seed = UInt64(text) else {
        throw ValidationError("allowed: an integer in 0...\(UInt64.max)")
    }
    return seed
}

/// Writes `lines` to stdout, one per line, in one write.
func writeLines(_ lines: [String]) {
    var output = lines.joined(separator: "\n")
    if !output.isEmpty { output += "\n" }
    FileHandle.standardOutput.write(Data(output.utf8))
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

