import Foundation
import Resilience
import Testing
@testable import ResilienceConfiguration

/// What one run of the `resilience-lab` binary gave.
struct LabRun {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the `resilience-lab` that `swift test` built next to the test bundle, with exactly
/// `environment`, in `directory`.
func runLab(_ arguments: [String], environment: [String: String] = [:], in directory: String? = nil) throws -> LabRun {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "resilience-lab")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        throw LabBinaryMissing(path: binary.path)
    }
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.environment = environment
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    // Read before waiting, so that a large output cannot fill the pipe and block the child.
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return LabRun(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
}

struct LabBinaryMissing: Error, CustomStringConvertible {
    var path: String
    var description: String { "no resilience-lab binary at \(path): swift test builds it" }
}

@Suite("resilience-lab config: the command-line contract")
struct ConfigCommandTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "resilience-lab-config-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Two files and an environment that override each other, several sections, a key turned off.
    func serviceConfiguration() throws -> (files: [String], environment: [String: String]) {
        let base = try write("base.yaml", """
            resilience:
              profile: staging
              policies:
                payments:
                  retry: {maxAttempts: 4, baseDelay: 200ms, jitter: decorrelated}
                  circuitBreaker: {window: count, windowSize: 20, minimumThroughput: 5, failureRatio: 0.25}
                  timeout: {duration: 2s}
                search:
                  concurrencyLimit: {algorithm: aimd, aimd: {backoffRatio: 0.8}}
                  bulkhead: {maxConcurrent: 8, maxQueued: 0, maxWait: null}
                audit: {}
            """)
        let override = try write("production.json", """
            {"resilience": {"policies": {"payments": {"circuitBreaker": {"breakDuration": "45s"}},
              "orders": {"rateLimiter": {"permitsPerSecond": 25}, "loadShedder": {"inFlight": {"low": 40, "normal": 90}}}}}}
            """)
        let environment = [
            "RESILIENCE_POLICIES_PAYMENTS_CIRCUIT_BREAKER_HALF_OPEN_MAX_DURATION": "null",
            "RESILIENCE_POLICIES_SEARCH_CONCURRENCY_LIMIT_MAX_LIMIT": "64",
        ]
        return ([base, override], environment)
    }

    @Test("The policies resilience-lab config prints are the policies the library reads from the same files and environment")
    func sameAsTheLibrary() throws {
        let (files, environment) = try serviceConfiguration()
        let run = try runLab(["config"] + files, environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty)
        let settings = try ResilienceSettings.read(files: files, environment: environment)
        #expect(run.stdout == (try settings.jsonText()))

        guard case .object(let printed) = try JSONReader.parse(run.stdout), case .object(let policies)? = printed["policies"] else {
            Issue.record("not {\"enabled\": ..., \"policies\": {...}}: \(run.stdout)")
            return
        }
        #expect(printed.keys == ["enabled", "policies"])
        #expect(printed["enabled"] == .bool(true))
        #expect(policies.keys == ["audit", "orders", "payments", "search"])
        var breaker = CircuitBreakerConfiguration()
        breaker.window = .count
        breaker.windowSize = 20
        breaker.minimumThroughput = 5
        breaker.failureRatio = 0.25
        breaker.breakDuration = .seconds(45)
        breaker.halfOpenMaxDuration = nil
        #expect(settings.policies["payments"]?.circuitBreaker == breaker)
        for (name, value) in policies.members {
            // Each printed policy is a POLICY.json that reads back to the library's policy.
            let text = JSONWriter.text(JSONWriter.Value(value))
            #expect(try PolicyConfiguration.parse(text, file: name) == settings.policies[name], "\(name)")
        }
    }

    @Test("Each printed policy is a POLICY.json that replay, schedule and run read like --config --policy-name")
    func printedPolicyRoundTrip() throws {
        let (files, environment) = try serviceConfiguration()
        let printed = try runLab(["config"] + files, environment: environment)
        guard case .object(let root) = try JSONReader.parse(printed.stdout), case .object(let policies)? = root["policies"],
            let payments = policies["payments"]
        else {
            Issue.record("no payments policy in \(printed.stdout)")
            return
        }
        let policyFile = try write("payments.json", JSONWriter.text(JSONWriter.Value(payments)))
        let trace = try write("trace.jsonl", """
            {"at": 0, "attempts": [{"outcome": "failure", "duration": 100}, {"outcome": "success", "duration": 50}]}
            {"at": 1000, "attempts": [{"outcome": "failure", "duration": 2500}, {"outcome": "failure", "duration": 20}, {"outcome": "success", "duration": 5}]}
            {"at": 9000, "outcome": "success", "duration": 10}
            """)
        let fromConfig = files.flatMap { ["--config", $0] } + ["--policy-name", "payments"]
        for command in [["replay", "--trace", trace, "--seed", "7"], ["schedule", "--seed", "3"], ["run", "--scenario", "brownout", "--seed", "2"]] {
            let viaFile = try runLab(command + ["--policy", policyFile], environment: environment)
            let viaConfig = try runLab(command + fromConfig, environment: environment)
            #expect(viaFile.status == 0, "\(command[0]) --policy: \(viaFile.stderr)")
            #expect(viaConfig.status == 0, "\(command[0]) --config: \(viaConfig.stderr)")
            #expect(!viaFile.stdout.isEmpty)
            if command[0] == "run" {
                // The row names the policy (the file's path, or the policy's name) in a column as wide as the name.
                let words = { (text: String) in text.split(whereSeparator: \.isWhitespace) }
                #expect(words(viaFile.stdout.replacingOccurrences(of: policyFile, with: "payments")) == words(viaConfig.stdout))
            } else {
                #expect(viaFile.stdout == viaConfig.stdout, "\(command[0])")
            }
        }
    }

    @Test("--profile overrides RESILIENCE_PROFILE, which overrides the files")
    func profileOption() throws {
        let path = try write("service.yaml", "resilience: {profile: staging, policies: {p: {circuitBreaker: {}}}}")
        let staging = try runLab(["config", path], environment: [:])
        #expect(staging.stdout.contains(#""breakDuration": "10s""#))
        let development = try runLab(["config", path], environment: ["RESILIENCE_PROFILE": "development"])
        #expect(development.stdout.contains(#""breakDuration": "5s""#))
        let production = try runLab(["config", path, "--profile", "production"], environment: ["RESILIENCE_PROFILE": "development"])
        #expect(production.stdout.contains(#""breakDuration": "30s""#))
    }

    @Test("Bad input: nothing on stdout, one line per problem naming the full key path, exit status 2")
    func badInput() throws {
        let path = try write("service.yaml", """
            resilience:
              enabled: false
              policies:
                payments:
                  circuitBreaker: {failureRatio: 1.5, breakDuration: 0s}
                  retyr: {}
            """)
        let run = try runLab(["config", path], environment: ["RESILIENCE_POLICIES_PAYMENTS_RETRY_MAX_ATTEMPTS": "0", "RESILIENCE_TYPO": "1"])
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.split(separator: "\n") == [
            "resilience-lab: unknown section \"resilience.policies.payments.retyr\"; known: \(PolicyConfiguration.sectionNames.joined(separator: ", ")) (in \(path))",
            "resilience-lab: RESILIENCE_TYPO: unknown environment variable: it maps to no key under resilience (in environment)",
            "resilience-lab: resilience.policies.payments.retry.maxAttempts: 0 is not allowed; allowed: 1...1000 (in RESILIENCE_POLICIES_PAYMENTS_RETRY_MAX_ATTEMPTS)",
            "resilience-lab: resilience.policies.payments.circuitBreaker.failureRatio: 1.5 is not allowed; allowed: (0, 1] with at most 9 decimal places (in \(path))",
            "resilience-lab: resilience.policies.payments.circuitBreaker.breakDuration: 0s is not allowed; allowed: > 0 (in \(path))",
        ])
    }

    @Test("tune --write-config writes a new file that config reads back, and never overwrites one")
    func tuneWritesConfiguration() throws {
        for name in ["tuned.yaml", "tuned.json"] {
            let path = directory + "/" + name
            let tuned = try runLab(["tune", "--scenario", "error-burst", "--budget", "18", "--write-config", path, "--policy-name", "checkout-api"])
            #expect(tuned.status == 0, "\(tuned.stderr)")
            let written = try ResilienceSettings.read(files: [path], environment: [:])
            #expect(written.policies == ["checkout-api": try PolicyConfiguration.parse(tuned.stdout, file: "stdout")])
            let before = try String(contentsOfFile: path, encoding: .utf8)
            let again = try runLab(["tune", "--scenario", "error-burst", "--budget", "18", "--write-config", path, "--policy-name", "other"])
            #expect(again.status == 2)
            #expect(again.stdout.isEmpty)
            #expect(again.stderr == "resilience-lab: \(path): the file exists; --write-config writes a new file and never overwrites one\n")
            #expect(try String(contentsOfFile: path, encoding: .utf8) == before)
        }
    }

    @Test("tune --config --policy-name starts from the service's policy (environment included), keeps its other sections, and says so")
    func tuneFromConfiguration() throws {
        let path = try write("service.yaml", """
            resilience:
              policies:
                checkout:
                  retry: {maxAttempts: 2}
                  bulkhead: {maxConcurrent: 30, maxQueued: 3, maxWait: 200ms}
            """)
        let environment = ["RESILIENCE_POLICIES_CHECKOUT_BULKHEAD_MAX_CONCURRENT": "31"]
        let tuned = try runLab(
            ["tune", "--scenario", "error-burst", "--budget", "18", "--config", path, "--policy-name", "checkout", "--show-candidates"],
            environment: environment)
        #expect(tuned.status == 0, "\(tuned.stderr)")
        let best = try PolicyConfiguration.parse(tuned.stdout, file: "stdout")
        #expect(best.bulkhead == BulkheadConfiguration(maxConcurrent: 31, maxQueued: 3, maxWait: .milliseconds(200)))
        #expect(tuned.stderr.contains("  current     tuned") || tuned.stderr.contains("no candidate beat the current policy (resilience.policies.checkout (\(path)))"))
        #expect(tuned.stderr.contains("the current policy is #0"))
        let fromFile = try write("checkout.json", try ResilienceSettings.read(files: [path], environment: environment).policies["checkout"]!.jsonText())
        let same = try runLab(["tune", "--scenario", "error-burst", "--budget", "18", "--policy", fromFile])
        #expect(same.status == 0 && same.stdout == tuned.stdout, "\(same.stderr)")

        for (arguments, message) in [
            (["--config", path], "--config needs --policy-name NAME: the policy under resilience.policies to start from"),
            (["--policy", fromFile, "--config", path, "--policy-name", "checkout"], "--policy cannot be combined with --config: give one source of the policy to start from"),
            (["--policy-name", "checkout"], "--policy-name needs --config FILE (the policy to start from) or --write-config FILE (the file to write the policy to)"),
        ] {
            let bad = try runLab(["tune", "--scenario", "error-burst"] + arguments)
            #expect(bad.status != 0 && bad.stdout.isEmpty)
            #expect(bad.stderr.contains(message), "\(bad.stderr)")
        }
        let unknown = try runLab(["tune", "--scenario", "error-burst", "--config", path, "--policy-name", "payments"])
        #expect(unknown.status == 2 && unknown.stdout.isEmpty)
        #expect(unknown.stderr.contains("payments"), "\(unknown.stderr)")
    }

    @Test("run and replay accept the sections the lab does not simulate, and name them on stderr")
    func notSimulated() throws {
        let trace = try write("trace.jsonl", #"{"at": 0, "outcome": "success"}"#)
        let plain = try write("plain.json", #"{"circuitBreaker": {"window": "count"}}"#)
        let extra = try write("extra.json", #"{"circuitBreaker": {"window": "count"}, "hedging": {}, "fallback": {"timeToLive": "1m"}, "cascade": {}, "chaos": {"enabled": true, "fault": {"rate": 1}}}"#)
        let base = try runLab(["replay", "--policy", plain, "--trace", trace])
        let replay = try runLab(["replay", "--policy", extra, "--trace", trace])
        #expect(replay.status == 0)
        #expect(replay.stdout == base.stdout)
        #expect(replay.stderr == "resilience-lab: \(extra): not simulated: fallback, cascade, hedging, chaos (accepted; the other sections run as configured)\n")
        let run = try runLab(["run", "--scenario", "steady-state", "--policy", extra])
        #expect(run.status == 0)
        #expect(run.stderr.contains("not simulated: fallback, cascade, hedging, chaos"))
    }

    @Test("run and replay accept timeout.firstByte, simulate the attempt to duration alone, and name the key on stderr")
    func firstByteNotSimulated() throws {
        // A call of 500 ms: past firstByte (200 ms), within duration (2 s).
        let trace = try write("trace.jsonl", #"{"at": 0, "attempts": [{"outcome": "success", "duration": 500}]}"#)
        let plain = try write("plain.json", #"{"timeout": {"duration": "2s"}}"#)
        let firstByte = try write("first-byte.json", #"{"timeout": {"duration": "2s", "firstByte": "200ms"}}"#)
        let note = "not simulated: timeout.firstByte (accepted; a simulated call has no response head: timeout.duration bounds each attempt)\n"
        let base = try runLab(["replay", "--policy", plain, "--trace", trace])
        #expect(base.status == 0 && base.stderr.isEmpty, "\(base.stderr)")
        let replay = try runLab(["replay", "--policy", firstByte, "--trace", trace])
        #expect(replay.status == 0)
        #expect(replay.stdout == base.stdout)
        #expect(replay.stdout.contains(#""outcome": "success""#), "\(replay.stdout)")
        #expect(replay.stderr == "resilience-lab: \(firstByte): \(note)")

        // With sections the lab does not simulate: one line for them, one for the key.
        let both = try write("both.json", #"{"timeout": {"duration": "2s", "firstByte": "200ms"}, "chaos": {}}"#)
        let mixed = try runLab(["replay", "--policy", both, "--trace", trace])
        #expect(mixed.status == 0 && mixed.stdout == base.stdout)
        #expect(mixed.stderr == """
            resilience-lab: \(both): not simulated: chaos (accepted; the other sections run as configured)
            resilience-lab: \(both): \(note)
            """)

        // From a service's configuration, the key set by an environment variable.
        let config = try write("service.yaml", "resilience: {policies: {payments: {timeout: {duration: 2s}}}}")
        let fromConfig = try runLab(
            ["replay", "--config", config, "--policy-name", "payments", "--trace", trace],
            environment: ["RESILIENCE_POLICIES_PAYMENTS_TIMEOUT_FIRST_BYTE": "200ms"])
        #expect(fromConfig.status == 0 && fromConfig.stdout == base.stdout)
        #expect(fromConfig.stderr.hasSuffix(note), "\(fromConfig.stderr)")

        let run = try runLab(["run", "--scenario", "steady-state", "--policy", firstByte])
        #expect(run.status == 0)
        #expect(run.stderr.components(separatedBy: note).count == 2, "\(run.stderr)")
    }
}
