import Foundation
import Testing

/// Runs `resilience-lab` with `input` on its standard input.
func runLab(_ arguments: [String], input: String) throws -> LabRun {
    let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appending(path: "resilience-lab")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        throw LabBinaryMissing(path: binary.path)
    }
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.environment = [:]
    let stdin = Pipe()
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    try stdin.fileHandleForWriting.close()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    let err = stderr.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return LabRun(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
}

@Suite("resilience-lab: standard input, streams and plain I/O errors")
struct StreamsAndIOErrorsTests {
    let directory: String
    static let policy = #"{"circuitBreaker": {"windowSize": 4, "minimumThroughput": 2, "failureRatio": 0.5, "breakDuration": "1s"}}"#
    static let trace = """
        {"at": 0, "outcome": "failure"}
        {"at": 10, "outcome": "failure"}
        {"at": 20, "observe": "state"}

        """

    init() throws {
        directory = NSTemporaryDirectory() + "resilience-lab-streams-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("--trace - and --trace /dev/stdin read the trace from standard input, as the file would")
    func traceFromStandardInput() throws {
        let policy = try write("policy.json", Self.policy)
        let fromFile = try runLab(["replay", "--policy", policy, "--trace", try write("trace.jsonl", Self.trace)])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        let dash = try runLab(["replay", "--policy", policy, "--trace", "-"], input: Self.trace)
        #expect(dash.status == 0, "\(dash.stderr)")
        #expect(dash.stdout == fromFile.stdout)
        let device = try runLab(["replay", "--policy", policy, "--trace", "/dev/stdin"], input: Self.trace)
        #expect(device.status == 0, "\(device.stderr)")
        #expect(device.stdout == fromFile.stdout)
    }

    @Test("a bad line read from standard input is named by line, in standard input")
    func badLineFromStandardInput() throws {
        let policy = try write("policy.json", Self.policy)
        let run = try runLab(["replay", "--policy", policy, "--trace", "-"], input: "{\"at\": 0, \"outcome\": \"success\"}\n{\"at\": 1}\n")
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("resilience-lab: standard input:2: "), "\(run.stderr)")
    }

    @Test("--policy - reads the policy from standard input")
    func policyFromStandardInput() throws {
        let trace = try write("trace.jsonl", Self.trace)
        let fromFile = try runLab(["replay", "--policy", try write("policy.json", Self.policy), "--trace", trace])
        let dash = try runLab(["replay", "--policy", "-", "--trace", trace], input: Self.policy)
        #expect(dash.status == 0, "\(dash.stderr)")
        #expect(dash.stdout == fromFile.stdout)
        let schedule = try runLab(["schedule", "--policy", "-"], input: Self.policy)
        #expect(schedule.stderr == "resilience-lab: standard input has no \"retry\" section, so the policy makes no retries\n")
    }

    @Test("a directory as the trace, the policy or the report is named in a plain sentence")
    func directoryAsFile() throws {
        let policy = try write("policy.json", Self.policy)
        let trace = try runLab(["replay", "--policy", policy, "--trace", directory])
        #expect(trace.status == 2)
        #expect(trace.stderr == "resilience-lab: \(directory): is a directory, not a file\n")
        let asPolicy = try runLab(["replay", "--policy", directory, "--trace", try write("trace.jsonl", Self.trace)])
        #expect(asPolicy.status == 2)
        #expect(asPolicy.stderr.contains("\(directory): is a directory, not a file"), "\(asPolicy.stderr)")
        #expect(!asPolicy.stderr.contains("NSCocoaErrorDomain"))
        let report = try runLab(["run", "--scenario", "steady-state", "--policy", policy, "--report", directory])
        // Output paths are checked before anything is simulated (LabCommandLineTests), with the option named.
        #expect(report.stderr == "resilience-lab: \(directory): cannot write --report there: it is a directory, not a file\n", "\(report.stderr)")
        let json = try runLab(["run", "--scenario", "steady-state", "--policy", policy, "--json", directory + "/no/such.json"])
        #expect(json.stderr == "resilience-lab: \(directory)/no/such.json: cannot write --json there: no such directory \(directory)/no\n", "\(json.stderr)")
    }
}
